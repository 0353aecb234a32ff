"""Atom feeds: the newest papers of the whole site, and of each topic.

A feed is rendered from data alone, like every other page: no clock is read, so its
``updated`` is the newest listing date it holds, and two runs over the same inputs give
the same bytes. Ids are absolute page URLs (a paper's slug never changes once generated),
and an entry's ``updated`` is the day its current title and abstract were first listed
(``Paper.content_since``), so a feed reader never sees an old paper as new when a later
day lists it again. A feed holds at least every paper of its newest day, however many:
a subscriber misses none of them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from . import clean
from .model import Entry, SiteInfo
from .tagging import Vocabulary
from .templating import environment

# Authors beyond this many are left out of a feed entry (the paper page lists them all):
# collaboration papers with hundreds of names would swamp a feed.
FEED_AUTHORS = 10

# Characters XML 1.0 forbids even when escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value):
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


_ENV = environment({"timestamp": _timestamp, "plain": clean.plain},
                   autoescape=True, finalize=_xml_text)


def atom(entries: Sequence[Entry], vocab: Vocabulary, site: SiteInfo, *, name: str,
         title: str, subtitle: str, page: str, updated: dt.date | None) -> str:
    """The Atom feed ``feeds/<name>.xml`` of the newest entries given.

    It holds the first ``site.feed_size`` entries, or every entry of the newest day when
    there are more. ``entries`` come newest first; ``page`` is the site page the feed
    follows (relative to the site root); ``updated`` stands in when the feed is empty.
    """
    newest_day = sum(1 for e in entries if e.latest == entries[0].latest) if entries else 0
    shown = list(entries[:max(site.feed_size, newest_day)])
    # Relative links resolve against the feed's own address when no site_url is set.
    base = site.url or "../"
    newest = max((e.latest for e in shown), default=updated) or dt.date(1970, 1, 1)
    return _ENV.get_template("feed.xml.j2").render(
        entries=shown, vocab=vocab, site=site, base=base, title=title, subtitle=subtitle,
        feed_url=f"{base}feeds/{name}.xml", page_url=base + page, updated=newest,
        feed_id=f"{site.url}feeds/{name}.xml" if site.url else f"urn:digest:feed:{name}",
        paper_id=lambda slug: f"{site.url}papers/{slug}/" if site.url else f"urn:digest:paper:{slug}",
        max_authors=FEED_AUTHORS)

# Material's instant navigation fetches "sitemap.xml" next to every <link rel="alternate">
# in a page's head (it looks for other language versions there): for the feed links that
# is feeds/sitemap.xml. This empty sitemap answers it, so no page logs a 404.
ALTERNATE_SITEMAP = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                     '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n')
