"""Notes are sanitised HTML: Markdown and safe inline HTML render, script never runs (issue 13, 11)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ABSTRACT, listing, make_project, run_digest, search_records, static_server

HOSTILE = """
<script>window.__pwned = "script"; alert("script")</script>
<img src="x" onerror="window.__pwned = 'onerror'; alert('onerror')">
<img src="https://outside.example/tracker.png" alt="tracker">
<a href="javascript:window.__pwned = 'href'; alert('href')">a javascript: link</a>
<iframe src="https://outside.example/frame" srcdoc="<script>parent.__pwned = 'frame'</script>"></iframe>
<style>body { display: none } .md-content { background: url(https://outside.example/bg) }</style>
<svg onload="window.__pwned = 'svg'"><circle r="1"/></svg>

A paragraph with a handler
{ onclick="window.__pwned = 'attr_list'" style="color: red" }

### A heading { onmouseover="window.__pwned = 'heading'" #__config }
"""

FRIENDLY = """
Some **bold words**, *an emphasis*, and a [safe link](https://example.org/paper).
Press <kbd>Ctrl</kbd>+<kbd>K</kbd>, read <a href="../other/">a relative link</a> and
<em>inline emphasis</em>.

- first point
- second point

And in order:

1. one
2. two

### A heading of mine
"""


@pytest.fixture(scope="module")
def notes_site(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("notes") / "d", {
        "2025-01-01-hf-papers.txt": listing("Jan 1", ("Quiet maps", ABSTRACT))})
    assert run_digest(root, "generate").returncode == 0
    page = root / "content/papers/quiet-maps.md"
    page.write_text(page.read_text("utf-8") + FRIENDLY + HOSTILE, "utf-8")
    result = run_digest(root, "build")
    assert result.returncode == 0, result.stderr + result.stdout
    return root


def notes_html(root: Path) -> str:
    html = (root / "site/papers/quiet-maps/index.html").read_text("utf-8")
    return html[html.index('<h2 id="notes">'):html.index("</article>")]


class Markup(HTMLParser):
    """Every element and attribute of some HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]


def test_nothing_unsafe_from_a_note_reaches_the_page_or_the_search_index(notes_site):
    notes = notes_html(notes_site)
    assert '<h2 id="notes">Notes<a class="headerlink" href="#notes"' in notes  # permalink kept
    assert "attr_list" not in notes  # attr_list took the handler: it is not shown as text
    # Search holds text only: what a note's markup left as text, and nothing it removed.
    searched = " ".join(r["content"] for r in search_records(notes_site / "site"))
    for html in (notes, searched):
        found = Markup(html)
        assert not {"script", "iframe", "style", "svg"} & set(found.tags)
        for tag, name, value in found.attributes:
            assert not name.startswith("on") and name not in ("style", "srcdoc"), (tag, name)
            assert "javascript:" not in value and "outside.example" not in value, (tag, value)
            assert not (name == "id" and value.startswith("_")), (tag, value)
        assert "__pwned" not in html


def test_a_notes_markdown_and_safe_html_render(notes_site):
    notes = notes_html(notes_site)
    for safe in ("<strong>bold words</strong>", "<em>an emphasis</em>",
                 '<a href="https://example.org/paper" rel="noopener noreferrer">safe link</a>',
                 "<kbd>Ctrl</kbd>+<kbd>K</kbd>", '<a href="../other/" rel="noopener noreferrer">',
                 "<em>inline emphasis</em>", "<li>first point</li>", "<ol>\n<li>one</li>",
                 '<h3 id="a-heading-of-mine">A heading of mine<a class="headerlink"'):
        assert safe in notes, safe


def test_a_hostile_note_runs_nothing_and_requests_nothing_in_chromium(notes_site, browser):
    with static_server(notes_site / "site") as served:
        page = browser.new_page()
        dialogs, outside = [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        def offline(route):
            if route.request.url.startswith(served):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.fulfill(status=200, body="")

        page.route("**/*", offline)
        page.goto(f"{served}papers/quiet-maps/", wait_until="load")
        page.wait_for_timeout(200)
        # Every element of the notes is clicked and hovered, to fire any handler left.
        for selector in ("article >> text=a javascript: link",
                         "article >> text=A paragraph with a handler",
                         "article h3 >> nth=-1"):
            page.hover(selector)
            page.click(selector, no_wait_after=True)
        page.wait_for_timeout(200)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert dialogs == []
        # Only the theme's own request for the repository's facts leaves the site.
        assert [u for u in outside if not u.startswith("https://api.github.com/")] == []
        # And what a curator meant to show is shown.
        article = page.locator("article")
        assert article.locator("strong", has_text="bold words").is_visible()
        assert article.locator("em", has_text="an emphasis").is_visible()
        assert article.locator("kbd", has_text="Ctrl").is_visible()
        assert article.locator("a", has_text="safe link").get_attribute("href") == \
            "https://example.org/paper"
        assert article.locator("li", has_text="second point").is_visible()
        assert article.locator("a", has_text="a javascript: link").get_attribute("href") is None
        page.close()
