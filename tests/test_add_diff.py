"""digest add (a new day into sources/) and digest diff (what a branch changes), end to end."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path

import frontmatter
import pytest

from conftest import ROOT, make_project, run_digest, tree
from test_curation import TITLES, QUIET, SLOW, day_source, replace, vocabulary

VOCAB = vocabulary({"alpha": ("Kappa",), "beta": ("Lambda",), "gamma": ("Omicron", "Sigma")})

# The Mar 11 page copy as collected (hf-page-copies/004_f3a1caa82ace5a45.txt of the shared
# samples), bundled as sources/2025-03-11-hf-papers.txt: its hash, its number of papers,
# and its first titles, written out so the test does not compare the copy with itself.
MAR_11 = ROOT / "sources" / "2025-03-11-hf-papers.txt"
MAR_11_SHA256 = "c6b1294ab361e600d08a625b49fc95ceebbd71bb5542269f1b5b4f1295e127b9"
MAR_11_PAPERS = 62
MAR_11_FIRST_TITLES = [
    "On Expressivity and Trainability of Quadratic Networks",
    "Hebbian Learning based Orthogonal Projection for Continual Learning of Spiking Neural "
    "Networks",
    "Learning Hierarchical Polynomials with Three-Layer Neural Networks",
]


def sample_copy() -> bytes:
    """The Mar 11 page copy, checked against its known hash."""
    data = MAR_11.read_bytes()
    assert hashlib.sha256(data).hexdigest() == MAR_11_SHA256, f"{MAR_11} is not the collected copy"
    return data


def refused(root: Path, file: Path, message: str, *args: str) -> None:
    """``digest add FILE`` fails with ``message`` first, and writes nothing."""
    before = tree(root)
    result = run_digest(root, "add", str(file), *args)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == message
    assert tree(root) == before


def small_project(tmp_path: Path, **settings) -> Path:
    name, text = day_source(1, list(TITLES[:3]))
    root = make_project(tmp_path / "d", {name: text}, files={"topics.yml": VOCAB})
    if settings:
        pyproject = root / "pyproject.toml"
        text = pyproject.read_text("utf-8")
        assert "\n[tool.digest]\n" in text
        pyproject.write_text(text.replace("\n[tool.digest]\n", "\n[tool.digest]\n" + "".join(
            f"{k} = {v}\n" for k, v in settings.items()), 1), "utf-8")
    assert run_digest(root, "generate").returncode == 0
    return root


# -- digest add --------------------------------------------------------------------------

def test_add_a_new_day_creates_its_page_and_adds_the_day_to_known_papers(bundled, tmp_path):
    assert run_digest(bundled, "generate").returncode == 0
    copy = sample_copy()
    assert copy == (bundled / "sources/2025-03-11-hf-papers.txt").read_bytes()
    new = tmp_path / "papers.txt"  # the same papers, listed again on a new day
    new.write_bytes(copy.replace(b"\nMar 11\n", b"\nSep 9\n", 1))
    pages_before = sorted((bundled / "content/papers").glob("*.md"))

    result = run_digest(bundled, "add", str(new), "--date", "2025-09-09")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"add: {new} saved as sources/2025-09-09-hf-papers.txt\n")
    assert (bundled / "sources/2025-09-09-hf-papers.txt").read_bytes() == new.read_bytes()
    assert (bundled / "content/dates/2025-09-09.md").exists()
    assert sorted((bundled / "content/papers").glob("*.md")) == pages_before
    listed = [p for p in pages_before if "2025-09-09-hf-papers.txt"
              in frontmatter.load(p)["sources"]]
    assert len(listed) == MAR_11_PAPERS
    titles = {frontmatter.load(p)["title"] for p in listed}
    assert set(MAR_11_FIRST_TITLES) <= titles
    for path in listed:
        meta = frontmatter.load(path)
        assert str(meta["listed"][-1]) == "2025-09-09" and "2025-03-11-hf-papers.txt" in meta["sources"]
    assert run_digest(bundled, "check").returncode == 0

    # The same file again is refused, and nothing changes.
    before = tree(bundled)
    again = run_digest(bundled, "add", str(new), "--date", "2025-09-09")
    assert again.returncode == 1
    assert again.stderr.splitlines() == [
        "papers.txt: this listing is already in sources/ as 2025-09-09-hf-papers.txt (same "
        "bytes); nothing to add", "digest: 1 problem found; nothing was written"]
    assert tree(bundled) == before


def test_add_takes_the_date_from_the_file_name_or_default_year(tmp_path):
    root = small_project(tmp_path, default_year=2025)
    named = tmp_path / "2025-01-02-copy.txt"
    named.write_text(day_source(2, [TITLES[3]])[1], "utf-8")
    result = run_digest(root, "add", str(named))
    assert result.returncode == 0, result.stderr
    assert (root / "sources/2025-01-02-hf-papers.txt").read_bytes() == named.read_bytes()

    plain = tmp_path / "papers.txt"  # no date in the name: Jan 3 and default_year 2025
    plain.write_text(day_source(3, [TITLES[0]])[1], "utf-8")
    assert run_digest(root, "add", str(plain)).returncode == 0
    assert (root / "content/dates/2025-01-03.md").exists()
    assert "2025-01-03" in (root / QUIET).read_text("utf-8")


@pytest.mark.parametrize("name, data, args, message", [
    ("papers.txt", day_source(2, [TITLES[3]])[1], (),
     "papers.txt: cannot tell which day this listing is: its date line has no year and its "
     "name does not start with YYYY-MM-DD; pass --date YYYY-MM-DD, or set default_year under "
     "[tool.digest] in pyproject.toml"),
    # The day comes first: a copy with no year and a broken paper asks for --date too.
    ("papers.txt", day_source(2, [TITLES[3]])[1] + "A title without its abstract\n", (),
     "papers.txt: cannot tell which day this listing is: its date line has no year and its "
     "name does not start with YYYY-MM-DD; pass --date YYYY-MM-DD, or set default_year under "
     "[tool.digest] in pyproject.toml"),
    # Any line may be header; with no date and no paper, the copy is not one.
    ("2025-01-05-x.txt", "just some words\n", (),
     "2025-01-05-x.txt:1: no date line such as 'Sep 8' was found (first line: 'just some "
     "words'); copy the page including its date, or write the date on a line of its own"),
    # Not in sources/ yet: "move it out of the sources folder" would be no advice.
    ("notes.pdf", "%PDF", ("--date", "2025-01-02"),
     "notes.pdf: digest add takes a listing: a page copy saved as text, the Hub's JSON or an "
     "arXiv Atom export, named with one of .atom, .json, .txt, .xml"),
    ("2025-01-01-again.txt", day_source(1, [TITLES[3]])[1], (),
     "2025-01-01-again.txt: sources/2025-01-01-hf-papers.txt already exists; a listing of "
     "2025-01-01 in this format is already in the digest"),
    # Not "the file name says 2025-01-04": that is the name add would give it.
    ("wrong-day.txt", day_source(2, [TITLES[3]])[1], ("--date", "2025-01-04"),
     "wrong-day.txt: --date says 2025-01-04 but the copy's date line says 2025-01-02; pass "
     "--date 2025-01-02, or leave --date out to take the day from the copy"),
])
def test_add_refuses_and_writes_nothing(tmp_path, name, data, args, message):
    root = small_project(tmp_path)
    before = tree(root)
    (tmp_path / name).write_text(data, "utf-8")
    result = run_digest(root, "add", str(tmp_path / name), *args)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == message
    assert tree(root) == before


# -- digest diff -------------------------------------------------------------------------

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, env=GIT_ENV, check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The small digest, generated and committed on main in a real git repository."""
    root = small_project(tmp_path)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    return root


