"""What the last run worked out, kept so a run with a little to do does a little.

A new day, or one edited page, still leaves most of the digest as it was: the same pages
parse the same, the same papers match the same topics, the same paper pages come out. The
memo keeps, each by a digest of everything it is made of:

- each source's listings and the lines read past, by the source's name and bytes;
- each page's parsed front-matter, by the page's path and bytes;
- each paper's rule topics, by the vocabulary's and the paper's text;
- each title's identity and each text's words, as deduplication compares them, each
  title's plain text, each paper's teaser, and each paper's BibTeX entry;
- the digest of each paper, topic and date page as generate wrote it, by everything the
  page is rendered from (render.Reuse makes the keys).

A page whose inputs are the last run's and whose file is byte for byte what that run wrote
is then not rendered again, nor, for a paper page, parsed or tagged: it would come out the
same. Keys are made of values, never of times, and the whole memo is dropped when digest's
code or the libraries that render change, so output stays byte-identical to a run without
it (tests compare).

It lives in ``.digest-cache.pickle`` (git-ignored), saved by each run that planned (a
no-op recalled from .digest-cache.json leaves it as it is). Each entry holds for its key
whatever run made it, so a run only appends what it added (a new day: some hundred
entries, where the whole memo is 80 MB at 50,000 papers and took a second to save). Once
the appended part would pass a quarter of the whole, the file is rewritten with only what
that run used, so it never outgrows the digest by more than that. It is read by an
unpickler that makes nothing but the records below and dates: no other class, so no code,
comes from the file. A missing, unreadable or foreign memo only costs the run its
shortcut, and a damaged end (a crash while appending) only what was appended there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import operator
import pickle
import platform
import struct
from dataclasses import dataclass, field, fields
from importlib.metadata import PackageNotFoundError, version
from typing import Callable

from .curate import CuratedPage
from .dedupe import Keys, identity_title, text_words
from .model import Entry, Listing, Paper, record

FILE = ".digest-cache.pickle"
_FORMAT = 2  # 2: segments, each a length and a pickled memo
_LENGTH = struct.Struct("<Q")
APPENDED = 4  # the appended part may grow to a 1/APPENDED of the whole
_LIBRARIES = ("jinja2", "markupsafe", "pyyaml", "python-frontmatter", "pylatexenc")


@dataclass(frozen=True)
class Memo:
    """The last run's results by the digest of their inputs (see the module's doc)."""

    code: str = ""  # digest of digest's code and libraries: another code, another memo
    pages: dict[str, CuratedPage] = field(default_factory=dict)  # text left out: re-read
    tags: dict[bytes, tuple[str, ...]] = field(default_factory=dict)
    outputs: dict[bytes, bytes] = field(default_factory=dict)  # page key -> its bytes' digest
    titles: dict[str, str] = field(default_factory=dict)  # title -> dedupe.identity_title
    plain: dict[str, str] = field(default_factory=dict)  # title -> clean.plain(title)
    teasers: dict[bytes, str] = field(default_factory=dict)  # teaser_key -> model.teaser
    words: dict[bytes, bytes] = field(default_factory=dict)  # text's digest -> its words'
    bib: dict[str, str] = field(default_factory=dict)  # Reuse.entry -> bibtex.entry's text
    # source key (name, default year, digest) -> (its listings, (line, message) read past)
    sources: dict[str, tuple[tuple[Listing, ...], tuple[tuple[int | None, str], ...]]] = \
        field(default_factory=dict)


def recall(old: dict, new: dict, key, make: Callable[[], object]):
    """The value ``old`` (the last run's memo) holds for ``key``, else ``make()``; either
    way kept in ``new`` (this run's memo), which a second ask finds first."""
    found = new.get(key)
    if found is None:
        found = old.get(key)
        new[key] = found = make() if found is None else found
    return found


def dedupe_keys(known: Memo, learnt: Memo) -> Keys:
    """dedupe's text keys, each worked out once and then looked up (a tenth of a new
    day's run was normalising the same titles and abstracts again)."""
    def identity(title: str) -> str:
        return recall(known.titles, learnt.titles, title, lambda: identity_title(title))

    seen: dict[str, bytes] = {}  # this run's texts: each is digested once

    def words(text: str) -> bytes:
        found = seen.get(text)
        if found is None:
            seen[text] = found = recall(
                known.words, learnt.words, digest(text.encode("utf-8", "surrogatepass")),
                lambda: digest(text_words(text).encode("utf-8", "surrogatepass")))
        return found

    return Keys(identity, words)


def digest(data: bytes) -> bytes:
    """The digest every key and every file's fingerprint is made with (cache.py's too)."""
    return hashlib.blake2b(data, digest_size=20).digest()


def code_key(code_digests: dict[str, str]) -> str:
    """The memo's code key: each file of digest's code, and the libraries that render."""
    parts = [f"{label}\0{value}" for label, value in sorted(code_digests.items())]
    for name in _LIBRARIES:
        try:
            parts.append(f"{name}\0{version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name}\0-")
    parts.append(platform.python_version())
    return digest("\n".join(parts).encode()).hex()


def tags_key(vocabulary: bytes, paper: Paper) -> bytes:
    """What a paper's rule topics depend on: the vocabulary (its digest) and the text
    tagging reads."""
    return digest(vocabulary + b"\0" + repr((paper.title, paper.abstract,
                                              paper.ai_keywords)).encode())


def teaser_key(paper: Paper) -> bytes:
    """What a paper's teaser (model.teaser) is made of: its AI summary, else its abstract."""
    return digest((paper.ai_summary or paper.abstract).encode())


# Each a tuple of fields, read in C: a loop of getattr per field was a tenth of a new day.
_PAPER_FIELDS = operator.attrgetter(*(f.name for f in fields(Paper)))
_ENTRY_FIELDS = operator.attrgetter(*(f.name for f in fields(Entry) if f.name != "paper"))


def entry_fingerprint(entry: Entry) -> str:
    """Every field of an entry and its paper, as text: what a page may show of it.

    Every field goes in, those no page shows too: a key too wide costs a render, one too
    narrow would cost a wrong page.
    """
    return repr((_PAPER_FIELDS(entry.paper), _ENTRY_FIELDS(entry)))


# What the unpickler may make: these classes and nothing else.
_ALLOWED = {("generator.memo", "Memo"): Memo, ("generator.model", "record"): record,
            ("datetime", "date"): dt.date}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type:
        try:
            return _ALLOWED[module, name]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the memo") from None


@dataclass(frozen=True)
class Stored:
    """A memo as read from its file, with what the next save needs to know of the file."""

    memo: Memo
    size: int = 0  # bytes in the file
    first: int = 0  # bytes of its first segment, the memo last written whole
    whole: bool = False  # every byte read as a segment of this code: safe to append to


def read(data: bytes, code: str) -> Stored:
    """The memo the segments in ``data`` hold together, if made by this code; an empty
    one otherwise. A damaged segment ends the reading: those before it still count."""
    found: Memo | None = None
    at = first = 0
    while at < len(data):
        segment = _segment(data, at, code)
        if segment is None:
            break
        at += _LENGTH.size + len(segment[1])
        if found is None:
            found, first = segment[0], at
        else:
            for name in _DICTS:
                getattr(found, name).update(getattr(segment[0], name))
    if found is None:
        return Stored(Memo(code), len(data))
    return Stored(found, len(data), first, at == len(data))


def _segment(data: bytes, at: int, code: str) -> tuple[Memo, bytes] | None:
    if at + _LENGTH.size > len(data):
        return None
    (length,) = _LENGTH.unpack_from(data, at)
    body = data[at + _LENGTH.size:at + _LENGTH.size + length]
    if len(body) < length:
        return None
    try:
        saved = _Unpickler(io.BytesIO(body)).load()
    except Exception:  # any damage: the memo is only a shortcut
        return None
    if not (isinstance(saved, tuple) and len(saved) == 2 and saved[0] == _FORMAT
            and isinstance(saved[1], Memo) and saved[1].code == code):
        return None
    return saved[1], body


def dumps(memo: Memo) -> bytes:
    """One segment holding ``memo``: a whole file, or what is appended to one."""
    body = pickle.dumps((_FORMAT, memo), protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(body)) + body


def save(stored: Stored, new: Memo) -> tuple[bool, bytes] | None:
    """How to save ``new``, this run's memo, over the file ``stored`` was read from:
    (True, a segment to append) or (False, the whole file), or None if it adds nothing."""
    added = Memo(new.code, **{name: {key: value for key, value in getattr(new, name).items()
                                     if key not in getattr(stored.memo, name)}
                              for name in _DICTS})
    if added == Memo(new.code):
        return None
    if stored.whole and stored.memo.code == new.code:
        segment = dumps(added)
        if (stored.size - stored.first + len(segment)) * APPENDED <= stored.size + len(segment):
            return True, segment
    return False, dumps(new)


_DICTS = tuple(f.name for f in fields(Memo) if f.name != "code")
