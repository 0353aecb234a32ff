"""Curation by pull request: curator edits survive generate, and check guards the tree."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from generator import pipeline
from generator.project import Project

from conftest import (ABSTRACT, GOLDEN_PAPERS, listing, make_project, run_digest, search_records,
                      tree)

# -- a small digest whose rules an oracle can follow ------------------------------------

TOKENS = ("Kappa", "Lambda", "Omicron", "Sigma")
TOPICS = ("alpha", "beta", "gamma")
# Each paper's abstract names some tokens; a topic matches a paper that names one of its words.
PAPERS = {
    "Quiet learning of sparse maps": ("Kappa",),
    "Slow waves in recurrent models": ("Lambda", "Sigma"),
    "Energy budgets of small networks": ("Omicron",),
    "A late arrival on local rules": ("Kappa", "Omicron"),
}
TITLES = tuple(PAPERS)


def vocabulary(words: dict[str, tuple[str, ...]]) -> str:
    # One mention selects a topic here, so the oracle stays "names one of its words".
    return "min_mentions: 1\ntopics:\n" + "".join(
        f"  {slug}:\n    name: {slug.title()}\n    description: The {slug} topic.\n"
        f"    words: [{', '.join(words[slug])}]\n" for slug in TOPICS)


def day_source(day: int, titles: list[str]) -> tuple[str, str]:
    papers = [(t, f"{ABSTRACT} It mentions {' and '.join(PAPERS[t])} throughout.")
              for t in titles]
    return f"2025-01-{day:02d}-hf-papers.txt", listing(f"Jan {day}", *papers)


def split_page(text: str) -> tuple[dict, str, str]:
    """Front-matter, generated body up to and including the Notes heading, notes."""
    _, front, rest = text.split("---\n", 2)
    body, notes = rest.split("## Notes\n", 1)
    return yaml.safe_load(front), body + "## Notes\n", notes


def join_page(meta: dict, body: str, notes: str) -> str:
    return ("---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n"
            + body + notes)


MARKDOWN = st.sampled_from(["**bold**", "*em*", "`code`", "[a link](https://example.org)",
                            "> quote", "- item", "1. one", "### Sub-heading", "---", "| a | b |",
                            "<b>html</b>", "$x^2$", "~~~", "```", "\\", "\t", "\r\n", "\n\n"])
NOTES = st.lists(st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
                           MARKDOWN), max_size=6).map("".join).filter(
    # A second '## Notes' line is a shape error that check reports (tested below).
    lambda s: not re.search(r"^## Notes[ \t]*$", s, re.M))


class CurationMachine(RuleBasedStateMachine):
    """Random curator edits, new days and rule changes, each followed by generate."""

    @initialize()
    def start(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.words = {"alpha": ("Kappa",), "beta": ("Lambda",), "gamma": ("Omicron", "Sigma")}
        name, text = day_source(1, list(TITLES[:3]))
        self.root = make_project(Path(self.tmp.name) / "d", {name: text},
                                 files={"topics.yml": vocabulary(self.words)})
        self.project = Project.load(self.root)
        self.days = {t: {1} for t in TITLES[:3]}
        self.added = {t: set() for t in TITLES}
        self.removed = {t: set() for t in TITLES}
        self.notes = {t: "\n" for t in TITLES}
        self.flags = {t: {"featured": False, "hidden": False} for t in TITLES}
        self.generate()

    def teardown(self):
        self.tmp.cleanup()

    def generate(self):
        pipeline.generate(self.project)

    def path(self, title: str) -> Path:
        [path] = [p for p in (self.root / "content/papers").glob("*.md")
                  if split_page(p.read_text("utf-8"))[0]["title"] == title]
        return path

    def edit(self, title: str, change) -> None:
        path = self.path(title)
        meta, body, notes = split_page(path.read_bytes().decode("utf-8"))
        notes = change(meta, notes)
        path.write_bytes(join_page(meta, body, notes).encode("utf-8"))

    def rule_tags_of(self, title: str) -> set[str]:
        return {slug for slug in TOPICS if set(self.words[slug]) & set(PAPERS[title])}

    def expected_tags(self, title: str) -> set[str]:
        return (self.rule_tags_of(title) - self.removed[title]) | self.added[title]

    def known(self) -> list[str]:
        return sorted(self.days)

    @rule(data=st.data(), tag=st.sampled_from(TOPICS))
    def toggle_tag(self, data, tag):
        self.toggle(data.draw(st.sampled_from(self.known())), tag)

    def toggle(self, title: str, tag: str) -> None:
        shown = tag in self.expected_tags(title)

        def change(meta, notes):
            meta["tags"] = [t for t in meta["tags"] if t != tag] if shown else meta["tags"] + [tag]
            return notes
        self.edit(title, change)
        (self.removed if shown else self.added)[title].add(tag)
        (self.added if shown else self.removed)[title].discard(tag)
        self.generate()

    @rule(data=st.data(), notes=NOTES)
    def write_notes(self, data, notes):
        title = data.draw(st.sampled_from(self.known()))
        self.edit(title, lambda meta, old: notes)
        self.notes[title] = notes
        self.generate()

    @rule(data=st.data(), flag=st.sampled_from(["featured", "hidden"]), value=st.booleans())
    def set_flag(self, data, flag, value):
        title = data.draw(st.sampled_from(self.known()))

        def change(meta, notes):
            meta[flag] = value
            return notes
        self.edit(title, change)
        self.flags[title][flag] = value
        self.generate()

    @rule(titles=st.sets(st.sampled_from(TITLES), min_size=1))
    def new_day(self, titles):
        day = self.next_day = getattr(self, "next_day", 1) + 1
        name, text = day_source(day, sorted(titles))
        (self.root / "sources" / name).write_text(text, "utf-8")
        for title in titles:
            self.days.setdefault(title, set()).add(day)
        self.generate()

    @rule(topic=st.sampled_from(TOPICS), words=st.sets(st.sampled_from(TOKENS), min_size=1))
    def change_rules(self, topic, words):
        self.words[topic] = tuple(sorted(words))
        (self.root / "topics.yml").write_text(vocabulary(self.words), "utf-8")
        self.generate()

    def set_words(self, topic, words):
        self.words[topic] = tuple(sorted(words))
        (self.root / "topics.yml").write_text(vocabulary(self.words), "utf-8")
        self.generate()

    @invariant()
    def curation_survives_and_rules_reach_untouched_topics(self):
        for title in self.known():
            meta, _, notes = split_page(self.path(title).read_bytes().decode("utf-8"))
            assert set(meta["tags"]) == self.expected_tags(title), title
            assert sorted(meta["rule_tags"]) == sorted(self.rule_tags_of(title))
            assert notes == self.notes[title]
            assert meta["featured"] is self.flags[title]["featured"]
            assert meta["hidden"] is self.flags[title]["hidden"]
            assert meta["listed"] == [dt.date(2025, 1, d) for d in sorted(self.days[title])]


CurationMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=8, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
test_curator_edits_survive_generate_and_rule_changes_reach_untouched_pages = \
    CurationMachine.TestCase


def test_a_removal_outlives_rules_that_drop_the_tag_and_then_give_it_back():
    # The sequence random runs rarely hit: with only 'rule_tags' to go on, the removal
    # would be forgotten once the rules agreed with it, and the tag would come back.
    machine = CurationMachine()
    machine.start()
    try:
        title = "Quiet learning of sparse maps"  # alpha, by the word Kappa
        machine.toggle(title, "alpha")  # the curator removes alpha
        machine.set_words("alpha", ("Sigma",))  # the rules stop giving alpha
        machine.toggle(title, "beta")  # the curator adds beta ...
        machine.set_words("beta", ("Kappa",))  # ... the rules come to agree ...
        machine.set_words("beta", ("Lambda",))  # ... and then stop again
        machine.set_words("alpha", ("Kappa",))  # the rules give alpha back
        machine.curation_survives_and_rules_reach_untouched_topics()
        meta, _, _ = split_page(machine.path(title).read_text("utf-8"))
        assert meta["tags"] == ["beta"] and meta["rule_tags"] == ["alpha"]
        assert meta["curator_added"] == ["beta"] and meta["curator_removed"] == ["alpha"]
    finally:
        machine.teardown()


# -- check: the pull-request gate ----------------------------------------------------------

QUIET = "content/papers/quiet-learning-of-sparse-maps.md"
SLOW = "content/papers/slow-waves-in-recurrent-models.md"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A generated three-paper digest that check passes."""
    name, text = day_source(1, list(TITLES[:3]))
    root = make_project(tmp_path / "d", {name: text}, files={"topics.yml": vocabulary(
        {"alpha": ("Kappa",), "beta": ("Lambda",), "gamma": ("Omicron", "Sigma")})})
    assert run_digest(root, "generate").returncode == 0
    assert run_digest(root, "check").returncode == 0
    return root


