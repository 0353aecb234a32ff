"""The digest's git history: old versions of paper pages, read with the git command."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .errors import DigestError, Problem

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


def _text(path: str, data: bytes, shown: str, problems: list[Problem]) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        problems.append(Problem(shown, line, "the page is not UTF-8 text; save it as UTF-8"))
        return None


def pages_now(root: Path, folder: str) -> tuple[dict[str, str], list[Problem]]:
    """Every page in folder (relative to root) as it is on disk, and the pages that cannot be read."""
    pages, problems = {}, []
    for page in sorted((root / folder).glob("*.md")):
        path = f"{folder}/{page.name}"
        try:
            data = page.read_bytes()
        except OSError as exc:
            problems.append(Problem(path, None, f"cannot read the page ({exc.strerror}); "
                                                "fix or remove it"))
            continue
        text = _text(path, data, path, problems)
        if text is not None:
            pages[path] = text
    return pages, problems


def pages_at(root: Path, base: str, folder: str) -> tuple[dict[str, str], list[Problem]]:
    """Every page in folder (relative to root) at revision base, as path to text, and the
    pages that are not text."""
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
        return {}, []
    batch = _git(root, "cat-file", "--batch",
                 stdin="".join(f"{base}:./{p}\n" for p in paths).encode())
    out, problems, data, at = {}, [], batch.stdout, 0
    for path in paths:  # one 'git show' for all pages: "<sha> blob <size>\n<bytes>\n" each
        header_end = data.index(b"\n", at)
        size = int(data[at:header_end].split()[2])
        text = _text(path, data[header_end + 1:header_end + 1 + size], f"{base}:{path}", problems)
        if text is not None:
            out[path] = text
        at = header_end + 1 + size + 1
    return out, problems
