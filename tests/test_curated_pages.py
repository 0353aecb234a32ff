"""Curated pages as curators really save them: nothing a curator wrote is lost or misread.

Each test pins one case of issue 13 (the number in its name's comment).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import bibtexparser
import feedparser
import pytest

from generator.curate import PAGE_KEYS, parse_page, resolve_tags
from generator.errors import DigestError
from generator.model import Entry, Paper
from generator.render import _front_meta, redirect_page
from generator.tagging import parse_vocabulary

from conftest import run_digest, tree
from test_curation import QUIET, SLOW, TITLES, day_source, digest_of, line_of, replace, small  # noqa: F401

HAND_EDIT = ("the generated text above '## Notes' differs from what 'digest generate' writes, "
             "which replaces it; move any text of yours below '## Notes', then run 'digest "
             "generate' and commit the result")


def problems(result) -> list[str]:
    # check's placeholder warnings (digest init) are not problems.
    return [line for line in result.stderr.splitlines()
            if not line.startswith("digest:") and ": warning: " not in line]


# -- 3. text above '## Notes' is refused, not deleted ----------------------------------------

@pytest.mark.parametrize("where", ["\n## Cite\n", "\n## Abstract\n", "\n<!-- Generated"])
def test_generate_and_check_refuse_a_curators_text_above_notes_and_write_nothing(small, where):
    replace(small, QUIET, where, "\nMy note, in the wrong place." + where)
    line = line_of(small, QUIET, "My note, in the wrong place.")
    before = digest_of(small)
    for command in ("generate", "check"):
        result = run_digest(small, command)
        assert result.returncode == 1, command
        assert problems(result) == [f"{QUIET}:{line}: {HAND_EDIT}"], command
        assert digest_of(small) == before
    # Moved below the heading, it is kept and generate goes on.
    text = (small / QUIET).read_text("utf-8").replace("\nMy note, in the wrong place.", "", 1)
    (small / QUIET).write_text(text + "My note, in the right place.\n", "utf-8")
    assert run_digest(small, "generate").returncode == 0
    assert (small / QUIET).read_text("utf-8").endswith("## Notes\n\nMy note, in the right place.\n")


def test_a_source_that_rewrites_the_abstract_and_links_is_not_a_hand_edit(small):
    # The page as the last run wrote it, and a curator's note below the heading.
    text = (small / QUIET).read_text("utf-8")
    (small / QUIET).write_text(text + "Mine.\n", "utf-8")
    source = small / "sources/2025-01-01-hf-papers.txt"
    source.write_text(source.read_text("utf-8").replace(
        "It mentions Kappa throughout.",
        "It mentions Kappa throughout, and its code: https://github.com/lab/quiet.", 1), "utf-8")
    result = run_digest(small, "generate")
    assert result.returncode == 0, result.stderr
    page = (small / QUIET).read_text("utf-8")
    assert "https://github.com/lab/quiet" in page and page.endswith("## Notes\n\nMine.\n")
    assert run_digest(small, "check").returncode == 0


# -- 4. CRLF and BOM pages read as the LF pages they stand for -------------------------------

@pytest.mark.parametrize("change", ["crlf", "bom", "crlf+bom"])
def test_crlf_and_bom_pages_generate_the_same_site_as_lf_pages(bundled, change):
    assert run_digest(bundled, "generate").returncode == 0
    papers = sorted((bundled / "content/papers").glob("*.md"))
    # A curator's note on one page, kept through the conversion.
    papers[0].write_text(papers[0].read_text("utf-8") + "A *note*.\n\n- one\n", "utf-8")
    assert run_digest(bundled, "generate").returncode == 0
    lf = tree(bundled / "content")
    for path in papers:
        data = path.read_bytes()
        if "crlf" in change:
            data = data.replace(b"\n", b"\r\n")
        if "bom" in change:
            data = b"\xef\xbb\xbf" + data
        path.write_bytes(data)
    assert run_digest(bundled, "check").returncode == 1  # not yet what generate writes
    result = run_digest(bundled, "generate")
    assert result.returncode == 0, result.stderr
    assert tree(bundled / "content") == lf  # LF again, the note byte for byte
    assert run_digest(bundled, "check").returncode == 0


def test_a_crlf_pages_messages_name_the_lines_as_saved():
    text = "---\r\nid: title:x\r\ntags: []\r\nfeatured: maybe\r\n---\r\n\r\n## Notes\r\nA\r\n"
    with pytest.raises(DigestError) as caught:
        parse_page("\ufeff" + text, "p.md")
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (4, "'featured' must be true or false")]
    page = parse_page(text.replace("maybe", "true"), "p.md")
    assert page.notes == "A\n" and page.featured


def test_an_lf_page_keeps_a_crlf_in_its_notes():
    page = parse_page("---\nid: title:x\ntags: []\n---\n\n## Notes\nA\r\nB\n", "p.md")
    assert page.notes == "A\r\nB\n"


def test_git_keeps_pages_and_sources_lf():
    attributes = (Path(__file__).parent.parent / ".gitattributes").read_text("utf-8")
    assert re.search(r"^\* text=auto eol=lf$", attributes, re.M)


# -- 5. a tag listed twice counts once ---------------------------------------------------------

def test_a_tag_listed_twice_counts_once_in_topics_feeds_and_bibliographies(small):
    # A tag the curator added, listed twice (and one the rules give, twice too).
    replace(small, QUIET, "tags:\n- alpha\n", "tags:\n- alpha\n- beta\n- alpha\n- beta\n")
    result = run_digest(small, "generate")
    assert result.returncode == 0, result.stderr
    page = (small / QUIET).read_text("utf-8")
    assert "tags:\n- alpha\n- beta\nrule_tags:" in page
    for topic, count in (("alpha", "**1 paper**"), ("beta", "**2 papers**")):
        text = (small / f"content/topics/{topic}.md").read_text("utf-8")
        assert text.count("papers/quiet-learning-of-sparse-maps.md") == 1, topic
        assert count in text, topic
        bib = bibtexparser.parse_string((small / f"content/bib/{topic}.bib").read_text("utf-8"))
        keys = [entry.key for entry in bib.entries]
        assert len(keys) == len(set(keys)) and bib.failed_blocks == [], topic
    for name in ("alpha", "beta", "all"):
        feed = feedparser.parse((small / f"content/feeds/{name}.xml").read_bytes())
        ids = [entry.id for entry in feed.entries]
        assert len(ids) == len(set(ids)), name
    assert run_digest(small, "check").returncode == 0


# -- 6. '## Notes' in a fenced code block is text --------------------------------------------

@pytest.mark.parametrize("fence", ["```", "~~~", "````markdown"])
def test_notes_heading_inside_a_code_fence_is_not_a_second_heading(small, fence):
    close = fence.rstrip("markdown")
    notes = f"How a page ends:\n\n{fence}\n## Notes\nmine\n{close}\n"
    (small / QUIET).write_text((small / QUIET).read_text("utf-8") + notes, "utf-8")
    result = run_digest(small, "generate")
    assert result.returncode == 0, result.stderr
    assert (small / QUIET).read_text("utf-8").endswith("## Notes\n\n" + notes)
    assert run_digest(small, "check").returncode == 0


def test_notes_heading_after_a_closed_fence_is_still_a_second_heading():
    text = "---\nid: title:x\ntags: []\n---\n\n## Notes\n```\n## Notes\n```\n\n## Notes\n"
    with pytest.raises(DigestError) as caught:
        parse_page(text, "p.md")
    assert [p.line for p in caught.value.problems] == [11]


# -- 10. a curator's tag choices cannot be undone -------------------------------------------

def test_a_tag_deleted_from_tags_and_rule_tags_stays_removed(small):
    replace(small, QUIET, "tags:\n- alpha\nrule_tags:\n- alpha\n", "tags: []\nrule_tags: []\n")
    assert run_digest(small, "generate").returncode == 0
    page = (small / QUIET).read_text("utf-8")
    assert "tags: []\nrule_tags:\n- alpha\ncurator_removed:\n- alpha\n" in page
    assert run_digest(small, "generate").returncode == 0
    assert (small / QUIET).read_text("utf-8") == page


def test_a_tag_added_to_tags_and_topics_stays_added(small):
    replace(small, QUIET, "tags:\n- alpha\n", "tags:\n- alpha\n- beta\n")
    replace(small, QUIET, "topics:\n  alpha: Alpha\n", "topics:\n  alpha: Alpha\n  beta: Beta\n")
    assert run_digest(small, "generate").returncode == 0
    assert "curator_added:\n- beta\n" in (small / QUIET).read_text("utf-8")


def test_a_deleted_tags_key_is_an_error_at_its_place_and_nothing_is_written(small):
    replace(small, QUIET, "tags:\n- alpha\nrule_tags:", "rule_tags:")
    line = line_of(small, QUIET, "rule_tags:")
    before = digest_of(small)
    for command in ("generate", "check"):
        result = run_digest(small, command)
        assert result.returncode == 1
        assert problems(result) == [f"{QUIET}:{line}: the 'tags' key is missing; put back a "
                                    "line 'tags:' with the paper's topics, or 'tags: []' for none"]
    assert digest_of(small) == before



def test_a_misspelt_key_is_an_error_at_its_line_and_nothing_is_dropped(small):
    # Read as unknown and dropped, each would lose what the curator meant without a word.
    replace(small, QUIET, "featured:", "same-as: other-paper\nhiden: true\nreviewer: ann\n"
                                       "featured:")
    before = digest_of(small)
    for command in ("generate", "check"):
        result = run_digest(small, command)
        assert result.returncode == 1, command
        assert problems(result) == [
            f"{QUIET}:{line_of(small, QUIET, 'same-as: other-paper')}: unknown key 'same-as': did you "
            "mean 'same_as'? Rename it",
            f"{QUIET}:{line_of(small, QUIET, 'hiden: true')}: unknown key 'hiden': did you mean "
            "'hidden'? Rename it",
            f"{QUIET}:{line_of(small, QUIET, 'reviewer: ann')}: unknown key 'reviewer': the "
            "front-matter takes only tags, featured, hidden, same_as, not_same_as and "
            "resolve from a curator; write it as a note below '## Notes', or delete the line",
        ], command
        assert digest_of(small) == before


def test_every_key_generate_writes_is_a_known_key():
    # Else a new key would make every page an error: each optional field is set here, so
    # that every key a paper page can have is written.
    day = dt.date(2026, 1, 2)
    paper = Paper(
        key="arxiv:2401.00001", dates=(day,), sources=("s.json",), title_key="x",
        abstract_changed=True, title="X", abstract="An abstract.", arxiv_id="2401.00001",
        upvotes=3, published=day, updated=day, authors=("A",), organization="O",
        github_repo="https://github.com/a/b", github_stars=5, project_page="https://x.org",
        ai_keywords=("k",), category="cs.LG")
    entry = Entry(paper, "x", tags=("alpha",), rule_tags=("beta",), curator_added=("alpha",),
                  curator_removed=("beta",), featured=True, hidden=True, not_same_as=("y",),
                  resolve="2401.00001")
    vocab = parse_vocabulary("topics:\n  alpha:\n    name: A\n    description: B\n"
                             "    words: [x]\n", "topics.yml")
    assert set(_front_meta(entry, vocab, (entry,))) == PAGE_KEYS - {"same_as"}
    redirect = parse_page(redirect_page("title:y", "Y", entry), "papers/y.md")
    assert redirect.same_as == "x"

def page_with(tags, rule_tags, topics):
    front = f"id: title:x\ntags: {tags!r}\nrule_tags: {rule_tags!r}\n"
    front += f"topics: {dict.fromkeys(topics, 'T')!r}\n" if topics is not None else ""
    return parse_page(f"---\n{front}---\n\n## Notes\n", "p.md")


@pytest.mark.parametrize("rules, page, expected", [
    # Deleted from tags and rule_tags: 'topics' still says the last run wrote it.
    (("a",), page_with([], [], ["a"]), ((), (), ("a",))),
    # Added to tags and topics: the bookkeeping says the last run did not write it.
    ((), page_with(["a", "b"], ["a"], ["a", "b"]), (("b",), ("b",), ())),
    # Listed twice: one tag.
    (("a",), page_with(["a", "b", "b"], ["a"], ["a"]), (("a", "b"), ("b",), ())),
])
def test_no_edit_to_one_record_undoes_a_tag_choice(rules, page, expected):
    choice = resolve_tags(rules, page)
    assert (choice.tags, choice.added, choice.removed) == expected


# -- 17a. featured papers first on date pages ----------------------------------------------

def test_a_featured_paper_comes_first_in_its_group_on_a_date_page(small):
    # 'Slow waves' is first in 'beta', and listed again later; 'Quiet', retagged into 'beta'
    # and featured, must still come first there on the day both were listed.
    slow = "content/papers/slow-waves-in-recurrent-models.md"
    name, text = day_source(2, [TITLES[1]])  # 'Slow waves' is listed again, a day later
    (small / "sources" / name).write_text(text, "utf-8")
    assert run_digest(small, "generate").returncode == 0
    replace(small, QUIET, "tags:\n- alpha\n", "tags:\n- beta\n")
    replace(small, QUIET, "featured: false", "featured: true")
    assert run_digest(small, "generate").returncode == 0, run_digest(small, "check").stderr
    day = (small / "content/dates/2025-01-01.md").read_text("utf-8")
    quiet, slow_at = day.index("quiet-learning-of-sparse-maps.md"), day.index(Path(slow).name)
    assert quiet < slow_at


# -- 17d. "did you mean" only when something is close -----------------------------------------

def test_an_unknown_tag_close_to_nothing_gets_the_vocabulary_not_a_guess(small):
    replace(small, QUIET, "tags:\n- alpha\n", "tags:\n- alpha\n- zzzzzz\n")
    result = run_digest(small, "check")
    assert problems(result) == [
        f"{QUIET}:{line_of(small, QUIET, '- zzzzzz')}: tag 'zzzzzz' is not a topic in the "
        "vocabulary; add it to the vocabulary first, or use one of: alpha, beta, gamma"]


# -- CONTRIBUTING's checklist checks before it generates ------------------------------------

def test_the_checklist_runs_check_before_generate():
    guide = (Path(__file__).parent.parent / "CONTRIBUTING.md").read_text("utf-8")
    checklist = guide.split("## Check your pull request", 1)[1].split("```sh\n", 1)[1]
    commands = [line.split()[1] for line in checklist.split("```", 1)[0].splitlines()]
    assert commands == ["check", "generate", "check", "diff"]
