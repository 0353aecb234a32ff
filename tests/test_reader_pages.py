"""What a reader finds on each kind of page, read from the HTML of the real mkdocs build.

The bundled digest gives the home, paper, topic and date pages; a scratch copy with a
featured paper shows that curators' picks come first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import frontmatter
import pytest
from markupsafe import escape

from conftest import GOLDEN_TOPICS, make_project, run_digest
from generator import pipeline
from generator.project import Project


@dataclass
class Card:
    href: str = ""
    title: str = ""
    chips: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    featured: bool = False
    more: str = ""  # the "+N" chip's link, when the card leaves topics out
    byline: dict[str, str] = field(default_factory=dict)  # "mark", "upvotes", "authors"


BYLINE = {"digest-mark": "mark", "digest-upvotes": "upvotes", "digest-authors": "authors"}


class Cards(HTMLParser):
    """The cards of every ``digest-cards`` grid on a page, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cards: list[Card] = []
        self.depth = 0  # inside a grid: element depth, else 0
        self.link = ""  # "title" or "chip" inside a card's link
        self.byline: tuple[str, int] | None = None  # (part, depth) inside a byline span

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if not self.depth:
            if tag == "div" and "digest-cards" in classes:
                self.depth = 1
            return
        self.depth += tag not in ("br", "img", "hr")
        if tag == "li":
            self.cards.append(Card())
        elif tag == "span" and "digest-featured" in classes:
            self.cards[-1].featured = True
        elif tag == "span" and not self.byline and classes and classes[0] in BYLINE:
            self.byline = (BYLINE[classes[0]], self.depth)
        elif tag == "a" and "digest-more-topics" in classes:
            self.cards[-1].more, self.link = attrs["href"], "more"
        elif tag == "a" and "md-tag" in classes:
            self.cards[-1].chips.append(attrs["href"])
            self.link = "chip"
        elif tag == "a" and not self.cards[-1].href:
            self.cards[-1].href, self.link = attrs["href"], "title"
        elif tag == "button":  # the save toggle, shown by digest.js: not the card's text
            self.link = "button"

    def handle_endtag(self, tag):
        if self.depth:
            if self.byline and self.byline[1] == self.depth:
                self.byline = None
            self.depth -= 1
            if tag in ("a", "button"):
                self.link = ""

    def handle_data(self, data):
        if self.depth and self.cards and data.strip():
            if self.byline:
                part = self.cards[-1].byline
                part[self.byline[0]] = " ".join((part.get(self.byline[0], "") + data).split())
            elif self.link == "title":
                self.cards[-1].title += data
            elif not self.link:
                self.cards[-1].text.append(data.strip())


def cards(html: str) -> list[Card]:
    parser = Cards()
    parser.feed(html)
    return parser.cards


def posts(root: Path) -> dict[str, frontmatter.Post]:
    return {p.stem: frontmatter.load(p) for p in (root / "content/papers").glob("*.md")}


def html(root: Path, path: str) -> str:
    return (root / "site" / path / "index.html").read_text("utf-8")


def slug_of(href: str) -> str:
    return href.rstrip("/").rsplit("/", 1)[-1]


def day(d) -> str:
    return f"{d:%b} {d.day}, {d.year}"


# --- home --------------------------------------------------------------------------------


def test_home_shows_the_latest_days_papers_as_cards(built_site):
    found = posts(built_site)
    latest = max(d for p in found.values() for d in p["listed"])
    page = html(built_site, "")
    shown = cards(page)
    expected = {s for s, p in found.items() if latest in p["listed"]}
    # The first page_size (50) of the day's 55, and a link to the day's page for the rest.
    assert len(shown) == 50 and {slug_of(c.href) for c in shown} < expected
    assert f'href="dates/{latest}/">All {len(expected)} papers of {day(latest)}' in page
    for card in shown:
        post = found[slug_of(card.href)]
        assert card.title == post["title"]
        # At most three chips; "+N" leads to the paper's page for the rest.
        assert [slug_of(h) for h in card.chips] == post["tags"][:3]
        assert (slug_of(card.more) if card.more else None) == (
            slug_of(card.href) if len(post["tags"]) > 3 else None)
        assert card.byline["mark"] == ("New" if post["listed"][0] == latest else "Listed again")
        assert card.text[0] == post["description"]  # the teaser: one line
        assert card.text[-1] == "Listed " + ", ".join(day(d) for d in post["listed"])
    # Nothing featured and no upvotes in the bundled digest: new papers, then by title.
    order = [(c.byline["mark"] != "New", c.title.casefold()) for c in shown]
    assert order == sorted(order)
    assert {c.byline["mark"] for c in shown} == {"New", "Listed again"}
    assert any(c.more for c in shown)
    assert f"Latest: {day(latest)}" in page


