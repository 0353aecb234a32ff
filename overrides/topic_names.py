"""MkDocs hook: Material's tags show each topic's name, not its slug.

A paper's front-matter keeps its topics as slugs under ``tags`` (curators edit those),
and the names under ``topics``. Material's tags plugin and search print ``tags`` as
they are, so the Tags page would list "spiking-networks". This hands them the names
instead, escaped like the other front-matter text the theme prints (safe_meta.py).
"""

from __future__ import annotations

from markupsafe import escape
from mkdocs.plugins import event_priority


@event_priority(80)  # after hidden_pages.py (90), before the tags plugin (-50)
def on_page_markdown(markdown, page, config, files):
    """Replace a page's topic slugs with their names, for the theme only."""
    tags, names = page.meta.get("tags"), page.meta.get("topics")
    if isinstance(tags, list) and isinstance(names, dict):
        page.meta["tags"] = [escape(names.get(tag, tag)) for tag in tags]
    return markdown
