"""generate and check on the bundled sources, through the real CLI."""

from __future__ import annotations

from pathlib import Path

import frontmatter
import pytest

from conftest import (ABSTRACT, GOLDEN, GOLDEN_FILES, GOLDEN_LISTINGS, GOLDEN_PAPERS, ROOT,
                      listing, run_digest, tree)


@pytest.fixture
def generated(bundled: Path) -> Path:
    result = run_digest(bundled, "generate")
    assert result.returncode == 0, result.stderr
    return bundled


def papers(root: Path) -> dict[str, frontmatter.Post]:
    return {p.stem: frontmatter.load(p) for p in sorted((root / "content/papers").glob("*.md"))}


def test_bundled_sources_give_the_golden_pages_and_a_summary_line(bundled):
    result = run_digest(bundled, "generate")
    assert result.returncode == 0, result.stderr
    sources, distinct = len(list((ROOT / "sources").iterdir())), len(GOLDEN_PAPERS)
    assert result.stdout == (
        f"generate: {GOLDEN_LISTINGS} listings read from {sources} files, {distinct} distinct "
        f"papers, {GOLDEN_LISTINGS - distinct} duplicates merged, {GOLDEN_FILES} files "
        "written, 0 unchanged\n")
    assert sorted(papers(bundled)) == sorted(GOLDEN_PAPERS)


def test_the_paper_listed_five_times_shows_five_dates_and_sources(generated):
    [post] = [p for p in papers(generated).values()
              if p["title"].startswith("How do neurons operate on sparse distributed")]
    assert [d.isoformat() for d in post["listed"]] == [
        "2025-03-11", "2025-03-13", "2025-03-17", "2025-07-31", "2025-09-08"]
    assert len(post["sources"]) == 5


def test_every_paper_has_a_topic_and_no_topic_holds_half(generated):
    posts = papers(generated).values()
    assert all(p["tags"] for p in posts)
    counts: dict[str, int] = {}
    for post in posts:
        for tag in post["tags"]:
            counts[tag] = counts.get(tag, 0) + 1
    assert max(counts.values()) <= len(posts) / 2
    assert 8 <= len(counts) <= 20


def test_front_matter_and_body_carry_what_a_reader_needs(generated):
    post = papers(generated)["codebook-features-sparse-and-discrete-interpretability-for-neural-networks"]
    assert {"title", "tags", "listed", "sources", "links"} <= set(post.keys())
    assert post["links"]["code"] == ["https://github.com/taufeeque9/codebook-features"]
    assert "arxiv.org/search" in post["links"]["paper"]
    assert "## Abstract" in post.content and "\n\n## Notes" in post.content


def test_second_generate_writes_nothing(generated):
    before = {p: p.stat().st_mtime_ns for p in (generated / "content").rglob("*")}
    result = run_digest(generated, "generate")
    assert result.returncode == 0
    assert f"0 files written, {GOLDEN_FILES} unchanged" in result.stdout
    assert {p: p.stat().st_mtime_ns for p in (generated / "content").rglob("*")} == before


def test_check_passes_after_generate_and_fails_after_a_new_source(generated):
    assert run_digest(generated, "check").returncode == 0
    (generated / "sources" / "2025-10-01-hf-papers.txt").write_text(
        listing("Oct 1", ("A brand new spiking paper", ABSTRACT)))
    result = run_digest(generated, "check")
    assert result.returncode == 1
    assert "content/dates/2025-10-01.md:1: is missing; run 'digest generate' and commit " \
           "the result" in result.stderr
    assert "Traceback" not in result.stderr


def test_content_matches_the_golden_copy(generated):
    """Refresh with: python -m tests.golden"""
    assert tree(generated / "content") == tree(GOLDEN), \
        "content/ differs from tests/golden; if the change is intended, run python -m tests.golden"


def test_committed_content_is_what_generate_writes():
    result = run_digest(ROOT, "check")
    assert result.returncode == 0, result.stderr
