"""Topics: load the curated vocabulary and tag papers with its keyword rules.

A topic's rules are its phrases (case-insensitive, whole words), words (case-sensitive,
whole words: for acronyms such as SNN or SLAM) and patterns (regular expressions,
case-insensitive). A topic matches a paper when none of its exclusions occurs in the
title, abstract or AI keywords, and

- any rule matches the title, or
- its rules together match the abstract and AI keywords at least ``min_mentions`` times
  (2 unless topics.yml says otherwise, at its top or in the topic), or
- one of its ``strong`` phrases occurs anywhere, or one of its ``title_only`` phrases
  occurs in the title.

One passing mention of a common term in an abstract is not what a paper is about;
a title, a repeated term or a distinctive one is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

import regex
import yaml

from .clean import plain
from .errors import DigestError, Problem, excerpt, yaml_error
from .model import Paper, Topic

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*$")
# A topic's pages are topics/<slug>.md, feeds/<slug>.xml and bib/<slug>.bib: these slugs
# would land on files the site already has for something else.
RESERVED_SLUGS = {"index": "topics/index.md, the page of every topic",
                  "all": "feeds/all.xml, the whole digest's feed",
                  "sitemap": "feeds/sitemap.xml"}
_RULE_KEYS = ("phrases", "words", "patterns", "strong", "title_only")
_KEYS = {"name", "description", "exclude", "min_mentions", *_RULE_KEYS}
_TOP_KEYS = ("min_mentions", "topics")
MIN_MENTIONS = 2  # abstract mentions a topic needs, unless topics.yml says otherwise
# Seconds one search of a curator's regular expression may take: a pattern with nested
# repeats can backtrack for hours on one abstract, and would hang generate and serve.
PATTERN_TIMEOUT = 1.0


@dataclass(frozen=True)
class Vocabulary:
    """The topics in curated order, with their rules compiled."""

    topics: tuple[Topic, ...]
    path: str = "topics.yml"  # as messages name it

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", {t.slug: _compile(t) for t in self.topics})
        object.__setattr__(self, "_gates", {t.slug: _gate(t) for t in self.topics})

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(t.slug for t in self.topics)

    def get(self, slug: str) -> Topic | None:
        return next((t for t in self.topics if t.slug == slug), None)

    def order(self, slugs) -> tuple[str, ...]:
        """Known slugs in vocabulary order, unknown ones after them, sorted."""
        known = [s for s in self.slugs if s in slugs]
        return tuple(known + sorted(set(slugs) - set(known)))

    def tag(self, paper: Paper) -> tuple[str, ...]:
        """The topics whose rules match the paper, in vocabulary order."""
        title = plain(paper.title)
        body = " ".join((plain(paper.abstract), *paper.ai_keywords))
        text = f"{title} {body}"
        words = _Words.of(text)
        chosen = []
        starts = None
        for topic in self.topics:
            gate = self._gates[topic.slug]
            if not words.may_match(gate):
                continue
            rules = self._compiled[topic.slug]
            if gate is not None and words.folded is not None and starts is None:
                starts = _Starts(body, words)
            try:
                selected = _selects(rules, topic.min_mentions, title, body, starts)
            except TimeoutError:
                raise self._too_slow(topic, text, paper) from None
            if selected and not (rules.exclude and rules.exclude.search(text)):
                chosen.append(topic.slug)
        return tuple(chosen)

    def _too_slow(self, topic: Topic, text: str, paper: Paper) -> DigestError:
        """The error for a topic whose patterns ran past the time limit on a paper."""
        lines = topic.pattern_lines or (None,) * len(topic.patterns)
        slow = [(p, line) for p, line in zip(topic.patterns, lines) if _times_out(p, text)]
        pattern, line = slow[0] if slow else (" | ".join(topic.patterns), lines[0])
        return DigestError.at(
            self.path, line,
            f"topic '{topic.slug}': the pattern {pattern!r} took more than "
            f"{PATTERN_TIMEOUT:g} s on the paper {excerpt(plain(paper.title))}; simplify "
            "it (nested repeats such as (a+)+ backtrack without end)")


@dataclass(frozen=True)
class _Rules:
    """One topic's rules, compiled."""

    match: tuple[re.Pattern, ...]  # phrases, words and patterns
    strong: re.Pattern | None
    title_only: re.Pattern | None
    exclude: re.Pattern | None
    # The first words of each rule in ``match`` and of ``strong`` (see _Starts); None
    # for a topic without a gate.
    match_firsts: tuple[_Gate | None, ...]
    strong_firsts: _Gate | None


