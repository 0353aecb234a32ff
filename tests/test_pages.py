"""The page format: front-matter written and read through python-frontmatter."""

from __future__ import annotations

import datetime as dt

import frontmatter

from generator.pages import HANDLER


def test_characters_beyond_the_basic_plane_are_written_as_they_are():
    # libyaml would write "\U0001F999 Llama"; the page must not depend on libyaml.
    meta = {"title": "🦙 Llama for 𝓐 tasks", "tags": ["a"], "topics": {"a": "🦙"}}
    assert HANDLER.export(meta) == "title: 🦙 Llama for 𝓐 tasks\ntags:\n- a\ntopics:\n  a: 🦙"


def test_keys_keep_their_order_and_long_values_stay_on_one_line():
    meta = {"title": "word " * 100 + "end", "listed": [dt.date(2025, 9, 8)], "hidden": False,
            "id": "arxiv:2509.00001", "description": "a: b"}
    assert HANDLER.export(meta) == ("title: " + "word " * 100 + "end\nlisted:\n- 2025-09-08\n"
                                    "hidden: false\nid: arxiv:2509.00001\ndescription: 'a: b'")


def test_python_frontmatter_reads_and_writes_pages_with_the_handler():
    post = frontmatter.Post("body", handler=HANDLER, title="Ü", listed=[dt.date(2025, 1, 2)])
    text = frontmatter.dumps(post)
    assert text == "---\ntitle: Ü\nlisted:\n- 2025-01-02\n---\n\nbody"
    assert frontmatter.loads(text, handler=HANDLER).metadata == {
        "title": "Ü", "listed": [dt.date(2025, 1, 2)]}


def test_the_closing_fence_may_be_yaml_dots_and_the_body_is_kept_byte_for_byte():
    assert HANDLER.split("---\na: 1\n...  \n\n x \r\n") == ("a: 1\n", "\n x \r\n")
