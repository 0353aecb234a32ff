"""Domain records: what sources say about a paper, the paper itself, and what is published.

A paper's fields are declared once, in :class:`Metadata`; a :class:`Listing` (one source's
view of a paper on one day) and a :class:`Paper` (all listings merged) both carry them, and
``dedupe`` merges them field by field from that one declaration.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from dataclasses import dataclass, field, fields
from functools import cached_property

from . import clean

TEASER_LENGTH = 200

# New-style (2410.17243, 0704.0001) and old-style (hep-th/9901001, math.AG/0101001) arXiv
# ids, with an optional version suffix that is not part of the identity.
_ARXIV_ID = re.compile(
    r"(?P<id>(?P<yymm>\d{4})\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")


def arxiv_id(text: str) -> str | None:
    """The arXiv id ``text`` spells, without its version suffix; None if it is not one."""
    m = _ARXIV_ID.fullmatch(text)
    return m["id"] if m else None


def arxiv_year(text: str) -> int | None:
    """The year a new-style arXiv id was assigned (2410.17243 is 2024); None otherwise."""
    m = _ARXIV_ID.fullmatch(text)
    return 2000 + int(m["yymm"][:2]) if m and m["yymm"] else None


@dataclass(frozen=True, kw_only=True)
class Metadata:
    """What a source can say about a paper: the one declaration of a paper's fields.

    Keyword-only, so records that add their own fields (a listing's day, a paper's key)
    can put them first without a default.
    """

    title: str
    abstract: str
    arxiv_id: str | None = None  # without version suffix
    upvotes: int | None = None
    published: dt.date | None = None  # the paper's own date (arXiv publication)
    updated: dt.date | None = None
    authors: tuple[str, ...] = ()
    organization: str | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] = ()
    category: str | None = None  # arXiv primary category
    # The Hub's discussion count (hfjson's numComments, a page copy's comment line). It is
    # kept and merged like every other field, so no parsed value is lost on the way, but
    # it is not rendered: showing it would change what the site shows, which is a choice
    # of its own (render.front_matter lists the published keys).
    comments: int | None = None
    # A page copy's "N authors" and "Submitted by" lines: kept like comments, not rendered.
    author_count: int | None = None
    submitted_by: str | None = None


# The records pickled as their fields' values (see pickled_as_values), by class name.
_RECORDS: dict[str, tuple[type, tuple[str, ...]]] = {}


def pickled_as_values(cls: type) -> type:
    """A frozen dataclass that pickles as its fields' values and unpickles through
    ``record``, without ``__init__``: the memo holds one per page and per listing, and the
    default (a dict of the names for each) took twice as long to write and to read."""
    names = tuple(f.name for f in fields(cls))
    values = operator.attrgetter(*names)
    _RECORDS[cls.__name__] = (cls, names)
    cls.__reduce__ = lambda self: (record, (cls.__name__, *values(self)))
    return cls


def record(kind: str, *values: object) -> object:
    """A record of a class ``pickled_as_values`` registered, with these fields' values."""
    cls, names = _RECORDS[kind]
    made = object.__new__(cls)
    made.__dict__.update(zip(names, values))
    return made


@pickled_as_values  # the memo keeps every source's listings
@dataclass(frozen=True)
class Listing(Metadata):
    """One paper as one source file lists it on one digest day."""

    date: dt.date  # the digest day the paper was listed on
    source: str  # file name inside sources/
    line: int  # 1-based line of the title in the source (1 for JSON without lines)


@dataclass(frozen=True)
class Topic:
    """A curated topic: its identity, its description and its match rules."""

    slug: str
    name: str
    description: str
    phrases: tuple[str, ...] = ()  # case-insensitive, whole words
    words: tuple[str, ...] = ()  # case-sensitive, whole words (acronyms)
    patterns: tuple[str, ...] = ()  # regular expressions, case-insensitive
    exclude: tuple[str, ...] = ()  # case-insensitive phrases that veto a match
    strong: tuple[str, ...] = ()  # case-insensitive phrases that count on one mention
    title_only: tuple[str, ...] = ()  # case-insensitive phrases that count only in the title
    min_mentions: int = 2  # mentions of the other rules the abstract needs to count
    pattern_lines: tuple[int, ...] = field(default=(), compare=False)  # in topics.yml


@dataclass(frozen=True)
class Paper(Metadata):
    """One deduplicated paper with everything its listings say about it."""

    key: str  # "arxiv:<id>" when the id is known, else "title:<normalised title>"
    dates: tuple[dt.date, ...]  # every digest day it was listed on, ascending
    sources: tuple[str, ...]  # every source file naming it, sorted
    title_key: str  # the normalised title, kept to recognise it in any source
    abstract_changed: bool = False  # a later version's abstract differed
    # The first day of the latest unbroken run of listings showing the current title and
    # abstract: a feed entry is updated when the content changes, not when it is re-listed.
    content_since: dt.date | None = None
    first_seen: tuple = field(default=(), compare=False)  # (date, source, line) of first listing


@dataclass(frozen=True)
class Entry:
    """A paper as it will be published: its data, its slug and its curated state."""

    paper: Paper
    slug: str
    tags: tuple[str, ...]
    rule_tags: tuple[str, ...]
    curator_added: tuple[str, ...] = ()
    curator_removed: tuple[str, ...] = ()
    featured: bool = False
    hidden: bool = False
    notes: str = "\n"
    # A curator's word the page keeps (curate.CuratedPage): pages that are other papers,
    # and the pin or rejection of an arXiv match for 'digest enrich'.
    not_same_as: tuple[str, ...] = ()
    resolve: str | bool | None = None

    @property
    def latest(self) -> dt.date:
        """The last digest day the paper was listed on."""
        return self.paper.dates[-1]

    @cached_property
    def plain_title(self) -> str:
        """The title as plain text; empty when it cleans to nothing."""
        return clean.plain(self.paper.title)

    @cached_property
    def title(self) -> str:
        """The title as pages show it: plain text."""
        # A title that cleans to nothing ('~') is shown as written rather than blank.
        return self.plain_title or clean.one_line(self.paper.title)

    @cached_property
    def teaser(self) -> str:
        """One line about the paper (see :func:`teaser`)."""
        return teaser(self.paper)


def teaser(paper: Paper) -> str:
    """One line about the paper: its AI summary when known, else its first sentence."""
    text = clean.plain(paper.ai_summary or paper.abstract)
    sentence = text.split(". ")[0].rstrip(".") + "."
    if len(sentence) <= TEASER_LENGTH:
        return sentence
    cut = sentence[: TEASER_LENGTH - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


@dataclass(frozen=True)
class SiteInfo:
    """Site-wide settings the pages need."""

    name: str
    url: str  # with a trailing slash, or "" when unknown
    feed_size: int  # papers per feed, or the whole newest day if more; settings own the default
    page_size: int = 50  # cards per listing page; settings own the default
