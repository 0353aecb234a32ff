"""Source readers: one per input format, registered by file suffix.

Every reader is a pure function ``read(source: SourceFile) -> list[Listing]``; the
registry holds each format's ``Reading`` (listings, and the lines the reader read past).
The pipeline loads the bytes at its edge, so readers can be tested and fuzzed on data.
"""

from __future__ import annotations

from typing import Callable

from ..errors import DigestError, Problem
from ..model import Listing
from . import atom, hfjson, hfpage
from .base import Reader, Reading, SourceFile

__all__ = ["Reader", "Reading", "SourceFile", "read_source", "read_source_reporting", "registry"]


def registry() -> dict[str, Reader]:
    """File suffix to reader; adding a format means adding one entry here."""
    return {".txt": hfpage.read_page, ".json": _JSON, ".xml": _ATOM, ".atom": _ATOM}


def _reading(read: Callable[[SourceFile], list[Listing]]) -> Reader:
    """A reader of a format whose reader reads past no line: its listings, no warnings."""
    return lambda source: Reading(tuple(read(source)))


_JSON, _ATOM = _reading(hfjson.read), _reading(atom.read)


def read_source(source: SourceFile) -> list[Listing]:
    """Read one source with the reader its suffix names."""
    return read_source_reporting(source)[0]


def read_source_reporting(source: SourceFile) -> tuple[list[Listing], tuple[Problem, ...]]:
    """Read one source, with the warnings of a reader that has some (lines it left out)."""
    suffix = "." + source.name.rsplit(".", 1)[-1].lower() if "." in source.name else ""
    readers = registry()
    reader = readers.get(suffix)
    if reader is None:
        known = ", ".join(sorted(readers))
        kind = f"files ending in '{suffix}'" if suffix else "files without a suffix"
        raise DigestError.at(
            source.name, None,
            f"no reader knows {kind}; name it with one of {known} if it is a listing, "
            "or move it out of the sources folder",
        )
    reading = reader(source)
    listings = list(reading.listings)
    if not listings:
        raise DigestError.at(
            source.name, None,
            "this source lists no papers; check that the copy is complete, or remove it",
        )
    return listings, reading.warnings
