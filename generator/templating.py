"""The one Jinja environment factory: every page and feed is rendered from ``templates/``.

Pages and feeds share the loader, the strictness and the whitespace rules; they differ in
escaping (Markdown escapes through its own filters, XML through Jinja's autoescape), which
the caller passes in with the filters its templates use.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import jinja2


def environment(filters: Mapping[str, Callable], *, autoescape: bool = False,
                finalize: Callable[[Any], Any] | None = None) -> jinja2.Environment:
    """A Jinja environment over ``generator/templates`` that fails on any undefined name."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        undefined=jinja2.StrictUndefined, autoescape=autoescape, finalize=finalize,
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(filters)
    return env
