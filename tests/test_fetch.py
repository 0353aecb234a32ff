"""fetch: paging, retries and failures against a real local HTTP server, never the internet."""

from __future__ import annotations

import datetime as dt
import email.utils
import importlib.metadata
import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from conftest import local_server, make_project
from generator import fetch
from generator.errors import DigestError
from generator.fetch import FetchConfig, days, endpoint_from_env, fetch_day, source_name
from generator.project import Project

SAMPLE = Path(__file__).parent / "fixtures" / "sotawhat_hf_daily_papers_2026-06-12.json"
DAY = dt.date(2026, 6, 12)
ITEMS = json.loads(SAMPLE.read_bytes())


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]

    @property
    def page(self) -> int:
        return int(self.query["p"])


@dataclass
class FakeHub:
    """Serves ITEMS for DAY in pages of ``limit`` items, records requests, fails on cue."""

    endpoint: str = ""
    requests: list[Request] = field(default_factory=list)
    # page -> actions to play, one per request, before that page is served normally:
    # ("status", code, headers, body), ("drop",) or ("hang",)
    cues: dict[int, list[tuple]] = field(default_factory=dict)
    pages: dict[int, list] | None = None  # explicit pages instead of slicing ITEMS
    release: threading.Event = field(default_factory=threading.Event)

    def cue(self, page: int, *actions: tuple) -> None:
        self.cues.setdefault(page, []).extend(actions)

    def pages_requested(self) -> list[int]:
        return [r.page for r in self.requests]


def _handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server spelling
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            hub.requests.append(Request(url.path, query, dict(self.headers.items())))
            page = int(query.get("p", "0"))
            actions = hub.cues.get(page)
            if actions:
                action = actions.pop(0)
                if action[0] == "status":
                    _, code, headers, body = action
                    self._send(code, body, headers)
                elif action[0] == "hang":
                    hub.release.wait(5)
                # "drop": answer nothing; HTTP/1.0 closes the connection on return
                return
            if url.path != "/api/daily_papers":
                self._send(404, b'{"error":"Not Found"}')
                return
            if hub.pages is not None:
                batch = hub.pages.get(page, [])
            elif query.get("date") == DAY.isoformat():
                limit = int(query.get("limit", "50"))
                batch = ITEMS[page * limit:(page + 1) * limit]
            else:
                batch = []
            self._send(200, json.dumps(batch).encode())

        def _send(self, code: int, body: bytes, headers: dict | None = None) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

    return Handler


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)  # 127.0.0.1 must not go through a proxy
    state = FakeHub()
    with local_server(_handler(state)) as state.endpoint:
        try:
            yield state
        finally:
            state.release.set()  # a request held open must not keep the server from stopping


@pytest.fixture
def sleeps() -> list[float]:
    return []


def config(hub: FakeHub, **kwargs) -> FetchConfig:
    return FetchConfig(endpoint=hub.endpoint, **{"page_size": 20, "timeout": 5, **kwargs})


def one_line_error(err: pytest.ExceptionInfo[DigestError]) -> str:
    text = str(err.value)
    assert "\n" not in text and "Traceback" not in text
    return text


# --- paging -------------------------------------------------------------------------


def test_pages_combine_into_the_30_sample_items_in_order(hub, sleeps):
    data = fetch_day(DAY, config(hub), sleep=sleeps.append)
    assert json.loads(data) == ITEMS
    assert len(ITEMS) == 30
    assert [r.path for r in hub.requests] == ["/api/daily_papers"] * 2
    assert [r.query for r in hub.requests] == [
        {"date": "2026-06-12", "limit": "20", "p": "0"},
        {"date": "2026-06-12", "limit": "20", "p": "1"},
    ]
    assert sleeps == []


def test_a_full_last_page_is_followed_by_one_more_request_that_comes_back_empty(hub, sleeps):
    data = fetch_day(DAY, config(hub, page_size=15), sleep=sleeps.append)
    assert json.loads(data) == ITEMS
    assert hub.pages_requested() == [0, 1, 2]


def test_papers_repeated_on_a_later_page_are_kept_once_where_first_seen(hub, sleeps):
    hub.pages = {0: ITEMS[:20], 1: ITEMS[15:30]}  # votes moved items 15-19 down a page
    data = fetch_day(DAY, config(hub), sleep=sleeps.append)
    assert json.loads(data) == ITEMS


