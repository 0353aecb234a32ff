"""Reader for copies of Hugging Face papers pages saved as plain text.

Hugging Face changes its page text often (banners, tabs, where the upvote count sits), so
the reader anchors on what never changes:

- the header is whatever comes before the first date line with no year (``Sep 8``), unless
  it holds something that looks like a paper;
- an abstract is a long line, and the title is the line just before it;
- everything between one paper's abstract and the next paper's title is extras: an upvote
  count or ``-``, ``N authors`` or an organisation, ``Submitted by``, a ``·`` line with the
  paper's own date (on the same line or the next), a comment count. They are recognised by
  their shape and kept as data, whether a copy puts them before or after each paper.

A line it cannot place, while the pairing of titles and abstracts is clear, is a warning
(:class:`Reading` carries them). Only a genuinely ambiguous copy is refused: a title with no
abstract, an abstract with no title, or no date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import DigestError, Problem, excerpt
from ..model import Listing
from .base import Reading, SourceFile, decode_text

# Tabs and banners that may also follow the date line; anywhere before it, any line goes.
CHROME_LINES = frozenset({
    "new", "get trending papers in your email inbox!", "subscribe", "daily papers",
    "byak and the research community", "by ak and the research community",
    "daily", "weekly", "monthly", "trending papers", "trending",
})
MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_DATE = re.compile(
    r"(?P<mon>[A-Za-z]{3})[a-z]*\.?\s+(?P<day>\d{1,2})(?:,\s*(?P<year>\d{4}))?")
_DATE_LINE = re.compile(_DATE.pattern + r"$")
_NUMBER = re.compile(r"\d+$")
_AUTHORS = re.compile(r"(?P<n>\d+) authors?$", re.IGNORECASE)
_COMMENTS = re.compile(r"(?P<n>\d+) comments?$", re.IGNORECASE)
_SUBMITTED = re.compile(r"submitted by\b:?\s*(?P<who>.*)$", re.IGNORECASE)
_DOT = re.compile(r"·\s*(?P<date>.*)$")
# A title runs to 19 words in the samples and an abstract to at least 180; these bounds
# sit far from both, so only a genuinely missing line trips them.
_TITLE_MAX_WORDS = 40
_ABSTRACT_MIN_WORDS = 25


@dataclass(frozen=True)
class _Line:
    number: int
    text: str
    words: int  # how many words text has


def read(source: SourceFile) -> list[Listing]:
    """Parse one page copy into listings, one per paper."""
    return list(read_page(source).listings)


def read_page(source: SourceFile) -> Reading:
    """Parse one page copy into listings and warnings about lines it could not place."""
    lines = _nonblank_lines(source)
    date_at = _date_line(source, lines)
    day = _resolve_day(source, lines[date_at])
    body = lines[date_at + 1:]
    if not body:
        raise DigestError.at(
            source.name, lines[date_at].number,
            "the date line is followed by no papers; the copy looks truncated, so copy the "
            "whole page again")
    try:
        reading = _papers(source, body, day)
    except DigestError as anchored:
        try:
            content, extras = _alternating_extras(source, body, day)
            reading = Reading(tuple(_alternating_pairs(source, content, extras, day)))
        except DigestError:
            raise anchored from None
    return _cut_short(source, lines[-1], reading)


# How an abstract ends: a sentence's end, or a link (the only other ending in the samples).
_SENTENCE_END = re.compile(r"[.!?)\]}\"'”’…]$")


def _cut_short(source: SourceFile, last: _Line, reading: Reading) -> Reading:
    """With a warning if the file ends inside its last abstract: a copy cut short would
    otherwise replace that paper's whole abstract with the part it kept, unnoticed."""
    tail = last.text.rsplit(" ", 1)[-1]
    if (not reading.listings or reading.listings[-1].abstract != last.text
            or _SENTENCE_END.search(last.text) or "/" in tail or "." in tail):
        return reading
    return Reading(reading.listings, reading.warnings + (Problem(
        source.name, last.number,
        f"the last abstract ends {excerpt('…' + last.text[-40:])}, not at a sentence's end: "
        "the copy looks cut short; if it is, copy the whole page again"),))


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
        words = raw.split()
        if words:
            # Its words counted once: telling abstracts by their length split every line
            # again, a fifth of reading a day's sources.
            out.append(_Line(number, " ".join(words), len(words)))
    return out


