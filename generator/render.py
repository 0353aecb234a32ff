"""Rendering: published entries in, the text of every generated file out.

Python prepares the data; the Jinja2 templates in ``templates/`` hold the presentation.
Nothing here reads the clock or the disk: the newest listing date stands for "today".
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import posixpath
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Callable
from urllib.parse import quote, quote_plus

import jinja2
import jinja2.meta

from . import bibtex, clean, feeds, memo, pages, workers
from .curate import NOTES_HEADING, CuratedPage, written_page
from .model import Entry, Paper, SiteInfo
from .tagging import Vocabulary
from .templating import environment

RELATED_SIZE = 5  # papers under "More in <topic>" on a paper page
CARD_TOPICS = 3  # topic chips on a card; "+N" links the paper page for the rest
CARD_AUTHORS = 3  # authors named on a card before "et al."
WEEK = 7  # days of listings linked under "Latest days" on the home page

# Everything render_site writes outside papers/ (where curated pages live): whatever else
# is in these folders is stale and generate removes it, as it removes the files it once
# wrote and no longer does (the Tags page listed every paper; topics do that in pages).
GENERATED_DIRS = ("topics", "dates", "feeds", "bib")
GENERATED_FILES = ("index.md", "reading-list.md", "search.md")
RETIRED_FILES = ("tags.md",)


def links(paper: Paper) -> dict:
    """Where to read the paper and its code: exact links when known, searches otherwise."""
    q = quote_plus(clean.plain(paper.title))
    code = list(clean.code_urls(paper.abstract))
    if _web(paper.github_repo):
        # The Hub's repository comes first, even when the abstract names others earlier:
        # the Code button links the first one and shows the Hub's stars for it.
        code = [paper.github_repo, *(url for url in code if url != paper.github_repo)]
    out: dict = {}
    if paper.arxiv_id:
        aid = quote(paper.arxiv_id, safe="/.")
        out["paper"] = f"https://arxiv.org/abs/{aid}"
        out["pdf"] = f"https://arxiv.org/pdf/{aid}"
        out["hf"] = f"https://huggingface.co/papers/{aid}"
    else:
        out["paper"] = f"https://arxiv.org/search/?query={q}&searchtype=title"
        out["hf"] = f"https://huggingface.co/papers?q={q}"
    if code:
        out["code"] = code
    if _web(paper.project_page):
        out["project"] = paper.project_page
    out["code_search"] = f"https://github.com/search?q={q}&type=repositories"
    if not paper.arxiv_id:
        out["pdf_search"] = f"https://scholar.google.com/scholar?q={q}"
    return out


def _web(url: str | None) -> bool:
    # Links from sources are data: only plain web addresses may become links.
    return bool(url) and url.lower().startswith(("https://", "http://")) and \
        not any(c.isspace() or c in "<>\"'`" for c in url)


def related(entries: list[Entry], shown: list[Entry]) -> dict[str, tuple[Entry, ...]]:
    """For each tagged entry, up to RELATED_SIZE shown papers in its first topic.

    Candidates share the entry's first topic; those sharing the most topics come first,
    ties going to the paper listed first, then to the slug. Preferring older papers keeps
    the lists stable: a new day's papers enter a list only when they share more topics
    than a paper already in it, so adding a day rewrites few paper pages.
    """
    order = sorted(shown, key=lambda e: (e.paper.dates[0], e.slug))
    rank = {e.slug: i for i, e in enumerate(order)}
    # Papers with the same topics rank alike: group them, and rank each group once.
    groups: dict[frozenset[str], list[Entry]] = defaultdict(list)
    for e in order:
        groups[frozenset(e.tags)].append(e)
    ranked: dict[tuple[str, frozenset[str]], list[Entry]] = {}
    out: dict[str, tuple[Entry, ...]] = {}
    for entry in entries:
        if not entry.tags:
            continue
        key = (entry.tags[0], frozenset(entry.tags))
        if key not in ranked:
            # Within a group every member scores alike, so its first few are enough.
            candidates = ((-len(key[1] & tags), rank[m.slug], m)
                          for tags, members in groups.items() if key[0] in tags
                          for m in members[:RELATED_SIZE + 1])
            ranked[key] = [m for *_, m in heapq.nsmallest(
                RELATED_SIZE + 1, candidates, key=lambda c: c[:2])]
        out[entry.slug] = tuple(m for m in ranked[key] if m.slug != entry.slug)[:RELATED_SIZE]
    return out


def front_matter(entry: Entry, vocab: Vocabulary, more: tuple[Entry, ...] = ()) -> str:
    """The page's YAML front-matter, keys in a fixed order, safe-dumped."""
    return pages.HANDLER.export(_front_meta(entry, vocab, more)) + "\n"