def test_a_server_ignoring_the_page_parameter_is_an_error_not_a_loop(hub, sleeps):
    hub.pages = {p: ITEMS[:20] for p in range(10)}
    with pytest.raises(DigestError) as err:
        fetch_day(DAY, config(hub), sleep=sleeps.append)
    assert "ignore the 'p' page parameter" in one_line_error(err)
    assert hub.pages_requested() == [0, 1]


def test_an_empty_day_gives_an_empty_array(hub, sleeps):
    assert fetch_day(dt.date(2026, 6, 13), config(hub), sleep=sleeps.append) == b"[]\n"
    assert hub.pages_requested() == [0]


def test_the_bytes_are_stable_utf8_with_sorted_keys_one_space_indent_and_a_final_newline(hub):
    first = fetch_day(DAY, config(hub), sleep=lambda s: None)
    second = fetch_day(DAY, config(hub, page_size=7), sleep=lambda s: None)
    assert first == second
    expected = json.dumps(ITEMS, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    assert first == expected.encode("utf-8")


# --- headers ------------------------------------------------------------------------


def test_every_request_names_digest_as_its_user_agent_and_asks_for_json(hub):
    fetch_day(DAY, config(hub), sleep=lambda s: None)
    agent = FetchConfig(endpoint="x").user_agent
    assert agent.startswith("digest/")
    for request in hub.requests:
        assert request.headers["User-Agent"] == agent
        assert request.headers["Accept"] == "application/json"


def test_the_user_agent_carries_the_installed_version_or_0(monkeypatch):
    monkeypatch.setattr(fetch.importlib.metadata, "version", lambda name: "1.2.3")
    assert fetch.default_user_agent().startswith("digest/1.2.3")

    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(fetch.importlib.metadata, "version", missing)
    assert fetch.default_user_agent().split(" ")[0] == "digest/0"


# --- retries ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503])
def test_a_5xx_is_retried_after_the_first_backoff(hub, sleeps, status):
    hub.cue(1, ("status", status, {}, b"busy"))
    data = fetch_day(DAY, config(hub, backoff=0.5), sleep=sleeps.append)
    assert json.loads(data) == ITEMS
    assert hub.pages_requested() == [0, 1, 1]
    assert sleeps == [0.5]


@pytest.mark.parametrize("retry_after, waited", [("7", 7.0), ("3600", 60.0), (None, 1.0)])
def test_a_429_waits_as_retry_after_says_capped_or_else_backs_off(hub, sleeps, retry_after, waited):
    headers = {"Retry-After": retry_after} if retry_after else {}
    hub.cue(0, ("status", 429, headers, b'{"error":"slow down"}'))
    data = fetch_day(DAY, config(hub), sleep=sleeps.append)
    assert json.loads(data) == ITEMS
    assert hub.pages_requested() == [0, 0, 1]
    assert sleeps == [waited]


@pytest.mark.parametrize("ahead, shortest, longest", [(30, 28, 30), (7200, 60, 60), (-600, 0, 0)])
def test_a_retry_after_http_date_is_honoured_up_to_a_minute(hub, sleeps, ahead, shortest, longest):
    when = email.utils.formatdate(time.time() + ahead, usegmt=True)  # "Fri, 12 Jun 2026 ... GMT"
    hub.cue(0, ("status", 429, {"Retry-After": when}, b'{"error":"slow down"}'))
    data = fetch_day(DAY, config(hub), sleep=sleeps.append)
    assert json.loads(data) == ITEMS
    assert hub.pages_requested() == [0, 0, 1]
    [waited] = sleeps
    assert shortest <= waited <= longest


def test_a_retry_after_that_is_neither_seconds_nor_a_date_falls_back_to_the_backoff(hub, sleeps):
    hub.cue(0, ("status", 429, {"Retry-After": "soon"}, b""))
    fetch_day(DAY, config(hub, backoff=0.25), sleep=sleeps.append)
    assert sleeps == [0.25]


def test_a_503_with_retry_after_waits_as_it_says(hub, sleeps):
    hub.cue(0, ("status", 503, {"Retry-After": "3"}, b"maintenance"))
    fetch_day(DAY, config(hub), sleep=sleeps.append)
    assert sleeps == [3]


def test_a_dropped_connection_is_retried(hub, sleeps):
    hub.cue(0, ("drop",))
    data = fetch_day(DAY, config(hub), sleep=sleeps.append)
    assert json.loads(data) == ITEMS
    assert hub.pages_requested() == [0, 0, 1]
    assert sleeps == [1.0]


def test_timeouts_are_retried_then_reported(hub, sleeps):
    hub.cue(0, ("hang",), ("hang",))
    with pytest.raises(DigestError) as err:
        fetch_day(DAY, config(hub, timeout=0.2, retries=1), sleep=sleeps.append)
    text = one_line_error(err)
    assert "cannot reach the Hugging Face Hub (no answer within 0.2 s) after 2 attempts" in text
    assert hub.pages_requested() == [0, 0]
    assert sleeps == [1.0]


def test_backoff_doubles_and_exhausted_retries_raise_naming_the_status(hub, sleeps):
    hub.cue(0, *[("status", 503, {}, b"down")] * 5)
    with pytest.raises(DigestError) as err:
        fetch_day(DAY, config(hub), sleep=sleeps.append)
    url = f"{hub.endpoint}/api/daily_papers?date=2026-06-12&limit=20&p=0"
    assert one_line_error(err) == (
        f"{url}: the Hugging Face Hub kept failing (HTTP 503 Service Unavailable) "
        "after 5 attempts; it may be down, try again later"
    )
    assert sleeps == [1.0, 2.0, 4.0, 8.0]
    assert hub.pages_requested() == [0] * 5


def test_rate_limiting_that_never_ends_says_to_wait(hub, sleeps):
    hub.cue(0, *[("status", 429, {"Retry-After": "2"}, b"")] * 2)
    with pytest.raises(DigestError) as err:
        fetch_day(DAY, config(hub, retries=1), sleep=sleeps.append)
    assert "still rate-limiting requests (HTTP 429 Too Many Requests) after 2 attempts" in (
        one_line_error(err)
    )
    assert sleeps == [2.0]


@pytest.mark.parametrize("status", [400, 403, 404])
def test_other_4xx_fail_at_once_without_retrying(hub, sleeps, status):
    hub.cue(0, ("status", status, {}, b'{"error":"no"}'))
    with pytest.raises(DigestError) as err:
        fetch_day(DAY, config(hub), sleep=sleeps.append)
    assert f"the Hugging Face Hub answered HTTP {status} " in one_line_error(err)
    assert hub.pages_requested() == [0]
    assert sleeps == []


# --- what comes back ----------------------------------------------------------------


@pytest.mark.parametrize(
    "body, says",
    [
        (b'{"error":"Invalid date"}', "expected a JSON array of papers but the Hub sent an object saying 'Invalid date'"),
        (b'"hello"', "expected a JSON array of papers but the Hub sent a string"),
        (b"<!DOCTYPE html><html>", "the Hub's answer is not JSON (error at line 1 column 1; it starts with '<!DOCTYPE html><html>')"),
        (b"", "the Hub's answer is not JSON (error at line 1 column 1; it starts with 'nothing')"),
    ],
)
def test_an_answer_that_is_not_a_json_array_says_what_came_back(hub, sleeps, body, says):
    hub.cue(0, ("status", 200, {}, body))
    with pytest.raises(DigestError) as err:
        fetch_day(DAY, config(hub), sleep=sleeps.append)
    assert says in one_line_error(err)
    assert err.value.problems[0].path.startswith(f"{hub.endpoint}/api/daily_papers?")
    assert sleeps == []


# --- offline ------------------------------------------------------------------------


def test_offline_is_one_line_naming_the_url(sleeps, monkeypatch):
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}"
    with pytest.raises(DigestError) as err:
        fetch_day(DAY, FetchConfig(endpoint=endpoint, retries=2), sleep=sleeps.append)
    url = f"{endpoint}/api/daily_papers?date=2026-06-12&limit=100&p=0"
    assert one_line_error(err) == (
        f"{url}: cannot reach the Hugging Face Hub (connection refused) after 3 attempts; "
        "check your network or set HF_ENDPOINT"
    )
    assert (err.value.problems[0].path, err.value.problems[0].line) == (url, None)
    assert sleeps == [1.0, 2.0]


