"""A generate with nothing to do costs one look at the files, not a whole run.

After a run, ``.digest-cache.json`` (next to pyproject.toml, git-ignored) records a
fingerprint of everything generate reads (the digest's code and templates, its settings,
the vocabulary, every source's bytes and every paper page's bytes) and the size and
modification time of every file it left in content/, with the run's report. The next run
compares: when the inputs hash the same and content/ is untouched, nothing can have
changed, so it reports what the last run reported and writes nothing.

Inputs are compared by their bytes. A source or page is read again unless it is the very
file that was read last time, unchanged since: the same inode, size, modification time and
change time (st_ctime, which the kernel sets on every write and no program can set back),
where that change time was already past when the file was read, by the file system's own
clock (write.Clock), so that no later edit can share it. Then the digest of its bytes is
the one recorded (git's index trusts files the same way). So a curator's edit is never
missed, whatever an editor or git does to modification times, and a new day at 50,000
papers does not read 160 MB of pages it has read before. Outputs are compared by size and
time: a file generate wrote and nobody touched keeps both. A missing, unreadable or
foreign cache is rebuilt by the next full run; it is JSON, so reading it runs no code.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from . import memo
from .errors import DigestError
from .project import Project

FILE = ".digest-cache.json"
_FORMAT = 3  # 3: with each source's, page's and written file's look
Look = tuple[int, int, int, int]  # st_ino, st_size, st_mtime_ns, st_ctime_ns
_PACKAGE = Path(__file__).parent


@dataclass(frozen=True)
class State:
    """What a run can be compared on: its inputs' fingerprint and content/'s files."""

    inputs: dict[str, str]  # label -> digest of its bytes
    outputs: dict[str, tuple[int, int]]  # path in content/ -> (size, mtime_ns)
    # Each source and page settled when its digest was taken (see the module's doc).
    looks: dict[str, Look] = field(default_factory=dict)
    unread: frozenset[str] = frozenset()  # labels whose digest is the one recorded
    # Each generated file in content/ (not a page) whose digest was taken where it had
    # settled, still as it was then: path -> (digest, look). Not an input: the memo
    # compares topic and date pages by these digests (pipeline.load).
    generated: dict[str, tuple[str, Look]] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        digest = hashlib.blake2b(digest_size=20)
        for label in sorted(self.inputs):
            digest.update(f"{label}\0{self.inputs[label]}\n".encode())
        return digest.hexdigest()


def state(project: Project, read: dict[str, bytes] | None = None,
          saved: dict | None = None, now: tuple[int, int] | None = None) -> State:
    """The current fingerprint of the inputs and the files in content/.

    With ``read``, the bytes of each source and page read for it are put there, by their
    label (``sources/<path>``, ``papers/<name>``), so that the run reads them only once.
    With ``saved`` (``saved()``), a source or page whose look is the one recorded there
    is not read: its digest is the recorded one, and its label is in ``unread``. ``now``
    (write.Clock's, taken before any file is looked at): those settled by then have their
    look recorded.
    """
    inputs: dict[str, str] = {}
    looks: dict[str, Look] = {}
    unread: set[str] = set()
    recorded = _recorded(saved)

    def add(label: str, path: str, st: os.stat_result | None = None) -> None:
        trusted = label.startswith(("sources/", "papers/"))
        if trusted and label in recorded:
            try:
                # A regular file's lstat (the walk of content/'s) is its stat.
                look = _look(st if st is not None and stat.S_ISREG(st.st_mode)
                             else os.stat(path))
            except OSError:
                look = None
            if look == recorded[label][1]:
                inputs[label], looks[label] = recorded[label][0], look
                unread.add(label)
                return
        # Only regular files are read (a pipe would never end); any other entry, a folder
        # named like a page or a dangling link among them, counts by its kind, so that its
        # coming or going brings a full run, which reports it.
        try:
            data, st = _read(path)
            if isinstance(data, int):
                data = f"\0kind {data}".encode()
            elif trusted:
                if read is not None:
                    read[label] = data
                if _settled(st, now):
                    looks[label] = _look(st)
        except OSError:
            data = b"\0unreadable"
        inputs[label] = _digest(data)

    for relative, path in _files(_PACKAGE):
        if relative.endswith((".py", ".j2")):
            add(f"code/{relative}", path)
    for name in ("pyproject.toml", "mkdocs.yml"):
        add(name, str(project.root / name))
    add("vocabulary", str(project.vocabulary))
    for relative, path in _files(project.sources):
        add(f"sources/{relative}", path)
    content = _files(project.content)
    outputs: dict[str, tuple[int, int]] = {}
    lstats = {relative: _output(outputs, relative, path) for relative, path in content}
    kept = {path: (digest, look) for path, (digest, look)
            in _recorded(saved, "generated").items()
            if lstats.get(path) is not None and _look(lstats[path]) == look}
    papers = project.content / "papers"
    # The pages as the walk of content/ found them, unless papers/ is a link (a walk
    # does not go into one, but the pages are read through it).
    if os.path.islink(papers):
        lstats = {}
    for relative, path in ([(f"papers/{r}", p) for r, p in _files(papers)]
                           if os.path.islink(papers) else content):
        if relative.startswith("papers/"):
            add(relative, path, lstats.get(relative))
    return State(inputs, outputs, looks, frozenset(unread), kept)


def digested(path: str, now: tuple[int, int] | None) -> tuple[bytes, Look | None]:
    """A file's digest, and its look if it had settled by ``now`` (write.Clock's):
    for a generated file the run reads, which the next run then need not."""
    data, st = _read(path)
    if isinstance(data, int):
        raise IsADirectoryError(path)
    return memo.digest(data), _look(st) if _settled(st, now) else None


def _look(st: os.stat_result) -> Look:
    return st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def _settled(st: os.stat_result, now: tuple[int, int] | None) -> bool:
    """Whether the file last changed before ``now`` (write.Clock's, on its device): any
    change since has a later change time, even where the clock ticks coarsely."""
    return now is not None and st.st_dev == now[0] and st.st_ctime_ns < now[1]


def _recorded(saved: dict | None, name: str = "looks") -> dict[str, tuple[str, Look]]:
    """The looks a saved cache records, by label, with their digests (those of any other
    shape left out: their files are read)."""
    try:
        return {label: (value[0], tuple(value[1:]))
                for label, value in saved[name].items()
                if isinstance(value, list) and len(value) == 5 and isinstance(value[0], str)
                and all(type(n) is int for n in value[1:])} if saved else {}
    except (TypeError, KeyError, AttributeError):
        return {}


def _read(path: str) -> tuple[bytes | int, os.stat_result]:
    """A regular file's bytes, or the kind of entry it is (stat.S_IFMT) if it is not one,
    with its stat as it was before the reading.

    Through the file descriptor, with no stat of the path first: a third of the time of
    open() and read() for 50,000 pages. Opened without blocking, so that a pipe is only
    looked at, never read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return stat.S_IFMT(st.st_mode), st
        chunks, size = [], st.st_size + 1  # the file in one read, unless it grew
        while chunk := os.read(fd, size):
            chunks.append(chunk)
            size = 1 << 16
        return b"".join(chunks), st
    finally:
        os.close(fd)


def after_writing(project: Project, before: State, files: dict[str, bytes],
                  written: tuple[str, ...], removed: tuple[str, ...],
                  staged: dict[str, tuple[int, int, int]] | None = None,
                  now: tuple[int, int] | None = None) -> State:
    """The state a run leaves: the inputs it read, with the pages it wrote or removed.

    Not the files read again: a source or page someone saved while the run worked is not
    what the run's output was made from, so the next run must find it changed. A page
    written is trusted by its look (see the module's doc) if it is still the file the run
    staged, by inode, size and time (``staged``, write.WriteReport's), and settled by
    ``now`` (write.Clock's, taken after the last rename).
    """
    staged = staged or {}
    inputs, looks, kept = dict(before.inputs), dict(before.looks), dict(before.generated)
    for path in (*removed, *written):
        looks.pop(path, None)  # read by the next run, unless trusted below
        kept.pop(path, None)
        if path.startswith("papers/"):
            inputs.pop(path, None)
    for path in written:
        if path.startswith("papers/"):
            inputs[path] = _digest(files[path])
    # content/ as it was, but for what the run wrote and removed, and the folders it made
    # for them: not looked at again whole (a second walk and 50,000 lstat calls). A file
    # someone else changed meanwhile keeps its old entry, so the next run finds it changed.
    outputs = dict(before.outputs)
    for path in removed:
        outputs.pop(path, None)
    for path in written:
        folder = path.rpartition("/")[0]
        while folder and folder not in outputs:
            _output(outputs, folder, str(project.content / folder))
            folder = folder.rpartition("/")[0]
        st = _output(outputs, path, str(project.content / path))
        if st is not None and path in staged and _look(st)[:3] == staged[path] and \
                _settled(st, now):
            if path in inputs:
                looks[path] = _look(st)
            elif not path.startswith("papers/"):
                kept[path] = (_digest(files[path]), _look(st))
    return State(inputs, outputs, looks, generated=kept)


def _digest(data: bytes) -> str:
    # memo.digest's, as text: plan keys each page it read by the digest taken here.
    return memo.digest(data).hex()


def _output(outputs: dict[str, tuple[int, int]], relative: str,
            path: str) -> os.stat_result | None:
    try:
        st = os.lstat(path)
    except OSError:
        outputs.pop(relative, None)
        return None
    # A folder's time changes as entries come and go; its files speak for themselves.
    outputs[relative] = ((stat.S_IFMT(st.st_mode), 0) if stat.S_ISDIR(st.st_mode) else
                         (st.st_size, st.st_mtime_ns))
    return st


def _files(root: Path) -> list[tuple[str, str]]:
    """Every entry below root as (path relative to root, with /; path), folders included,
    dotfiles and dot folders left out (locks, caches, editors'); links to folders are
    listed, not followed. Plain strings: pathlib's objects were most of a no-op's time."""
    found = []
    top = str(root)
    for folder, dirs, names in os.walk(top):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        base = os.path.relpath(folder, top).replace(os.sep, "/")
        prefix = "" if base == "." else base + "/"
        # os.path.join's work, once a folder rather than once a file (a tenth of a no-op).
        at = folder if folder.endswith(os.sep) else folder + os.sep
        found += [(prefix + n, at + n) for n in [*dirs, *names] if not n.startswith(".")]
    return sorted(found)


def saved(project: Project) -> dict | None:
    """What the last run saved (``remember``), if it is a cache of this format."""
    try:
        found = json.loads((project.root / FILE).read_bytes())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and found.get("format") == _FORMAT else None


def recall(saved: dict | None, now: State) -> dict | None:
    """The last run's report, if nothing it depended on has changed since; else None."""
    try:
        if not saved or saved.get("fingerprint") != now.fingerprint:
            return None
        outputs = {path: tuple(value) for path, value in saved["outputs"].items()}
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return saved.get("report") if outputs == now.outputs else None


def remember(project: Project, now: State, report: dict) -> None:
    """Save this run's state and report; the file is left alone if it would not change."""
    from .write import atomic_write

    looks = {label: [now.inputs[label], *look] for label, look in now.looks.items()}
    generated = {path: [digest, *look] for path, (digest, look) in now.generated.items()}
    data = json.dumps({"format": _FORMAT, "fingerprint": now.fingerprint,
                       "outputs": now.outputs, "looks": looks, "generated": generated,
                       "report": report},
                      sort_keys=True, separators=(",", ":")).encode()
    path = project.root / FILE
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    try:
        atomic_write(path, data, durable=False)  # damaged by a crash, it is rebuilt
    except (OSError, DigestError):
        pass  # a cache that cannot be saved only costs the next run its shortcut


def known(project: Project, now: State) -> memo.Stored:
    """The last run's memo (see memo.py), or an empty one for this code to fill."""
    code = memo.code_key({k: v for k, v in now.inputs.items() if k.startswith("code/")})
    try:
        data = (project.root / memo.FILE).read_bytes()
    except OSError:
        return memo.Stored(memo.Memo(code))
    return memo.read(data, code)


def learn(project: Project, old: memo.Stored, new: memo.Memo) -> None:
    """Save this run's memo for the next: append what it added, or write it whole.

    Whatever the run then wrote or left alone, the memo holds only what inputs give: a
    page edited while the run worked has other bytes, so no memo entry speaks for it.
    """
    from .write import atomic_write

    how = memo.save(old, new)
    if how is None:
        return
    appended, data = how
    path = project.root / memo.FILE
    try:
        if appended and _append(path, data, old.size):
            return
        # Not synced (80 MB at 50,000 papers): damaged by a crash, it is passed over.
        atomic_write(path, memo.dumps(new) if appended else data, durable=False)
    except (OSError, DigestError):
        pass  # a memo that cannot be saved only costs the next run its shortcut


def _append(path: Path, data: bytes, size: int) -> bool:
    """Append data to the file at path if it still has ``size`` bytes; whether it did.

    A crash part way leaves a damaged last segment, which the next run reads past and
    then writes the memo whole."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        if os.fstat(fd).st_size != size:  # not the file read (runs hold the lock)
            return False
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        return True
    finally:
        os.close(fd)
