"""MkDocs hook: each built page without the indentation of Material's templates.

Every page repeats the theme's chrome, indented as deep as its templates nest: about an
eighth of a paper page, and so of the site. A run of whitespace that holds a line break
becomes that one line break, which a browser renders the same; the elements whose
whitespace shows are kept as they are: <pre>, <textarea>, <script>, <style>, and <code>
and <kbd>, which Material sets to ``white-space: pre-wrap``. HTML comments go too (the
curators' note at the top of every paper page's Markdown is one), but for ``<!--! -->``
ones, which carry the icons' licences.
"""

from __future__ import annotations

import re

from mkdocs.plugins import event_priority

_KEEP = re.compile(r"<(pre|textarea|script|style|code|kbd)\b.*?</\1\s*>", re.S | re.I)
_RUN = re.compile(r"[ \t\r\f\v]*\n\s*")
_COMMENT = re.compile(r"<!--(?!!).*?-->\n?", re.S)


def compact(html: str) -> str:
    """``html`` with each whitespace run that holds a line break made one line break, and
    without its comments."""
    out, last = [], 0
    for kept in _KEEP.finditer(html):
        out += [_squeeze(html[last:kept.start()]), kept[0]]
        last = kept.end()
    out.append(_squeeze(html[last:]))
    return "".join(out)


def _squeeze(text: str) -> str:
    return _RUN.sub("\n", _COMMENT.sub("", text))


@event_priority(-100)  # after every other hook has changed the page
def on_post_page(output, page, config):
    return compact(output)