def parse_month_day(text: str) -> tuple[int, int, int | None] | None:
    """``Sep 8`` or ``Feb 27, 2025`` as (month, day, year or None); None if not a date."""
    m = _DATE_LINE.match(text)
    if not m or m["mon"].lower() not in MONTHS:
        return None
    return MONTHS[m["mon"].lower()], int(m["day"]), int(m["year"]) if m["year"] else None


def _date_line(source: SourceFile, lines: list[_Line]) -> int:
    """The index of the date line: the first date with no paper above it."""
    for index, line in enumerate(lines):
        if parse_month_day(line.text):
            return index
        if _is_abstract(line):
            # A paper before any date: its date line is missing or unreadable.
            if index >= 2:
                before = lines[index - 2]
                raise DigestError.at(
                    source.name, before.number,
                    f"expected the page header and then a date line such as 'Sep 8', but "
                    f"found {excerpt(before.text)}; copy the page from its top, including "
                    "the date")
            break
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


# The extras of one paper, in the order a copy shows them; a number's place in it tells
# an upvote count (first) from a comment count (after the '·' line).
_UPVOTES, _WHO, _SUBMITTER, _DOT_LINE, _COMMENT = range(5)


@dataclass(frozen=True)
class _Token:
    """One extras line (a bare '·' or 'Submitted by' with the line it takes after it)."""

    lines: tuple[_Line, ...]
    places: tuple[int, ...]  # where in a paper's extras it can stand; () if nowhere

    @property
    def first(self) -> _Line:
        return self.lines[0]


@dataclass(frozen=True)
class _Extras:
    upvotes: int | None = None
    author_count: int | None = None
    organization: str | None = None
    submitted_by: str | None = None
    published: dt.date | None = None
    comments: int | None = None


@dataclass(frozen=True)
class _Group:
    tokens: tuple[_Token, ...]
    places: tuple[int, ...]


def _papers(source: SourceFile, body: list[_Line], day: dt.date) -> Reading:
    problems: list[Problem] = []
    abstracts = [i for i, line in enumerate(body) if _is_abstract(line)]
    titles = []
    for a in abstracts:
        title = body[a - 1] if a >= 1 else None
        if title is None or _is_abstract(title) or _extra_places(title.text):
            problems.append(_missing_title(source, body[a], title))
        titles.append(a - 1)
    if problems:
        raise DigestError(problems)
    if not abstracts:
        line = next((x for x in body if x.text.lower() not in CHROME_LINES), body[0])
        where = "before the next title" if len(body) > 1 else "at the end of the file"
        raise DigestError.at(source.name, line.number, _lonely(line, where))
    # The lines around each paper: blocks[k] lies between paper k-1 and paper k.
    bounds = [0] + [a + 1 for a in abstracts]
    ends = titles + [len(body)]
    blocks = [body[start:end] for start, end in zip(bounds, ends)]
    blocks[0] = [line for line in blocks[0] if line.text.lower() not in CHROME_LINES]
    warnings: list[Problem] = []
    grouped = []
    for k, block in enumerate(blocks):
        tokens = _tokens(source, block, day)
        groups, strays = _segment(tokens)
        if not groups:
            # No extras here: a stray line is a title whose abstract is missing.
            for token in strays:
                where = "at the end of the file" if k == len(blocks) - 1 else \
                    "before the next title"
                problems.append(Problem(source.name, token.first.number,
                                        _lonely(token.first, where)))
        else:
            warnings += [_stray(source, line) for token in strays for line in token.lines]
        grouped.append(groups)
    if problems:
        raise DigestError(problems)
    owners, unplaced = _assign(grouped)
    warnings += [_stray(source, line) for group in unplaced for token in group.tokens
                 for line in token.lines]
    listings = []
    for n, a in enumerate(abstracts):
        title, abstract = body[titles[n]], body[a]
        extra = _extras(source, owners[n], day) if n in owners else _Extras()
        listings.append(Listing(
            title=title.text, abstract=abstract.text, date=day, source=source.name,
            line=title.number, upvotes=extra.upvotes, published=extra.published,
            organization=extra.organization, comments=extra.comments,
            author_count=extra.author_count, submitted_by=extra.submitted_by))
    return Reading(tuple(listings), tuple(sorted(warnings, key=lambda p: p.line or 0)))


