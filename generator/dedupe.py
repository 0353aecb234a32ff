"""Deduplication: many listings in, one paper per real paper out.

Identity is the arXiv id (without version) when any listing knows it, and otherwise the
normalised title. A listing without an id joins the paper whose id-bearing listings share
its normalised title, so a page copy and a JSON file that name one paper give one paper.

Which value wins, for each field of ``model.Metadata`` (the one place this is decided):
  1. The most recent listing that has a value for the field wins (newer data is fresher:
     upvotes, stars, a revised title or abstract).
  2. On the same day, a structured source (one that knows the arXiv id) beats a page copy,
     because it carries the paper's own metadata rather than a rendering of it.
  3. Remaining ties go to the source file name, then the line, so the result never depends
     on the order files were read in.
Curators' edits are applied later (see ``curate``) and beat everything here.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from collections import defaultdict
from dataclasses import MISSING, dataclass, fields
from typing import Callable, Hashable, Iterable, Mapping

from .clean import plain, title_key
from .model import Listing, Metadata, Paper


def _rank(listing: Listing) -> tuple:
    return (listing.date, listing.arxiv_id is not None, listing.source, listing.line)


def identity_title(title: str) -> str:
    """The normalised title that identifies a paper, never empty for a non-blank title."""
    # A title of only emoji or punctuation keeps its symbols: an empty key would merge
    # every such paper into one, and make a page id ('title:') the next run refuses.
    # A title that cleans to nothing ('~' is TeX's non-breaking space) keeps its raw text.
    return title_key(title) or _spaced(plain(title)) or _spaced(title)


def _spaced(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def paper_key(arxiv_id: str | None, title: str,
              identity: Callable[[str], str] = identity_title) -> str:
    """The identity key of a paper: its arXiv id, else its normalised title."""
    return f"arxiv:{arxiv_id}" if arxiv_id else f"title:{identity(title)}"


def text_words(text: str) -> str:
    # Only a change of words counts as a new abstract, not a change of spacing or quotes.
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"\w+", text))


@dataclass(frozen=True)
class Keys:
    """The two text keys deduplication compares, as functions: a caller may memoise them
    (pipeline does, see memo.py). ``words`` need only be equal exactly when the texts'
    words are, so a digest of them serves."""

    identity: Callable[[str], str] = identity_title
    words: Callable[[str], Hashable] = text_words


def deduplicate(listings: Iterable[Listing], aliases: Mapping[str, str] | None = None,
                keys: Keys = Keys()) -> list[Paper]:
    """Merge listings of the same paper; papers come out sorted by key.

    ``aliases`` maps a paper's key to the key of the paper a curator said it is (see
    ``merge``): its listings join that paper, which keeps its key.
    """
    identity = keys.identity
    aliases = aliases or {}
    listings = sorted(listings, key=_rank)
    by_id: dict[str, list[Listing]] = defaultdict(list)
    id_by_title: dict[str, str] = {}
    for listing in listings:
        if listing.arxiv_id:
            by_id[listing.arxiv_id].append(listing)
    for arxiv_id in sorted(by_id):
        for listing in by_id[arxiv_id]:
            # The lowest id claims a title shared by several ids, so the choice is stable.
            id_by_title.setdefault(identity(listing.title), arxiv_id)
    groups: dict[str, list[Listing]] = defaultdict(list)
    for listing in listings:
        arxiv_id = listing.arxiv_id or id_by_title.get(identity(listing.title))
        key = paper_key(arxiv_id, listing.title, identity)
        groups[aliases.get(key, key)].append(listing)
    return [_merge(key, group, keys) for key, group in sorted(groups.items())]


def _merge(key: str, group: list[Listing], keys: Keys) -> Paper:
    newest_first = group[::-1]  # group is sorted by _rank ascending
    first = group[0]
    alone = len(group) == 1  # most papers: nothing to merge or compare
    if alone:  # _newest's result, field by field, read in one go
        merged = {name: value if value not in _EMPTY or required else default
                  for (name, required, default), value in zip(_METADATA, _VALUES(first))}
    else:
        merged = {name: _newest(name, required, default, newest_first)
                  for name, required, default in _METADATA}
    return Paper(
        key=key,
        dates=tuple(sorted({x.date for x in group})),
        sources=tuple(sorted({x.source for x in group})),
        title_key=keys.identity(merged["title"]),
        abstract_changed=not alone and len({keys.words(x.abstract) for x in group}) > 1,
        first_seen=(first.date, first.source, first.line),
        content_since=first.date if alone else _content_since(group, keys.words),
        **merged,
    )


# Each metadata field: name, whether it has no default, its default (read once, not per
# paper: dataclasses.fields() for each of 50,000 papers was a tenth of deduplicating).
_METADATA = tuple((f.name, f.default is MISSING, f.default) for f in fields(Metadata))
_VALUES = operator.attrgetter(*(name for name, _required, _default in _METADATA))
_EMPTY = (None, "", ())


def _newest(name: str, required: bool, default: object, newest_first: list[Listing]):
    """The field's value in the newest listing that has one, else its default."""
    for listing in newest_first:
        value = getattr(listing, name)
        if value not in _EMPTY:
            return value
    # Title and abstract have no default; readers never leave them empty.
    return getattr(newest_first[0], name) if required else default


def _content_since(group: list[Listing], words: Callable[[str], Hashable]) -> dt.date:
    """The first day of the unbroken run of days, up to the newest, showing the current text."""
    newest_first = group[::-1]  # group is sorted by _rank ascending

    def content(listing: Listing) -> tuple:
        return words(listing.title), words(listing.abstract)

    current, since = content(newest_first[0]), newest_first[0].date
    for listing in newest_first:
        if content(listing) == current:
            since = listing.date
        elif listing.date < since:
            # An older text on an earlier day ends the run; on the same day as a listing of
            # the current text (a page copy beside a JSON file) it does not.
            break
    return since
