"""digest init: the owner's name, address and repository replace the example's everywhere."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import cli
from generator.errors import DigestError
from generator.init import check_repo, check_url, identity, init, rewrite
from generator.project import Project

from conftest import ROOT, make_project, python, run_digest

FLAGS = ("--name", "Ada's papers: neuro", "--url", "https://ada.github.io/papers",
         "--repo", "https://github.com/ada/papers.git")
PLACEHOLDERS = ("example.github.io", "github.com/example/digest", "example/digest")


def digest(root: Path, *args: str) -> subprocess.CompletedProcess:
    """The console script with no terminal on stdin, as in CI or a pipe."""
    return subprocess.run(python("-m", "generator", "--root", str(root), *args),
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("value, expected", [
    ("https://ada.github.io/papers", "https://ada.github.io/papers/"),
    ("http://localhost:8000/", "http://localhost:8000/"),
    (" https://papers.example.org/a/b/ ", "https://papers.example.org/a/b/"),
])
def test_a_url_is_http_and_ends_in_a_slash(value, expected):
    assert check_url(value) == expected


@pytest.mark.parametrize("value", ["ada.github.io/papers", "ftp://ada.github.io/", "https://",
                                   "https://ada.github.io/?q=1", "javascript:alert(1)", ""])
def test_anything_else_is_not_a_url(value):
    with pytest.raises(DigestError, match="^--url: .* is not the site's address; give its "
                                          r"http\(s\) URL"):
        check_url(value)


@pytest.mark.parametrize("value", ["ada/papers", "https://github.com/ada/papers",
                                   "https://github.com/ada/papers.git", "github.com/ada/papers/",
                                   "http://www.github.com/ada/papers"])
def test_a_repository_is_owner_and_name_or_its_github_url(value):
    assert check_repo(value) == "ada/papers"


@pytest.mark.parametrize("value", ["ada", "ada/papers/extra", "https://gitlab.com/ada/papers",
                                   "-ada/papers", "ada/..", "ada papers/x", "/papers"])
def test_anything_else_is_not_a_repository(value):
    with pytest.raises(DigestError, match="^--repo: .* is not a GitHub repository; give it "
                                          "as owner/name or https://github.com/owner/name"):
        check_repo(value)


def test_mkdocs_yml_changes_in_four_values_and_nowhere_else(tmp_path):
    original = (ROOT / "mkdocs.yml").read_text("utf-8")
    (tmp_path / "mkdocs.yml").write_text(original, "utf-8")
    assert init(tmp_path, identity(*FLAGS[1::2]))
    new = (tmp_path / "mkdocs.yml").read_text("utf-8")
    changed = [(a, b) for a, b in zip(original.splitlines(), new.splitlines()) if a != b]
    assert changed == [
        ("site_name: Neuro-AI Reading Digest", "site_name: \"Ada's papers: neuro\""),
        ("site_url: https://example.github.io/digest/", "site_url: https://ada.github.io/papers/"),
        ("repo_url: https://github.com/example/digest", "repo_url: https://github.com/ada/papers"),
        ("repo_name: example/digest", "repo_name: ada/papers"),
    ]
    assert len(new.splitlines()) == len(original.splitlines())  # comments and all the rest
    project = Project.load(tmp_path)
    assert (project.site_name, project.site_url) == ("Ada's papers: neuro",
                                                     "https://ada.github.io/papers/")
    assert not init(tmp_path, identity(*FLAGS[1::2]))  # a second run changes nothing


def test_comments_on_the_lines_stay_and_missing_keys_join_site_name():
    text = "# mine\nsite_name: Old  # the title\nedit_uri: edit/main/content/\n"
    assert rewrite(text, identity("New", "https://a.github.io/", "a/b")) == (
        "# mine\nsite_name: New  # the title\nsite_url: https://a.github.io/\n"
        "repo_url: https://github.com/a/b\nrepo_name: a/b\nedit_uri: edit/main/content/\n")


def test_without_a_terminal_missing_flags_are_named_and_nothing_changes(bundled):
    before = (bundled / "mkdocs.yml").read_bytes()
    result = digest(bundled, "init", "--url", "https://ada.github.io/papers/")
    assert result.returncode == 2
    assert "--name and --repo not given, and there is no terminal to ask; pass them, as in: " \
           "digest init --name 'My digest' --url https://you.github.io/digest/ --repo " \
           "you/digest" in result.stderr
    assert (bundled / "mkdocs.yml").read_bytes() == before
    assert not (bundled / "content").exists()


def test_bad_values_are_all_reported_and_nothing_changes(bundled):
    before = (bundled / "mkdocs.yml").read_bytes()
    result = digest(bundled, "init", "--name", " ", "--url", "ada.github.io",
                    "--repo", "gitlab.com/ada/papers")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "--name: the site name must be one line of text, such as --name 'Neuro-AI Reading "
        "Digest'",
        "--url: 'ada.github.io' is not the site's address; give its http(s) URL, such as "
        "https://you.github.io/digest/",
        "--repo: 'gitlab.com/ada/papers' is not a GitHub repository; give it as owner/name "
        "or https://github.com/owner/name",
        "digest: 3 problems found; nothing was written"]
    assert (bundled / "mkdocs.yml").read_bytes() == before


def test_on_a_terminal_it_asks_again_until_an_answer_is_valid(bundled, monkeypatch):
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    answers = "\n" + "not a url\nhttps://ada.github.io/papers/\n" + "ada\nada/papers\n"
    result = CliRunner().invoke(cli.cli, ["--root", str(bundled), "init"], input=answers)
    assert result.exit_code == 0, result.output
    assert "Site name [Neuro-AI Reading Digest]: " in result.output  # Enter keeps it
    assert "Error: 'not a url' is not the site's address" in result.output
    assert "Error: 'ada' is not a GitHub repository" in result.output
    project = Project.load(bundled)
    assert (project.site_name, project.site_url) == ("Neuro-AI Reading Digest",
                                                     "https://ada.github.io/papers/")
    assert "repo_name: ada/papers\n" in (bundled / "mkdocs.yml").read_text("utf-8")
    assert (bundled / "content" / "index.md").exists()  # and it generated


def test_check_warns_while_the_placeholders_remain(bundled):
    assert run_digest(bundled, "generate").returncode == 0
    result = digest(bundled, "check")
    assert result.returncode == 0  # a warning, not a problem: CI on a fresh copy passes
    assert result.stderr.splitlines() == [
        "mkdocs.yml:3: warning: site_url is still the example's; run 'digest init' to set "
        "your site's name, address and repository",
        "mkdocs.yml:4: warning: repo_url is still the example's; run 'digest init' to set "
        "your site's name, address and repository"]
    assert digest(bundled, "init", *FLAGS).returncode == 0
    result = digest(bundled, "check")
    assert (result.returncode, result.stderr) == (0, "")


def test_a_fresh_copy_after_init_names_its_owner_in_every_url(tmp_path):
    root = make_project(tmp_path / "digest", bundled=True)
    result = digest(root, "init", *FLAGS)
    assert result.returncode == 0, result.stderr
    result = run_digest(root, "build")
    assert result.returncode == 0, result.stderr
    left = sorted(str(p.relative_to(root)) for folder in ("site", "content")
                  for p in (root / folder).rglob("*") if p.is_file()
                  and any(s.encode() in p.read_bytes() for s in PLACEHOLDERS))
    assert left == []
    page = (root / "site" / "papers" / "pointer-networks" / "index.html").read_text("utf-8")
    assert '<link rel="canonical" href="https://ada.github.io/papers/papers/pointer-networks/">' \
        in page
    assert 'href="https://github.com/ada/papers/edit/main/content/papers/pointer-networks.md"' \
        in page
    feed = (root / "site" / "feeds" / "all.xml").read_text("utf-8")
    assert "<id>https://ada.github.io/papers/feeds/all.xml</id>" in feed
    assert "Ada's papers: neuro</title>" in page
