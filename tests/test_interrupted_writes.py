"""Nothing is lost when a run dies: every file is old or new, and the next run finishes.

``digest generate`` is killed with SIGKILL at random moments while it writes a large
synthetic digest. Every file it leaves must be a complete old or new version (never a
truncated one), and the next run must clean up and produce exactly the new content.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

import synthetic
from conftest import ABSTRACT, ROOT, listing, make_project, python, run_digest, tree

PAPERS, DAYS, OLD_DAYS = 1000, 12, 9
TEMP = re.compile(r"\..+\.[a-z0-9_]{8}\.digest-tmp")  # what the writer's temporary files are called
LOCK = ".digest.lock"  # what a killed run may leave in content/
WATCHED = ("bib", "dates", "feeds", "papers", "topics", ".")


def is_temp(relative: str) -> bool:
    return bool(TEMP.fullmatch(relative.rsplit("/", 1)[-1]))


def watched(content: Path) -> dict[str, int]:
    # A folder's mtime changes as soon as the writer creates a file in it.
    return {d: (content / d).stat().st_mtime_ns for d in WATCHED if (content / d).is_dir()}


def kill_while_writing(root: Path, rng: random.Random) -> None:
    """Start generate, wait until it begins writing, kill it a random moment later."""
    content = root / "content"
    before = watched(content)
    proc = subprocess.Popen(python("-m", "generator", "--root", str(root), "generate"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while proc.poll() is None and watched(content) == before:
        time.sleep(0.001)
    # Writing the 551 changed files takes about 0.3 s; a kill within its first third
    # leaves a mix of old, new and temporary files, and never comes after the end.
    time.sleep(rng.uniform(0, 0.1))
    proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate()
    # A run that finished before the kill would test nothing; the write must be long enough.
    assert proc.returncode == -signal.SIGKILL, f"not killed mid-write (exit {proc.returncode})" \
                                               f"\n{err.decode()}"


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> tuple[Path, dict[str, bytes], dict[str, bytes], dict]:
    """A digest generated from the older days, its content, and the content with every day."""
    sources = synthetic.sources(PAPERS, DAYS, seed=5)
    names = sorted(sources)
    old_sources = {n: sources[n] for n in names[:OLD_DAYS]}
    new_sources = {n: sources[n] for n in names[OLD_DAYS:]}
    base = tmp_path_factory.mktemp("kill")
    root = make_project(base / "old", old_sources)
    assert run_digest(root, "generate").returncode == 0
    new_root = Path(shutil.copytree(root, base / "new"))
    for name, text in new_sources.items():
        (new_root / "sources" / name).write_text(text, "utf-8")
    assert run_digest(new_root, "generate").returncode == 0
    return root, tree(root / "content"), tree(new_root / "content"), new_sources


def test_sigkill_mid_write_leaves_old_or_new_files_and_the_next_run_completes(versions):
    root, old, new, new_sources = versions
    changed = {p for p in new if old.get(p) != new[p]}
    assert len(changed) > 400 and len(new) > PAPERS  # a long write: worth interrupting
    for name, text in new_sources.items():
        (root / "sources" / name).write_text(text, "utf-8")
    rng = random.Random(11)
    pristine = Path(shutil.copytree(root / "content", root.parent / "old-content"))
    for _ in range(3):
        # Each kill interrupts a whole write from the old content, so none finds it done.
        shutil.rmtree(root / "content")
        shutil.copytree(pristine, root / "content")
        kill_while_writing(root, rng)
        left = tree(root / "content")
        for relative, data in left.items():
            if is_temp(relative) or relative == LOCK:
                continue  # a temporary file the next run removes, or the run's lock
            assert relative in old or relative in new, relative
            assert data in (old.get(relative), new.get(relative)), f"{relative} is neither " \
                                                                   "the old nor the new version"
        # A file both versions have is never missing, not even for a moment.
        assert set(old) & set(new) <= set(left)
    result = run_digest(root, "generate")
    assert result.returncode == 0, result.stderr
    assert tree(root / "content") == new


def test_the_next_run_removes_temporary_files_a_killed_run_left(tmp_path):
    root = make_project(tmp_path / "digest", {
        "2025-01-05-hf-papers.txt": listing("Jan 5", ("Spiking codes", ABSTRACT))})
    assert run_digest(root, "generate").returncode == 0
    generated = tree(root / "content")
    left = ["papers/.spiking-codes.md.a1b2c3d4.digest-tmp",
            "dates/.2025-01-05.md.x_9y8z7w.digest-tmp", ".index.md.00000000.digest-tmp"]
    # Not the writer's names: a curator's own files, even ones that look like temp files.
    kept = ["papers/.curator-draft.tmp", "papers/notes.tmp", "papers/.notes.abcdefgh.tmp",
            ".index.md.00000000.tmp"]
    for relative in left + kept:
        (root / "content" / relative).write_bytes(b"half a pa")
    result = run_digest(root, "check")
    assert result.returncode == 1
    for relative in left:
        assert f"content/{relative}: left by an interrupted run; run 'digest generate' to " \
               "remove it" in result.stderr
    assert not any(k in result.stderr for k in kept)
    result = run_digest(root, "generate")
    assert result.returncode == 0, result.stderr
    assert tree(root / "content") == {**generated, **{k: b"half a pa" for k in kept}}
    assert ", 3 removed" in result.stdout


def test_gitignore_ignores_temporary_files_and_the_lock():
    patterns = (ROOT / ".gitignore").read_text("utf-8").split()
    assert "*.digest-tmp" in patterns and ".digest.lock" in patterns


def test_written_files_are_as_readable_as_any_new_file(tmp_path):
    root = make_project(tmp_path / "digest", {
        "2025-01-05-hf-papers.txt": listing("Jan 5", ("Spiking codes", ABSTRACT))})
    result = subprocess.run(
        python("-c", "import os, sys; os.umask(0o022); "
               "from generator.cli import main; sys.exit(main(sys.argv[1:]))",
               "--root", str(root), "generate"), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    modes = {stat.S_IMODE(p.stat().st_mode) for p in (root / "content").rglob("*") if p.is_file()}
    assert modes == {0o644}
    # A page a curator made private stays private when it is rewritten.
    page = root / "content" / "papers" / "spiking-codes.md"
    os.chmod(page, 0o600)
    (root / "sources" / "2025-01-06-hf-papers.txt").write_text(
        listing("Jan 6", ("Spiking codes", ABSTRACT)))
    assert run_digest(root, "generate").returncode == 0
    assert "2025-01-06" in page.read_text()
    assert stat.S_IMODE(page.stat().st_mode) == 0o600


# --- where the writer refuses to write (write.safe_path) -------------------------------
def test_the_writer_never_writes_through_a_link_out_of_content(tmp_path):
    from generator.errors import DigestError
    from generator.write import write_tree

    root, outside = tmp_path / "content", tmp_path / "outside"
    (root / "topics").mkdir(parents=True)
    outside.mkdir()
    (root / "papers").symlink_to(outside)  # a folder that leads out
    (root / "topics" / "x.md").symlink_to(outside / "x.md")  # a file that does
    for relative in ("papers/a.md", "topics/x.md", "../a.md", "topics/../../a.md", "/etc/a"):
        with pytest.raises(DigestError, match="refusing to write outside"):
            write_tree(root, {"index.md": b"ok", relative: b"x"})
    assert list(outside.iterdir()) == []
    report = write_tree(root, {"index.md": b"ok", "topics/y/page/2.md": b"two"})
    assert report.written == ("index.md", "topics/y/page/2.md")
    assert (root / "topics/y/page/2.md").read_bytes() == b"two"
    assert not [p for p in root.rglob("*") if TEMP.fullmatch(p.name)]


@pytest.mark.parametrize("many", [False, True], ids=["a few files", "many files"])
def test_every_file_is_on_the_disk_before_any_is_renamed_into_place(tmp_path, monkeypatch,
                                                                      many):
    # A few files are synced each (a fsync after writing each), many in one sync; either
    # way before the first rename, so a crash leaves old or new files, never empty ones.
    from generator import write

    events: list[str] = []
    real_fsync, real_sync, real_replace = os.fsync, os.sync, os.replace
    monkeypatch.setattr(write.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd)))
    monkeypatch.setattr(write.os, "sync", lambda: (events.append("sync"), real_sync()))
    monkeypatch.setattr(write.os, "replace",
                        lambda a, b: (events.append("replace"), real_replace(a, b)))
    monkeypatch.setattr(write, "SYNC_EACH", 2 if many else 1000)
    files = {f"dates/{n}.md": f"day {n}\n".encode() for n in range(5)}
    report = write.write_tree(tmp_path / "content", files)
    assert sorted(report.written) == sorted(files)
    assert events.count("replace") == 5
    first = events.index("replace")
    if many:
        assert events[:first] == ["sync"]
    else:
        assert events[:first] == ["fsync"] * 5 and "sync" not in events
