"""Curated state: what curators wrote in paper pages, and how it meets the rules.

A paper page is front-matter, a generated part, and the curator's notes under the
``## Notes`` heading. Curators own ``tags``, ``featured``, ``hidden``, ``same_as``,
``not_same_as``, ``resolve`` and the notes; everything else is regenerated, and a key
digest does not write is refused (regenerated, it would be dropped).

Precedence, written down once:
  - Notes, ``featured`` and ``hidden``: the curator's value always stands.
  - Tags: a three-way merge. ``rule_tags`` records what the rules produced last time,
    and ``curator_added`` / ``curator_removed`` (written by digest, never edited) every
    choice a curator made before. The tags the last run wrote are therefore known; a tag
    the curator has since put into ``tags`` joins ``curator_added``, one taken out joins
    ``curator_removed``, and the latest choice about a tag replaces any earlier one.
    A tag in ``curator_added`` is always shown, one in ``curator_removed`` never is, and
    every other tag follows the current rules. So a page nobody retagged always shows the
    rules' tags, a rule change still reaches the topics a curator did not touch on a
    retagged page, and a curator's choice outlives rules that later agree and then change.
    (A page without the two keys, as written before they existed, reads as if the
    curator's choices were exactly the difference between ``tags`` and ``rule_tags``.)
    The tags the last run wrote are known twice: from the bookkeeping, and as the keys of
    ``topics``, which repeats them. A tag deleted from ``tags`` and, against the advice,
    from ``rule_tags`` too still counts as taken out, and stays out; one added to
    ``tags`` and to ``topics`` still counts as put in.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Iterator

import yaml

from .errors import DigestError, Problem, excerpt, yaml_error
from .model import arxiv_id, pickled_as_values
from .pages import HANDLER

NOTES_HEADING = "## Notes"
_HEADING = re.compile(rf"^{re.escape(NOTES_HEADING)}[ \t]*$\n?", re.M)


@pickled_as_values  # the memo holds one per page
@dataclass(frozen=True)
class CuratedPage:
    """What an existing paper page says: identity, curated fields and notes."""

    path: str
    key: str
    arxiv_id: str | None
    title: str
    tags: tuple[str, ...]
    rule_tags: tuple[str, ...]
    curator_added: tuple[str, ...]
    curator_removed: tuple[str, ...]
    written: tuple[str, ...] | None  # the tags the last run wrote (its ``topics``), if known
    featured: bool
    hidden: bool
    notes: str  # everything after the Notes heading line, byte for byte
    listed: tuple[dt.date, ...]
    tags_line: int  # where ``tags:`` stands, for messages about tags
    text: str  # the whole page as read
    # A curator's word on duplicates (see merge.py): this page's paper is the one on the
    # page ``same_as`` names, or is not the one on each page ``not_same_as`` names.
    same_as: str | None = None
    not_same_as: tuple[str, ...] = ()
    same_as_line: int = 2
    not_same_as_line: int = 2
    # The curator's word on 'digest enrich' (see enrich.py): an arXiv id pins the match,
    # False rejects any; None leaves it to enrich.
    resolve: str | bool | None = None

    @property
    def slug(self) -> str:
        return page_slug(self.path)

    def with_text(self, text: str) -> CuratedPage:
        """This page with ``text`` as its text: ``replace(self, text=text)`` without
        dataclasses.replace's work per field (profiled, a new day at 50,000 pages: 0.8 s of
        21), which this frozen record, with nothing worked out in __init__, needs not."""
        page = copy.copy(self)
        object.__setattr__(page, "text", text)
        return page


def page_slug(path: str) -> str:
    """A page's file name without ``.md``: its paper's slug. String work, not
    ``Path(path).stem``: that, for every page several times a run, was a second at 50,000."""
    name = path.rpartition("/")[2]
    return name[:-3] if name.endswith(".md") else PurePosixPath(name).stem


def split_front_matter(text: str, path: str) -> tuple[dict, str, int]:
    """Front-matter mapping, body, and the body's first line number."""
    if not HANDLER.detect(text):
        if re.match(r"---[ \t]*\n", text):
            raise DigestError.at(path, _generated_start(text, 1) or 1, _NO_CLOSING_FENCE)
        raise DigestError.at(path, 1, "the page does not start with '---' front-matter; "
                                      "restore the '---' lines around the YAML header")
    fm, body = HANDLER.split(text)
    # A deleted closing fence lets the header run on to a '---' further down (a rule in
    # the notes): the generated body then sits inside the "YAML".
    inside = _generated_start(fm, 2)
    if inside is not None:
        raise DigestError.at(path, inside, _NO_CLOSING_FENCE)
    try:
        meta = HANDLER.load(fm) or {}
    except yaml.MarkedYAMLError as exc:
        # The YAML starts on line 2, after the opening '---'.
        raise yaml_error(path, exc, 2, "broken front-matter YAML",
                         "fix the YAML (quote values that contain ': ')") from None
    if not isinstance(meta, dict):
        raise DigestError.at(path, 2, "the front-matter must be a YAML mapping of keys to values")
    return meta, body, _line_after(text, body)