def _is_abstract(line: _Line) -> bool:
    return line.words >= _ABSTRACT_MIN_WORDS


def _missing_title(source: SourceFile, abstract: _Line, above: _Line | None) -> Problem:
    if above is not None and _is_abstract(above):
        if above.words > _TITLE_MAX_WORDS:
            return Problem(source.name, above.number,
                           "expected a title but found what looks like an abstract; a title "
                           "line is missing above it, so add the paper's title")
    found = f" (the line above is {excerpt(above.text)})" if above else ""
    return Problem(source.name, abstract.number,
                   f"this abstract has no title above it{found}; add the paper's title on "
                   "the line before its abstract")


def _lonely(line: _Line, where: str) -> str:
    return (f"the title {excerpt(line.text)} has no abstract {where}; paste its abstract on "
            "the line after it, or delete the title")


def _stray(source: SourceFile, line: _Line) -> Problem:
    return Problem(source.name, line.number,
                   f"{excerpt(line.text)} is not a title, an abstract or an extra the reader "
                   "knows (upvotes, authors, organisation, 'Submitted by', '·' date, "
                   "comments), so it was left out; check the copy if it belongs to a paper")


def _extra_places(text: str) -> tuple[int, ...]:
    """Where a line of this shape can stand among a paper's extras; () if it is no extra."""
    if text == "-":
        return (_UPVOTES,)
    if _NUMBER.match(text):
        return (_UPVOTES, _COMMENT)
    if _AUTHORS.match(text):
        return (_WHO,)
    if _COMMENTS.match(text):
        return (_COMMENT,)
    if _SUBMITTED.match(text):
        return (_SUBMITTER,)
    if _DOT.match(text) or parse_month_day(text):
        return (_DOT_LINE,)
    return ()


def _tokens(source: SourceFile, block: list[_Line], day: dt.date) -> list[_Token]:
    tokens, i = [], 0
    while i < len(block):
        line, nxt = block[i], block[i + 1] if i + 1 < len(block) else None
        places = _extra_places(line.text)
        dot = _DOT.match(line.text)
        if dot and not dot["date"] and nxt is not None and parse_month_day(nxt.text):
            tokens.append(_Token((line, nxt), places))  # '·' alone, the date on the next line
            i += 2
            continue
        submitted = _SUBMITTED.match(line.text)
        if submitted and not submitted["who"] and nxt is not None \
                and not _extra_places(nxt.text):
            tokens.append(_Token((line, nxt), places))  # 'Submitted by', the name below
            i += 2
            continue
        if not places:
            # Any other short line may be an organisation, which sits before the '·' line.
            places = (_WHO,) if _might_be_organization(line.text) else ()
        tokens.append(_Token((line,), places))
        i += 1
    return tokens


def _might_be_organization(text: str) -> bool:
    return len(text.split()) <= 8 and text.lower() not in CHROME_LINES


def _segment(tokens: list[_Token]) -> tuple[list[_Group], list[_Token]]:
    """Split a block's tokens into paper extras, leaving out the fewest lines.

    A paper's extras stand in a fixed order, so where that order starts again a new
    paper's extras begin. Ties go to splits whose groups start with an upvote count.
    """
    n = len(tokens)
    # best[i]: (cost, groups, strays) for tokens[:i]
    best: list[tuple[tuple[int, int], list[_Group], list[_Token]] | None] = [None] * (n + 1)
    best[0] = ((0, 0), [], [])
    for i in range(1, n + 1):
        options = []
        prev = best[i - 1]
        options.append(((prev[0][0] + 100, prev[0][1]), prev[1], prev[2] + [tokens[i - 1]]))
        for k in range(max(0, i - _COMMENT - 1), i):  # a paper's extras are five at most
            places = _places(tokens[k:i])
            if places is None or best[k] is None:
                continue
            cost = best[k][0]
            group = _Group(tuple(tokens[k:i]), places)
            options.append(((cost[0] + 1, cost[1] + (places[0] != _UPVOTES)),
                            best[k][1] + [group], best[k][2]))
        best[i] = min(options, key=lambda o: o[0])
    _, groups, strays = best[n]
    return groups, strays