def replace(root: Path, path: str, old: str, new: str, count: int = 1) -> None:
    target = root / path
    text = target.read_text("utf-8")
    assert old in text, old
    target.write_text(text.replace(old, new, count), "utf-8")


def lines_equal_to(root: Path, path: str, text: str) -> list[int]:
    """The numbers of the lines of a file that are exactly text."""
    lines = (root / path).read_text("utf-8").split("\n")
    return [i for i, line in enumerate(lines, 1) if line == text]


def line_of(root: Path, path: str, text: str) -> int:
    return lines_equal_to(root, path, text)[0]


def digest_of(root: Path) -> str:
    return hashlib.sha256(repr(sorted(tree(root).items())).encode()).hexdigest()


GENERATE = "run 'digest generate' and commit the result"


def broken_yaml(root):
    replace(root, QUIET, "featured: false", "featured: [oops")
    start = line_of(root, QUIET, 'featured: [oops')
    return [f"{QUIET}:{start + 1}: broken front-matter YAML: did not find expected ',' or ']' "
            f"while parsing a flow sequence that starts on line {start}; fix the YAML (quote "
            "values that contain ': ')"]


def unknown_tag(root):
    replace(root, QUIET, "tags:\n- alpha\n", "tags:\n- alpha\n- alpah\n")
    return [f"{QUIET}:{line_of(root, QUIET, '- alpah')}: tag 'alpah' is not a topic in the "
            "vocabulary; did you mean 'alpha'?"]