# --- the result of a run -----------------------------------------------------------


def test_fetch_saves_the_days_with_papers_and_decides_the_exit_status(hub, sleeps, tmp_path):
    root = make_project(tmp_path / "d")
    text = (root / "pyproject.toml").read_text("utf-8")
    (root / "pyproject.toml").write_text(text.replace('sources = "sources"', 'sources = "in"'))
    project = Project.load(root)
    wanted = [DAY, dt.date(2026, 6, 13), dt.date(2026, 6, 15)]  # Friday, Saturday, Monday
    result = fetch.fetch(project, wanted, config(hub), sleep=sleeps.append)
    assert [(d.day, d.papers, d.weekend, d.written, d.missing) for d in result.days] == [
        (DAY, 30, False, True, False),
        (dt.date(2026, 6, 13), 0, True, False, False),
        (dt.date(2026, 6, 15), 0, False, False, True),
    ]
    assert [d.message for d in result.days] == [
        "fetch: 2026-06-12 (Friday): 30 papers, written to in/2026-06-12-hf-daily.json",
        "fetch: 2026-06-13 (Saturday): no papers listed; nothing written",
        "fetch: 2026-06-15 (Monday): no papers listed on a weekday; nothing written (the Hub "
        "may not have published the day yet; fetch it again later)",
    ]
    assert (result.listed, result.status) == (True, 3)
    assert [p.name for p in (root / "in").iterdir()] == ["2026-06-12-hf-daily.json"]

    again = fetch.fetch(project, [DAY], config(hub), sleep=sleeps.append)
    assert [d.message for d in again.days] == [
        "fetch: 2026-06-12 (Friday): 30 papers, unchanged in in/2026-06-12-hf-daily.json"]
    assert (again.listed, again.status) == (True, 0)
    weekend = fetch.fetch(project, [dt.date(2026, 6, 14)], config(hub), sleep=sleeps.append)
    assert (weekend.listed, weekend.status) == (False, 0)