def _selects(rules: _Rules, min_mentions: int, title: str, body: str,
             starts: _Starts | None = None) -> bool:
    """Whether the title, a strong phrase or enough abstract mentions select the topic.

    With ``starts``, the body's words where a gated topic's rules may match (_Starts)."""
    if any(m.search(title) for m in rules.match):
        return True
    if rules.title_only and rules.title_only.search(title):
        return True
    if rules.strong and (rules.strong.search(title) or next(
            _finditer(rules.strong, body, starts, rules.strong_firsts), None)):
        return True
    mentions = 0
    for m, firsts in zip(rules.match, rules.match_firsts):
        for _ in _finditer(m, body, starts, firsts):
            mentions += 1
            if mentions >= min_mentions:
                return True
    return False


def _finditer(pattern, body: str, starts: _Starts | None, firsts: _Gate | None) -> Iterator:
    """``pattern.finditer(body)``, tried only where one of its first words stands when
    ``starts`` says where those are: every match of a gated rule starts there (see the
    gate below), and a pattern tried at each of a text's positions was half of tagging."""
    if starts is None or firsts is None:
        yield from pattern.finditer(body)
        return
    end = 0
    for at in starts.of_words(firsts):
        if at >= end:  # finditer's matches do not overlap
            found = pattern.match(body, at)  # its lookbehind still sees the text before
            if found:
                end = found.end()
                yield found


# --- the gate: which topics a paper's words leave worth searching for ------------------
# Every rule but a pattern starts with a word: a phrase "spiking neural network" matches
# only where the text holds the word "spiking" (in any case), a word rule "SNN" only where
# it holds "SNN". A topic none of whose first words the paper holds cannot match it, so
# its regular expressions are not run: most papers hold the words of a few topics only.
_WORD = re.compile(r"\w+")
# The non-ASCII characters re.IGNORECASE takes for an ASCII letter (İ ı for i, ſ for s,
# the Kelvin sign for k): lower() does not, so a text holding one is searched in full.
# tests/test_topic_rules.py recomputes the list from the re module.
ASCII_TWINS = frozenset("\u0130\u0131\u017f\u212a")


@dataclass(frozen=True)
class _Gate:
    """A topic's first words: lowercased (rules matched in any case) and as written."""

    folded: frozenset[str]
    exact: frozenset[str]


def _first_word(phrase: str) -> str | None:
    """The whole word a match of the phrase rule starts with; None if it may start elsewhere."""
    m = _WORD.match(next(iter(_parts(phrase)), ""))
    return m[0] if m else None


def _gate(topic: Topic) -> _Gate | None:
    """The topic's gate, or None when the topic must always be searched."""
    if topic.patterns:
        return None
    folded = [_first_word(p) for p in (*topic.phrases, *topic.strong, *topic.title_only)]
    exact = [_first_word(w) for w in topic.words]
    if None in folded or None in exact or not all(w.isascii() for w in folded):
        return None
    return _Gate(frozenset(w.lower() for w in folded), frozenset(exact))


@dataclass(frozen=True)
class _Words:
    """The words of a paper's text, for the gates."""

    folded: frozenset[str] | None  # None: the text holds an ASCII twin; search in full
    exact: frozenset[str]

    @classmethod
    def of(cls, text: str) -> "_Words":
        words = _WORD.findall(text)
        twin = not text.isascii() and not ASCII_TWINS.isdisjoint(text)
        folded = None if twin else frozenset(w.lower() for w in words)
        return cls(folded, frozenset(words))

    def may_match(self, gate: _Gate | None) -> bool:
        return gate is None or self.folded is None or \
            not (gate.folded.isdisjoint(self.folded) and gate.exact.isdisjoint(self.exact))


