"""Download one digest day's Daily Papers list from the Hugging Face Hub API.

``GET {endpoint}/api/daily_papers?date=YYYY-MM-DD&limit=N&p=K`` answers with a bare
JSON array. ``p`` is the zero-based page number and ``limit`` the page size: these are
the parameters ``huggingface_hub.HfApi.list_daily_papers`` sends (``p`` defaults to 0,
``limit`` to 50) and that the Hub API docs list. The server's largest ``limit`` is not
documented; clients in the wild cap it at 100, so that is our largest page.

``fetch_days`` downloads every wanted day and checks each one reads as a source before
anything is written; ``save`` then writes the days that list papers to
``sources/<source_name(day)>`` with the careful writer. A day with no papers is never
written, since a source that lists no papers is an error; the caller reports it.
"""

from __future__ import annotations

import datetime as dt
import http.client
import importlib.metadata
import json
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from .errors import Collector, DigestError
from .readers import SourceFile, hfjson, read_source
from .write import WriteReport, write_tree

__all__ = [
    "DEFAULT_ENDPOINT",
    "MAX_PAGE_SIZE",
    "FetchConfig",
    "FetchedDay",
    "days",
    "default_user_agent",
    "endpoint_from_env",
    "fetch_day",
    "fetch_days",
    "save",
    "source_name",
]

DEFAULT_ENDPOINT = "https://huggingface.co"
MAX_PAGE_SIZE = 100
# The project's public address for the User-Agent, so the Hub knows whom to contact.
# Left empty until the repository has one; the agent then reads just "digest/<version>".
PROJECT_URL = ""
# A day has well under a hundred papers; this only stops a server that never ends.
_MAX_PAGES = 50


def _version() -> str:
    try:
        return importlib.metadata.version("digest")
    except importlib.metadata.PackageNotFoundError:
        return "0"


def default_user_agent() -> str:
    """The User-Agent the digest sends: ``digest/<version>`` and the project's address."""
    agent = f"digest/{_version()}"
    return f"{agent} (+{PROJECT_URL})" if PROJECT_URL else agent


@dataclass(frozen=True)
class FetchConfig:
    """Where to fetch from and how patiently."""

    endpoint: str
    timeout: float = 30  # seconds, for connecting and for each read
    retries: int = 4  # further attempts after the first one fails
    backoff: float = 1.0  # seconds; attempt n (from 0) waits backoff * 2**n
    page_size: int = MAX_PAGE_SIZE
    user_agent: str = field(default_factory=default_user_agent)
    max_retry_after: float = 60.0  # a 429's Retry-After is honoured up to this many seconds

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            problems.append(f"page_size is {self.page_size}; use 1 to {MAX_PAGE_SIZE}")
        if self.retries < 0:
            problems.append(f"retries is {self.retries}; use 0 or more")
        if not self.timeout > 0:
            problems.append(f"timeout is {self.timeout}; use a positive number of seconds")
        if self.backoff < 0 or self.max_retry_after < 0:
            problems.append("backoff and max_retry_after must not be negative")
        if problems:
            raise DigestError.at("fetch settings", None, "; ".join(problems))


def endpoint_from_env(environ: Mapping[str, str]) -> str:
    """``HF_ENDPOINT`` without its trailing ``/``, or the public Hub when it is unset or empty."""
    value = environ.get("HF_ENDPOINT", "").strip().rstrip("/")
    if not value:
        return DEFAULT_ENDPOINT
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DigestError.at(
            "HF_ENDPOINT", None,
            f"{value!r} is not an http(s) address; set it like "
            f"HF_ENDPOINT={DEFAULT_ENDPOINT}, or unset it to use the public Hub",
        )
    return value


def source_name(day: dt.date) -> str:
    """The file name, inside sources/, that holds the Hub's list for ``day``."""
    return f"{day.isoformat()}-hf-daily.json"


def days(since: dt.date, until: dt.date) -> list[dt.date]:
    """Every day from ``since`` to ``until``, both included, in order."""
    if since > until:
        raise DigestError.at(
            f"{since.isoformat()}..{until.isoformat()}", None,
            "the first day comes after the last; swap them",
        )
    return [since + dt.timedelta(days=n) for n in range((until - since).days + 1)]


