"""The shared records and helpers: one field list, one id parser, one timestamp parser."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from pathlib import Path

import pytest

from generator.clean import one_line
from generator.dedupe import deduplicate
from generator.errors import excerpt
from generator.model import Listing, Metadata, Paper, arxiv_id, arxiv_year
from generator.readers.base import utc_date
from generator.render import GENERATED_DIRS, GENERATED_FILES

GOLDEN = Path(__file__).parent / "golden" / "content"
D1, D2 = dt.date(2025, 3, 11), dt.date(2025, 3, 13)

# A value that is not the default for every field of Metadata.
EVERY_FIELD = dict(
    title="A Paper", abstract="Words.", arxiv_id="2401.00001", upvotes=4,
    published=dt.date(2024, 1, 2), updated=dt.date(2024, 2, 3), authors=("Ann", "Bo"),
    organization="Lab", github_repo="https://github.com/lab/a", github_stars=9,
    project_page="https://lab.example/a", ai_summary="It works.", ai_keywords=("maps",),
    category="cs.LG", comments=2, author_count=2, submitted_by="akhaliq")


def test_every_metadata_field_reaches_the_paper():
    assert {f.name for f in fields(Metadata)} == set(EVERY_FIELD)
    [paper] = deduplicate([Listing(date=D1, source="a.json", line=1, **EVERY_FIELD)])
    assert {name: getattr(paper, name) for name in EVERY_FIELD} == EVERY_FIELD


def test_each_field_comes_from_the_newest_listing_that_has_it():
    old = Listing(date=D1, source="a.txt", line=1, title="A Paper", abstract="Old.",
                  upvotes=3, comments=5)
    new = Listing(date=D2, source="b.txt", line=1, title="A paper", abstract="New.",
                  comments=0)
    [paper] = deduplicate([new, old])
    assert (paper.title, paper.abstract, paper.upvotes, paper.comments) == (
        "A paper", "New.", 3, 0)
    assert paper.authors == () and paper.organization is None


def test_listings_and_papers_declare_no_field_of_their_own_twice():
    shared = {f.name for f in fields(Metadata)}
    own = {f.name for f in fields(Listing)} - shared, {f.name for f in fields(Paper)} - shared
    assert own == ({"date", "source", "line"},
                   {"key", "dates", "sources", "title_key", "abstract_changed", "first_seen",
                    "content_since"})


@pytest.mark.parametrize("text, expected", [
    ("2410.17243", "2410.17243"), ("2410.17243v2", "2410.17243"), ("0704.0001", "0704.0001"),
    ("hep-th/9901001v1", "hep-th/9901001"), ("math.AG/0101001", "math.AG/0101001"),
    ("2410.172", None), ("arXiv:2410.17243", None), (" 2410.17243", None), ("", None)])
def test_arxiv_id_strips_the_version_and_refuses_anything_else(text, expected):
    assert arxiv_id(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("2410.17243", 2024), ("0704.0001", 2007), ("hep-th/9901001", None), ("nonsense", None)])
def test_arxiv_year_reads_new_style_ids_only(text, expected):
    assert arxiv_year(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("2026-06-11T17:59:49Z", dt.date(2026, 6, 11)),
    ("2026-06-12T00:00:00.000Z", dt.date(2026, 6, 12)),
    ("2026-06-11T23:30:00-02:00", dt.date(2026, 6, 12)),  # a later day in UTC
    (" 2026-06-11 ", dt.date(2026, 6, 11)),
    ("June 11", None), ("2026-13-01T00:00:00Z", None), ("", None)])
def test_utc_date_is_the_day_in_utc(text, expected):
    assert utc_date(text) == expected


def test_excerpt_and_one_line():
    assert excerpt("short") == "'short'"
    assert excerpt("x" * 61) == repr("x" * 59 + "…")
    assert excerpt("abcdef", 4) == "'abc…'"
    assert one_line("  two\n\tlines\u00a0here ") == "two lines here"


def test_the_declared_generated_paths_are_what_the_renderer_writes():
    written = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    outside_papers = {p for p in written if not p.startswith("papers/")}
    tops = {p.split("/", 1)[0] if "/" in p else p for p in outside_papers}
    assert tops == set(GENERATED_DIRS) | set(GENERATED_FILES)
    assert all(p.split("/", 1)[0] in GENERATED_DIRS for p in outside_papers if "/" in p)
    assert all(p in GENERATED_FILES for p in outside_papers if "/" not in p)
