"""Likely duplicates: two pages whose titles differ only slightly.

A revised title (a page copy's title, then the Hub's JSON under a new subtitle) splits one
paper into two pages, because without an arXiv id on both the title is the identity. This
finds such pairs for ``digest check`` to name; only a curator merges them (``same_as``).

The score is rapidfuzz's ``fuzz.ratio`` (normalised Indel similarity, 0 to 100) of the
normalised titles. On the bundled sources and the samples (249 distinct titles), no two
different papers score above 66, while real revisions (a subtitle added or dropped, a word
changed, "A"/"The" dropped, a renamed method) score 87 and more. THRESHOLD sits in that gap,
nearer the revisions, so that a report is worth a curator's look.

Comparing every pair would be quadratic (50,000 papers: over a billion comparisons), so
each title is compared only with titles sharing one of its rarest words; titles 85% alike
share most of their words, rare ones included.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from .model import Entry

THRESHOLD = 85.0
RARE_WORDS = 2  # of each title, the words looked up
COMMON = 50  # a word in more titles than this is no use for finding a title's twin


@dataclass(frozen=True)
class Pair:
    """Two published papers that are likely one, the older listed first."""

    first: Entry
    second: Entry
    score: float


def likely_duplicates(entries: list[Entry], distinct: set[frozenset[str]] = frozenset()
                      ) -> list[Pair]:
    """Pairs of entries whose titles are THRESHOLD% alike or more.

    ``distinct`` holds pairs of slugs a curator said are different papers (``not_same_as``).
    Order: by the first entry's first listing, then slugs, so a report is stable.
    """
    titles = [entry.paper.title_key for entry in entries]
    words = [sorted(set(t.split())) for t in titles]
    postings: dict[str, list[int]] = defaultdict(list)
    for i, ws in enumerate(words):
        for w in ws:
            postings[w].append(i)
    pairs: dict[tuple[int, int], float] = {}
    for i, ws in enumerate(words):
        rare = sorted((w for w in ws if len(postings[w]) <= COMMON),
                      key=lambda w: (len(postings[w]), w))[:RARE_WORDS]
        # Each pair is scored from its lower index's side only, and in C (process.extract).
        candidates = sorted({j for w in rare for j in postings[w] if j > i})
        for _, score, at in process.extract(titles[i], [titles[j] for j in candidates],
                                            scorer=fuzz.ratio, score_cutoff=THRESHOLD,
                                            limit=None):
            pairs[(i, candidates[at])] = score
    out = []
    for (i, j), score in pairs.items():
        a, b = sorted((entries[i], entries[j]), key=lambda e: (e.paper.dates[0], e.slug))
        if frozenset((a.slug, b.slug)) not in distinct:
            out.append(Pair(a, b, score))
    return sorted(out, key=lambda p: (p.first.paper.dates[0], p.first.slug, p.second.slug))