# --- HF_ENDPOINT, names and days ----------------------------------------------------


@pytest.mark.parametrize(
    "environ, endpoint",
    [
        ({}, "https://huggingface.co"),
        ({"HF_ENDPOINT": ""}, "https://huggingface.co"),
        ({"HF_ENDPOINT": "https://hf-mirror.com/"}, "https://hf-mirror.com"),
        ({"HF_ENDPOINT": " http://hub.local:8080// "}, "http://hub.local:8080"),
    ],
)
def test_endpoint_from_env(environ, endpoint):
    assert endpoint_from_env(environ) == endpoint


@pytest.mark.parametrize("value", ["hf-mirror.com", "http://[::1"])
def test_an_hf_endpoint_that_is_no_web_address_is_refused_with_a_remedy(value):
    with pytest.raises(DigestError) as err:
        endpoint_from_env({"HF_ENDPOINT": value})
    assert one_line_error(err).startswith(f"HF_ENDPOINT: {value!r} is not an http(s) address;")


def test_hf_endpoint_is_where_the_requests_go(hub):
    endpoint = endpoint_from_env({"HF_ENDPOINT": hub.endpoint + "/"})
    data = fetch_day(DAY, FetchConfig(endpoint=endpoint, page_size=20), sleep=lambda s: None)
    assert json.loads(data) == ITEMS
    assert [r.path for r in hub.requests] == ["/api/daily_papers"] * 2


@pytest.mark.parametrize("settings", [{"page_size": 0}, {"page_size": 101}, {"retries": -1}, {"timeout": 0}])
def test_impossible_settings_are_refused(settings):
    with pytest.raises(DigestError):
        FetchConfig(endpoint="https://huggingface.co", **settings)


def test_source_name():
    assert source_name(DAY) == "2026-06-12-hf-daily.json"


def test_days_includes_both_ends_across_a_month_boundary():
    assert days(dt.date(2026, 6, 29), dt.date(2026, 7, 2)) == [
        dt.date(2026, 6, 29), dt.date(2026, 6, 30), dt.date(2026, 7, 1), dt.date(2026, 7, 2),
    ]
    assert days(DAY, DAY) == [DAY]


def test_days_refuses_a_reversed_range():
    with pytest.raises(DigestError) as err:
        days(dt.date(2026, 6, 13), DAY)
    assert one_line_error(err) == "2026-06-13..2026-06-12: the first day comes after the last; swap them"
