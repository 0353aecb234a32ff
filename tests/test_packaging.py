"""The tests exercise the installed package, and the installed package is complete."""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import subprocess
import sysconfig
from pathlib import Path

import generator
from conftest import ROOT, python
from generator import fetch

DISTRIBUTION = "hf-papers-digest"  # 'digest' is taken on PyPI
SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"]).resolve()
HINT = "run 'bash scripts/test', which installs the package without -e"


def is_installed_copy(path: str) -> bool:
    where = Path(path).resolve()
    return where.is_relative_to(SITE_PACKAGES) and not where.is_relative_to(ROOT / "generator")


def test_the_tests_import_the_installed_package_not_the_checkout():
    assert is_installed_copy(generator.__file__), f"{generator.__file__}: {HINT}"


def test_subprocesses_import_the_installed_package_even_from_the_checkout():
    # cwd=ROOT: a plain 'python -m generator' there would import the checkout.
    result = subprocess.run(python("-c", "import generator; print(generator.__file__)"),
                            cwd=ROOT, capture_output=True, text=True, check=True)
    assert is_installed_copy(result.stdout.strip()), f"{result.stdout.strip()}: {HINT}"


def test_the_installed_package_has_every_template_and_module():
    templates = importlib.resources.files("generator.templates")
    assert {t.name: t.read_bytes() for t in templates.iterdir() if t.name.endswith(".j2")} == {
        t.name: t.read_bytes() for t in (ROOT / "generator" / "templates").glob("*.j2")}
    installed = {f.as_posix() for f in importlib.metadata.files(DISTRIBUTION)
                 if f.suffix == ".py"}
    assert installed == {p.relative_to(ROOT).as_posix() for p in (ROOT / "generator").rglob("*.py")}


def test_the_user_agent_carries_the_installed_distributions_version():
    version = importlib.metadata.version(DISTRIBUTION)
    assert fetch.default_user_agent().split(" ")[0] == f"digest/{version}"