def _line_after(text: str, rest: str) -> int:
    """The line number where ``rest``, a tail of ``text``, starts."""
    return text.count("\n", 0, len(text) - len(rest)) + 1


_NO_CLOSING_FENCE = ("the front-matter's closing '---' line is missing; put a line '---' back "
                     "after the last front-matter key, above this line")
_GENERATED_MARK = re.compile(rf"^(<!-- Generated by digest|## Abstract|{NOTES_HEADING})", re.M)


def _generated_start(text: str, first_line: int) -> int | None:
    """The line where generated Markdown starts in text, if it has any."""
    m = _GENERATED_MARK.search(text)
    return first_line + text.count("\n", 0, m.start()) if m else None


def normalise(text: str) -> str:
    """The page as digest reads it: without a UTF-8 BOM, and LF lines if it is a CRLF page.

    Editors and Git on Windows (``core.autocrlf``) save pages with CRLF line ends, some
    with a BOM. A page whose first line ends in CRLF is a CRLF page: every CRLF in it
    becomes LF, so the page reads and is rewritten as the LF page it stands for, its notes
    byte for byte but for those line ends (a lone CR stays). An LF page is read as it is,
    a CRLF inside its notes included. Lines are neither added nor removed, so every line
    number in a message is the line in the file as saved.
    """
    text = text.removeprefix("\ufeff")
    first = text.find("\n")
    if first > 0 and text[first - 1] == "\r":
        text = text.replace("\r\n", "\n")
    return text


def parse_page(text: str, path: str) -> CuratedPage:
    """Read a paper page's identity and curated state, or say precisely what is broken."""
    text = normalise(text)
    meta, body, body_line = split_front_matter(text, path)
    unknown = _unknown_keys(meta, _Check(path, text))
    try:
        page = _page(meta, body, body_line, text, path)
    except DigestError as error:
        raise DigestError(unknown + list(error.problems)) from None
    if unknown:
        raise DigestError(unknown)
    return page


# What a curator may set in the front-matter; generate writes every other key itself.
CURATOR_KEYS = ("tags", "featured", "hidden", "same_as", "not_same_as", "resolve")
# Every key of a paper page (render._front_meta) and of a redirect (render.redirect_page).
PAGE_KEYS = frozenset(CURATOR_KEYS) | {
    "title", "id", "template", "hide", "description", "rule_tags", "curator_added",
    "curator_removed", "search", "topics", "listed", "sources", "arxiv", "published",
    "updated", "authors", "organization", "upvotes", "github_stars", "category", "keywords",
    "abstract_changed", "links", "related"}


def _unknown_keys(meta: dict, check: _Check) -> list[Problem]:
    """A key generate does not know: the next run would drop it, and with it what a
    curator meant (``same-as``, ``hiden``)."""
    for key in meta:
        if key in PAGE_KEYS:
            continue
        name = str(key)
        close = difflib.get_close_matches(name.lower().replace("-", "_"), sorted(PAGE_KEYS),
                                          n=1, cutoff=0.75)
        check.at(check.line_of(name), (
            f"unknown key '{name}': did you mean '{close[0]}'? Rename it" if close else
            f"unknown key '{name}': the front-matter takes only {', '.join(CURATOR_KEYS[:-1])}"
            f" and {CURATOR_KEYS[-1]} from a curator; write it as a note below "
            f"'{NOTES_HEADING}', or delete the line"))
    return check.problems


