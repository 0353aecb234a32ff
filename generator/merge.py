"""Pages a curator merged: ``same_as: <slug>`` makes two pages one.

A page whose front-matter says ``same_as: other-slug`` describes the same paper as the page
``other-slug``. That page is kept, at its own URL, and the listings, dates, notes and tag
choices of both are folded into it; the page that said ``same_as`` becomes a redirect to
it, so links to its URL keep working. Nothing merges without a curator's ``same_as``: two
papers with the same title but different arXiv ids are two papers (``duplicates`` only
points them out).

Precedence on the kept page: its own notes come first, then each merged page's notes (by
file name); a tag either page's curator put in is shown, one either took out is not, put
in winning; it is featured if either page is, hidden only if the kept page is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .curate import CuratedPage, resolve_tags
from .errors import Collector
from .model import Paper


@dataclass(frozen=True)
class Merges:
    """What the curators' ``same_as`` keys ask for, checked against the papers."""

    aliases: dict[str, str]  # key of a merged paper -> key of the paper it joins
    folded: dict[str, tuple[CuratedPage, ...]]  # kept paper's key -> pages merged into it
    redirects: dict[str, str]  # slug of a page that goes -> slug of the page it points to


def resolve(papers: list[Paper], matched: dict[str, CuratedPage], pages: list[CuratedPage],
            problems: Collector) -> Merges:
    """Check every ``same_as`` and say which papers join which; problems go to ``problems``."""
    by_slug = {p.slug: p for p in pages}
    key_of = {id(page): key for key, page in matched.items()}
    aliases: dict[str, str] = {}
    folded: dict[str, list[CuratedPage]] = {}
    redirects: dict[str, str] = {}
    for page in sorted((p for p in pages if p.same_as), key=lambda p: p.path):
        target = by_slug.get(page.same_as)
        where = (page.path, page.same_as_line)
        if page.same_as == page.slug:
            problems.add(*where, "'same_as' names this page itself; name the page to keep, "
                                 "or remove the line")
        elif target is None:
            problems.add(*where, f"'same_as: {page.same_as}' names no page in the papers "
                                 "folder; use the file name, without .md, of the page to keep")
        elif target.same_as:
            problems.add(*where, f"'same_as: {page.same_as}' names a page that is itself "
                                 f"merged into '{target.same_as}'; write 'same_as: "
                                 f"{target.same_as}' here instead")
        elif id(target) not in key_of:
            problems.add(*where, f"'same_as: {page.same_as}' names a page no source lists any "
                                 "more; merge into a listed paper's page instead")
        else:
            kept = key_of[id(target)]
            redirects[page.slug] = target.slug
            merged = key_of.get(id(page))
            if merged is not None:
                aliases[merged] = kept
            folded.setdefault(kept, []).append(page)
    return Merges(aliases, {k: tuple(v) for k, v in folded.items()}, redirects)


def fold(kept: CuratedPage, merged: tuple[CuratedPage, ...]) -> CuratedPage:
    """The kept page as if it held the merged pages' notes and curated choices too."""
    notes = [n.strip("\n") for n in (kept.notes, *(p.notes for p in merged)) if n.strip()]
    added = dict.fromkeys(kept.curator_added)
    removed = set(kept.curator_removed)
    for page in merged:
        # Its choices as resolve_tags reads them, bookkeeping or not.
        choice = resolve_tags(page.rule_tags, page)
        added.update(dict.fromkeys(choice.added))
        removed |= set(choice.removed)
    extra_tags = tuple(t for t in added if t not in kept.tags)
    # A page the merged ones are not is not the kept one either; the kept page's own
    # pin or rejection wins over theirs.
    own = kept.slug
    others = dict.fromkeys(s for p in (kept, *merged) for s in p.not_same_as if s != own)
    resolve = next((p.resolve for p in (kept, *merged) if p.resolve is not None), None)
    return replace(
        kept,
        # Only merged notes change the kept page's notes: alone, they stay byte for byte.
        notes=kept.notes if all(not p.notes.strip() for p in merged)
        else "\n" + "\n\n".join(notes) + "\n",
        tags=kept.tags + extra_tags,
        curator_added=tuple(added),
        curator_removed=tuple(sorted(removed - set(added))),
        featured=kept.featured or any(p.featured for p in merged),
        not_same_as=tuple(others), resolve=resolve)
