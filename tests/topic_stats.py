"""How many topics the bundled papers carry: ``python -m tests.topic_stats [BEFORE] [AFTER]``.

Each argument is a folder of paper pages (default: the golden copy's papers). With two,
it also lists the ten papers whose topics changed most. Used by tests/test_topic_rules.py
and to measure a change to the topic rules in a pull request.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import frontmatter

GOLDEN_PAPERS = Path(__file__).parent / "golden" / "content" / "papers"


@dataclass(frozen=True)
class TopicStats:
    """Topics per paper across one folder of paper pages."""

    papers: int
    mean: float
    four_or_more: int
    most: int
    none: int  # papers with no topic at all
    over_five_uncurated: tuple[str, ...]  # titles of pages with more than 5 topics, not curated


def topics_by_title(folder: Path) -> dict[str, tuple[str, ...]]:
    """Each paper's title and its tags (after curation), read from its page."""
    pages = (frontmatter.load(p) for p in sorted(folder.glob("*.md")))
    return {post["title"]: tuple(post.get("tags") or ()) for post in pages}


def measure(folder: Path) -> TopicStats:
    """Mean, count with four or more, maximum, and uncurated pages over five."""
    posts = [frontmatter.load(p) for p in sorted(folder.glob("*.md"))]
    counts = [len(post.get("tags") or ()) for post in posts]
    over = tuple(post["title"] for post, n in zip(posts, counts) if n > 5
                 and not (post.get("curator_added") or post.get("curator_removed")))
    return TopicStats(len(counts), sum(counts) / len(counts), sum(n >= 4 for n in counts),
                      max(counts), counts.count(0), over)


def most_changed(before: Path, after: Path, n: int = 10) -> list[tuple[str, tuple, tuple]]:
    """The n papers whose topics changed most (symmetric difference), then by title."""
    old, new = topics_by_title(before), topics_by_title(after)
    rows = [(title, old[title], new[title]) for title in sorted(old.keys() & new.keys())]
    rows.sort(key=lambda r: -len(set(r[1]) ^ set(r[2])))
    return [r for r in rows[:n] if set(r[1]) != set(r[2])]


def _line(name: str, s: TopicStats) -> str:
    return (f"{name}: {s.papers} papers, mean {s.mean:.2f} topics/paper, {s.four_or_more} "
            f"with 4 or more, max {s.most}, {s.none} without a topic")


def main(argv: list[str]) -> None:
    folders = [Path(a) for a in argv] or [GOLDEN_PAPERS]
    for name, folder in zip(("before", "after") if len(folders) == 2 else ("papers",), folders):
        print(_line(name, measure(folder)))
    if len(folders) == 2:
        print("\nmost changed:")
        for title, old, new in most_changed(*folders):
            print(f"- {title}: {', '.join(old) or '(none)'} → {', '.join(new) or '(none)'}")


if __name__ == "__main__":
    main(sys.argv[1:])
