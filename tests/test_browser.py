"""The bundled digest as a reader sees it: the built site in Debian's Chromium.

Every test opens the real ``mkdocs build`` output, served on 127.0.0.1, with Playwright.
Requests that leave the site are answered with an empty 200 and recorded: the site must
work offline and make no third-party requests. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
from collections.abc import Iterator

import frontmatter
import pytest
import yaml

from conftest import FIXTURES, ROOT, make_project, run_digest, static_server
from generator import pipeline
from generator.project import Project

ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORT = {"width": 1280, "height": 800}

# A word that only one abstract of the bundled sources holds (tests/test_site.py checks it).
WORD = "blimp"
PAPER = "evolving-spiking-neural-networks-to-mimic-pid-control-for-autonomous-blimps"
TOPIC = "spiking-networks"
DAY = "2025-03-11"
PAGES = {
    "home": "",
    "paper": f"papers/{PAPER}/",
    "topic": f"topics/{TOPIC}/",
    "date": f"dates/{DAY}/",
    "dates": "dates/",
    "topics": "topics/",
    "search": f"search/?q={WORD}",
}
SCHEMES = {"light": "default", "dark": "slate"}


class Tab:
    """One browser page on the served site, recording errors and outside requests."""

    def __init__(self, context, served: str) -> None:
        self.served = served
        self.page = context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)

    def _route(self, route) -> None:
        # No network in the tests, and the site should need none: note, answer empty.
        if route.request.url.startswith(self.served):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.fulfill(status=200, body="")

    def open(self, path: str) -> None:
        # Material's bundle is a plain script at the end of the body: it has run by "load".
        self.page.goto(self.served + path, wait_until="load")

    def heading(self) -> str:
        """The page's h1 without its permalink mark."""
        return self.page.inner_text("article h1").removesuffix("¶").strip()

    def arrive(self, path_glob: str, heading: str) -> None:
        """Wait for an (instant) navigation to reach the page with this h1."""
        self.page.wait_for_url(path_glob)
        self.page.wait_for_function(
            "h => document.querySelector('article h1')?.textContent.replace('¶', '').trim() === h",
            arg=heading)

    def scheme(self) -> str:
        return self.page.evaluate("document.body.getAttribute('data-md-color-scheme')")


@pytest.fixture
def tab(browser, served) -> Iterator[Tab]:
    """A fresh page in light mode (a fresh context: nothing stored from other tests)."""
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.rstrip("/"))
    tab = Tab(context, served)
    yield tab
    context.close()
    assert tab.errors == []
    assert tab.outside == []


def search(tab, words: str) -> None:
    """Search from the header's box, as a reader does: "/" focuses it, Enter opens results."""
    tab.page.keyboard.press("/")
    tab.page.keyboard.type(words)
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_url("**/search/?q=*")
    tab.page.locator(".digest-search__result").first.wait_for()


def result_links(tab) -> list[str]:
    return tab.page.locator(".digest-search__title a").evaluate_all("as => as.map(a => a.href)")


def test_a_word_from_one_abstract_finds_that_paper_and_opens_it(tab):
    tab.open("")
    search(tab, WORD)
    # Only paper pages are indexed, and only this one holds the word.
    assert result_links(tab) == [tab.served + f"papers/{PAPER}/"]
    assert tab.page.inner_text("[data-digest-search-status]") == "1 paper"
    assert tab.page.locator("[data-digest-search-more]").is_hidden()  # nothing more to show
    first = tab.page.locator(".digest-search__result").first
    assert "Blimps" in first.inner_text()
    assert first.locator("mark").first.inner_text().lower().startswith(WORD)  # the hit, marked
    first.locator("a").first.click()
    tab.arrive(f"**/papers/{PAPER}/**", "Evolving Spiking Neural Networks to Mimic PID "
               "Control for Autonomous Blimps")


def test_an_exact_title_comes_first_even_when_its_words_are_everywhere(tab, built_site):
    # The paper whose title's words the most other papers also hold: the hardest to rank.
    papers = {slug: (post["title"], post.content.lower()) for slug, post in
              ((p.stem, frontmatter.load(p)) for p in (built_site / "content/papers").glob("*.md"))}

    def rivals(title: str) -> int:
        words = [w for w in title.lower().replace(":", " ").split() if len(w) > 3]
        return sum(all(w in text for w in words) for _t, text in papers.values())

    slug = max(sorted(papers), key=lambda s: rivals(papers[s][0]))
    title = papers[slug][0]
    assert rivals(title) > 1, title
    tab.open("")
    search(tab, title)
    assert result_links(tab)[0] == tab.served + f"papers/{slug}/"
    assert tab.page.locator(".digest-search__title").first.inner_text() == title


