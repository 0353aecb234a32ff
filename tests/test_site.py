"""End to end: the real mkdocs build of the bundled digest, inspected as HTML."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import frontmatter
from lunr import lunr

from conftest import ABSTRACT, make_project, run_digest


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


def test_search_index_holds_every_paper_and_finds_a_word_from_one_abstract(built_site):
    index = json.loads((built_site / "site/search/search_index.json").read_text())
    located = {d["location"] for d in index["docs"]}
    assert {f"papers/{slug}/" for slug in posts(built_site)} <= located
    # "Brimming" style test: a word that only one abstract contains.
    word, slug = "blimp", "evolving-spiking-neural-networks-to-mimic-pid-control-for-autonomous-blimps"
    holders = [s for s, p in posts(built_site).items() if word in p.content.lower()]
    assert holders == [slug]
    docs = [d for d in index["docs"] if "#" not in d["location"]]
    idx = lunr(ref="location", fields=("title", "text"), documents=docs)
    assert [r["ref"] for r in idx.search(word)] == [f"papers/{slug}/"]


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
