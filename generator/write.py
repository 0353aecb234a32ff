"""The careful writer: inside content/, atomically, and only what changed."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import DigestError


@dataclass(frozen=True)
class WriteReport:
    """What a write did to the tree."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


def safe_path(root: Path, relative: str) -> Path:
    """Resolve a generated path, refusing anything that would land outside root."""
    target = (root / relative).resolve()
    base = root.resolve()
    if relative.startswith(("/", "\\")) or ".." in Path(relative).parts or \
            not target.is_relative_to(base) or target == base:
        raise DigestError.at(relative, None, f"refusing to write outside {root}; this is a bug "
                                             "in digest, please report it")
    return root / relative


# What atomic_write's temporary files are called: a run killed mid-write leaves them behind.
_TEMP = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


# Read once, at import: os.umask can only be read by setting it, which races with threads.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def _mode(path: Path) -> int:
    # mkstemp makes 0600 files; a page must stay as readable as any file the user makes.
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_UMASK


def atomic_write(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), _mode(path))
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def changes(root: Path, files: dict[str, bytes]) -> dict[str, bytes]:
    """The subset of files whose bytes differ from what is on disk."""
    out = {}
    for relative, data in sorted(files.items()):
        target = safe_path(root, relative)
        try:
            if target.read_bytes() == data:
                continue
        except FileNotFoundError:
            pass
        out[relative] = data
    return out


def write_tree(root: Path, files: dict[str, bytes], remove: frozenset[str] = frozenset()
               ) -> WriteReport:
    """Write every changed file atomically and remove stale generated ones."""
    todo = changes(root, files)
    for relative in (r for r in remove if r in files):
        raise DigestError.at(relative, None, "asked to both write and remove this file; "
                                             "this is a bug in digest, please report it")
    removed = leftover_temp_files(root)
    for relative in removed:
        (root / relative).unlink(missing_ok=True)
    for relative, data in todo.items():
        atomic_write(safe_path(root, relative), data)
    for relative in sorted(remove):
        path = safe_path(root, relative)
        if path.exists():
            path.unlink()
            removed.append(relative)
    unchanged = tuple(sorted(set(files) - set(todo)))
    return WriteReport(tuple(todo), unchanged, tuple(removed))


def leftover_temp_files(root: Path) -> list[str]:
    """Temporary files a killed run left in root, relative to it."""
    if not root.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob(".*.tmp")
                  if p.is_file() and _TEMP.fullmatch(p.name))