def written_page(meta: dict, front: str, text: str, path: str) -> CuratedPage:
    """What ``parse_page(text, path)`` gives for a page generate rendered from the
    front-matter ``meta``, dumped as ``front``, without reading that YAML back: a safe
    dump of plain values (strings, numbers, booleans, dates, and lists and mappings of
    them) safe-loads back equal. A new day reads most pages as the last run wrote them,
    and the memo (memo.py) keeps each one's parse: without it, the day after a cold run
    parsed every page (the YAML alone a third of a millisecond a page, 50,000 pages)."""
    text = normalise(text)
    head = "---\n" + front
    lines = "\n" + front  # each of the header's lines after a newline
    # The fences as HANDLER.split finds them, without its scan of the header: when no
    # line of ``front`` opens like a fence, the first fence after the opening one is the
    # line after it.
    if text.startswith(head + "---\n") and "\n---" not in lines and "\n..." not in lines:
        body = text[len(head) + 4:]
    else:
        _fm, body = HANDLER.split(text)
    return _page(meta, body, _line_after(text, body), text, path)


def _page(meta: dict, body: str, body_line: int, text: str, path: str) -> CuratedPage:
    check = _Check(path, text)
    key = _identity(meta, check)
    same_as, not_same_as = _same_as(meta, check)
    resolve = _resolve(meta, check)
    # A page merged into another is a redirect: it keeps no tags of its own.
    tags = _tag_lists({"tags": [], **meta} if same_as else meta, check)
    flags = _flags(meta, check)
    notes = _notes(body, body_line, check)
    if check.problems:
        raise DigestError(check.problems)
    return CuratedPage(
        path=path, key=key, arxiv_id=str(meta["arxiv"]) if meta.get("arxiv") else None,
        title=str(meta.get("title", "")), **tags, written=_written(meta), **flags, notes=notes,
        listed=tuple(d for d in meta.get("listed") or [] if isinstance(d, dt.date)),
        tags_line=check.line_of("tags"), text=text, same_as=same_as, not_same_as=not_same_as,
        same_as_line=check.line_of("same_as"), not_same_as_line=check.line_of("not_same_as"),
        resolve=resolve)


class _Check:
    """The problems found in one page so far, each at the line it concerns."""

    def __init__(self, path: str, text: str) -> None:
        self.path, self.text = path, text
        self.problems: list[Problem] = []

    def line_of(self, key: str) -> int:
        """The line of a front-matter key; line 2, the header's first, when it is absent."""
        if key not in self.text:  # a plain scan: the pattern's is many times slower
            return 2
        m = re.search(rf"^{re.escape(key)}\s*:", self.text, re.M)
        return self.text.count("\n", 0, m.start()) + 1 if m else 2

    def at(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))


def _identity(meta: dict, check: _Check) -> str:
    key = meta.get("id")
    if not isinstance(key, str) or not re.match(r"(arxiv|title):.", key):
        check.at(check.line_of("id"), "the page has no valid 'id' (arxiv:... or title:...); "
                                      "restore it from git history")
    return key


def _same_as(meta: dict, check: _Check) -> tuple[str | None, tuple[str, ...]]:
    same_as = meta.get("same_as")
    if same_as is not None and (not isinstance(same_as, str) or not same_as.strip()):
        check.at(check.line_of("same_as"), "'same_as' must be the slug of the page to keep "
                                           "(its file name without .md)")
        same_as = None
    others = _str_list(meta.get("not_same_as", []))
    if others is None:
        check.at(check.line_of("not_same_as"), "'not_same_as' must be a list of page slugs")
    return (same_as.strip() if same_as else None), tuple(others or ())


def _resolve(meta: dict, check: _Check) -> str | bool | None:
    value = meta.get("resolve")
    if value is None or value is False:
        return value
    # Unquoted, 2310.17230 is the number 2310.1723: only a string keeps the id exact.
    aid = arxiv_id(value.strip()) if isinstance(value, str) else None
    if aid is None:
        check.at(check.line_of("resolve"), "'resolve' must be an arXiv id such as "
                                           "'2310.17230' (quoted) to pin the match, or false "
                                           "to reject any")
    return aid


