"""The reader's own state, kept in the browser: save toggles, the Reading list and its
exports, "new since your last visit", the BibTeX block on a phone, and the site with
JavaScript off. Chromium through Playwright, in both palettes, at desktop and phone widths.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import frontmatter
import pytest
import yaml
from playwright.sync_api import expect

from conftest import ABSTRACT, listing, make_project, run_digest, static_server
from test_browser import AXE, ARTIFACTS, PAGES, PAPER, SCHEMES, Tab

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
READING_LIST = "reading-list/"
VIEWS = [(scheme, width) for scheme in SCHEMES for width in WIDTHS]


def new_tab(browser, served: str, scheme: str, width: str, **options) -> Tab:
    context = browser.new_context(viewport=WIDTHS[width], color_scheme=scheme, **options)
    if options.get("java_script_enabled", True):
        context.grant_permissions(["clipboard-read", "clipboard-write"],
                                  origin=served.rstrip("/"))
    return Tab(context, served)


@pytest.fixture(params=VIEWS, ids=lambda v: "-".join(v))
def reader(request, browser, served) -> Iterator[tuple[str, str, Tab]]:
    """A fresh browser (nothing stored) in one palette at one width."""
    scheme, width = request.param
    tab = new_tab(browser, served, scheme, width)
    yield scheme, width, tab
    tab.page.context.close()
    assert tab.errors == [] and tab.outside == []


def serious_violations(tab: Tab) -> list[dict]:
    """axe-core's serious and critical findings on the open page."""
    tab.page.add_script_tag(path=str(AXE))
    result = tab.page.evaluate("axe.run(document)")
    assert result["passes"], "axe checked nothing"
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def fits(tab: Tab) -> bool:
    return tab.page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def label(toggle) -> str:
    """The toggle's visible label."""
    return toggle.inner_text()