def test_a_topic_filter_narrows_the_results_to_that_topic_and_the_address_keeps_it(tab):
    tab.open("search/?q=learning")
    tab.page.locator(".digest-search__result").first.wait_for()
    everything = int(tab.page.inner_text("[data-digest-search-status]").split()[0])
    # Twenty at a time; "More results" shows the next ones.
    assert everything > 20
    assert tab.page.locator(".digest-search__result").count() == 20
    tab.page.click("[data-digest-search-more]")
    tab.page.wait_for_function(
        "document.querySelectorAll('.digest-search__result').length > 20")
    assert tab.page.locator(".digest-search__result").count() == min(40, everything)
    tab.page.select_option("select[name=topic]", label="Spiking neural networks")
    tab.page.wait_for_url("**topic=Spiking*")
    tab.page.wait_for_function(
        "n => parseInt(document.querySelector('[data-digest-search-status]').textContent) < n",
        arg=everything)
    facts = tab.page.locator(".digest-search__facts").all_inner_texts()
    assert facts and all("Spiking neural networks" in f for f in facts), facts
    # A month picks its year; the shared address opens the same search.
    tab.page.select_option("select[name=month]", "2025-03")
    tab.page.wait_for_url("**month=2025-03*")
    assert tab.page.input_value("select[name=year]") == "2025"
    tab.page.wait_for_function(
        "document.querySelector('[data-digest-search-status]').textContent !== 'Searching…'")
    shown = tab.page.inner_text("[data-digest-search-status]")
    address = tab.page.url
    tab.open(address.removeprefix(tab.served))
    tab.page.wait_for_function(
        "s => document.querySelector('[data-digest-search-status]').textContent === s", arg=shown)
    assert tab.page.input_value("select[name=topic]") == "Spiking neural networks"
    assert tab.page.input_value("#digest-search-q") == "learning"


def test_a_filter_without_words_lists_its_papers_newest_first(tab):
    tab.open(f"search/?topic=Spiking+neural+networks")
    tab.page.locator(".digest-search__result").first.wait_for()
    days = tab.page.locator(".digest-search__facts").all_inner_texts()
    listed = [dt.datetime.strptime(f.split(" · ")[0].removeprefix("Listed "), "%b %d, %Y")
              for f in days]
    assert len(listed) > 1 and listed == sorted(listed, reverse=True)


def test_a_topic_chip_on_a_paper_leads_to_the_topic_page_that_lists_it(tab):
    tab.open(PAGES["paper"])
    chip = tab.page.locator(".digest-paper .digest-chips a.md-tag", has_text="Spiking neural networks")
    chip.click()
    tab.arrive(f"**/topics/{TOPIC}/", "Spiking neural networks")
    assert tab.page.locator(f".digest-cards a[href$='/papers/{PAPER}/']").count() == 1


def test_a_topic_chip_on_a_home_card_leads_to_its_topic_page(tab):
    tab.open("")
    card = tab.page.locator(".digest-cards li").first
    title = card.locator("strong a").inner_text()
    chip = card.locator("a.md-tag").first
    name = chip.inner_text()
    chip.click()
    tab.arrive("**/topics/*/", name)
    assert tab.page.locator(".digest-cards strong a", has_text=title).count() == 1


def test_a_first_visit_does_not_fetch_the_sitemap(tab):
    # navigation.instant fetched sitemap.xml, which grows with every paper, on every visit.
    asked: list[str] = []
    tab.page.on("request", lambda request: asked.append(request.url))
    tab.open("")
    tab.page.wait_for_load_state("networkidle")
    tab.page.locator(".md-tabs a", has_text="Topics").click()
    tab.arrive("**/topics/", "Topics")
    tab.page.wait_for_load_state("networkidle")
    # The site's sitemap.xml lists every page; feeds/sitemap.xml is the fixed, empty one
    # Material asks for next to the feeds (see feeds.ALTERNATE_SITEMAP).
    assert asked and not [url for url in asked if url.endswith("/sitemap.xml")
                          and not url.endswith("/feeds/sitemap.xml")]