def fetch_day(
    day: dt.date, config: FetchConfig, *, sleep: Callable[[float], Any] = time.sleep
) -> bytes:
    """All of ``day``'s items, across pages and without repeats, as stable UTF-8 JSON bytes."""
    base = f"{config.endpoint.rstrip('/')}/api/daily_papers"
    parts = urllib.parse.urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DigestError.at(
            config.endpoint, None,
            f"the endpoint is not an http(s) address; use one like {DEFAULT_ENDPOINT}",
        )
    items: list[Any] = []
    seen: set[str] = set()
    for page in range(_MAX_PAGES):
        query = urllib.parse.urlencode(
            {"date": day.isoformat(), "limit": config.page_size, "p": page}
        )
        url = f"{base}?{query}"
        batch = _fetch_array(url, config, sleep)
        added = 0
        for item in batch:
            key = _paper_id(item)
            if key is not None:
                if key in seen:
                    continue  # pages shift while votes come in; the first sighting wins
                seen.add(key)
            items.append(item)
            added += 1
        if len(batch) < config.page_size:
            break
        if added == 0:
            raise DigestError.at(
                url, None,
                f"page {page} repeats only papers from earlier pages, so the server seems "
                "to ignore the 'p' page parameter and the day cannot be fetched whole; "
                "check HF_ENDPOINT points at a Hugging Face Hub",
            )
    else:
        raise DigestError.at(
            f"{base}?date={day.isoformat()}", None,
            f"the Hub kept sending full pages for {_MAX_PAGES} pages; "
            "check HF_ENDPOINT points at a Hugging Face Hub",
        )
    return _serialise(items)


@dataclass(frozen=True)
class FetchedDay:
    """One day as the Hub listed it: the bytes to save and how many papers they hold."""

    day: dt.date
    data: bytes
    papers: int

    @property
    def name(self) -> str:
        """The file name inside sources/."""
        return source_name(self.day)

    @property
    def weekend(self) -> bool:
        """Saturday or Sunday, when the Hub often lists nothing."""
        return self.day.weekday() >= 5


def fetch_days(
    wanted: list[dt.date], config: FetchConfig, *, sleep: Callable[[float], Any] = time.sleep
) -> list[FetchedDay]:
    """Fetch every wanted day and check each reads as a source; writes nothing."""
    problems = Collector()
    fetched = []
    for day in wanted:
        # A network failure stops the run: the next day would only fail the same way.
        data = fetch_day(day, config, sleep=sleep)
        papers = 0
        if json.loads(data):
            try:
                papers = len(read_source(SourceFile(source_name(day), data)))
            except DigestError as exc:
                # The Hub sent items the reader cannot use: saving them would break
                # 'digest generate', so report them and save no day at all.
                problems.extend(exc)
                continue
        fetched.append(FetchedDay(day, data, papers))
    problems.raise_if_any()
    return fetched


def save(sources: Path, fetched: list[FetchedDay]) -> WriteReport:
    """Write the days that list papers into sources/, atomically, only when changed."""
    return write_tree(sources, {f.name: f.data for f in fetched if f.papers})


def _paper_id(item: Any) -> str | None:
    paper = item.get("paper") if isinstance(item, dict) else None
    key = paper.get("id") if isinstance(paper, dict) else None
    return key if isinstance(key, str) and key else None


def _serialise(items: list[Any]) -> bytes:
    # The file is committed and re-fetched, so its bytes must depend on the data alone:
    # sorted keys make a re-fetch diff show changed values, not a reordering by the
    # server's serialiser. The items keep the Hub's order, which is part of the data.
    # One-space indent keeps one value per line for diffs without bloating the file.
    try:
        text = json.dumps(items, ensure_ascii=False, indent=1, sort_keys=True)
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:
        # An unpaired surrogate escape (\ud800) has no UTF-8 form; keep it escaped.
        text = json.dumps(items, ensure_ascii=True, indent=1, sort_keys=True)
        return (text + "\n").encode("ascii")


