"""The digest's git history: old versions of paper pages, read with the git command."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .errors import DigestError

DEFAULT_BASES = ("origin/main", "HEAD")


def _git(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True)
    except FileNotFoundError:
        raise DigestError.at(root, None, "git is not installed; install it to compare with "
                                         "a revision") from None


def _require_repository(root: Path) -> None:
    if _git(root, "rev-parse", "--git-dir").returncode:
        raise DigestError.at(root, None, "not a git repository; 'digest diff' compares with a "
                                         "git revision, so run it in a clone of the digest")


def _is_commit(root: Path, revision: str) -> bool:
    return _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").returncode == 0


def default_base(root: Path) -> str:
    """``origin/main`` when the clone has it, otherwise ``HEAD``."""
    _require_repository(root)
    for base in DEFAULT_BASES:
        if _is_commit(root, base):
            return base
    raise DigestError.at(root, None, "the repository has no commits yet; commit the digest "
                                     "first, or name a revision: 'digest diff REVISION'")


def pages_at(root: Path, base: str, folder: str) -> dict[str, str]:
    """Every page in folder (relative to root) at revision base, as path to text."""
    _require_repository(root)
    if base.startswith("-") or not _is_commit(root, base):
        raise DigestError.at(base, None, "unknown git revision; name a branch, tag or commit "
                                         "('git log' lists commits), or fetch it first")
    listed = _git(root, "ls-tree", "-r", "-z", "--name-only", base, "--", f"{folder}/")
    if listed.returncode:
        raise DigestError.at(base, None, "git ls-tree failed: "
                             + listed.stderr.decode(errors="replace").strip())
    # ls-tree names paths relative to root, as 'BASE:./path' does.
    paths = sorted(p for p in listed.stdout.decode().split("\0") if p.endswith(".md"))
    if not paths:
        return {}
    batch = _git(root, "cat-file", "--batch",
                 stdin="".join(f"{base}:./{p}\n" for p in paths).encode())
    out, data, at = {}, batch.stdout, 0
    for path in paths:  # one 'git show' for all pages: "<sha> blob <size>\n<bytes>\n" each
        header_end = data.index(b"\n", at)
        size = int(data[at:header_end].split()[2])
        out[path] = data[header_end + 1:header_end + 1 + size].decode("utf-8", "replace")
        at = header_end + 1 + size + 1
    return out
