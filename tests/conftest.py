"""Shared fixtures: scratch digests built in tmp_path from the real template files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE_FILES = ("mkdocs.yml", "topics.yml", "pyproject.toml")


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


def run_digest(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real console script the way a user does."""
    return subprocess.run([sys.executable, "-m", "generator", "--root", str(root), *args],
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