def shot(tab: Tab, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_a_paper_saved_from_a_card_and_from_its_page_stays_in_the_reading_list(reader):
    scheme, width, tab = reader
    page = tab.page
    tab.open("")
    card = page.locator(".digest-cards li").first
    title = card.locator("strong a").inner_text()
    toggle = card.locator("button.digest-save")
    assert toggle.is_visible()
    assert (label(toggle), toggle.get_attribute("aria-pressed")) == ("Save", "false")
    # Screen readers hear which paper the button saves.
    assert page.get_by_role("button", name=f"Save: {title}", pressed=False).count() == 1
    # Keyboard: Tab reaches it from the card's last link, with a visible focus ring.
    card.locator("a").last.focus()
    page.keyboard.press("Tab")
    assert toggle.evaluate("b => b === document.activeElement && b.matches(':focus-visible')")
    assert toggle.evaluate("b => getComputedStyle(b).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert (label(toggle), toggle.get_attribute("aria-pressed")) == ("Saved", "true")
    assert fits(tab)
    shot(tab, f"home-saved-{scheme}-{width}")

    tab.open(PAGES["paper"])
    header = page.locator("header.digest-paper")
    paper_title = header.locator("h1").inner_text()
    toggle = header.locator("button.digest-save")
    assert (label(toggle), toggle.get_attribute("aria-pressed")) == ("Save", "false")
    toggle.focus()
    page.keyboard.press("Space")
    assert (label(toggle), toggle.get_attribute("aria-pressed")) == ("Saved", "true")
    assert serious_violations(tab) == []

    tab.open(READING_LIST)
    page.reload()
    items = page.locator(".digest-reading-list__items > li")
    assert items.locator("a").all_inner_texts() == [title, paper_title]
    assert page.locator(".digest-needs-js").count() == 0
    assert fits(tab)
    assert serious_violations(tab) == []
    shot(tab, f"reading-list-{scheme}-{width}")
    # Removing is kept too, and the paper page's toggle says so.
    page.get_by_role("button", name=f"Remove: {title}").click()
    expect(page.get_by_role("status")).to_have_text(f"Removed {title}.")
    page.reload()
    assert items.locator("a").all_inner_texts() == [paper_title]
    items.locator("a").first.click()
    tab.arrive(f"**/{PAGES['paper']}", paper_title)
    assert header.locator("button.digest-save").get_attribute("aria-pressed") == "true"


def test_the_reading_list_exports_bibtex_that_bibtexparser_reads_and_a_list_of_links(
        browser, served, built_site):
    tab = new_tab(browser, served, "light", "desktop")
    page = tab.page
    try:
        # Two papers saved from cards (their BibTeX is read from their pages at export),
        # one from its page (its BibTeX kept when saved).
        tab.open("")
        cards = page.locator(".digest-cards li")
        slugs = [cards.nth(i).locator("button.digest-save").get_attribute("data-digest-save")
                 for i in (0, 1)]
        for i in (0, 1):
            cards.nth(i).locator("button.digest-save").click()
        tab.open(PAGES["paper"])
        page.locator("header.digest-paper button.digest-save").click()
        slugs.append(PAPER)
        # And one whose page cannot be read (as offline): a minimal entry, with a title
        # full of TeX's special characters, must still parse.
        odd = {"slug": "no-such-page", "title": "50% of {braces} & $dollars_ ~ #1 ^ \\",
               "url": "papers/no-such-page/", "listed": ["2025-09-08"], "bib": None}
        page.evaluate("""odd => {
            const key = `digest:${new URL(__md_scope).pathname}:saved`;
            localStorage.setItem(key, JSON.stringify([...JSON.parse(localStorage.getItem(key)), odd]));
        }""", odd)
        slugs.append(odd["slug"])

        tab.open(READING_LIST)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download BibTeX").click()
        assert download.value.suggested_filename == "reading-list.bib"
        text = Path(download.value.path()).read_text("utf-8")
        library = bibtexparser.parse_string(text)
        assert library.failed_blocks == []
        assert [e.key for e in library.entries] == slugs
        for slug in slugs[:3]:  # each paper's own entry, as its page gives it
            post = frontmatter.load(built_site / f"content/papers/{slug}.md")
            entry = post.content.split("~~~bibtex\n", 1)[1].split("~~~", 1)[0]
            assert entry in text
        assert library.entries[3]["title"] == (
            r"{50\% of \textbraceleft{}braces\textbraceright{} \& \$dollars\_ "
            r"\textasciitilde{} \#1 \textasciicircum{} \textbackslash{}}")
        # The missing page was asked for, and answered 404: the only error expected.
        assert all("404" in e for e in tab.errors), tab.errors
        tab.errors.clear()

        page.get_by_role("button", name="Copy links").click()
        expect(page.get_by_role("status")).to_have_text("Links copied.")
        links = page.evaluate("navigator.clipboard.readText()").splitlines()
        titles = page.locator(".digest-reading-list__items > li > a").all_inner_texts()
        assert links == [f"- [{t}]({served}papers/{s}/)" for t, s in zip(titles, slugs)]
        with page.expect_download() as download:
            page.get_by_role("button", name="Download links").click()
        assert Path(download.value.path()).read_text("utf-8").splitlines() == links
        page.get_by_role("button", name="Copy BibTeX").click()
        expect(page.get_by_role("status")).to_have_text("BibTeX copied.")
        assert page.evaluate("navigator.clipboard.readText()") == text
        assert all("404" in e for e in tab.errors), tab.errors  # asked again: still none
        tab.errors.clear()
    finally:
        tab.page.context.close()
    assert tab.errors == [] and tab.outside == []


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_the_bibtex_block_fits_a_phone_and_still_copies(browser, served, built_site, scheme):
    tab = new_tab(browser, served, scheme, "phone")
    try:
        tab.open(PAGES["paper"])
        block = tab.page.locator("#cite + .highlight")
        code = block.locator("code")
        # Long lines wrap inside the block: nothing hidden to its right, nothing past the page.
        assert code.evaluate("c => c.scrollWidth <= c.clientWidth")
        assert fits(tab)
        box = block.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS["phone"]["width"]
        block.hover()
        block.locator("button[data-md-type=copy]").click()
        post = frontmatter.load(built_site / f"content/papers/{PAPER}.md")
        copied = tab.page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith(f"@misc{{{PAPER},") and copied.strip() in post.content
        block.scroll_into_view_if_needed()
        shot(tab, f"bibtex-phone-{scheme}")
    finally:
        tab.page.context.close()
    assert tab.errors == [] and tab.outside == []


@pytest.mark.parametrize("width", list(WIDTHS))
def test_without_javascript_the_site_reads_and_shows_no_broken_button(browser, served, width):
    tab = new_tab(browser, served, "light", width, java_script_enabled=False)
    page = tab.page
    try:
        for kind in ("home", "paper", "topic", "date"):
            tab.open(PAGES[kind])
            assert page.locator("article h1").is_visible(), kind
            assert page.locator("button.digest-save").count() > 0, kind
            assert page.locator("button.digest-save:visible").count() == 0, kind
            # Every button still shown says what it does.
            unnamed = page.locator("button:visible").evaluate_all(
                "bs => bs.filter(b => !(b.textContent.trim() || b.getAttribute('aria-label')"
                " || b.title)).map(b => b.outerHTML)")
            assert unnamed == [], (kind, unnamed)
        assert page.locator(".digest-cards li").first.is_visible()
        tab.open(READING_LIST)
        needs = page.locator(".digest-needs-js")
        assert needs.is_visible()
        assert "needs JavaScript" in needs.inner_text()
        assert page.locator("article button:visible").count() == 0
        shot(tab, f"reading-list-no-js-{width}")
    finally:
        page.context.close()
    assert tab.errors == [] and tab.outside == []


# --- new since your last visit: a scratch digest that grows by a day -----------------

NEW_TITLE = "Sparse Spiking Codes for Event Cameras at the Edge"


def test_papers_listed_after_the_last_visit_are_marked_after_a_new_day(browser, tmp_path):
    root = make_project(tmp_path / "d", bundled=True)
    assert run_digest(root, "build").returncode == 0
    site_url = yaml.safe_load((root / "mkdocs.yml").read_text("utf-8"))["site_url"]
    newest = max(p.name[:10] for p in (root / "sources").iterdir())
    again = frontmatter.load(next(
        p for p in sorted((root / "content/papers").glob("*.md"))
        if frontmatter.load(p)["listed"][0].isoformat() == "2025-03-11"))
    mark = ".digest-since-visit"
    # One served address throughout (mkdocs rebuilds site/ in place), so each browser
    # keeps its storage across the rebuild, as a returning reader's does.
    with static_server(root / "site", site_url) as served:
        tabs = {view: new_tab(browser, served, *view) for view in VIEWS}
        first: list[Tab] = []
        try:
            for tab in tabs.values():
                # A first visit marks nothing, wherever it starts.
                for path in ("dates/2025-03-17/", "", f"dates/{newest}/"):
                    tab.open(path)
                    assert tab.page.locator(".digest-cards li").count() > 0
                    assert tab.page.locator(mark).count() == 0, path

            day = listing("Sep 9", (NEW_TITLE, ABSTRACT), (again["title"], ABSTRACT))
            (root / "sources/2025-09-09-hf-papers.txt").write_text(day, "utf-8")
            result = run_digest(root, "build")
            assert result.returncode == 0, result.stderr

            # The reader comes back, in a new tab of the same browser.
            first = list(tabs.values())
            tabs = {view: Tab(tab.page.context, tab.served) for view, tab in tabs.items()}
            for (scheme, width), tab in tabs.items():
                for path in ("", "dates/2025-09-09/", "dates/2025-03-11/"):
                    tab.open(path)
                    marked = tab.page.locator(f".digest-cards li:has({mark}) strong a")
                    expected = {NEW_TITLE, again["title"]} if path != "dates/2025-03-11/" \
                        else {again["title"]}
                    assert set(marked.all_inner_texts()) == expected, (path, scheme, width)
                    assert tab.page.locator(mark).first.inner_text() == "New since your last visit"
                    assert fits(tab)
                tab.open("")
                tab.page.locator(mark).first.scroll_into_view_if_needed()
                shot(tab, f"new-since-last-visit-{scheme}-{width}")
                # Still marked on a reload: the visit lasts until the next new day.
                tab.page.reload()
                assert tab.page.locator(mark).count() == 2
                assert serious_violations(tab) == []
        finally:
            for tab in tabs.values():
                tab.page.context.close()
    for tab in [*first, *tabs.values()]:
        assert tab.errors == [] and tab.outside == []


def test_two_digests_on_one_host_keep_separate_lists(browser, built_site, tmp_path):
    # The same site twice on one host, at /a/ and /b/: one origin, so one localStorage.
    for name in ("a", "b"):
        (tmp_path / name).symlink_to(built_site / "site", target_is_directory=True)
    with static_server(tmp_path) as served:
        tab = new_tab(browser, served, "light", "desktop")
        try:
            tab.open(f"a/{PAGES['paper']}")
            tab.page.locator("header.digest-paper button.digest-save").click()
            tab.open(f"a/{READING_LIST}")
            assert tab.page.locator(".digest-reading-list__items > li").count() == 1
            tab.open(f"b/{READING_LIST}")
            assert tab.page.locator(".digest-reading-list__items > li").count() == 0
            assert "Nothing saved yet" in tab.page.inner_text(".digest-reading-list")
            tab.open(f"b/{PAGES['paper']}")
            toggle = tab.page.locator("header.digest-paper button.digest-save")
            assert toggle.get_attribute("aria-pressed") == "false"
            keys = tab.page.evaluate("Object.keys(localStorage)")
            assert [k for k in keys if k.startswith("digest:")] == ["digest:/a/:saved"], keys
        finally:
            tab.page.context.close()
    assert tab.errors == [] and tab.outside == []