def test_diff_reports_a_retag_a_note_and_a_new_day(repo, tmp_path):
    git(repo, "checkout", "-qb", "curation")
    replace(repo, QUIET, "tags:\n- alpha\n", "tags:\n- beta\n")
    replace(repo, SLOW, "## Notes\n", "## Notes\nRead the second half first.\n")
    name, text = day_source(2, [TITLES[0], TITLES[3]])
    (tmp_path / name).write_text(text, "utf-8")
    assert run_digest(repo, "add", str(tmp_path / name)).returncode == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "curate")

    result = run_digest(repo, "diff", "main")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "## Changes to the digest against `main`\n\n"
        "**Days added (1)**\n\n- 2025-01-02\n\n"
        "**Papers added (1)**\n\n- A late arrival on local rules (`a-late-arrival-on-local-rules.md`)\n\n"
        "**Tags changed (1)**\n\n"
        "- Quiet learning of sparse maps (`quiet-learning-of-sparse-maps.md`): +beta \u2212alpha\n\n"
        "**Notes (1)**\n\n"
        "- Slow waves in recurrent models (`slow-waves-in-recurrent-models.md`): notes added\n")
    # Uncommitted work counts too: the default base is HEAD without an origin/main.
    assert "No paper was added" in run_digest(repo, "diff").stdout


