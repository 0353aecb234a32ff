"""A generate with nothing to do costs one look at the files, not a whole run.

After a run, ``.digest-cache.json`` (next to pyproject.toml, git-ignored) records a
fingerprint of everything generate reads (the digest's code and templates, its settings,
the vocabulary, every source's bytes and every paper page's bytes) and the size and
modification time of every file it left in content/, with the run's report. The next run
compares: when the inputs hash the same and content/ is untouched, nothing can have
changed, so it reports what the last run reported and writes nothing.

Inputs are compared by their bytes, never by their times, so a curator's edit is never
missed, whatever an editor or git does to modification times. Outputs are compared by size
and time: a file generate wrote and nobody touched keeps both. A missing, unreadable or
foreign cache is rebuilt by the next full run; it is JSON, so reading it runs no code.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from . import memo
from .errors import DigestError
from .project import Project

FILE = ".digest-cache.json"
_FORMAT = 2  # 2: the fingerprint is made of each input's digest
_PACKAGE = Path(__file__).parent


@dataclass(frozen=True)
class State:
    """What a run can be compared on: its inputs' fingerprint and content/'s files."""

    inputs: dict[str, str]  # label -> digest of its bytes
    outputs: dict[str, tuple[int, int]]  # path in content/ -> (size, mtime_ns)

    @property
    def fingerprint(self) -> str:
        digest = hashlib.blake2b(digest_size=20)
        for label in sorted(self.inputs):
            digest.update(f"{label}\0{self.inputs[label]}\n".encode())
        return digest.hexdigest()


def state(project: Project, read: dict[str, bytes] | None = None) -> State:
    """The current fingerprint of the inputs and the files in content/.

    With ``read``, the bytes of each source and page read for it are put there, by their
    label (``sources/<path>``, ``papers/<name>``), so that the run reads them only once.
    """
    inputs: dict[str, str] = {}

    def add(label: str, path: str) -> None:
        # Only regular files are read (a pipe would never end); any other entry, a folder
        # named like a page or a dangling link among them, counts by its kind, so that its
        # coming or going brings a full run, which reports it.
        try:
            data = _read(path)
            if isinstance(data, int):
                data = f"\0kind {data}".encode()
            elif read is not None and label.startswith(("sources/", "papers/")):
                read[label] = data
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
    papers = project.content / "papers"
    # The pages as the walk of content/ found them, unless papers/ is a link (a walk
    # does not go into one, but the pages are read through it).
    for relative, path in ([(f"papers/{r}", p) for r, p in _files(papers)]
                           if os.path.islink(papers) else content):
        if relative.startswith("papers/"):
            add(relative, path)
    return State(inputs, _outputs(content))


def _read(path: str) -> bytes | int:
    """A regular file's bytes, or the kind of entry it is (stat.S_IFMT) if it is not one.

    Through the file descriptor, with no stat of the path first: a third of the time of
    open() and read() for 50,000 pages. Opened without blocking, so that a pipe is only
    looked at, never read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return stat.S_IFMT(st.st_mode)
        chunks, size = [], st.st_size + 1  # the file in one read, unless it grew
        while chunk := os.read(fd, size):
            chunks.append(chunk)
            size = 1 << 16
        return b"".join(chunks)
    finally:
        os.close(fd)


def after_writing(project: Project, before: State, files: dict[str, bytes],
                  written: tuple[str, ...], removed: tuple[str, ...]) -> State:
    """The state a run leaves: the inputs it read, with the pages it wrote or removed.

    Not the files read again: a source or page someone saved while the run worked is not
    what the run's output was made from, so the next run must find it changed.
    """
    inputs = dict(before.inputs)
    for path in removed:
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
        _output(outputs, path, str(project.content / path))
    return State(inputs, outputs)


def _digest(data: bytes) -> str:
    # memo.digest's, as text: plan keys each page it read by the digest taken here.
    return memo.digest(data).hex()


def _outputs(files: list[tuple[str, str]]) -> dict[str, tuple[int, int]]:
    """What content/'s files are, from a walk of it (_files)."""
    outputs: dict[str, tuple[int, int]] = {}
    for relative, path in files:
        _output(outputs, relative, path)
    return outputs


def _output(outputs: dict[str, tuple[int, int]], relative: str, path: str) -> None:
    try:
        st = os.lstat(path)
    except OSError:
        outputs.pop(relative, None)
        return
    # A folder's time changes as entries come and go; its files speak for themselves.
    outputs[relative] = ((stat.S_IFMT(st.st_mode), 0) if stat.S_ISDIR(st.st_mode) else
                         (st.st_size, st.st_mtime_ns))


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


def recall(project: Project, now: State) -> dict | None:
    """The last run's report, if nothing it depended on has changed since; else None."""
    try:
        saved = json.loads((project.root / FILE).read_bytes())
        if saved.get("format") != _FORMAT or saved.get("fingerprint") != now.fingerprint:
            return None
        outputs = {path: tuple(value) for path, value in saved["outputs"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return saved.get("report") if outputs == now.outputs else None


def remember(project: Project, now: State, report: dict) -> None:
    """Save this run's state and report; the file is left alone if it would not change."""
    from .write import atomic_write

    data = json.dumps({"format": _FORMAT, "fingerprint": now.fingerprint,
                       "outputs": now.outputs, "report": report},
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
