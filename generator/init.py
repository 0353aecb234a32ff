"""Make a copy of the digest yours: its name, address and repository in mkdocs.yml.

mkdocs.yml is edited as text, one value at a time, so its comments, order and every other
setting stay as the owner wrote them; the result is read back before it is written.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import DigestError, Problem, not_utf8
from .project import Project
from .write import atomic_write

# What a fresh copy of the digest ships with, until its owner runs 'digest init'.
PLACEHOLDER_URL = "https://example.github.io/digest/"
PLACEHOLDER_REPO = "example/digest"
_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$")
_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}$")
_KEYS = ("site_name", "site_url", "repo_url", "repo_name")


@dataclass(frozen=True)
class Identity:
    """A digest's own name, address and GitHub repository."""

    name: str
    url: str  # http(s), ending in a slash
    repo: str  # owner/name

    @property
    def repo_url(self) -> str:
        return f"https://github.com/{self.repo}"


def check_name(value: str) -> str:
    """The site name, stripped; one line of text."""
    name = value.strip()
    if not name or "\n" in name or "\r" in name:
        raise DigestError.at("--name", None, "the site name must be one line of text, such "
                                             "as --name 'Neuro-AI Reading Digest'")
    return name


def check_url(value: str) -> str:
    """The site's address: http(s) with a host, ending in a slash."""
    parts = urllib.parse.urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
            or parts.fragment or " " in value.strip():
        raise DigestError.at("--url", None, f"{value!r} is not the site's address; give its "
                                            "http(s) URL, such as https://you.github.io/digest/")
    url = urllib.parse.urlunsplit(parts)
    return url if url.endswith("/") else url + "/"


def check_repo(value: str) -> str:
    """The GitHub repository as owner/name, from owner/name or its GitHub URL."""
    text = value.strip()
    parts = urllib.parse.urlsplit(text if "://" in text else "https://" + text) \
        if text.startswith(("http://", "https://", "github.com/", "www.github.com/")) else None
    if parts is not None:
        path = parts.path if parts.hostname in ("github.com", "www.github.com") else ""
        text = path.strip("/").removesuffix(".git")
    owner, _, name = text.partition("/")
    if not (_OWNER.match(owner) and _NAME.match(name) and name not in (".", "..")):
        raise DigestError.at("--repo", None, f"{value!r} is not a GitHub repository; give it "
                                             "as owner/name or https://github.com/owner/name")
    return f"{owner}/{name}"


def identity(name: str, url: str, repo: str) -> Identity:
    """Check all three values, reporting every one that is wrong."""
    problems: list[Problem] = []
    values = []
    for check, value in ((check_name, name), (check_url, url), (check_repo, repo)):
        try:
            values.append(check(value))
        except DigestError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DigestError(problems)
    return Identity(*values)


def _scalar(value: str) -> str:
    # Plain when YAML reads it back unchanged; otherwise double-quoted (JSON is valid YAML).
    try:
        if yaml.safe_load(f"k: {value}") == {"k": value} and value == value.strip():
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)


def rewrite(text: str, ident: Identity) -> str:
    """mkdocs.yml's text with the four identity settings set, and nothing else changed."""
    values = {"site_name": ident.name, "site_url": ident.url, "repo_url": ident.repo_url,
              "repo_name": ident.repo}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return text  # the read-back fails, and says what to do
    if not isinstance(root, yaml.MappingNode):
        return text
    # Each value's exact span in the text, from YAML's own marks: comments and quoting
    # elsewhere stay byte for byte.
    spans = {key.value: (node.start_mark.index, node.end_mark.index)
             for key, node in root.value if getattr(key, "value", None) in values}
    for key, (start, end) in sorted(spans.items(), key=lambda item: -item[1][0]):
        old = text[start:end]
        new = _scalar(values[key])
        if not old.strip():
            new = " " + new  # 'key:' with nothing after it
        elif old.endswith("\n"):
            new += "\n"  # a block scalar's span ends with its line break
        text = text[:start] + new + text[end:]
    missing = [f"{key}: {_scalar(value)}\n" for key, value in values.items() if key not in spans]
    if missing:
        # After site_name when there is one, so the identity stays together at the top.
        anchor = re.search(r"^site_name[ \t]*:.*\n", text, re.M)
        at = anchor.end() if anchor else 0
        text = text[:at] + "".join(missing) + text[at:]
    return text


def _read_back(text: str, ident: Identity) -> bool:
    try:
        config = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError:
        return False
    return isinstance(config, dict) and all(
        config.get(key) == value for key, value in (
            ("site_name", ident.name), ("site_url", ident.url),
            ("repo_url", ident.repo_url), ("repo_name", ident.repo)))


class _Loader(yaml.SafeLoader):
    """Safe loading that ignores MkDocs' own tags (!ENV, !relative, python names)."""


_Loader.add_multi_constructor("", lambda loader, suffix, node: None)


def init(root: Path, ident: Identity) -> bool:
    """Write the identity into mkdocs.yml; False when it already held it."""
    path = root / "mkdocs.yml"
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise DigestError.at(path, None, "no mkdocs.yml here; run digest from the digest's "
                                         "root folder (the one with mkdocs.yml)") from None
    except UnicodeDecodeError as exc:
        raise DigestError(not_utf8("mkdocs.yml", exc)) from None
    new = rewrite(text, ident)
    if not _read_back(new, ident):
        # A value spread over several lines, an anchor, or a key set twice: too clever to
        # edit as text without risk, so say which settings to change by hand.
        raise DigestError.at("mkdocs.yml", None, "could not set site_name, site_url, "
                                                 "repo_url and repo_name as text; set them "
                                                 "by hand, each on one line")
    if new == text:
        return False
    atomic_write(path, new.encode("utf-8"))
    return True


def placeholders(project: Project) -> list[Problem]:
    """Warnings for each example setting a copy of the digest still has."""
    path = project.root / "mkdocs.yml"
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return []  # Project.load reported it already
    warnings = []
    for number, line in enumerate(text.splitlines(), 1):
        if PLACEHOLDER_URL.rstrip("/") in line or f"github.com/{PLACEHOLDER_REPO}" in line:
            key = line.split(":", 1)[0].strip()
            warnings.append(Problem("mkdocs.yml", number, f"warning: {key} is still the "
                                    "example's; run 'digest init' to set your site's name, "
                                    "address and repository"))
    return warnings
