"""MkDocs hook: a paper page whose Notes section is empty leaves it out of the contents.

Every paper page ends with a "## Notes" heading for curators to write under. While
nothing follows it, digest.css hides the heading, and this hook drops it from the table
of contents, where its link would lead to nothing visible.
"""

from __future__ import annotations

import re

# The Notes heading with nothing after it: the end of the page's HTML.
_EMPTY_NOTES = re.compile(r'<h2 id="notes">(?:(?!<h2).)*?</h2>\s*\Z', re.S)


def on_page_content(html, page, config, files):
    """Drop an empty Notes section from a paper page's table of contents."""
    if page.meta.get("template") == "paper.html" and _EMPTY_NOTES.search(html):
        page.toc.items = [item for item in page.toc.items if item.id != "notes"]
    return html
