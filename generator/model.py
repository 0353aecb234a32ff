"""Domain records: what a source says about a paper, and the paper itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Listing:
    """One paper as one source file lists it on one digest day."""

    title: str
    abstract: str
    date: dt.date  # the digest day the paper was listed on
    source: str  # file name inside sources/
    line: int  # 1-based line of the title in the source (1 for JSON without lines)
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
    comments: int | None = None


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


@dataclass(frozen=True)
class Paper:
    """One deduplicated paper with everything its listings say about it."""

    key: str  # "arxiv:<id>" when the id is known, else "title:<normalised title>"
    title: str
    abstract: str
    dates: tuple[dt.date, ...]  # every digest day it was listed on, ascending
    sources: tuple[str, ...]  # every source file naming it, sorted
    title_key: str  # the normalised title, kept to recognise it in any source
    arxiv_id: str | None = None
    upvotes: int | None = None
    published: dt.date | None = None
    updated: dt.date | None = None
    authors: tuple[str, ...] = ()
    organization: str | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] = ()
    category: str | None = None
    abstract_changed: bool = False  # a later version's abstract differed
    first_seen: tuple = field(default=(), compare=False)  # (date, source, line) of first listing
