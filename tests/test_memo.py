"""The memo (generator/memo.py): a run with a little to do reuses what the last run worked
out, and still writes byte for byte what a run without it writes; a curator's edit is
never hidden by it; a damaged or hostile memo is passed over without running anything."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
from pathlib import Path

import pytest

from conftest import ABSTRACT, listing, make_project, run_digest, tree
from generator import memo
from generator.curate import CuratedPage
from generator.errors import DigestError
from generator.pipeline import HAND_EDIT, generate
from generator.project import Project

SOURCES = {
    "2025-03-11-hf-papers.txt": listing("Mar 11", ("Spiking codes for robots", ABSTRACT),
                                        ("Sparse spiking vision", ABSTRACT),
                                        ("Dendritic computation in spiking nets", ABSTRACT)),
    "2025-03-12-hf-papers.txt": listing("Mar 12", ("Spiking codes for robots", ABSTRACT),
                                        ("Event cameras meet spikes", ABSTRACT)),
}
PAGE = "content/papers/sparse-spiking-vision.md"


def cold(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """content/ as a run with no cache and no memo writes it, from the same inputs."""
    copy = tmp_path / "cold"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy)
    for name in (".digest-cache.json", memo.FILE):
        (copy / name).unlink(missing_ok=True)
    shutil.rmtree(copy / "content")
    shutil.copytree(root / "content" / "papers", copy / "content" / "papers")
    assert run_digest(copy, "generate").returncode == 0
    return tree(copy / "content")


def run(root: Path):
    """generate in this process, past the no-op shortcut, so its plan can be looked at."""
    (root / ".digest-cache.json").unlink(missing_ok=True)
    return generate(Project.load(root))


@pytest.fixture
def digest(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "digest", SOURCES)
    assert run_digest(root, "generate").returncode == 0
    assert (root / memo.FILE).is_file()
    return root


def test_a_second_run_reuses_every_paper_topic_and_date_page_and_writes_nothing(digest):
    before = tree(digest / "content")
    run(digest)  # past the no-op shortcut: the memo is used
    assert tree(digest / "content") == before  # a page reused is a page kept
    the_plan, report = run(digest)
    assert tree(digest / "content") == before and report.removed == ()
    papers = {f"papers/{p.name}" for p in (digest / "content/papers").iterdir()}
    listings = {"dates/2025-03-11.md", "dates/2025-03-12.md", "topics/spiking-networks.md"}
    assert papers | listings <= the_plan.reused
    assert not (papers | listings) & the_plan.files.keys()
    assert report.written == () and "papers/sparse-spiking-vision.md" in report.unchanged


@pytest.mark.parametrize("change", ["a new day", "a curator's tags and notes",
                                    "a vocabulary change", "a listing again"])
def test_with_the_memo_a_run_writes_what_a_run_without_it_writes(digest, tmp_path, change):
    run(digest)
    if change == "a new day":
        # On no topic of the others, so their related papers stay as they were.
        (digest / "sources/2025-03-13-hf-papers.txt").write_text(listing(
            "Mar 13", ("Tide tables of a small harbour", "We tabulate the tides.")), "utf-8")
    elif change == "a curator's tags and notes":
        page = digest / PAGE
        text = page.read_text("utf-8").replace("featured: false", "featured: true")
        page.write_text(text + "A note of the curator's.\n", "utf-8")
    elif change == "a vocabulary change":
        vocab = digest / "topics.yml"
        vocab.write_text(vocab.read_text("utf-8").replace("Spiking neural networks",
                                                          "Spiking networks", 1), "utf-8")
    else:
        (digest / "sources/2025-03-13-hf-papers.txt").write_text(
            listing("Mar 13", ("Sparse spiking vision", ABSTRACT)), "utf-8")
    the_plan, report = run(digest)
    assert report.written  # something changed, and it was written
    assert tree(digest / "content") == cold(digest, tmp_path)
    if change != "a vocabulary change":  # which changes every paper page's topics
        assert the_plan.reused  # and the rest was not rendered again


def test_a_hand_edit_above_the_notes_is_refused_whatever_the_memo_knows(digest):
    run(digest)
    page = digest / PAGE
    text = page.read_text("utf-8")
    page.write_text(text.replace("\n## Abstract\n", "\nMy summary.\n## Abstract\n", 1), "utf-8")
    result = run_digest(digest, "generate")
    assert result.returncode == 1
    assert HAND_EDIT in result.stderr and PAGE in result.stderr
    assert page.read_text("utf-8") != text  # left as the curator wrote it


def test_an_edit_back_to_what_was_written_is_seen(digest, tmp_path):
    # The memo keys on bytes: a page edited and then restored is the page it was.
    run(digest)
    page = digest / PAGE
    text = page.read_text("utf-8")
    page.write_text(text.replace("featured: false", "featured: true"), "utf-8")
    assert run_digest(digest, "generate").returncode == 0
    assert "★ Featured" in (digest / "content/dates/2025-03-11.md").read_text("utf-8")
    page.write_text(text, "utf-8")
    assert run_digest(digest, "generate").returncode == 0
    assert "★ Featured" not in (digest / "content/dates/2025-03-11.md").read_text("utf-8")
    assert tree(digest / "content") == cold(digest, tmp_path)


class Hostile:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


@pytest.mark.parametrize("damage", [b"", b"\x80\x05not a pickle", "hostile", "foreign code"])
def test_a_damaged_or_hostile_memo_is_passed_over(digest, tmp_path, damage):
    path = digest / memo.FILE
    if damage == "hostile":
        damage = pickle.dumps(Hostile())
    elif damage == "foreign code":
        damage = memo.dumps(memo.Memo("another code", tags={b"k": ("made-up-topic",)}))
    path.write_bytes(damage)
    (digest / ".digest-cache.json").unlink()  # past the no-op shortcut, to the memo
    result = run_digest(digest, "generate")
    assert result.returncode == 0, result.stderr
    assert not (digest / "pwned").exists() and not Path("pwned").exists()
    assert tree(digest / "content") == cold(digest, tmp_path)
    assert path.read_bytes() != damage  # the run saved its own


def test_the_memo_reads_back_what_was_saved_and_only_for_the_same_code():
    page = CuratedPage(path="content/papers/x.md", key="arxiv:2501.00001", arxiv_id="2501.00001",
                       title="X", tags=("a",), rule_tags=("a",), curator_added=(),
                       curator_removed=(), written=None, featured=False, hidden=False,
                       notes="\n", listed=(dt.date(2025, 1, 2),), tags_line=7, text="",
                       resolve=False)
    saved = memo.Memo("code", pages={"k": page}, tags={b"t": ("a",)}, outputs={b"p": b"d"})
    assert memo.read(memo.dumps(saved), "code") == memo.Stored(
        saved, len(memo.dumps(saved)), len(memo.dumps(saved)), whole=True)
    assert memo.read(memo.dumps(saved), "other").memo == memo.Memo("other")
    # What a run adds is appended, if the file stays three quarters what was written whole.
    big = memo.Memo("code", pages={"k": page}, titles={str(n): "x" for n in range(100)})
    more = memo.Memo("code", pages={"k": page}, titles={"new": "y"}, tags={b"u": ("b",)})
    appended, segment = memo.save(memo.read(memo.dumps(big), "code"), more)
    assert appended and segment == memo.dumps(memo.Memo("code", titles={"new": "y"},
                                                        tags={b"u": ("b",)}))
    both = memo.read(memo.dumps(big) + segment, "code").memo
    assert both == memo.Memo("code", pages={"k": page}, titles={**big.titles, "new": "y"},
                             tags={b"u": ("b",)})
    assert memo.save(memo.read(memo.dumps(big) + segment, "code"), more) is None
    assert memo.save(memo.read(memo.dumps(saved), "code"), more) == (False, memo.dumps(more))


def test_a_new_day_makes_no_bibtex_entry_it_made_before(digest, tmp_path, monkeypatch):
    # Every topic's bibliography is written again each run; the memo keeps each paper's
    # entry, so a new day makes the new paper's only (for its own page: on no topic of
    # the others, it changes no other paper page).
    from generator import bibtex

    run(digest)
    (digest / "sources/2025-03-13-hf-papers.txt").write_text(listing(
        "Mar 13", ("Tide tables of a small harbour", "We tabulate the tides.")), "utf-8")
    made = []
    entry = bibtex.entry
    monkeypatch.setattr(bibtex, "entry", lambda paper, *args: made.append(paper.title) or
                        entry(paper, *args))
    run(digest)
    bib = (digest / "content/bib/spiking-networks.bib").read_text("utf-8")
    assert "{Sparse spiking vision}" in bib and "{Spiking codes for robots}" in bib
    assert made == ["Tide tables of a small harbour"]
    monkeypatch.setattr(bibtex, "entry", entry)
    assert tree(digest / "content") == cold(digest, tmp_path)


def new_day(root: Path, day: int) -> None:
    (root / f"sources/2025-03-{day}-hf-papers.txt").write_text(listing(
        f"Mar {day}", (f"Spiking tides number {day}", ABSTRACT)), "utf-8")


def test_a_run_appends_only_what_it_added_to_the_memo(digest, tmp_path, monkeypatch):
    monkeypatch.setattr(memo, "APPENDED", 1)  # a new day is much of a memo this small
    path = digest / memo.FILE
    run(digest)
    before = path.read_bytes()
    run(digest)
    assert path.read_bytes() == before  # nothing new: nothing written
    new_day(digest, 13)
    run(digest)
    after = path.read_bytes()
    assert after.startswith(before) and len(after) > len(before)
    stored = memo.read(after, _code(digest))
    assert stored.whole and stored.first == len(before)
    assert tree(digest / "content") == cold(digest, tmp_path)


def _code(root: Path) -> str:
    from generator import cache
    return cache.known(Project.load(root), cache.state(Project.load(root))).memo.code


def test_the_memo_is_rewritten_whole_before_what_is_appended_passes_its_share(
        digest, monkeypatch):
    monkeypatch.setattr(memo, "APPENDED", 2)  # a day is a fifth of a memo this small
    path = digest / memo.FILE
    code = _code(digest)
    run(digest)
    ways = []
    for day in range(13, 25):
        first = memo.read(path.read_bytes(), code).first
        new_day(digest, day)
        run(digest)
        stored = memo.read(path.read_bytes(), code)
        assert stored.whole and (stored.size - stored.first) * memo.APPENDED <= stored.size
        ways.append("appended" if stored.first == first else "whole")
    assert "appended" in ways and "whole" in ways


@pytest.mark.parametrize("damage", ["cut short", "noise"])
def test_a_memo_with_a_damaged_end_is_read_to_there_and_then_written_whole(
        digest, tmp_path, damage, monkeypatch):
    monkeypatch.setattr(memo, "APPENDED", 1)
    path = digest / memo.FILE
    code = _code(digest)
    run(digest)
    new_day(digest, 13)
    run(digest)
    data = path.read_bytes()
    first = memo.read(data, code).first
    assert first < len(data)  # the new day was appended
    path.write_bytes(data[:-7] if damage == "cut short" else data + b"\x05\x00noise")
    assert memo.read(path.read_bytes(), code).memo == memo.read(data[:first], code).memo \
        if damage == "cut short" else memo.read(data, code).memo
    new_day(digest, 14)
    run(digest)
    stored = memo.read(path.read_bytes(), code)
    assert stored.whole and stored.first == stored.size  # rewritten whole
    assert tree(digest / "content") == cold(digest, tmp_path)


def test_the_memo_is_git_ignored():
    ignored = (Path(__file__).parent.parent / ".gitignore").read_text("utf-8").splitlines()
    assert memo.FILE in ignored


def test_a_new_day_renders_no_archive_page_it_leaves_as_it_was(tmp_path):
    from test_pagination import DAYS, small

    root = small(tmp_path, size=2)  # 12 papers on one topic: archive pages 1 to 5
    assert run_digest(root, "generate").returncode == 0
    run(root)
    (root / "sources" / "2025-04-11-hf-papers.txt").write_text(listing(
        "Apr 11", ("Spiking Paper 411", ABSTRACT), ("Spiking Paper 412", ABSTRACT)), "utf-8")
    the_plan, _ = run(root)
    # Page 1 is as it was (page 2's pager showed page 5, the one page between its own
    # links and the newest, and now shows a gap there: it is rendered again).
    pages = {"topics/spiking-networks/page/1.md"}
    assert pages <= the_plan.reused  # neither rendered nor written
    assert "topics/spiking-networks.md" in the_plan.files  # the first page was
    assert len(DAYS) == 6


# Titles a YAML dump must quote or escape, each of which must read back as it was.
ODD_TITLES = {
    "2025-03-14-hf-papers.txt": listing(
        "Mar 14", ("True", ABSTRACT), ("2025-01-02", ABSTRACT),
        ("Spiking nets: a survey # with a hash", ABSTRACT),
        ("'Quoted' \"spiking\" nets, 😀 and \u00e9", ABSTRACT), ("- Dash first", ABSTRACT)),
}


def test_every_page_a_run_writes_is_known_as_reading_it_gives(tmp_path):
    # The day after a cold run reads no page's YAML: the memo holds, for each page a run
    # writes, what parse_page gives for those bytes (curate.written_page). It must be
    # exactly that, curated pages and odd titles included.
    from generator.curate import parse_page

    root = make_project(tmp_path / "digest", {**SOURCES, **ODD_TITLES}, bundled=True)

    def assert_known(the_plan):
        papers = sorted((root / "content/papers").iterdir())
        assert len(papers) > 20
        for path in papers:
            shown = f"content/papers/{path.name}"
            data = path.read_bytes()
            known = the_plan.memo.pages.get(f"{shown}\0{memo.digest(data).hex()}")
            assert known is not None, shown
            assert known == parse_page(data.decode("utf-8"), shown).with_text(""), shown

    assert_known(run(root)[0])  # cold: every page written, none read
    page = root / PAGE
    text = page.read_text("utf-8")
    text = text.replace("featured: false", "featured: true").replace(
        "tags:\n- spiking-networks\n", "tags:\n- spiking-networks\n- robotics-control\n", 1)
    text = text.replace("hidden: false", "hidden: true\nnot_same_as: [event-cameras-meet-spikes]"
                        "\nresolve: false")
    page.write_text(text + "same_as: not a key here\r\n```\n## Notes\n```\nMine.\n", "utf-8")
    assert "robotics-control" in text and "not_same_as" in text
    the_plan, _report = run(root)
    assert "curator_added:\n- robotics-control" in page.read_text("utf-8")
    assert_known(the_plan)


def test_a_run_leaves_the_garbage_collector_as_it_found_it(digest):
    # generate pauses cyclic collection while it works (pipeline._uncollected); a program
    # that calls it as a library gets its collector back as it was, even after a failure.
    import gc

    assert gc.isenabled()
    run(digest)
    assert gc.isenabled()
    (digest / "topics.yml").write_text("topics: [", "utf-8")
    with pytest.raises(DigestError):
        run(digest)
    assert gc.isenabled()
    gc.disable()
    try:
        (digest / "topics.yml").write_text((Path(__file__).parent.parent / "topics.yml")
                                           .read_text("utf-8"), "utf-8")
        run(digest)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_source_read_before_is_recalled_with_the_lines_it_read_past(digest, monkeypatch):
    from generator import pipeline

    text = "\n\n".join(["Mar 13", "Tide tables of a small harbour", ABSTRACT, "12",
                        "3 authors", "· Mar 12", "Read the full paper →",
                        "Sparse spiking vision", ABSTRACT, "4", "Lab", "· Mar 9"]) + "\n"
    (digest / "sources/2025-03-13-hf-papers.txt").write_text(text, "utf-8")
    first, _ = run(digest)
    assert [(w.path, w.line) for w in first.warnings] == \
        [("sources/2025-03-13-hf-papers.txt", 13)]
    monkeypatch.setattr(pipeline, "read_source_reporting", lambda source: pytest.fail(
        f"{source.name} was read again"))
    again, _ = run(digest)  # every source as the memo knows it: none is read
    assert again.warnings == first.warnings and again.stats == first.stats
    assert again.entries == first.entries
    monkeypatch.undo()
    (digest / "sources/2025-03-13-hf-papers.txt").write_text(text.replace("Tide", "Ebb"), "utf-8")
    assert any(e.paper.title.startswith("Ebb") for e in run(digest)[0].entries)


def test_a_new_day_makes_no_teaser_it_made_before(digest, monkeypatch):
    # Cards show a teaser cleaned from the abstract; the memo keeps each, so the cards a
    # new day re-renders (a topic's first page here) make teasers of new papers only.
    from generator import model

    run(digest)
    (digest / "sources/2025-03-13-hf-papers.txt").write_text(listing(
        "Mar 13", ("Spiking tide tables", "We tabulate tides with spiking neurons. " * 3)),
        "utf-8")
    made = []
    teaser = model.teaser
    monkeypatch.setattr(model, "teaser", lambda paper: made.append(paper.title) or
                        teaser(paper))
    run(digest)
    topic = (digest / "content/topics/spiking-networks.md").read_text("utf-8")
    assert "Spiking tide tables" in topic and "Sparse spiking vision" in topic
    assert "We study how spiking neural networks learn sparse codes" in topic
    assert made == []  # the new paper's came from tagging, the others' from the memo
