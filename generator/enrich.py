"""Resolve papers known only by their title to their arXiv record, through the Hub.

A page copy names a paper by its title alone, so its page can only link searches. ``digest
enrich`` looks each such title up on the Hub (``GET {HF_ENDPOINT}/api/papers/search?q=``),
accepts a result only when its normalised title is the paper's, then reads
``/api/papers/{id}`` for the authors, the publication date, the code repository and the
project page. What it resolved is written to ``sources/resolved.yml``, one record per
paper, and ``generate`` reads that file like any other source: builds stay offline.

Which value wins, written once:
  1. A curator's ``resolve: false`` in a paper page's front-matter: no record applies, and
     enrich does not look the title up.
  2. A curator's ``resolve: <arXiv id>``: that id is the paper's; enrich reads its record
     without a title check (the curator vouched for it).
  3. A listing's own arXiv id (Hub JSON, arXiv Atom): records never touch a listing that
     has one. A record whose id disagrees with a source's for the same title is not
     applied, and generate warns.
  4. The record in ``resolved.yml`` for the listing's normalised title: it fills the
     arXiv id, authors, publication date, code and project page where the listing has none.

Bad answers never corrupt anything: a network failure (timeout, 429, 5xx) stops the run
before anything is written, and a malformed answer, a title that does not match, or an
answer about another id leaves that paper unresolved. The run ends with a report.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.parse
from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping

import requests
import yaml

from . import fetch
from .clean import one_line
from .dedupe import identity_title
from .errors import DigestError, Problem, excerpt, yaml_error
from .model import Listing, arxiv_id
from .pages import SafeLoader
from .readers.base import utc_date

RECORDS = "resolved.yml"  # inside the sources folder
_HEADER = ("# Papers resolved to their arXiv record by 'digest enrich', one per title.\n"
           "# Written by digest; to change a match, set 'resolve:' in the paper page's\n"
           "# front-matter (an arXiv id to pin, or false to reject) and run enrich again.\n")


@dataclass(frozen=True)
class Record:
    """What the Hub says about one paper a source knows only by title."""

    title: str  # the title it was looked up by, as the source lists it
    arxiv_id: str
    authors: tuple[str, ...] = ()
    published: dt.date | None = None
    github_repo: str | None = None
    project_page: str | None = None
    resolved: dt.date | None = None  # the day enrich asked
    line: int = 0  # in resolved.yml, for messages


# --- the records file ----------------------------------------------------------------


def parse_records(text: str, path: str) -> dict[str, Record]:
    """The records of ``resolved.yml`` by normalised title, or every problem with its line."""
    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise yaml_error(path, exc, 1, "broken YAML", "fix it, or delete the file and run "
                                                     "'digest enrich' again") from None
    if root is None:
        return {}
    # The values from the nodes already read (their lines name a bad record), not a
    # second parse of the text.
    data = SafeLoader("").construct_document(root)
    items = data.get("papers") if isinstance(data, dict) else None
    nodes = _papers_node(root)
    if not isinstance(items, list) or nodes is None:
        raise DigestError.at(path, 1, "expected a 'papers:' list of records; delete the file "
                                      "and run 'digest enrich' again")
    out: dict[str, Record] = {}
    problems = []
    for item, node in zip(items, nodes.value):
        line = node.start_mark.line + 1
        record, why = _record(item, line)
        if record is None:
            problems.append(Problem(path, line, f"{why}; fix the record or delete it"))
            continue
        out[identity_title(record.title)] = record
    if problems:
        raise DigestError(problems)
    return out


def _papers_node(root):
    if not isinstance(root, yaml.MappingNode):
        return None
    for key, value in root.value:
        if getattr(key, "value", None) == "papers" and isinstance(value, yaml.SequenceNode):
            return value
    return None


def _record(item: Any, line: int) -> tuple[Record | None, str]:
    if not isinstance(item, dict):
        return None, "a record must be a mapping with 'title' and 'arxiv'"
    title, aid = item.get("title"), arxiv_id(str(item.get("arxiv", "")))
    if not isinstance(title, str) or not title.strip():
        return None, "the record has no 'title'"
    if aid is None:
        return None, f"'arxiv: {item.get('arxiv')}' is not an arXiv id such as 2310.17230"
    authors = item.get("authors") or []
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        return None, "'authors' must be a list of names"
    dates = {}
    for key in ("published", "resolved"):
        value = item.get(key)
        if value is not None and not isinstance(value, dt.date):
            return None, f"'{key}' must be a date such as 2024-05-01"
        dates[key] = value
    links = {}
    for key, name in (("github_repo", "code"), ("project_page", "project_page")):
        value = item.get(name)
        if value is not None and not isinstance(value, str):
            return None, f"'{name}' must be a web address"
        links[key] = value
    return Record(title=title, arxiv_id=aid, authors=tuple(authors), line=line,
                  **dates, **links), ""


def dump_records(records: Iterable[Record]) -> str:
    """``resolved.yml`` for these records: sorted by title, so reruns diff cleanly."""
    items = []
    for r in sorted(records, key=lambda r: (identity_title(r.title), r.arxiv_id)):
        item: dict[str, Any] = {"title": r.title, "arxiv": r.arxiv_id}
        if r.authors:
            item["authors"] = list(r.authors)
        optional = {"published": r.published, "code": r.github_repo,
                    "project_page": r.project_page, "resolved": r.resolved}
        item.update({k: v for k, v in optional.items() if v is not None})
        items.append(item)
    body = yaml.safe_dump({"papers": items}, sort_keys=False, allow_unicode=True,
                          default_flow_style=False, width=100)
    return _HEADER + body


# --- applying records: a pipeline stage ----------------------------------------------


@dataclass(frozen=True)
class Choices:
    """Curators' word on matches, from paper pages' front-matter, by normalised title."""

    pinned: Mapping[str, str]  # title -> the arXiv id a curator pinned
    rejected: frozenset[str]  # titles a curator said have no match


def apply(listings: list[Listing], records: Mapping[str, Record], choices: Choices,
          path: str) -> tuple[list[Listing], tuple[Problem, ...]]:
    """Listings with what was resolved filled in (the precedence above), and warnings."""
    known: dict[str, set[str]] = {}
    for listing in listings:
        if listing.arxiv_id:
            known.setdefault(identity_title(listing.title), set()).add(listing.arxiv_id)
    by_id = {r.arxiv_id: r for r in records.values()}
    warnings: dict[str, Problem] = {}
    out = []
    for listing in listings:
        title = identity_title(listing.title)
        if listing.arxiv_id or title in choices.rejected:
            out.append(listing)
            continue
        pinned = choices.pinned.get(title)
        record = by_id.get(pinned) if pinned else records.get(title)
        aid = pinned or (record.arxiv_id if record else None)
        others = known.get(title, set()) - {aid}
        if aid is None or (others and not pinned):
            if others and record is not None:
                warnings[title] = Problem(path, record.line, (
                    f"says {excerpt(record.title)} is arXiv {record.arxiv_id}, but a source "
                    f"lists it as {', '.join(sorted(others))}; the source wins, so delete "
                    "this record (or pin the id in the paper page's front-matter)"))
            out.append(listing)
            continue
        if record is not None and record.arxiv_id != aid:
            record = None  # a record about another id says nothing about the pinned one
        out.append(replace(
            listing, arxiv_id=aid,
            authors=listing.authors or (record.authors if record else ()),
            published=listing.published or (record.published if record else None),
            github_repo=listing.github_repo or (record.github_repo if record else None),
            project_page=listing.project_page or (record.project_page if record else None)))
    return out, tuple(warnings.values())


# --- asking the Hub --------------------------------------------------------------------


@dataclass(frozen=True)
class Wanted:
    """A paper to resolve: its title, and the id a curator pinned, if any."""

    title: str
    pinned: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What one enrich run found."""

    resolved: tuple[Record, ...]
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...]  # title, the ids that matched it
    not_found: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]  # title, what was wrong with the answer


