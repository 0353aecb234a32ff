"""The careful writer: inside content/, atomically, only what changed, and one run at a time.

Two guards keep a curator's work. A lock (``locked``) lets one digest run write at a time;
the next waits for it. And a page is only replaced while it still holds the bytes the run
read (compare-and-swap): a note saved while the run worked is left alone and reported, and
the next run picks it up.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import shutil
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .errors import DigestError


@dataclass(frozen=True)
class WriteReport:
    """What a write did to the tree."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...] = ()  # pages someone edited while the run worked: left alone
    # Each file written, as it stood before its rename: (st_ino, st_size, st_mtime_ns).
    # A file found so later is still the one written (cache.py trusts its digest).
    staged: dict[str, tuple[int, int, int]] = field(default_factory=dict)


class WriteError(DigestError):
    """The system refused a write (read-only, full, no permission); files before it are written."""


# Called with a file's path just before it replaces the file (tests save a note there).
BEFORE_REPLACE: Callable[[Path], None] | None = None

LOCK = ".digest.lock"  # in content/, only while a run writes
LOCK_WAIT = 60.0  # seconds a run waits for another to finish
_ANY = object()  # atomic_write's default: replace whatever the file holds

def safe_path(root: Path, relative: str, resolved: dict[str, Path] | None = None) -> Path:
    """Resolve a generated path, refusing anything that would land outside root.

    ``resolved`` keeps the folders resolved so far, for a caller placing many files: the
    links a folder's path goes through are then looked up once, not once per file, and a
    folder found inside root is not checked again.
    """
    resolved = {} if resolved is None else resolved
    if relative.startswith(("/", "\\")) or ".." in relative.split("/"):
        raise _outside(root, relative)
    path = root / relative
    folder = os.path.dirname(relative)
    for key in ("", folder):
        if key not in resolved:
            found = (root / key).resolve()
            # A folder (through links) outside root: no file in it can be inside.
            if key and not found.is_relative_to(resolved[""]):
                raise _outside(root, relative)
            resolved[key] = found
    # A file that is a link may point anywhere; any other lies in its folder, inside root.
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(resolved[""]) or target == resolved[""]:
            raise _outside(root, relative)
    return path


def _outside(root: Path, relative: str) -> DigestError:
    return DigestError.at(relative, None, f"refusing to write outside {root}; this is a bug "
                                          "in digest, please report it")


