"""Faithful, safe text: hostile titles and abstracts stay text, from source to browser.

Two depths. A Hypothesis test feeds arbitrary Unicode (with HTML, Markdown, YAML and Jinja
metacharacters) through ``generate`` and the real Markdown rendering. A Playwright test
builds a site from hostile sources and opens it in Chromium: nothing from a source runs.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import frontmatter
import markdown
import pytest
import yaml
from markupsafe import escape
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import ROOT, listing, make_project, run_digest, search_records, static_server
from generator import clean, pipeline
from generator.project import Project

DAY = "2025-01-02"


# --- rendering Markdown the way MkDocs does ------------------------------------------


@functools.cache
def markdown_settings() -> tuple[list, dict]:
    """The extensions mkdocs.yml lists, plus the three MkDocs always adds."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))
    names, configs = ["toc", "tables", "fenced_code"], {}
    for entry in config["markdown_extensions"]:
        name, options = next(iter(entry.items())) if isinstance(entry, dict) else (entry, None)
        if name not in names:
            names.append(name)
        if options:
            configs[name] = options
    return names, configs


def render(page_text: str) -> str:
    body = frontmatter.loads(page_text).content
    names, configs = markdown_settings()
    return markdown.markdown(body, extensions=names, extension_configs=configs)


class Elements(HTMLParser):
    """Every (element, attribute) pair of an HTML fragment, and every link target."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: set[tuple[str, str]] = set()
        self.targets: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.pairs.add((tag, ""))
        for name, value in attrs:
            self.pairs.add((tag, name))
            if name in ("href", "src", "action", "formaction", "data"):
                self.targets.append(value or "")


def elements(fragment: str) -> Elements:
    parser = Elements()
    parser.feed(fragment)
    parser.close()
    return parser


SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def unsafe_targets(targets: list[str]) -> list[str]:
    """Link targets with a scheme other than http(s): javascript:, data:, vbscript: ..."""
    return [t for t in targets if (m := SCHEME.match(t)) and m[1].lower() not in ("http", "https")]


# --- Hypothesis: arbitrary text through generate and Markdown ------------------------

HOSTILE = [
    "!!python/object/apply:os.system", "!!python/name:os.system", "- ", "-", "!", "&", "*",
    "#", "%", "@", "'", '"', ":", ": ", "|", "`", "```", "~~~", "$", "\\", "\n", "\t",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b>", "</p>", "<!--",
    "<iframe src=javascript:alert(1)>", "[x](javascript:alert(1))", "![i](x)", "<a href=",
    "{{ 7*7 }}", "{% raw %}", "{#", "{: onclick=alert(1) }", "{ .md-tag }", "&amp;", "&#60;",
    "javascript:", "https://github.com/a/b", "http://x.org/(y)", "<https://x.org>",
    "*a*", "**b**", "_c_", "[^1]", "!!! note", "???+ tip", "    code", "> quote", "1. ",
    "---", "...", "? ", "%YAML", "&anchor", "*alias", "null", "true", "0x1F", "1e3",
    "😀", "👩‍🔬", "🏳️‍🌈", "\u202e", "\u200f", "עברית", "العربية", "\u00a0", "\ufeff", "ﬁ",
    "{\\it x}", "\\emph{y}", "mathcal{O}(n^2)", "80\\%", "``q''", "~", "^", "_{ij}",
]
# Text, not surrogates: an unpaired surrogate cannot be written to a source file at all.
characters = st.characters(blacklist_categories=("Cs",))
pieces = st.one_of(st.sampled_from(HOSTILE), st.text(characters, max_size=6))
hostile_text = st.lists(pieces, min_size=1, max_size=12).map("".join)


def _hub_item(title: str, abstract: str) -> dict:
    return {"paper": {"id": "2501.00001", "title": title, "summary": abstract,
                      "submittedOnDailyAt": f"{DAY}T00:00:00.000Z"}}


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("fuzz") / "d")


def generate_one(root: Path, title: str, abstract: str) -> tuple[str, str]:
    """Generate a digest of one paper; its page and its date page, as written."""
    shutil.rmtree(root / "content", ignore_errors=True)
    for old in (root / "sources").iterdir():
        old.unlink()
    (root / "sources" / f"{DAY}-fuzz.json").write_text(
        json.dumps([_hub_item(title, abstract)]), "utf-8")
    pipeline.generate(Project.load(root))
    (page,) = (root / "content" / "papers").glob("*.md")
    return page.read_text("utf-8"), (root / "content" / "dates" / f"{DAY}.md").read_text("utf-8")


@pytest.fixture(scope="module")
def allowed(fuzz_project) -> set[tuple[str, str]]:
    """What our templates make for a plain paper, and what the cleaning rules add."""
    pairs: set[tuple[str, str]] = set()
    for title, abstract in [("A plain title", "A plain abstract."),
                            ("Spiking neural networks", "Code at https://github.com/a/b.")]:
        for text in generate_one(fuzz_project, title, abstract):
            pairs |= elements(render(text)).pairs
    # Cleaning may make emphasis and http(s) links, nothing else.
    return pairs | {("em", ""), ("strong", ""), ("a", ""), ("a", "href")}


def front_matter(page_text: str) -> dict:
    m = re.match(r"\A---\n(.*?\n)---\n", page_text, re.S)
    assert m, page_text[:200]
    return yaml.safe_load(m[1])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=hostile_text, abstract=hostile_text)
def test_any_text_round_trips_the_front_matter_and_renders_no_new_markup(
        fuzz_project, allowed, title, abstract):
    # A source with a blank title or abstract is refused by its reader, by design.
    assume(title.split() and abstract.split())
    page, day = generate_one(fuzz_project, title, abstract)
    meta = front_matter(page)
    # The reader joins whitespace runs; cleaning does the rest. The cleaner is the oracle
    # here because the property is the YAML round trip; CLEANED_TITLES pins what it gives.
    # A title that cleans to nothing ('~') is shown as written (model.Entry.title).
    spaced = " ".join(title.split())
    assert meta["title"] == (clean.plain(spaced) or spaced)
    for text in (page, day):
        found = elements(render(text))
        assert found.pairs <= allowed, (found.pairs - allowed, text)
        assert unsafe_targets(found.targets) == []


CLEANED_TITLES = [
    ("!!python/name:os.system *a* **b** _c_", "!!python/name:os.system *a* **b** _c_"),
    ("80\\% of {\\it x} and \\emph{y}: null", "80% of x and y: null"),
    ("- &anchor *alias --- ? true", "- &anchor *alias --- ? true"),
    ("``q'' <b>bold</b> {{ 7*7 }} {% raw %} &amp; &#60;",
     "\u201cq\u201d <b>bold</b> {{ 7*7 }} {% raw %} &amp; &#60;"),
    ("\ufb01 \u00a0 \u05e2\u05d1\u05e8\u05d9\u05ea \U0001F600 [x](javascript:alert(1))",
     "\ufb01 \u05e2\u05d1\u05e8\u05d9\u05ea \U0001F600 [x](javascript:alert(1))"),
]


@pytest.mark.parametrize("title, shown", CLEANED_TITLES)
def test_hostile_titles_reach_the_front_matter_as_this_text(fuzz_project, title, shown):
    page, _day = generate_one(fuzz_project, title, "A plain abstract.")
    assert front_matter(page)["title"] == shown


# --- a hostile source, built and opened in Chromium ----------------------------------

MARK = "window.__pwned=1"
TITLE = (f"<script>{MARK};alert(1)</script> <img src=x onerror=\"{MARK};alert(1)\"> "
         "{{ 7*7 }} {% raw %} spiking neural networks")
ABSTRACT = (f"<iframe src=\"javascript:parent.__pwned=1;alert(1)\"></iframe> "
            f"[x](javascript:{MARK}) <svg onload=\"{MARK}\"></svg> {{{{ 7*7 }}}} {{% raw %}} "
            f"<a href=\"javascript:{MARK}\">click</a> ![i](javascript:{MARK}) "
            "We study spiking neural networks. Code: https://gitlab.com/lab/hostile-code.")
JSON_TITLE = "JSON " + TITLE
JSON_ITEM = {"paper": {
    "id": "2501.00002", "title": JSON_TITLE, "summary": ABSTRACT,
    "authors": [{"name": f"<img src=x onerror=\"{MARK}\">"}, {"name": "Eve \"</p><script>"}],
    "submittedOnDailyAt": f"{DAY}T00:00:00.000Z", "publishedAt": "2024-12-30T00:00:00.000Z",
    "upvotes": 3, "githubRepo": f"javascript:{MARK}//github.com/a/b", "githubStars": 5,
    "projectPage": "https://example.org/\"><script>alert(1)</script>",
    "ai_summary": f"\"><script>{MARK}</script> a summary",
    "ai_keywords": [f"<script>{MARK}</script>", "spiking"],
    "organization": {"fullname": f"<b onmouseover=\"{MARK}\">Org</b>"}}}
SAFE_REPO = {"paper": {
    "id": "2501.00003", "title": "A paper with its code on GitHub", "summary":
    "We release a spiking toolkit. Our implementation: https://gitlab.com/lab/toolkit.",
    "submittedOnDailyAt": f"{DAY}T00:00:00.000Z",
    "githubRepo": "https://github.com/lab/toolkit", "githubStars": 9}}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("hostile") / "d", {
        "2025-01-01-hf-papers.txt": listing("Jan 1", (TITLE, ABSTRACT)),
        f"{DAY}-hf-daily.json": json.dumps([JSON_ITEM, SAFE_REPO])})
    result = run_digest(root, "build")
    assert result.returncode == 0, result.stderr + result.stdout
    return root


def slugs(root: Path) -> dict[str, str]:
    """Front-matter id to slug, for every paper page."""
    return {frontmatter.load(p)["id"]: p.stem for p in (root / "content/papers").glob("*.md")}


def test_only_http_and_https_links_and_sources_are_made_anywhere(hostile_site):
    pages = sorted((hostile_site / "site").rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        found = elements(path.read_text("utf-8"))
        assert unsafe_targets(found.targets) == [], path
        assert not any(name.startswith("on") for _tag, name in found.pairs), path
        assert ("iframe", "") not in found.pairs and ("svg", "onload") not in found.pairs


def test_hostile_json_links_are_dropped_and_code_hosts_become_the_code_button(hostile_site):
    ids = slugs(hostile_site)
    hostile = frontmatter.load(hostile_site / "content/papers" / f"{ids['arxiv:2501.00002']}.md")
    # githubRepo was javascript:, projectPage broke out of its quotes: neither is a link.
    assert hostile["links"]["code"] == ["https://gitlab.com/lab/hostile-code"]
    assert "project" not in hostile["links"]
    safe = frontmatter.load(hostile_site / "content/papers" / f"{ids['arxiv:2501.00003']}.md")
    assert safe["links"]["code"] == ["https://github.com/lab/toolkit",
                                     "https://gitlab.com/lab/toolkit"]
    page = (hostile_site / "site/papers" / ids["arxiv:2501.00003"] / "index.html").read_text()
    assert '<a class="md-button" href="https://github.com/lab/toolkit" rel="noopener">Code ★ 9</a>' in page
    text_page = (hostile_site / "site/papers" / ids["arxiv:2501.00002"] / "index.html").read_text()
    assert 'href="https://gitlab.com/lab/hostile-code" rel="noopener">Code ★ 5</a>' in text_page


def test_theme_printed_front_matter_is_escaped(hostile_site):
    ids = slugs(hostile_site)
    page = (hostile_site / "site/papers" / ids["arxiv:2501.00002"] / "index.html").read_text()
    title = escape(JSON_TITLE)  # cleaning leaves it as it is: HTML in a title is text
    assert f"<title>{title} - " in page  # the browser tab
    teaser = frontmatter.load(hostile_site / "content/papers" / f"{ids['arxiv:2501.00002']}.md")[
        "description"]
    assert teaser.startswith('"><script>')  # the AI summary, kept as text
    assert f'<meta name="description" content="{escape(teaser)}">' in page
    assert f"<script>{MARK}" not in page and f'onerror="{MARK}' not in page
    # Search holds the title as the text it is; the search page shows it as text (below).
    titles = [r["meta"]["title"] for r in search_records(hostile_site / "site")]
    assert JSON_TITLE in titles


@pytest.fixture(scope="module")
def hostile_served(hostile_site):
    with static_server(hostile_site / "site") as url:
        yield url


def test_nothing_from_a_source_runs_in_chromium(hostile_site, hostile_served, browser):
    served = hostile_served
    ids = slugs(hostile_site)
    text_slug = ids[next(k for k in ids if k.startswith("title:"))]
    urls = [f"{served}papers/{text_slug}/", f"{served}papers/{ids['arxiv:2501.00002']}/",
            served, f"{served}dates/{DAY}/", f"{served}dates/2025-01-01/",
            f"{served}topics/spiking-networks/", f"{served}dates/"]
    page = browser.new_page()
    dialogs, errors, outside = [], [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def offline(route):
        # No network here: answer the theme's web fonts with nothing, and note the rest.
        if not route.request.url.startswith(served):
            outside.append(route.request.url)
            route.fulfill(status=200, body="")
        else:
            route.continue_()

    page.route("**/*", offline)
    for url in urls:
        page.goto(url, wait_until="load")
        page.wait_for_timeout(100)
        assert page.evaluate("typeof window.__pwned") == "undefined", url
    # Search results show titles and excerpts: search for the hostile papers.
    page.goto(served, wait_until="load")
    page.keyboard.press("/")  # focus the header's search box
    page.keyboard.type("spiking")
    page.keyboard.press("Enter")
    page.wait_for_selector(".digest-search__result", timeout=10_000)
    page.wait_for_timeout(200)
    assert "<script>" in page.inner_text(".digest-search__results")  # shown, as text
    assert page.locator(".digest-search__results script, .digest-search__results img").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == [] and errors == []
    # Only the theme's own requests leave the site: its web fonts and the repository's facts.
    theme = ("https://fonts.googleapis.com/", "https://fonts.gstatic.com/", "https://api.github.com/")
    assert [u for u in outside if not u.startswith(theme)] == []

    # The hostile title is shown literally, as the text it is.
    page.goto(f"{served}papers/{text_slug}/", wait_until="load")
    shown = TITLE  # cleaning leaves it as it is: HTML in a title is text
    assert "<script>" in shown and "{{ 7*7 }}" in shown and "49" not in shown  # no template ran
    assert page.inner_text("article h1") == shown
    assert page.title().startswith(shown)
    assert page.text_content("[data-md-component=header-topic]").strip() == shown
    page.close()