def _front_meta(entry: Entry, vocab: Vocabulary, more: tuple[Entry, ...]) -> dict:
    """What a page's front-matter holds, in its order."""
    p = entry.paper
    meta: dict = {
        "title": entry.title,
        "id": p.key,
        "template": "paper.html",
        # Papers are not in the navigation, so its sidebar would stand empty on a wide
        # screen (the mobile drawer still shows it).
        "hide": ["navigation"],
        "description": entry.teaser,
        "tags": list(entry.tags),
        "rule_tags": list(entry.rule_tags),
        # The curator's standing tag choices (see curate.py); only on retagged pages.
        **({"curator_added": list(entry.curator_added)} if entry.curator_added else {}),
        **({"curator_removed": list(entry.curator_removed)} if entry.curator_removed else {}),
        "featured": entry.featured,
        "hidden": entry.hidden,
        # A hidden paper keeps its page but leaves every index, the search index too.
        **({"search": {"exclude": True}} if entry.hidden else {}),
        # A curator's word, kept as written: generate never drops it.
        **({"not_same_as": list(entry.not_same_as)} if entry.not_same_as else {}),
        **({"resolve": entry.resolve} if entry.resolve is not None else {}),
        "topics": {t: vocab.get(t).name for t in entry.tags if vocab.get(t)},
        "listed": list(p.dates),
        "sources": list(p.sources),
    }
    optional = {
        "arxiv": p.arxiv_id, "published": p.published, "updated": p.updated,
        "authors": list(p.authors), "organization": p.organization, "upvotes": p.upvotes,
        "github_stars": p.github_stars, "category": p.category,
        "keywords": list(p.ai_keywords), "abstract_changed": p.abstract_changed or None,
    }
    meta.update({k: v for k, v in optional.items() if v not in (None, [], "")})
    meta["links"] = links(p)
    if more:
        meta["related"] = {"topic": entry.tags[0],
                           "papers": [{"slug": m.slug, "title": m.title} for m in more]}
    return meta


@cache
def _environment() -> jinja2.Environment:
    return environment({
        "md": clean.markdown,
        "md_text": clean.markdown_text,
        # Parentheses and spaces would end a Markdown link destination early.
        "href": lambda url: quote(url, safe=":/?#[]@!$&'*+,;=%~-._"),
        "day": lambda d: f"{d:%b} {d.day}, {d.year}",
        "month": lambda d: f"{d:%B %Y}",
        "plain": clean.plain,
        # A card's topics: the vocabulary's, in the paper's order (tags a curator made up
        # have no page to link; check reports them).
        "known": lambda tags, vocab: [t for t in map(vocab.get, tags) if t],
    })


@dataclass(frozen=True)
class _Site:
    """The published entries arranged the ways the pages list them."""

    entries: list[Entry]  # every entry, hidden ones included: each has a page
    shown: list[Entry]  # not hidden; newest first, featured first within a day
    by_topic: dict[str, list[Entry]]  # shown entries per tag, in shown order
    by_day: dict[dt.date, list[Entry]]  # shown entries per digest day, in shown order
    days: list[dt.date]  # every digest day, newest first
    vocab: Vocabulary
    info: SiteInfo

    @property
    def newest(self) -> dt.date | None:
        return self.days[0] if self.days else None

    @property
    def common(self) -> dict:
        """The template variables every page gets."""
        topics = list(self.vocab.topics)
        return dict(site=self.info, vocab=self.vocab, topics=topics, days=self.days,
                    counts={t.slug: len(self.by_topic.get(t.slug, ())) for t in topics},
                    notes_heading=NOTES_HEADING, card_topics=CARD_TOPICS,
                    card_authors=CARD_AUTHORS)


def _arrange(entries: list[Entry], vocab: Vocabulary, info: SiteInfo) -> _Site:
    shown = sorted((e for e in entries if not e.hidden),
                   key=lambda e: (-e.latest.toordinal(), not e.featured, e.title.casefold(), e.slug))
    by_topic: dict[str, list[Entry]] = defaultdict(list)
    by_day: dict[dt.date, list[Entry]] = defaultdict(list)
    for entry in shown:
        for tag in entry.tags:
            by_topic[tag].append(entry)
        for day in entry.paper.dates:
            by_day[day].append(entry)
    return _Site(entries, shown, dict(by_topic), dict(by_day), sorted(by_day, reverse=True),
                 vocab, info)


