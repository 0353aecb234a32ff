"""Determinism: the same sources give byte-identical content/ whatever the machine says.

File order, file times, time zone, locale and hash seed must not reach the output, and
nothing in the library reads the clock.
"""

from __future__ import annotations

import ast
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import GOLDEN_FILES, ROOT, make_project, python, run_digest, tree

SAMPLES = sorted((ROOT / "sources").iterdir())


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory) -> dict[str, bytes]:
    root = make_project(tmp_path_factory.mktemp("plain") / "digest", bundled=True)
    result = run_digest(root, "generate")
    assert result.returncode == 0, result.stderr
    return tree(root / "content")


def shuffled_project(path: Path, seed: int) -> Path:
    """The samples created in a random order with random modification times."""
    rng = random.Random(seed)
    root = make_project(path)
    order = SAMPLES[:]
    rng.shuffle(order)
    for source in order:
        target = root / "sources" / source.name
        shutil.copy(source, target)
        stamp = rng.randrange(0, 2**31)
        os.utime(target, ns=(stamp * 10**9, stamp * 10**9))
    return root


HOSTILE_ENVIRONMENTS = {
    "far-east time zone, C locale": {"TZ": "Pacific/Kiritimati", "LC_ALL": "C",
                                     "LANG": "tr_TR.UTF-8", "PYTHONHASHSEED": "1"},
    "far-west time zone, Turkish locale": {"TZ": "Pacific/Pago_Pago", "LANG": "tr_TR.UTF-8",
                                           "LC_ALL": "", "PYTHONHASHSEED": "2"},
}


# What each environment must really give a Python process: a missing locale falls back to C,
# and a missing time zone to UTC, without a word; then the test below would prove nothing.
REALISED = {"far-east time zone, C locale": "+1400 C",
            "far-west time zone, Turkish locale": "-1100 tr_TR.UTF-8"}


@pytest.mark.parametrize("name", list(HOSTILE_ENVIRONMENTS))
def test_the_hostile_environments_are_real(name):
    probe = "import locale, time; print(time.strftime('%z'), locale.setlocale(locale.LC_ALL, ''))"
    result = subprocess.run(python("-c", probe), env={**os.environ, **HOSTILE_ENVIRONMENTS[name]},
                            capture_output=True, text=True)
    assert result.stdout.strip() == REALISED[name], result.stderr + \
        " (scripts/test installs the tr_TR.UTF-8 locale)"


@pytest.mark.parametrize("seed, changes", list(enumerate(HOSTILE_ENVIRONMENTS.values())),
                         ids=list(HOSTILE_ENVIRONMENTS))
def test_order_times_zone_locale_and_hash_seed_do_not_change_content(
        tmp_path, plain_run, seed, changes):
    root = shuffled_project(tmp_path / "digest", seed)
    result = run_digest(root, "generate", env={**os.environ, **changes})
    assert result.returncode == 0, result.stderr
    assert tree(root / "content") == plain_run


def test_a_second_run_in_another_environment_writes_nothing(tmp_path, plain_run):
    root = shuffled_project(tmp_path / "digest", 7)
    assert run_digest(root, "generate").returncode == 0
    before = {p: p.stat().st_mtime_ns for p in (root / "content").rglob("*")}
    result = run_digest(root, "generate", env={**os.environ, **HOSTILE_ENVIRONMENTS[
        "far-east time zone, C locale"]})
    assert result.returncode == 0, result.stderr
    assert f", 0 files written, {GOLDEN_FILES} unchanged" in result.stdout
    assert {p: p.stat().st_mtime_ns for p in (root / "content").rglob("*")} == before


# Calls that read the clock. The CLI's 'fetch' may, to pick its default day; nothing else.
CLOCK = {("date", "today"), ("datetime", "today"), ("datetime", "now"), ("datetime", "utcnow"),
         ("time", "time"), ("time", "time_ns"), ("time", "localtime"), ("time", "gmtime"),
         ("time", "ctime"), ("time", "strftime"), ("dt", "today")}
ALLOWED = {("cli.py", "_today_utc")}


def clock_reads(path: Path, allowed=ALLOWED) -> list[tuple[str, str, int]]:
    """(file, function, line) of every clock read outside the allowed functions."""
    found = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if (owner_name, node.func.attr) in CLOCK and (path.name, function) not in allowed:
                found.append((path.name, function, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(path.read_text("utf-8")), "<module>")
    return found


def test_nothing_reads_the_clock_but_the_fetch_default_day():
    files = sorted((ROOT / "generator").rglob("*.py"))
    assert len(files) > 10
    assert [hit for path in files for hit in clock_reads(path)] == []
    # The scan does see a clock read where there is one.
    assert [f for f, n, _ in clock_reads(ROOT / "generator/cli.py", allowed=set())] == ["cli.py"]
