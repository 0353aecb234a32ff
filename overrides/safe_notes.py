"""MkDocs hook: a paper page's notes reach the site as sanitised HTML.

Everything below a paper page's "## Notes" heading is the curators', and "edit this
page" invites pull requests from anyone. Their Markdown renders, and so does a safe
subset of inline HTML (links, emphasis, lists, tables, code, ``<kbd>``...), but script,
event handlers (attr_list's ``{ onclick=... }`` too), ``javascript:`` and other
non-web URLs, frames, forms, styles and images from other sites never reach the page.
The HTML after the heading is passed through nh3 (the Ammonia sanitiser) once it is
rendered, after every other hook and plugin has changed it, and before the search
plugin indexes it (``on_page_context``), so the search index gets the same safe HTML.
The heading itself, with its permalink, and the generated part above it are left as
they are. The table of contents and the page's ``<head>`` take nothing from the notes'
HTML: MkDocs reads headings' text only, and the head comes from the front-matter.
"""

from __future__ import annotations

import re

import nh3
from mkdocs.plugins import event_priority

# The Notes heading as Python-Markdown's toc extension writes it (id, then permalink).
_NOTES_HEADING = re.compile(r'<h2 id="notes">(?:(?!</h2>).)*</h2>', re.S)

# What Markdown makes, plus the inline HTML a note may reasonably want.
TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp",
    "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "u", "ul", "var",
}
HEADINGS = {"h2", "h3", "h4", "h5", "h6"}
ATTRIBUTES = {
    "*": {"title", "lang", "dir"},
    "a": {"href", "class"},  # class: the headings' permalinks are "headerlink"
    "img": {"src", "alt", "width", "height"},
    "abbr": set(), "ol": {"start"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"},
    # Syntax highlighting (pymdownx.highlight) is classes on these.
    "code": {"class"}, "div": {"class"}, "pre": {"class"}, "span": {"class"},
    **{h: {"id"} for h in HEADINGS},  # where the table of contents and permalinks point
}
# Their content is code or markup, never text to keep.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "noscript", "template", "object",
                        "textarea", "select"}
SCHEMES = {"http", "https", "mailto"}


def _attribute(element: str, attribute: str, value: str) -> str | None:
    # An image from another site is a request to it whenever the page is read.
    if attribute == "src" and (":" in value or value.startswith(("//", "\\\\", "/\\"))):
        return None
    # Material's own elements have ids that start with "__" (its configuration among
    # them); a heading with such an id would shadow them.
    if attribute == "id" and value.startswith("_"):
        return None
    return value


def sanitise(html: str) -> str:
    """Notes HTML reduced to the safe subset above."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES,
                     clean_content_tags=DROPPED_WITH_CONTENT, attribute_filter=_attribute,
                     url_schemes=SCHEMES, strip_comments=True, link_rel="noopener noreferrer")


@event_priority(-100)  # after every other hook and plugin has had the page's HTML
def on_page_content(html, page, config, files):
    """Sanitise everything after a paper page's Notes heading."""
    if page.meta.get("template") != "paper.html":
        return html
    heading = _NOTES_HEADING.search(html)
    if heading is None:
        # generate refuses such a page, but mkdocs may build one: none of it is trusted.
        return sanitise(html)
    return html[:heading.end()] + sanitise(html[heading.end():])