def redirect_page(key: str, title: str, target: Entry) -> str:
    """The page of a paper a curator merged into ``target`` (see merge.py): a redirect."""
    meta = {
        "title": clean.plain(title) or target.title,
        "id": key,
        "same_as": target.slug,
        "template": "redirect.html",
        "search": {"exclude": True},
    }
    return _environment().get_template("redirect.md.j2").render(
        front_matter=pages.HANDLER.export(meta) + "\n", target=target,
        notes_heading=NOTES_HEADING)


@dataclass(frozen=True)
class Reuse:
    """How render learns which pages would come out as they already are (see memo.py).

    Each page that can be reused gets a key: a digest of everything it is rendered from.
    ``known(path, key)`` says whether the file at ``path`` is what that key rendered last
    time; such a page is not rendered, and left out of render_site's result. ``keys``
    collects every key made, for the memo.
    """

    known: Callable[[str, bytes], bool]
    vocabulary: bytes  # the vocabulary file's digest: what every topic name comes from
    keys: dict[str, bytes] = field(default_factory=dict)
    # The paper pages' folder as messages name it (content/papers), and what each paper
    # page rendered parses to, by its path in content/ (curate.written_page).
    papers: str = "papers"
    parsed: dict[str, CuratedPage] = field(default_factory=dict)
    # recall(key, make): the memo's text for key (memo.recall), else make()'s.
    recall: Callable[[str, Callable[[], str]], str] | None = None
    _entries: dict[int, str] = field(default_factory=dict)  # id(entry) -> its fingerprint

    def cited(self, entry: Entry, make: Callable[[], str]) -> str:
        """An entry's BibTeX text, as the memo keeps it by the entry's fingerprint."""
        return make() if self.recall is None else self.recall(self.entry(entry), make)

    def page(self, path: str, key: bytes) -> bool:
        """Record the key of the page at path; whether that page is already as it would be."""
        self.keys[path] = key
        return self.known(path, key)

    def entry(self, entry: Entry) -> str:
        """Every field of an entry and of its paper, as the digest of their text (cached
        for the run): a topic or date page's key names 50 entries, and their whole text
        made each key some 100 KB to hash, 2,500 such pages at 50,000 papers."""
        found = self._entries.get(id(entry))
        if found is None:
            found = self._entries[id(entry)] = memo.digest(
                memo.entry_fingerprint(entry).encode()).hex()
        return found

    def made_of(self, path: str, name: str, text: str) -> bool:
        """Whether the page at path, from template ``name`` and made of what ``text``
        fingerprints (all it is rendered from, the vocabulary aside), is already as it
        would be."""
        return self.page(path, memo.digest(self.vocabulary + b"\0" + f"{name}\0{text}".encode()))

    def listing(self, path: str, name: str, context: dict) -> bool:
        """``made_of`` for a page rendered from ``context`` alone: of it, only the names
        the template (and what it includes) reads count."""
        return self.made_of(path, name, self.fingerprint(
            {k: context[k] for k in sorted(_variables(name)) if k in context}))

    def fingerprint(self, value: object) -> str:
        """A value as text that is equal exactly when the values are (entries by every
        field); a value whose text would be its address is refused."""
        if isinstance(value, Entry):
            return self.entry(value)
        if isinstance(value, Vocabulary):
            return "vocabulary"  # its file's bytes are in every key
        if isinstance(value, (list, tuple)):
            return "[" + ",".join(map(self.fingerprint, value)) + "]"
        if isinstance(value, dict):
            return "{" + ",".join(f"{self.fingerprint(k)}:{self.fingerprint(v)}"
                                  for k, v in value.items()) + "}"
        text = repr(value)
        if " at 0x" in text:  # an object without a value's repr: never taken as known
            raise ValueError(f"no fingerprint for {type(value).__name__}")
        return text


@cache
def _variables(name: str) -> frozenset[str]:
    """The context names a template and the templates it includes read."""
    env = _environment()
    tree = env.parse(env.loader.get_source(env, name)[0])
    found = set(jinja2.meta.find_undeclared_variables(tree))
    for included in jinja2.meta.find_referenced_templates(tree):
        if included is None:  # a computed name: every name might be read
            raise ValueError(f"{name} includes a template by a computed name")
        found |= _variables(included)
    return frozenset(found)


