"""A search index built in parts (overrides/search_index.py) searches as one index.

At 50,000 papers one Pagefind run would need about 4 GB, so the papers are indexed in parts;
here the bundled digest's 210 papers are split 50 a part (``extra: search_part_size``),
and the search page must find papers of every part, rank an exact title first and filter
by topic across them.
"""

from __future__ import annotations

import json
from pathlib import Path

import frontmatter
import pytest

from conftest import make_project, run_digest, search_records, static_server

PART = 50


def _configure(root: Path, extra: str) -> None:
    config = root / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + f"\nextra:\n  {extra}\n", "utf-8")


@pytest.fixture(scope="module")
def parted(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("parts") / "digest", bundled=True)
    _configure(root, f"search_part_size: {PART}")
    result = run_digest(root, "build")
    assert result.returncode == 0, result.stderr
    return root


def _papers(root: Path) -> dict[str, frontmatter.Post]:
    return {p.stem: frontmatter.load(p) for p in (root / "content/papers").glob("*.md")}


def test_the_parts_hold_every_paper_once_oldest_first(parted):
    site = parted / "site"
    parts = json.loads((site / "pagefind/parts.json").read_text("utf-8"))["parts"]
    papers = _papers(parted)
    assert parts == [str(n) for n in range(-(-len(papers) // PART))]
    held = [{r["url"] for r in search_records(site, part)} for part in parts]
    sizes = [len(urls) for urls in held]
    assert max(sizes) <= PART and max(sizes) - min(sizes) <= 1  # as few as fit, even
    every = [url for urls in held for url in urls]
    assert sorted(every) == sorted(f"/papers/{slug}/" for slug in papers)
    first = {f"/papers/{slug}/": min(post["listed"]) for slug, post in papers.items()}
    for older, newer in zip(held, held[1:]):
        assert max(first[u] for u in older) <= min(first[u] for u in newer)


def test_search_finds_papers_of_every_part_and_filters_across_them(parted, browser):
    site = parted / "site"
    parts = json.loads((site / "pagefind/parts.json").read_text("utf-8"))["parts"]
    titles = {r["url"]: r["meta"]["title"] for r in search_records(site)}
    # The first paper of the oldest part and of the newest.
    wanted = [min(r["url"] for r in search_records(site, part)) for part in (parts[0], parts[-1])]
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    with static_server(site) as url:
        for paper in wanted:
            page.goto(url + "search/", wait_until="load")
            page.fill("#digest-search-q", titles[paper])
            page.press("#digest-search-q", "Enter")
            page.wait_for_selector(".digest-search__result")
            first = page.locator(".digest-search__title a").first
            assert first.get_attribute("href").endswith(paper.lstrip("/")), titles[paper]
        page.goto(url + "search/?q=learning&topic=Spiking+neural+networks", wait_until="load")
        page.wait_for_selector(".digest-search__result")
        facts = page.locator(".digest-search__facts").all_inner_texts()
        assert facts and all("Spiking neural networks" in f for f in facts)
        shown = {h.split("/papers/")[1] for h in page.locator(".digest-search__title a")
                 .evaluate_all("as => as.map(a => a.href)")}
    page.close()
    assert errors == []
    # The results come from more than one part.
    homes = {part for part in parts for r in search_records(site, part)
             if r["url"] in {f"/papers/{s}" for s in shown}}
    assert len(homes) > 1, homes


@pytest.mark.parametrize("value", ["0", "-3", "many", "true"])
def test_a_bad_part_size_stops_the_build_with_a_message(tmp_path, value):
    root = make_project(tmp_path / "digest", bundled=True)
    _configure(root, f"search_part_size: {value}")
    result = run_digest(root, "build")
    assert result.returncode != 0
    assert "search_part_size must be a whole number of papers" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
