"""The digest project on disk: where things are, read from pyproject.toml and mkdocs.yml.

``Project.load`` is the one place settings are read and checked. Every bad value is a
``path:line`` problem naming the key's line, and one run reports all of them.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from mkdocs.exceptions import ConfigurationError
from mkdocs.utils.yaml import get_yaml_loader, yaml_load

from .errors import Collector, not_utf8, yaml_error

FEED_SIZE = 50  # entries per Atom feed, unless [tool.digest] feed_size says otherwise
# Cards per page of a topic, the home page's newest day, and days on the dates index: a
# page then weighs about 60 KB whatever the size of the digest.
PAGE_SIZE = 50
# The keys [tool.digest] may hold, with their defaults; anything else is a typo.
DIGEST_DEFAULTS: dict[str, Any] = {
    "sources": "sources",
    "vocabulary": "topics.yml",
    "default_year": None,
    "feed_size": FEED_SIZE,
    "page_size": PAGE_SIZE,
}
# mkdocs.yml's docs_dir when unset: MkDocs' own default is docs/, the digest's is content/.
CONTENT = "content"
SITE_NAME = "Digest"


@dataclass(frozen=True)
class Project:
    """Paths and settings of one digest, rooted at its folder, checked when loaded."""

    root: Path
    sources: Path
    content: Path
    vocabulary: Path
    site_name: str
    site_url: str  # with a trailing slash, or "" when unset
    default_year: int | None
    feed_size: int
    page_size: int = PAGE_SIZE

    def relative(self, path: Path) -> str:
        """How messages name a path: relative to the digest's folder when inside it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    @classmethod
    def load(cls, root: Path) -> "Project":
        """Read and check ``[tool.digest]`` in pyproject.toml and the site settings in mkdocs.yml."""
        root = root.resolve()
        problems = Collector()
        digest = _digest_settings(root, problems)
        site = _site_settings(root, problems)
        problems.raise_if_any()
        return cls(
            root=root,
            sources=root / digest["sources"],
            content=root / site["docs_dir"],
            vocabulary=root / digest["vocabulary"],
            site_name=site["site_name"],
            site_url=site["site_url"],
            default_year=digest["default_year"],
            feed_size=digest["feed_size"],
            page_size=digest["page_size"],
        )


# --- pyproject.toml -------------------------------------------------------------------


