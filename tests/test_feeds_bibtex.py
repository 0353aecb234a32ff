"""Feeds and BibTeX as readers use them: parsed by feedparser and bibtexparser.

The bundled digest (built once with the real mkdocs build) gives the pages and files a
reader downloads; scratch copies show what stays the same when a day is added, a run
repeats, or a curator hides a paper. A Hub JSON day adds papers with arXiv ids.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import bibtexparser
import feedparser
import frontmatter
import pytest
import yaml

from conftest import FIXTURES, ROOT, listing, make_project
from generator import bibtex, clean, pipeline
from generator.project import Project
from generator.readers import SourceFile, read_source

SITE_URL = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))["site_url"]
JSON_DAY = FIXTURES / "sotawhat_hf_daily_papers_2026-06-12.json"
FENCE = re.compile(r"^~~~bibtex\n(.*?)^~~~$", re.S | re.M)


def generate(root: Path) -> None:
    pipeline.generate(Project.load(root))


def posts(root: Path) -> dict[str, frontmatter.Post]:
    return {p.stem: frontmatter.load(p) for p in sorted((root / "content/papers").glob("*.md"))}


def topic_slugs(root: Path) -> list[str]:
    return sorted(p.stem for p in (root / "content/topics").glob("*.md") if p.stem != "index")


def feed(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, (path, parsed.get("bozo_exception"))
    assert parsed.version == "atom10", path
    return parsed


def feed_ids(root: Path) -> dict[str, list[str]]:
    """Every feed of content/, as its entry ids in order."""
    return {p.stem: [e.id for e in feed(p).entries]
            for p in sorted((root / "content/feeds").glob("*.xml")) if p.stem != "sitemap"}


def bib(path: Path) -> bibtexparser.Library:
    library = bibtexparser.parse_string(path.read_text("utf-8"))
    assert library.failed_blocks == [], (path, library.failed_blocks)
    return library


def paper_entry(post: frontmatter.Post) -> str:
    (text,) = FENCE.findall(post.content)
    return text


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """The bundled page copies plus a Hub JSON day whose papers have arXiv ids."""
    root = make_project(tmp_path_factory.mktemp("mixed") / "d", bundled=True)
    shutil.copy(JSON_DAY, root / "sources" / "2026-06-12-hf-daily.json")
    generate(root)
    return root


# --- feeds -------------------------------------------------------------------------------


def test_the_site_feed_and_every_topic_feed_are_valid_atom(built_site):
    feeds = {p.stem for p in (built_site / "site/feeds").glob("*.xml")} - {"sitemap"}
    assert feeds == {"all", *topic_slugs(built_site)}
    for name in feeds:
        parsed = feed(built_site / f"site/feeds/{name}.xml")
        assert parsed.feed.id == f"{SITE_URL}feeds/{name}.xml"
        assert parsed.entries, name
        for entry in parsed.entries:
            assert entry.id.startswith(f"{SITE_URL}papers/") and entry.link == entry.id
            assert entry.title and entry.summary and entry.published and entry.updated


def test_the_site_feed_holds_the_newest_papers_by_listing_date(built_site):
    size = Project.load(built_site).feed_size
    listed = {f"{SITE_URL}papers/{slug}/": post["listed"] for slug, post in posts(built_site).items()}
    latest = {pid: days[-1] for pid, days in listed.items()}
    assert len(latest) > size
    entries = feed(built_site / "site/feeds/all.xml").entries
    # The bundled newest day lists more papers than feed_size: the feed holds all of them.
    newest_day = sum(day == max(latest.values()) for day in latest.values())
    assert newest_day > size
    assert len(entries) == newest_day
    days = [latest[e.id] for e in entries]
    assert days == sorted(days, reverse=True)
    # No paper left out was listed later than one that is in.
    left_out = [day for pid, day in latest.items() if pid not in {e.id for e in entries}]
    assert max(left_out) <= min(days)
    # An entry is dated by a listing day of its current text, not by its newest listing.
    for e in entries:
        assert e.published[:10] == listed[e.id][0].isoformat()
        assert e.updated[:10] in {d.isoformat() for d in listed[e.id]}
    assert any(e.updated[:10] < latest[e.id].isoformat() for e in entries)


def test_each_topic_feed_holds_that_topics_newest_papers(built_site):
    size = Project.load(built_site).feed_size
    by_topic: dict[str, list] = {}
    for slug, post in posts(built_site).items():
        for tag in post["tags"]:
            by_topic.setdefault(tag, []).append((post["listed"][-1], slug))
    for topic in topic_slugs(built_site):
        members = by_topic.get(topic, [])
        ids = [e.id for e in feed(built_site / f"site/feeds/{topic}.xml").entries]
        newest_day = sum(day == max(d for d, _s in members) for day, _s in members) if members else 0
        assert len(ids) == min(max(size, newest_day), len(members)), topic
        assert set(ids) <= {f"{SITE_URL}papers/{slug}/" for _day, slug in members}, topic
        newest = max(day for day, _slug in members)
        assert ids[0] in {f"{SITE_URL}papers/{s}/" for d, s in members if d == newest}, topic


def test_feeds_are_linked_from_every_page_head_and_from_topic_pages(built_site):
    site = built_site / "site"
    home = (site / "index.html").read_text("utf-8")
    assert ('<link rel="alternate" type="application/atom+xml" '
            'title="Neuro-AI Reading Digest" href="feeds/all.xml">') in home
    for topic in topic_slugs(built_site):
        html = (site / f"topics/{topic}/index.html").read_text("utf-8")
        heads = re.findall(r'<link rel="alternate" type="application/atom\+xml" [^>]*'
                           r'href="([^"]+)"', html)
        assert heads == ["../../feeds/all.xml", f"../../feeds/{topic}.xml"], topic
        body = html.split("<article", 1)[1]
        assert f'href="../../feeds/{topic}.xml"' in body and f'href="../../bib/{topic}.bib"' in body
    paper = next((site / "papers").glob("*/index.html")).read_text("utf-8")
    assert 'type="application/atom+xml" title="Neuro-AI Reading Digest" href="../../feeds/all.xml"' in paper


def test_the_site_serves_the_feeds_generate_wrote(built_site):
    for path in (built_site / "content/feeds").glob("*.xml"):
        assert (built_site / "site/feeds" / path.name).read_bytes() == path.read_bytes()


def test_a_second_run_writes_byte_identical_feeds_and_bibliographies(bundled):
    generate(bundled)
    first = {p.name: p.read_bytes() for p in (bundled / "content").glob("[fb]*/*.*")}
    shutil.rmtree(bundled / "content/feeds")
    shutil.rmtree(bundled / "content/bib")
    generate(bundled)
    second = {p.name: p.read_bytes() for p in (bundled / "content").glob("[fb]*/*.*")}
    assert len(first) > 40 and second == first


def test_a_new_day_keeps_every_feed_id_and_bibtex_key(bundled):
    generate(bundled)
    before_ids = feed_ids(bundled)
    before_keys = {p.stem: {e.key for e in bib(p).entries}
                   for p in (bundled / "content/bib").glob("*.bib")}
    # A new day lists one new paper and one already known.
    known = posts(bundled)["evolving-spiking-neural-networks-to-mimic-pid-control-for-autonomous-blimps"]
    abstract = known.content.split("## Abstract\n\n", 1)[1].split("\n\n", 1)[0]
    (bundled / "sources/2025-09-09-hf-papers.txt").write_text(listing(
        "Sep 9", (known["title"], abstract),
        ("Spiking neural networks for a new day", "We study spiking neural networks anew.")))
    generate(bundled)
    after_ids = feed_ids(bundled)
    new_id = f"{SITE_URL}papers/spiking-neural-networks-for-a-new-day/"
    known_id = f"{SITE_URL}papers/evolving-spiking-neural-networks-to-mimic-pid-control-for-autonomous-blimps/"
    assert set(after_ids["all"][:2]) == {new_id, known_id}
    assert after_ids["spiking-networks"][0] in {new_id, known_id}
    for name, ids in before_ids.items():
        # Every paper still in a feed keeps its id; only the new paper's id is new.
        assert set(after_ids[name]) - set(ids) <= {new_id, known_id}, name
    after_keys = {p.stem: {e.key for e in bib(p).entries}
                  for p in (bundled / "content/bib").glob("*.bib")}
    for topic, keys in before_keys.items():
        assert keys <= after_keys[topic], topic
    assert "spiking-neural-networks-for-a-new-day" in after_keys["spiking-networks"]


def test_a_hidden_paper_leaves_every_feed_and_bibliography(bundled):
    generate(bundled)
    slug = "evolving-spiking-neural-networks-to-mimic-pid-control-for-autonomous-blimps"
    pid = f"{SITE_URL}papers/{slug}/"
    assert any(pid in ids for ids in feed_ids(bundled).values())
    path = bundled / f"content/papers/{slug}.md"
    text = path.read_text("utf-8")
    path.write_text(text.replace("\nhidden: false\n", "\nhidden: true\n", 1), "utf-8")
    generate(bundled)
    assert frontmatter.load(path)["hidden"] is True
    assert not any(pid in ids for ids in feed_ids(bundled).values())
    for p in (bundled / "content/bib").glob("*.bib"):
        assert slug not in {e.key for e in bib(p).entries}, p.name
    # The paper keeps its page and its own entry.
    assert f"@misc{{{slug}," in path.read_text("utf-8")


# --- BibTeX ------------------------------------------------------------------------------


def test_every_paper_page_has_one_misc_entry_bibtexparser_accepts(mixed):
    found = posts(mixed)
    with_id = 0
    for slug, post in found.items():
        library = bibtexparser.parse_string(paper_entry(post))
        assert library.failed_blocks == [], slug
        (entry,) = library.entries
        assert (entry.entry_type, entry.key) == ("misc", slug)
        fields = entry.fields_dict
        assert fields["title"].value.strip("{}")
        # A year only when it is known: from the publication date or the arXiv id.
        known = post.get("published") or post.get("arxiv")
        assert ("year" in fields) == bool(known), slug
        assert "year" not in fields or fields["year"].value.isdigit()
        if "arxiv" in post.metadata:
            with_id += 1
            assert fields["eprint"].value == post["arxiv"]
            assert fields["archivePrefix"].value == "arXiv"
            assert fields["url"].value == f"https://arxiv.org/abs/{post['arxiv']}"
        else:
            assert "eprint" not in fields and fields["note"].value.startswith("Hugging Face")
    assert with_id >= 30 and len(found) - with_id >= 200


@pytest.mark.parametrize("text, expected", [
    ("50% of $x$ & y_1 #2", r"50\% of \$x\$ \& y\_1 \#2"),
    ("a\\b ~c^d", r"a\textbackslash{}b \textasciitilde{}c\textasciicircum{}d"),
    ("{SNN} } {", r"\textbraceleft{}SNN\textbraceright{} \textbraceright{} \textbraceleft{}"),
    ("Ünïcode ℓ₁ 🦙 <b> \"q\"", "Ünïcode ℓ₁ 🦙 <b> \"q\""),  # kept as UTF-8
    (" spaced\n\tout ", "spaced out"),
])
def test_bibtex_values_print_every_character_literally(text, expected):
    assert bibtex.escape(text) == expected
    # BibTeX counts every brace, escaped or not: the value must stay balanced.
    depth = 0
    for char in expected:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, expected
    assert depth == 0, expected


def test_each_topic_bibliography_holds_exactly_the_papers_of_that_topic(built_site):
    site = built_site / "site"
    found = posts(built_site)
    for topic in topic_slugs(built_site):
        keys = [e.key for e in bib(site / f"bib/{topic}.bib").entries]
        tagged = {slug for slug, post in found.items() if topic in post["tags"]}
        listed = set(re.findall(r'href="\.\./\.\./papers/([^/"]+)/"',
                                (site / f"topics/{topic}/index.html").read_text("utf-8")))
        assert set(keys) == tagged == listed, topic
        assert keys == sorted(keys) and len(keys) == len(set(keys)), topic
        # Each entry is the very entry its paper page shows.
        text = (site / f"bib/{topic}.bib").read_text("utf-8")
        for key in keys:
            assert paper_entry(found[key]) in text


def test_a_papers_page_shows_its_bibtex_in_a_code_block(built_site):
    slug = "evolving-spiking-neural-networks-to-mimic-pid-control-for-autonomous-blimps"
    html = (built_site / f"site/papers/{slug}/index.html").read_text("utf-8")
    cite = html.split('<h2 id="cite">', 1)[1]
    assert cite.lstrip().split(">", 1)[0].startswith("Cite")
    assert '<pre class="highlight"><code class="language-bibtex">' in cite.split("</h2>", 1)[1][:80]


# --- feeds across runs: a new day of 60 papers ---------------------------------------------


def _listed(root: Path, name: str) -> list:
    """The papers a bundled source lists, as its reader reads them."""
    return read_source(SourceFile(name, (root / "sources" / name).read_bytes()))


def test_a_new_day_of_60_papers_reaches_the_feed_whole_and_relisted_papers_stay_read(tmp_path):
    root = make_project(tmp_path / "d", bundled=True)
    generate(root)
    before = {e.id: e for e in feed(root / "content/feeds/all.xml").entries}
    again = _listed(root, "2025-09-08-hf-papers.txt")[:19]  # in the feed already
    older = _listed(root, "2025-03-11-hf-papers.txt")[0]  # long out of the feed
    revised = _listed(root, "2025-09-08-hf-papers.txt")[19]
    new = [(f"Synthetic Paper Number {n}: Spiking Networks at Scale",
            f"We study spiking neural networks, case {n}. It works.") for n in range(39)]
    papers = [(p.title, p.abstract) for p in again + [older]] + new + [
        (revised.title, revised.abstract + " We add experiments on a new benchmark.")]
    assert len(papers) == 60
    (root / "sources" / "2025-09-09-hf-papers.txt").write_text(listing("Sep 9", *papers), "utf-8")
    generate(root)
    after = feed(root / "content/feeds/all.xml")
    found = {e.id: e for e in after.entries}
    slugs = {slug: post for slug, post in posts(root).items()}
    newest = [slug for slug, post in slugs.items() if post["listed"][-1].isoformat() == "2025-09-09"]
    assert len(newest) == 60 > Project.load(root).feed_size
    # Every paper of the newest day is in the feed, however many.
    assert {f"{SITE_URL}papers/{slug}/" for slug in newest} <= set(found)
    assert len(found) == 60

    def entry(title: str) -> feedparser.FeedParserDict:
        (match,) = [e for e in after.entries if e.title == clean.plain(title)]
        return match

    # Listed again with the same text: same id, same <updated>, not resurfaced as new.
    for paper in again:
        e = entry(paper.title)
        assert e.id in before
        assert (e.updated, e.published) == (before[e.id].updated, before[e.id].published)
    assert entry(older.title).updated.startswith("2025-03-11")
    # A changed abstract is news: same id, a new <updated>.
    e = entry(revised.title)
    assert e.id in before and before[e.id].updated.startswith("2025-09-08")
    assert e.updated.startswith("2025-09-09")
    assert all(entry(title).updated.startswith("2025-09-09") for title, _ in new)
