"""`digest fetch` end to end: the real CLI against a Hub served on 127.0.0.1 by the test."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import JsonHandler, local_server, make_project, run_digest
from generator import cli, fetch

SAMPLE = Path(__file__).parent / "fixtures" / "sotawhat_hf_daily_papers_2026-06-12.json"
ITEMS = json.loads(SAMPLE.read_bytes())
FRIDAY, SATURDAY, MONDAY = "2026-06-12", "2026-06-13", "2026-06-15"
PROXIES = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")
# Fast retries, and pages of 20 so the 30 sample papers take two pages.
FAST = ("--backoff", "0.01", "--timeout", "5", "--page-size", "20")


@dataclass
class Hub:
    """The Hub's daily_papers API for FRIDAY, with failures cued per page."""

    endpoint: str = ""
    days: dict[str, list] = field(default_factory=lambda: {FRIDAY: ITEMS})
    requests: list[dict] = field(default_factory=list)
    failures: dict[int, list[int]] = field(default_factory=dict)  # page -> statuses to send first

    def pages(self) -> list[tuple[str, int]]:
        return [(r["date"], int(r["p"])) for r in self.requests]


def _handler(hub: Hub) -> type[JsonHandler]:
    class Handler(JsonHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server spelling
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            hub.requests.append({**query, "path": url.path, "agent": self.headers["User-Agent"]})
            page, limit = int(query["p"]), int(query["limit"])
            if hub.failures.get(page):
                self._send(hub.failures[page].pop(0), b'{"error":"busy"}')
                return
            items = hub.days.get(query["date"], [])
            self._send(200, json.dumps(items[page * limit:(page + 1) * limit]).encode())

    return Handler


@pytest.fixture
def hub():
    state = Hub()
    with local_server(_handler(state)) as state.endpoint:
        yield state


def env_for(endpoint: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXIES}
    env["HF_ENDPOINT"] = endpoint
    return env


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "digest")


def test_fetch_pages_retries_writes_the_source_and_generates(hub, project):
    hub.failures[1] = [503]
    result = run_digest(project, "fetch", "--date", FRIDAY, *FAST, env=env_for(hub.endpoint))
    assert result.returncode == 0, result.stderr
    assert hub.pages() == [(FRIDAY, 0), (FRIDAY, 1), (FRIDAY, 1)]
    assert {r["path"] for r in hub.requests} == {"/api/daily_papers"}
    assert all(r["agent"].startswith("digest/") for r in hub.requests)
    saved = project / "sources" / "2026-06-12-hf-daily.json"
    assert json.loads(saved.read_bytes()) == ITEMS
    assert [p.name for p in (project / "sources").iterdir()] == [saved.name]
    assert result.stdout.splitlines()[0] == (
        "fetch: 2026-06-12 (Friday): 30 papers, written to sources/2026-06-12-hf-daily.json")
    assert "generate: 30 listings read from 1 file, 30 distinct papers" in result.stdout
    assert len(list((project / "content" / "papers").glob("*.md"))) == 30

    again = run_digest(project, "fetch", "--date", FRIDAY, *FAST, env=env_for(hub.endpoint))
    assert again.returncode == 0, again.stderr
    assert "30 papers, unchanged in sources/2026-06-12-hf-daily.json" in again.stdout
    assert run_digest(project, "check").returncode == 0


def test_a_weekend_day_with_no_papers_is_reported_and_writes_nothing(hub, project):
    result = run_digest(project, "fetch", "--date", SATURDAY, *FAST, env=env_for(hub.endpoint))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "fetch: 2026-06-13 (Saturday): no papers listed; nothing written\n"
    assert result.stderr == ""
    assert list((project / "sources").iterdir()) == []


def test_a_weekday_with_no_papers_exits_3_so_the_daily_job_fails_visibly(hub, project):
    result = run_digest(project, "fetch", "--date", MONDAY, *FAST, env=env_for(hub.endpoint))
    assert result.returncode == fetch.EMPTY_WEEKDAY == 3
    assert result.stderr.startswith(
        "fetch: 2026-06-15 (Monday): no papers listed on a weekday; nothing written")
    assert list((project / "sources").iterdir()) == []


@pytest.mark.parametrize("asked, weekday", [(SATURDAY, "Saturday"), (MONDAY, "Monday")])
def test_an_answer_with_another_days_papers_is_not_saved_as_the_day_asked(
        hub, project, asked, weekday):
    hub.days[asked] = ITEMS  # each item says it was listed on FRIDAY
    result = run_digest(project, "fetch", "--date", asked, *FAST, env=env_for(hub.endpoint))
    message = (f"fetch: {asked} ({weekday}): the Hub answered with papers listed on {FRIDAY},"
               f" none on {asked}; nothing written")
    if weekday == "Saturday":
        assert result.returncode == 0 and result.stdout == message + "\n"
    else:  # a weekday with nothing of its own fails the daily job, as an empty one does
        assert result.returncode == fetch.EMPTY_WEEKDAY
        assert result.stderr.startswith(message + " (the Hub may not have published")
    assert list((project / "sources").iterdir()) == []


