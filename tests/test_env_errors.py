"""What is around the digest: editors' files, odd entries, and a system that refuses writes.

Editors leave lock, swap and backup files next to pages; they are skipped. An entry that
looks like a page but is not a file is named with what to do. A read-only folder, a full
disk or a missing permission is one line naming the path, exit 1, never "internal error".
The tests run as root, where permissions do not bite, so the refusal is injected where the
writer meets the system.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from conftest import ABSTRACT, listing, make_project, run_digest, tree
from generator import write
from generator.cli import main

PAGE = "content/papers/spiking-codes.md"


@pytest.fixture
def small(tmp_path) -> Path:
    root = make_project(tmp_path / "digest", {
        "2025-01-05-hf-papers.txt": listing("Jan 5", ("Spiking codes", ABSTRACT))})
    assert run_digest(root, "generate").returncode == 0
    return root


def test_editor_lock_swap_backup_and_dotfiles_are_not_pages(small):
    papers = small / "content/papers"
    os.symlink("root@host.4242:1700000000", papers / ".#spiking-codes.md")  # Emacs: dangling
    (papers / ".spiking-codes.md.swp").write_bytes(b"\x00vim swap")
    (papers / "spiking-codes.md~").write_text("a backup, not a page", "utf-8")
    (papers / ".draft.md").write_text("a curator's draft, no front-matter", "utf-8")
    before = tree(small / "content")
    for command in ("check", "generate", "check"):
        result = run_digest(small, command)
        assert result.returncode == 0, f"{command}: {result.stderr}"
    assert tree(small / "content") == before
    assert os.path.islink(papers / ".#spiking-codes.md")


@pytest.mark.parametrize("make, message", [
    (lambda p: p.mkdir(), "is a folder, not a page; move it out of the papers folder"),
    (lambda p: os.symlink("gone.md", p),
     "is a symbolic link to nothing; remove it (a page is a regular file)"),
    (lambda p: os.mkfifo(p), "is not a regular file; remove it (a page is a regular file)"),
], ids=["folder", "dangling-symlink", "fifo"])
def test_an_entry_named_like_a_page_that_is_not_a_file_is_reported(small, make, message):
    make(small / "content/papers/x.md")
    for command in ("generate", "check"):
        result = run_digest(small, command)
        assert result.returncode == 1, result.stderr
        assert f"content/papers/x.md: {message}" in result.stderr
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr


def refuse(code: int):
    """A writer hook: the system refuses every replace inside content/ with this errno."""
    def hook(path: Path) -> None:
        if "content" in path.parts:
            raise OSError(code, os.strerror(code))
    return hook


@pytest.mark.parametrize("code, message", [
    (errno.EROFS, "cannot write (read-only file system); make the folder writable and run again"),
    (errno.ENOSPC, "cannot write (no space left on the disk); free some space and run again"),
    (errno.EACCES, "cannot write (permission denied); make the folder writable and run again"),
    (errno.EPERM, "cannot write (permission denied); make the folder writable and run again"),
], ids=["EROFS", "ENOSPC", "EACCES", "EPERM"])
def test_a_refused_write_is_one_line_naming_the_path(small, monkeypatch, capsys, code, message):
    (small / "sources/2025-01-06-hf-papers.txt").write_text(
        listing("Jan 6", ("Spiking codes", ABSTRACT)), "utf-8")
    monkeypatch.setattr(write, "BEFORE_REPLACE", refuse(code))
    assert main(["--root", str(small), "generate"]) == 1
    err = capsys.readouterr().err
    first, *_ = err.splitlines()
    assert first.startswith("content/") and first.endswith(f".md: {message}"), err
    assert (small / first.split(":")[0]).is_file()  # names the file it could not write
    assert "internal error" not in err and "Traceback" not in err
    assert not [p for p in (small / "content").rglob("*") if p.name.endswith("digest-tmp")]


def test_add_is_all_or_nothing_when_content_cannot_be_written(small, monkeypatch, capsys):
    new = small.parent / "2025-01-06-hf-papers.txt"
    new.write_text(listing("Jan 6", ("Spiking codes", ABSTRACT)), "utf-8")
    before = tree(small)
    monkeypatch.setattr(write, "BEFORE_REPLACE", refuse(errno.EROFS))
    assert main(["--root", str(small), "add", str(new)]) == 1
    err = capsys.readouterr().err
    assert "cannot write (read-only file system)" in err and "internal error" not in err
    assert tree(small) == before  # the new source is not left in sources/
