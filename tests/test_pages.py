"""The page format: front-matter written and read through python-frontmatter."""

from __future__ import annotations

import datetime as dt

import frontmatter
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import pages
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


# Values a page's front-matter holds: text of every kind, numbers, flags, days, nesting.
_SCALAR = st.one_of(st.text(max_size=30), st.sampled_from(
    ["yes", "null", "~", "1e3", "0x1F", "2025-01-02", "a: b", "- x", "#x", " lead", "trail ",
     "🦙", "x\u0085y", "multi\nline", "'q'", '"q"', "[a]", "{a}", "*a", "&a", "!a", "%a", "@a"]),
    st.integers(), st.booleans(), st.none(), st.dates())
_VALUES = st.recursive(_SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.text(max_size=10), _VALUES, max_size=6))
def test_front_matter_is_what_yaml_dump_writes(meta):
    # pages builds the YAML nodes itself (for speed); the bytes must be PyYAML's.
    expected = pages._dump_with(lambda dumper: yaml.dump(meta, Dumper=dumper, **pages._OPTIONS))
    assert pages._dump(meta) == expected


def test_a_list_met_twice_is_written_as_yaml_writes_it():
    shared = ["a"]
    assert pages._dump({"x": shared, "y": shared}) == "x: &id001\n- a\ny: *id001\n"
