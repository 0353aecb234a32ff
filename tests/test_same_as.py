"""Near-duplicates: a revised title splits one paper in two; check names the pair, and a
curator's ``same_as`` makes them one page again, the other URL redirecting to it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import frontmatter
import pytest

from conftest import make_project, run_digest
from test_formats_merge import ABSTRACT, ARXIV, TITLE, item, page_copy

REVISED = "Codebook Features: Sparse and Discrete Interpretability of Neural Networks"
OLD = "codebook-features-sparse-and-discrete-interpretability-for-neural-networks"
NEW = "codebook-features-sparse-and-discrete-interpretability-of-neural-networks"
NOTE_OLD = "Read the appendix first."
NOTE_NEW = "Compare with sparse autoencoders."


def split_digest(tmp_path: Path) -> Path:
    """A page copy on Sep 8, then the Hub's JSON on Sep 9 under a revised title."""
    root = make_project(tmp_path / "digest", {
        "2025-09-08-hf-papers.txt": page_copy(8),
        "2025-09-09-hf-daily.json": json.dumps([item("2025-09-09", title=REVISED)]),
        # An unrelated paper, to show that only the pair is named.
        "2025-09-10-hf-papers.txt": page_copy(10, "Spiking Networks Learn Sparse Codes",
                                              ABSTRACT),
    })
    assert run_digest(root, "generate").returncode == 0
    return root


def add(root: Path, slug: str, key: str, value: str, note: str | None = None) -> None:
    path = root / "content/papers" / f"{slug}.md"
    text = path.read_text("utf-8").replace("\ntags:", f"\n{key}: {value}\ntags:", 1)
    if note:
        text += f"\n{note}\n"
    path.write_text(text, "utf-8")


def test_a_revised_title_is_reported_by_check_as_a_likely_duplicate(tmp_path):
    root = split_digest(tmp_path)
    assert {p.stem for p in (root / "content/papers").glob("*.md")} == {
        OLD, NEW, "spiking-networks-learn-sparse-codes"}
    result = run_digest(root, "check")
    assert result.returncode == 0, result.stderr
    [line] = [x for x in result.stderr.splitlines() if "likely the same paper" in x]
    assert line.startswith(f"content/papers/{NEW}.md: warning: likely the same paper as "
                           f"content/papers/{OLD}.md (titles 9")
    assert f"add 'same_as: {OLD}' to this page's front-matter" in line
    # A curator who knows better silences it.
    add(root, NEW, "not_same_as", f"[{OLD}]")
    assert "likely the same paper" not in run_digest(root, "check").stderr


def test_not_same_as_stays_on_the_page_through_generate(tmp_path):
    # generate rewrites the front-matter: a curator's not_same_as was dropped by it, and
    # check named the pair again.
    root = split_digest(tmp_path)
    add(root, NEW, "not_same_as", f"[{OLD}]")
    result = run_digest(root, "generate")
    assert result.returncode == 0, result.stderr
    page = root / "content/papers" / f"{NEW}.md"
    assert frontmatter.load(page)["not_same_as"] == [OLD]
    written = page.read_bytes()
    again = run_digest(root, "generate")
    assert again.returncode == 0 and "0 files written" in again.stdout, again.stdout
    assert page.read_bytes() == written
    check = run_digest(root, "check")
    assert check.returncode == 0, check.stderr
    assert "likely the same paper" not in check.stderr


def test_a_merged_pages_not_same_as_moves_to_the_kept_page(tmp_path):
    root = split_digest(tmp_path)
    other = "spiking-networks-learn-sparse-codes"
    add(root, NEW, "same_as", OLD)
    add(root, NEW, "not_same_as", f"[{other}]")
    result = run_digest(root, "generate")
    assert result.returncode == 0, result.stderr
    assert frontmatter.load(root / "content/papers" / f"{OLD}.md")["not_same_as"] == [other]