def test_dark_mode_toggle_flips_the_palette_and_keeps_it_across_pages(tab):
    tab.open("")
    assert tab.scheme() == "default"
    tab.page.locator("label[title='Switch to dark mode']").click()
    tab.page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    # Kept while navigating instantly, and after a full load of another page.
    tab.page.locator(".md-tabs a", has_text="Dates").click()
    tab.arrive("**/dates/", "Dates")
    assert tab.scheme() == "slate"
    tab.open(PAGES["paper"])
    assert tab.scheme() == "slate"
    tab.page.locator("label[title='Switch to light mode']").click()
    tab.page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'default'")
    tab.open(PAGES["topic"])
    assert tab.scheme() == "default"


def test_the_readers_system_preference_picks_the_palette(browser, served):
    context = browser.new_context(viewport=VIEWPORT, color_scheme="dark")
    try:
        tab = Tab(context, served)
        tab.open("")
        assert tab.scheme() == "slate"
        assert tab.errors == [] and tab.outside == []
    finally:
        context.close()


def test_no_page_logs_a_console_error_or_asks_another_site(tab):
    for path in PAGES.values():
        tab.open(path)
        # Let late scripts (the search worker) finish.
        tab.page.wait_for_load_state("networkidle")
        assert tab.errors == [], path
    assert tab.outside == []


def test_pages_outside_the_navigation_leave_out_its_empty_sidebar(tab):
    for kind in ("paper", "topic", "date"):
        tab.open(PAGES[kind])
        assert tab.page.locator(".md-sidebar--primary").is_hidden(), kind
    # On a phone the navigation is a drawer, and it still opens there.
    tab.page.set_viewport_size({"width": 360, "height": 740})
    tab.open(PAGES["paper"])
    tab.page.locator(".md-header label[for=__drawer]").click()
    drawer = tab.page.locator(".md-sidebar--primary .md-nav__link", has_text="Topics")
    drawer.wait_for(state="visible")
    drawer.click()
    tab.arrive("**/topics/", "Topics")


def open_search(tab) -> bool:
    return tab.page.evaluate("document.getElementById('__search').checked")


def focused_box(tab) -> bool:
    return tab.page.evaluate(
        "document.activeElement === document.querySelector('[data-digest-search-box]')")


def test_escape_or_tab_closes_the_header_search_a_key_opened(tab):
    tab.open(PAGES["topics"])
    tab.page.keyboard.press("/")
    assert open_search(tab) and focused_box(tab)
    tab.page.keyboard.press("Escape")  # before, the page stayed dimmed under the open box
    assert not open_search(tab) and not focused_box(tab)
    tab.page.keyboard.press("s")
    assert open_search(tab)
    tab.page.keyboard.press("Tab")  # focus leaves the box: it must not stay open behind
    assert not open_search(tab) and not focused_box(tab)


def test_on_a_phone_the_search_icon_opens_a_box_ready_to_type_in(tab):
    tab.page.set_viewport_size({"width": 375, "height": 740})
    tab.open(PAGES["topics"])
    tab.page.locator(".md-header__button[for=__search]").click()
    assert open_search(tab) and focused_box(tab)  # before, a second tap was needed
    tab.page.keyboard.type("blimp")
    assert tab.page.input_value("[data-digest-search-box]") == "blimp"
    # Its arrow closes it (leaving the box must not close it first, for the arrow to
    # open it again).
    tab.page.locator(".md-search__icon[for=__search]").click()
    assert not open_search(tab)


def test_every_page_fits_a_phone_screen(tab):
    tab.page.set_viewport_size({"width": 360, "height": 740})
    for path in PAGES.values():
        tab.open(path)
        # Long titles, chips and buttons wrap: nothing scrolls sideways.
        assert tab.page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"), path


def test_back_to_top_appears_when_scrolling_up(tab):
    tab.open(PAGES["topic"])
    # Material hides the button with the "hidden" attribute (and a fade), not display.
    assert tab.page.locator("[data-md-component=top][hidden]").count() == 1
    tab.page.mouse.wheel(0, 4000)
    tab.page.wait_for_function("window.scrollY > 2000")
    tab.page.mouse.wheel(0, -400)
    top = tab.page.locator("[data-md-component=top]:not([hidden])")
    top.wait_for()
    top.click()
    tab.page.wait_for_function("window.scrollY === 0")