class _Starts:
    """Where the words of a paper's abstract stand, each word looked up when first asked
    (a gated topic asks for a few: indexing every word of every abstract cost more)."""

    def __init__(self, body: str, words: _Words) -> None:
        # Lowercasing keeps every position: only İ lengthens, and it is an ASCII twin
        # (with which nothing is gated).
        self.body, self.folded_body, self.words = body, body.lower(), words
        self.found: dict[tuple[bool, str], list[int]] = {}

    def of_words(self, firsts: _Gate) -> list[int]:
        """Where a word of ``firsts`` stands, in order."""
        found = []
        for folded, wanted, present in ((True, firsts.folded, self.words.folded),
                                        (False, firsts.exact, self.words.exact)):
            for word in wanted.intersection(present):
                at = self.found.get((folded, word))
                if at is None:
                    at = self.found[folded, word] = self._where(word, folded)
                found += at
        return sorted(found)

    def _where(self, word: str, folded: bool) -> list[int]:
        """Where ``word`` stands as a whole word (a whole match of ``_WORD``)."""
        text, body, out = self.folded_body if folded else self.body, self.body, []
        at = text.find(word)
        while at != -1:
            end = at + len(word)
            if (at == 0 or not _is_word(body[at - 1])) and (
                    end == len(body) or not _is_word(body[end])):
                out.append(at)
            at = text.find(word, at + 1)
        return out


def _is_word(char: str) -> bool:
    # What re's \w matches in a str: alphanumerics and the underscore.
    return char.isalnum() or char == "_"


def _parts(phrase: str) -> list[str]:
    # A space or hyphen in a rule matches either: "predictive coding" is also in the
    # title "Predictive-Coding-Inspired ...", and "mixture of experts" in "Mixture-of-Experts".
    return [part for part in re.split(r"[\s-]+", phrase.strip()) if part]


def _phrase(phrase: str) -> str:
    return r"[\s-]+".join(re.escape(part) for part in _parts(phrase))


def _whole(alternatives: list[str], flags: int = 0) -> re.Pattern | None:
    # One lookaround around one alternation: far faster than one per alternative.
    if not alternatives:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", flags)


def _compile(topic: Topic) -> _Rules:
    match = [_whole([_phrase(p) for p in topic.phrases], re.I),
             _whole([_phrase(w) for w in topic.words]),
             _Guarded(_user_pattern("|".join(f"(?:{p})" for p in topic.patterns)))
             if topic.patterns else None]
    gated = _gate(topic) is not None
    firsts = [_Gate(frozenset(_first_word(p).lower() for p in topic.phrases), frozenset()),
              _Gate(frozenset(), frozenset(_first_word(w) for w in topic.words)), None] \
        if gated else [None] * 3
    return _Rules(tuple(m for m in match if m),
                  _whole([_phrase(p) for p in topic.strong], re.I),
                  _whole([_phrase(p) for p in topic.title_only], re.I),
                  _whole([_phrase(p) for p in topic.exclude], re.I),
                  tuple(f for m, f in zip(match, firsts) if m),
                  _Gate(frozenset(_first_word(p).lower() for p in topic.strong), frozenset())
                  if gated else None)


def _user_pattern(pattern: str):
    # The regex package, because re cannot stop a search; VERSION0 reads patterns as re does.
    return regex.compile(pattern, regex.I | regex.V0)


def _times_out(pattern: str, text: str) -> bool:
    try:
        _user_pattern(pattern).search(text, timeout=PATTERN_TIMEOUT)
    except TimeoutError:
        return True
    return False


@dataclass(frozen=True)
class _Guarded:
    """A curator's compiled pattern whose every search stops at PATTERN_TIMEOUT."""

    pattern: object

    def search(self, text: str):
        return self.pattern.search(text, timeout=PATTERN_TIMEOUT)

    def finditer(self, text: str):
        return self.pattern.finditer(text, timeout=PATTERN_TIMEOUT)