def _digest_settings(root: Path, problems: Collector) -> dict[str, Any]:
    """[tool.digest] with defaults filled in; problems for every value that cannot be used."""
    settings = dict(DIGEST_DEFAULTS)
    path = root / "pyproject.toml"
    if not path.exists():
        return settings
    name = "pyproject.toml"
    try:
        text = path.read_bytes().decode("utf-8")
        table = tomllib.loads(text).get("tool", {}).get("digest", {})
    except UnicodeDecodeError as exc:
        problems.problems.append(not_utf8(name, exc))
        return settings
    except tomllib.TOMLDecodeError as exc:
        problems.add(name, _toml_line(exc), f"invalid TOML: {exc}; fix the file")
        return settings
    lines = _toml_key_lines(text, "tool.digest")
    if not isinstance(table, dict):
        problems.add(name, lines.get(""), "[tool.digest] must be a table of settings; "
                                          "see the one in the digest's own pyproject.toml")
        return settings
    for key in sorted(set(table) - set(DIGEST_DEFAULTS)):
        close = difflib.get_close_matches(key, DIGEST_DEFAULTS, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        problems.add(name, lines.get(key, lines.get("")),
                     f"[tool.digest] has no setting '{key}'; {hint}the settings are "
                     + ", ".join(sorted(DIGEST_DEFAULTS)))
    for key, check in _DIGEST_CHECKS.items():
        if key in table:
            wrong = check(table[key])
            if wrong:
                problems.add(name, lines.get(key, lines.get("")),
                             f"[tool.digest] {key} is {_toml(table[key])}, but {wrong}")
            else:
                settings[key] = table[key]
    return settings


def _folder(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return None
    return "it must be a path in quotes, relative to this folder, such as \"sources\""


def _year(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9999:
        return None
    return "it must be a whole number such as 2025, without quotes"


def _size(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return None
    return f"it must be a whole number of 1 or more, without quotes, such as {FEED_SIZE}"


_DIGEST_CHECKS = {"sources": _folder, "vocabulary": _folder,
                  "default_year": _year, "feed_size": _size, "page_size": _size}


def _toml(value: Any) -> str:
    # Say the value as it is spelt in the file, so the user can find it.
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if isinstance(value, (int, float)) else f"a {type(value).__name__}"


_TABLE = re.compile(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"\s*(?:\"([^\"]+)\"|'([^']+)'|([A-Za-z0-9_-]+))\s*=")


def _toml_key_lines(text: str, table: str) -> dict[str, int]:
    """The line of each key in ``[table]``, and of its header under ``""``.

    A scan of the text, since tomllib keeps no positions. Keys set another way (dotted
    keys, inline tables) are not found; messages then name the header, or no line.
    """
    lines: dict[str, int] = {}
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        header = _TABLE.match(line)
        if header:
            inside = re.sub(r"[\s\"']", "", header.group(1)) == table
            if inside:
                lines.setdefault("", number)
            continue
        key = _KEY.match(line) if inside else None
        if key:
            lines.setdefault(next(g for g in key.groups() if g), number)
    return lines


def _toml_line(exc: tomllib.TOMLDecodeError) -> int | None:
    # tomllib gives its position only in the message: "... (at line 3, column 7)".
    found = re.search(r"at line (\d+)", str(exc))
    return int(found.group(1)) if found else None


# --- mkdocs.yml -----------------------------------------------------------------------


class _SafeLoader(yaml.SafeLoader):
    """Safe loading that leaves alone tags the generator never needs (!!python/name, !relative)."""


_SafeLoader.add_multi_constructor("", lambda loader, suffix, node: None)
# MkDocs' own loader, for !ENV, over a safe base: MkDocs loads with PyYAML's full Loader.
_MKDOCS_LOADER = get_yaml_loader(_SafeLoader)


def _site_settings(root: Path, problems: Collector) -> dict[str, Any]:
    """site_name, site_url and docs_dir from mkdocs.yml, as MkDocs would read them."""
    settings = {"site_name": SITE_NAME, "site_url": "", "docs_dir": CONTENT}
    path, name = root / "mkdocs.yml", "mkdocs.yml"
    if not path.exists():
        problems.add(path, None, "no mkdocs.yml here; run digest from the digest's root folder "
                                 "(the one with mkdocs.yml)")
        return settings
    try:
        text = path.read_bytes().decode("utf-8")
        config = yaml.load(text, Loader=_MKDOCS_LOADER)  # noqa: S506 - a SafeLoader subclass
    except UnicodeDecodeError as exc:
        problems.problems.append(not_utf8(name, exc))
        return settings
    except yaml.MarkedYAMLError as exc:
        problems.extend(yaml_error(name, exc, 1, "invalid YAML", "fix mkdocs.yml"))
        return settings
    if not isinstance(config, dict):
        problems.add(name, 1, "mkdocs.yml must be a mapping of settings such as 'site_name: "
                              "My digest'; see the digest's own mkdocs.yml")
        return settings
    if "INHERIT" in config:
        try:
            with path.open("rb") as file:  # MkDocs merges the parent file's settings in
                config = yaml_load(file, _MKDOCS_LOADER)
        except ConfigurationError as exc:
            problems.add(name, _yaml_key_line(text, "INHERIT"), f"{exc}; fix INHERIT")
            return settings
    for key, check in _SITE_CHECKS.items():
        value = config.get(key)
        if value is None or value == "":
            continue  # unset, or !ENV naming a variable that is not set: the default holds
        wrong = check(value)
        if wrong:
            problems.add(name, _yaml_key_line(text, key), f"{key} is {value!r}, but {wrong}")
        else:
            settings[key] = value
    url = settings["site_url"]
    settings["site_url"] = url if not url or url.endswith("/") else url + "/"
    return settings


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) else "it must be text; put it in quotes"


def _url(value: Any) -> str | None:
    parts = urllib.parse.urlsplit(value) if isinstance(value, str) else None
    if parts and parts.scheme in ("http", "https") and parts.netloc:
        return None
    return ("it must be the site's http(s) address, such as https://example.github.io/digest/, "
            "or be left out")


_SITE_CHECKS = {"site_name": _text, "site_url": _url, "docs_dir": _text}


def _yaml_key_line(text: str, key: str) -> int | None:
    """The line of a top-level key in YAML text; None when it is not there (inherited)."""
    found = re.search(rf"^{re.escape(key)}\s*:", text, re.M)
    return text.count("\n", 0, found.start()) + 1 if found else None

