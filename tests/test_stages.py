"""Unit tests for the middle stages: deduplicate, tag, slug, merge curated tags."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, strategies as st

from generator import memo
from generator.curate import CuratedPage, parse_page, resolve_tags
from generator.dedupe import deduplicate
from generator.errors import DigestError
from generator.model import Listing
from generator.slugs import assign_slugs, base_slug
from generator.tagging import parse_vocabulary

D1, D2, D3 = dt.date(2025, 3, 11), dt.date(2025, 3, 13), dt.date(2025, 9, 8)


def item(title="A Paper", abstract="Text.", date=D1, source="a.txt", line=1, **kw) -> Listing:
    return Listing(title=title, abstract=abstract, date=date, source=source, line=line, **kw)


# -- deduplicate -----------------------------------------------------------------------

def test_same_title_in_several_sources_is_one_paper_with_every_date_and_source():
    [paper] = deduplicate([item(date=D2, source="b.txt"), item(date=D1, source="a.txt"),
                           item(date=D3, source="c.txt")])
    assert paper.dates == (D1, D2, D3)
    assert paper.sources == ("a.txt", "b.txt", "c.txt")
    assert paper.key == "title:a paper"


@pytest.mark.parametrize("variant", [
    "a  paper", "A PAPER", "A Paper.", "“A Paper”", "A\u00a0Paper", "Ａ Paper", "A paper!"])
def test_titles_are_normalised_for_identity(variant):
    assert len(deduplicate([item(), item(title=variant, source="b.txt")])) == 1


def test_arxiv_id_is_identity_and_gathers_title_only_listings():
    papers = deduplicate([
        item(title="Neural Fields", source="copy.txt"),
        item(title="Neural  fields", source="api.json", date=D2, arxiv_id="2401.00001",
             upvotes=7),
        item(title="Another", source="api.json", date=D2, arxiv_id="2401.00002")])
    assert [p.key for p in papers] == ["arxiv:2401.00001", "arxiv:2401.00002"]
    assert papers[0].dates == (D1, D2) and papers[0].upvotes == 7


def test_newest_listing_wins_and_a_changed_abstract_is_noted():
    [paper] = deduplicate([item(abstract="Old words.", upvotes=3),
                           item(abstract="New words.", date=D2, source="b.txt", upvotes=None)])
    assert paper.abstract == "New words." and paper.abstract_changed
    assert paper.upvotes == 3  # a gap in the newer listing is filled from the older one


def test_respacing_an_abstract_is_not_a_change():
    [paper] = deduplicate([item(abstract="Same  words."), item(abstract="same words", date=D2)])
    assert not paper.abstract_changed


@pytest.mark.parametrize("texts, since", [
    # (day, abstract) of each listing -> the day the current text was first listed
    ([(D1, "Words."), (D2, "Words."), (D3, "Words.")], D1),  # re-listed: not new
    ([(D1, "Words."), (D2, "Other words."), (D3, "Other  words")], D2),  # changed on D2
    ([(D1, "Words."), (D2, "Other words."), (D3, "Words.")], D3),  # changed back on D3
    ([(D1, "Words."), (D2, "Other words."), (D2, "Words.")], D1),  # two sources of D2
])
def test_content_since_is_the_first_day_of_the_current_text(texts, since):
    [paper] = deduplicate([item(abstract=text, date=day, source=f"{n}.txt")
                           for n, (day, text) in enumerate(texts)])
    assert paper.content_since == since


def test_a_retitled_paper_is_new_content():
    [paper] = deduplicate([item(arxiv_id="2401.00001", title="Old Title"),
                           item(arxiv_id="2401.00001", title="New Title", date=D2)])
    assert paper.content_since == D2


def test_result_does_not_depend_on_input_order():
    listings = [item(title=t, date=d, source=s) for t, d, s in
                [("X", D1, "a"), ("Y", D2, "b"), ("x", D3, "c"), ("Z", D1, "c")]]
    assert deduplicate(listings) == deduplicate(listings[::-1])


# -- tagging ---------------------------------------------------------------------------

VOCAB = """\
topics:
  slam:
    name: SLAM
    description: Localisation and mapping.
    words: [SLAM]
    phrases: [simultaneous localization and mapping]
    exclude: [slam dunk]
  spiking:
    name: Spiking networks
    description: Spikes.
    phrases: [spiking neural network]
    patterns: ['\\bSNNs?\\b']
