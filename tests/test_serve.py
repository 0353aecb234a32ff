"""digest serve: a live preview that regenerates when a source is added."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request

from conftest import ABSTRACT, listing, make_project, python


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except (urllib.error.URLError, OSError):
        return None


def _wait(predicate, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_serve_previews_and_regenerates_on_a_new_source(tmp_path):
    root = make_project(tmp_path / "d", {"2025-03-11-a.txt": listing(
        "Mar 11", ("Spiking networks on the edge", ABSTRACT))})
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        python("-m", "generator", "--root", str(root), "serve",
               "--dev-addr", f"127.0.0.1:{port}"), stdout=log, stderr=subprocess.STDOUT)
    try:
        # mkdocs serve mounts the site under site_url's path (/digest/ here).
        base = f"http://127.0.0.1:{port}/digest/"
        assert _wait(lambda: _get(base) == 200), "the preview never came up"
        (root / "sources" / "2025-03-12-b.txt").write_text(listing(
            "Mar 12", ("A second spiking paper", ABSTRACT)))
        assert _wait(lambda: (root / "content/dates/2025-03-12.md").exists()), \
            "adding a source did not regenerate content/"
        assert _wait(lambda: _get(base + "dates/2025-03-12/") == 200), \
            "the preview did not rebuild with the new day"
        log.flush()
        # The address it prints is the one that works.
        assert f"serve: previewing at {base} (Ctrl-C stops)" in (tmp_path / "serve.log").read_text()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