def test_home_shows_totals_the_latest_days_and_the_topics_with_counts(built_site):
    found = posts(built_site)
    days = sorted({d for p in found.values() for d in p["listed"]}, reverse=True)
    page = html(built_site, "")
    totals = re.search(r'<p class="digest-totals">(.*?)</p>', page)[1]
    assert re.sub(r"<[^>]+>", "", totals).startswith(
        f"{len(found)} papers · {GOLDEN_TOPICS} topics · {len(days)} days · last updated {day(days[0])}")
    strip = page.split('id="latest-days"', 1)[1].split("<h2", 1)[0]
    links = re.findall(r'href="dates/([^/"]+)/"[^>]*>([^<]*)</a>', strip)
    assert links == [(d.isoformat(), f"{day(d)} · {n} paper{'' if n == 1 else 's'}")
                     for d in days[:7]
                     for n in [sum(d in p["listed"] for p in found.values())]]
    assert 'href="dates/"' in strip
    grid = page.split('class="grid cards digest-topics"', 1)[1].split("</div>", 1)[0]
    counts = dict(re.findall(r'href="topics/([^/"]+)/".*?<p>(\d+) papers?</p>', grid, re.S))
    assert len(counts) == GOLDEN_TOPICS
    for topic, count in counts.items():
        assert int(count) == sum(topic in p["tags"] for p in found.values()), topic


NOTE = "Read this with the PID tuning literature in mind."
NOTED = "evolving-spiking-neural-networks-to-mimic-pid-control-for-autonomous-blimps"


@pytest.fixture(scope="module")
def featured_site(tmp_path_factory) -> tuple[Path, str]:
    """The bundled digest with the latest day's alphabetically last paper featured,
    and a curator's note on another paper."""
    root = make_project(tmp_path_factory.mktemp("featured") / "d", bundled=True)
    pipeline.generate(Project.load(root))
    found = posts(root)
    latest = max(d for p in found.values() for d in p["listed"])
    slug = max((s for s, p in found.items() if latest in p["listed"]),
               key=lambda s: found[s]["title"].casefold())
    path = root / f"content/papers/{slug}.md"
    path.write_text(path.read_text("utf-8").replace("\nfeatured: false\n", "\nfeatured: true\n", 1))
    noted = root / f"content/papers/{NOTED}.md"
    noted.write_text(noted.read_text("utf-8") + NOTE + "\n", "utf-8")
    result = run_digest(root, "build")
    assert result.returncode == 0, result.stderr
    return root, slug


def test_a_featured_paper_comes_first_and_is_marked(featured_site):
    root, slug = featured_site
    home = cards(html(root, ""))
    assert slug_of(home[0].href) == slug and home[0].featured
    assert not any(c.featured for c in home[1:])
    topic = frontmatter.load(root / f"content/papers/{slug}.md")["tags"][0]
    on_topic = cards(html(root, f"topics/{topic}"))
    # Among the papers first listed on its first day, it leads.
    found = posts(root)
    first = found[slug]["listed"][0]
    same_day = [c for c in on_topic if found[slug_of(c.href)]["listed"][0] == first]
    assert slug_of(same_day[0].href) == slug and same_day[0].featured


# --- topic and date pages ----------------------------------------------------------------


def test_topic_pages_show_a_count_and_cards_newest_first(built_site):
    found = posts(built_site)
    for topic in {t for p in found.values() for t in p["tags"]}:
        page = html(built_site, f"topics/{topic}")
        shown = cards(page)
        members = [s for s, p in found.items() if topic in p["tags"]]
        n = len(members)
        assert f"<strong>{n} paper{'s' if n != 1 else ''}</strong>, newest first by the day " \
               "each was first listed." in page
        assert sorted(slug_of(c.href) for c in shown) == sorted(members)
        first = [found[slug_of(c.href)]["listed"][0] for c in shown]
        assert first == sorted(first, reverse=True), topic
        assert all(c.chips and c.text for c in shown)


