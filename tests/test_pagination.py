"""Listing pages stay bounded: topics page back, the home page and the dates index show the
newest, and there is no Tags page listing every paper. Built with the real mkdocs at a page
size of 3 (``[tool.digest] page_size``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ABSTRACT, listing, make_project, run_digest, tree
from test_settings import FEED_SIZE_HINT, PYPROJECT, digest, problems

TOPIC = "spiking-networks"
DAYS = {f"2025-0{m}-1{d}-hf-papers.txt": listing(
    f"{['', 'Jan', 'Feb', 'Mar'][m]} 1{d}",
    *((f"Spiking Paper {m}{d}{i}", ABSTRACT) for i in range(2)))
    for m in (1, 2, 3) for d in (1, 2)}  # 6 days, 12 papers, all on spiking networks


def small(tmp_path: Path, size: int = 3) -> Path:
    root = make_project(tmp_path / "digest", DAYS)
    text = (root / "pyproject.toml").read_text("utf-8")
    (root / "pyproject.toml").write_text(
        text.replace("feed_size = 50", f"feed_size = 50\npage_size = {size}"), "utf-8")
    return root


def cards(html: str) -> list[str]:
    return re.findall(r'href="(?:\.\./)*papers/([\w-]+)/"', html.split('class="grid cards')[1]
                      .split("</div>")[0]) if 'class="grid cards' in html else []


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = small(tmp_path_factory.mktemp("pages"))
    result = run_digest(root, "build")
    assert result.returncode == 0, result.stderr + result.stdout
    return root


def test_a_topic_pages_back_through_every_paper(built):
    site = built / "site" / "topics" / TOPIC
    pages = [site / "index.html"] + [site / "page" / str(n) / "index.html" for n in (2, 3, 4)]
    seen = []
    for n, page in enumerate(pages, 1):
        html = page.read_text("utf-8")
        found = cards(html)
        assert len(found) == 3, (page, found)
        seen += found
        assert f"{n} of 4" in html
    assert len(set(seen)) == 12 == len(seen)  # every paper once, newest first
    assert not (site / "page" / "5").exists()
    first = pages[0].read_text("utf-8")
    assert 'href="page/2/"' in first and 'rel="next"' in first
    third = pages[2].read_text("utf-8")
    assert 'href="../../"' in third  # back to page 1, the topic's own address
    assert 'href="../2/"' in third and 'href="../4/"' in third
    assert 'aria-current="page"' in third


def test_the_home_page_and_dates_index_show_only_the_newest(built):
    home = (built / "site" / "index.html").read_text("utf-8")
    assert len(cards(home)) == 2  # the newest day's two papers, under the page size
    dates = (built / "site" / "dates" / "index.html").read_text("utf-8")
    listed = re.findall(r'href="(2025-\d\d-\d\d)/"', dates)
    assert listed == ["2025-03-12", "2025-03-11", "2025-02-12"]
    assert 'href="2025/"' in dates
    year = (built / "site" / "dates" / "2025" / "index.html").read_text("utf-8")
    assert len(re.findall(r'href="\.\./(2025-\d\d-\d\d)/"', year)) == 6


def test_there_is_no_tags_page(built):
    assert not (built / "site" / "tags").exists()
    assert not (built / "content" / "tags.md").exists()
    assert "tags/" not in (built / "site" / "index.html").read_text("utf-8").split("<main")[0]


def test_a_day_larger_than_a_page_links_its_date_page_from_home(tmp_path):
    root = small(tmp_path, size=1)
    assert run_digest(root, "generate").returncode == 0
    home = (root / "content" / "index.md").read_text("utf-8")
    assert "[All 2 papers of Mar 12, 2025 →](dates/2025-03-12.md)" in home


def test_fewer_pages_remove_the_pages_no_longer_needed_and_a_rerun_writes_nothing(tmp_path):
    root = small(tmp_path)
    assert run_digest(root, "generate").returncode == 0
    assert (root / "content/topics" / TOPIC / "page" / "4.md").exists()
    text = (root / "pyproject.toml").read_text("utf-8")
    (root / "pyproject.toml").write_text(text.replace("page_size = 3", "page_size = 6"))
    assert run_digest(root, "generate").returncode == 0
    assert (root / "content/topics" / TOPIC / "page" / "2.md").exists()
    assert not (root / "content/topics" / TOPIC / "page" / "3.md").exists()
    before = tree(root)
    again = run_digest(root, "generate")
    assert "0 files written" in again.stdout and tree(root) == before


@pytest.mark.parametrize("value", ["0", '"ten"', "2.5"])
def test_a_bad_page_size_names_its_line(tmp_path, value):
    root = digest(tmp_path, PYPROJECT.replace("feed_size = 50", f"page_size = {value}"))
    [problem] = problems(root)
    assert problem == f"pyproject.toml:7: [tool.digest] page_size is {value}, but {FEED_SIZE_HINT}"
