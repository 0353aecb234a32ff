"""Topics: load the curated vocabulary and tag papers with its keyword rules.

A topic matches a paper when any of its phrases (case-insensitive, whole words), words
(case-sensitive, whole words: for acronyms such as SNN or SLAM) or patterns (regular
expressions, case-insensitive) occurs in the title, abstract or AI keywords, and none of
its exclusions does. Exclusions are checked against the same text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .clean import plain
from .errors import DigestError, Problem, yaml_error
from .model import Paper, Topic

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*$")
_RULE_KEYS = ("phrases", "words", "patterns")
_KEYS = {"name", "description", "exclude", *_RULE_KEYS}


@dataclass(frozen=True)
class Vocabulary:
    """The topics in curated order, with their rules compiled."""

    topics: tuple[Topic, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", {t.slug: _compile(t) for t in self.topics})

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
        text = " ".join((plain(paper.title), plain(paper.abstract), *paper.ai_keywords))
        return tuple(slug for slug, (match, exclude) in self._compiled.items()
                     if any(m.search(text) for m in match)
                     and not (exclude and exclude.search(text)))


def _phrase(phrase: str) -> str:
    return r"\s+".join(re.escape(part) for part in phrase.split())


def _whole(alternatives: list[str], flags: int = 0) -> re.Pattern | None:
    # One lookaround around one alternation: far faster than one per alternative.
    if not alternatives:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", flags)


def _compile(topic: Topic) -> tuple[tuple[re.Pattern, ...], re.Pattern | None]:
    match = [_whole([_phrase(p) for p in topic.phrases], re.I),
             _whole([_phrase(w) for w in topic.words]),
             re.compile("|".join(f"(?:{p})" for p in topic.patterns), re.I) if topic.patterns else None]
    return tuple(m for m in match if m), _whole([_phrase(p) for p in topic.exclude], re.I)


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
    topics = []
    seen: set[str] = set()
    for key_node, node in topics_node.value:
        line = key_node.start_mark.line + 1
        slug = key_node.value
        if not isinstance(key_node, yaml.ScalarNode) or not _SLUG.match(str(slug)):
            problems.append(Problem(path, line, f"topic slug {slug!r} must be lowercase "
                                                "letters, digits and single hyphens"))
            continue
        if slug in seen:
            problems.append(Problem(path, line, f"topic '{slug}' is defined twice; merge "
                                                "the two definitions"))
            continue
        seen.add(slug)
        topic = _topic(path, slug, line, node, problems)
        if topic:
            topics.append(topic)
    if problems:
        raise DigestError(problems)
    return Vocabulary(tuple(topics))


def _get(node: yaml.MappingNode, key: str):
    return next((v for k, v in node.value if getattr(k, "value", None) == key), None)


def _topic(path: str, slug: str, line: int, node, problems: list[Problem]) -> Topic | None:
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
        else:
            items = _strings(value)
            if items is None:
                problems.append(Problem(path, kline, f"topic '{slug}': {key} must be a "
                                                     "list of strings"))
                continue
            fields[key] = items
            if key == "patterns":
                for item, iline in zip(items, (n.start_mark.line + 1 for n in value.value)):
                    try:
                        re.compile(item)
                    except re.error as exc:
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
                 **{k: tuple(fields.get(k, ())) for k in (*_RULE_KEYS, "exclude")})


def _strings(node) -> list[str] | None:
    if not isinstance(node, yaml.SequenceNode):
        return None
    if not all(isinstance(n, yaml.ScalarNode) and str(n.value).strip() for n in node.value):
        return None
    return [str(n.value).strip() for n in node.value]