def parse_vocabulary(text: str, path: str) -> Vocabulary:
    """Parse and validate the vocabulary file, reporting every problem with its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise yaml_error(path, exc, 1, "invalid YAML", "fix the syntax") from None
    except yaml.YAMLError as exc:
        raise DigestError.at(path, None, f"invalid YAML: {exc}; fix the syntax") from None
    problems: list[Problem] = []
    topics_node = _get(root, "topics") if isinstance(root, yaml.MappingNode) else None
    if not isinstance(topics_node, yaml.MappingNode) or not topics_node.value:
        line = root.start_mark.line + 1 if root is not None else 1
        raise DigestError.at(path, line, "expected a 'topics:' mapping of topic slugs to "
                                         "topics; see CONTRIBUTING.md for the format")
    default = MIN_MENTIONS
    for key_node, node in root.value:
        key, kline = key_node.value, key_node.start_mark.line + 1
        if key not in _TOP_KEYS:
            problems.append(Problem(path, kline, f"unknown key {key!r} at the top; allowed: "
                                                 f"{', '.join(_TOP_KEYS)}"))
        elif key == "min_mentions":
            default = _whole_number(node, path, kline, "min_mentions", problems) or default
    topics = []
    seen: set[str] = set()
    for key_node, node in topics_node.value:
        line = key_node.start_mark.line + 1
        slug = key_node.value
        if not isinstance(key_node, yaml.ScalarNode) or not _SLUG.match(str(slug)):
            problems.append(Problem(path, line, f"topic slug {slug!r} must be lowercase "
                                                "letters, digits and single hyphens"))
            continue
        if slug in RESERVED_SLUGS:
            problems.append(Problem(path, line, f"topic slug '{slug}' is taken by "
                                                f"{RESERVED_SLUGS[slug]}; choose another"))
            continue
        if slug in seen:
            problems.append(Problem(path, line, f"topic '{slug}' is defined twice; merge "
                                                "the two definitions"))
            continue
        seen.add(slug)
        topic = _topic(path, slug, line, node, problems, default)
        if topic:
            topics.append(topic)
    if problems:
        raise DigestError(problems)
    return Vocabulary(tuple(topics), path)


def _get(node: yaml.MappingNode, key: str):
    return next((v for k, v in node.value if getattr(k, "value", None) == key), None)


def _topic(path: str, slug: str, line: int, node, problems: list[Problem],
           min_mentions: int = MIN_MENTIONS) -> Topic | None:
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(path, line, f"topic '{slug}' must be a mapping with name, "
                                            "description and rules"))
        return None
    fields: dict[str, object] = {}
    before = len(problems)
    for key_node, value in node.value:
        key, kline = key_node.value, key_node.start_mark.line + 1
        if key not in _KEYS:
            problems.append(Problem(path, kline, f"topic '{slug}' has an unknown key "
                                                 f"{key!r}; allowed: {', '.join(sorted(_KEYS))}"))
        elif key in ("name", "description"):
            if not isinstance(value, yaml.ScalarNode) or not str(value.value).strip():
                problems.append(Problem(path, kline, f"topic '{slug}': {key} must be text"))
            else:
                fields[key] = str(value.value).strip()
        elif key == "min_mentions":
            min_mentions = _whole_number(value, path, kline,
                                         f"topic '{slug}': min_mentions",
                                         problems) or min_mentions
        else:
            items = _strings(value)
            if items is None:
                problems.append(Problem(path, kline, f"topic '{slug}': {key} must be a "
                                                     "list of strings"))
                continue
            fields[key] = items
            if key == "patterns":
                fields["pattern_lines"] = tuple(n.start_mark.line + 1 for n in value.value)
                for item, iline in zip(items, (n.start_mark.line + 1 for n in value.value)):
                    try:
                        # re's message, which names the position; regex runs it later.
                        re.compile(item)
                        _user_pattern(item)
                    except (re.error, regex.error) as exc:
                        problems.append(Problem(
                            path, iline, f"topic '{slug}': invalid regular expression "
                                         f"{item!r} ({exc}); fix or remove it"))
    for key in ("name", "description"):
        if key not in fields and not any(f"{key} must" in p.message for p in problems[before:]):
            problems.append(Problem(path, line, f"topic '{slug}' has no {key}; add one"))
    if not any(fields.get(k) for k in _RULE_KEYS):
        problems.append(Problem(path, line, f"topic '{slug}' has no rules; add phrases, "
                                            "words or patterns that select its papers"))
    if len(problems) > before:
        return None
    return Topic(slug=slug, name=fields["name"], description=fields["description"],
                 min_mentions=min_mentions, pattern_lines=fields.get("pattern_lines", ()),
                 **{k: tuple(fields.get(k, ())) for k in (*_RULE_KEYS, "exclude")})


def _whole_number(node, path: str, line: int, what: str, problems: list[Problem]) -> int | None:
    """A whole number of 1 or more, or a problem naming its line."""
    if (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:int"
            and str(node.value).isdigit() and int(node.value) >= 1):
        return int(node.value)
    value = repr(node.value) if isinstance(node, yaml.ScalarNode) else (
        "a list" if isinstance(node, yaml.SequenceNode) else "a mapping")
    problems.append(Problem(path, line, f"{what} is {value}, but it must be a whole "
                                        "number of 1 or more, such as 2"))
    return None


def _strings(node) -> list[str] | None:
    if not isinstance(node, yaml.SequenceNode):
        return None
    if not all(isinstance(n, yaml.ScalarNode) and str(n.value).strip() for n in node.value):
        return None
    return [str(n.value).strip() for n in node.value]