def test_same_as_keeps_one_page_with_both_notes_and_dates_and_redirects_the_other(tmp_path):
    root = split_digest(tmp_path)
    add(root, OLD, "featured", "true", NOTE_OLD)
    text = (root / "content/papers" / f"{OLD}.md").read_text("utf-8")
    (root / "content/papers" / f"{OLD}.md").write_text(
        text.replace("featured: false\n", ""), "utf-8")
    add(root, NEW, "same_as", OLD, NOTE_NEW)
    result = run_digest(root, "build")
    assert result.returncode == 0, result.stderr + result.stdout

    kept = frontmatter.load(root / "content/papers" / f"{OLD}.md")
    assert kept["title"] == REVISED  # the newest title, at the first URL
    assert kept["arxiv"] == ARXIV
    assert [str(d) for d in kept["listed"]] == ["2025-09-08", "2025-09-09"]
    assert kept["featured"] is True
    raw = (root / "content/papers" / f"{OLD}.md").read_text("utf-8")
    assert raw.split("\n## Notes\n", 1)[1] == f"\n{NOTE_OLD}\n\n{NOTE_NEW}\n"
    gone = frontmatter.load(root / "content/papers" / f"{NEW}.md")
    assert (gone["same_as"], gone["template"]) == (OLD, "redirect.html")

    site = root / "site"
    html = (site / "papers" / NEW / "index.html").read_text("utf-8")
    assert f'<meta http-equiv="refresh" content="0; url=../{OLD}/">' in html
    assert f'href="../{OLD}/"' in html
    # One paper page, listed once on its day and in the feed; the redirect nowhere.
    day = (site / "dates" / "2025-09-09" / "index.html").read_text("utf-8")
    assert day.count(f"papers/{OLD}/") >= 1 and f"papers/{NEW}/" not in day
    assert f"papers/{NEW}/" not in (site / "feeds" / "all.xml").read_text("utf-8")
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    assert sitemap.startswith("<?xml") and f"papers/{OLD}/" in sitemap
    assert f"papers/{NEW}/" not in sitemap  # a redirect, noindex

    # Nothing left to do: a second run writes nothing and check passes quietly.
    before = {p: p.read_bytes() for p in (root / "content").rglob("*") if p.is_file()}
    again = run_digest(root, "generate")
    assert again.returncode == 0 and "0 files written" in again.stdout, again.stdout
    assert before == {p: p.read_bytes() for p in (root / "content").rglob("*") if p.is_file()}
    check = run_digest(root, "check")
    assert check.returncode == 0 and "likely the same paper" not in check.stderr, check.stderr


def test_two_papers_sharing_a_title_are_never_merged_without_a_curator(tmp_path):
    other = item("2025-09-09")
    other["paper"]["id"] = "2501.00001"
    root = make_project(tmp_path / "digest", {
        "2025-09-09-hf-daily.json": json.dumps([item("2025-09-09"), other])})
    assert run_digest(root, "generate").returncode == 0
    slugs = sorted(p.stem for p in (root / "content/papers").glob("*.md"))
    assert slugs == [OLD, f"{OLD}-2"]
    ids = {frontmatter.load(root / "content/papers" / f"{s}.md")["arxiv"] for s in slugs}
    assert ids == {ARXIV, "2501.00001"}
    assert "likely the same paper" in run_digest(root, "check").stderr


@pytest.mark.parametrize("value, message", [
    ("no-such-page", "'same_as: no-such-page' names no page in the papers folder"),
    (NEW, "'same_as' names this page itself"),
])
def test_a_bad_same_as_is_an_error_on_its_line(tmp_path, value, message):
    root = split_digest(tmp_path)
    add(root, NEW, "same_as", value)
    result = run_digest(root, "generate")
    assert result.returncode == 1
    text = (root / "content/papers" / f"{NEW}.md").read_text("utf-8")
    line = text.split("\n").index(f"same_as: {value}") + 1
    assert f"content/papers/{NEW}.md:{line}: {message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_not_same_as_naming_no_other_page_is_a_warning_on_its_line(tmp_path):
    root = split_digest(tmp_path)
    add(root, NEW, "not_same_as", f"[{NEW}, {OLD}x]")  # itself, and a misspelt slug
    page = root / "content/papers" / f"{NEW}.md"
    # check says so, as it names likely duplicates; generate, which moves the line, does not.
    for command in ("check", "generate", "check"):
        line = next(n for n, text in enumerate(page.read_text("utf-8").split("\n"), 1)
                    if text.startswith("not_same_as:"))
        result = run_digest(root, command)
        warnings = [w for w in result.stderr.splitlines() if "warning: 'not_same_as'" in w]
        if command == "generate":
            assert result.returncode == 0 and warnings == [], result.stderr
            continue
        assert warnings == [
            f"content/papers/{NEW}.md:{line}: warning: 'not_same_as' names this page itself "
            f"({NEW}); remove it",
            f"content/papers/{NEW}.md:{line}: warning: 'not_same_as' names '{OLD}x', which is "
            "no page in the papers folder; use the other page's file name without .md, or "
            "remove it"], command


def test_a_chain_of_same_as_is_refused(tmp_path):
    root = split_digest(tmp_path)
    add(root, OLD, "same_as", "spiking-networks-learn-sparse-codes")
    add(root, NEW, "same_as", OLD)
    result = run_digest(root, "generate")
    assert result.returncode == 1
    assert re.search(rf"{NEW}.md:\d+: 'same_as: {OLD}' names a page that is itself merged "
                     r"into 'spiking-networks-learn-sparse-codes'", result.stderr)
