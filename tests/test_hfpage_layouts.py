"""Page copies in every layout the reader knows read into exactly their papers.

The fixtures and their expected listings come from tests/hfpage_layouts.py, which builds
each copy from papers whose extras are known.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path

import pytest
import yaml

from generator.readers import SourceFile
from generator.readers.hfpage import read_page

from conftest import make_project, run_digest

FOLDER = Path(__file__).parent / "fixtures" / "hfpage_layouts"
COPIES = sorted(FOLDER.glob("*.txt"))
FIELDS = ("title", "abstract", "line", "upvotes", "author_count", "organization",
          "submitted_by", "published", "comments")


def _row(listing) -> dict:
    row = {k: v for k, v in asdict(listing).items() if k in FIELDS}
    row["published"] = row["published"].isoformat() if row["published"] else None
    return row


def test_there_are_at_least_eight_layouts():
    assert len(COPIES) >= 8


@pytest.mark.parametrize("path", COPIES, ids=[p.stem[11:] for p in COPIES])
def test_each_layout_reads_into_exactly_its_papers(path):
    reading = read_page(SourceFile(path.name, path.read_bytes()))
    expected = yaml.safe_load(path.with_suffix(".yml").read_text("utf-8"))
    assert [_row(x) for x in reading.listings] == expected
    assert reading.warnings == ()
    assert {x.date for x in reading.listings} == {dt.date(2025, 3, 11)}


def _copy(*lines: str) -> bytes:
    return "\n\n".join(lines).encode() + b"\n"


ABSTRACT = ("We study how networks of spiking neurons learn sparse codes from natural images "
            "and show that local learning rules reach competitive accuracy while using far "
            "less energy than conventional networks of comparable size on standard benchmarks.")


def test_a_line_it_cannot_place_is_a_warning_with_its_line():
    data = _copy("Mar 11", "A title", ABSTRACT, "12", "3 authors", "· Mar 10",
                 "Read the full paper →", "Second title", ABSTRACT, "4", "Lab", "· Mar 9")
    reading = read_page(SourceFile("2025-03-11-x.txt", data))
    assert [(x.title, x.upvotes) for x in reading.listings] == [("A title", 12),
                                                                ("Second title", 4)]
    [warning] = reading.warnings
    assert (warning.path, warning.line) == ("2025-03-11-x.txt", 13)
    assert "'Read the full paper →' is not a title, an abstract or an extra" in warning.message


def test_an_upvote_count_is_never_a_title():
    data = _copy("Mar 11", "A title", ABSTRACT, "12", "3 authors", "· Mar 10", "42", ABSTRACT)
    with pytest.raises(Exception) as caught:
        read_page(SourceFile("2025-03-11-x.txt", data))
    assert str(caught.value) == (
        "2025-03-11-x.txt:15: this abstract has no title above it (the line above is '42'); "
        "add the paper's title on the line before its abstract")


def test_a_paper_above_the_date_line_is_refused():
    data = _copy("A title", ABSTRACT, "Mar 11", "Second title", ABSTRACT)
    with pytest.raises(Exception) as caught:
        read_page(SourceFile("2025-03-11-x.txt", data))
    assert str(caught.value).startswith("2025-03-11-x.txt:1: no date line such as 'Sep 8'")


def test_generate_reports_the_warning_and_succeeds(tmp_path):
    root = make_project(tmp_path / "digest", {"2025-03-11-hf-papers.txt": _copy(
        "Mar 11", "A title", ABSTRACT, "12", "· Mar 10", "Sponsored: try our product",
        "Second title", ABSTRACT)})
    result = run_digest(root, "generate")
    assert result.returncode == 0, result.stderr
    assert ("sources/2025-03-11-hf-papers.txt:11: warning: 'Sponsored: try our product' is not a title, "
            "an abstract or an extra") in result.stderr
    check = run_digest(root, "check")
    assert check.returncode == 0, check.stderr
    assert "sources/2025-03-11-hf-papers.txt:11: warning: " in check.stderr
