"""Adding a day: a new listing goes into sources/ under its date, then the site regenerates.

``place`` is pure: from the file's name and bytes, the sources already there and the
settings, it gives the source to save, or every reason to refuse. ``add`` does the I/O,
and writes nothing unless the whole digest, new day included, generates cleanly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path, PurePath

from .errors import DigestError, Problem
from .fetch import source_name
from .pipeline import Plan, load, plan, site_info, write_planned
from .project import Project
from .readers import SourceFile, hfpage, read_source, registry
from .write import WriteReport, atomic_write, locked

STEM = "hf-papers"  # sources/<date>-hf-papers<suffix>


def place(name: str, data: bytes, existing: dict[str, bytes], day: dt.date | None = None,
          default_year: int | None = None, *, folder: str) -> SourceFile:
    """The source a new listing becomes: named by its date, checked, and not a repeat."""
    name = PurePath(name).name
    for other, other_data in sorted(existing.items()):
        if other_data == data:
            raise DigestError.at(name, None, f"this listing is already in {folder}/ as {other} "
                                             "(same bytes); nothing to add")
    suffix = PurePath(name).suffix.lower()
    if suffix not in registry():
        raise DigestError.at(name, None, f"digest add takes a listing: a page copy saved as "
                                         f"text, the Hub's JSON or an arXiv Atom export, named "
                                         f"with one of {', '.join(sorted(registry()))}")
    given = day is not None
    if day is None:
        day = SourceFile(name, data).name_date or _day_from_content(name, data, default_year)
    elif registry()[suffix] is hfpage.read_page:
        _same_day(name, data, day)
    # A Hub JSON is named as 'digest fetch' names it: the same day fetched and added is then
    # one file (refused below), and the daily job sees the day as fetched.
    target = source_name(day) if suffix == ".json" else f"{day.isoformat()}-{STEM}{suffix}"
    if target in existing:
        raise DigestError.at(name, None, f"{folder}/{target} already exists; a listing of "
                                         f"{day} in this format is already in the digest")
    source = SourceFile(target, data, default_year)
    listed = {listing.date for listing in _read(source, name)}  # refuse what does not parse
    if given and listed and day not in listed:
        # Formats that date each paper keep their own days: the name would misstate the file.
        days = ", ".join(d.isoformat() for d in sorted(listed))
        raise DigestError.at(name, None, f"--date says {day} but this file lists papers of "
                                         f"{days}; pass the file's day with --date, or leave "
                                         "--date out to take it from the file")
    return source


def _same_day(name: str, data: bytes, day: dt.date) -> None:
    """A page copy's date line must say the day --date gives (in --date's year, unless the
    line has its own): read under its new name, it would blame a name the user never gave."""
    try:
        written = hfpage.listed_day(SourceFile(f"copy{PurePath(name).suffix}", data, day.year))
    except DigestError:
        return  # reading the copy names what is wrong with it
    if written is not None and written != day:
        raise DigestError.at(name, None, f"--date says {day} but the copy's date line says "
                                         f"{written}; pass --date {written}, or leave --date "
                                         "out to take the day from the copy")


def _read(source: SourceFile, shown: str) -> list:
    # Problems name the file the user gave, not the name it would have had in sources/.
    try:
        return read_source(source)
    except DigestError as exc:
        raise DigestError([Problem(shown if p.path == source.name else p.path, p.line, p.message)
                           for p in exc.problems]) from None


def _day_from_content(name: str, data: bytes, default_year: int | None) -> dt.date:
    source = SourceFile(name, data, default_year)
    if registry().get(PurePath(name).suffix.lower()) is hfpage.read_page:
        # Only a page copy's date line can lack a year; the other formats date each paper.
        day = hfpage.listed_day(source)
        if day is None:
            raise DigestError.at(name, None, _NO_YEAR)
        return day
    days = {listing.date for listing in _read(source, name)}
    if len(days) != 1:
        listed = ", ".join(d.isoformat() for d in sorted(days))
        raise DigestError.at(name, None, f"this file lists papers of several days ({listed}); "
                                         "pass --date YYYY-MM-DD to say which day it is")
    return days.pop()


_NO_YEAR = ("cannot tell which day this listing is: its date line has no year and its name "
            "does not start with YYYY-MM-DD; pass --date YYYY-MM-DD, or set default_year "
            "under [tool.digest] in pyproject.toml")


def add(project: Project, file: Path, day: dt.date | None = None
        ) -> tuple[SourceFile, Plan, WriteReport]:
    """Copy a listing into sources/ under its date and regenerate; all or nothing."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise DigestError.at(file, None, f"cannot read the file ({exc.strerror}); check "
                                         "the path") from None
    with locked(project.content, shown=project.relative(project.content)):
        inputs = load(project, require_sources=False)
        source = place(file.name, data, {s.name: s.data for s in inputs.sources}, day,
                       project.default_year, folder=project.relative(project.sources))
        inputs = dataclasses.replace(inputs, sources=tuple(
            sorted((*inputs.sources, source), key=lambda s: s.name)))
        the_plan = plan(inputs, site_info(project))
        target = project.sources / source.name
        shown = f"{inputs.sources_path}/{source.name}"
        if not atomic_write(target, source.data, None, shown):
            raise DigestError.at(shown, None, "appeared while digest add ran; see what it is, "
                                              "then add the listing again")
        try:
            return source, the_plan, write_planned(project, inputs, the_plan)
        except BaseException:
            target.unlink(missing_ok=True)  # all or nothing: the digest is as it was
            raise