def resolve(wanted: list[Wanted], config: fetch.FetchConfig, today: dt.date,
            session: requests.Session | None = None) -> Outcome:
    """Ask the Hub about each wanted paper. Network failures raise; bad answers are listed."""
    session = session or fetch.open_session(config, time.sleep)
    resolved, ambiguous, not_found, failed = [], [], [], []
    for item in wanted:
        key = identity_title(item.title)
        try:
            if item.pinned:
                ids = [item.pinned]
            else:
                found = _search(session, config, item.title)
                ids = sorted({i for i, t in found if identity_title(t) == key})
            if not ids:
                not_found.append(item.title)
                continue
            if len(ids) > 1:
                ambiguous.append((item.title, tuple(ids)))
                continue
            paper = _paper(session, config, ids[0])
            if not item.pinned and identity_title(paper.get("title") or "") != key:
                failed.append((item.title, f"the Hub's record of {ids[0]} has another title, "
                                           f"{excerpt(str(paper.get('title')))}"))
                continue
            resolved.append(_to_record(item.title, ids[0], paper, today))
        except _BadAnswer as exc:
            failed.append((item.title, str(exc)))
    return Outcome(tuple(resolved), tuple(ambiguous), tuple(not_found), tuple(failed))


class _BadAnswer(Exception):
    """An answer that is not what the Hub's API gives: this paper stays unresolved."""


