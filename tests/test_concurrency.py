"""One run writes at a time, and a note saved while a run works is never silently lost.

``generate`` holds a lock from reading to writing, so a second run waits and then reads
what the first wrote. And it replaces a page only while the page still holds the bytes
it read (compare-and-swap): a page a curator saved meanwhile is left as saved and
reported, and the next run picks the edit up.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import synthetic
from conftest import ABSTRACT, listing, make_project, python, run_digest, tree
from generator import write
from generator.cli import main

PAPERS, DAYS, OLD_DAYS, ROUNDS = 1000, 12, 9, 20
NOTE = "\nA note saved while generate ran.\n"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Path, dict[str, bytes], list[str]]:
    """A digest with new days to write and notes on a few pages; what one run makes of it."""
    sources = synthetic.sources(PAPERS, DAYS, seed=7)
    names = sorted(sources)
    base = tmp_path_factory.mktemp("race")
    root = make_project(base / "pristine", {n: sources[n] for n in names[:OLD_DAYS]})
    assert run_digest(root, "generate").returncode == 0
    for name in names[OLD_DAYS:]:
        (root / "sources" / name).write_text(sources[name], "utf-8")
    # Notes on pages the new days rewrite (the first few) and on pages they leave alone.
    noted = sorted(p.relative_to(root).as_posix() for p in (root / "content/papers").glob("*.md"))
    noted = noted[:3] + noted[-3:]
    for relative in noted:
        with open(root / relative, "a", encoding="utf-8") as page:
            page.write(NOTE)
    once = Path(shutil.copytree(root, base / "once"))
    assert run_digest(once, "generate").returncode == 0
    return root, tree(once / "content"), noted


def test_two_runs_started_together_both_finish_and_keep_every_note(prepared, tmp_path):
    pristine, expected, noted = prepared
    for n in range(ROUNDS):
        root = Path(shutil.copytree(pristine, tmp_path / f"round-{n}"))
        command = python("-m", "generator", "--root", str(root), "generate")
        runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) for _ in range(2)]
        results = [(run.wait(), *run.communicate()) for run in runs]
        for status, _, err in results:
            assert status == 0, f"round {n}: exit {status}\n{err}"
        for relative in noted:
            assert (root / relative).read_text("utf-8").endswith(NOTE), f"round {n}: {relative}"
        assert tree(root / "content") == expected, f"round {n}"
        shutil.rmtree(root)


@pytest.fixture
def small(tmp_path) -> Path:
    """A generated digest with a page the next run rewrites (a new day lists it again)."""
    root = make_project(tmp_path / "digest", {
        "2025-01-05-hf-papers.txt": listing("Jan 5", ("Spiking codes", ABSTRACT))})
    assert run_digest(root, "generate").returncode == 0
    (root / "sources" / "2025-01-06-hf-papers.txt").write_text(
        listing("Jan 6", ("Spiking codes", ABSTRACT)), "utf-8")
    return root


def test_a_note_saved_just_before_the_page_is_replaced_is_kept_and_reported(
        small, monkeypatch, capsys):
    page = small / "content/papers/spiking-codes.md"
    saved = page.read_text("utf-8") + NOTE

    def curator_saves(path: Path) -> None:
        if path.name == page.name:
            path.write_text(saved, "utf-8")

    monkeypatch.setattr(write, "BEFORE_REPLACE", curator_saves)
    assert main(["--root", str(small), "generate"]) == 1
    err = capsys.readouterr().err
    assert "content/papers/spiking-codes.md: changed while generate ran; left as you saved " \
           "it; run 'digest generate' again" in err
    assert page.read_text("utf-8") == saved  # as the curator saved it
    assert (small / "content/dates/2025-01-06.md").is_file()  # the rest was written
    assert not list(small.rglob("*.tmp")) and not list(small.rglob("*.digest-tmp"))

    monkeypatch.setattr(write, "BEFORE_REPLACE", None)
    assert main(["--root", str(small), "generate"]) == 0
    text = page.read_text("utf-8")
    assert text.endswith(NOTE) and "2025-01-06" in text  # the next run picks the edit up
    assert run_digest(small, "check").returncode == 0


def test_a_run_that_cannot_get_the_lock_says_so_and_writes_nothing(small, monkeypatch, capsys):
    before = tree(small / "content")
    monkeypatch.setattr(write, "LOCK_WAIT", 0)
    with write.locked(small / "content"):
        assert main(["--root", str(small), "generate"]) == 1
    err = capsys.readouterr().err
    assert "content: another digest run is writing content/; wait for it and run again" in err
    assert tree(small / "content") == before
    assert main(["--root", str(small), "generate"]) == 0
    assert not (small / "content" / write.LOCK).exists()  # only there while a run writes
