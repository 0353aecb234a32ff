"""Citations and navigation, read from the HTML of the real mkdocs build.

The bundled page copies plus a Hub JSON day (authors, upvotes, arXiv ids, publication
dates), one of whose papers has a title and an author written to break out of an attribute,
one of which has no upvotes and one a single upvote.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import frontmatter
import pytest
import yaml

from conftest import FIXTURES, make_project, run_digest
from generator import clean
from test_reader_pages import cards, day, slug_of

JSON_DAY = FIXTURES / "sotawhat_hf_daily_papers_2026-06-12.json"
HOSTILE_TITLE = 'Quotes " and <b>tags</b> & \'apostrophes\' in a title'
HOSTILE_AUTHOR = 'O\'Brien "><script>alert(1)</script>'


class Head(HTMLParser):
    """The ``<meta name=...>`` tags, ``<title>`` and edit links of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.title = ""
        self.edit: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name"):
            self.meta.setdefault(attrs["name"], []).append(attrs.get("content", ""))
        elif tag == "title":
            self._in_title = True
        elif tag == "a" and attrs.get("rel") == "edit":
            self.edit.append(attrs["href"])

    def handle_endtag(self, tag):
        self._in_title = self._in_title and tag != "title"

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def head(path: Path) -> Head:
    parser = Head()
    parser.feed(path.read_text("utf-8"))
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("cite") / "d", bundled=True)
    items = json.loads(JSON_DAY.read_text("utf-8"))
    items[0]["paper"]["title"] = HOSTILE_TITLE
    items[0]["paper"]["authors"][0]["name"] = HOSTILE_AUTHOR
    del items[1]["paper"]["upvotes"]
    items[2]["paper"]["upvotes"] = 1
    (root / "sources" / "2026-06-12-hf-daily.json").write_text(json.dumps(items), "utf-8")
    result = run_digest(root, "build")
    assert result.returncode == 0, result.stderr + result.stdout
    return root


def posts(root: Path) -> dict[str, frontmatter.Post]:
    return {p.stem: frontmatter.load(p) for p in (root / "content/papers").glob("*.md")}


def test_every_paper_page_has_highwire_citation_tags(site):
    found = posts(site)
    with_authors = 0
    for slug, post in found.items():
        meta = head(site / "site/papers" / slug / "index.html").meta
        assert meta["citation_title"] == [post["title"]], slug
        assert meta.get("citation_author", []) == post.get("authors", []), slug
        published = post.get("published")
        assert meta.get("citation_publication_date") == (
            [f"{published:%Y/%m/%d}"] if published else None), slug
        arxiv = post.get("arxiv")
        assert meta.get("citation_arxiv_id") == ([arxiv] if arxiv else None), slug
        assert meta.get("citation_pdf_url") == (
            [f"https://arxiv.org/pdf/{arxiv}"] if arxiv else None), slug
        with_authors += bool(post.get("authors"))
    assert with_authors == 30  # the JSON day's papers


def test_a_paper_page_counts_its_upvotes_in_words(site):
    counts = {}
    for slug, post in posts(site).items():
        if post.get("upvotes") is not None:
            text = (site / "site/papers" / slug / "index.html").read_text("utf-8")
            counts[post["upvotes"]] = re.search(r"▲ (\d+ upvotes?)", text).group(1)
    assert counts[1] == "1 upvote"
    assert all(said == f"{n} upvotes" for n, said in counts.items() if n != 1)


def test_citation_tags_carry_hostile_text_as_text(site):
    (slug,) = [s for s, p in posts(site).items() if p["title"] == clean.plain(HOSTILE_TITLE)]
    page = (site / "site/papers" / slug / "index.html").read_text("utf-8")
    meta = head(site / "site/papers" / slug / "index.html").meta
    assert meta["citation_title"] == [clean.plain(HOSTILE_TITLE)]
    assert meta["citation_author"][0] == HOSTILE_AUTHOR
    assert "<script>alert(1)" not in page


def test_home_ranks_the_newest_day_by_upvotes_and_names_authors(site):
    found = posts(site)
    shown = cards((site / "site/index.html").read_text("utf-8"))
    votes = [found[slug_of(c.href)].get("upvotes") for c in shown]
    assert len(shown) == 30 and votes.count(None) == 1
    # Known upvotes, most first; a paper whose source has none comes after them.
    assert votes[:-1] == sorted(votes[:-1], reverse=True) and votes[-1] is None
    for card in shown:
        post = found[slug_of(card.href)]
        assert card.byline["mark"] == "New"
        if post.get("upvotes") is not None:
            n = post["upvotes"]
            assert card.byline["upvotes"] == f"▲ {n} upvote{'' if n == 1 else 's'}"
        else:
            assert "upvotes" not in card.byline
        names = [clean.plain(a) for a in post["authors"]]
        assert card.byline["authors"] == ", ".join(names[:3]) + (" et al." if len(names) > 3 else "")


def test_date_pages_link_the_previous_and_next_day(site):
    # Day pages only: the dates index also has a page per year (dates/2025/).
    days = sorted(p.name for p in (site / "site/dates").iterdir() if p.is_dir() and "-" in p.name)
    assert len(days) == 6
    for i, name in enumerate(days):
        page = (site / "site/dates" / name / "index.html").read_text("utf-8")
        nav = page.split('class="digest-day-nav"', 1)[1].split("</nav>", 1)[0]
        prev = re.findall(r'href="\.\./([^/"]+)/" rel="prev"', nav)
        after = re.findall(r'href="\.\./([^/"]+)/" rel="next"', nav)
        assert prev == days[i - 1:i] if i else prev == [], name
        assert after == days[i + 1:i + 2], name


def test_only_paper_pages_offer_to_edit_them_and_the_topics_index_links_the_vocabulary(site):
    config = yaml.safe_load((site / "mkdocs.yml").read_text("utf-8"))
    edit = config["repo_url"] + "/" + config["edit_uri"]
    pages = sorted((site / "site").rglob("index.html"))
    assert len(pages) > 240
    for path in pages:
        rel = path.parent.relative_to(site / "site").as_posix()
        links = head(path).edit
        if rel.startswith("papers/"):
            assert links == [f"{edit}papers/{rel.split('/')[1]}.md"], rel
        elif rel == "topics":
            assert links == [config["repo_url"] + "/edit/main/topics.yml"], rel
        else:
            assert links == [], rel


def test_the_home_title_names_the_site_once(site):
    name = yaml.safe_load((site / "mkdocs.yml").read_text("utf-8"))["site_name"]
    assert head(site / "site/index.html").title.strip() == name
    assert head(site / "site/dates/index.html").title.strip() == f"Dates - {name}"
