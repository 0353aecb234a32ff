"""digest diff with broken pages: the summary of the rest, then the problems (issue 13, case 16)."""

from __future__ import annotations

from conftest import run_digest
from test_add_diff import git, repo  # noqa: F401 - the committed small digest
from test_curation import QUIET, SLOW, replace


def test_diff_summarises_the_readable_pages_and_lists_the_broken_ones(repo):  # noqa: F811
    git(repo, "checkout", "-qb", "curation")
    replace(repo, QUIET, "tags:\n- alpha\n", "tags:\n- beta\n")
    (repo / SLOW).write_text("no front matter here\n", "utf-8")
    (repo / "content/papers/latin1.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")

    result = run_digest(repo, "diff", "main")
    assert result.returncode == 1
    out = result.stdout
    assert out.startswith("## Changes to the digest against `main`\n\n**Tags changed (1)**\n\n"
                          "- Quiet learning of sparse maps (`quiet-learning-of-sparse-maps.md`):"
                          " +beta \u2212alpha\n\n**Problems (2)**\n\n")
    # A broken page is not a paper removed, nor a new file a paper added.
    assert "Papers removed" not in out and "Papers added" not in out
    problems = out.split("```text\n", 1)[1].split("```\n", 1)[0].splitlines()
    assert len(problems) == 2
    assert problems[0] == ("content/papers/latin1.md:2: the page is not UTF-8 text; "
                           "save it as UTF-8")
    assert problems[1].startswith(f"{SLOW}:1: ")
    assert result.stderr.splitlines()[:2] == problems


def test_diff_names_a_page_broken_at_the_base_with_its_revision(repo):  # noqa: F811
    (repo / SLOW).write_text("broken\n", "utf-8")
    git(repo, "commit", "-qam", "break a page")
    replace(repo, QUIET, "featured: false", "featured: true")
    result = run_digest(repo, "diff", "HEAD")
    assert result.returncode == 1
    assert "**Featured and hidden (1)**" in result.stdout
    assert f"\nHEAD:{SLOW}:1: " in result.stdout
    assert f"\n{SLOW}:1: " in result.stdout


def test_diff_exits_0_without_problems(repo):  # noqa: F811
    result = run_digest(repo, "diff", "HEAD")
    assert result.returncode == 0, result.stderr
    assert "Problems" not in result.stdout and result.stderr == ""
