"""digest add --date with a listing that dates its own papers (issue 13, case 17b)."""

from __future__ import annotations

from pathlib import Path

from conftest import run_digest, tree
from test_add_diff import refused, small_project

FIXTURE = Path(__file__).parent / "fixtures/newsassistant_hf_daily_papers_2026-08-03.json"


def test_add_refuses_a_date_that_the_json_does_not_list(tmp_path):
    root = small_project(tmp_path)
    daily = tmp_path / "daily.json"
    daily.write_text(FIXTURE.read_text("utf-8"), "utf-8")
    before = tree(root)
    result = run_digest(root, "add", str(daily), "--date", "2026-08-05")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "daily.json: --date says 2026-08-05 but this file lists papers of 2026-08-03; pass "
        "the file's day with --date, or leave --date out to take it from the file")
    assert tree(root) == before  # in particular no sources/2026-08-05-hf-daily.json


def test_add_accepts_a_date_that_the_json_lists(tmp_path):
    root = small_project(tmp_path)
    daily = tmp_path / "daily.json"
    daily.write_text(FIXTURE.read_text("utf-8"), "utf-8")
    result = run_digest(root, "add", str(daily), "--date", "2026-08-03")
    assert result.returncode == 0, result.stderr
    assert (root / "sources/2026-08-03-hf-daily.json").exists()  # as fetch names it


def test_add_refuses_a_hub_json_of_a_day_fetch_already_saved(tmp_path):
    root = small_project(tmp_path)
    fetched = root / "sources/2026-08-03-hf-daily.json"  # as 'digest fetch' saves it
    fetched.write_text(FIXTURE.read_text("utf-8"), "utf-8")
    assert run_digest(root, "generate").returncode == 0
    daily = tmp_path / "daily.json"
    # The same day as the Hub answered it a little later (its upvotes changed).
    text = FIXTURE.read_text("utf-8")
    assert '"upvotes": 3' in text
    daily.write_text(text.replace('"upvotes": 3', '"upvotes": 5', 1), "utf-8")
    # Before, it was saved beside it as 2026-08-03-hf-papers.json: one day, two sources.
    refused(root, daily, "daily.json: sources/2026-08-03-hf-daily.json already exists; a "
                         "listing of 2026-08-03 in this format is already in the digest")
