"""Curated state: what curators wrote in paper pages, and how it meets the rules.

A paper page is front-matter, a generated part, and the curator's notes under the
``## Notes`` heading. Curators own ``tags``, ``featured``, ``hidden`` and the notes;
everything else is regenerated.

Precedence, written down once:
  - Notes, ``featured`` and ``hidden``: the curator's value always stands.
  - Tags: a three-way merge. ``rule_tags`` records what the rules produced last time.
    A tag the curator added (in ``tags`` but not in ``rule_tags``) is kept; a tag the
    curator removed (in ``rule_tags`` but not in ``tags``) stays removed; every other tag
    follows the current rules. So a page nobody retagged always shows the rules' tags,
    and a rule change still reaches the topics a curator did not touch on a retagged page.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import yaml

# libyaml's loader when PyYAML was built with it: same safety, far faster.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

from .errors import DigestError, Problem, yaml_error

NOTES_HEADING = "## Notes"
_FRONT = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


@dataclass(frozen=True)
class CuratedPage:
    """What an existing paper page says: identity, curated fields and notes."""

    path: str
    key: str
    arxiv_id: str | None
    title: str
    tags: tuple[str, ...]
    rule_tags: tuple[str, ...]
    featured: bool
    hidden: bool
    notes: str  # everything after the Notes heading line, byte for byte
    listed: tuple[dt.date, ...]
    sources: tuple[str, ...]
    tags_line: int  # where ``tags:`` stands, for messages about tags
    text: str  # the whole page as read


def split_front_matter(text: str, path: str) -> tuple[dict, str, int]:
    """Front-matter mapping, body, and the body's first line number."""
    m = _FRONT.match(text)
    if not m and re.match(r"---[ \t]*\n", text):
        raise DigestError.at(path, 1, "the front-matter that starts here has no closing '---' "
                                      "line; put '---' back on the line after the YAML header")
    if not m:
        raise DigestError.at(path, 1, "the page does not start with '---' front-matter; "
                                      "restore the '---' lines around the YAML header")
    try:
        meta = yaml.load(m["yaml"] or "", Loader=SafeLoader) or {}
    except yaml.MarkedYAMLError as exc:
        # The YAML starts on line 2, after the opening '---'.
        raise yaml_error(path, exc, 2, "broken front-matter YAML",
                         "fix the YAML (quote values that contain ': ')") from None
    if not isinstance(meta, dict):
        raise DigestError.at(path, 2, "the front-matter must be a YAML mapping of keys to values")
    return meta, text[m.end():], text.count("\n", 0, m.end()) + 1


def parse_page(text: str, path: str) -> CuratedPage:
    """Read a paper page's identity and curated state, or say precisely what is broken."""
    meta, body, body_line = split_front_matter(text, path)
    problems: list[Problem] = []

    def line_of(key: str) -> int:
        m = re.search(rf"^{re.escape(key)}\s*:", text, re.M)
        return text.count("\n", 0, m.start()) + 1 if m else 2

    key = meta.get("id")
    if not isinstance(key, str) or not re.match(r"(arxiv|title):.", key):
        problems.append(Problem(path, line_of("id"), "the page has no valid 'id' (arxiv:... or "
                                                     "title:...); restore it from git history"))
    tags = _str_list(meta.get("tags", []))
    if tags is None:
        problems.append(Problem(path, line_of("tags"), "'tags' must be a list of topic slugs"))
    rule_tags = _str_list(meta.get("rule_tags", []))
    if rule_tags is None:
        problems.append(Problem(path, line_of("rule_tags"), "'rule_tags' must be a list of "
                                                            "topic slugs; do not edit it"))
    flags = {}
    for flag in ("featured", "hidden"):
        value = meta.get(flag, False)
        if not isinstance(value, bool):
            problems.append(Problem(path, line_of(flag), f"'{flag}' must be true or false"))
        flags[flag] = value is True
    heading = re.search(rf"^{re.escape(NOTES_HEADING)}[ \t]*$\n?", body, re.M)
    if heading is None:
        problems.append(Problem(path, body_line, f"the '{NOTES_HEADING}' heading is missing; "
                                                 "put it back and write notes under it"))
    if problems:
        raise DigestError(problems)
    listed = meta.get("listed") or []
    return CuratedPage(
        path=path, key=key, arxiv_id=str(meta["arxiv"]) if meta.get("arxiv") else None,
        title=str(meta.get("title", "")), tags=tuple(tags), rule_tags=tuple(rule_tags),
        featured=flags["featured"], hidden=flags["hidden"], notes=body[heading.end():],
        listed=tuple(d for d in listed if isinstance(d, dt.date)),
        sources=tuple(str(s) for s in meta.get("sources") or []),
        tags_line=line_of("tags"), text=text)


def _str_list(value) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def merge_tags(rules: tuple[str, ...], page: CuratedPage | None) -> tuple[str, ...]:
    """Apply the curator's additions and removals (since ``rule_tags``) to the rules' tags."""
    if page is None:
        return rules
    added = [t for t in page.tags if t not in page.rule_tags]
    removed = set(page.rule_tags) - set(page.tags)
    merged = [t for t in rules if t not in removed]
    return tuple(merged + [t for t in added if t not in merged])
