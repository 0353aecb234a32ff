"""End to end: the real mkdocs build of the bundled digest, inspected as HTML."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import frontmatter

from conftest import ABSTRACT, make_project, run_digest, search_records


class Links(HTMLParser):
    """Collects hrefs inside one element (by id or class) of a page."""

    def __init__(self, within: str) -> None:
        super().__init__()
        self.within, self.depth, self.hrefs = within, 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            self.depth += 1
            if tag == "a" and attrs.get("href"):
                self.hrefs.append(attrs["href"])
        elif self.within in (attrs.get("class") or "").split() or attrs.get("id") == self.within:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1


def links_in(html: str, within: str) -> list[str]:
    parser = Links(within)
    parser.feed(html)
    return parser.hrefs


def posts(root: Path) -> dict[str, frontmatter.Post]:
    return {p.stem: frontmatter.load(p) for p in (root / "content/papers").glob("*.md")}


def paper_links(html: str) -> set[str]:
    return {m for m in re.findall(r'href="\.\./\.\./papers/([^/"]+)/"', html)}


def test_one_page_per_paper_topic_and_date(built_site):
    site = built_site / "site"
    assert {p.parent.name for p in (site / "papers").glob("*/index.html")} == set(posts(built_site))
    topics = {p.stem for p in (built_site / "content/topics").glob("*.md")} - {"index"}
    assert {p.parent.name for p in (site / "topics").glob("*/index.html")} == topics
    assert {p.parent.name for p in (site / "dates").glob("*/index.html")} == {
        "2025-03-11", "2025-03-13", "2025-03-17", "2025-07-31", "2025-09-08", "2025"}


def test_each_topic_page_lists_exactly_its_papers(built_site):
    by_topic: dict[str, set[str]] = {}
    for slug, post in posts(built_site).items():
        for tag in post["tags"]:
            by_topic.setdefault(tag, set()).add(slug)
    for topic, expected in by_topic.items():
        html = (built_site / f"site/topics/{topic}/index.html").read_text()
        assert paper_links(html) == expected, topic


def test_each_date_page_lists_exactly_its_papers(built_site):
    by_day: dict[str, set[str]] = {}
    for slug, post in posts(built_site).items():
        for day in post["listed"]:
            by_day.setdefault(day.isoformat(), set()).add(slug)
    for day, expected in by_day.items():
        html = (built_site / f"site/dates/{day}/index.html").read_text()
        assert paper_links(html) == expected, day


def test_search_indexes_each_paper_page_and_only_what_a_reader_searches_for(built_site):
    records = {r["url"]: r for r in search_records(built_site / "site")}
    papers = posts(built_site)
    # Paper pages only: the topic, date and home pages would repeat their text.
    assert set(records) == {f"/papers/{slug}/" for slug, post in papers.items()
                            if not post.get("hidden")}
    # A word that only one abstract holds is in that page's record only.
    word, slug = "blimp", "evolving-spiking-neural-networks-to-mimic-pid-control-for-autonomous-blimps"
    holders = [s for s, p in papers.items() if word in p.content.lower()]
    assert holders == [slug]
    assert [u for u, r in records.items() if word in r["content"].lower()] == [f"/papers/{slug}/"]
    post, record = papers[slug], records[f"/papers/{slug}/"]
    assert record["meta"]["title"] == post["title"]
    assert record["content"].startswith(post["title"])
    # Topics are words to find and a filter; so are the years and months it was listed.
    assert record["filters"]["topic"] == list(post["topics"].values())
    assert all(name in record["content"] for name in post["topics"].values())
    assert record["filters"]["year"] == sorted({str(d.year) for d in post["listed"]})
    assert record["filters"]["month"] == sorted({f"{d:%Y-%m}" for d in post["listed"]})
    assert record["meta"]["listed"] == str(max(post["listed"]))
    # Not the page's chrome, its links, its BibTeX or its empty sections' headings.
    for chrome in ("Reading list", "Search for it on", "arxiv.org", "@article", "Cite",
                   "Notes", "Abstract", "Find code", "Listed"):
        assert chrome not in record["content"], chrome


def test_navigation_holds_only_top_level_pages(built_site):
    html = (built_site / "site/papers" /
            "evolving-spiking-neural-networks-to-mimic-pid-control-for-autonomous-blimps/index.html"
            ).read_text()
    nav = links_in(html, "md-nav--primary")
    assert {h.rstrip("/").split("/")[-1] for h in nav if not h.startswith(("#", "http"))} == {
        "..", "topics", "dates", "reading-list"}


def test_paper_pages_are_small(built_site):
    sizes = [p.stat().st_size for p in (built_site / "site/papers").glob("*/index.html")]
    assert max(sizes) < 60_000


def _synthetic(n: int) -> dict[str, str]:
    days = {}
    for i in range(n):
        day = 1 + i % 20
        days.setdefault(day, []).append((f"Synthetic spiking paper number {i}", ABSTRACT))
    return {f"2025-01-{day:02d}-syn.txt": listing(f"Jan {day}", *items)
            for day, items in days.items()}


def test_doubling_the_papers_barely_changes_a_paper_page(tmp_path):
    sizes = []
    for n in (60, 120):
        root = make_project(tmp_path / str(n), _synthetic(n))
        result = run_digest(root, "build")
        assert result.returncode == 0, result.stderr
        sizes.append((root / "site/papers/synthetic-spiking-paper-number-7/index.html").stat().st_size)
    assert abs(sizes[1] - sizes[0]) / sizes[0] < 0.10, sizes


from conftest import listing  # noqa: E402