def test_diff_reports_flags_and_edited_notes_against_origin_main(repo):
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    replace(repo, QUIET, "featured: false", "featured: true")
    replace(repo, SLOW, "hidden: false", "hidden: true")
    replace(repo, SLOW, "## Notes\n", "## Notes\nFirst.\n")
    git(repo, "commit", "-qam", "flags")
    replace(repo, SLOW, "First.", "Second.")
    replace(repo, SLOW, "hidden: true", "hidden: false")
    replace(repo, QUIET, "featured: true", "featured: false")
    assert run_digest(repo, "diff", "HEAD").stdout == (
        "## Changes to the digest against `HEAD`\n\n"
        "**Notes (1)**\n\n"
        "- Slow waves in recurrent models (`slow-waves-in-recurrent-models.md`): notes edited\n\n"
        "**Featured and hidden (2)**\n\n"
        "- Quiet learning of sparse maps (`quiet-learning-of-sparse-maps.md`): un-featured\n"
        "- Slow waves in recurrent models (`slow-waves-in-recurrent-models.md`): un-hidden\n")
    assert run_digest(repo, "diff").stdout == (
        "## Changes to the digest against `origin/main`\n\n"
        "**Notes (1)**\n\n"
        "- Slow waves in recurrent models (`slow-waves-in-recurrent-models.md`): notes added\n")


def test_diff_outside_git_or_with_an_unknown_revision_is_a_clear_error(repo, tmp_path):
    result = run_digest(repo, "diff", "no-such-branch")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "no-such-branch: unknown git revision; name a branch, tag or commit ('git log' lists "
        "commits), or fetch it first", "digest: 1 problem found; nothing was written"]
    plain = small_project(tmp_path / "plain")
    result = run_digest(plain, "diff")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"{plain}: not a git repository; 'digest diff' compares with a git revision, so run "
        "it in a clone of the digest")


def test_add_reads_the_day_of_a_hub_json_and_refuses_one_of_several_days(tmp_path):
    root = small_project(tmp_path)
    fixture = Path(__file__).parent / "fixtures/newsassistant_hf_daily_papers_2026-08-03.json"
    text = fixture.read_text("utf-8")
    single = tmp_path / "daily.json"
    single.write_text(text, "utf-8")
    result = run_digest(root, "add", str(single))
    assert result.returncode == 0, result.stderr
    assert (root / "sources/2026-08-03-hf-daily.json").read_text("utf-8") == text
    assert (root / "content/dates/2026-08-03.md").exists()

    mixed = tmp_path / "mixed.json"
    mixed.write_text(re.sub(r'("submittedOnDailyAt": *")2026-08-03', r"\g<1>2026-08-02",
                            text, count=1), "utf-8")
    refused(root, mixed, "mixed.json: this file lists papers of several days (2026-08-02, "
                         "2026-08-03); pass --date YYYY-MM-DD to say which day it is")


def test_add_starts_an_empty_digest(tmp_path):
    root = make_project(tmp_path / "d", files={"topics.yml": VOCAB})
    name, text = day_source(1, list(TITLES))
    (tmp_path / name).write_text(text, "utf-8")
    result = run_digest(root, "add", str(tmp_path / name))
    assert result.returncode == 0, result.stderr
    assert len(list((root / "content/papers").glob("*.md"))) == len(TITLES)
    assert run_digest(root, "check").returncode == 0