def test_the_bibtex_entry_has_a_copy_button_that_copies_it(tab, built_site):
    tab.open(PAGES["paper"])
    # content.code.copy: Material adds the button to the code block when the page loads.
    button = tab.page.locator("#cite + .highlight button[data-md-type=copy]")
    button.wait_for(state="visible")
    assert button.get_attribute("title") == "Copy to clipboard"
    tab.page.locator("#cite + .highlight").hover()
    button.click()
    copied = tab.page.evaluate("navigator.clipboard.readText()")
    post = frontmatter.load(built_site / f"content/papers/{PAPER}.md")
    assert copied.startswith(f"@misc{{{PAPER},")
    assert copied.strip() in post.content


def test_paper_header_shows_title_dates_chips_and_buttons(tab, built_site):
    post = frontmatter.load(built_site / f"content/papers/{PAPER}.md")
    tab.open(PAGES["paper"])
    header = tab.page.locator("header.digest-paper")
    assert header.locator("h1").inner_text() == post["title"]
    assert header.locator(".digest-paper__dates time").evaluate_all(
        "ts => ts.map(t => t.getAttribute('datetime'))") == [d.isoformat() for d in post["listed"]]
    assert header.locator(".digest-chips a").all_inner_texts() == list(post["topics"].values())
    # This paper's source knew no arXiv id: every button is a search by title.
    buttons = header.locator(".digest-buttons a")
    assert buttons.all_inner_texts() == ["Find the paper", "Find the PDF", "Find code",
                                         "Find on Hugging Face"]
    hrefs = buttons.evaluate_all("as => as.map(a => a.href)")
    assert all("Evolving+Spiking+Neural+Networks" in h for h in hrefs), hrefs
    # Then the abstract, as the source gave it.
    abstract = post.content.split("## Abstract\n\n", 1)[1].split("\n", 1)[0]
    assert tab.page.inner_text("#abstract + p") == abstract
    related = tab.page.locator(".digest-related")
    assert related.locator("h2").inner_text() == "More in Spiking neural networks"
    assert 1 <= related.locator("li a").count() <= 5


# --- accessibility and screenshots, in both palettes --------------------------------


@pytest.fixture(params=list(SCHEMES))
def palette(request, browser, served) -> Iterator[tuple[str, Tab]]:
    """A page whose reader prefers the light or the dark palette."""
    context = browser.new_context(viewport=VIEWPORT, color_scheme=request.param)
    tab = Tab(context, served)
    yield request.param, tab
    context.close()
    assert tab.errors == [] and tab.outside == []