def _json(session: requests.Session, config: fetch.FetchConfig, url: str) -> Any:
    body = fetch.get(session, url, config)
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _BadAnswer(f"{url} answered with something that is not JSON "
                         f"({one_line(str(exc))[:80]})") from None


def _search(session: requests.Session, config: fetch.FetchConfig, title: str
            ) -> list[tuple[str, str]]:
    """(arXiv id, title) of each search result."""
    url = f"{config.endpoint}/api/papers/search?" + urllib.parse.urlencode({"q": title})
    data = _json(session, config, url)
    if not isinstance(data, list):
        raise _BadAnswer(f"{url} answered with JSON that is not a list of papers")
    out = []
    for item in data:
        paper = item.get("paper", item) if isinstance(item, dict) else None
        if not isinstance(paper, dict):
            raise _BadAnswer(f"{url} answered with a result that is not a paper")
        aid, found = arxiv_id(str(paper.get("id", ""))), paper.get("title")
        if aid and isinstance(found, str):
            out.append((aid, found))
    return out


def _paper(session: requests.Session, config: fetch.FetchConfig, aid: str) -> dict:
    url = f"{config.endpoint}/api/papers/{urllib.parse.quote(aid, safe='/.')}"
    data = _json(session, config, url)
    paper = data.get("paper", data) if isinstance(data, dict) else None
    if not isinstance(paper, dict):
        raise _BadAnswer(f"{url} answered with JSON that is not a paper")
    if arxiv_id(str(paper.get("id", ""))) != aid:
        raise _BadAnswer(f"{url} answered about another paper ({excerpt(str(paper.get('id')))})")
    return paper


def _to_record(title: str, aid: str, paper: dict, today: dt.date) -> Record:
    authors = tuple(a["name"].strip() for a in paper.get("authors") or []
                    if isinstance(a, dict) and isinstance(a.get("name"), str)
                    and a["name"].strip() and not a.get("hidden"))
    published = utc_date(paper["publishedAt"]) if isinstance(paper.get("publishedAt"), str) \
        else None
    links = {k: v for k, v in (("github_repo", paper.get("githubRepo")),
                               ("project_page", paper.get("projectPage")))
             if isinstance(v, str) and v.lower().startswith(("https://", "http://"))}
    return Record(title=title, arxiv_id=aid, authors=authors, published=published,
                  resolved=today, **links)


def merged(existing: Mapping[str, Record], outcome: Outcome) -> list[Record]:
    """The records file after a run: every earlier record, and the new ones replacing any
    record of the same title."""
    records = dict(existing)
    for record in outcome.resolved:
        records[identity_title(record.title)] = record
    return list(records.values())