def duplicate_paper(root):
    (root / "content/papers/quiet-copy.md").write_bytes((root / QUIET).read_bytes())
    return [f"{QUIET}:2: duplicate paper: content/papers/quiet-copy.md has the same id (title:"
            "quiet learning of sparse maps); merge the notes into one page and delete the other"]


def duplicate_slug(root):
    (root / QUIET.replace("quiet", "Quiet")).write_bytes((root / QUIET).read_bytes())
    return [f"{QUIET}:1: duplicate slug: {QUIET.replace('quiet', 'Quiet')} has the same name "
            "but for case; merge the notes into one page and delete the other"]


def notes_heading_deleted(root):
    replace(root, QUIET, "## Notes\n", "Notes\n")
    closing = lines_equal_to(root, QUIET, "---")[1]
    return [f"{QUIET}:{closing + 1}: the '## Notes' heading is missing; "
            "put it back and write notes under it"]


def notes_heading_mistyped(root):
    replace(root, QUIET, "## Notes\n", "## notes\n")
    return [f"{QUIET}:{line_of(root, QUIET, '## notes')}: '## notes' should read '## Notes' "
            "exactly; correct it"]


def notes_heading_duplicated(root):
    replace(root, QUIET, "## Notes\n", "## Notes\nMine.\n\n## Notes\n")
    second = lines_equal_to(root, QUIET, "## Notes")[1]
    return [f"{QUIET}:{second}: a second '## Notes' heading; generate keeps everything below "
            "the first one, so delete this one (use '### ' for headings inside your notes)"]


