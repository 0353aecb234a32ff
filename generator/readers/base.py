"""What every reader shares: the source record, decoding, and the field parsers.

Readers import from here, never from the package ``__init__``, which imports every reader
for its registry.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable

from ..errors import DigestError, Problem
from ..model import Listing


@dataclass(frozen=True)
class SourceFile:
    """A source's name inside the sources folder and its raw bytes."""

    name: str
    data: bytes
    default_year: int | None = None  # from configuration, used when nothing else gives a year

    @property
    def name_date(self) -> dt.date | None:
        """The ISO date a file name starts with, as in ``2025-09-08-hf.txt``."""
        m = re.match(r"(\d{4})-(\d{2})-(\d{2})(?!\d)", self.name.rsplit("/", 1)[-1])
        if not m:
            return None
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise DigestError.at(
                self.name, None,
                f"the file name starts with {m[0]}, which is not a real date; "
                "rename it to start with the listing's date as YYYY-MM-DD",
            ) from None


@dataclass(frozen=True)
class Reading:
    """What one source says: its listings, and the lines a reader read past (warnings)."""

    listings: tuple[Listing, ...]
    warnings: tuple[Problem, ...] = ()


Reader = Callable[[SourceFile], Reading]

_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def decode_text(source: SourceFile) -> str:
    """Decode UTF-8 (with or without BOM), or fail saying what the bytes look like."""
    data = source.data
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise DigestError.at(
                source.name, 1,
                f"the file is encoded as {name}, not UTF-8; re-save it as UTF-8",
            )
    if b"\x00" in data[:8192]:
        if _looks_like_utf16(data[:8192]):
            raise DigestError.at(
                source.name, 1,
                "the file looks like UTF-16 text without a byte order mark, not UTF-8; "
                "re-save it as UTF-8")
        raise DigestError.at(
            source.name, None,
            "this is a binary file, not a text listing; remove it from the sources folder",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        hint = _encoding_hint(data)
        raise DigestError.at(
            source.name, line,
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8{hint}; re-save the file as UTF-8",
        ) from None
    return text.removeprefix("\ufeff")


def _looks_like_utf16(head: bytes) -> bool:
    # ASCII text in UTF-16 has a zero in every other byte, and nowhere else.
    even, odd = head[0::2], head[1::2]
    return len(head) >= 4 and (even.count(0) == len(even)) != (odd.count(0) == len(odd))


def _encoding_hint(data: bytes) -> str:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    return " (it looks like Windows-1252 or Latin-1)"


def utc_date(text: str) -> dt.date | None:
    """The UTC date of an ISO 8601 timestamp (``2026-06-11T17:59:49Z``); None if not one."""
    try:
        stamp = dt.datetime.fromisoformat(text.strip())
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(dt.timezone.utc)
        return stamp.date()
    except (ValueError, OverflowError):
        return None
