"""Shared fixtures: scratch digests built in tmp_path from the real template files."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import frontmatter
import pytest
import yaml
from hypothesis import settings as hypothesis_settings

# CI explores the same examples on every run, so a red build is never a roll of the dice;
# runs elsewhere keep drawing new ones (and print how to replay a failure).
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE_FILES = ("mkdocs.yml", "topics.yml", "pyproject.toml")

# What the bundled digest makes, counted in its golden copy (tests/golden/content), so a
# new sample or template output changes the expected numbers in one place: that copy.
GOLDEN = Path(__file__).parent / "golden" / "content"
GOLDEN_PAPERS = {p.stem: frontmatter.load(p) for p in sorted((GOLDEN / "papers").glob("*.md"))}
GOLDEN_FILES = sum(1 for p in GOLDEN.rglob("*") if p.is_file())
GOLDEN_TOPICS = sum(1 for p in (GOLDEN / "topics").glob("*.md") if p.name != "index.md")
# A listing is one paper in one source file; a page records every file that listed it.
GOLDEN_LISTINGS = sum(len(post["sources"]) for post in GOLDEN_PAPERS.values())


def make_project(path: Path, sources: dict[str, str | bytes] | None = None,
                 *, bundled: bool = False, files: dict[str, str] | None = None) -> Path:
    """A digest folder with the repo's config and overrides, and the given sources."""
    path.mkdir(parents=True, exist_ok=True)
    for name in TEMPLATE_FILES:
        shutil.copy(ROOT / name, path / name)
    shutil.copytree(ROOT / "overrides", path / "overrides")
    (path / "sources").mkdir()
    if bundled:
        for src in (ROOT / "sources").iterdir():
            shutil.copy(src, path / "sources" / src.name)
    for name, data in (sources or {}).items():
        target = path / "sources" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode() if isinstance(data, str) else data)
    for name, text in (files or {}).items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text, encoding="utf-8")
    return path


def python(*args: str) -> list[str]:
    """A command line for this Python that imports the installed package, not the checkout.

    ``-m`` and ``-c`` would put the working folder (often the checkout) first on sys.path;
    ``-P`` leaves it off, so a subprocess tests what ``pip install`` installed.
    """
    return [sys.executable, "-P", *args]


def run_digest(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real console script the way a user does."""
    return subprocess.run(python("-m", "generator", "--root", str(root), *args),
                          capture_output=True, text=True, env=env)


def tree(root: Path) -> dict[str, bytes]:
    """Every file below root, by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def page(title: str, abstract: str) -> str:
    return f"{title}\n\n{abstract}\n\n"


def listing(date_line: str, *papers: tuple[str, str], header: str = "") -> str:
    """A page copy in the plain layout."""
    head = header or ("new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
                      "Daily Papers\n\nbyAK and the research community\n\n")
    return head + f"{date_line}\n\n" + "".join(page(t, a) for t, a in papers)


ABSTRACT = ("We study how spiking neural networks learn sparse codes from natural images. "
            "Our method trains networks of leaky neurons with local rules and reaches "
            "competitive accuracy while using far less energy than conventional networks "
            "of comparable size on standard benchmarks.")


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    """A scratch copy of the digest with the bundled sources and nothing generated."""
    return make_project(tmp_path / "digest", bundled=True)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The bundled digest, generated and built once with the real mkdocs build."""
    root = make_project(tmp_path_factory.mktemp("site") / "digest", bundled=True)
    result = run_digest(root, "build")
    assert result.returncode == 0, result.stderr + result.stdout
    return root


# --- a real browser on a built site ---------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def search_records(site: Path, part: str = "*") -> list[dict]:
    """What Pagefind indexed, in every part or one: a record (url, content, meta, filters) a page.

    A fragment file is gzip'd "pagefind_dcd" followed by the page's record as JSON.
    """
    records = []
    for fragment in sorted(site.glob(f"pagefind/{part}/fragment/*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes())
        assert data.startswith(b"pagefind_dcd"), fragment
        records.append(json.loads(data[len(b"pagefind_dcd"):]))
    return records


class _QuietHandler(SimpleHTTPRequestHandler):
    site_url = ""  # set on a subclass: the address the site was built for

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):
        # Material's instant navigation only takes over links listed in sitemap.xml,
        # matched by path and port, so it works where the site is deployed (site_url)
        # but not at another address. Serving sitemap.xml with this server's address
        # makes the local copy behave like the deployed site; nothing else is changed.
        if not self.site_url or self.path.split("?")[0] != "/sitemap.xml":
            return super().send_head()
        here = f"http://127.0.0.1:{self.server.server_address[1]}/"
        body = (Path(self.directory) / "sitemap.xml").read_bytes().replace(
            self.site_url.encode(), here.encode())
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class JsonHandler(BaseHTTPRequestHandler):
    """A quiet handler for fake JSON APIs: subclasses answer with ``_send``."""

    def _send(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def local_server(handler) -> Iterator[str]:
    """Run an HTTP handler on 127.0.0.1 (a free port) while the block runs; its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # A short poll, so that shutdown() returns at once instead of after half a second.
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def static_server(directory: Path, site_url: str = "") -> Iterator[str]:
    """Serve a folder on 127.0.0.1 for as long as the block runs; its URL.

    With ``site_url``, the folder is served as if deployed there (see _QuietHandler).
    """
    handler = type("Handler", (_QuietHandler,), {"site_url": site_url})
    with local_server(partial(handler, directory=str(directory))) as url:
        yield url + "/"


@pytest.fixture(scope="session")
def served(built_site) -> Iterator[str]:
    """The URL of the bundled digest's built site/, served locally."""
    site_url = yaml.safe_load((built_site / "mkdocs.yml").read_text("utf-8"))["site_url"]
    with static_server(built_site / "site", site_url) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, shared by every browser test."""
    from playwright import sync_api  # a test extra; CI must fail, not skip, without it

    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
