"""Per-paper work spread over worker processes gives exactly the serial results."""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from conftest import make_project, tree
from synthetic import write as write_sources
from generator import clean, memo, workers
from generator.errors import DigestError, Problem
from generator.pipeline import generate
from generator.project import Project
from generator.readers import SourceFile, read_source_reporting


def _fork_for_few(monkeypatch) -> None:
    # Four items are enough, on any machine (forking needs no second core); the session's
    # own server threads do not stop it (their locks are never needed by a worker here).
    monkeypatch.setattr(workers, "MIN_ITEMS", 4)
    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.setattr(workers, "_alone", lambda: True)


@pytest.fixture
def forking(monkeypatch):
    _fork_for_few(monkeypatch)


def _double(n: int) -> tuple[int, int]:
    return n * 2, os.getpid()


def _fail(n: int) -> int:
    if n == 7:
        raise DigestError(Problem("topics.yml", 12, "too slow"))
    return n


def test_spread_returns_the_results_in_order_from_other_processes(forking):
    results = workers.spread(_double, list(range(50)))
    assert [n for n, _pid in results] == [n * 2 for n in range(50)]
    assert {pid for _n, pid in results} - {os.getpid()}  # computed in workers


def test_spread_stays_in_this_process_for_a_few_items_or_one_core(monkeypatch):
    assert {pid for _n, pid in workers.spread(_double, [1, 2, 3])} == {os.getpid()}
    monkeypatch.setattr(workers, "MIN_ITEMS", 4)
    monkeypatch.setattr(workers, "cores", lambda: 1)
    assert {pid for _n, pid in workers.spread(_double, list(range(50)))} == {os.getpid()}


def test_spread_does_not_fork_while_other_threads_run(monkeypatch):
    # digest serve regenerates in a timer thread beside its server's threads.
    monkeypatch.setattr(workers, "MIN_ITEMS", 4)
    monkeypatch.setattr(workers, "cores", lambda: 2)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert {pid for _n, pid in workers.spread(_double, list(range(50)))} == {os.getpid()}
    finally:
        stop.set()
        other.join()


def test_an_error_in_a_worker_is_raised_here_with_its_file_and_line(forking):
    with pytest.raises(DigestError) as raised:
        workers.spread(_fail, list(range(20)))
    assert raised.value.problems == (Problem("topics.yml", 12, "too slow"),)


def _generate(root: Path) -> dict[str, bytes]:
    for name in (".digest-cache.json", memo.FILE):
        (root / name).unlink(missing_ok=True)
    shutil.rmtree(root / "content", ignore_errors=True)
    generate(Project.load(root))
    return tree(root / "content")


def _spread_counted(monkeypatch) -> list[int]:
    """Forking for few items from now on; the list of how many items each spread had."""
    used: list[int] = []
    spread = workers.spread
    _fork_for_few(monkeypatch)
    monkeypatch.setattr(workers, "spread", lambda fn, items: used.append(len(items)) or
                        spread(fn, items))
    return used


@pytest.fixture
def root(tmp_path) -> Path:
    """A digest of 120 synthetic papers, nothing generated."""
    folder = make_project(tmp_path / "digest", {})
    write_sources(folder / "sources", 120, 4, 0)
    return folder


def test_a_run_in_workers_writes_what_a_serial_run_writes(root, monkeypatch):
    serial = _generate(root)
    used = _spread_counted(monkeypatch)
    assert _generate(root) == serial
    papers = len([path for path in serial if path.startswith("papers/")])
    listing = re.compile(r"topics/(?!index\.md)[^/]+\.md|topics/[^/]+/page/\d+\.md"
                         r"|dates/\d{4}-\d\d-\d\d\.md")
    listings = [path for path in serial if listing.fullmatch(path)]
    # In the workers, in turn: no page to parse yet, each title's identity (one title a
    # paper here), each paper's tags, each paper's page, every topic and date page.
    assert used == [0, papers, papers, papers, len(listings)]


def test_paper_page_workers_do_not_clean_again_what_tagging_workers_cleaned(root, monkeypatch):
    abstracts = {listing.abstract for source in sorted((root / "sources").iterdir())
                 for listing in read_source_reporting(SourceFile(
                     source.name, source.read_bytes(), 2025))[0]}
    parent = os.getpid()
    used = _spread_counted(monkeypatch)
    segments_of = clean._segments_of

    def watched(text: str):
        # Spreads so far: pages parsed, titles, tags, and now paper pages.
        if os.getpid() != parent and len(used) == 4 and text in abstracts:
            raise AssertionError(f"a page worker cleaned an abstract again: {text[:40]}")
        return segments_of(text)

    monkeypatch.setattr(clean, "_SEGMENTS", {})
    monkeypatch.setattr(clean, "_segments_of", watched)
    for cached in (clean.plain, clean.markdown):  # as in a new process
        cached.cache_clear()
    _generate(root)
    assert len(used) == 5 and len(abstracts) > 100


def _again(root: Path) -> list[str]:
    """generate over the pages in place, without cache or memo: every page is parsed."""
    for name in (".digest-cache.json", memo.FILE):
        (root / name).unlink(missing_ok=True)
    try:
        generate(Project.load(root))
    except DigestError as exc:
        return [str(p) for p in exc.problems]
    return []


def test_pages_parsed_in_workers_give_the_serial_run_and_its_errors(root, monkeypatch):
    _generate(root)
    pages = sorted((root / "content/papers").glob("*.md"))
    for broken in (pages[3], pages[90]):
        broken.write_text(broken.read_text("utf-8").replace("featured: false", "featured: 7"))
    serial = _again(root)
    assert len(serial) == 2 and serial[0].startswith(f"content/papers/{pages[3].name}:")
    used = _spread_counted(monkeypatch)
    assert _again(root) == serial
    assert len(pages) in used  # every page was parsed in the workers