@pytest.fixture(scope="module")
def rich(tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    """What the bundled page copies lack: Hub JSON days (arXiv ids, code, project pages,
    authors, upvotes) and a featured paper. Its URL and its four kinds of page."""
    root = make_project(tmp_path_factory.mktemp("rich") / "d", bundled=True)
    for name in ("sotawhat_hf_daily_papers_2026-06-12.json",
                 "newsassistant_hf_daily_papers_2026-08-03.json"):
        shutil.copy(FIXTURES / name, root / "sources" / name.rsplit("_", 1)[1].replace(
            ".json", "-hf-daily.json"))
    pipeline.generate(Project.load(root))
    found = {p.stem: frontmatter.load(p) for p in (root / "content/papers").glob("*.md")}
    newest = max(d for p in found.values() for d in p["listed"])
    featured = min(s for s, p in found.items() if newest in p["listed"] and p["tags"])
    path = root / f"content/papers/{featured}.md"
    path.write_text(path.read_text("utf-8").replace("\nfeatured: false\n", "\nfeatured: true\n", 1))
    paper = min(s for s, p in found.items() if "code" in p["links"] and "project" in p["links"]
                and p.get("authors") and p.get("upvotes"))
    result = run_digest(root, "build")
    assert result.returncode == 0, result.stderr
    site_url = yaml.safe_load((root / "mkdocs.yml").read_text("utf-8"))["site_url"]
    with static_server(root / "site", site_url) as url:
        yield url, {"home": "", "paper": f"papers/{paper}/", "date": f"dates/{newest}/",
                    "topic": f"topics/{found[featured]['tags'][0]}/",
                    "search": "search/?q=learning"}


@pytest.mark.parametrize("site", ["bundled", "rich"])
@pytest.mark.parametrize("kind", ["home", "paper", "topic", "date", "search"])
def test_axe_finds_no_serious_or_critical_violation(request, palette, site, kind):
    name, tab = palette
    if site == "rich":
        tab.served, pages = request.getfixturevalue("rich")
    else:
        pages = PAGES
    tab.open(pages[kind])
    if kind == "search":  # with its results shown
        tab.page.locator(".digest-search__result").first.wait_for()
    if site == "rich" and kind in ("home", "date", "topic"):
        assert tab.page.locator(".digest-featured").count() == 1
    assert tab.scheme() == SCHEMES[name]
    tab.page.add_script_tag(path=str(AXE))
    result = tab.page.evaluate("axe.run(document)")
    assert result["passes"], "axe checked nothing"
    bad = [{"id": v["id"], "impact": v["impact"], "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]]}
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], json.dumps(bad, indent=1)


REFERENCES = ROOT / "docs" / "screenshots"  # the README's pictures: {kind}-{palette}.png
# What a reader must see in the first screen of each kind, when the shot is taken.
IN_VIEW = {
    "home": [".md-header__title", ".md-search__input", "article h1", ".digest-cards > ul > li"],
    "paper": [".md-header__title", ".md-search__input", "header.digest-paper h1",
              ".digest-chips a", ".digest-buttons a"],
    "topic": [".md-header__title", ".md-search__input", "article h1", ".digest-cards > ul > li"],
}
# The shots' sizes, from a blank or unstyled page (a few KB) to anything far past the
# reference pictures (130-160 KB).
SIZES = range(40_000, 400_000)
# A shot and its reference, both shrunk to 160x100, may differ in at most this share of
# cells (by more than 48 of 255 in a channel): font hinting moves a few, while another
# page kind differs in 10-15 % of cells and the other palette in over 80 %.
TOLERANCE = 0.04

# Both images drawn on a 160x100 canvas in the browser; the share of cells that differ.
_DIFF = """async ([a, b]) => {
  const load = src => new Promise((ok, fail) => {
    const img = new Image(); img.onload = () => ok(img); img.onerror = fail; img.src = src; });
  const pixels = img => {
    const c = document.createElement("canvas"); c.width = 160; c.height = 100;
    const g = c.getContext("2d"); g.drawImage(img, 0, 0, 160, 100);
    return g.getImageData(0, 0, 160, 100).data; };
  const [p, q] = (await Promise.all([load(a), load(b)])).map(pixels);
  let differ = 0;
  for (let i = 0; i < p.length; i += 4) {
    const d = Math.max(...[0, 1, 2].map(c => Math.abs(p[i + c] - q[i + c])));
    if (d > 48) differ++;
  }
  return differ / (p.length / 4);
}"""


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def test_the_image_diff_tells_pages_and_palettes_apart(tab):
    # Otherwise a diff within TOLERANCE would prove nothing.
    home, paper, dark = (data_url((REFERENCES / f"{n}.png").read_bytes())
                         for n in ("home-light", "paper-light", "home-dark"))
    assert tab.page.evaluate(_DIFF, [home, home]) == 0
    assert tab.page.evaluate(_DIFF, [home, paper]) > 2 * TOLERANCE
    assert tab.page.evaluate(_DIFF, [home, dark]) > 0.5


@pytest.mark.parametrize("kind", list(IN_VIEW))
def test_screenshots_show_the_page_and_match_the_readme_pictures(palette, kind):
    name, tab = palette
    tab.open(PAGES[kind])
    page = tab.page
    for selector in IN_VIEW[kind]:
        box = page.locator(selector).first.bounding_box()
        assert box and page.locator(selector).first.is_visible(), f"{selector} is not shown"
        assert 0 <= box["y"] and box["y"] + min(box["height"], 40) <= VIEWPORT["height"], \
            f"{selector} is below the first screen"
    assert tab.scheme() == SCHEMES[name]
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{kind}-{name}.png"
    shot = page.screenshot(path=str(path))
    assert len(shot) in SIZES, len(shot)
    reference = REFERENCES / f"{kind}-{name}.png"
    if reference.exists():  # the README shows the home and a paper page
        diff = page.evaluate(_DIFF, [data_url(shot), data_url(reference.read_bytes())])
        assert diff <= TOLERANCE, f"{path} differs from {reference} in {diff:.1%} of its " \
                                  "area; if the change is intended, copy it there"