# Each list of topic slugs in the front-matter, and what to do when it is not one.
_TAG_LISTS = {
    "tags": "",
    "rule_tags": "; do not edit it",
    "curator_added": "; do not edit it, edit 'tags'",
    "curator_removed": "; do not edit it, edit 'tags'",
}


def _tag_lists(meta: dict, check: _Check) -> dict[str, tuple[str, ...]]:
    if "tags" not in meta:
        # Read as an empty list, a deleted key would remove every tag for good, and read
        # as "no choice made" it would bring back tags a curator meant to delete: only the
        # curator can say which, so nothing is written until the key is back.
        check.at(check.line_of("rule_tags"), "the 'tags' key is missing; put back a line "
                                             "'tags:' with the paper's topics, or 'tags: []' "
                                             "for none")
    lists = {}
    for name, remedy in _TAG_LISTS.items():
        value = _str_list(meta.get(name, []))
        if value is None:
            check.at(check.line_of(name), f"'{name}' must be a list of topic slugs{remedy}")
        # A tag listed twice is one tag (the first place it stands keeps its order):
        # counted twice, it would repeat the paper in its topic, its feed and its .bib.
        lists[name] = tuple(dict.fromkeys(value or ()))
    return lists


def _written(meta: dict) -> tuple[str, ...] | None:
    # Every run writes the page's tags a second time, as the keys of 'topics' (slug to
    # name, for the theme). That copy is the truest record of what the last run wrote:
    # a curator who deletes a tag from 'rule_tags' as well as from 'tags' leaves it there.
    topics = meta.get("topics")
    if isinstance(topics, dict) and all(isinstance(k, str) for k in topics):
        return tuple(topics)
    return None


def _flags(meta: dict, check: _Check) -> dict[str, bool]:
    flags = {}
    for flag in ("featured", "hidden"):
        value = meta.get(flag, False)
        if not isinstance(value, bool):
            check.at(check.line_of(flag), f"'{flag}' must be true or false")
        flags[flag] = value is True
    return flags


def _notes(body: str, body_line: int, check: _Check) -> str:
    """Everything after the one Notes heading, byte for byte."""
    heading = next(_headings(body), None)
    if heading is None:
        near = _NEAR_HEADING.search(body)
        if near:  # '## notes', '##Notes', '# Notes': the heading, mistyped
            check.at(body_line + body.count("\n", 0, near.start()),
                     f"{excerpt(near.group().strip())} should read '{NOTES_HEADING}' exactly; "
                     "correct it")
        else:
            check.at(body_line, f"the '{NOTES_HEADING}' heading is missing; put it back and "
                                "write notes under it")
        return ""
    for again in _headings(body, heading.end()):
        if _in_fence(body[heading.end():again.start()]):
            continue  # '## Notes' shown in a code block is text, not a heading
        check.at(body_line + body.count("\n", 0, again.start()),
                 f"a second '{NOTES_HEADING}' heading; generate keeps everything below the "
                 "first one, so delete this one (use '### ' for headings inside your notes)")
    return body[heading.end():]


_NEAR_HEADING = re.compile(r"^ {0,3}#{1,6}\s*notes\s*:?[ \t]*$", re.M | re.I)


def _headings(body: str, start: int = 0) -> Iterator[re.Match]:
    """``_HEADING.finditer(body, start)``, found by the heading's text first: the
    pattern's own scan of a page's body was a sixth of reading a page."""
    at = body.find(NOTES_HEADING, start)
    while at != -1:
        # With a start position, '^' still matches only at a line's start.
        found = _HEADING.match(body, at)
        if found:
            yield found
            at = body.find(NOTES_HEADING, found.end())
        else:
            at = body.find(NOTES_HEADING, at + 1)


# A fence line as CommonMark has it: up to three spaces, then three or more ` or ~.
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def _in_fence(text: str) -> bool:
    """Whether a fenced code block opened in these lines is still open at their end."""
    opened = None
    for line in text.split("\n"):
        fence = _FENCE.match(line)
        if fence is None:
            continue
        mark, rest = fence[1], fence[2]
        if opened is None:
            # A backtick fence's info string may not hold a backtick.
            if mark[0] == "~" or "`" not in rest:
                opened = mark
        elif mark[0] == opened[0] and len(mark) >= len(opened) and not rest.strip():
            opened = None
    return opened is not None