class _Transient(Exception):
    """A failure worth another attempt: the network, a timeout, a 429 or a 5xx."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after

    def final_message(self, attempts: int) -> str:
        after = f" after {attempts} attempts" if attempts > 1 else ""
        if self.status == 429:
            return (
                f"the Hugging Face Hub is still rate-limiting requests ({self.reason}){after}; "
                "wait a few minutes and run again"
            )
        if self.status is not None:
            return (
                f"the Hugging Face Hub kept failing ({self.reason}){after}; "
                "it may be down, try again later"
            )
        return (
            f"cannot reach the Hugging Face Hub ({self.reason}){after}; "
            "check your network or set HF_ENDPOINT"
        )


def _fetch_array(url: str, config: FetchConfig, sleep: Callable[[float], Any]) -> list[Any]:
    attempts = config.retries + 1
    for attempt in range(attempts):
        try:
            body = _get(url, config)
        except _Transient as failure:
            if attempt == attempts - 1:
                raise DigestError.at(url, None, failure.final_message(attempts)) from None
            if failure.retry_after is not None:
                sleep(failure.retry_after)
            else:
                sleep(config.backoff * 2**attempt)
            continue
        return _parse_array(url, body)
    raise AssertionError("unreachable: the loop returns or raises")


def _get(url: str, config: FetchConfig) -> bytes:
    request = urllib.request.Request(
        url, headers={"User-Agent": config.user_agent, "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=config.timeout) as response:
            return response.read()
    except urllib.error.HTTPError as err:
        err.close()
        status = f"HTTP {err.code} {err.reason}".strip()
        if err.code == 429:
            raise _Transient(status, err.code, _retry_after(err.headers, config)) from None
        if 500 <= err.code <= 599:
            raise _Transient(status, err.code) from None
        raise DigestError.at(
            url, None, f"the Hugging Face Hub answered {status}; {_hint(err.code)}"
        ) from None
    except urllib.error.URLError as err:
        if isinstance(err.reason, ssl.SSLCertVerificationError):
            raise DigestError.at(
                url, None,
                f"the Hub's TLS certificate was not accepted ({_one_line(str(err.reason))}); "
                "check the system clock and certificates, or HF_ENDPOINT",
            ) from None
        raise _Transient(_describe(err.reason, config.timeout)) from None
    except http.client.InvalidURL as err:
        raise DigestError.at(
            url, None, f"this address is not valid ({_one_line(str(err))}); check HF_ENDPOINT"
        ) from None
    except (http.client.HTTPException, OSError) as err:
        raise _Transient(_describe(err, config.timeout)) from None


def _retry_after(headers: Any, config: FetchConfig) -> float | None:
    value = (headers.get("Retry-After") or "").strip() if headers is not None else ""
    if not re.fullmatch(r"\d+(\.\d+)?", value):
        return None  # absent, or an HTTP date: fall back to our own backoff
    return min(float(value), config.max_retry_after)


def _hint(status: int) -> str:
    if status == 400:
        return "the Hub rejected the request; check the date is a real day in YYYY-MM-DD form"
    if status in (401, 403):
        return "daily papers are public, so check HF_ENDPOINT points at a Hugging Face Hub"
    if status == 404:
        return "no daily papers API at this address; check HF_ENDPOINT points at a Hugging Face Hub"
    return "this will not pass by retrying; check the date and HF_ENDPOINT"


def _describe(reason: object, timeout: float) -> str:
    # Order matters: RemoteDisconnected is a ConnectionResetError, which is an OSError.
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return f"cannot look up the host name: {reason.strerror or reason}"
    if isinstance(reason, TimeoutError) or reason == "timed out":
        return f"no answer within {timeout:g} s"
    if isinstance(reason, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(reason, ConnectionResetError):
        return "the connection was reset"
    if isinstance(reason, http.client.IncompleteRead):
        return "the answer was cut off"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error: {reason.reason or reason}"
    if isinstance(reason, OSError) and reason.strerror:
        return _one_line(reason.strerror).lower()
    text = _one_line(str(reason))
    return text or type(reason).__name__


def _parse_array(url: str, body: bytes) -> list[Any]:
    try:
        data = json.loads(body)
    except ValueError as err:  # JSONDecodeError, or bytes that are no Unicode at all
        where = (
            f" at line {err.lineno} column {err.colno}"
            if isinstance(err, json.JSONDecodeError) else ""
        )
        start = _one_line(body[:60].decode("utf-8", "replace")) or "nothing"
        raise DigestError.at(
            url, None,
            f"the Hub's answer is not JSON (error{where}; it starts with {start!r}); "
            "check HF_ENDPOINT points at a Hugging Face Hub",
        ) from None
    if isinstance(data, list):
        return data
    raise DigestError.at(
        url, None,
        f"expected a JSON array of papers but the Hub sent {_kind(data)}; "
        "check the date and HF_ENDPOINT",
    )


def _kind(data: Any) -> str:
    # The Hub answers failures with {"error": "..."}: quote it, it says what went wrong.
    if isinstance(data, dict):
        said = data.get("error")
        if isinstance(said, str) and said.strip():
            return f"an object saying {_one_line(said)[:200]!r}"
        keys = ", ".join(list(data)[:5])
        return f"an object with keys {keys}" if keys else "an empty object"
    return hfjson.kind(data)


def _one_line(text: str) -> str:
    return " ".join(text.split())