def text_above_notes(root):
    replace(root, QUIET, "\n## Notes\n", "\nA note in the wrong place.\n\n## Notes\n")
    return [f"{QUIET}:{line_of(root, QUIET, 'A note in the wrong place.')}: the generated text "
            "above '## Notes' differs from what 'digest generate' writes, which replaces it; "
            f"move any text of yours below '## Notes', then {GENERATE}"]


def closing_fence_deleted(root):
    replace(root, QUIET, "---\n\n<!-- Generated", "\n<!-- Generated")
    generated = next(i for i, line in enumerate(
        (root / QUIET).read_text("utf-8").split("\n"), 1) if line.startswith("<!-- Generated"))
    return [f"{QUIET}:{generated}: the front-matter's closing '---' line is missing; put a "
            "line '---' back after the last front-matter key, above this line"]


def opening_fence_deleted(root):
    replace(root, QUIET, "---\ntitle:", "title:")
    return [f"{QUIET}:1: the page does not start with '---' front-matter; restore the '---' "
            "lines around the YAML header"]


def source_not_generated(root):
    name, text = day_source(2, [TITLES[0]])
    (root / "sources" / name).write_text(text, "utf-8")
    listed = line_of(root, QUIET, "- 2025-01-01") + 1
    return [f"content/dates/2025-01-02.md:1: is missing; {GENERATE}",
            f"{QUIET}:{listed}: differs from what 'digest generate' writes; {GENERATE}"]


def page_no_source_lists(root):
    # The source is corrected to another title: the old page stays, and check names it.
    replace(root, "sources/2025-01-01-hf-papers.txt", "Quiet learning of sparse maps", "Quiet maps")
    return [f"{QUIET}:1: no source lists this paper any more; restore its source, or delete the "
            "page if the paper should leave the digest"]


BAD_PRS = [broken_yaml, unknown_tag, duplicate_paper, duplicate_slug, notes_heading_deleted,
           notes_heading_mistyped, notes_heading_duplicated, text_above_notes, closing_fence_deleted,
           opening_fence_deleted, source_not_generated, page_no_source_lists]


@pytest.mark.parametrize("case", BAD_PRS, ids=lambda case: case.__name__)
def test_check_reports_a_bad_pull_request_with_path_line_and_writes_nothing(small, case):
    expected = case(small)
    before = digest_of(small)
    result = run_digest(small, "check")
    assert result.returncode == 1
    # The example site_url's warning (tests/test_init.py) is not one of the problems.
    problems = [line for line in result.stderr.splitlines()
                if not line.startswith("digest:") and ": warning: " not in line]
    for line in expected:
        assert line in problems
    if case is page_no_source_lists:  # the corrected title's new page is simply missing
        assert all(p in expected or "differs from" in p or "is missing" in p for p in problems)
    elif case is source_not_generated:  # and every other page that lists the new day
        assert all(re.fullmatch(rf"content/\S+:\d+: (differs from what 'digest generate' "
                                rf"writes|is missing); {GENERATE}", p) for p in problems)
    else:
        assert problems == expected
    assert digest_of(small) == before


def test_a_hidden_paper_keeps_its_page_but_leaves_every_index_feed_and_bibliography(small):
    replace(small, QUIET, "hidden: false", "hidden: true")
    assert run_digest(small, "generate").returncode == 0
    slug, title = Path(QUIET).stem, "Quiet learning of sparse maps"
    page = (small / QUIET).read_text("utf-8")
    assert "hidden: true" in page and "search:\n  exclude: true" in page
    elsewhere = {path: data.decode("utf-8") for path, data in tree(small / "content").items()
                 if path != f"papers/{slug}.md"}
    assert {p.split("/")[0] for p in elsewhere} >= {"feeds", "bib", "topics", "dates", "papers"}
    for path, text in elsewhere.items():
        assert slug not in text and title not in text, path
    assert run_digest(small, "check").returncode == 0
    # Built, the page is there, and search does not find it (the other papers it does).
    assert run_digest(small, "build").returncode == 0
    assert (small / f"site/papers/{slug}/index.html").is_file()
    found = {r["url"] for r in search_records(small / "site")}
    assert found and f"/papers/{slug}/" not in found
    # Its page says noindex, so the sitemap leaves it out (the other papers it lists).
    sitemap = (small / "site/sitemap.xml").read_text("utf-8")
    assert "/papers/" in sitemap and f"/papers/{slug}/" not in sitemap


