"""Page slugs: short, safe, unique, and stable once a page exists.

A slug is ASCII, lowercase, at most 80 characters, and a plain file name: no dots, no
slashes, no reserved device names. An existing page keeps its slug whatever happens to the
title. New papers are given slugs in the order they were first listed, so when two would
collide, the one listed first keeps the plain slug and the other gets a numbered one.
"""

from __future__ import annotations

import hashlib
from typing import Callable

from slugify import slugify

from .curate import CuratedPage
from .dedupe import identity_title
from .model import Paper

MAX_LENGTH = 80
# Windows device names, and names the site itself uses next to paper pages.
_RESERVED = {"con", "prn", "aux", "nul", "index", "tags", "search", "assets", "feeds",
             *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def base_slug(title: str, key: str) -> str:
    """The slug a title asks for, before collisions are resolved."""
    slug = slugify(title, max_length=MAX_LENGTH, word_boundary=True, save_order=True)
    if not slug:
        # Nothing transliterates (an all-emoji title): fall back to a stable digest of the key.
        slug = "paper-" + hashlib.sha256(key.encode()).hexdigest()[:10]
    if slug in _RESERVED:
        slug = f"paper-{slug}"
    return slug


def match_pages(papers: list[Paper], pages: list[CuratedPage],
                identity: Callable[[str], str] = identity_title) -> dict[str, CuratedPage]:
    """Map paper keys to the existing page each one already has.

    A page with an arXiv id belongs to that id alone. A title match is only allowed to a
    page without an id: one that never had it, or that a source now gives an id to.
    ``identity`` is dedupe's identity_title, or the memo's copy of it.
    """
    by_key = {p.key: p for p in pages}
    by_arxiv = {p.arxiv_id: p for p in pages if p.arxiv_id}
    by_title: dict[str, CuratedPage] = {}
    for page in sorted(pages, key=lambda p: p.path):
        if page.arxiv_id or page.key.startswith("arxiv:"):
            continue  # another paper of the same title must not take its notes
        by_title.setdefault(identity(page.title), page)
        if page.key.startswith("title:"):
            by_title.setdefault(page.key[len("title:"):], page)
    found: dict[str, CuratedPage] = {}
    taken: set[str] = set()
    # Ids first, for every paper, so no title match can take a page its own paper claims.
    for lookup in (lambda paper: by_key.get(paper.key) or by_arxiv.get(paper.arxiv_id),
                   lambda paper: by_title.get(paper.title_key)):
        for paper in papers:
            candidate = None if paper.key in found else lookup(paper)
            if candidate is not None and candidate.path not in taken:
                found[paper.key] = candidate
                taken.add(candidate.path)
    return found


def assign_slugs(papers: list[Paper], existing: dict[str, str],
                 reserved: frozenset[str] = frozenset()) -> dict[str, str]:
    """Slugs for all papers: existing ones kept, new ones unique in first-listed order."""
    slugs = dict(existing)
    used = set(existing.values()) | set(reserved)
    new = sorted((p for p in papers if p.key not in existing), key=lambda p: (p.first_seen, p.key))
    for paper in new:
        base = base_slug(paper.title, paper.key)
        slug, n = base, 2
        while slug in used:
            suffix = f"-{n}"
            slug = base[: MAX_LENGTH - len(suffix)].rstrip("-") + suffix
            n += 1
        used.add(slug)
        slugs[paper.key] = slug
    return slugs