# What atomic_write's temporary files are called: ".<name>.<8 random>.digest-tmp". A run
# killed mid-write leaves them behind; no other program makes names like these.
TEMP_SUFFIX = ".digest-tmp"
_TEMP = re.compile(r"\..+\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))

_CANNOT = {errno.EROFS: ("read-only file system", "make the folder writable"),
           errno.EACCES: ("permission denied", "make the folder writable"),
           errno.EPERM: ("permission denied", "make the folder writable"),
           errno.ENOSPC: ("no space left on the disk", "free some space"),
           errno.EDQUOT: ("disk quota exceeded", "free some space")}


def cannot_write(shown: str, exc: OSError) -> WriteError:
    """The one-line error for a write the system refused."""
    why, fix = _CANNOT.get(exc.errno, (exc.strerror or type(exc).__name__, "fix that"))
    return WriteError.at(shown, None, f"cannot write ({why}); {fix} and run again")


@dataclass(frozen=True)
class Clock:
    """The file system's own clock, read through the lock file (see ``change_time``)."""

    fd: int

    def change_time(self) -> tuple[int, int]:
        """The change time a file changed now would get, and the device it holds for:
        the lock file's, touched. Not the system's clock: this is the one, coarse ticks
        and all, that stamps every file on that device (cache.py compares with it)."""
        os.utime(self.fd)
        st = os.fstat(self.fd)
        return st.st_dev, st.st_ctime_ns


@contextmanager
def locked(root: Path, wait: float | None = None, shown: str | None = None) -> Iterator[Clock]:
    """Hold root's digest lock while the block runs; wait up to ``wait`` s for another run."""
    wait = LOCK_WAIT if wait is None else wait
    path, shown = root / LOCK, shown or str(root)
    deadline = time.monotonic() + wait
    while True:
        try:
            root.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666 & ~_UMASK)
        except OSError as exc:
            raise cannot_write(f"{shown}/{LOCK}", exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise DigestError.at(shown, None, "another digest run is writing "
                                     f"{shown}/; wait for it and run again") from None
            time.sleep(0.05)
            continue
        # The run before us removes the file as it lets go; then lock the one there now.
        try:
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        yield Clock(fd)
    finally:
        path.unlink(missing_ok=True)  # while still holding it, so no one else sees it go
        os.close(fd)


# Read once, at import: os.umask can only be read by setting it, which races with threads.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def _mode(path: Path) -> int:
    # mkstemp makes 0600 files; a page must stay as readable as any file the user makes.
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_UMASK


def atomic_write(path: Path, data: bytes, expected: bytes | None | object = _ANY,
                 shown: str | None = None, *, durable: bool = True) -> bool:
    """Write through a temporary file in the same folder, then rename over the target.

    With ``expected`` (None: no file), the target is only replaced if it still holds
    exactly that; otherwise nothing is written and the result is False. ``durable``:
    on the disk before the rename (not for a cache, which a crash may only cost its use).
    """
    shown = shown or str(path)
    return _commit(path, _stage(path, data, shown, durable=durable)[0], expected, shown)


def _stage(path: Path, data: bytes, shown: str, durable: bool = False,
           folders: set[Path] | None = None) -> tuple[str, tuple[int, int, int]]:
    """A temporary file next to path holding data, with the mode path has or would get,
    and its inode, size and modification time; ``durable``: on the disk when this returns
    (else the caller syncs). ``folders``: those known to exist, for a caller staging many
    files."""
    tmp = None
    try:
        folder = path.parent
        if folders is None or folder not in folders:
            folder.mkdir(parents=True, exist_ok=True)
            if folders is not None:
                folders.add(folder)
        fd, tmp = _temporary(path)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fchmod(fd, _mode(path))
            if durable:
                os.fsync(fd)
            st = os.fstat(fd)
        finally:
            os.close(fd)
        return tmp, (st.st_ino, st.st_size, st.st_mtime_ns)
    except BaseException as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise cannot_write(shown, exc) from None
        raise


def _temporary(path: Path) -> tuple[int, str]:
    """``tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)``
    (a new 0600 file, never one already there), without its work per call (profiled at
    50,000 pages: 4.6 s of a cold run's 97)."""
    for _attempt in range(100):
        tmp = f"{path.parent}/.{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(path.parent))


def _commit(path: Path, tmp: str, expected: bytes | None | object, shown: str) -> bool:
    """Rename a staged file over path (only while path holds ``expected``, if given)."""
    try:
        if BEFORE_REPLACE is not None:
            BEFORE_REPLACE(path)
        if expected is not _ANY and _current(path) != expected:
            Path(tmp).unlink()
            return False
        os.replace(tmp, path)
        return True
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise cannot_write(shown, exc) from None
        raise


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def changes(root: Path, files: dict[str, bytes],
            resolved: dict[str, Path] | None = None) -> dict[str, bytes]:
    """The subset of files whose bytes differ from what is on disk."""
    paths = _placed(root, files, {} if resolved is None else resolved)
    return {relative: files[relative] for relative in _differing(files, paths)}


def _placed(root: Path, files: dict[str, bytes], resolved: dict[str, Path]) -> dict[str, Path]:
    """Each file's path, made safe (``safe_path``), in the order of the files' names."""
    return {relative: safe_path(root, relative, resolved) for relative in sorted(files)}


def _differing(files: dict[str, bytes], paths: dict[str, Path]) -> list[str]:
    return [relative for relative, path in paths.items() if _current(path) != files[relative]]


SYNC_EACH = 1000  # up to this many files, each is synced alone (see write_tree)


def write_tree(root: Path, files: dict[str, bytes], remove: frozenset[str] = frozenset(),
               *, expected: dict[str, bytes | None] | None = None, shown: str | None = None
               ) -> WriteReport:
    """Write every changed file atomically and remove stale generated ones.

    A file named in ``expected`` is only replaced while it holds those bytes (None: while
    it does not exist); one that changed is left alone and listed in ``changed``.
    ``shown`` is how messages name root.
    """
    expected = expected or {}
    shown = shown or str(root)
    resolved: dict[str, Path] = {}
    paths = _placed(root, files, resolved)
    todo = _differing(files, paths)
    for relative in (r for r in remove if r in files):
        raise DigestError.at(relative, None, "asked to both write and remove this file; "
                                             "this is a bug in digest, please report it")
    removed = leftover_temp_files(root)
    for relative in removed:
        _unlink(root / relative, f"{shown}/{relative}")
    written, changed = [], []
    staged: list[tuple[str, Path, str]] = []  # (relative, target, temporary file)
    looks: dict[str, tuple[int, int, int]] = {}
    committed = 0
    folders: set[Path] = set()
    # Every file reaches the disk before any is renamed into place: a fsync each for a
    # few (a day's run writes some hundreds), one sync for many (a fsync per file took
    # 17 s of 50,000 pages; a sync flushes whatever else is waiting, 0.5 s and more).
    each = len(todo) <= SYNC_EACH
    try:
        for relative in todo:
            path = paths[relative]
            tmp, looks[relative] = _stage(path, files[relative], f"{shown}/{relative}",
                                          durable=each, folders=folders)
            staged.append((relative, path, tmp))
        if staged and not each:
            os.sync()
        for relative, path, tmp in staged:
            ok = _commit(path, tmp, expected.get(relative, _ANY), f"{shown}/{relative}")
            committed += 1
            (written if ok else changed).append(relative)
    finally:
        for _relative, _path, tmp in staged[committed:]:  # a failure leaves no temp file
            Path(tmp).unlink(missing_ok=True)
    for relative in sorted(remove):
        path = safe_path(root, relative, resolved)
        if path.exists():
            _unlink(path, f"{shown}/{relative}")
            removed.append(relative)
    unchanged = tuple(sorted(set(files) - set(todo)))
    return WriteReport(tuple(written), unchanged, tuple(removed), tuple(changed),
                       {relative: looks[relative] for relative in written})


def _unlink(path: Path, shown: str) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise cannot_write(shown, exc) from None


def leftover_temp_files(root: Path) -> list[str]:
    """Temporary files a killed run left in root, relative to it."""
    if not root.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob(f".*{TEMP_SUFFIX}")
                  if p.is_file() and not p.is_symlink() and _TEMP.fullmatch(p.name))


@contextmanager
def replaced_tree(target: Path) -> Iterator[Path]:
    """A fresh folder beside ``target`` to build in, put in ``target``'s place when the
    block ends without an error and removed when it raises: a failed or interrupted
    build leaves the last good site as it was, not half of a new one."""
    staging = target.with_name(f".{target.name}.building")
    old = target.with_name(f".{target.name}.replaced")
    for leftover in (staging, old):  # of an earlier run that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # Two renames: the old site is whole until the first, the new one from the second.
    had = target.exists() or target.is_symlink()
    try:
        if had:
            target.rename(old)
        try:
            staging.rename(target)
        except OSError:
            if had:
                old.rename(target)
            raise
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise cannot_write(str(target), exc) from None
    shutil.rmtree(old, ignore_errors=True)
