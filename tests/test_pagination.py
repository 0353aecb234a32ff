"""Listing pages stay bounded: topics page back, the home page and the dates index show the
newest, and there is no Tags page listing every paper. Built with the real mkdocs at a page
size of 3 (``[tool.digest] page_size``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, strategies as st

from conftest import ABSTRACT, listing, make_project, run_digest, static_server, tree
from generator.render import PAGER_WINDOW, _pager, archive, page_path
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


def md_cards(text: str) -> list[str]:
    """The papers a generated listing page's cards link, in order."""
    return re.findall(r"\*\*\[[^\]]*\]\((?:\.\./)*papers/([\w-]+)\.md\)\*\*", text)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = small(tmp_path_factory.mktemp("pages"))
    result = run_digest(root, "build")
    assert result.returncode == 0, result.stderr + result.stdout
    return root


def test_a_topic_pages_back_through_every_paper(built):
    site = built / "site" / "topics" / TOPIC
    # The first page, then the archive from the newest page (3) to the oldest (1).
    pages = [site / "index.html"] + [site / "page" / str(n) / "index.html" for n in (3, 2, 1)]
    seen = []
    for page in pages:
        found = cards(page.read_text("utf-8"))
        assert len(found) == 3, (page, found)
        seen += found
    assert len(set(seen)) == 12 == len(seen)  # every paper once
    assert seen == [f"spiking-paper-{m}{d}{i}" for m in (3, 2, 1) for d in (2, 1) for i in (0, 1)]
    assert not (site / "page" / "4").exists()
    first = pages[0].read_text("utf-8")
    assert "12 papers" in first and "3 more pages, page 1 the oldest" in first
    assert 'href="page/3/"' in first and 'rel="next"' in first
    second = pages[2].read_text("utf-8")  # archive page 2
    assert "Page 2</strong>: 3 papers first listed from Jan 12, 2025 to Feb 11, 2025" in second
    assert 'href="../../"' in second  # Newest: the topic's own address
    assert 'href="../3/"' in second and 'href="../1/"' in second
    assert 'aria-current="page">2<' in second
    assert "12 papers" not in second  # nothing on an archive page changes as the topic grows


def test_a_new_day_leaves_the_archive_pages_as_they_were(tmp_path):
    root = small(tmp_path, size=2)
    assert run_digest(root, "generate").returncode == 0
    pages = root / "content" / "topics" / TOPIC / "page"
    before = {p.name: p.read_bytes() for p in pages.iterdir()}
    assert sorted(before) == ["1.md", "2.md", "3.md", "4.md", "5.md"]
    # Two days later: four new papers, and an old one listed again (it stays where it was).
    (root / "sources" / "2025-04-11-hf-papers.txt").write_text(listing(
        "Apr 11", ("Spiking Paper 220", ABSTRACT), ("Spiking Paper 411", ABSTRACT),
        ("Spiking Paper 412", ABSTRACT)), "utf-8")
    (root / "sources" / "2025-04-12-hf-papers.txt").write_text(listing(
        "Apr 12", ("Spiking Paper 421", ABSTRACT), ("Spiking Paper 422", ABSTRACT)), "utf-8")
    assert run_digest(root, "generate").returncode == 0
    after = {p.name: p.read_bytes() for p in pages.iterdir()}
    assert sorted(after) == ["1.md", "2.md", "3.md", "4.md", "5.md", "6.md", "7.md"]
    # Page 1 is as it was; 2 to 5 keep their papers, and gained links to the new pages 6
    # and 7 (page 2 a "…" where page 5 was the one page between its links and the newest;
    # page 4 also the new listing date of the paper listed again).
    assert after["1.md"] == before["1.md"]
    for name in ("2.md", "3.md", "4.md", "5.md"):
        assert md_cards(after[name].decode()) == md_cards(before[name].decode())
    assert md_cards(after["4.md"].decode()) == ["spiking-paper-220", "spiking-paper-221"]
    assert md_cards(after["7.md"].decode()) == ["spiking-paper-411", "spiking-paper-412"]


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
    assert (root / "content/topics" / TOPIC / "page" / "3.md").exists()
    text = (root / "pyproject.toml").read_text("utf-8")
    (root / "pyproject.toml").write_text(text.replace("page_size = 3", "page_size = 6"))
    assert run_digest(root, "generate").returncode == 0
    assert (root / "content/topics" / TOPIC / "page" / "1.md").exists()
    assert not (root / "content/topics" / TOPIC / "page" / "2.md").exists()
    before = tree(root)
    again = run_digest(root, "generate")
    assert "0 files written" in again.stdout and tree(root) == before


@pytest.mark.parametrize("value", ["0", '"ten"', "2.5"])
def test_a_bad_page_size_names_its_line(tmp_path, value):
    root = digest(tmp_path, PYPROJECT.replace("feed_size = 50", f"page_size = {value}"))
    [problem] = problems(root)
    assert problem == f"pyproject.toml:7: [tool.digest] page_size is {value}, but {FEED_SIZE_HINT}"


@given(st.integers(0, 60), st.integers(0, 40), st.integers(1, 7))
def test_an_archive_page_keeps_its_items_and_its_links_as_the_listing_grows(old, new, size):
    items = list(range(old))[::-1]  # newest first
    grown = list(range(old, old + new))[::-1] + items
    head, pages = archive(items, size)
    head2, pages2 = archive(grown, size)
    assert head + [x for page in reversed(pages) for x in page] == items
    assert all(len(page) == size for page in pages)
    assert len(head) == old if old < 2 * size else size <= len(head) < 2 * size
    assert pages2[:len(pages)] == pages  # no archive page loses or gains an item
    # A page's links change only while the newest archive page is within reach of it.
    for n in range(1, len(pages) + 1):
        if len(pages) > n + PAGER_WINDOW + 1:
            assert _pager("topics/x.md", page_path("topics/x.md", n), n, len(pages)) == \
                _pager("topics/x.md", page_path("topics/x.md", n), n, len(pages2))


@pytest.mark.parametrize("n, count, labels", [
    (0, 4, ["Newest", "4", "3", "2", "1"]),  # was "Newest 4 3 … 1": "…" hid one page
    (0, 5, ["Newest", "5", "4", "…", "1"]),  # two pages hidden: the gap stays
    (2, 5, ["Newest", "5", "4", "3", "2", "1"]),
    (5, 9, ["Newest", "…", "7", "6", "5", "4", "3", "2", "1"]),
])
def test_the_pager_hides_two_pages_or_more_never_just_one(n, count, labels):
    pager = _pager("topics/t.md", f"topics/t/page/{n}.md" if n else "topics/t.md", n, count)
    assert [label for label, _href in pager["links"]] == labels


def test_on_a_phone_every_page_number_is_a_target_a_finger_can_hit(built, browser):
    site_url = yaml.safe_load((built / "mkdocs.yml").read_text("utf-8"))["site_url"]
    with static_server(built / "site", site_url) as url:
        page = browser.new_page(viewport={"width": 375, "height": 740})
        page.goto(url + f"topics/{TOPIC}/page/2/")
        boxes = page.locator(".digest-pager__page").evaluate_all(
            "es => es.map(e => e.getBoundingClientRect()).map(r => [r.width, r.height])")
        page.close()
    # Newest, 3, 2 (this page) and 1; a bare digit was 9 px wide.
    assert len(boxes) == 4
    assert all(width >= 24 and height >= 24 for width, height in boxes), boxes
