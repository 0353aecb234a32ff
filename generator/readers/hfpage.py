"""Reader for copies of Hugging Face papers pages saved as plain text.

A copy has a short header, one date line with no year (``Sep 8``), then for each paper a
title line and an abstract line. Copies of current pages add a block of extras to each
paper: an upvote count or ``-``, ``N authors`` or an organisation, a ``·`` line with the
paper's own date, and sometimes a comment count. Extras are recognised by their shape
and kept as data; they never become titles or abstracts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import DigestError, Problem, excerpt
from ..model import Listing
from .base import SourceFile, decode_text

HEADER_LINES = frozenset({
    "new", "get trending papers in your email inbox!", "subscribe", "daily papers",
    "byak and the research community", "by ak and the research community",
    "daily", "weekly", "monthly", "trending papers", "trending",
})
MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_DATE = re.compile(
    r"(?P<mon>[A-Za-z]{3})[a-z]*\.?\s+(?P<day>\d{1,2})(?:,\s*(?P<year>\d{4}))?")
_DATE_LINE = re.compile(_DATE.pattern + r"$")
_UPVOTES = re.compile(r"(?:\d+|-)$")
_AUTHORS = re.compile(r"\d+ authors?$")
_DOT = re.compile(r"·\s*(?P<date>.*)$")
_COUNT = re.compile(r"\d+$")
# A title runs to 19 words in the samples and an abstract to at least 180; these bounds
# sit far from both, so only a genuinely missing line trips them.
_TITLE_MAX_WORDS = 40
_ABSTRACT_MIN_WORDS = 25


@dataclass(frozen=True)
class _Line:
    number: int
    text: str


@dataclass(frozen=True)
class _Extras:
    upvotes: int | None
    published: dt.date | None
    organization: str | None
    comments: int | None


def read(source: SourceFile) -> list[Listing]:
    """Parse one page copy into listings, one per paper."""
    lines = _nonblank_lines(source)
    date_at = _date_line(source, lines)
    day = _resolve_day(source, lines[date_at])
    body = lines[date_at + 1:]
    if not body:
        raise DigestError.at(
            source.name, lines[date_at].number,
            "the date line is followed by no papers; the copy looks truncated, so copy the "
            "whole page again")
    content, extras = _split_extras(source, body, day)
    return _pair(source, content, extras, day)


def listed_day(source: SourceFile) -> dt.date | None:
    """The day a page copy lists, from its date line; None if nothing gives that line a year.

    Only the header is read: the errors are those ``read`` gives for it.
    """
    lines = _nonblank_lines(source)
    line = lines[_date_line(source, lines)]
    if _year(source, parse_month_day(line.text)[2]) is None:
        return None
    return _resolve_day(source, line)


def _nonblank_lines(source: SourceFile) -> list[_Line]:
    lines = _lines(decode_text(source))
    if not lines:
        raise DigestError.at(source.name, None,
                             "the file is empty; paste a Hugging Face papers page into it")
    return lines


def _lines(text: str) -> list[_Line]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for number, raw in enumerate(text.split("\n"), 1):
        # NBSP, tabs and other Unicode spaces are layout, not content.
        clean = " ".join(raw.split())
        if clean:
            out.append(_Line(number, clean))
    return out


def parse_month_day(text: str) -> tuple[int, int, int | None] | None:
    """``Sep 8`` or ``Feb 27, 2025`` as (month, day, year or None); None if not a date."""
    m = _DATE_LINE.match(text)
    if not m or m["mon"].lower() not in MONTHS:
        return None
    return MONTHS[m["mon"].lower()], int(m["day"]), int(m["year"]) if m["year"] else None


def _date_line(source: SourceFile, lines: list[_Line]) -> int:
    """The index of the date line, which only header lines may precede."""
    for index, line in enumerate(lines):
        if parse_month_day(line.text):
            return index
        if line.text.lower() not in HEADER_LINES:
            if index == 0 and _DATE.match(line.text):
                break
            raise DigestError.at(
                source.name, line.number,
                f"expected the page header and then a date line such as 'Sep 8', but found "
                f"{excerpt(line.text)}; copy the page from its top, including the date")
    first = lines[0]
    raise DigestError.at(
        source.name, first.number,
        f"no date line such as 'Sep 8' was found (first line: {excerpt(first.text)}); "
        "copy the page including its date, or write the date on a line of its own")


def _year(source: SourceFile, written: int | None) -> int | None:
    """The date line's year: as written, else the file name's, else default_year."""
    if written is not None:
        return written
    named = source.name_date
    return named.year if named else source.default_year


def _resolve_day(source: SourceFile, line: _Line) -> dt.date:
    month, day, written = parse_month_day(line.text)
    named = source.name_date
    year = _year(source, written)
    if year is None:
        raise DigestError.at(
            source.name, line.number,
            f"the date line {excerpt(line.text)} has no year; start the file name with the "
            "full date (e.g. 2025-09-08-hf-papers.txt) or set default_year under "
            "[tool.digest] in pyproject.toml")
    try:
        resolved = dt.date(year, month, day)
    except ValueError:
        raise DigestError.at(
            source.name, line.number,
            f"{excerpt(line.text)} is not a real date in {year}; correct the date line") from None
    if named and named != resolved:
        raise DigestError.at(
            source.name, line.number,
            f"the date line says {resolved.isoformat()} but the file name says "
            f"{named.isoformat()}; rename the file or correct the date line")
    return resolved


@dataclass(frozen=True)
class _Block:
    start: int  # index of its first line in the body
    end: int  # index of its last line
    extras: _Extras


def _split_extras(source: SourceFile, body: list[_Line], day: dt.date
                  ) -> tuple[list[_Line], dict[int, _Extras]]:
    """Remove the extras blocks; map each to the index of the content line it belongs to."""
    taken: set[int] = set()
    blocks: list[_Block] = []
    for d, line in enumerate(body):
        if _DOT.match(line.text):
            block = _block_around(source, body, d, taken, day)
            taken.update(range(block.start, block.end + 1))
            blocks.append(block)
    content = [line for i, line in enumerate(body) if i not in taken]
    return content, _owners(body, taken, blocks)


def _block_around(source: SourceFile, body: list[_Line], d: int, taken: set[int],
                  day: dt.date) -> _Block:
    """The extras block of the '·' line at ``d``; ``taken`` holds earlier blocks' lines."""
    date_at, own_date = d, _DOT.match(body[d].text)["date"]
    if not own_date and d + 1 < len(body) and parse_month_day(body[d + 1].text):
        date_at, own_date = d + 1, body[d + 1].text  # '·' alone, the date on the next line
    start, organization = d, None
    if d >= 1 and (_AUTHORS.match(body[d - 1].text)
                   or (d >= 2 and _UPVOTES.match(body[d - 2].text))):
        start = d - 1  # "N authors", or an organisation between the upvotes and the '·'
        if not _AUTHORS.match(body[d - 1].text):
            organization = body[d - 1].text
    upvotes = None
    if start >= 1 and _UPVOTES.match(body[start - 1].text) and start - 1 not in taken:
        start -= 1
        upvotes = None if body[start].text == "-" else int(body[start].text)
    end, comments = date_at, None
    if end + 1 < len(body) and _COUNT.match(body[end + 1].text):
        end += 1
        comments = int(body[end].text)
    published = _own_date(source, body[date_at], own_date, day)
    return _Block(start, end, _Extras(upvotes, published, organization, comments))


