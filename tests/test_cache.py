"""A generate with nothing to do looks, finds nothing changed, and writes nothing; any change
to what it reads (a curator's edit even with its old time, a source, the vocabulary, a
generated file touched or deleted, a broken cache) brings a full run, byte-identical to a
cold one."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import ABSTRACT, listing, make_project, run_digest, tree

SOURCES = {
    "2025-03-11-hf-papers.txt": listing("Mar 11", ("Spiking codes for robots", ABSTRACT),
                                        ("Sparse spiking vision", ABSTRACT)),
    "2025-03-12-hf-papers.txt": listing("Mar 12", ("Spiking codes for robots", ABSTRACT)),
}
PAGE = "content/papers/spiking-codes-for-robots.md"


def stamps(root: Path) -> dict[str, tuple[int, int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size)
            for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def digest(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "digest", SOURCES)
    first = run_digest(root, "generate")
    assert first.returncode == 0, first.stderr
    assert (root / ".digest-cache.json").is_file()
    return root


def cold(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """content/ as a run without any cache writes it from the same inputs."""
    copy = tmp_path / "cold"
    shutil.copytree(root, copy)
    (copy / ".digest-cache.json").unlink(missing_ok=True)
    (copy / ".digest-cache.pickle").unlink(missing_ok=True)  # the memo too (memo.py)
    shutil.rmtree(copy / "content")
    (copy / "content").mkdir()
    shutil.copytree(root / "content" / "papers", copy / "content" / "papers")
    assert run_digest(copy, "generate").returncode == 0
    return tree(copy / "content")


def test_nothing_to_do_writes_nothing_not_even_the_cache(digest):
    before = stamps(digest)
    again = run_digest(digest, "generate")
    assert again.returncode == 0
    assert again.stdout.startswith("generate: 3 listings read from 2 files, 2 distinct papers, "
                                   "1 duplicate merged, 0 files written,")
    assert stamps(digest) == before


def test_a_curator_edit_is_seen_even_with_its_old_time_and_size(digest, tmp_path):
    page = digest / PAGE
    st = page.stat()
    text = page.read_text("utf-8")
    assert "featured: false" in text
    page.write_text(text.replace("featured: false", "featured: tru3"), "utf-8")
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same time
    result = run_digest(digest, "generate")
    assert result.returncode == 1  # read, not recalled: the bad value is reported
    assert "'featured' must be true or false" in result.stderr


def test_a_new_source_or_vocabulary_change_is_a_full_run(digest, tmp_path):
    (digest / "sources" / "2025-03-13-hf-papers.txt").write_text(
        listing("Mar 13", ("Event cameras and spikes", ABSTRACT)), "utf-8")
    result = run_digest(digest, "generate")
    assert "3 distinct papers" in result.stdout and "0 files written" not in result.stdout
    assert tree(digest / "content") == cold(digest, tmp_path)
    vocab = digest / "topics.yml"
    vocab.write_text(vocab.read_text("utf-8").replace("Spiking neural networks",
                                                      "Spiking networks", 1), "utf-8")
    assert "0 files written" not in run_digest(digest, "generate").stdout


@pytest.mark.parametrize("damage", ["delete a generated file", "edit a generated file",
                                    "corrupt the cache", "delete the cache"])
def test_damage_brings_a_full_run_with_the_cold_output(digest, tmp_path, damage):
    index = digest / "content" / "index.md"
    if damage == "delete a generated file":
        index.unlink()
    elif damage == "edit a generated file":
        index.write_text(index.read_text("utf-8") + "stray\n", "utf-8")
    elif damage == "corrupt the cache":
        (digest / ".digest-cache.json").write_bytes(b"\x80{not json")
    else:
        (digest / ".digest-cache.json").unlink()
    result = run_digest(digest, "generate")
    assert result.returncode == 0, result.stderr
    assert tree(digest / "content") == cold(digest, tmp_path)
    before = stamps(digest)
    assert run_digest(digest, "generate").returncode == 0
    assert stamps(digest) == before  # and the cache holds again


def test_a_source_saved_while_generate_writes_is_read_by_the_next_run(digest, monkeypatch):
    # The cache must describe what the run read, not what the disk holds once it is done:
    # else a listing added mid-run is taken as done and its papers never get pages.
    from generator import write
    from generator.cli import main

    (digest / "sources/2025-03-13-hf-papers.txt").write_text(
        listing("Mar 13", ("Spiking codes for robots", ABSTRACT)), "utf-8")
    late = digest / "sources/2025-03-14-hf-papers.txt"

    def curator_adds_a_day(path: Path) -> None:
        if not late.exists():
            late.write_text(listing("Mar 14", ("Dendritic gates", ABSTRACT)), "utf-8")

    monkeypatch.setattr(write, "BEFORE_REPLACE", curator_adds_a_day)
    assert main(["--root", str(digest), "generate"]) == 0
    monkeypatch.setattr(write, "BEFORE_REPLACE", None)
    assert not (digest / "content/papers/dendritic-gates.md").exists()
    assert main(["--root", str(digest), "generate"]) == 0
    assert (digest / "content/papers/dendritic-gates.md").is_file()
    assert ", 0 files written," in run_digest(digest, "generate").stdout


def test_after_a_run_that_writes_the_cache_holds_content_as_a_fresh_look_finds_it(digest):
    # A run that wrote records content/ from what it knew and what it wrote (not a second
    # walk): a new day brings new pages in new folders, and stale files go.
    import json

    from generator import cache
    from generator.project import Project

    (digest / "sources/2025-03-13-hf-papers.txt").write_text(
        listing("Mar 13", ("Tide tables of a small harbour", "We tabulate the tides.")), "utf-8")
    (digest / "sources/2025-03-12-hf-papers.txt").unlink()  # its date page goes
    shutil.rmtree(digest / "content/dates")  # a folder the run makes again
    result = run_digest(digest, "generate")
    assert result.returncode == 0, result.stderr
    saved = json.loads((digest / ".digest-cache.json").read_bytes())["outputs"]
    fresh = cache.state(Project.load(digest)).outputs
    assert "dates/2025-03-13.md" in fresh and "dates/2025-03-12.md" not in fresh
    assert {path: tuple(value) for path, value in saved.items()} == fresh
    before = stamps(digest)
    assert "0 files written" in run_digest(digest, "generate").stdout
    assert stamps(digest) == before


# A page is trusted by its look (cache.py): not read again while its inode, size and times
# are the ones recorded where it had settled.

LABEL = "papers/spiking-codes-for-robots.md"


def trusted(root: Path) -> frozenset[str]:
    from generator import cache
    from generator.project import Project

    project = Project.load(root)
    return cache.state(project, None, cache.saved(project)).unread


def settle(root: Path) -> None:
    """Past a tick of the file system's clock, a run that reads every page: it records
    their looks, and the next run reads none of them."""
    time.sleep(0.05)
    (root / "sources/2025-03-13-hf-papers.txt").write_text(
        listing("Mar 13", ("Tide tables of a small harbour", "We tabulate the tides.")), "utf-8")
    assert run_digest(root, "generate").returncode == 0
    assert LABEL in trusted(root) and "sources/2025-03-11-hf-papers.txt" in trusted(root)


def test_a_trusted_page_edited_with_its_old_time_and_size_is_read_again(digest):
    settle(digest)
    page = digest / PAGE
    st = page.stat()
    page.write_text(page.read_text("utf-8").replace("featured: false", "featured: fa1se"),
                    "utf-8")
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))  # same inode, size and time
    assert (st.st_ino, st.st_size) == (page.stat().st_ino, page.stat().st_size)
    assert LABEL not in trusted(digest)  # its change time moved
    result = run_digest(digest, "generate")
    assert result.returncode == 1
    assert "'featured' must be true or false" in result.stderr


def test_a_page_not_read_is_replaced_as_a_run_that_reads_it_would(digest, tmp_path):
    settle(digest)
    (digest / "sources/2025-03-14-hf-papers.txt").write_text(
        listing("Mar 14", ("Spiking codes for robots", ABSTRACT)), "utf-8")  # listed again
    assert LABEL in trusted(digest)
    result = run_digest(digest, "generate")
    assert result.returncode == 0, result.stderr
    assert "2025-03-14" in (digest / PAGE).read_text("utf-8")
    assert tree(digest / "content") == cold(digest, tmp_path)


def test_a_page_saved_after_the_look_is_not_replaced_from_what_it_held(digest, tmp_path,
                                                                       monkeypatch):
    from generator import cache
    from generator.pipeline import generate
    from generator.project import Project

    settle(digest)
    (digest / "sources/2025-03-14-hf-papers.txt").write_text(
        listing("Mar 14", ("Spiking codes for robots", ABSTRACT)), "utf-8")
    looked = cache.state

    def then_saved(*args, **kwargs):
        found = looked(*args, **kwargs)
        assert LABEL in found.unread
        page = digest / PAGE
        page.write_text(page.read_text("utf-8").replace("featured: false", "featured: true"),
                        "utf-8")
        return found

    monkeypatch.setattr(cache, "state", then_saved)
    generate(Project.load(digest))
    monkeypatch.setattr(cache, "state", looked)
    text = (digest / PAGE).read_text("utf-8")
    assert "featured: true" in text and "2025-03-14" in text  # planned from what it holds
    assert tree(digest / "content") == cold(digest, tmp_path)


def test_a_page_written_is_trusted_only_while_it_is_the_file_staged(tmp_path):
    from generator import cache, write
    from generator.project import Project

    root = make_project(tmp_path / "d", SOURCES)
    project = Project.load(root)
    files = {"papers/x.md": b"one\n"}
    report = write.write_tree(project.content, files)
    later = (os.stat(project.content).st_dev, 2**62)  # a clock past every change
    empty = cache.State({}, {})

    def looked(now=later) -> dict:
        return cache.after_writing(project, empty, files, report.written, (), report.staged,
                                   now).looks

    assert "papers/x.md" in looked()
    assert looked(now=(later[0], 0)) == {}  # changed since the clock was read: not settled
    assert looked(now=None) == {}
    other = project.content / "papers/.other"
    other.write_bytes(b"one\n")
    os.replace(other, project.content / "papers/x.md")  # the same bytes, another file
    assert looked() == {}


@pytest.mark.parametrize("damage", [["x", "1", 2, 3, 4], [1, 2], "x", None, [None, 1, 2, 3, 4]])
def test_a_look_of_another_shape_in_the_cache_has_its_file_read(digest, damage):
    import json

    settle(digest)
    saved = json.loads((digest / ".digest-cache.json").read_bytes())
    saved["looks"][LABEL] = damage
    (digest / ".digest-cache.json").write_text(json.dumps(saved), "utf-8")
    assert LABEL not in trusted(digest) and "sources/2025-03-11-hf-papers.txt" in trusted(digest)


def test_a_generated_page_edited_with_its_old_time_and_size_is_written_again(digest, tmp_path):
    from generator import cache
    from generator.project import Project

    def known(root: Path) -> dict:
        project = Project.load(root)
        return cache.state(project, None, cache.saved(project)).generated

    settle(digest)
    dated = "dates/2025-03-11.md"
    assert dated in known(digest)  # its digest is not taken again
    page = digest / "content" / dated
    st = page.stat()
    text = page.read_text("utf-8")
    assert "Sparse spiking vision" in text
    page.write_text(text.replace("Sparse spiking vision", "Sparse spiking visiom"), "utf-8")
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))  # same inode, size and time
    assert dated not in known(digest)
    (digest / "sources/2025-03-14-hf-papers.txt").write_text(
        listing("Mar 14", ("Harbour tide gauges", "We read the gauges.")), "utf-8")
    assert run_digest(digest, "generate").returncode == 0
    assert "Sparse spiking vision" in page.read_text("utf-8")
    assert tree(digest / "content") == cold(digest, tmp_path)
