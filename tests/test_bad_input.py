"""Bad input never breaks the digest or loses data (issue 5).

Every bad input is reported as ``path:line: what is wrong, and what to do``, all of them in
one run, with exit status 1, no traceback, and content/ left byte for byte as it was. Inputs
that differ from a clean one only in layout (line ends, BOM, spacing) give the same pages.
"""

from __future__ import annotations

import codecs
import json
import shutil
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ABSTRACT, ROOT, listing, make_project, run_digest, tree
from generator.errors import DigestError
from generator.readers import SourceFile, read_source

CLEAN = "2025-01-05-hf-papers.txt"
BAD = "sources/2025-01-06-hf-papers.txt"
PAGE = "content/papers/spiking-codes-in-the-wild.md"
SUMMARY = "digest: {n} problem{s} found; nothing was written\n"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A digest generated from one clean source, so content/ has something to lose."""
    root = make_project(tmp_path_factory.mktemp("bad") / "digest", {
        CLEAN: listing("Jan 5", ("Spiking codes in the wild", ABSTRACT),
                       ("Sparse coding for robots", ABSTRACT))})
    result = run_digest(root, "generate")
    assert result.returncode == 0, result.stderr
    assert (root / PAGE).exists()
    return root


@pytest.fixture
def project(generated: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(generated, tmp_path / "digest"))


def put(path: str, data: str | bytes) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / path).write_bytes(data.encode() if isinstance(data, str) else data)
    return change


def edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        text = (root / path).read_text("utf-8")
        assert old in text
        (root / path).write_text(text.replace(old, new, 1), "utf-8")
    return change


VOCAB = "topics:\n  spiking:\n    name: Spiking\n    description: Spiking networks.\n"
LONELY = "the title 'Lonely title' has no abstract {where}; paste its abstract on the line " \
         "after it, or delete the title"
NO_DATE = "expected the page header and then a date line such as 'Sep 8', but found {!r}; " \
          "copy the page from its top, including the date"
UNKNOWN = "no reader knows {}; name it with one of .atom, .json, .txt, .xml if it is a " \
          "listing, or move it out of the sources folder"

CASES = {
    "empty file": (
        put(BAD, b""),
        [f"{BAD}: the file is empty; paste a Hugging Face papers page into it"]),
    "only blank lines": (
        put(BAD, "\r\n \n\t\n\u00a0\n"),
        [f"{BAD}: the file is empty; paste a Hugging Face papers page into it"]),
    "header with no papers": (
        put(BAD, listing("Jan 6")),
        [f"{BAD}:11: the date line is followed by no papers; the copy looks truncated, so "
         "copy the whole page again"]),
    "header with no date": (
        put(BAD, "new\n\nSubscribe\n\nDaily Papers\n"),
        [f"{BAD}:1: no date line such as 'Sep 8' was found (first line: 'new'); copy the page "
         "including its date, or write the date on a line of its own"]),
    "title with no abstract at the end": (
        put(BAD, listing("Jan 6", ("First paper", ABSTRACT)) + "Lonely title\n"),
        [f"{BAD}:17: " + LONELY.format(where="at the end of the file")]),
    "title with no abstract in the middle": (
        put(BAD, listing("Jan 6", ("First paper", ABSTRACT)) + "Lonely title\n\n"
            f"Second paper\n\n{ABSTRACT}\n"),
        [f"{BAD}:17: " + LONELY.format(where="before the next title")]),
    "title with no abstract at the start": (
        put(BAD, listing("Jan 6") + f"Lonely title\n\nFirst paper\n\n{ABSTRACT}\n\n"
            f"Second paper\n\n{ABSTRACT}\n"),
        [f"{BAD}:13: " + LONELY.format(where="before the next title")]),
    "date line that is not a date": (
        put(BAD, listing("Smarch 6", ("First paper", ABSTRACT))),
        [f"{BAD}:11: " + NO_DATE.format("Smarch 6")]),
    "date that does not exist": (
        put(BAD, listing("Jan 32", ("First paper", ABSTRACT))),
        [f"{BAD}:11: 'Jan 32' is not a real date in 2025; correct the date line"]),
    "date with no year anywhere": (
        put("sources/saved-copy.txt", listing("Jan 6", ("First paper", ABSTRACT))),
        ["sources/saved-copy.txt:11: the date line 'Jan 6' has no year; start the file name "
         "with the full date (e.g. 2025-09-08-hf-papers.txt) or set default_year under "
         "[tool.digest] in pyproject.toml"]),
    "Windows-1252 bytes": (
        put(BAD, listing("Jan 6", ("Caf\u00e9 networks", ABSTRACT)).encode("cp1252")),
        [f"{BAD}:13: byte 0xe9 is not valid UTF-8 (it looks like Windows-1252 or Latin-1); "
         "re-save the file as UTF-8"]),
    "UTF-16 with a BOM": (
        put(BAD, listing("Jan 6", ("First paper", ABSTRACT)).encode("utf-16")),
        [f"{BAD}:1: the file is encoded as UTF-16, not UTF-8; re-save it as UTF-8"]),
    "UTF-16 without a BOM": (
        put(BAD, listing("Jan 6", ("First paper", ABSTRACT)).encode("utf-16-le")),
        [f"{BAD}:1: the file looks like UTF-16 text without a byte order mark, not UTF-8; "
         "re-save it as UTF-8"]),
    "binary file": (
        put(BAD, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
        [f"{BAD}: this is a binary file, not a text listing; remove it from the sources folder"]),
    "unknown file type": (
        put("sources/2025-01-06-papers.pdf", b"%PDF-1.4\n"),
        ["sources/2025-01-06-papers.pdf: " + UNKNOWN.format("files ending in '.pdf'")]),
    "file without a suffix": (
        put("sources/notes", b"remember to fetch Monday\n"),
        ["sources/notes: " + UNKNOWN.format("files without a suffix")]),
    "truncated JSON": (
        put("sources/2025-01-06-hf-daily.json", b'[{"paper": {"id": "2501.00001",\n'),
        ["sources/2025-01-06-hf-daily.json:2: invalid JSON: Expecting property name enclosed "
         "in double quotes at column 1; fix the file there, or download it again from "
         "/api/daily_papers?date=YYYY-MM-DD and save it unchanged"]),
    "JSON listing no papers": (
        put("sources/2025-01-06-hf-daily.json", b"[]\n"),
        ["sources/2025-01-06-hf-daily.json: this source lists no papers; check that the copy "
         "is complete, or remove it"]),
    "Atom feed with no entries": (
        put("sources/2025-01-06-arxiv.xml", b'<?xml version="1.0"?>\n'
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title>q</title></feed>\n'),
        ["sources/2025-01-06-arxiv.xml: this source lists no papers; check that the copy "
         "is complete, or remove it"]),
    "vocabulary with a YAML error": (
        put("topics.yml", VOCAB + "    phrases: [spiking, neuromorphic\n"),
        ["topics.yml:6: invalid YAML: expected ',' or ']', but got '<stream end>' while parsing "
         "a flow sequence that starts on line 5; fix the syntax"]),
    "vocabulary with an invalid regex": (
        put("topics.yml", VOCAB + "    patterns: ['spik(ing|e']\n"),
        ["topics.yml:5: topic 'spiking': invalid regular expression 'spik(ing|e' (missing ), "
         "unterminated subpattern at position 4); fix or remove it"]),
    "vocabulary topic with no rules": (
        put("topics.yml", VOCAB),
        ["topics.yml:2: topic 'spiking' has no rules; add phrases, words or patterns that "
         "select its papers"]),
    "paper page with broken front-matter YAML": (
        edit(PAGE, "featured: false", "featured: [false"),
        [f"{PAGE}:@FEATURED+1@: broken front-matter YAML: did not find expected ',' or ']' while "
         "parsing a flow sequence that starts on line @FEATURED@; fix the YAML (quote values "
         "that contain ': ')"]),
    "paper page whose front-matter is not closed": (
        edit(PAGE, "\n---\n", "\n\n"),
        # The line where the generated body starts: the fence belongs just above it.
        [f"{PAGE}:@GENERATED@: the front-matter's closing '---' line is missing; put a line '---' back "
         "after the last front-matter key, above this line"]),
    "paper page with no front-matter": (
        edit(PAGE, "---\n", ""),
        [f"{PAGE}:1: the page does not start with '---' front-matter; restore the '---' lines "
         "around the YAML header"]),
}


def expected_stderr(problems: list[str], root: Path | None = None) -> str:
    """The exact stderr; @NAME@ marks a line of the generated PAGE, read from root."""
    if root is not None:
        lines = (root / PAGE).read_text("utf-8").split("\n")
        featured = lines.index("featured: false") + 1
        generated = next(i for i, line in enumerate(lines, 1) if line.startswith("<!-- Generated"))
        for mark, value in (("@FEATURED+1@", featured + 1), ("@FEATURED@", featured),
                            ("@GENERATED@", generated)):
            problems = [p.replace(mark, str(value)) for p in problems]
    n = len(problems)
    return "".join(p + "\n" for p in problems) + SUMMARY.format(n=n, s="s" if n != 1 else "")


@pytest.mark.parametrize("change, problems", list(CASES.values()), ids=list(CASES))
def test_bad_input_is_reported_exactly_and_changes_nothing(project, change, problems):
    expected = expected_stderr(problems, project)  # line numbers of the page as generated
    change(project)
    before = tree(project / "content")  # after the change: a broken page is content too
    result = run_digest(project, "generate")
    assert (result.returncode, result.stderr, result.stdout) == (1, expected, "")
    assert "Traceback" not in result.stderr
    assert tree(project / "content") == before


def test_every_problem_of_a_run_is_reported_at_once(project):
    everything = [CASES[name] for name in ("empty file", "title with no abstract in the middle",
                                           "vocabulary with an invalid regex",
                                           "paper page with broken front-matter YAML",
                                           "unknown file type")]
    page_lines = expected_stderr([CASES["paper page with broken front-matter YAML"][1][0]],
                                 project).splitlines()[0]
    for change, _ in everything:
        if change is everything[1][0]:  # a second bad source beside the empty one
            change = put("sources/2025-01-07-hf-papers.txt", listing(
                "Jan 7", ("First paper", ABSTRACT)) + f"Lonely title\n\nSecond paper\n\n{ABSTRACT}\n")
        change(project)
    before = tree(project / "content")
    result = run_digest(project, "generate")
    assert result.returncode == 1
    assert result.stderr == expected_stderr([
        page_lines,
        f"{BAD}: the file is empty; paste a Hugging Face papers page into it",
        "sources/2025-01-06-papers.pdf: " + UNKNOWN.format("files ending in '.pdf'"),
        "sources/2025-01-07-hf-papers.txt:17: " + LONELY.format(where="before the next title"),
        "topics.yml:5: topic 'spiking': invalid regular expression 'spik(ing|e' (missing ), "
        "unterminated subpattern at position 4); fix or remove it"])
    assert tree(project / "content") == before


def test_two_problems_in_one_source_are_both_reported(project):
    change, _ = CASES["title with no abstract in the middle"]
    put(BAD, listing("Jan 6", ("First paper", ABSTRACT)) + "Lonely title\n\n"
        f"Second paper\n\n{ABSTRACT}\n\nLonely title\n")(project)
    result = run_digest(project, "generate")
    assert result.stderr == expected_stderr([
        f"{BAD}:17: " + LONELY.format(where="before the next title"),
        f"{BAD}:23: " + LONELY.format(where="at the end of the file")])


def test_check_reports_bad_input_the_same_way(project):
    CASES["header with no papers"][0](project)
    result = run_digest(project, "check")
    assert result.returncode == 1
    # Less the example site_url's warnings, which tests/test_init.py pins.
    stderr = "".join(line for line in result.stderr.splitlines(keepends=True)
                     if not line.startswith("mkdocs.yml:"))
    assert stderr == expected_stderr(CASES["header with no papers"][1])


def test_debug_adds_the_traceback(project):
    CASES["empty file"][0](project)
    result = run_digest(project, "--debug", "generate")
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.endswith(expected_stderr(CASES["empty file"][1]))


# --- layout variants parse exactly as their clean twin -------------------------------

TWIN_SOURCES = ("2025-03-13-hf-papers.txt", "2025-09-08-hf-papers.txt")  # old and new layouts


def _spaces(text: str, replacement: str, every: int = 5) -> str:
    parts = text.split(" ")
    return "".join(p + (replacement if i % every == 0 else " ")
                   for i, p in enumerate(parts[:-1])) + parts[-1]


VARIANTS: dict[str, Callable[[str], bytes]] = {
    "CRLF line ends": lambda t: t.replace("\n", "\r\n").encode(),
    "CR line ends": lambda t: t.replace("\n", "\r").encode(),
    "UTF-8 BOM": lambda t: codecs.BOM_UTF8 + t.encode(),
    "tabs": lambda t: "\n".join("\t" + _spaces(line, "\t") if line else line
                                for line in t.split("\n")).encode(),
    "trailing spaces": lambda t: t.replace("\n", " \t \n").encode(),
    "runs of blank lines": lambda t: ("\n\n\n" + t.replace("\n\n", "\n\n \n\n\n") + "\n\n\n").encode(),
    "non-breaking spaces": lambda t: _spaces(t, "\u00a0", 3).replace("\n\n", "\n\u00a0\n").encode(),
    "all at once": lambda t: codecs.BOM_UTF8 + _spaces(t, "\u00a0\t", 4).replace(
        "\n\n", " \n\n\n").replace("\n", "\r\n").encode(),
}


@pytest.fixture(scope="module")
def clean_twin(tmp_path_factory) -> dict[str, bytes]:
    root = make_project(tmp_path_factory.mktemp("twin") / "digest",
                        {n: (ROOT / "sources" / n).read_bytes() for n in TWIN_SOURCES})
    result = run_digest(root, "generate")
    assert result.returncode == 0, result.stderr
    return tree(root / "content")


@pytest.mark.parametrize("variant", list(VARIANTS.values()), ids=list(VARIANTS))
def test_layout_variants_generate_the_same_content_as_the_clean_copy(
        tmp_path, clean_twin, variant):
    sources = {n: variant((ROOT / "sources" / n).read_text("utf-8")) for n in TWIN_SOURCES}
    assert all(sources[n] != (ROOT / "sources" / n).read_bytes() for n in TWIN_SOURCES)
    root = make_project(tmp_path / "digest", sources)
    result = run_digest(root, "generate")
    assert result.returncode == 0, result.stderr
    assert tree(root / "content") == clean_twin


# --- fuzz: the readers raise DigestError and nothing else ----------------------------

SAMPLES = {
    "2025-09-08-hf-papers.txt": (ROOT / "sources" / "2025-09-08-hf-papers.txt").read_bytes()[:6000],
    "2026-06-12-hf-daily.json": (ROOT / "tests/fixtures/sotawhat_hf_daily_papers_2026-06-12.json"
                                 ).read_bytes()[:6000],
    "2025-01-06-arxiv.xml": (ROOT / "tests/fixtures/sotawhat_arxiv_transformer.xml"
                             ).read_bytes()[:6000],
}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_or_refuse(name: str, data: bytes, default_year: int | None = None) -> None:
    try:
        read_source(SourceFile(name, data, default_year))
    except DigestError as exc:
        assert exc.problems and all(p.message for p in exc.problems)


@FUZZ
@given(name=st.sampled_from(sorted(SAMPLES)), data=st.binary(max_size=2000),
       year=st.sampled_from([None, 2025]))
def test_fuzz_arbitrary_bytes(name, data, year):
    read_or_refuse(name, data, year)


@st.composite
def mutated(draw) -> tuple[str, bytes]:
    """A sample with a few byte ranges deleted, duplicated or overwritten."""
    name = draw(st.sampled_from(sorted(SAMPLES)))
    data = bytearray(SAMPLES[name])
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        span = draw(st.integers(0, 200))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "cut"]))
        if action == "delete":
            del data[at:at + span]
        elif action == "duplicate":
            data[at:at] = data[at:at + span]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=20)) or b"\n"
        else:
            del data[at:]
    return name, bytes(data)


@FUZZ
@given(sample=mutated())
def test_fuzz_mutated_samples(sample):
    read_or_refuse(*sample)


@FUZZ
@given(text=st.lists(st.sampled_from(
    ["Sep 8", "Feb 29", "Dec 31, 2024", "·", "· Sep 7", "12", "-", "3 authors", "new",
     "Subscribe", "Daily Papers", "A title", ABSTRACT, "", " ", "\t", "\u00a0", "\r"]),
    max_size=30).map("\n".join))
def test_fuzz_page_copy_shapes(text):
    read_or_refuse("2025-09-08-hf-papers.txt", text.encode())
    read_or_refuse("copy.txt", text.encode())


JSON_KEYS = st.sampled_from(["paper", "id", "title", "summary", "authors", "name",
                             "publishedAt", "submittedOnDailyAt", "upvotes", "githubRepo",
                             "organization", "ai_keywords", "x"]) | st.text(max_size=8)


def _containers(inner):
    # A def, not a lambda: Hypothesis reads a multi-line lambda's source unreliably.
    return st.lists(inner, max_size=4) | st.dictionaries(JSON_KEYS, inner, max_size=6)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    _containers, max_leaves=30)


@FUZZ
@given(value=json_values)
def test_fuzz_json_shapes(value):
    read_or_refuse("2026-06-12-hf-daily.json", json.dumps(value).encode())
    read_or_refuse("2026-06-12-hf-daily.json", json.dumps([value]).encode())
    read_or_refuse("2026-06-12-hf-daily.json", json.dumps([{"paper": value}]).encode())