def _owners(body: list[_Line], taken: set[int], blocks: list[_Block]) -> dict[int, _Extras]:
    """Each block's extras under the index, among the content lines, of the line they describe.

    A copy puts every block either before its paper or after it; the first block says which.
    """
    position = {i: n for n, i in enumerate(i for i in range(len(body)) if i not in taken)}
    before_paper = bool(blocks) and blocks[0].start == 0
    owner: dict[int, _Extras] = {}
    for block in blocks:
        if before_paper:
            near = (position[i] for i in range(block.end + 1, len(body)) if i in position)
        else:
            near = (position[i] for i in range(block.start - 1, -1, -1) if i in position)
        target = next(near, None)
        if target is not None:
            owner[target] = block.extras
    return owner


def _own_date(source: SourceFile, line: _Line, text: str, day: dt.date) -> dt.date | None:
    parsed = parse_month_day(text.strip())
    if parsed is None:
        raise DigestError.at(
            source.name, line.number,
            f"expected the paper's own date after '·', found {excerpt(text)}; "
            "write it as 'May 29' or 'Feb 27, 2025'")
    month, d, year = parsed
    try:
        if year is not None:
            return dt.date(year, month, d)
        # A paper is published no later than the day it is listed.
        candidate = dt.date(day.year, month, d)
        return candidate if candidate <= day else dt.date(day.year - 1, month, d)
    except ValueError:
        raise DigestError.at(source.name, line.number,
                             f"{excerpt(text)} is not a real date; correct it") from None


def _pair(source: SourceFile, content: list[_Line], extras: dict[int, _Extras],
          day: dt.date) -> list[Listing]:
    problems: list[Problem] = []
    listings: list[Listing] = []
    i = 0
    while i < len(content):
        title = content[i]
        if _words(title) > _TITLE_MAX_WORDS:
            problems.append(Problem(
                source.name, title.number,
                "expected a title but found what looks like an abstract; a title line is "
                "missing above it, so add the paper's title"))
            i += 1
            continue
        nxt = content[i + 1] if i + 1 < len(content) else None
        after = content[i + 2] if i + 2 < len(content) else None
        # A short line followed by an abstract-length one is the next paper, not an abstract.
        if nxt is None or (_words(nxt) < _ABSTRACT_MIN_WORDS and after is not None
                           and _words(after) >= _ABSTRACT_MIN_WORDS):
            where = "at the end of the file" if nxt is None else "before the next title"
            problems.append(Problem(
                source.name, title.number,
                f"the title {excerpt(title.text)} has no abstract {where}; paste its "
                "abstract on the line after it, or delete the title"))
            i += 1
            continue
        extra = extras.get(i) or extras.get(i + 1) or _Extras(None, None, None, None)
        listings.append(Listing(
            title=title.text, abstract=nxt.text, date=day, source=source.name,
            line=title.number, upvotes=extra.upvotes, published=extra.published,
            organization=extra.organization, comments=extra.comments))
        i += 2
    if problems:
        raise DigestError(problems)
    return listings


def _words(line: _Line) -> int:
    return len(line.text.split())