def _places(tokens: list[_Token]) -> tuple[int, ...] | None:
    """Each token's place in one paper's extras, in order, or None if they cannot be one."""
    places, last = [], -1
    for token in tokens:
        place = next((p for p in token.places if p > last), None)
        if place is None:
            return None
        places.append(place)
        last = place
    # An organisation alone is not extras: it needs an upvote count or a '·' line with it.
    if _UPVOTES not in places and _DOT_LINE not in places:
        return None
    return tuple(places)


def _assign(grouped: list[list[_Group]]) -> tuple[dict[int, _Group], list[_Group]]:
    """Give each block's extras to the paper they describe: the one before or after.

    Block k lies between paper k-1 and paper k. Each paper has at most one group of
    extras and groups keep their order. A copy usually puts every group on the same side
    of its paper; of the assignments that are possible, the one that keeps to one side
    most often wins (a side forced by the first or last block counts like any other).
    """
    papers = len(grouped) - 1
    best = None
    for prefer_before in (False, True):
        result = _assign_side(grouped, papers, prefer_before)
        if best is None or result[0] < best[0]:
            best = result
    return best[1], best[2]


def _assign_side(grouped: list[list[_Group]], papers: int, prefer_before: bool):
    # State: whether the paper after this block is already taken. Choices are kept as a
    # linked chain of (paper or None, group), so a long copy costs no copying.
    states: dict[bool, tuple[int, tuple]] = {False: (0, ())}
    for k, groups in enumerate(grouped):
        prev, nxt = k - 1, k  # paper indices; -1 and `papers` do not exist
        new_states: dict[bool, tuple[int, tuple]] = {}

        def offer(state: bool, cost: int, chain: tuple) -> None:
            if state not in new_states or cost < new_states[state][0]:
                new_states[state] = (cost, chain)

        for taken, (cost, chain) in states.items():
            prev_free, has_next = prev >= 0 and not taken, nxt < papers
            if not groups:
                offer(False, cost, chain)
            elif len(groups) == 1:
                if prev_free:
                    offer(False, cost + prefer_before, (chain, (prev, groups[0])))
                if has_next:
                    offer(True, cost + (not prefer_before), (chain, (nxt, groups[0])))
                if not prev_free and not has_next:
                    offer(False, cost + 10, (chain, (None, groups[0])))
            else:
                first, *middle, last = groups
                lost = len(middle) + (not prev_free) + (not has_next)
                chain = (chain, (prev if prev_free else None, first))
                for group in middle:
                    chain = (chain, (None, group))
                chain = (chain, (nxt if has_next else None, last))
                offer(has_next, cost + 10 * lost, chain)
        states = new_states
    cost, chain = min(states.values(), key=lambda v: v[0])
    owners: dict[int, _Group] = {}
    unplaced: list[_Group] = []
    while chain:
        chain, (paper, group) = chain
        if paper is None:
            unplaced.append(group)
        else:
            owners[paper] = group
    return cost, owners, unplaced[::-1]


def _extras(source: SourceFile, group: _Group, day: dt.date) -> _Extras:
    values: dict[str, object] = {}
    for token, place in zip(group.tokens, group.places):
        text = token.first.text
        if place == _UPVOTES:
            values["upvotes"] = None if text == "-" else int(text)
        elif place == _COMMENT:
            values["comments"] = int(_NUMBER.match(text) and text or _COMMENTS.match(text)["n"])
        elif place == _WHO:
            authors = _AUTHORS.match(text)
            if authors:
                values["author_count"] = int(authors["n"])
            else:
                values["organization"] = text
        elif place == _SUBMITTER:
            who = _SUBMITTED.match(text)["who"] or token.lines[-1].text
            values["submitted_by"] = who if who != text else None
        else:
            dot = _DOT.match(text)
            own = token.lines[-1] if len(token.lines) > 1 else token.first
            date_text = own.text if len(token.lines) > 1 or not dot else dot["date"]
            values["published"] = _own_date(source, own, date_text, day)
    return _Extras(**values)


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


