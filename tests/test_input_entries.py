"""Issue 13, cases 12, 13 and 17c: a slow vocabulary pattern, odd entries in the sources
folder, and an abstract with more URLs than one private plane holds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import ABSTRACT, listing, make_project, run_digest
from generator import clean

DAY = listing("Mar 11", ("Sparse codes in spiking networks", ABSTRACT))


def problems(result) -> list[str]:
    return [line for line in result.stderr.splitlines()
            if not line.startswith("digest:") and ": warning: " not in line]


# -- 12. a pathological pattern stops with its line, instead of hanging ------------------

def test_a_pattern_that_backtracks_without_end_is_an_error_naming_its_line(tmp_path):
    slow = "a" * 40 + "b"
    root = make_project(tmp_path / "d", {"2025-03-11-hf-papers.txt": listing(
        "Mar 11", ("Sparse codes in spiking networks", ABSTRACT + " " + slow))})
    vocab = root / "topics.yml"
    text = vocab.read_text("utf-8")
    text = text.replace("topics:\n", "topics:\n  slow-topic:\n    name: Slow\n"
                        "    description: A pattern that backtracks.\n"
                        "    patterns:\n    - '(a|aa)+$'\n", 1)
    vocab.write_text(text, "utf-8")
    line = text.splitlines().index("    - '(a|aa)+$'") + 1
    for command in ("generate", "check"):
        result = run_digest(root, command)
        assert result.returncode == 1, result.stderr
        assert problems(result) == [
            f"topics.yml:{line}: topic 'slow-topic': the pattern '(a|aa)+$' took more than 1 s "
            "on the paper 'Sparse codes in spiking networks'; simplify it (nested repeats "
            "such as (a+)+ backtrack without end)"]
    assert not list((root / "content").rglob("*.md"))


# -- 13. entries of the sources folder that cannot be a listing -------------------------

def test_odd_entries_in_the_sources_folder_are_named_and_dotfiles_passed_over(tmp_path):
    root = make_project(tmp_path / "d", {"2025-03-11-hf-papers.txt": DAY})
    sources = root / "sources"
    os.symlink(sources / "gone.txt", sources / "broken.txt")
    os.symlink(sources / "loop.txt", sources / "loop.txt")
    (sources / "2025-03-12-hf-papers.txt").mkdir()
    os.symlink(tmp_path, sources / "elsewhere")
    (sources / ".2025-03-11-hf-papers.txt.swp").write_bytes(b"\0\1binary")
    (sources / "2025-03-11-hf-papers.txt~").write_text("old copy", "utf-8")
    (sources / ".#2025-03-11-hf-papers.txt").write_text("lock", "utf-8")
    expected = [
        "sources/2025-03-12-hf-papers.txt: is a folder named like a listing; rename it, or "
        "put the listing file here in its place",
        "sources/broken.txt: is a symbolic link to nothing; restore its target, or remove it",
        "sources/elsewhere: is a link to a folder, which is not read; put the folder itself "
        "here, or remove the link",
        "sources/loop.txt: cannot be read (Too many levels of symbolic links); replace it "
        "with the listing file, or remove it",
    ]
    for command in ("generate", "check"):
        result = run_digest(root, command)
        assert result.returncode == 1, result.stderr
        assert problems(result) == expected
        assert "Traceback" not in result.stderr
    for name in ("broken.txt", "loop.txt", "elsewhere"):
        (sources / name).unlink()
    (sources / "2025-03-12-hf-papers.txt").rmdir()
    result = run_digest(root, "generate")
    assert result.returncode == 0, result.stderr


def test_an_entry_that_cannot_be_read_does_not_hide_what_is_wrong_in_the_others(tmp_path):
    root = make_project(tmp_path / "d", {"2025-03-11-hf-papers.txt": DAY})
    assert run_digest(root, "generate").returncode == 0
    sources = root / "sources"
    os.symlink(sources / "gone.txt", sources / "2025-03-12-hf-papers.txt")
    (sources / "2025-03-13-hf-daily.json").write_text('[{"paper": ', "utf-8")
    page = root / "content/papers/sparse-codes-in-spiking-networks.md"
    page.write_text(page.read_text("utf-8").replace("featured: false", "featured: maybe"),
                    "utf-8")
    line = page.read_text("utf-8").splitlines().index("featured: maybe") + 1
    for command in ("generate", "check"):
        result = run_digest(root, command)
        assert result.returncode == 1, result.stderr
        # Before, the link alone was named, and the other two only once it was gone.
        assert problems(result) == [
            f"content/papers/sparse-codes-in-spiking-networks.md:{line}: 'featured' must be "
            "true or false",
            "sources/2025-03-12-hf-papers.txt: is a symbolic link to nothing; restore its "
            "target, or remove it",
            "sources/2025-03-13-hf-daily.json:1: invalid JSON: Expecting value at column 12; "
            "fix the file there, or download it again from /api/daily_papers?date=YYYY-MM-DD "
            "and save it unchanged"], command


@pytest.mark.parametrize("spoil, message", [
    (lambda v: v.unlink(), "topics.yml: the topic vocabulary file is missing; create it "
                           "(see CONTRIBUTING.md) or set [tool.digest] vocabulary"),
    (lambda v: (v.unlink(), v.mkdir()), "topics.yml: cannot be read (Is a directory); make "
                                        "it the vocabulary file (see CONTRIBUTING.md)"),
    # ... at the line of its first byte that is not UTF-8
    (lambda v: v.write_bytes(b"# a\ntopics: \xff\n"), "topics.yml:2: not UTF-8 (invalid start "
                                                      "byte); re-save it as UTF-8"),
])
def test_a_vocabulary_that_cannot_be_read_is_named_once_with_the_other_problems(
        tmp_path, spoil, message):
    root = make_project(tmp_path / "d", {"2025-03-11-hf-papers.txt": DAY})
    spoil(root / "topics.yml")
    (root / "sources/2025-03-13-hf-daily.json").write_text("[1]", "utf-8")
    result = run_digest(root, "generate")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    # Read as empty, it is not also "expected a 'topics:' mapping".
    [source, vocabulary] = problems(result)
    assert vocabulary == message
    assert source.startswith("sources/2025-03-13-hf-daily.json:")


def test_a_subfolder_of_sources_is_still_read(tmp_path):
    root = make_project(tmp_path / "d", {"2025/2025-03-11-hf-papers.txt": DAY})
    result = run_digest(root, "generate")
    assert result.returncode == 0, result.stderr
    assert (root / "content/papers/sparse-codes-in-spiking-networks.md").exists()


# -- 17c. any number of URLs in one abstract --------------------------------------------

def test_more_urls_than_one_private_plane_holds_all_stay_links():
    count = 70_000
    text = " ".join(f"https://example.org/{i}" for i in range(count))
    segments = clean._segments(text)
    found = [s.text for s in segments if s.kind == "url"]
    assert len(found) == count
    assert found[0] == "https://example.org/0"
    assert found[65_536] == "https://example.org/65536"
    assert found[-1] == f"https://example.org/{count - 1}"
    # Past index 65,535 a one-character mark fell into plane 16, where literal TeX
    # characters live, and came back as a stray character instead of the URL.
    assert all(u.startswith("https://example.org/") for u in found)


def test_a_few_urls_render_as_before():
    assert clean.urls("See https://a.org/x and https://b.org/y.") == (
        "https://a.org/x", "https://b.org/y")


def test_a_page_or_setting_that_is_not_utf8_is_named_at_the_line_of_its_bad_byte(tmp_path):
    root = make_project(tmp_path / "d", {"2025-03-11-hf-papers.txt": DAY})
    assert run_digest(root, "generate").returncode == 0
    page = root / "content/papers/sparse-codes-in-spiking-networks.md"
    data = page.read_bytes()
    page.write_bytes(data.replace(b"## Notes\n", b"## Notes\n\ncaf\xe9\n"))
    line = data[:data.index(b"## Notes\n")].count(b"\n") + 3
    result = run_digest(root, "check")
    assert problems(result) == [f"content/papers/sparse-codes-in-spiking-networks.md:{line}: "
                                "not UTF-8 (invalid continuation byte); re-save it as UTF-8"]
    (root / "pyproject.toml").write_bytes(b"[project]\nname = 'd\xff'\n")
    result = run_digest(root, "check")
    assert "pyproject.toml:2: not UTF-8 (invalid start byte); re-save it as UTF-8" \
        in result.stderr
