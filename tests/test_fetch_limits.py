"""fetch's limits and messages after a partial success (issue 13, case 15)."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from conftest import local_server, make_project, run_digest
from generator.errors import DigestError
from generator.fetch import FetchConfig, fetch_day, fetch_days

SAMPLE = Path(__file__).parent / "fixtures" / "sotawhat_hf_daily_papers_2026-06-12.json"
ITEMS = json.loads(SAMPLE.read_bytes())
DAY = dt.date(2026, 6, 12)
FRIDAY = DAY.isoformat()
PROXIES = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")


class Server:
    """Answers every request as ``mode`` says: 'drip', 'big', 'big-declared' or a JSON body."""

    def __init__(self, mode: str | bytes) -> None:
        self.mode = mode
        self.stop = threading.Event()
        self.endpoint = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server spelling
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if server.mode == "drip":
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    # A byte every 50 ms: each read is quick, the whole never ends in time.
                    # Bounded: 400 bytes at most (20 s), and stops when the test ends.
                    for _ in range(400):
                        if server.stop.wait(0.05):
                            return
                        try:
                            self.wfile.write(b" ")
                            self.wfile.flush()
                        except OSError:
                            return
                elif server.mode == "big-declared":
                    self.send_header("Content-Length", str(10 ** 9))
                    self.end_headers()
                    self.wfile.write(b"[")
                elif server.mode == "big":  # no length: the size shows only while reading
                    self.end_headers()
                    try:
                        for _ in range(100):  # 100 kB at most
                            self.wfile.write(b" " * 1024)
                    except OSError:
                        return
                else:
                    body = server.mode
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch):
    for name in PROXIES:
        monkeypatch.delenv(name, raising=False)
    servers = []

    def start(mode):
        server = Server(mode)
        context = local_server(server.handler())
        server.endpoint = context.__enter__()
        servers.append((server, context))
        return server

    yield start
    for server, context in servers:
        server.stop.set()
        context.__exit__(None, None, None)


def url(server: Server) -> str:
    return f"{server.endpoint}/api/daily_papers?date={FRIDAY}&limit=100&p=0"


def test_a_server_that_drips_stops_at_the_deadline(serve):
    server = serve("drip")
    config = FetchConfig(endpoint=server.endpoint, timeout=5, deadline=1, retries=0)
    with pytest.raises(DigestError) as err:
        fetch_day(DAY, config)
    assert str(err.value) == (
        f"{url(server)}: the answer took longer than the 1 s deadline; stopped reading it. "
        "The Hub may be overloaded: try again later, or raise --deadline")


@pytest.mark.parametrize("mode", ["big", "big-declared"])
def test_an_answer_larger_than_the_cap_is_refused(serve, mode):
    server = serve(mode)
    config = FetchConfig(endpoint=server.endpoint, timeout=5, retries=0, max_bytes=10_000)
    with pytest.raises(DigestError) as err:
        fetch_day(DAY, config)
    assert str(err.value) == (
        f"{url(server)}: the answer is larger than 10,000 bytes, far more than a day's papers; "
        "stopped reading it. Check HF_ENDPOINT points at a Hugging Face Hub")


def env_for(endpoint: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXIES}
    env["HF_ENDPOINT"] = endpoint
    return env


def test_the_cli_takes_the_deadline_and_the_cap(serve, tmp_path):
    project = make_project(tmp_path / "digest")
    drip = serve("drip")
    result = run_digest(project, "fetch", "--date", FRIDAY, "--retries", "0", "--deadline", "2",
                        env=env_for(drip.endpoint))
    assert result.returncode == 1
    assert "the answer took longer than the 2 s deadline" in result.stderr
    big = serve("big")
    result = run_digest(project, "fetch", "--date", FRIDAY, "--retries", "0",
                        "--max-bytes", "5000", env=env_for(big.endpoint))
    assert result.returncode == 1
    assert "the answer is larger than 5,000 bytes" in result.stderr
    assert list((project / "sources").iterdir()) == []


def test_a_failed_generate_after_the_save_says_the_source_was_saved(serve, tmp_path):
    project = make_project(tmp_path / "digest")
    papers = project / "content" / "papers"
    papers.mkdir(parents=True, exist_ok=True)
    (papers / "broken.md").write_text("not a page\n", "utf-8")  # generate refuses this
    hub = serve(json.dumps(ITEMS[:3]).encode())
    result = run_digest(project, "fetch", "--date", FRIDAY, env=env_for(hub.endpoint))
    assert result.returncode == 1
    assert (project / "sources" / "2026-06-12-hf-daily.json").exists()
    assert "nothing was written" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "digest: 1 problem found while generating; the fetched papers are saved in "
        "sources/2026-06-12-hf-daily.json, but content/ is not up to date; fix the problems "
        "above, then run 'digest generate'")


def test_a_badly_typed_item_names_the_days_address_not_an_unwritten_file(serve, tmp_path):
    broken = json.loads(json.dumps(ITEMS[:2]))
    broken[1]["paper"]["title"] = 42
    hub = serve(json.dumps(broken).encode())
    with pytest.raises(DigestError) as err:
        fetch_days([DAY], FetchConfig(endpoint=hub.endpoint, timeout=5, retries=0))
    problems = err.value.problems
    assert problems and all(p.path == f"{hub.endpoint}/api/daily_papers?date={FRIDAY}"
                            and p.line is None and p.message.endswith(
                                "; the Hub sent an item the digest cannot read, so no day was "
                                "saved; try again later, and report it if it persists")
                            for p in problems)
    assert problems[0].message.startswith("item 2: paper.title is")
    assert "hf-daily.json" not in str(err.value)