def test_date_pages_show_a_count_and_cards_grouped_by_topic(built_site):
    found = posts(built_site)
    for d in {d for p in found.values() for d in p["listed"]}:
        page = html(built_site, f"dates/{d.isoformat()}")
        members = [s for s, p in found.items() if d in p["listed"]]
        assert f"<strong>{len(members)} papers</strong> listed on this day" in page
        shown = cards(page)
        assert sorted(slug_of(c.href) for c in shown) == sorted(members)
        # Each card sits under the heading of its first topic.
        grouped = 0
        for section in page.split("<h2 ")[1:]:
            name = re.search(r">([^<]+)<a class=\"headerlink\"", section)[1]
            for card in cards(section):
                post = found[slug_of(card.href)]
                assert post["topics"][post["tags"][0]] == name
                grouped += 1
        assert grouped == len(members)


def test_the_dates_index_lists_every_day_newest_first(built_site):
    found = posts(built_site)
    days = sorted({d for p in found.values() for d in p["listed"]}, reverse=True)
    page = html(built_site, "dates")
    assert re.findall(r'href="(\d{4}-\d\d-\d\d)/"', page) == [d.isoformat() for d in days]


# --- paper pages -------------------------------------------------------------------------


def test_more_in_a_topic_lists_the_papers_sharing_the_most_topics(built_site):
    found = posts(built_site)
    checked = 0
    for slug, post in found.items():
        page = html(built_site, f"papers/{slug}")
        section = re.search(r'<section class="digest-related".*?</section>', page, re.S)
        first = post["tags"][0]
        assert section, slug
        assert f'>{escape(post["topics"][first])}</a></h2>' in section[0]
        listed = [slug_of(h) for h in re.findall(r'<li><a href="([^"]+)"', section[0])]
        others = [s for s, p in found.items() if s != slug and first in p["tags"]]
        assert len(listed) == min(5, len(others)), slug
        assert set(listed) <= set(others)
        shared = [len(set(found[s]["tags"]) & set(post["tags"])) for s in listed]
        assert shared == sorted(shared, reverse=True)
        # No paper left out shares more topics than one that is in.
        rest = [len(set(found[s]["tags"]) & set(post["tags"])) for s in others if s not in listed]
        assert not rest or max(rest) <= min(shared), slug
        checked += 1
    assert checked == len(found)


def toc(page: str) -> list[str]:
    nav = page.split('data-md-type="toc"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'href="#([^"]+)"', nav)


def test_an_empty_notes_section_is_hidden_and_left_out_of_the_contents(built_site, featured_site):
    page = html(built_site, f"papers/{NOTED}")
    assert toc(page) == ["abstract", "cite"]
    assert '<h2 id="notes">' in page  # still there for curators, hidden by digest.css
    # A curator's note shows, under its heading, and in the contents.
    root, _slug = featured_site
    page = html(root, f"papers/{NOTED}")
    assert toc(page) == ["abstract", "cite", "notes"]
    assert re.search(r'<h2 id="notes">.*?</h2>\s*<p>' + re.escape(NOTE), page, re.S)


def test_pages_carry_social_meta_tags(built_site):
    found = posts(built_site)
    slug, post = sorted(found.items())[0]
    page = html(built_site, f"papers/{slug}")
    title, description = escape(post["title"]), escape(post["description"])
    for tag in (f'<meta property="og:title" content="{title}">',
                f'<meta property="og:description" content="{description}">',
                # X's cards read og:title and og:description: no second copy of them.
                '<meta name="twitter:card" content="summary">',
                '<meta property="og:type" content="article">',
                f'<meta property="og:url" content="https://example.github.io/digest/papers/{slug}/">',
                f'<meta name="description" content="{description}">'):
        assert tag in page, tag
    home = html(built_site, "")
    assert '<meta property="og:type" content="website">' in home
    assert '<meta property="og:title" content="Neuro-AI Reading Digest">' in home


def test_the_not_found_page_shows_the_way_back_in(built_site):
    site = built_site / "site"
    html = (site / "404.html").read_text("utf-8")
    article = html[html.index("<article"):html.index("</article>")]
    links = re.findall(r'<a href="([^"]+)">', article)
    # Absolute under site_url's path: the page answers for any missing address.
    assert links == ["/digest/search/", "/digest/topics/", "/digest/dates/", "/digest/"]
    for link in links:
        assert (site / link.removeprefix("/digest/") / "index.html").is_file(), link
