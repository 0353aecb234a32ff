"""Settings: [tool.digest] in pyproject.toml and mkdocs.yml, read once and checked.

Every bad value is ``path:line: what is wrong; what to do`` with exit status 1; mkdocs.yml
is read with MkDocs' own loader, so ``!ENV`` works as it does for ``mkdocs build``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import ABSTRACT, ROOT, listing, make_project, run_digest
from generator import pipeline
from generator.errors import DigestError
from generator.project import Project

DAY = "2025-01-06-hf-papers.txt"
SOURCE = listing("Jan 6", ("Spiking codes in the wild", ABSTRACT))
SUMMARY = "digest: {n} problem{s} found; nothing was written\n"
PYPROJECT = """\
[project]
name = "my-digest"

[tool.digest]
sources = "sources"
vocabulary = "topics.yml"
feed_size = 50
"""
MKDOCS = (ROOT / "mkdocs.yml").read_text("utf-8")


def digest(tmp_path: Path, pyproject: str = PYPROJECT, mkdocs: str = MKDOCS,
           sources: dict[str, str] | None = None) -> Path:
    return make_project(tmp_path / "d", {DAY: SOURCE} if sources is None else sources,
                        files={"pyproject.toml": pyproject, "mkdocs.yml": mkdocs})


def problems(root: Path) -> list[str]:
    with pytest.raises(DigestError) as err:
        Project.load(root)
    return [str(p) for p in err.value.problems]


def with_site_url(value: str) -> str:
    line = "site_url: https://example.github.io/digest/\n"
    assert MKDOCS.count(line) == 1
    return MKDOCS.replace(line, f"site_url: {value}\n")


# --- good settings ---------------------------------------------------------------------


def test_the_repo_settings_load_with_the_one_default_feed_size(tmp_path):
    root = digest(tmp_path, pyproject="[project]\nname = 'x'\n")
    project = Project.load(root)
    assert (project.sources, project.vocabulary, project.content) == (
        root / "sources", root / "topics.yml", root / "content")
    assert (project.site_name, project.site_url) == (
        "Neuro-AI Reading Digest", "https://example.github.io/digest/")
    assert (project.default_year, project.feed_size) == (None, 50)
    assert pipeline.site_info(project).feed_size == 50


def test_site_url_from_the_environment_with_env_is_used_for_feed_ids(tmp_path):
    root = digest(tmp_path, mkdocs=with_site_url("!ENV SITE_URL"))
    env = {**os.environ, "SITE_URL": "https://papers.example.org/digest"}
    result = run_digest(root, "generate", env=env)
    assert result.returncode == 0, result.stderr
    feed = (root / "content/feeds/all.xml").read_text("utf-8")
    assert "<id>https://papers.example.org/digest/feeds/all.xml</id>" in feed
    assert "<id>https://papers.example.org/digest/papers/spiking-codes-in-the-wild/</id>" in feed
    assert "urn:" not in feed


def test_env_falls_back_to_its_default_and_to_no_site_url(tmp_path, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    root = digest(tmp_path, mkdocs=with_site_url("!ENV [SITE_URL, 'https://x.example/']"))
    assert Project.load(root).site_url == "https://x.example/"
    (root / "mkdocs.yml").write_text(with_site_url("!ENV SITE_URL"), "utf-8")
    assert Project.load(root).site_url == ""  # as for mkdocs: the variable is unset
    monkeypatch.setenv("SITE_URL", "http://localhost:8000/d")
    assert Project.load(root).site_url == "http://localhost:8000/d/"


def test_settings_mkdocs_takes_from_an_inherited_file_are_read_too(tmp_path):
    root = digest(tmp_path, mkdocs="INHERIT: base.yml\nsite_name: Child\n")
    (root / "base.yml").write_text("site_name: Base\nsite_url: https://base.example/\n"
                                   "docs_dir: pages\n", "utf-8")
    project = Project.load(root)
    assert (project.site_name, project.site_url, project.content) == (
        "Child", "https://base.example/", root / "pages")


def test_python_tags_in_mkdocs_yml_are_not_constructed(tmp_path):
    root = digest(tmp_path, mkdocs=MKDOCS + "x_emoji: !!python/name:os.system\n")
    assert Project.load(root).site_name == "Neuro-AI Reading Digest"


def test_a_configured_sources_folder_is_named_in_messages(tmp_path):
    root = digest(tmp_path, pyproject=PYPROJECT.replace('sources = "sources"',
                                                        'sources = "listings"'), sources={})
    (root / "sources").rename(root / "listings")
    (root / "listings" / DAY).write_text(SOURCE, "utf-8")
    (root / "listings" / "notes").write_text("fetch Monday\n", "utf-8")
    result = run_digest(root, "generate")
    assert result.returncode == 1
    assert result.stderr.startswith("listings/notes: no reader knows files without a suffix")

    (root / "listings" / "notes").unlink()
    copy = tmp_path / DAY
    copy.write_text(SOURCE, "utf-8")
    result = run_digest(root, "add", str(copy))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{DAY}: this listing is already in listings/ as {DAY} ")
    copy.write_text(SOURCE + "\n", "utf-8")
    result = run_digest(root, "add", str(copy))
    assert result.stderr.startswith(f"{DAY}: listings/{DAY} already exists; ")
    copy = tmp_path / "2025-01-07.txt"
    copy.write_text(listing("Jan 7", ("Sparse coding for robots", ABSTRACT)), "utf-8")
    result = run_digest(root, "add", str(copy))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"add: {copy} saved as listings/2025-01-07-hf-papers.txt\n")


# --- bad settings: path:line, exit 1 -----------------------------------------------------

FEED_SIZE_HINT = "it must be a whole number of 1 or more, without quotes, such as 50"
YEAR_HINT = "it must be a whole number such as 2025, without quotes"
PATH_HINT = 'it must be a path in quotes, relative to this folder, such as "sources"'
URL_HINT = ("it must be the site's http(s) address, such as https://example.github.io/digest/, "
            "or be left out")


@pytest.mark.parametrize("line, problem", [
    ('feed_size = "ten"', f'pyproject.toml:7: [tool.digest] feed_size is "ten", but {FEED_SIZE_HINT}'),
    ("feed_size = -5", f"pyproject.toml:7: [tool.digest] feed_size is -5, but {FEED_SIZE_HINT}"),
    ("feed_size = 0", f"pyproject.toml:7: [tool.digest] feed_size is 0, but {FEED_SIZE_HINT}"),
    ("feed_size = true", f"pyproject.toml:7: [tool.digest] feed_size is true, but {FEED_SIZE_HINT}"),
    ("feed_size = 12.5", f"pyproject.toml:7: [tool.digest] feed_size is 12.5, but {FEED_SIZE_HINT}"),
])
def test_a_bad_feed_size_names_its_line(tmp_path, line, problem):
    root = digest(tmp_path, PYPROJECT.replace("feed_size = 50", line))
    assert problems(root) == [problem]


@pytest.mark.parametrize("value, shown", [('"2025"', '"2025"'), ("2025.0", "2025.0"),
                                          ("0", "0"), ("[2025]", "a list")])
def test_a_default_year_that_is_not_a_whole_number_names_its_line(tmp_path, value, shown):
    root = digest(tmp_path, PYPROJECT + f"default_year = {value}\n")
    assert problems(root) == [f"pyproject.toml:8: [tool.digest] default_year is {shown}, "
                              f"but {YEAR_HINT}"]


@pytest.mark.parametrize("key, value, shown", [("sources", "5", "5"),
                                               ("vocabulary", '["topics.yml"]', "a list"),
                                               ("sources", '""', '""')])
def test_sources_and_vocabulary_must_be_paths(tmp_path, key, value, shown):
    text = PYPROJECT.replace(f'{key} = "{"sources" if key == "sources" else "topics.yml"}"',
                             f"{key} = {value}")
    line = 5 if key == "sources" else 6
    assert problems(digest(tmp_path, text)) == [
        f"pyproject.toml:{line}: [tool.digest] {key} is {shown}, but {PATH_HINT}"]


def test_an_unknown_key_says_which_keys_there_are(tmp_path):
    text = PYPROJECT + "feedsize = 20\n'colour' = \"blue\"\n\n[tool.other]\nx = 1\n"
    assert problems(digest(tmp_path, text)) == [
        "pyproject.toml:8: [tool.digest] has no setting 'feedsize'; did you mean 'feed_size'? "
        "the settings are default_year, feed_size, page_size, sources, vocabulary",
        "pyproject.toml:9: [tool.digest] has no setting 'colour'; the settings are "
        "default_year, feed_size, page_size, sources, vocabulary",
    ]


def test_invalid_toml_names_its_line(tmp_path):
    text = PYPROJECT.replace("feed_size = 50", "feed_size = = 50")
    [problem] = problems(digest(tmp_path, text))
    assert problem.startswith("pyproject.toml:7: invalid TOML: ")
    assert problem.endswith("; fix the file")


@pytest.mark.parametrize("value, shown", [("ftp://example.org/digest/", "'ftp://example.org/digest/'"),
                                          ("example.github.io/digest/", "'example.github.io/digest/'"),
                                          ("https:///digest/", "'https:///digest/'"),
                                          ("[a, b]", "['a', 'b']")])
def test_a_site_url_that_is_not_http_names_its_line_in_mkdocs_yml(tmp_path, value, shown):
    root = digest(tmp_path, mkdocs=with_site_url(value))
    assert problems(root) == [f"mkdocs.yml:3: site_url is {shown}, but {URL_HINT}"]


def test_a_site_url_from_the_environment_is_checked_too(tmp_path, monkeypatch):
    monkeypatch.setenv("SITE_URL", "not-an-address")
    root = digest(tmp_path, mkdocs=with_site_url("!ENV SITE_URL"))
    assert problems(root) == [f"mkdocs.yml:3: site_url is 'not-an-address', but {URL_HINT}"]


def test_site_name_and_docs_dir_must_be_text(tmp_path):
    text = MKDOCS.replace("site_name: Neuro-AI Reading Digest", "site_name: 2025").replace(
        "docs_dir: content", "docs_dir: [content]")
    assert problems(digest(tmp_path, mkdocs=text)) == [
        "mkdocs.yml:1: site_name is 2025, but it must be text; put it in quotes",
        "mkdocs.yml:7: docs_dir is ['content'], but it must be text; put it in quotes",
    ]


def test_invalid_yaml_in_mkdocs_yml_names_its_line(tmp_path):
    root = digest(tmp_path, mkdocs=MKDOCS.replace("docs_dir: content", "docs_dir: content: x"))
    [problem] = problems(root)
    assert problem.startswith("mkdocs.yml:7: invalid YAML: ")
    assert problem.endswith("; fix mkdocs.yml")


def test_every_bad_setting_is_reported_in_one_run_with_exit_1(tmp_path):
    text = PYPROJECT.replace("feed_size = 50", 'feed_size = "ten"') + "default_year = '2025'\n"
    root = digest(tmp_path, text, with_site_url("ftp://x/"))
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    result = run_digest(root, "generate")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"mkdocs.yml:3: site_url is 'ftp://x/', but {URL_HINT}\n"
        f'pyproject.toml:7: [tool.digest] feed_size is "ten", but {FEED_SIZE_HINT}\n'
        f'pyproject.toml:8: [tool.digest] default_year is "2025", but {YEAR_HINT}\n'
        + SUMMARY.format(n=3, s="s"))
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
