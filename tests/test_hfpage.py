"""The page-copy reader: every layout the samples README describes, and its errors."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.errors import DigestError
from generator.readers import SourceFile, read_source
from generator.readers.hfpage import listed_day, read

from conftest import ABSTRACT, ROOT, listing

SOURCES = sorted((ROOT / "sources").glob("*.txt"))


def parse(name: str, text: str | bytes, default_year: int | None = None):
    data = text.encode() if isinstance(text, str) else text
    return read(SourceFile(name, data, default_year))


def test_bundled_copies_hold_301_listings():
    counts = {p.name: len(parse(p.name, p.read_bytes())) for p in SOURCES}
    assert counts == {"2025-03-11-hf-papers.txt": 62, "2025-03-13-hf-papers.txt": 51,
                      "2025-03-17-hf-papers.txt": 69, "2025-07-31-hf-papers.txt": 64,
                      "2025-09-08-hf-papers.txt": 55}


def test_year_comes_from_the_file_name():
    [first, *_] = parse("2025-09-08-hf-papers.txt", SOURCES[-1].read_bytes())
    assert first.date == dt.date(2025, 9, 8)
    assert first.title == "SwinJSCC: Taming Swin Transformer for Deep Joint Source-Channel Coding"
    assert first.line == 13


def test_year_falls_back_to_the_configured_default():
    [item] = parse("copy.txt", listing("Sep 8", ("A title", ABSTRACT)), default_year=2024)
    assert item.date == dt.date(2024, 9, 8)


def test_no_year_anywhere_is_a_clear_error():
    with pytest.raises(DigestError) as err:
        parse("copy.txt", listing("Sep 8", ("A title", ABSTRACT)))
    assert str(err.value) == (
        "copy.txt:11: the date line 'Sep 8' has no year; start the file name with the full "
        "date (e.g. 2025-09-08-hf-papers.txt) or set default_year under [tool.digest] in "
        "pyproject.toml")


def test_file_name_and_date_line_must_agree():
    with pytest.raises(DigestError, match=r"2025-09-09-x.txt:11: the date line says 2025-09-08 "
                                          r"but the file name says 2025-09-09"):
        parse("2025-09-09-x.txt", listing("Sep 8", ("A title", ABSTRACT)))


HEADERS = {
    "daily papers, byAK": "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
                          "Daily Papers\n\nbyAK and the research community\n\n",
    "no daily papers": "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
                       "byAK and the research community\n\n",
    "by AK with periods": "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
                          "Daily Papers\n\nby AK and the research community\n\nDaily\n\n"
                          "Weekly\n\nMonthly\n\nTrending Papers\n\n",
    "no header at all": "\n",
}


@pytest.mark.parametrize("header", HEADERS.values(), ids=HEADERS.keys())
def test_every_header_layout_parses_the_same(header):
    text = listing("Mar 11", ("First title", ABSTRACT), ("Second title", ABSTRACT), header=header)
    items = parse("2025-03-11-x.txt", text)
    assert [(i.title, i.abstract, i.date) for i in items] == [
        ("First title", ABSTRACT, dt.date(2025, 3, 11)),
        ("Second title", ABSTRACT, dt.date(2025, 3, 11))]


def _current_layout(text: str, before: bool) -> str:
    """Rewrite a plain copy as a current page copy, with extras around every paper."""
    lines = [line for line in text.split("\n") if line.strip()]
    date_at = next(i for i, line in enumerate(lines) if line in ("Mar 11", "Sep 8", "Jul 31",
                                                                   "Mar 13", "Mar 17"))
    head, body = lines[: date_at + 1], lines[date_at + 1:]
    out = head[:]
    for n in range(0, len(body), 2):
        extras = [str(n * 3) if n % 4 else "-",
                  f"{n % 7 + 1} authors" if n % 3 else "Some Research Lab",
                  "·", "Feb 27, 2025" if n % 5 == 0 else "May 29"]
        if n % 4 == 0:
            extras.append(str(n % 9))  # a comment count, on some papers only
        pair = body[n: n + 2]
        out += (extras + pair) if before else (pair + extras)
    return "\n\n".join(out) + "\n"


@pytest.mark.parametrize("before", [False, True], ids=["extras-after", "extras-before"])
@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_current_layout_parses_into_the_same_titles_and_abstracts(path, before):
    plain = parse(path.name, path.read_bytes())
    current = parse(path.name, _current_layout(path.read_text(), before))
    assert [(i.title, i.abstract) for i in current] == [(i.title, i.abstract) for i in plain]
    # The useful extras are kept as data.
    assert current[0].upvotes is None and current[1].upvotes == 6  # "-" then "6"
    assert current[0].published == dt.date(2025, 2, 27)
    assert current[1].published.month == 5 and current[1].published.day == 29
    assert current[1].published <= current[1].date
    assert current[0].comments == 0 and current[1].comments is None


def test_single_line_dot_date_and_organisation_are_extras():
    text = listing("Mar 11", ("A title", ABSTRACT)) + "12\n\nMeta AI\n\n· Jan 3\n"
    [item] = parse("2025-03-11-x.txt", text)
    assert (item.title, item.upvotes, item.organization, item.published) == (
        "A title", 12, "Meta AI", dt.date(2025, 1, 3))


@pytest.mark.parametrize("extras, bad, message", [
    ("·\n\nFeb 30\n\n4\n", "Feb 30", "'Feb 30' is not a real date; correct it"),
    ("·\n\n4\n", "·", "expected the paper's own date after '·', found ''; write it as "
                        "'May 29' or 'Feb 27, 2025'"),
    ("· soon\n\n4\n", "· soon", "expected the paper's own date after '·', found 'soon'; "
                                  "write it as 'May 29' or 'Feb 27, 2025'"),
])
def test_a_bad_own_date_is_reported_on_its_line(extras, bad, message):
    # A comment count may follow; the message still names the date's line.
    text = listing("Mar 11", ("A title", ABSTRACT)) + "12\n\n3 authors\n\n" + extras
    line = text.split("\n").index(bad) + 1
    with pytest.raises(DigestError) as caught:
        parse("2025-03-11-x.txt", text)
    assert str(caught.value) == f"2025-03-11-x.txt:{line}: {message}"


@pytest.mark.parametrize("name, date_line, default_year, expected", [
    ("copy.txt", "Feb 27, 2025", None, dt.date(2025, 2, 27)),
    ("copy.txt", "Feb 29", 2024, dt.date(2024, 2, 29)),
    ("2025-03-11-x.txt", "Mar 11", None, dt.date(2025, 3, 11)),
    ("copy.txt", "Feb 29", None, None),  # no year anywhere: the caller must ask for one
])
def test_listed_day_reads_only_the_date_line(name, date_line, default_year, expected):
    # The paper below lacks its abstract: read() would refuse it, listed_day does not look.
    text = listing(date_line, ("A title", ABSTRACT)) + "A title without its abstract\n"
    source = SourceFile(name, text.encode(), default_year)
    assert listed_day(source) == expected


def test_unknown_suffix_is_refused():
    with pytest.raises(DigestError, match=r"notes.docx: no reader knows files ending in '.docx'"):
        read_source(SourceFile("notes.docx", b"x"))


# -- a copy cut short ------------------------------------------------------------------

def test_a_copy_that_ends_inside_an_abstract_is_read_with_a_warning_on_that_line():
    from generator.readers.hfpage import read_page

    whole = SOURCES[-1].read_bytes()
    cut = whole[:50000]
    last = cut.decode().count("\n") + 1
    reading = read_page(SourceFile(SOURCES[-1].name, cut))
    # Its last abstract would replace that paper's whole one: the curator must hear of it.
    assert [(w.line, w.message) for w in reading.warnings] == [(last, (
        "the last abstract ends '… the encoder is used to select the neare', not at a "
        "sentence's end: the copy looks cut short; if it is, copy the whole page again"))]
    assert read_page(SourceFile(SOURCES[-1].name, whole)).warnings == ()


@pytest.mark.parametrize("ending", ["Code: https://github.com/a/b", "It works (mostly)",
                                    "Code at www.example.org/x"])
def test_an_abstract_ending_in_a_link_or_a_bracket_is_not_cut_short(ending):
    from generator.readers.hfpage import read_page

    text = listing("Sep 8", ("A title", ABSTRACT[:-1] + ". " + ending))
    assert read_page(SourceFile("2025-09-08-hf-papers.txt", text.encode())).warnings == ()
