"""MkDocs hook: "Edit this page" only where a curator edits, and an edit link for topics.yml.

Every page digest generates is rewritten on every run, so an edit there would be lost:
only paper pages (whose tags, flags and notes curators own) keep Material's edit button.
The topics index links the file curators do edit to change topics: ``topics.yml``, at
the top of the repository, next to the ``docs_dir`` that ``edit_uri`` points into.
"""

from __future__ import annotations

from urllib.parse import urljoin

from markupsafe import escape

TOPICS_INDEX = "topics/index.md"
VOCABULARY = "topics.yml"


def vocabulary_url(config) -> str | None:
    """Where topics.yml is edited, from repo_url and edit_uri; None without a repository."""
    repo, edit_uri = config.get("repo_url"), config.get("edit_uri")
    if not repo or not edit_uri:
        return None
    # edit_uri names the docs folder ("edit/main/content/"): topics.yml sits beside it.
    folder = urljoin(repo.rstrip("/") + "/", edit_uri.rstrip("/") + "/")
    return urljoin(folder, "../" + VOCABULARY)


def on_page_content(html, page, config, files):
    """Drop the edit button from generated pages; link topics.yml from the topics index."""
    if page.meta.get("template") != "paper.html":
        page.edit_url = None
    url = vocabulary_url(config)
    if page.file.src_uri == TOPICS_INDEX and url:
        html += (f'\n<p class="digest-edit-vocabulary"><a href="{escape(url)}" rel="edit">'
                 f"Edit the topic vocabulary</a> (<code>{VOCABULARY}</code>): the topics, "
                 "their descriptions and the rules that tag papers.</p>\n")
    return html
