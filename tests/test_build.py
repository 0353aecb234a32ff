"""``digest build``: a build that fails leaves the last good site as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import DigestError
from generator.write import replaced_tree

from conftest import ABSTRACT, listing, make_project, run_digest, tree


def test_a_failed_build_leaves_the_site_as_it_was(tmp_path):
    root = make_project(tmp_path / "d", {
        "2025-01-01-hf-papers.txt": listing("Jan 1", ("Quiet maps", ABSTRACT))})
    assert run_digest(root, "build").returncode == 0
    before = tree(root / "site")
    page = root / "content/papers/quiet-maps.md"
    page.write_text(page.read_text("utf-8") + "See [the other paper](missing-paper.md).\n",
                    "utf-8")

    result = run_digest(root, "build")

    assert result.returncode == 1
    assert "missing-paper.md" in result.stderr  # mkdocs --strict names the broken link
    assert result.stderr.rstrip().endswith(
        "digest: the site was not built; site/ is as it was, and content/ is up to date")
    assert "nothing was written" not in result.stderr
    assert "Traceback" not in result.stderr
    # Before, mkdocs had emptied site/ and written the new pages, the broken one too.
    assert tree(root / "site") == before
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


def test_a_site_is_replaced_whole_only_when_the_block_succeeds(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "old.html").write_text("old")
    with pytest.raises(DigestError):
        with replaced_tree(site) as staging:
            (staging / "half.html").parent.mkdir()
            (staging / "half.html").write_text("half")
            raise DigestError.at("mkdocs.yml", None, "failed")
    assert tree(site) == {"old.html": b"old"} and not staging.exists()

    with replaced_tree(site) as staging:
        staging.mkdir()
        (staging / "new.html").write_text("new")
    assert tree(site) == {"new.html": b"new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_build_killed_before_it_replaced_the_site_is_cleared_by_the_next(tmp_path):
    site = tmp_path / "site"
    for left in (".site.building", ".site.replaced"):
        (tmp_path / left / "x").mkdir(parents=True)
    with replaced_tree(site) as staging:
        staging.mkdir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