def test_generate_keeps_a_page_no_source_lists_and_says_so(small):
    page_no_source_lists(small)
    kept = (small / QUIET).read_bytes()
    result = run_digest(small, "generate")
    assert result.returncode == 0
    assert (small / QUIET).read_bytes() == kept
    assert "generate: 1 page is no longer listed by any source; 'digest check' names them" \
        in result.stderr


def test_build_refuses_a_page_no_source_lists_and_keeps_the_last_site(small):
    assert run_digest(small, "build").returncode == 0
    site = tree(small / "site")
    expected = page_no_source_lists(small)
    # Built, the kept page would link the day whose page went with its source.
    for attempt in range(2):  # the second time generate recalls the first's orphans
        result = run_digest(small, "build")
        assert result.returncode == 1, result.stdout
        assert [line for line in result.stderr.splitlines()
                if line.startswith("content/")] == expected, attempt
        assert "digest: the site was not built; site/ is as it was" in result.stderr
        assert tree(small / "site") == site


def test_every_paper_page_has_an_edit_button_to_its_source_file(built_site):
    config = yaml.safe_load((built_site / "mkdocs.yml").read_text("utf-8"))
    base = f"{config['repo_url']}/{config['edit_uri']}"
    assert base == "https://github.com/example/digest/edit/main/content/"
    pages = sorted((built_site / "content/papers").glob("*.md"))
    assert [p.stem for p in pages] == sorted(GOLDEN_PAPERS)
    for md in pages:
        html = (built_site / "site/papers" / md.stem / "index.html").read_text("utf-8")
        buttons = re.findall(r'<a href="([^"]+)"[^>]*class="md-content__button md-icon"', html)
        assert f"{base}papers/{md.stem}.md" in buttons, md.stem


# -- the precedence, case by case (curate.py's docstring) -----------------------------------

def stored(tags, rule_tags, added=(), removed=()):
    from generator.curate import parse_page

    lists = {"tags": tags, "rule_tags": rule_tags, "curator_added": added,
             "curator_removed": removed}
    front = "".join(f"{k}: {list(v)!r}\n" for k, v in lists.items() if v or k.endswith("tags"))
    return parse_page(f"---\nid: title:x\n{front}---\n\n## Notes\n", "p.md")


@pytest.mark.parametrize("rules, page, expected", [
    # Without bookkeeping, the choices are the difference between tags and rule_tags.
    (("a", "c"), stored(["a", "x"], ["a", "b"]), (("a", "c", "x"), ("x",), ("b",))),
    # Standing choices hold even where tags and rule_tags now agree.
    (("b", "c"), stored(["a", "x"], ["a"], ["x"], ["b"]), (("c", "x"), ("x",), ("b",))),
    # The latest choice wins: re-adding a removed tag, removing an added one.
    (("c",), stored(["b"], ["b"], [], ["b"]), (("c", "b"), ("b",), ())),
    (("c",), stored([], ["c"], ["x"], []), ((), (), ("c", "x"))),
    # An untouched page follows the rules.
    (("c",), stored(["a"], ["a"]), (("c",), (), ())),
])
def test_curator_choices_beat_rules_and_the_latest_choice_wins(rules, page, expected):
    from generator.curate import resolve_tags

    choice = resolve_tags(rules, page)
    assert (choice.tags, choice.added, choice.removed) == expected