def test_offline_is_one_clear_line_and_exit_1(project):
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{sock.getsockname()[1]}"
    result = run_digest(project, "fetch", "--date", FRIDAY, "--retries", "1", "--backoff", "0",
                        env=env_for(endpoint))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"{endpoint}/api/daily_papers?date=2026-06-12&limit=100&p=0: cannot reach the "
        "Hugging Face Hub (connection refused) after 2 attempts; check your network or set "
        "HF_ENDPOINT\n")
    assert list((project / "sources").iterdir()) == []


def test_exhausted_retries_are_one_line_and_write_nothing(hub, project):
    hub.failures[1] = [503, 503, 503]
    result = run_digest(project, "fetch", "--date", FRIDAY, "--retries", "2", *FAST,
                        env=env_for(hub.endpoint))
    assert result.returncode == 1
    assert re.fullmatch(r".*p=1: the Hugging Face Hub kept failing \(HTTP 503 Service "
                        r"Unavailable\) after 3 attempts; it may be down, try again later\n",
                        result.stderr)
    assert hub.pages() == [(FRIDAY, 0), (FRIDAY, 1), (FRIDAY, 1), (FRIDAY, 1)]
    assert list((project / "sources").iterdir()) == []


def test_items_the_reader_refuses_are_reported_and_nothing_is_saved(hub, project):
    broken = json.loads(json.dumps(ITEMS[:2]))
    del broken[1]["paper"]["title"]
    hub.days[FRIDAY] = broken
    result = run_digest(project, "fetch", "--date", FRIDAY, *FAST, env=env_for(hub.endpoint))
    assert result.returncode == 1
    # The day's address, not the file it would have been saved as (issue 13, case 15).
    assert result.stderr.startswith(f"{hub.endpoint}/api/daily_papers?date={FRIDAY}: ")
    assert "item 2: paper has no 'title'" in result.stderr
    assert list((project / "sources").iterdir()) == []


def test_date_and_since_together_are_a_usage_error(project):
    result = run_digest(project, "fetch", "--date", FRIDAY, "--since", FRIDAY)
    assert result.returncode == 2
    assert "use --date or --since, not both" in result.stderr


# In-process from here on, so the one clock read (cli._today_utc) can be pinned.


@pytest.fixture
def local_hub(hub, monkeypatch):
    for name in PROXIES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
    return hub


def test_the_default_day_is_today_in_utc(local_hub, project, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_today_utc", lambda: dt.date(2026, 6, 12))
    assert cli.main(["--root", str(project), "fetch", *FAST]) == 0
    assert {r["date"] for r in local_hub.requests} == {FRIDAY}
    assert (project / "sources" / "2026-06-12-hf-daily.json").exists()


def test_since_fetches_every_day_up_to_today(local_hub, project, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_today_utc", lambda: dt.date(2026, 6, 14))
    assert cli.main(["--root", str(project), "fetch", "--since", "2026-06-11", *FAST]) == 3
    assert [d for d, p in local_hub.pages() if p == 0] == [
        "2026-06-11", FRIDAY, SATURDAY, "2026-06-14"]
    out, err = capsys.readouterr()
    assert [p.name for p in (project / "sources").iterdir()] == ["2026-06-12-hf-daily.json"]
    assert "fetch: 2026-06-13 (Saturday): no papers listed; nothing written" in out
    assert "fetch: 2026-06-14 (Sunday): no papers listed; nothing written" in out
    assert "fetch: 2026-06-11 (Thursday): no papers listed on a weekday" in err


def test_since_after_today_is_a_usage_error(project, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_today_utc", lambda: dt.date(2026, 6, 14))
    assert cli.main(["--root", str(project), "fetch", "--since", "2026-06-15"]) == 2
    assert "--since 2026-06-15 is after today (2026-06-14, UTC)" in capsys.readouterr().err


def test_only_the_cli_reads_the_clock():
    package = Path(cli.__file__).parent
    clock = re.compile(r"\.now\(|\.today\(|utcnow|time\.time\(|localtime|gmtime")
    readers = {f"{path.relative_to(package)}:{n}"
               for path in package.rglob("*.py")
               for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
               if clock.search(line.split("#")[0])}
    assert len(readers) == 1 and next(iter(readers)).startswith("cli.py:")
