"""MkDocs hook: a hidden paper (front-matter ``hidden: true``) leaves the Tags index.

digest leaves hidden papers out of every page it generates and marks them
``search: exclude``, but Material's tags plugin builds the Tags page from every page's
``tags``. Those stay in the front-matter, because curators own them, so the hook hides
them from the plugin; the page itself stays reachable at its URL.
"""

from __future__ import annotations

from mkdocs.plugins import event_priority


@event_priority(90)  # before the tags plugin (-50) reads the page's tags
def on_page_markdown(markdown, page, config, files):
    """Drop a hidden page's tags before the tags plugin collects them."""
    if page.meta.get("hidden") is True:
        page.meta.pop("tags", None)
    return markdown
