"""Slugs from hostile titles: safe file names inside content/papers, distinct and stable.

Through the real ``generate``: whatever the title, a paper page is a plain ASCII, lowercase
file name of at most 80 characters directly in content/papers, and it keeps that name when
later sources arrive. When two papers ask for the same slug, the one that had a URL first
keeps the plain slug.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import frontmatter
import pytest
from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st

from conftest import ABSTRACT, listing, make_project, run_digest
from generator import pipeline
from generator.errors import DigestError
from generator.project import Project

LONG = " ".join(["Supercalifragilisticexpialidocious"] * 29)  # 1,014 characters, 29 words
HOSTILE = ["../../etc/passwd", "CON", "a/b", ".hidden", "Index", "nul.txt",
           "\U0001F680\U0001F525\U0001F9E0", "\U0001F984\U0001F308", LONG,
           LONG + " again", "\u795e\u7ecf\u7f51\u7edc", "~/.ssh/id_rsa", "C:\\Windows\\System32",
           "%2e%2e%2fetc", "-", "...", "\u0391\u03b9-networks: \u00fcber sparse codes"]
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
PREFIX = ("Sparse spiking networks learn efficient codes for robots in cluttered "
          "homes and offices")  # 86 characters: longer than any slug
FIRST = PREFIX + " with event cameras"
SECOND = PREFIX + " without any labels"


def slugs_by_id(root: Path) -> dict[str, str]:
    return {frontmatter.load(p)["id"]: p.stem for p in (root / "content/papers").glob("*.md")}


def generate(root: Path) -> dict[str, str]:
    result = run_digest(root, "generate")
    assert result.returncode == 0, result.stderr
    return slugs_by_id(root)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    return make_project(tmp_path / "digest", {
        "2025-01-05-hf-papers.txt": listing("Jan 5", *((t, ABSTRACT) for t in HOSTILE))})


def test_hostile_titles_give_safe_distinct_slugs_inside_content(hostile):
    slugs = generate(hostile)
    assert len(slugs) == len(HOSTILE)
    assert len(set(slugs.values())) == len(HOSTILE)
    for slug in slugs.values():
        assert SLUG.fullmatch(slug) and len(slug) <= 80, slug
        assert slug not in {"con", "nul", "index", "tags", "search", "assets", "feeds"}
    papers = hostile / "content" / "papers"
    assert sorted(p.name for p in papers.iterdir()) == sorted(f"{s}.md" for s in slugs.values())
    # Nothing was written anywhere but the folders generate owns.
    # (and the git-ignored cache and memo: generator/cache.py, generator/memo.py).
    assert sorted(p.name for p in hostile.iterdir()) == [
        ".digest-cache.json", ".digest-cache.pickle", "content", "mkdocs.yml", "overrides",
        "pyproject.toml", "sources", "topics.yml"]
    assert sorted(p.name for p in (hostile / "content").iterdir()) == [
        "bib", "dates", "feeds", "index.md", "papers", "reading-list.md", "search.md", "topics"]
    assert not [p for p in hostile.parent.rglob("*") if p.name in ("passwd", "id_rsa")]


def test_hostile_slugs_do_not_change_when_more_sources_arrive(hostile):
    before = generate(hostile)
    (hostile / "sources" / "2025-01-04-hf-papers.txt").write_text(listing(
        "Jan 4", ("PRN", ABSTRACT), ("../../etc/shadow", ABSTRACT), (LONG + " once more", ABSTRACT),
        ("\U0001F9E0\U0001F680", ABSTRACT)))
    after = generate(hostile)
    assert len(after) == len(before) + 4
    assert {key: after[key] for key in before} == before
    assert len(set(after.values())) == len(after)


def test_the_paper_listed_first_keeps_the_plain_slug(tmp_path):
    # Same source: the upper one was listed first, whatever its title sorts as.
    root = make_project(tmp_path / "same", {
        "2025-01-05-hf-papers.txt": listing("Jan 5", (SECOND, ABSTRACT), (FIRST, ABSTRACT))})
    slugs = generate(root)
    plain = slugs[f"title:{SECOND.lower()}"]
    assert len(plain) <= 80 and slugs[f"title:{FIRST.lower()}"] == f"{plain[:78].rstrip('-')}-2"
    # Two days: the earlier day's paper keeps it, even when its file sorts later.
    root = make_project(tmp_path / "days", {
        "2025-01-06-a.txt": listing("Jan 6", (SECOND, ABSTRACT)),
        "2025-01-05-z.txt": listing("Jan 5", (FIRST, ABSTRACT))})
    slugs = generate(root)
    assert slugs[f"title:{FIRST.lower()}"] == plain
    assert slugs[f"title:{SECOND.lower()}"] == f"{plain[:78].rstrip('-')}-2"


def test_a_page_keeps_its_slug_when_an_earlier_colliding_paper_arrives_later(tmp_path):
    root = make_project(tmp_path / "digest", {
        "2025-01-06-hf-papers.txt": listing("Jan 6", (SECOND, ABSTRACT))})
    plain = generate(root)[f"title:{SECOND.lower()}"]
    # A backfilled older day lists a paper asking for the same slug: the URL already given stays.
    (root / "sources" / "2025-01-05-hf-papers.txt").write_text(
        listing("Jan 5", (FIRST, ABSTRACT)))
    slugs = generate(root)
    assert slugs[f"title:{SECOND.lower()}"] == plain
    assert slugs[f"title:{FIRST.lower()}"] == f"{plain[:78].rstrip('-')}-2"
    # And a fresh checkout of the same sources agrees with the collision rule, not the history.
    fresh = make_project(tmp_path / "fresh", {
        p.name: p.read_bytes() for p in (root / "sources").iterdir()})
    assert generate(fresh)[f"title:{FIRST.lower()}"] == plain


# --- any title: a safe slug, and a page the next run reads back unchanged -------------

pieces = st.one_of(
    st.sampled_from(["..", "/", "\\", ".", "CON", "nul", "index", "-", "~", ":", "*", "?",
                     "\U0001F680", "\U0001F9E0", "\u200d", "\u0301", "\u00df", "\u0130",
                     "\u03a3", "\u795e", "%2e", "\u00a0", " ", "_", "'", '"', "#", "&"]),
    st.text(st.characters(blacklist_categories=("Cs", "Zl", "Zp", "Cc")), max_size=5))
titles = st.lists(pieces, min_size=1, max_size=10).map("".join)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("titles") / "digest")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(first=titles, second=titles)
@example(first="..", second="~")  # '~' cleans to '': a page id 'title:' no run reads back
def test_any_titles_give_safe_slugs_and_pages_the_next_run_reads_back(scratch, first, second):
    shutil.rmtree(scratch / "content", ignore_errors=True)
    (scratch / "sources" / "2025-01-05-hf-papers.txt").write_text(
        listing("Jan 5", (first, ABSTRACT), (second, ABSTRACT)), "utf-8")
    project = Project.load(scratch)
    try:
        plan, _ = pipeline.generate(project)
    except DigestError:
        # A title the page-copy reader refuses (a date, an extras line) is not a test of
        # slugs: Hypothesis draws another, and fails if it can find too few it can use.
        reject()
    pages = sorted((scratch / "content" / "papers").iterdir())
    assert len(pages) == plan.stats.papers
    for page in pages:
        assert SLUG.fullmatch(page.stem) and len(page.stem) <= 80 and page.suffix == ".md"
    again, report = pipeline.generate(project)
    assert report.written == () and again.stats == plan.stats