# --- the alternating reading --------------------------------------------------------
# A copy whose abstracts are short (a few words, as some curators paste them), or whose
# titles are abstract-long or look like a count, has nothing to anchor on. When the
# anchored reading fails, the copy is read as its lines alternate, title then abstract,
# around the '·' extras blocks, as the reader always did; when that fails too, the
# anchored reading's problems stand.

_UPVOTES_OR_DASH = re.compile(r"(?:\d+|-)$")
_AUTHORS_LINE = re.compile(r"\d+ authors?$")


@dataclass(frozen=True)
class _AlternatingBlock:
    start: int  # index of its first line in the body
    end: int  # index of its last line
    extras: _Extras


def _alternating_extras(source: SourceFile, body: list[_Line], day: dt.date
                        ) -> tuple[list[_Line], dict[int, _Extras]]:
    """Remove the extras blocks; map each to the index of the content line it belongs to."""
    taken: set[int] = set()
    blocks: list[_AlternatingBlock] = []
    for d, line in enumerate(body):
        if _DOT.match(line.text):
            block = _block_around(source, body, d, taken, day)
            taken.update(range(block.start, block.end + 1))
            blocks.append(block)
    content = [line for i, line in enumerate(body) if i not in taken]
    return content, _owners(body, taken, blocks)


def _block_around(source: SourceFile, body: list[_Line], d: int, taken: set[int],
                  day: dt.date) -> _AlternatingBlock:
    """The extras block of the '·' line at ``d``; ``taken`` holds earlier blocks' lines."""
    date_at, own_date = d, _DOT.match(body[d].text)["date"]
    if not own_date and d + 1 < len(body) and parse_month_day(body[d + 1].text):
        date_at, own_date = d + 1, body[d + 1].text  # '·' alone, the date on the next line
    start, organization = d, None
    if d >= 1 and (_AUTHORS_LINE.match(body[d - 1].text)
                   or (d >= 2 and _UPVOTES_OR_DASH.match(body[d - 2].text))):
        start = d - 1  # "N authors", or an organisation between the upvotes and the '·'
        if not _AUTHORS_LINE.match(body[d - 1].text):
            organization = body[d - 1].text
    upvotes = None
    if start >= 1 and _UPVOTES_OR_DASH.match(body[start - 1].text) and start - 1 not in taken:
        start -= 1
        upvotes = None if body[start].text == "-" else int(body[start].text)
    end, comments = date_at, None
    if end + 1 < len(body) and _NUMBER.match(body[end + 1].text):
        end += 1
        comments = int(body[end].text)
    published = _own_date(source, body[date_at], own_date, day)
    return _AlternatingBlock(start, end, _Extras(upvotes=upvotes, published=published,
                                                 organization=organization,
                                                 comments=comments))


def _owners(body: list[_Line], taken: set[int], blocks: list[_AlternatingBlock]
            ) -> dict[int, _Extras]:
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


def _alternating_pairs(source: SourceFile, content: list[_Line], extras: dict[int, _Extras],
                       day: dt.date) -> list[Listing]:
    problems: list[Problem] = []
    listings: list[Listing] = []
    i = 0
    while i < len(content):
        title = content[i]
        if title.words > _TITLE_MAX_WORDS:
            problems.append(Problem(
                source.name, title.number,
                "expected a title but found what looks like an abstract; a title line is "
                "missing above it, so add the paper's title"))
            i += 1
            continue
        nxt = content[i + 1] if i + 1 < len(content) else None
        after = content[i + 2] if i + 2 < len(content) else None
        # A short line followed by an abstract-length one is the next paper, not an abstract.
        if nxt is None or (nxt.words < _ABSTRACT_MIN_WORDS and after is not None
                           and after.words >= _ABSTRACT_MIN_WORDS):
            where = "at the end of the file" if nxt is None else "before the next title"
            problems.append(Problem(
                source.name, title.number,
                f"the title {excerpt(title.text)} has no abstract {where}; paste its "
                "abstract on the line after it, or delete the title"))
            i += 1
            continue
        extra = extras.get(i) or extras.get(i + 1) or _Extras()
        listings.append(Listing(
            title=title.text, abstract=nxt.text, date=day, source=source.name,
            line=title.number, upvotes=extra.upvotes, published=extra.published,
            organization=extra.organization, comments=extra.comments))
        i += 2
    if problems:
        raise DigestError(problems)
    return listings
