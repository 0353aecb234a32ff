"""Download one digest day's Daily Papers list from the Hugging Face Hub API.

``GET {endpoint}/api/daily_papers?date=YYYY-MM-DD&limit=N&p=K`` answers with a bare
JSON array. ``p`` is the zero-based page number and ``limit`` the page size: these are
the parameters ``huggingface_hub.HfApi.list_daily_papers`` sends (``p`` defaults to 0,
``limit`` to 50) and that the Hub API docs list. The server's largest ``limit`` is not
documented; clients in the wild cap it at 100, so that is our largest page.

``fetch_days`` downloads every wanted day and checks each one reads as a source before
anything is written; ``save`` then writes the days that list papers to
``sources/<source_name(day)>`` with the careful writer. A day with no papers is never
written, since a source that lists no papers is an error. ``fetch`` does both and says
what happened in a ``FetchResult``: a line per day and the exit status.

Retries, backoff and Retry-After are urllib3's ``Retry`` on a requests session; only
the schedule (see ``_Retry``) and the messages are ours.
"""

from __future__ import annotations

import datetime as dt
import http.client
import importlib.metadata
import json
import socket
import ssl
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import requests
import requests.adapters
import urllib3.exceptions
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

from .clean import one_line
from .errors import Collector, DigestError, Problem
from .project import Project
from .readers import SourceFile, hfjson, read_source
from .write import WriteReport, write_tree

__all__ = [
    "DEFAULT_ENDPOINT",
    "EMPTY_WEEKDAY",
    "MAX_PAGE_SIZE",
    "DayResult",
    "FetchConfig",
    "FetchResult",
    "FetchedDay",
    "days",
    "default_user_agent",
    "endpoint_from_env",
    "fetch",
    "fetch_day",
    "fetch_days",
    "save",
    "source_name",
]

DEFAULT_ENDPOINT = "https://huggingface.co"
MAX_PAGE_SIZE = 100
# A day has well under a hundred papers; this only stops a server that never ends.
_MAX_PAGES = 50
DISTRIBUTION = "hf-papers-digest"  # the name on PyPI; the command stays "digest"
EMPTY_WEEKDAY = 3  # exit status when a weekday lists no papers: worth a look, not a failure
# Answers worth another attempt: rate limiting, and the server's own failures.
_RETRIED = frozenset({429, *range(500, 600)})


def _version() -> str:
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "0"


def default_user_agent() -> str:
    """The User-Agent the digest sends: ``digest/<version>``."""
    return f"digest/{_version()}"


@dataclass(frozen=True)
class FetchConfig:
    """Where to fetch from and how patiently."""

    endpoint: str
    timeout: float = 30  # seconds, for connecting and for each read
    retries: int = 4  # further attempts after the first one fails
    backoff: float = 1.0  # seconds; attempt n (from 0) waits backoff * 2**n
    page_size: int = MAX_PAGE_SIZE
    user_agent: str = field(default_factory=default_user_agent)
    max_retry_after: float = 60.0  # a Retry-After is honoured up to this many seconds
    # The timeout bounds each wait; these bound a whole answer, so that a server that
    # drips a byte at a time, or never stops sending, cannot hold the run or the memory.
    deadline: float = 300  # seconds for one request, from asking to the answer's last byte
    max_bytes: int = 50 * 1024 * 1024  # one answer's largest body; a day's page is ~100 kB

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            problems.append(f"page_size is {self.page_size}; use 1 to {MAX_PAGE_SIZE}")
        if self.retries < 0:
            problems.append(f"retries is {self.retries}; use 0 or more")
        if not self.timeout > 0:
            problems.append(f"timeout is {self.timeout}; use a positive number of seconds")
        if not self.deadline > 0:
            problems.append(f"deadline is {self.deadline}; use a positive number of seconds")
        if self.max_bytes < 1:
            problems.append(f"max_bytes is {self.max_bytes}; use a positive number of bytes")
        if self.backoff < 0 or self.max_retry_after < 0:
            problems.append("backoff and max_retry_after must not be negative")
        if problems:
            raise DigestError.at("fetch settings", None, "; ".join(problems))


