"""A page belongs to its paper: another paper with the same title never takes it over."""

from __future__ import annotations

import json
from pathlib import Path

import frontmatter

from conftest import make_project
from generator import pipeline
from generator.project import Project

TITLE = "Scaling Laws Revisited"
# Long enough to read as an abstract: the page-copy reader anchors on long lines.
ABSTRACT = ("We revisit scaling laws for language models and show that careful data "
            "selection changes the fitted exponents across several model families, "
            "sizes and training budgets.")
NOTE = "Read this one first: the appendix has the fits."


def item(arxiv: str, day: str) -> dict:
    """One daily-papers item in the Hub's 2026 shape."""
    return {"paper": {"id": arxiv, "title": TITLE, "summary": ABSTRACT,
                      "authors": [{"name": "Ann Author", "hidden": False}],
                      "publishedAt": f"{day}T00:00:00.000Z",
                      "submittedOnDailyAt": f"{day}T00:00:00.000Z", "upvotes": 3}}


def generate(root: Path) -> None:
    pipeline.generate(Project.load(root))


def pages(root: Path) -> dict[str, frontmatter.Post]:
    return {p.stem: frontmatter.load(p) for p in sorted((root / "content/papers").glob("*.md"))}


def test_a_second_paper_with_the_same_title_does_not_take_the_curated_page(tmp_path):
    root = make_project(tmp_path / "d", {
        "2025-10-20-hf-daily.json": json.dumps([item("2510.50000", "2025-10-20")])})
    generate(root)
    page = root / "content/papers/scaling-laws-revisited.md"
    text = page.read_text("utf-8").replace("featured: false", "featured: true")
    page.write_text(text + f"\n{NOTE}\n", "utf-8")
    generate(root)

    (root / "sources/2025-10-21-hf-daily.json").write_text(
        json.dumps([item("2401.00001", "2025-10-21")]), "utf-8")
    generate(root)

    found = pages(root)
    curated = [slug for slug, post in found.items() if NOTE in post.content]
    assert curated == ["scaling-laws-revisited"]
    post = found["scaling-laws-revisited"]
    assert post["id"] == "arxiv:2510.50000" and post["featured"] is True
    other, = (post for slug, post in found.items() if slug != "scaling-laws-revisited")
    assert other["id"] == "arxiv:2401.00001" and other["featured"] is False
    assert pipeline.check(Project.load(root)) == []


def test_a_title_match_still_gives_an_id_to_a_page_that_had_none(tmp_path):
    listing = ("Daily Papers\n\nOct 20\n\n" f"{TITLE}\n\n{ABSTRACT}\n\n")
    root = make_project(tmp_path / "d", {"2025-10-20-hf-papers.txt": listing})
    generate(root)
    page = root / "content/papers/scaling-laws-revisited.md"
    assert frontmatter.load(page)["id"].startswith("title:")
    page.write_text(page.read_text("utf-8") + f"\n{NOTE}\n", "utf-8")
    (root / "sources/2025-10-21-hf-daily.json").write_text(
        json.dumps([item("2510.50000", "2025-10-21")]), "utf-8")
    generate(root)
    post, = pages(root).values()
    assert post["id"] == "arxiv:2510.50000" and NOTE in post.content
