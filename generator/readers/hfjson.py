"""Reader for the Hugging Face Hub's daily-papers JSON (``/api/daily_papers?date=...``).

The response is a bare JSON array of items; each item holds a ``paper`` object. Two shapes
occur: the 2024 one, whose ``paper`` has only ``id, authors, publishedAt, title, summary,
upvotes, discussionId`` (with arXiv's hard line breaks kept in the text), and the 2026 one,
which adds ``submittedOnDailyAt``, ``ai_summary``, ``ai_keywords``, ``githubRepo``,
``githubStars``, ``projectPage``, ``organization`` and more. Missing optional keys are
normal; a key holding the wrong type is a problem. Every problem of a file is reported at
once, each at the line where its item starts.

The digest day of an item is ``paper.submittedOnDailyAt``'s date; without it, the date the
file name starts with (the day the file was requested for); without that, the item's
top-level ``publishedAt`` (when it was added to Daily Papers). No LaTeX is cleaned here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from ..clean import one_line
from ..errors import DigestError, Problem, excerpt
from ..model import Listing, arxiv_id
from .base import SourceFile, decode_text, utc_date

_REDOWNLOAD = "download it again from /api/daily_papers?date=YYYY-MM-DD and save it unchanged"
_SURROGATE = re.compile("[\ud800-\udfff]")


def read(source: SourceFile) -> list[Listing]:
    """Parse one daily-papers response into listings, one per item."""
    text = decode_text(source)
    if not text.strip():
        raise DigestError.at(
            source.name, 1,
            "the file is empty; save the JSON response of /api/daily_papers?date=YYYY-MM-DD "
            "into it, or remove it")
    value = _load(source, text)
    if not isinstance(value, list):
        start = len(text) - len(text.lstrip())
        raise DigestError.at(
            source.name, _line_at(text, start),
            f"expected a JSON array of daily-papers items, but the file holds "
            f"{kind(value)}; save the response of /api/daily_papers?date=YYYY-MM-DD "
            "unchanged (it starts with '[')")
    lines = _item_lines(text, len(value))
    problems: list[Problem] = []
    listings: list[Listing] = []
    name_date: list[dt.date | None] = []  # computed once, only if some item needs it
    for number, (item, line) in enumerate(zip(value, lines), 1):
        item_problems: list[str] = []
        listing = _item(source, item, number, line, item_problems, name_date)
        problems.extend(Problem(source.name, line, msg) for msg in item_problems)
        if listing is not None and not item_problems:
            listings.append(listing)
    if problems:
        raise DigestError(problems)
    return listings


def _load(source: SourceFile, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DigestError.at(
            source.name, exc.lineno,
            # "Unterminated string starting at" names the column itself.
            f"invalid JSON: {exc.msg.removesuffix(' at')} at column {exc.colno}; fix the "
            f"file there, or {_REDOWNLOAD}") from None
    except RecursionError:
        raise DigestError.at(
            source.name, 1,
            f"the JSON is nested too deeply to be a daily-papers response; {_REDOWNLOAD}"
        ) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise DigestError.at(
            source.name, 1, f"invalid JSON: {exc}; fix the file, or {_REDOWNLOAD}") from None


def _item_lines(text: str, count: int) -> list[int]:
    """The 1-based line where each element of the (valid) top-level array starts."""
    decoder = json.JSONDecoder()
    ws = re.compile(r"[ \t\n\r]*")
    pos = ws.match(text, 0).end() + 1  # just past '['
    lines = []
    for _ in range(count):
        pos = ws.match(text, pos).end()
        lines.append(_line_at(text, pos))
        _, pos = decoder.raw_decode(text, pos)
        pos = ws.match(text, pos).end() + 1  # past ',' or ']'
    return lines


def _line_at(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _item(source: SourceFile, item: Any, number: int, line: int, errs: list[str],
          name_date: list[dt.date | None]) -> Listing | None:
    where = f"item {number}"
    if not isinstance(item, dict):
        errs.append(f"{where} is {kind(item)}, not an object with a 'paper'; remove it, or "
                    f"{_REDOWNLOAD}")
        return None
    paper = item.get("paper")
    if not isinstance(paper, dict):
        found = "has no 'paper'" if paper is None else f"has 'paper' as {kind(paper)}"
        errs.append(f"{where} {found}, but every daily-papers item holds a 'paper' object; "
                    f"remove the item, or {_REDOWNLOAD}")
        return None
    f = _Fields(where, errs)

    raw_id = f.required_str(paper, "paper", "id")
    paper_id = None
    if raw_id is not None:
        paper_id = arxiv_id(raw_id.strip())
        if paper_id is None:
            errs.append(f"{where}: paper.id {excerpt(raw_id)} is not an arXiv id such as "
                        f"2410.17243 or hep-th/9901001; correct it, or {_REDOWNLOAD}")
    title = f.required_str(paper, "paper", "title")
    if title is not None:
        title = one_line(title)
        if not title:
            errs.append(f"{where}: paper.title is empty; write the paper's title there, or "
                        "remove the item")
    summary = f.required_str(paper, "paper", "summary")
    if summary is not None:
        summary = one_line(summary)
        if not summary:
            errs.append(f"{where}: paper.summary is empty; write the paper's abstract there, "
                        "or remove the item")

    known = len(errs)
    daily = f.date(paper, "paper", "submittedOnDailyAt")
    published = f.date(paper, "paper", "publishedAt")
    added = f.date(item, "item", "publishedAt")
    day = daily
    if day is None:
        if not name_date:
            name_date.append(source.name_date)
        day = name_date[0] or added
    if day is None and len(errs) == known:  # not already explained by a bad timestamp
        errs.append(
            f"{where} has no digest day: no paper.submittedOnDailyAt and no top-level "
            "publishedAt; start the file name with the day it was requested for, e.g. "
            "2024-10-25-daily-papers.json")

    organization = f.organization(paper, "paper") or f.organization(item, "item")
    listing_fields = dict(
        upvotes=f.count(paper, "paper", "upvotes"),
        authors=f.authors(paper),
        organization=organization,
        github_repo=f.optional_str(paper, "paper", "githubRepo"),
        github_stars=f.count(paper, "paper", "githubStars"),
        project_page=f.optional_str(paper, "paper", "projectPage"),
        ai_summary=f.optional_str(paper, "paper", "ai_summary"),
        ai_keywords=f.keywords(paper),
        comments=f.count(item, "item", "numComments"),
    )
    if errs or title is None or summary is None or day is None:
        return None
    return Listing(title=title, abstract=summary, date=day, source=source.name, line=line,
                   arxiv_id=paper_id, published=published, **listing_fields)


class _Fields:
    """Typed access to one item's keys, collecting a message for each wrong value."""

    def __init__(self, where: str, errs: list[str]):
        self.where = where
        self.errs = errs

    def _wrong(self, owner: str, key: str, value: Any, expected: str) -> None:
        self.errs.append(
            f"{self.where}: {owner}.{key} is {kind(value)}, but it should be {expected}; "
            f"correct it, or {_REDOWNLOAD}")

    def _string(self, owner: str, key: str, value: str) -> str | None:
        if _SURROGATE.search(value):
            self.errs.append(
                f"{self.where}: {owner}.{key} contains an unpaired \\ud800-\\udfff escape, "
                f"which is not text; correct it, or {_REDOWNLOAD}")
            return None
        return value

    def required_str(self, obj: dict, owner: str, key: str) -> str | None:
        value = obj.get(key)
        if value is None:
            self.errs.append(
                f"{self.where}: {owner} has no '{key}', which every daily-papers paper has; "
                f"add it, remove the item, or {_REDOWNLOAD}")
            return None
        if not isinstance(value, str):
            self._wrong(owner, key, value, "a string")
            return None
        return self._string(owner, key, value)

    def optional_str(self, obj: dict, owner: str, key: str) -> str | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self._wrong(owner, key, value, "a string")
            return None
        value = self._string(owner, key, value)
        return None if value is None else (one_line(value) or None)

    def count(self, obj: dict, owner: str, key: str) -> int | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self._wrong(owner, key, value, "a whole number of at least 0")
            return None
        return value

    def date(self, obj: dict, owner: str, key: str) -> dt.date | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self._wrong(owner, key, value, "an ISO timestamp such as 2026-06-12T00:00:00.000Z")
            return None
        day = utc_date(value)
        if day is None:
            self.errs.append(
                f"{self.where}: {owner}.{key} {excerpt(value)} is not an ISO timestamp such as "
                f"2026-06-12T00:00:00.000Z; correct it, or {_REDOWNLOAD}")
        return day

    def authors(self, paper: dict) -> tuple[str, ...]:
        value = paper.get("authors")
        if value is None:
            return ()
        if not isinstance(value, list):
            self._wrong("paper", "authors", value, "a list of authors")
            return ()
        names = []
        for n, author in enumerate(value, 1):
            name = author.get("name") if isinstance(author, dict) else author
            if not isinstance(name, str):
                self.errs.append(
                    f"{self.where}: author {n} of paper.authors has "
                    f"{'no name' if name is None else 'a name that is ' + kind(name)}; "
                    f"give it a 'name' string, or {_REDOWNLOAD}")
                continue
            name = self._string("paper", "authors", name)
            if name is not None and one_line(name):
                names.append(one_line(name))
        return tuple(names)

    def keywords(self, paper: dict) -> tuple[str, ...]:
        value = paper.get("ai_keywords")
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
            self._wrong("paper", "ai_keywords", value, "a list of strings")
            return ()
        out = []
        for keyword in value:
            keyword = self._string("paper", "ai_keywords", keyword)
            if keyword is not None and one_line(keyword):
                out.append(one_line(keyword))
        return tuple(out)

    def organization(self, obj: dict, owner: str) -> str | None:
        value = obj.get("organization")
        if value is None:
            return None
        if isinstance(value, str):
            name: Any = value
        elif isinstance(value, dict):
            name = value.get("fullname") or value.get("name")
            if name is None:
                return None
        else:
            self._wrong(owner, "organization", value, "an object with a 'fullname'")
            return None
        if not isinstance(name, str):
            self._wrong(owner, "organization.fullname", name, "a string")
            return None
        name = self._string(owner, "organization", name)
        return None if name is None else (one_line(name) or None)


def kind(value: Any) -> str:
    """What a JSON value is, in words, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
