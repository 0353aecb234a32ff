"""MkDocs hook: after every build (``digest build``, ``mkdocs build``, ``digest serve``),
Pagefind indexes the paper pages into ``pagefind/`` of the built site.

Only paper pages are indexed: the topic, date and home pages repeat their text and would
crowd them out of the results. Within a paper page only its ``data-pagefind-body`` counts
(paper.html): title, authors, abstract, topics and notes, with the BibTeX block, the
section headings and the link lines left out below. A page whose front-matter says
``search: exclude: true`` (generate writes it for every hidden paper) is not indexed.

One Pagefind run holds about 75 KB a page (10,000 pages: 760 MB), so the papers are indexed
in parts of at most ``PART_SIZE`` (or ``extra: search_part_size`` in mkdocs.yml), as few
as that allows and of even size, oldest first, each run over a folder of hard links to its
pages; ``pagefind/parts.json`` lists the parts and the search page merges them at query
time (Pagefind's ``mergeIndex``). Every part adds its own index chunks to what a query
fetches, so the parts are as large as memory allows: 20,000 keeps one run near 1.5 GB.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

PART_SIZE = 20_000
# Indexed text a reader never searches for: headings every paper has, the BibTeX entry,
# the permalink signs and the lines of links (paper.md.j2 marks them digest-links).
EXCLUDE = ("#abstract", "#cite", "#notes", ".highlight", ".headerlink", ".digest-links")
FARM = ".search-parts"  # inside site_dir while indexing, so hard links stay on one disk

_papers: list[tuple[str, str]] = []  # (first day listed, the page's file in site_dir)


def on_pre_build(config):
    """``digest serve`` rebuilds in one process: start each build's list afresh."""
    _papers.clear()


def on_post_page(output, page, config):
    """Note each paper page that is to be searchable."""
    meta = page.meta
    excluded = (meta.get("search") or {}).get("exclude") is True
    if meta.get("template") == "paper.html" and not excluded:
        listed = meta.get("listed") or [""]
        _papers.append((str(min(listed)), page.file.dest_uri))
    return output


def parts(papers: list[tuple[str, str]], size: int = PART_SIZE) -> list[list[str]]:
    """The pages of each part: oldest first, as few parts as ``size`` allows, even in size."""
    ordered = [dest for _, dest in sorted(papers)]
    count = -(-len(ordered) // size)
    bounds = [len(ordered) * n // count for n in range(count + 1)]
    return [ordered[a:b] for a, b in zip(bounds, bounds[1:])]


def on_post_build(config):
    """Index every part, then write ``pagefind/parts.json``."""
    site = Path(config.site_dir)
    out = site / "pagefind"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    names = []
    size = config.extra.get("search_part_size", PART_SIZE)
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise PluginError(f"mkdocs.yml: extra: search_part_size must be a whole number of "
                          f"papers, 1 or more (it is {size!r})")
    for number, pages in enumerate(parts(_papers, size)):
        farm = site / FARM
        shutil.rmtree(farm, ignore_errors=True)
        try:
            for dest in pages:
                target = farm / dest
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(site / dest, target)
                except OSError:  # a file system without hard links
                    shutil.copyfile(site / dest, target)
            _index(farm, out / str(number))
        finally:
            shutil.rmtree(farm, ignore_errors=True)
        names.append(str(number))
    (out / "parts.json").write_text(json.dumps({"parts": names}) + "\n", "utf-8")


def _index(folder: Path, output: Path) -> None:
    command = [sys.executable, "-m", "pagefind", "--site", str(folder), "--output-path",
               str(output), "--force-language", "en", "--silent"]
    for selector in EXCLUDE:
        command += ["--exclude-selectors", selector]
    try:
        result = subprocess.run(command, capture_output=True, text=True)
    except OSError as error:
        raise PluginError(f"search index: could not run Pagefind ({error}); "
                          "reinstall digest ('pip install .')") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise PluginError(f"search index: Pagefind failed ({detail[0]}); "
                          "reinstall digest ('pip install .') and build again")
    # The bundle's UI files go unused (search.js drives pagefind.js); leave them out.
    for unused in output.glob("pagefind-*ui.*"):
        unused.unlink()