def endpoint_from_env(environ: Mapping[str, str]) -> str:
    """``HF_ENDPOINT`` without its trailing ``/``, or the public Hub when it is unset or empty."""
    value = environ.get("HF_ENDPOINT", "").strip().rstrip("/")
    if not value:
        return DEFAULT_ENDPOINT
    if not _web_address(value):
        raise DigestError.at(
            "HF_ENDPOINT", None,
            f"{value!r} is not an http(s) address; set it like "
            f"HF_ENDPOINT={DEFAULT_ENDPOINT}, or unset it to use the public Hub",
        )
    return value


def _web_address(url: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # an unclosed "[" of an IPv6 address
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


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
    with open_session(config, sleep) as session:
        return _fetch_day(day, config, session)


def _fetch_day(day: dt.date, config: FetchConfig, session: requests.Session) -> bytes:
    base = f"{config.endpoint.rstrip('/')}/api/daily_papers"
    if not _web_address(base):
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
        batch = _parse_array(url, get(session, url, config))
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
    # The days the Hub's answer listed when none of its papers was of ``day`` (then
    # ``papers`` is 0 and nothing is saved): a file named for ``day`` would hold another's.
    answered: tuple[dt.date, ...] = ()

    @property
    def name(self) -> str:
        """The file name inside sources/."""
        return source_name(self.day)



@dataclass(frozen=True)
class DayResult:
    """What fetching one day did, and the line that tells the user."""

    day: dt.date
    papers: int
    saved_as: str  # the day's file as messages name it: the sources folder and its name
    written: bool  # its bytes changed on disk; False when unchanged or not saved
    answered: tuple[dt.date, ...] = ()  # FetchedDay's: the other days the Hub sent instead

    @property
    def weekend(self) -> bool:
        """Saturday or Sunday, when the Hub often lists nothing."""
        return self.day.weekday() >= 5

    @property
    def missing(self) -> bool:
        """A weekday without papers: the Hub may not have published it yet."""
        return not self.papers and not self.weekend

    @property
    def message(self) -> str:
        """One line for the user; a missing day's goes to stderr."""
        label = f"fetch: {self.day} ({self.day:%A})"
        if self.papers:
            state = "written to" if self.written else "unchanged in"
            return f"{label}: {self.papers} papers, {state} {self.saved_as}"
        if self.answered:
            days = ", ".join(d.isoformat() for d in self.answered)
            return (f"{label}: the Hub answered with papers listed on {days}, none on "
                    f"{self.day}; nothing written" + (
                        "" if self.weekend else " (the Hub may not have published the day "
                                                "yet; fetch it again later)"))
        if self.weekend:
            return f"{label}: no papers listed; nothing written"
        return (f"{label}: no papers listed on a weekday; nothing written (the Hub may not "
                "have published the day yet; fetch it again later)")


@dataclass(frozen=True)
class FetchResult:
    """What 'digest fetch' did, day by day, and the exit status that sums it up."""

    days: tuple[DayResult, ...]

    @property
    def listed(self) -> bool:
        """Some day listed papers, so the site is generated again."""
        return any(d.papers for d in self.days)

    @property
    def status(self) -> int:
        """0, or EMPTY_WEEKDAY when a weekday listed no papers, so a daily job notices."""
        return EMPTY_WEEKDAY if any(d.missing for d in self.days) else 0


def fetch(project: Project, wanted: list[dt.date], config: FetchConfig, *,
          sleep: Callable[[float], Any] = time.sleep) -> FetchResult:
    """Download the wanted days, then save those that list papers into the sources folder."""
    fetched = fetch_days(wanted, config, sleep=sleep)
    report = save(project.sources, fetched)
    where = project.relative(project.sources)
    return FetchResult(tuple(DayResult(f.day, f.papers, f"{where}/{f.name}",
                                       f.name in report.written, f.answered) for f in fetched))


def fetch_days(
    wanted: list[dt.date], config: FetchConfig, *, sleep: Callable[[float], Any] = time.sleep
) -> list[FetchedDay]:
    """Fetch every wanted day and check each reads as a source; writes nothing."""
    problems = Collector()
    fetched = []
    with open_session(config, sleep) as session:
        # A network failure stops the run: the next day would only fail the same way.
        downloads = [(day, _fetch_day(day, config, session)) for day in wanted]
    for day, data in downloads:
        papers, answered = 0, ()
        if json.loads(data):
            try:
                listings = read_source(SourceFile(source_name(day), data))
                days = {listing.date for listing in listings}
                # A server that ignores 'date' (or answers a weekend with Friday's papers)
                # sends another day's listing.
                if day in days:
                    papers = len(listings)
                else:
                    answered = tuple(sorted(days))
            except DigestError as exc:
                # The Hub sent items the reader cannot use: saving them would break
                # 'digest generate', so report them and save no day at all. They name the
                # day's address, since the file they would have been saved as never exists.
                where = f"{config.endpoint.rstrip('/')}/api/daily_papers?date={day.isoformat()}"
                problems.problems.extend(Problem(where, None, _fetched_remedy(p.message))
                                         for p in exc.problems)
                continue
        fetched.append(FetchedDay(day, data, papers, answered))
    problems.raise_if_any()
    return fetched


def _fetched_remedy(message: str) -> str:
    # The reader's remedies are for a file on disk ("fix the file, or download it again");
    # for an answer just fetched, nothing can be fixed by hand.
    what = message.rsplit("; ", 1)[0] if "; " in message else message
    return (f"{what}; the Hub sent an item the digest cannot read, so no day was saved; "
            "try again later, and report it if it persists")


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


class _Retry(Retry):
    """urllib3's retries on our schedule, sleeping through an injectable function.

    urllib3 retries at once and then doubles; we wait ``backoff`` first and double from
    there. Retry-After, in seconds or as an HTTP date, wins, capped at ``retry_after_cap``;
    a value that is neither falls back to the backoff.
    """

    def __init__(self, *args: Any, pause: Callable[[float], Any], retry_after_cap: float,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pause, self.retry_after_cap = pause, retry_after_cap

    def new(self, **kwargs: Any) -> "_Retry":
        return super().new(pause=self.pause, retry_after_cap=self.retry_after_cap, **kwargs)

    def get_backoff_time(self) -> float:
        failures = len(self.history)
        return self.backoff_factor * 2 ** (failures - 1) if failures else 0.0

    def get_retry_after(self, response: Any) -> float | None:
        try:
            seconds = super().get_retry_after(response)
        except InvalidHeader:
            return None
        return None if seconds is None else min(seconds, self.retry_after_cap)

    def sleep(self, response: Any = None) -> None:
        after = self.get_retry_after(response) if response is not None else None
        self.pause(self.get_backoff_time() if after is None else after)


def open_session(config: FetchConfig, sleep: Callable[[float], Any]) -> requests.Session:
    """A session that retries network failures, 429 and 5xx, as ``config`` says."""
    retry = _Retry(
        total=config.retries,
        other=0,  # TLS and proxy failures are settings to fix, not worth another attempt
        status_forcelist=_RETRIED,
        backoff_factor=config.backoff,
        raise_on_status=False,  # the last answer comes back, so its status can be named
        pause=sleep,
        retry_after_cap=config.max_retry_after,
    )
    session = requests.Session()
    session.headers.update({"User-Agent": config.user_agent, "Accept": "application/json"})
    adapter = requests.adapters.HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def get(session: requests.Session, url: str, config: FetchConfig) -> bytes:
    start = time.monotonic()
    try:
        with session.get(url, timeout=config.timeout, stream=True) as response:
            body = _body(response, url, config, start)
    except requests.exceptions.InvalidURL as err:
        raise DigestError.at(
            url, None, f"this address is not valid ({one_line(str(err))}); check HF_ENDPOINT"
        ) from None
    except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as err:
        raise DigestError.at(url, None, _unreachable(err, config)) from None
    if response.status_code < 400:
        return body
    status = f"HTTP {response.status_code} {response.reason or ''}".strip()
    # urllib3 hands back a 429 or 5xx only once the retries are spent.
    after = f" after {config.retries + 1} attempts" if config.retries else ""
    if response.status_code == 429:
        raise DigestError.at(
            url, None,
            f"the Hugging Face Hub is still rate-limiting requests ({status}){after}; "
            "wait a few minutes and run again",
        )
    if response.status_code in _RETRIED:
        raise DigestError.at(
            url, None,
            f"the Hugging Face Hub kept failing ({status}){after}; it may be down, try again later",
        )
    raise DigestError.at(
        url, None, f"the Hugging Face Hub answered {status}; {_hint(response.status_code)}"
    )


_CHUNK = 64 * 1024


def _body(response: requests.Response, url: str, config: FetchConfig, start: float) -> bytes:
    """The answer's body, read in chunks so that the deadline and the size cap hold."""
    def too_big() -> DigestError:
        return DigestError.at(
            url, None,
            f"the answer is larger than {config.max_bytes:,} bytes, far more than a day's "
            "papers; stopped reading it. Check HF_ENDPOINT points at a Hugging Face Hub")

    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > config.max_bytes:
        raise too_big()
    raw = response.raw
    # read1 returns whatever has arrived, so a slow drip still comes back to the clock;
    # read(n) would wait for n bytes.
    read = getattr(raw, "read1", raw.read)
    chunks, size = [], 0
    while True:
        if time.monotonic() - start > config.deadline:
            raise DigestError.at(
                url, None,
                f"the answer took longer than the {config.deadline:g} s deadline; stopped "
                "reading it. The Hub may be overloaded: try again later, or raise --deadline")
        chunk = read(_CHUNK, decode_content=True)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > config.max_bytes:
            raise too_big()
        chunks.append(chunk)


def _unreachable(err: Exception, config: FetchConfig) -> str:
    """What went wrong on the way to the Hub, from the chain of errors requests raises."""
    chain = _causes(err)
    certificate = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
    if certificate is not None:
        return (
            f"the Hub's TLS certificate was not accepted ({one_line(str(certificate))}); "
            "check the system clock and certificates, or HF_ENDPOINT"
        )
    spent = next((e for e in chain if isinstance(e, urllib3.exceptions.MaxRetryError)), None)
    attempts = 1
    if spent is not None and not isinstance(
        spent.reason, (urllib3.exceptions.SSLError, urllib3.exceptions.ProxyError)
    ):
        attempts = config.retries + 1  # only 'other' errors stop before the retries are spent
    after = f" after {attempts} attempts" if attempts > 1 else ""
    return (
        f"cannot reach the Hugging Face Hub ({_describe(chain, config.timeout)}){after}; "
        "check your network or set HF_ENDPOINT"
    )


def _causes(err: BaseException) -> list[BaseException]:
    """``err`` and every error it wraps: requests and urllib3 nest them in args and reason."""
    found: list[BaseException] = []
    todo = [err]
    while todo:
        current = todo.pop(0)
        if current in found:
            continue
        found.append(current)
        inner = [*current.args, getattr(current, "reason", None),
                 current.__cause__, current.__context__]
        todo.extend(e for e in inner if isinstance(e, BaseException))
    return found


def _hint(status: int) -> str:
    if status == 400:
        return "the Hub rejected the request; check the date is a real day in YYYY-MM-DD form"
    if status in (401, 403):
        return "daily papers are public, so check HF_ENDPOINT points at a Hugging Face Hub"
    if status == 404:
        return "no daily papers API at this address; check HF_ENDPOINT points at a Hugging Face Hub"
    return "this will not pass by retrying; check the date and HF_ENDPOINT"


def _describe(chain: list[BaseException], timeout: float) -> str:
    def first(kind: type | tuple[type, ...]) -> Any:
        return next((e for e in chain if isinstance(e, kind)), None)

    # Order matters: RemoteDisconnected is a ConnectionResetError, which is an OSError.
    if first(ConnectionRefusedError):
        return "connection refused"
    if lookup := first(socket.gaierror):
        return f"cannot look up the host name: {lookup.strerror or lookup}"
    if first(http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if first(ConnectionResetError):
        return "the connection was reset"
    if first((http.client.IncompleteRead, urllib3.exceptions.IncompleteRead,
              requests.exceptions.ChunkedEncodingError)):
        return "the answer was cut off"
    if first((TimeoutError, urllib3.exceptions.TimeoutError)) and not first(
            urllib3.exceptions.NewConnectionError):
        return f"no answer within {timeout:g} s"
    if tls := first(ssl.SSLError):
        return f"TLS error: {tls.reason or tls}"
    if system := next((e for e in chain if isinstance(e, OSError) and e.strerror), None):
        return one_line(system.strerror).lower()
    innermost = chain[-1]
    return one_line(str(innermost)) or type(innermost).__name__


def _parse_array(url: str, body: bytes) -> list[Any]:
    try:
        data = json.loads(body)
    except ValueError as err:  # JSONDecodeError, or bytes that are no Unicode at all
        where = (
            f" at line {err.lineno} column {err.colno}"
            if isinstance(err, json.JSONDecodeError) else ""
        )
        start = one_line(body[:60].decode("utf-8", "replace")) or "nothing"
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
            return f"an object saying {one_line(said)[:200]!r}"
        keys = ", ".join(list(data)[:5])
        return f"an object with keys {keys}" if keys else "an empty object"
    return hfjson.kind(data)

