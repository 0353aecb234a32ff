"""BibTeX: one ``@misc`` entry per paper, and one bibliography per topic.

The key of an entry is the paper's slug: unique (the writer refuses two pages with one
slug) and stable (a page's slug never changes once generated), so a key a reader has
cited keeps working. Field values are escaped so that BibTeX, biber and LaTeX read them
back as the literal text: braces are never left unbalanced, even escaped ones, because
BibTeX counts ``\\{`` as a brace.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pylatexenc import latexencode

from . import clean
from .model import Paper, arxiv_year

# The TeX-special characters, printed literally with pylatexenc's commands for them.
# Braces print through text commands instead of its '\\{': BibTeX counts an escaped brace
# too, so a lone one would unbalance the field. Everything else, non-ASCII included, is
# kept as it is, as UTF-8.
_SPECIALS = "\\{}&%$#_~^"
_LATEX = latexencode.get_builtin_uni2latex_dict()
_ENCODER = latexencode.UnicodeToLatexEncoder(
    conversion_rules=[latexencode.UnicodeToLatexConversionRule(latexencode.RULE_DICT, {
        **{ord(c): _LATEX[ord(c)] for c in _SPECIALS},
        ord("{"): r"\textbraceleft", ord("}"): r"\textbraceright"})],
    replacement_latex_protection="braces-after-macro",  # \textasciitilde{}, not {\textasciitilde}
    unknown_char_policy="keep", unknown_char_warning=False)
_SPECIAL_RE = re.compile(f"[{re.escape(_SPECIALS)}]")


def escape(text: str) -> str:
    """Text as a BibTeX field value that prints literally; whitespace collapsed."""
    text = " ".join(text.split())
    # The encoder steps through every character in Python, and most values have nothing
    # to escape. (It also composes characters, NFC, as clean.plain already has.)
    return _ENCODER.unicode_to_latex(text) if _SPECIAL_RE.search(text) else text


def _name(author: str) -> str:
    # A comma or a standalone "and" would split the name; braces keep it whole.
    name = escape(clean.plain(author))
    if "," in name or re.search(r"(?i)(?<!\S)and(?!\S)", name):
        return "{" + name + "}"
    return name


def year(paper: Paper) -> int | None:
    """The paper's year: its publication date, else its arXiv id; None when neither is known.

    The day it was listed is no guide (Pointer Networks, 2015, is listed in 2025), and a
    citation without a year is better than one with a wrong year.
    """
    if paper.published:
        return paper.published.year
    return arxiv_year(paper.arxiv_id or "")


def entry(paper: Paper, key: str, title: str | None = None) -> str:
    """The ``@misc`` entry of one paper, with its arXiv eprint when the id is known.

    ``title``: the title's clean.plain when the caller has it already.
    """
    title = clean.plain(paper.title) if title is None else title
    # Double braces keep the title's capitals (acronyms such as SNN) in every style.
    fields = [("title", "{" + escape(title) + "}")]
    names = [_name(a) for a in paper.authors if clean.plain(a)]
    if names:
        fields.append(("author", " and ".join(names)))
    if year(paper) is not None:
        fields.append(("year", str(year(paper))))
    if paper.arxiv_id:
        fields += [("eprint", escape(paper.arxiv_id)), ("archivePrefix", "arXiv")]
        if paper.category:
            fields.append(("primaryClass", escape(paper.category)))
        # arXiv ids are digits, dots, letters, '-' and '/': nothing the url package minds.
        fields.append(("url", f"https://arxiv.org/abs/{paper.arxiv_id}"))
    else:
        fields.append(("note", f"Hugging Face Daily Papers, {paper.dates[0].isoformat()}"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def bibliography(entries: Iterable[tuple[str, str]], heading: str) -> str:
    """A ``.bib`` file: a comment line, then the entries sorted by key.

    Entries are (key, :func:`entry`'s text for that key).
    """
    # Outside entries BibTeX skips text, but an '@' would start an entry.
    lines = [f"% {heading.replace('@', '')}\n"]
    lines += ["\n" + text for _key, text in sorted(entries, key=lambda item: item[0])]
    return "".join(lines)