"""


def tags_of(title, abstract="Nothing here."):
    vocab = parse_vocabulary(VOCAB, "topics.yml")
    [paper] = deduplicate([item(title=title, abstract=abstract)])
    return vocab.tag(paper)


@pytest.mark.parametrize("title, expected", [
    ("Visual SLAM at scale", ("slam",)),
    ("Learning to slam doors", ()),  # words are case-sensitive
    ("SLAMming the brakes", ()),  # whole words only
    ("A SLAM dunk for transformers", ()),  # an exclusion vetoes the topic
    ("Simultaneous  Localization and Mapping", ("slam",)),  # phrases ignore case and spacing
    ("Spiking Neural Network for SLAM", ("slam", "spiking")),  # vocabulary order
    ("Training SNNs", ("spiking",)),
])
def test_rules(title, expected):
    assert tags_of(title) == expected


@pytest.mark.parametrize("text, message", [
    ("topics:\n  a: [\n", "topics.yml:3: invalid YAML"),
    ("topics:\n  a:\n    name: A\n    description: B\n", "topics.yml:2: topic 'a' has no rules"),
    ("topics:\n  a:\n    name: A\n    description: B\n    patterns: ['(']\n",
     "topics.yml:5: topic 'a': invalid regular expression '('"),
    ("topics:\n  Bad Slug:\n    name: A\n    description: B\n    words: [x]\n",
     "topics.yml:2: topic slug 'Bad Slug' must be lowercase"),
    ("other: 1\n", "topics.yml:1: expected a 'topics:' mapping"),
    # Each would write over a page of its own: the Topics page, the digest's feed.
    ("topics:\n  ok:\n    name: A\n    description: B\n    words: [x]\n  index:\n"
     "    name: A\n    description: B\n    words: [x]\n",
     "topics.yml:6: topic slug 'index' is taken by topics/index.md"),
    ("topics:\n  all:\n    name: A\n    description: B\n    words: [x]\n",
     "topics.yml:2: topic slug 'all' is taken by feeds/all.xml"),
    ("topics:\n  sitemap:\n    name: A\n    description: B\n    words: [x]\n",
     "topics.yml:2: topic slug 'sitemap' is taken by feeds/sitemap.xml"),
])
def test_vocabulary_errors_name_the_line(text, message):
    with pytest.raises(DigestError) as err:
        parse_vocabulary(text, "topics.yml")
    assert str(err.value).startswith(message)


# -- slugs -----------------------------------------------------------------------------

def test_existing_slugs_are_kept_and_collisions_go_to_the_later_paper():
    papers = deduplicate([item(title="Same Title!", date=D2, arxiv_id="2"),
                          item(title="Same title?", date=D1, arxiv_id="1", source="b")])
    assert assign_slugs(papers, {}) == {"arxiv:1": "same-title", "arxiv:2": "same-title-2"}
    # Once a page exists its slug never moves, even if an earlier paper appears.
    assert assign_slugs(papers, {"arxiv:2": "same-title"}) == {
        "arxiv:2": "same-title", "arxiv:1": "same-title-2"}


def test_slugs_are_short_ascii_file_names():
    slug = base_slug("Über " + "long " * 100, "k")
    assert slug.startswith("uber-long") and len(slug) <= 80 and slug.isascii()


# -- curated tags ----------------------------------------------------------------------

def curated(tags, rule_tags) -> CuratedPage:
    text = ("---\nid: title:x\ntitle: X\ntags: " + repr(list(tags)) + "\nrule_tags: "
            + repr(list(rule_tags)) + "\n---\n\nbody\n\n## Notes\nmine\n")
    return parse_page(text, "content/papers/x.md")


@pytest.mark.parametrize("rules, tags, rule_tags, expected", [
    (("a", "b"), None, None, ("a", "b")),  # a new page follows the rules
    (("a", "c"), ("a", "b"), ("a", "b"), ("a", "c")),  # untouched page follows rule changes
    (("a", "b"), ("a", "b", "x"), ("a", "b"), ("a", "b", "x")),  # curator addition kept
    (("a", "b"), ("a",), ("a", "b"), ("a",)),  # curator removal kept
    (("a", "b", "c"), ("b", "x"), ("a", "b"), ("b", "c", "x")),  # both, plus a new rule tag
])
def test_three_way_tag_merge(rules, tags, rule_tags, expected):
    page = None if tags is None else curated(tags, rule_tags)
    assert resolve_tags(rules, page).tags == expected


def test_notes_are_kept_byte_for_byte():
    page = parse_page("---\nid: title:x\ntags: []\n---\n\n## Notes\n  *mine*\r\n\n<!-- x -->\n",
                      "p.md")
    assert page.notes == "  *mine*\r\n\n<!-- x -->\n"


_texts = st.sampled_from(["A Paper", "a  paper", "A PAPER.", "Other Words", "other words!",
                          "Ａ Paper", "~", "🙂", "Words.", "words", "New words."])


@given(st.lists(st.tuples(_texts, _texts, st.sampled_from([D1, D2, D3]),
                          st.sampled_from([None, "2401.00001", "2401.00002"])), max_size=8))
def test_memoised_text_keys_merge_exactly_as_the_keys_themselves(rows):
    # pipeline deduplicates through the memo's keys (memo.dedupe_keys): the same papers,
    # whether the memo is empty or already knows every text.
    listings = [item(title=t, abstract=a, date=d, arxiv_id=i, source=f"{n}.txt")
                for n, (t, a, d, i) in enumerate(rows)]
    expected = deduplicate(listings)
    learnt = memo.Memo()
    assert deduplicate(listings, keys=memo.dedupe_keys(memo.Memo(), learnt)) == expected
    assert deduplicate(listings, keys=memo.dedupe_keys(learnt, memo.Memo())) == expected