def render_site(entries: list[Entry], vocab: Vocabulary, site: SiteInfo,
                reuse: Reuse | None = None) -> dict[str, str]:
    """Every generated file, as a mapping of path inside content/ to text.

    With ``reuse``, the paper, topic and date pages it knows to be as they would be are
    left out (the caller keeps them).
    """
    arranged = _arrange(entries, vocab, site)
    return {
        **_paper_pages(arranged, reuse),
        **_listing_pages([*_topic_pages(arranged, reuse), *_date_pages(arranged, reuse)]),
        **_topic_files(arranged, reuse),
        **_site_feed(arranged),
        **_index_pages(arranged),
        **_home_page(arranged),
        **_reading_list_page(arranged),
        **_search_page(arranged),
    }


def _paper_pages(site: _Site, reuse: Reuse | None) -> dict[str, str]:
    """``papers/<slug>.md`` for every entry, hidden ones too."""
    more = related(site.entries, site.shown)
    template = _environment().get_template("paper.md.j2")
    common = site.common
    entries = site.entries
    if reuse is not None:
        # The page's key: its entry, the papers it names, the site, and whatever else of
        # the common names the template reads (the same for every paper page).
        # The shared part fingerprinted once, and each page's own part as text: the
        # entry, and its related papers as one repr (walking them value by value through
        # fingerprint was a fifth of a new day's run). Each part is a repr: no NUL in it.
        shared = reuse.fingerprint({**{k: v for k, v in common.items()
                                       if k in _variables("paper.md.j2")}, "site": site.info})
        entries = [e for e in entries if not reuse.made_of(
            f"papers/{e.slug}.md", "paper.md.j2",
            f"{reuse.entry(e)}\0{[(m.slug, m.title) for m in more.get(e.slug, ())]!r}\0{shared}")]

    def page(entry: Entry) -> tuple[str, CuratedPage | None]:
        meta = _front_meta(entry, site.vocab, more.get(entry.slug, ()))
        front = pages.HANDLER.export(meta) + "\n"
        text = template.render(
            entry=entry, paper=entry.paper, front_matter=front,
            links=links(entry.paper),
            bibtex=bibtex.entry(entry.paper, entry.slug, entry.plain_title), **common)
        if reuse is None:
            return text, None
        # Kept without its text, as the memo keeps every page's parse.
        parsed = written_page(meta, front, text, f"{reuse.papers}/{entry.slug}.md")
        return text, parsed.with_text("")

    out = {}
    for entry, (text, parsed) in zip(entries, workers.spread(page, entries)):
        out[f"papers/{entry.slug}.md"] = text
        if parsed is not None:
            reuse.parsed[f"papers/{entry.slug}.md"] = parsed
    return out


# A listing page to render: its path in content/, its template and the template's context.
ListingPage = tuple[str, str, dict]


def _listing_pages(listings: list[ListingPage]) -> dict[str, str]:
    """Topic and date pages, rendered over the machine's cores (at 50,000 papers they are
    some 2,500 pages of 50 cards each, an eighth of a cold run on one core)."""
    env = _environment()

    def page(listing: ListingPage) -> str:
        _path, name, context = listing
        return env.get_template(name).render(**context)

    return {path: text for (path, _name, _context), text in
            zip(listings, workers.spread(page, listings))}


def _topic_pages(site: _Site, reuse: Reuse | None) -> list[ListingPage]:
    """Each topic's pages (the first, then archive pages) that are not as they would be."""
    common = site.common
    out: list[ListingPage] = []
    for topic in site.vocab.topics:
        members = site.by_topic.get(topic.slug, [])
        first = f"topics/{topic.slug}.md"
        head, older = archive(first_listed(members), site.info.page_size)
        for n, chunk in [(0, head), *enumerate(older, 1)]:
            path = page_path(first, n)
            # Counts only on the first page: an archive page's key must not change as
            # the topic grows (see Reuse.listing), and only the first page shows them.
            context = dict(
                topic=topic, entries=chunk, mark_day=None, number=n, base=_base(path),
                pager=_pager(first, path, n, len(older)),
                total=None if n else len(members), archived=None if n else len(older),
                **common)
            if reuse is None or not reuse.listing(path, "topic.md.j2", context):
                out.append((path, "topic.md.j2", context))
    return out


