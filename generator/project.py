"""The digest project on disk: where things are, read from pyproject.toml and mkdocs.yml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import DigestError


@dataclass(frozen=True)
class Project:
    """Paths and settings of one digest, rooted at its folder."""

    root: Path
    sources: Path
    content: Path
    vocabulary: Path
    site_name: str
    site_url: str
    default_year: int | None = None
    feed_size: int = 50

    def relative(self, path: Path) -> str:
        """How messages name a path: relative to the digest's folder when inside it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    @classmethod
    def load(cls, root: Path) -> "Project":
        """Read ``[tool.digest]`` from pyproject.toml and the site settings from mkdocs.yml."""
        root = root.resolve()
        settings: dict = {}
        pyproject = root / "pyproject.toml"
        if pyproject.exists():
            try:
                settings = tomllib.loads(pyproject.read_text("utf-8")).get("tool", {}).get("digest", {})
            except tomllib.TOMLDecodeError as exc:
                raise DigestError.at(pyproject, None, f"invalid TOML: {exc}; fix the file") from None
        mkdocs = root / "mkdocs.yml"
        if not mkdocs.exists():
            raise DigestError.at(mkdocs, None, "no mkdocs.yml here; run digest from the "
                                               "digest's root folder (the one with mkdocs.yml)")
        config = _load_mkdocs(mkdocs)
        year = settings.get("default_year")
        if year is not None and not isinstance(year, int):
            raise DigestError.at(pyproject, None, "[tool.digest] default_year must be a "
                                                  "whole number such as 2025")
        url = str(config.get("site_url") or "")
        return cls(
            root=root,
            sources=root / settings.get("sources", "sources"),
            content=root / str(config.get("docs_dir", "content")),
            vocabulary=root / settings.get("vocabulary", "topics.yml"),
            site_name=str(config.get("site_name", "Digest")),
            site_url=url if not url or url.endswith("/") else url + "/",
            default_year=year,
            feed_size=int(settings.get("feed_size", 50)),
        )


class _Loader(yaml.SafeLoader):
    """Safe loading that tolerates MkDocs' !ENV and !!python tags by ignoring them."""


_Loader.add_multi_constructor("", lambda loader, suffix, node: None)


def _load_mkdocs(path: Path) -> dict:
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise DigestError.at(path, mark.line + 1 if mark else None,
                             f"invalid YAML: {exc.problem}; fix mkdocs.yml") from None
    return data if isinstance(data, dict) else {}
