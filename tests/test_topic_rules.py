"""Topic rules count a title, repeated mentions or a strong phrase, not one passing mention."""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import tagging

from generator.dedupe import deduplicate
from generator.errors import DigestError
from generator.model import Listing
from generator.tagging import parse_vocabulary

from topic_stats import GOLDEN_PAPERS, measure

# The bundled papers under the rules before issue 15 (one mention anywhere was enough):
# 499 topics on 210 papers, 33 papers with 4 or more, at most 7.
OLD_MEAN = 499 / 210  # 2.376...
OLD_MAX = 7

VOCAB = """\
min_mentions: 2
topics:
  continual:
    name: Continual learning
    description: Task after task.
    phrases: [continual learning, catastrophic forgetting]
    strong: [class-incremental learning]
  spiking:
    name: Spiking networks
    description: Spikes.
    phrases: [spiking model]
    words: [SNN]
    patterns: ['spike[- ]timing']
    strong: [spiking neural network]
    exclude: [slam dunk]
  audio:
    name: Audio
    description: Sound.
    phrases: [audio]
    title_only: [sound]
  theory:
    name: Theory
    description: Formal.
    min_mentions: 3
    phrases: [theorem]
"""


def tags_of(title: str, abstract: str = "Nothing here.", keywords=(), vocab: str = VOCAB):
    listing = Listing(title=title, abstract=abstract, date=dt.date(2025, 1, 1), source="a.txt",
                      line=1, ai_keywords=tuple(keywords))
    [paper] = deduplicate([listing])
    return parse_vocabulary(vocab, "topics.yml").tag(paper)


@pytest.mark.parametrize("title, abstract, expected", [
    # One passing mention in the abstract is not enough ...
    ("A new optimiser", "Unlike continual learning, we train once.", ()),
    # ... two are, and different rules of one topic add up ...
    ("A new optimiser", "Continual learning without catastrophic forgetting.", ("continual",)),
    ("A new optimiser", "An SNN with spike-timing codes.", ("spiking",)),
    # ... and so does one mention in the title.
    ("Continual learning at scale", "Nothing here.", ("continual",)),
    ("Training SNN models", "Nothing here.", ("spiking",)),
    # A strong phrase counts on one mention anywhere.
    ("A new optimiser", "We also try a spiking neural network.", ("spiking",)),
    ("A new optimiser", "As in class-incremental learning, tasks arrive.", ("continual",)),
    # A title-only phrase counts in the title, and never in the abstract.
    ("The sound of neurons", "Nothing here.", ("audio",)),
    ("A new optimiser", "A sound method. Sound proofs. A sound claim.", ()),
    # A space or a hyphen in a phrase matches either.
    ("Continual-Learning Benchmarks", "Nothing here.", ("continual",)),
    # A topic's own min_mentions overrides the file's.
    ("A new optimiser", "A theorem and a second theorem.", ()),
    ("A new optimiser", "A theorem, a second theorem, a third theorem.", ("theory",)),
    # An exclusion still vetoes the topic, whatever selected it.
    ("A spiking neural network slam dunk", "Nothing here.", ()),
])
def test_what_counts_as_a_mention(title, abstract, expected):
    assert tags_of(title, abstract) == expected


def test_ai_keywords_count_with_the_abstract():
    assert tags_of("A new optimiser", "Nothing here.", ["continual learning"]) == ()
    assert tags_of("A new optimiser", "We study continual learning.",
                   ["continual learning"]) == ("continual",)


def test_the_default_is_two_mentions_and_the_file_may_change_it():
    once = "We study continual learning."
    assert tags_of("A new optimiser", once, vocab=VOCAB.replace("min_mentions: 2\n", "")) == ()
    assert tags_of("A new optimiser", once,
                   vocab=VOCAB.replace("min_mentions: 2\n", "min_mentions: 1\n")) == ("continual",)