def _topic_files(site: _Site, reuse: Reuse | None) -> dict[str, str]:
    """Each topic's Atom feed and BibTeX bibliography."""
    out: dict[str, str] = {}
    cited: dict[str, str] = {}  # each paper's entry, made once for all its topics

    def cite(e: Entry) -> tuple[str, str]:
        found = cited.get(e.slug)
        if found is None:
            def make() -> str:
                return bibtex.entry(e.paper, e.slug, e.plain_title)
            # With reuse, the memo's: 50,000 entries made again were 0.3 s of a day.
            found = cited[e.slug] = reuse.cited(e, make) if reuse else make()
        return e.slug, found

    for topic in site.vocab.topics:
        members = site.by_topic.get(topic.slug, [])
        out[f"feeds/{topic.slug}.xml"] = feeds.atom(
            members, site.vocab, site.info, name=topic.slug,
            title=f"{topic.name} — {site.info.name}", subtitle=topic.description,
            page=f"topics/{topic.slug}/", updated=site.newest)
        out[f"bib/{topic.slug}.bib"] = bibtex.bibliography(
            map(cite, members),
            f"{topic.name}: {len(members)} papers from {site.info.name}")
    return out


def first_listed(entries: list[Entry]) -> list[Entry]:
    """Newest first by the day each paper was first listed (featured first within a day).

    A topic's pages use this order, not the latest listing's: a paper listed again stays
    where it was, so its archive page keeps its papers.
    """
    return sorted(entries, key=lambda e: (-e.paper.dates[0].toordinal(), not e.featured,
                                          e.title.casefold(), e.slug))


