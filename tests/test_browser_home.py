"""The ranked home, day-to-day navigation and edit buttons, in Debian's Chromium.

The bundled digest, served on 127.0.0.1 (tests/test_browser.py's helpers), in both
palettes, at a desktop width and at a 390 px phone width; axe finds no serious or
critical problem on the pages these features change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import frontmatter
import pytest

from test_browser import AXE, PAGES, SCHEMES, Tab

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
DAYS = ["2025-03-11", "2025-03-13", "2025-03-17", "2025-07-31", "2025-09-08"]


@pytest.fixture(params=[(p, w) for p in SCHEMES for w in WIDTHS], ids="-".join)
def view(request, browser, served) -> Iterator[Tab]:
    """A page in one palette at one width."""
    palette, width = request.param
    context = browser.new_context(viewport=WIDTHS[width], color_scheme=palette)
    tab = Tab(context, served)
    yield tab
    context.close()
    assert tab.errors == [] and tab.outside == []


def no_serious_axe_violation(tab: Tab) -> None:
    tab.page.add_script_tag(path=str(AXE))
    result = tab.page.evaluate("axe.run(document)")
    assert result["passes"], "axe checked nothing"
    bad = [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:5]]}
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], json.dumps(bad, indent=1)


def fits(tab: Tab) -> bool:
    return tab.page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_home_ranks_the_newest_day_new_first_with_a_visible_mark_on_every_card(view, built_site):
    view.open("")
    cards = view.page.locator(".digest-cards li")
    marks = view.page.locator(".digest-cards li .digest-mark")
    assert marks.count() == cards.count() == 50  # the page size: the day has 55
    texts = marks.all_inner_texts()
    # The mark is words, shown: papers new that day first, then those listed again.
    assert set(texts) == {"New", "Listed again"}
    assert texts == sorted(texts, key=lambda t: t != "New")
    assert marks.first.is_visible() and marks.last.is_visible()
    titles = cards.locator("strong a").all_inner_texts()
    new = [t.casefold() for t, m in zip(titles, texts) if m == "New"]
    assert new == sorted(new)
    # At most three chips a card; "+N" opens the paper page.
    chips = view.page.locator(".digest-cards li").evaluate_all(
        "ls => ls.map(l => l.querySelectorAll('a.md-tag:not(.digest-more-topics)').length)")
    assert max(chips) == 3
    more = view.page.locator(".digest-cards a.digest-more-topics").first
    href = more.get_attribute("href")
    slug = href.rstrip("/").rsplit("/", 1)[1]
    tags = frontmatter.load(built_site / f"content/papers/{slug}.md")["tags"]
    assert more.inner_text() == f"+{len(tags) - 3}"
    # A screen reader says what "+N" stands for, not "plus two".
    n = len(tags) - 3
    assert view.page.get_by_role("link", name=f"+{n}: {n} more topic{'' if n == 1 else 's'} "
                                 "on the paper's page", exact=True).count() >= 1
    latest = view.page.locator("#latest-days + .digest-days a")
    assert latest.count() == len(DAYS) + 1  # every day, then "All dates"
    assert fits(view)
    no_serious_axe_violation(view)
    more.click()
    view.page.wait_for_url(f"**/papers/{slug}/")


def test_date_pages_step_to_the_previous_and_next_day(view):
    view.open(f"dates/{DAYS[1]}/")
    nav = view.page.locator(".digest-day-nav")
    assert nav.get_attribute("aria-label") == "Previous and next day"
    assert nav.locator("a").all_inner_texts() == ["← Mar 11, 2025", "Mar 17, 2025 →"]
    assert fits(view)
    no_serious_axe_violation(view)
    nav.locator("a[rel=next]").click()
    view.arrive(f"**/dates/{DAYS[2]}/", "Mar 17, 2025")
    view.page.locator(".digest-day-nav a[rel=prev]").click()
    view.arrive(f"**/dates/{DAYS[1]}/", "Mar 13, 2025")
    # The first day has no previous day, the last no next one.
    view.open(f"dates/{DAYS[0]}/")
    assert view.page.locator(".digest-day-nav a").all_inner_texts() == ["Mar 13, 2025 →"]
    view.open(f"dates/{DAYS[-1]}/")
    assert view.page.locator(".digest-day-nav a").all_inner_texts() == ["← Jul 31, 2025"]


def test_only_paper_pages_show_the_edit_button(view):
    edit = "a.md-content__button[rel=edit]"
    for kind, path in PAGES.items():
        view.open(path)
        if kind == "paper":
            assert view.page.locator(edit).is_visible(), kind
        else:
            assert view.page.locator(edit).count() == 0, kind
    # The topics index links the vocabulary instead, as text.
    view.open("topics/")
    link = view.page.locator(".digest-edit-vocabulary a")
    assert link.inner_text() == "Edit the topic vocabulary"
    assert link.get_attribute("href").endswith("/edit/main/topics.yml")
    no_serious_axe_violation(view)