@pytest.mark.parametrize("change, message", [
    (("min_mentions: 2", "min_mentions: 0"),
     "topics.yml:1: min_mentions is '0', but it must be a whole number of 1 or more, such as 2"),
    (("min_mentions: 2", "min_mentions: two"),
     "topics.yml:1: min_mentions is 'two', but it must be a whole number of 1 or more"),
    (("min_mentions: 2", "min_mention: 2"),
     "topics.yml:1: unknown key 'min_mention' at the top; allowed: min_mentions, topics"),
    (("    min_mentions: 3", "    min_mentions: [3]"),
     "topics.yml:24: topic 'theory': min_mentions is a list, but it must be a whole number"),
    (("    strong: [spiking neural network]", "    strong: spiking neural network"),
     "topics.yml:14: topic 'spiking': strong must be a list of strings"),
    (("    title_only: [sound]", "    title_only: [sound, '']"),
     "topics.yml:20: topic 'audio': title_only must be a list of strings"),
    (("    title_only: [sound]", "    title-only: [sound]"),
     "topics.yml:20: topic 'audio' has an unknown key 'title-only'; allowed: description, "
     "exclude, min_mentions, name, patterns, phrases, strong, title_only, words"),
])
def test_new_keys_are_checked_with_their_line(change, message):
    with pytest.raises(DigestError) as err:
        parse_vocabulary(VOCAB.replace(*change), "topics.yml")
    assert str(err.value).startswith(message)


def test_a_topic_with_only_strong_or_title_only_phrases_has_rules():
    vocab = parse_vocabulary("topics:\n  a:\n    name: A\n    description: B\n"
                             "    title_only: [x]\n", "topics.yml")
    assert vocab.get("a").title_only == ("x",)


def test_bundled_papers_carry_fewer_topics_and_none_more_than_five():
    stats = measure(GOLDEN_PAPERS)
    assert stats.papers == 210
    assert stats.mean < OLD_MEAN
    assert stats.most <= 5 < OLD_MAX
    assert stats.over_five_uncurated == ()
    assert stats.none == 0  # and every paper still has a topic


# --- the gate (tagging._gate): a topic is searched only if the text holds a first word -
BUNDLED = (Path(__file__).resolve().parent.parent / "topics.yml").read_text("utf-8")


@functools.cache
def _gated_and_not(vocab_text: str):
    """The vocabulary, and the same with every topic searched on every paper (no gate),
    and each of its rules tried at every position of the abstract (no first words)."""
    full = parse_vocabulary(vocab_text, "topics.yml")
    object.__setattr__(full, "_gates", {slug: None for slug in full.slugs})
    return parse_vocabulary(vocab_text, "topics.yml"), full


@functools.cache
def _pieces(vocab_text: str) -> list[str]:
    vocab = parse_vocabulary(vocab_text, "topics.yml")
    words = [w for t in vocab.topics for rule in (t.phrases, t.words, t.strong, t.title_only,
                                                  t.exclude) for p in rule for w in p.split()]
    # Each word as written, in other cases, glued to letters, and the characters
    # re.IGNORECASE takes for ASCII letters.
    return sorted({*words, *(w.upper() for w in words), *(w.title() for w in words),
                   *(w + "s" for w in words), *("x" + w for w in words),
                   " ", " ", "-", ". ", *tagging.ASCII_TWINS, "Neuromorphİc", "ſpiking"})


@pytest.mark.parametrize("vocab_text", [VOCAB, BUNDLED], ids=["rules", "bundled"])
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_gate_never_changes_a_paper_s_topics(vocab_text, data):
    pieces = _pieces(vocab_text)
    text = st.lists(st.sampled_from(pieces), max_size=30).map(" ".join)
    title, abstract = data.draw(text), data.draw(text)
    paper = deduplicate([Listing(title=title or "t", abstract=abstract or "a",
                                 date=dt.date(2025, 1, 1), source="a.txt", line=1)])[0]
    gated, ungated = _gated_and_not(vocab_text)
    assert gated.tag(paper) == ungated.tag(paper)


def test_the_ascii_twins_are_the_ones_re_knows():
    # Every non-ASCII character re.IGNORECASE matches to an ASCII letter, from re itself.
    twins = {c for c in map(chr, range(0x80, 0x10000)) if not c.isspace()
             and any(re.fullmatch(re.escape(c), a, re.I) for a in (c.lower()[:1], c.upper()[:1],
                                                                   *"iks"))
             and any(re.fullmatch(re.escape(c), a, re.I) for a in string.ascii_letters)}
    assert twins == set(tagging.ASCII_TWINS)


def test_a_gated_topic_is_still_found_through_an_ascii_twin():
    assert tags_of("Neuromorphİc chips", vocab=BUNDLED) == tags_of("Neuromorphic chips",
                                                                    vocab=BUNDLED)