def archive(items: list, size: int) -> tuple[list, list[list]]:
    """A newest-first listing cut into its first page and archive pages, oldest first.

    Archive page 1 holds the oldest ``size`` items, page 2 the next ``size``, and so on;
    the first page holds the rest, the newest ``size`` to ``2 * size - 1`` of them (all of
    them while there are fewer). New items only ever join the first page, and an archive
    page, once there, keeps its items: a new day rewrites a topic's first page, not its
    whole history.
    """
    full = max(len(items) // size - 1, 0)
    cut = len(items) - full * size
    return items[:cut], [items[cut + (full - j) * size:cut + (full - j + 1) * size]
                         for j in range(1, full + 1)]


def page_path(first: str, n: int) -> str:
    """Where archive page ``n`` of a listing whose first page is ``first`` lives in content/.

    The first page (``n`` = 0) keeps the listing's own address (``topics/x.md``); archive
    pages page back under it (``topics/x/page/1.md`` is the oldest), so no address moves
    as the listing grows.
    """
    return first if n == 0 else f"{first.removesuffix('.md')}/page/{n}.md"


def _relative(path: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(path) or ".")


def _base(path: str) -> str:
    """The way from a page in content/ back to content/ itself, for card links."""
    return "../" * path.count("/")


PAGER_WINDOW = 2  # page links each side of the current one; the first and page 1 always show


def _pager(first: str, path: str, n: int, count: int) -> dict | None:
    """Links between a listing's pages, newest first: the first page ("Newest"), a bounded
    row of archive page numbers around this one, and archive page 1 (the oldest).

    Page ``n`` of ``count`` archive pages (0: the first page). What archive page ``n``
    shows depends on ``count`` only while ``count`` is within a window (and one page) of
    it, so a new archive page rewrites the few pages next to it and no others.
    """
    if count == 0:
        return None
    # Positions from the oldest: archive pages 1..count, the first page count + 1.
    here = n or count + 1
    shown = {1, count + 1, *range(max(1, here - PAGER_WINDOW),
                                  min(count + 1, here + PAGER_WINDOW) + 1)}
    # A gap of one page shows that page: "…" would take its place and hide nothing more.
    shown = sorted(shown | {p + 1 for p in shown if p + 2 in shown}, reverse=True)
    links, last = [], None
    for position in shown:
        if last is not None and last - position > 1:
            links.append(("…", None))
        number = 0 if position == count + 1 else position
        links.append(("Newest" if number == 0 else str(number),
                      None if number == n else _relative(path, page_path(first, number))))
        last = position
    newer = None if n == 0 else (0 if n == count else n + 1)
    older = count if n == 0 else (n - 1 if n > 1 else None)
    return {
        "number": n, "links": links,
        "newer": None if newer is None else _relative(path, page_path(first, newer)),
        "older": None if older is None else _relative(path, page_path(first, older)),
    }


def _site_feed(site: _Site) -> dict[str, str]:
    """The feed of the whole site, and the empty sitemap next to the feeds."""
    return {
        "feeds/all.xml": feeds.atom(
            site.shown, site.vocab, site.info, name="all", title=site.info.name,
            subtitle=f"The newest papers of {site.info.name}", page="", updated=site.newest),
        "feeds/sitemap.xml": feeds.ALTERNATE_SITEMAP,
    }


def _date_pages(site: _Site, reuse: Reuse | None) -> list[ListingPage]:
    """``dates/<day>.md`` for every digest day (its papers grouped by first topic) that is
    not as it would be."""
    common = site.common
    out: list[ListingPage] = []
    # Days come newest first: the previous day is the next in the list.
    for i, day in enumerate(site.days):
        path = f"dates/{day.isoformat()}.md"
        context = dict(
            day=day, groups=_groups(site.by_day[day], site.vocab), count=len(site.by_day[day]),
            mark_day=day, newer=site.days[i - 1] if i else None,
            older=site.days[i + 1] if i + 1 < len(site.days) else None, **common)
        if reuse is None or not reuse.listing(path, "date.md.j2", context):
            out.append((path, "date.md.j2", context))
    return out


def _index_pages(site: _Site) -> dict[str, str]:
    """The dates index (the newest days, then a page per year), and the index of topics."""
    env = _environment()
    template = env.get_template("dates_index.md.j2")
    years = [(year, list(days)) for year, days in itertools.groupby(site.days, key=lambda d: d.year)]
    year_counts = [(year, len(days), sum(len(site.by_day[d]) for d in days))
                   for year, days in years]
    out = {
        "dates/index.md": template.render(
            months=_months(site, site.days[:site.info.page_size]), year=None,
            years=year_counts, **site.common),
        "topics/index.md": env.get_template("topics_index.md.j2").render(**site.common),
    }
    for year, days in years:
        out[f"dates/{year}.md"] = template.render(
            months=_months(site, days), year=year, years=year_counts, **site.common)
    return out


def _months(site: _Site, days: list[dt.date]) -> list:
    return [(dt.date(y, m, 1), [(d, len(site.by_day[d])) for d in group])
            for (y, m), group in itertools.groupby(days, key=lambda d: (d.year, d.month))]


def home_order(entries: list[Entry], day: dt.date) -> list[Entry]:
    """A day's papers as the home page ranks them.

    Featured papers first; then by upvotes, most first, where a source knows them; then
    papers listed for the first time that day before papers listed again; then by title.
    """
    def key(e: Entry) -> tuple:
        votes = e.paper.upvotes
        return (not e.featured, votes is None, -(votes or 0), e.paper.dates[0] != day,
                e.title.casefold(), e.slug)
    return sorted(entries, key=key)


def _home_page(site: _Site) -> dict[str, str]:
    """``index.md``: the newest day's papers ranked, the latest days, the topics."""
    latest = site.newest
    entries = home_order(site.by_day[latest], latest) if latest else []
    week = [(d, len(site.by_day[d])) for d in site.days[:WEEK]]
    return {"index.md": _environment().get_template("home.md.j2").render(
        latest=latest, entries=entries[:site.info.page_size], day_total=len(entries), week=week,
        total=len(site.shown), mark_day=latest, **site.common)}


def _reading_list_page(site: _Site) -> dict[str, str]:
    """``reading-list.md``: a frame the reader's browser fills with the papers saved there."""
    return {"reading-list.md": _environment().get_template("reading_list.md.j2").render(
        **site.common)}


def _search_page(site: _Site) -> dict[str, str]:
    """``search.md``: the search form, with a filter for each topic, year and month listed."""
    months = sorted({day.replace(day=1) for day in site.days}, reverse=True)
    years = sorted({day.year for day in site.days}, reverse=True)
    return {"search.md": _environment().get_template("search.md.j2").render(
        years=years, months=months, **site.common)}


def _groups(entries: list[Entry], vocab: Vocabulary) -> list[tuple[object, list[Entry]]]:
    """A day's papers grouped under each paper's first topic, in vocabulary order."""
    grouped: dict[str, list[Entry]] = defaultdict(list)
    # Featured papers first in every group: the shown order puts them first only among
    # papers whose latest day is the same, and a paper listed again later sorts ahead.
    for entry in sorted(entries, key=lambda e: not e.featured):
        grouped[entry.tags[0] if entry.tags else ""].append(entry)
    order = [t for t in vocab.topics if t.slug in grouped]
    result = [(t, grouped[t.slug]) for t in order]
    others = sorted(k for k in grouped if k and vocab.get(k) is None)
    untagged = sorted([e for k in others for e in grouped[k]] + grouped.get("", []),
                      key=lambda e: not e.featured)
    if untagged:
        result.append((None, untagged))
    return result
