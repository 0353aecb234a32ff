"""MkDocs hook: front-matter text reaches the theme as escaped HTML, never as markup.

Our pages' front-matter holds plain text, some of it straight from sources (a paper's
title, its description). MkDocs 1.6 treats a page title as HTML, and Material prints
``page.meta.title``, ``page.title`` and ``page.meta.description`` unescaped (in
``<title>``, the header, the tags index and the search index, whose results are shown
with ``innerHTML``). So each such value is replaced by its escaped form, wrapped in
``Markup``: printed bare it is safe HTML, and ``| e`` in our overrides leaves it as is
instead of escaping it twice. The Markdown files keep the plain text.
"""

from __future__ import annotations

from markupsafe import Markup, escape
from mkdocs.plugins import event_priority

# The front-matter keys Material prints without escaping.
TEXT_KEYS = ("title", "description", "author", "subtitle")


@event_priority(100)  # before any plugin reads the title
def on_page_markdown(markdown, page, config, files):
    """Escape the theme-printed text of the page's front-matter."""
    for key in TEXT_KEYS:
        value = page.meta.get(key)
        if isinstance(value, str) and not isinstance(value, Markup):
            page.meta[key] = escape(value)
    return markdown