def _str_list(value) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


@dataclass(frozen=True)
class TagChoice:
    """A page's tags after the merge, and the curator's standing choices behind them."""

    tags: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]


def resolve_tags(rules: tuple[str, ...], page: CuratedPage | None) -> TagChoice:
    """The precedence above, applied: curator choices first, the rules for the rest."""
    if page is None:
        return TagChoice(rules, (), ())
    before_added, before_removed = set(page.curator_added), set(page.curator_removed)
    derived = {t for t in page.rule_tags if t not in before_removed} | before_added
    written = derived if page.written is None else set(page.written)
    now = set(page.tags)
    # The two records of the last run's tags agree unless a curator edited one of them;
    # then a tag counts as put in unless both say it was written, and as taken out if
    # either does, so no edit to a record undoes a choice made in 'tags'.
    put_in, taken_out = now - (derived & written), (derived | written) - now
    added = tuple(t for t in page.tags if t in (before_added | put_in) - taken_out)
    removed = tuple(sorted((before_removed - put_in) | taken_out))
    merged = [t for t in rules if t not in removed]
    return TagChoice(tuple(merged + [t for t in added if t not in merged]), added, removed)


def tag_line(page: CuratedPage, tag: str) -> int:
    """The line of one tag in the page's ``tags:`` list, for messages that name it."""
    lines = page.text.split("\n")
    for number in range(page.tags_line, min(len(lines), page.tags_line + 200)):
        item = re.match(r"\s*-\s*(['\"]?)(.*)\1\s*$", lines[number])
        if item is None:
            break
        if item[2] == tag:
            return number + 1
    return page.tags_line


def hand_edits(page: str, expected: str) -> list[int]:
    """The lines of text a curator wrote in ``page``'s generated part, which ``expected``,
    the page as generate would now write it, would delete.

    The generated part (between the front-matter and the Notes heading) changes for good
    reasons too: a source brings a new abstract, new links, a new citation. The old text of
    those is not recorded anywhere, so it cannot be told from a curator's edit to it. The
    rule is therefore: every line the new page would not keep, outside the parts that come
    from sources (the abstract, the link lines under it, the citation block, and the
    generated comment, whose wording may change), is someone's hand edit. Lines that are
    only blank hold nothing to lose. So a curator's paragraph anywhere else above the
    heading is caught, while a new abstract or citation is never taken for one.
    """
    start, mine = _generated_lines(page)
    _, theirs = _generated_lines(expected)
    sourced = _from_sources(mine)
    edits = []
    opcodes = difflib.SequenceMatcher(None, mine, theirs, autojunk=False).get_opcodes()
    for op, i1, i2, _, _ in opcodes:
        if op in ("replace", "delete"):
            edits += [start + i for i in range(i1, i2) if mine[i].strip() and i not in sourced]
    return edits


def _generated_lines(text: str) -> tuple[int, list[str]]:
    """The first line number of a parsed page's generated part, and its lines."""
    _, rest = HANDLER.split(text)
    heading = _HEADING.search(rest)
    return _line_after(text, rest), rest[:heading.start()].split("\n")


# What the generator writes from sources in a page's generated part (templates/paper.md.j2).
_LINKS = ("**Authors:**", "**Code:**", "**Read it on**", "**Search for it on**")
_LINKS_BLOCK = '<p class="digest-links" markdown>'  # which search leaves out


def _is_links(line: str) -> bool:
    return line.removeprefix(_LINKS_BLOCK).startswith(_LINKS)


def _from_sources(lines: list[str]) -> set[int]:
    """The indexes of lines whose text comes from sources, not from the template."""
    sourced, region = set(), None
    for i, line in enumerate(lines):
        if region == "abstract" and (_is_links(line) or line == "## Cite"):
            region = None
        if line.startswith("<!-- Generated by digest") or _is_links(line) \
                or region is not None:
            sourced.add(i)
        if line == "## Abstract":
            region = "abstract"
        elif line == "~~~bibtex":
            region = "bibtex"
            sourced.add(i)
        elif region == "bibtex" and line == "~~~":
            region = None
    return sourced
