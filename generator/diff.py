"""What a change does to the site's papers, for a pull-request comment.

Pure: two sets of paper pages (path to text) in, a summary out. Reading the old pages
from git is the job of ``history``. A broken page never hides the rest: it is left out of
the comparison and listed among the summary's problems.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .curate import CuratedPage, parse_page
from .errors import Collector, DigestError, Problem


@dataclass(frozen=True)
class Ref:
    """A paper as the summary names it."""

    path: str
    title: str


@dataclass(frozen=True)
class Retag:
    """A paper's tags gained and lost."""

    paper: Ref
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class Mark:
    """A one-word change to a paper: notes added, hidden, un-featured..."""

    paper: Ref
    what: str


@dataclass(frozen=True)
class SiteDiff:
    """Every change to the papers between two versions of content/papers/."""

    days_added: tuple[dt.date, ...]
    days_removed: tuple[dt.date, ...]
    added: tuple[Ref, ...]
    removed: tuple[Ref, ...]
    retagged: tuple[Retag, ...]
    notes: tuple[Mark, ...]
    flags: tuple[Mark, ...]
    problems: tuple[Problem, ...] = ()

    def __bool__(self) -> bool:
        return any((self.days_added, self.days_removed, self.added, self.removed,
                    self.retagged, self.notes, self.flags))


def compare(old: dict[str, str], new: dict[str, str], base: str = "base",
            problems: tuple[Problem, ...] = ()) -> SiteDiff:
    """The changes from the old pages to the new ones, matched by path (slugs never change).

    A page that does not parse on either side is compared on neither, so it shows up as a
    problem rather than as a paper added or removed; ``problems`` are carried through.
    """
    found = Collector()
    for problem in problems:
        found.problems.append(problem)
    before, after = _parse(old, found, f"{base}:"), _parse(new, found, "")
    broken = (set(old) - set(before)) | (set(new) - set(after))
    before = {p: page for p, page in before.items() if p not in broken}
    after = {p: page for p, page in after.items() if p not in broken}

    def ref(page: CuratedPage) -> Ref:
        return Ref(page.path, page.title)

    def days(pages: dict[str, CuratedPage]) -> set[dt.date]:
        return {d for p in pages.values() for d in p.listed}

    retagged, notes, flags = [], [], []
    for path in sorted(set(before) & set(after)):
        a, b = before[path], after[path]
        plus = tuple(t for t in b.tags if t not in a.tags)
        minus = tuple(t for t in a.tags if t not in b.tags)
        if plus or minus:
            retagged.append(Retag(ref(b), plus, minus))
        if a.notes != b.notes:
            had, has = bool(a.notes.strip()), bool(b.notes.strip())
            notes.append(Mark(ref(b), "notes added" if has and not had else
                              "notes removed" if had and not has else "notes edited"))
        for flag, off in (("featured", "un-featured"), ("hidden", "un-hidden")):
            if getattr(a, flag) != getattr(b, flag):
                flags.append(Mark(ref(b), flag if getattr(b, flag) else off))
    return SiteDiff(
        days_added=tuple(sorted(days(after) - days(before))),
        days_removed=tuple(sorted(days(before) - days(after))),
        added=tuple(ref(after[p]) for p in sorted(set(after) - set(before))),
        removed=tuple(ref(before[p]) for p in sorted(set(before) - set(after))),
        retagged=tuple(retagged), notes=tuple(notes), flags=tuple(flags),
        problems=_sorted(found.problems))


def _sorted(problems: list[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.message)))


def _parse(pages: dict[str, str], problems: Collector, label: str) -> dict[str, CuratedPage]:
    # label names the revision of an old page, as git does: 'main:content/papers/x.md'.
    out = {}
    for path, text in sorted(pages.items()):
        try:
            out[path] = parse_page(text, path)
        except DigestError as exc:
            problems.problems.extend(Problem(label + p.path, p.line, p.message)
                                     for p in exc.problems)
    return out


def markdown(diff: SiteDiff, base: str) -> str:
    """The summary as Markdown, for a pull-request comment or an Actions job summary."""
    lines = [f"## Changes to the digest against `{base}`", ""]
    if not diff:
        lines.extend(["No paper was added, removed, retagged, annotated, featured or hidden"
                      + (" among the pages that could be read." if diff.problems else "."), ""])
        return "\n".join([*lines, *_problems(diff.problems)])

    def section(title: str, items: list[str]) -> None:
        if items:
            lines.extend([f"**{title} ({len(items)})**", "", *(f"- {i}" for i in items), ""])

    section("Days added", [d.isoformat() for d in diff.days_added])
    section("Days removed", [d.isoformat() for d in diff.days_removed])
    section("Papers added", [_name(r) for r in diff.added])
    section("Papers removed", [_name(r) for r in diff.removed])
    section("Tags changed", [
        f"{_name(r.paper)}: " + " ".join([*(f"+{t}" for t in r.added),
                                          *(f"\u2212{t}" for t in r.removed)])
        for r in diff.retagged])
    section("Notes", [f"{_name(m.paper)}: {m.what}" for m in diff.notes])
    section("Featured and hidden", [f"{_name(m.paper)}: {m.what}" for m in diff.flags])
    return "\n".join([*lines, *_problems(diff.problems)])


def _problems(problems: tuple[Problem, ...]) -> list[str]:
    # A code block shows 'path:line: message' verbatim, whatever markup the message holds.
    if not problems:
        return []
    text = [str(p) for p in problems]
    fence = "`" * max(3, 1 + max((len(r) for t in text for r in re.findall("`+", t)), default=0))
    return [f"**Problems ({len(problems)})**", "",
            "These pages could not be read, so they are left out of the changes above:", "",
            fence + "text", *text, fence, ""]


def _name(ref: Ref) -> str:
    # Titles come from sources: escape what Markdown would read as markup.
    title = re.sub(r"([\\`*_\[\]<>|#~])", r"\\\1", ref.title) or "(untitled)"
    return f"{title} (`{ref.path.rsplit('/', 1)[-1]}`)"
