"""MkDocs hook: each built page without the indentation of Material's templates.

Every page repeats the theme's chrome, indented as deep as its templates nest: about an
eighth of a paper page, and so of the site. A run of whitespace that holds a line break
becomes that one line break, which a browser renders the same; the elements whose
whitespace shows are kept as they are: <pre>, <textarea>, <script>, <style>, and <code>
and <kbd>, which Material sets to ``white-space: pre-wrap``. HTML comments go too (the
curators' note at the top of every paper page's Markdown is one), but for ``<!--! -->``
ones, which carry the icons' licences.

An icon drawn twice on a page (the logo and the repository's icon in the header and again
in the navigation drawer, search's magnifier) is drawn the second time by reference.
"""

from __future__ import annotations

import re
from collections import Counter

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


# An inline icon: one path in an <svg>, as Material writes its icons.
_ICON = re.compile(r'(<svg [^>]*>)<path d="([^"]*)"/></svg>')


def share_icons(html: str) -> str:
    """``html`` with each icon drawn again (the logo, the repository's, search's) pointing
    back at its first drawing with <use>, instead of repeating its path."""
    seen: dict[str, str] = {}

    def one(m: re.Match) -> str:
        if m[2] not in seen:
            seen[m[2]] = f"digest-icon-{len(seen) + 1}"
            return f'{m[1]}<path id="{seen[m[2]]}" d="{m[2]}"/></svg>'
        return f'{m[1]}<use href="#{seen[m[2]]}"/></svg>'

    repeated = {d for d, n in Counter(d for _svg, d in _ICON.findall(html)).items() if n > 1}
    if not repeated:
        return html
    return _ICON.sub(lambda m: one(m) if m[2] in repeated else m[0], html)


@event_priority(-100)  # after every other hook has changed the page
def on_post_page(output, page, config):
    return share_icons(compact(output))
