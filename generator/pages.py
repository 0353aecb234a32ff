"""The front-matter of a paper page, read and written through python-frontmatter.

One handler holds the page format: the ``---`` fences, a safe YAML loader, and the dump
options that keep generated pages stable (keys in our order, Unicode as is, no folding).
"""

from __future__ import annotations

import datetime as dt
import re

import yaml
from frontmatter.default_handlers import YAMLHandler

# libyaml's classes when PyYAML was built with it: same safety, far faster.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FastDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class PageYAML(YAMLHandler):
    """python-frontmatter's YAML handler with the exact fences and YAML settings of a page."""

    # Unlike the library's pattern, the fences must open the text, and the closing one
    # may be YAML's '...'; the body is kept byte for byte, so line numbers stay true.
    FM_BOUNDARY = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)

    def split(self, text: str) -> tuple[str, str]:
        """The YAML between the fences and the body after them; ValueError without fences."""
        m = self.FM_BOUNDARY.match(text)
        if m is None:
            raise ValueError("no front-matter fences")
        return m["yaml"] or "", text[m.end():]

    def load(self, fm: str, **kwargs: object):
        """The YAML's value, read with a safe loader (an empty header is None)."""
        return yaml.load(fm, Loader=SafeLoader)

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        """The metadata as YAML without the final newline, as the library's format() wants."""
        return _dump(metadata).removesuffix("\n")


def _dump(metadata: dict) -> str:
    node = _node(metadata, set())
    if node is None:  # a value _node does not know: PyYAML's representer does
        return _dump_with(lambda dumper: yaml.dump(metadata, Dumper=dumper, **_OPTIONS))
    return _dump_with(lambda dumper: yaml.serialize(node, Dumper=dumper, **_SERIALIZE))


def _dump_with(dump) -> str:
    text = dump(_FastDumper)
    # libyaml escapes some characters PyYAML writes as they are (emoji and the rest
    # beyond U+FFFF, U+0085), and an escape always shows a backslash. Such a page is
    # dumped again in pure Python, so its bytes never depend on libyaml being installed.
    if "\\" in text and _FastDumper is not yaml.SafeDumper:
        text = dump(yaml.SafeDumper)
    return text


# The nodes SafeDumper's representer makes of a page's values, made directly: its
# dispatch was half of dumping a page. None for anything else, or for a list or mapping
# met twice (the representer would write an alias); the representer then does it all.
_TAG = "tag:yaml.org,2002:"
_SCALARS = {str: lambda v: v, bool: lambda v: "true" if v else "false", int: str,
            type(None): lambda v: "null", dt.date: dt.date.isoformat}
_SCALAR_TAGS = {str: "str", bool: "bool", int: "int", type(None): "null", dt.date: "timestamp"}


def _node(value: object, seen: set[int]) -> yaml.Node | None:
    kind = type(value)
    if kind in _SCALARS:
        return yaml.ScalarNode(_TAG + _SCALAR_TAGS[kind], _SCALARS[kind](value))
    if kind not in (list, dict) or id(value) in seen:
        return None
    seen.add(id(value))
    if kind is list:
        items = [_node(item, seen) for item in value]
        return None if None in items else yaml.SequenceNode(_TAG + "seq", items, flow_style=False)
    pairs = [(_node(k, seen), _node(v, seen)) for k, v in value.items()]
    if any(k is None or v is None for k, v in pairs):
        return None
    return yaml.MappingNode(_TAG + "map", pairs, flow_style=False)


# Block style, keys in our order, Unicode as is, and lines never folded (libyaml takes
# the width as a C int, so the largest one).
_OPTIONS = {"sort_keys": False, "allow_unicode": True, "default_flow_style": False,
            "width": 2**31 - 1}
_SERIALIZE = {"allow_unicode": True, "width": 2**31 - 1}

HANDLER = PageYAML()
