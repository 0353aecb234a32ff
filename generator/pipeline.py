"""The pipeline: load inputs at one edge, plan everything in memory, write at the other.

``plan`` is pure: it turns the loaded bytes into every file ``generate`` would write,
and reports every problem it found in one DigestError before anything touches the disk.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import gc
import os
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Container, Iterable, Sequence

from . import cache, clean, enrich, memo, merge, workers
from .curate import (CuratedPage, hand_edits, normalise, page_slug, parse_page, resolve_tags,
                     tag_line)
from .dedupe import Keys, deduplicate, identity_title
from .duplicates import likely_duplicates
from .errors import Collector, DigestError, Problem, excerpt, not_utf8
from .model import Entry, Listing, Paper, SiteInfo, teaser
from .project import Project
from .readers import SourceFile, read_source_reporting, registry
from .render import (GENERATED_DIRS, GENERATED_FILES, RETIRED_FILES, Reuse, redirect_page,
                     render_site)
from .slugs import assign_slugs, match_pages
from .tagging import Vocabulary, parse_vocabulary
from .write import WriteReport, changes, leftover_temp_files, locked, write_tree

# A progress reporter: wraps an iterable and a label, yields the same items.
Track = Callable[[Sequence, str], Iterable]


def _untracked(items: Sequence, label: str) -> Iterable:
    return items


@dataclass(frozen=True)
class Inputs:
    """Everything generate reads, as loaded from disk."""

    sources: tuple[SourceFile, ...]
    vocabulary: tuple[str, str]  # (display path, text)
    # (path relative to the project, text or None if not read: see ``unread``), sorted
    pages: tuple[tuple[str, str | None], ...]
    generated: frozenset[str]  # generated files now in content/, relative to it
    sources_path: str  # the sources folder as messages name it ([tool.digest] sources)
    # Each page's bytes as read: generate replaces a page only while it still holds them.
    originals: tuple[tuple[str, bytes], ...] = ()
    records: tuple[str, str] | None = None  # (display path, text) of sources/resolved.yml
    # The digest of each generated file, and of each page read, by its path in content/:
    # what the memo compares with (only for generate, see load's ``digests``).
    digests: dict[str, bytes] = field(default_factory=dict)
    papers_path: str = "content/papers"  # the pages' folder as messages name it
    # The pages load did not read (their text in ``pages`` is None), read when needed.
    unread: Unread = field(default_factory=lambda: Unread({}, {}))
    # The generated files read, by path in content/: (digest, look), for cache.State.
    looked: dict[str, tuple] = field(default_factory=dict)

    def text(self, page: CuratedPage) -> str:
        """A page's whole text, as _parse_pages would have given it."""
        return self.unread.text(page.path) if page.path in self.unread else page.text


class PageChanged(Exception):
    """A page this run did not read now holds bytes other than the ones it trusted."""


@dataclass(frozen=True)
class Unread:
    """Pages known by the digest the no-op check trusted (cache.py), whose parse the memo
    holds: a run reads one only if it needs its text, to check it or to replace it."""

    paths: dict[str, str]  # the page as messages name it -> its path
    digests: dict[str, bytes]  # ... -> the digest of the bytes it was trusted to hold
    found: dict[str, bytes] = field(default_factory=dict)  # those read so far

    def __contains__(self, shown: str) -> bool:
        return shown in self.paths

    def data(self, shown: str) -> bytes:
        """The page's bytes, which must be the ones trusted: else PageChanged."""
        if shown not in self.found:
            try:
                with open(self.paths[shown], "rb") as handle:
                    data = handle.read()
            except OSError:
                raise PageChanged(shown) from None
            if memo.digest(data) != self.digests[shown]:
                raise PageChanged(shown)
            self.found[shown] = data
        return self.found[shown]

    def text(self, shown: str) -> str:
        return normalise(self.data(shown).decode("utf-8"))


@dataclass(frozen=True)
class Stats:
    """The ingest report."""

    files: int
    listings: int
    papers: int

    @property
    def merged(self) -> int:
        return self.listings - self.papers


@dataclass(frozen=True)
class Plan:
    """What generate would leave in content/."""

    files: dict[str, bytes]
    stale: frozenset[str]
    orphans: tuple[CuratedPage, ...]
    stats: Stats
    # Lines of the sources that were read past (the ingest report shows them).
    warnings: tuple[Problem, ...] = ()
    entries: tuple[Entry, ...] = ()
    # Pairs of page slugs a curator said are different papers (not_same_as).
    distinct: frozenset[frozenset[str]] = frozenset()
    choices: enrich.Choices = enrich.Choices({}, frozenset())
    records: dict[str, enrich.Record] = field(default_factory=dict)
    recalled_orphans: tuple[str, ...] = ()  # a recalled run's orphans, by path
    # Pages known to hold what would be written (see memo.py): not rendered again.
    reused: frozenset[str] = frozenset()
    memo: memo.Memo = memo.Memo()  # what this run worked out, for the next
    # check's warnings for not_same_as entries that name no other page (at the lines of the
    # pages as read: generate may move them, so only check, which writes nothing, says so)
    stray_distinctions: tuple[Problem, ...] = ()

    @property
    def orphan_count(self) -> int:
        return len(self.orphans) or len(self.recalled_orphans)


def load(project: Project, *, require_sources: bool = True, digests: bool = False,
         read: dict[str, bytes] | None = None, hashed: dict[str, str] | None = None,
         unread: frozenset[str] = frozenset(), parsed: Container[str] = (),
         known: dict[str, tuple[str, tuple]] | None = None,
         now: tuple[int, int] | None = None) -> Inputs:
    """Read sources, vocabulary and existing pages, naming any file that cannot be read.

    With ``digests``, also the digest of every generated file and page (for the memo).
    ``read`` holds bytes this run already read (cache.state's), which are taken instead,
    and ``hashed`` their digests in hex (cache.State.inputs), by the same labels. A page
    labelled in ``unread`` (its digest trusted, not read) whose memo key is in ``parsed``
    is not read either (see Unread), nor a generated file in ``known``
    (cache.State.generated: its digest known by its look); the look of each one read that had
    settled by ``now`` (write.Clock's) is in ``Inputs.looked``.
    """
    read, hashed = read or {}, hashed or {}
    later = Unread({}, {})
    page_digests: dict[str, bytes] = {}
    problems = Collector()
    if not project.sources.is_dir() and require_sources:
        problems.add(project.relative(project.sources), None,
                     "the sources folder is missing; create it and add a day's listing")
    files = _source_files(project, problems) if project.sources.is_dir() else []
    records = None
    records_path = project.sources / enrich.RECORDS
    if records_path in files:
        files.remove(records_path)
        try:
            records = (project.relative(records_path), records_path.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            problems.add(project.relative(records_path), None,
                         f"cannot be read ({exc}); delete it and run 'digest enrich' again")
    sources = []
    for path in files:
        name = path.relative_to(project.sources).as_posix()
        try:
            data = read.get(f"sources/{name}")
            if data is None:
                data = path.read_bytes()
        except OSError as exc:
            problems.add(project.relative(path), None, f"cannot be read ({exc.strerror}); "
                                                       "make it readable, or remove it")
            continue
        sources.append(SourceFile(name, data, project.default_year))
    sources = tuple(sources)
    if not files and project.sources.is_dir() and require_sources:
        problems.add(project.relative(project.sources), None,
                     "there are no sources; add a day's listing with 'digest add FILE'")
    vocab_path = project.relative(project.vocabulary)
    vocab_read = False
    try:
        vocab_text = project.vocabulary.read_bytes().decode("utf-8")
        vocab_read = True
    except FileNotFoundError:
        problems.add(vocab_path, None, "the topic vocabulary file is missing; create it "
                                       "(see CONTRIBUTING.md) or set [tool.digest] vocabulary")
        vocab_text = ""
    except UnicodeDecodeError as exc:
        problems.problems.append(not_utf8(vocab_path, exc))
        vocab_text = ""
    except OSError as exc:  # a folder of that name, a file it may not read
        problems.add(vocab_path, None, f"cannot be read ({exc.strerror}); make it the "
                                       "vocabulary file (see CONTRIBUTING.md)")
        vocab_text = ""
    pages, originals = [], []
    papers_dir = project.content / "papers"
    # Names as strings, made once: pathlib per page was a fifth of a new day's run.
    shown_dir = project.relative(papers_dir)
    names = sorted(n for n in os.listdir(papers_dir) if n.endswith(".md")) \
        if papers_dir.is_dir() else []
    at = os.path.join(papers_dir, "")  # joined once, not once a page
    for name in names:
        if _not_a_page(name):
            continue
        shown = f"{shown_dir}/{name}"
        label = f"papers/{name}"
        if label in unread and digests and f"{shown}\0{hashed[label]}" in parsed:
            later.paths[shown] = at + name
            later.digests[shown] = page_digests[label] = bytes.fromhex(hashed[label])
            pages.append((shown, None))
            continue
        data = read.get(label)  # read as a regular file a moment ago
        if data is not None and digests and label in hashed:
            page_digests[label] = bytes.fromhex(hashed[label])
        if data is None:
            path = papers_dir / name
            odd = _odd_entry(path)
            if odd:
                problems.add(shown, None, odd)
                continue
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError as exc:
                problems.add(shown, None, f"cannot be read ({exc.strerror}); "
                                          "make it readable, or remove it")
                continue
        originals.append((shown, data))
        try:
            pages.append((shown, data.decode("utf-8")))
        except UnicodeDecodeError as exc:
            problems.problems.append(not_utf8(shown, exc))
    generated = set()
    for folder in GENERATED_DIRS:
        base = project.content / folder
        if base.is_dir():
            # Topics page back into subfolders (topics/<slug>/page/2.md).
            generated.update(p.relative_to(project.content).as_posix()
                             for p in base.rglob("*") if p.is_file() and not p.name.startswith(".")
                             and not any(part.startswith(".") for part in
                                         p.relative_to(base).parts))
    generated.update(f for f in GENERATED_FILES + RETIRED_FILES if (project.content / f).exists())
    if problems.problems:
        _within(Inputs(sources, (vocab_path, vocab_text), tuple(pages), frozenset(),
                       project.relative(project.sources), (), records, unread=later),
                problems, vocabulary=vocab_read)
    problems.raise_if_any()
    found, looked = _digests(project.content, generated, known or {}, now) if digests \
        else ({}, {})
    return Inputs(sources, (vocab_path, vocab_text), tuple(pages), frozenset(generated),
                  project.relative(project.sources), tuple(originals), records,
                  {**found, **page_digests}, shown_dir, later, looked)


def _within(inputs: Inputs, problems: Collector, vocabulary: bool) -> None:
    """What plan's first checkpoint finds inside the files that could be read: a file that
    cannot be (a dangling link, a folder named like a source) must not hide what is wrong
    in the others. Pages left unread are whole: the memo holds their parse."""
    if vocabulary:
        _vocabulary(inputs, problems)
    _listings(inputs, problems, _untracked)
    read = replace(inputs, pages=tuple(p for p in inputs.pages if p[1] is not None))
    _pages(read, problems, memo.Memo(), memo.Memo(), None)
    _records(inputs, problems)


def _digests(content: Path, generated: set[str], known: dict[str, tuple[str, tuple]],
             now: tuple[int, int] | None) -> tuple[dict[str, bytes], dict[str, tuple]]:
    """The digest of each generated file that can be read (the rest are rendered anew),
    and the looks of those read (cache.digested). Those whose digest is ``known`` are not
    read again."""
    found, looked = {}, {}
    for relative in generated:
        if relative in known:
            found[relative] = bytes.fromhex(known[relative][0])
            continue
        try:
            found[relative], look = cache.digested(os.path.join(content, relative), now)
        except OSError:
            continue
        if look is not None:
            looked[relative] = (found[relative].hex(), look)
    return found, looked


def _not_a_page(name: str) -> bool:
    # Editors' lock, swap and backup files, and any dotfile, sit next to pages unasked.
    return name.startswith(".") or name.endswith(("~", ".swp"))


def _source_files(project: Project, problems: Collector) -> list[Path]:
    """Every source file below the sources folder; entries that cannot be one are problems.

    Dotfiles and editor backups are passed over. Links are not followed into folders, so a
    link loop cannot hang the walk; a link to a file is read like the file.
    """
    found = []
    for folder, dirs, names in os.walk(project.sources):
        base = Path(folder)
        for name in sorted(dirs):
            path = base / name
            if _not_a_page(name):
                dirs.remove(name)
            elif path.is_symlink():
                problems.add(project.relative(path), None,
                             "is a link to a folder, which is not read; put the folder itself "
                             "here, or remove the link")
            elif "." + name.rsplit(".", 1)[-1].lower() in registry() and "." in name:
                problems.add(project.relative(path), None,
                             "is a folder named like a listing; rename it, or put the listing "
                             "file here in its place")
        for name in names:
            if _not_a_page(name):
                continue
            path = base / name
            try:
                mode = path.stat().st_mode
            except FileNotFoundError:
                problems.add(project.relative(path), None,
                             "is a symbolic link to nothing; restore its target, or remove it")
                continue
            except OSError as exc:
                problems.add(project.relative(path), None,
                             f"cannot be read ({exc.strerror}); replace it with the listing "
                             "file, or remove it")
                continue
            if not stat.S_ISREG(mode):
                problems.add(project.relative(path), None,
                             "is not a regular file; remove it (a listing is a regular file)")
                continue
            found.append(path)
    return sorted(found)


def _odd_entry(path: Path) -> str | None:
    """Why a ``*.md`` entry in papers/ cannot be a page, if it cannot."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "is a symbolic link to nothing; remove it (a page is a regular file)"
    except OSError as exc:
        return f"cannot be read ({exc.strerror}); make it readable, or remove it"
    if stat.S_ISDIR(mode):
        return "is a folder, not a page; move it out of the papers folder"
    if not stat.S_ISREG(mode):
        # Reading a pipe or a device would hang or never end.
        return "is not a regular file; remove it (a page is a regular file)"
    return None


def plan(inputs: Inputs, site: SiteInfo, track: Track = _untracked,
         known: memo.Memo | None = None) -> Plan:
    """Every generated file for these inputs, or every problem that prevents it.

    With ``known``, the last run's memo, the paper, topic and date pages that would come
    out as they are on disk are left out of ``files`` and named in ``reused`` (memo.py).
    """
    problems = Collector()
    using = known is not None
    learnt = memo.Memo(known.code if known else "")
    known = known or memo.Memo()
    # Each page's digest, by its path in content/, for the memo's keys.
    on_disk = {**{_in_content(path): memo.digest(data) for path, data in inputs.originals
                  if _in_content(path) not in inputs.digests},
               **inputs.digests} if using else None
    vocab = _vocabulary(inputs, problems)
    listings, warnings = _listings(inputs, problems, track, known if using else None,
                                   learnt if using else None)
    pages = _pages(inputs, problems, known, learnt, on_disk)
    records = _records(inputs, problems)
    problems.raise_if_any()
    choices = _choices(pages)
    if records or choices.pinned:
        listings, disagreements = enrich.apply(listings, records, choices,
                                               inputs.records[0] if inputs.records else "")
        warnings += disagreements

    if using:
        _identities(listings, known, learnt)
    keys = memo.dedupe_keys(known, learnt) if using else Keys()
    papers = deduplicate(listings, keys=keys)
    matched = match_pages(papers, pages, keys.identity)
    merges = merge.resolve(papers, matched, pages, problems)
    problems.raise_if_any()
    if merges.aliases:
        papers = deduplicate(listings, merges.aliases, keys)
        matched = {k: v for k, v in matched.items() if k not in merges.aliases}
    kept = {id(page) for page in matched.values()}
    orphans = tuple(p for p in pages if id(p) not in kept and not p.same_as)
    existing = {key: page.slug for key, page in matched.items()}
    slugs = assign_slugs(papers, existing, frozenset(
        [p.slug for p in orphans] + list(merges.redirects)))
    entries = []
    # The vocabulary by its digest: every memo key holds it (its bytes in each key were
    # 12 KB hashed per paper and page).
    vocab_key = memo.digest(inputs.vocabulary[1].encode("utf-8"))
    tagged = _tag_all(vocab, vocab_key, papers, known if using else None, learnt)
    for paper, (rules, made) in zip(track(papers, "tagging and merging"), tagged):
        page = matched.get(paper.key)
        if paper.key in merges.folded:
            page = merge.fold(page, merges.folded[paper.key])
        choice = resolve_tags(rules, page)
        tags = vocab.order(choice.tags) if page is None else choice.tags
        for tag in tags:
            if vocab.get(tag) is None:
                problems.add(page.path, tag_line(page.with_text(inputs.text(page)), tag),
                             _unknown_tag(tag, vocab))
        entry = Entry(
            paper=paper, slug=slugs[paper.key], tags=tags, rule_tags=rules,
            curator_added=choice.added, curator_removed=choice.removed,
            featured=page.featured if page else False, hidden=page.hidden if page else False,
            notes=page.notes if page else "\n",
            not_same_as=page.not_same_as if page else (), resolve=page.resolve if page else None)
        # What tagging cleaned, where Entry's cached properties keep it: worked out in a
        # worker, it would be cleaned again here for every card and page.
        if made is not None:
            entry.__dict__.update(teaser=made.teaser, plain_title=made.plain_title)
            clean.remember(made.cleaned)
        if using:  # every listing sorts by it, every BibTeX entry holds it
            entry.__dict__["plain_title"] = memo.recall(
                known.plain, learnt.plain, paper.title, lambda: entry.plain_title)
            # Every card shows it, and a day's run shows some 1,500 cards: their teasers
            # cleaned again were 0.4 s at 50,000 papers.
            entry.__dict__["teaser"] = memo.recall(
                known.teasers, learnt.teasers, memo.teaser_key(paper), lambda: entry.teaser)
        entries.append(entry)
    problems.raise_if_any()
    reuse = None
    if using:
        def known_page(path: str, key: bytes) -> bool:
            written = known.outputs.get(key)
            return written is not None and written == on_disk.get(path)

        reuse = Reuse(known_page, vocab_key, papers=inputs.papers_path,
                      recall=lambda key, make: memo.recall(known.bib, learnt.bib, key, make))
    rendered = render_site(entries, vocab, site, reuse)
    reused = frozenset(reuse.keys) - set(rendered) if reuse else frozenset()
    for path, key in reuse.keys.items() if reuse else ():
        learnt.outputs[key] = on_disk[path] if path in reused else \
            memo.digest(rendered[path].encode("utf-8"))
    # Each paper page rendered, by the digest it will have: the next run then reads it
    # as _parse_pages would recall it, without parsing (its cold run wrote every page).
    for path, page in reuse.parsed.items() if reuse else ():
        learnt.pages[f"{page.path}\0{learnt.outputs[reuse.keys[path]].hex()}"] = page
    by_slug = {entry.slug: entry for entry in entries}
    for page in pages:
        if page.same_as in by_slug and page.slug in merges.redirects:
            rendered[f"papers/{page.slug}.md"] = redirect_page(
                page.key, page.title, by_slug[page.same_as])
    _refuse_hand_edits(matched.values(), rendered, problems, inputs.text)
    problems.raise_if_any()
    files = {path: text.encode("utf-8") for path, text in rendered.items()}
    stale = frozenset(inputs.generated - set(files) - reused)
    distinct = frozenset(frozenset((p.slug, other))
                         for p in pages for other in p.not_same_as)
    return Plan(files, stale, orphans, Stats(len(inputs.sources), len(listings), len(papers)),
                warnings, tuple(entries), distinct, choices, records, reused=reused, memo=learnt,
                stray_distinctions=_unknown_distinctions(pages))


def _unknown_distinctions(pages: list[CuratedPage]) -> tuple[Problem, ...]:
    """A warning for each ``not_same_as`` entry that names no other page: it keeps apart
    nothing, and a misspelt slug leaves the pair it meant reported as likely the same."""
    naming = [page for page in pages if page.not_same_as]
    slugs = {page.slug for page in pages} if naming else set()  # a day's run: mostly none
    out = []
    for page in naming:
        for other in page.not_same_as:
            if other == page.slug:
                message = f"'not_same_as' names this page itself ({other}); remove it"
            elif other not in slugs:
                message = (f"'not_same_as' names '{other}', which is no page in the papers "
                           "folder; use the other page's file name without .md, or remove it")
            else:
                continue
            out.append(Problem(page.path, page.not_same_as_line, message))
    return tuple(out)


def _in_content(path: str) -> str:
    """A page's path in content/, from its path in the project (content/papers/x.md)."""
    return "papers/" + path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class _Tagged:
    """A paper's rule topics, and the texts cleaning it for them gave."""

    tags: tuple[str, ...]
    plain_title: str
    teaser: str
    # The title's and abstract's cleaning (clean.cleaned): every paper page shows them,
    # and those pages are rendered in other workers, which would clean them again.
    cleaned: tuple = ()


def _tag_one(vocab: Vocabulary, paper: Paper) -> _Tagged:
    return _Tagged(vocab.tag(paper), clean.plain(paper.title), teaser(paper),
                   clean.cleaned(paper.title, paper.abstract))


def _tag_all(vocab: Vocabulary, vocab_key: bytes, papers: list[Paper], known: memo.Memo | None,
             learnt: memo.Memo) -> list[tuple[tuple[str, ...], _Tagged | None]]:
    """Each paper's rule topics: the memo's where it knows them (``known``), the rest worked
    out with what their cleaning gave."""
    keys = [memo.tags_key(vocab_key, p) if known is not None else None for p in papers]
    out = []
    for key, (recalled, made) in zip(keys, _recall_or_spread(
            known.tags if known is not None else {}, keys, papers,
            functools.partial(_tag_one, vocab))):
        rules = made.tags if made else recalled
        if key is not None:
            learnt.tags[key] = rules
        out.append((rules, made))
    return out


def _identities(listings: list[Listing], known: memo.Memo, learnt: memo.Memo) -> None:
    """Put each listing title's identity, which deduplication compares, in ``learnt``: the
    memo's where it has it, the rest worked out over the machine's cores (for a cold run
    at 50,000 papers, three seconds on one core)."""
    titles = sorted({listing.title for listing in listings})
    for title, (recalled, made) in zip(titles, _recall_or_spread(
            known.titles, titles, titles, identity_title)):
        learnt.titles[title] = recalled if made is None else made


def _recall_or_spread(known: dict, keys: list, items: Sequence, fn: Callable) -> list[tuple]:
    """For each item, ``(known[key], None)`` where the memo holds its key, else
    ``(None, fn(item))``, with every ``fn`` spread over the machine's cores (workers.py)."""
    made = iter(workers.spread(fn, [item for item, key in zip(items, keys)
                                    if known.get(key) is None]))
    return [(found, None) if (found := known.get(key)) is not None else (None, next(made))
            for key in keys]


def _records(inputs: Inputs, problems: Collector) -> dict[str, enrich.Record]:
    if inputs.records is None:
        return {}
    try:
        return enrich.parse_records(inputs.records[1], inputs.records[0])
    except DigestError as exc:
        problems.extend(exc)
        return {}


def _choices(pages: list[CuratedPage]) -> enrich.Choices:
    """The curators' pins and rejections, by the normalised title of their pages."""
    pinned = {identity_title(p.title): p.resolve for p in pages if isinstance(p.resolve, str)}
    rejected = frozenset(identity_title(p.title) for p in pages if p.resolve is False)
    return enrich.Choices(pinned, rejected)


def _vocabulary(inputs: Inputs, problems: Collector) -> Vocabulary:
    path, text = inputs.vocabulary
    try:
        return parse_vocabulary(text, path)
    except DigestError as exc:
        problems.extend(exc)
        return Vocabulary(())


def _listings(inputs: Inputs, problems: Collector, track: Track,
              known: memo.Memo | None = None, learnt: memo.Memo | None = None
              ) -> tuple[list[Listing], tuple[Problem, ...]]:
    """Every source's listings, and the lines read past. With the memos, a source read
    before with the same name and bytes is not read again (835 sources at 50,000 papers,
    a tenth of a day's run)."""
    listings: list[Listing] = []
    warnings: list[Problem] = []
    for source in track(inputs.sources, "reading sources"):
        where = f"{inputs.sources_path}/{source.name}"
        key = f"{source.name}\0{source.default_year}\0{memo.digest(source.data).hex()}" \
            if learnt is not None else None
        found = known.sources.get(key) if known is not None and key is not None else None
        if found is None:
            try:
                read, notes = read_source_reporting(source)
            except DigestError as exc:
                problems.extend(DigestError([Problem(where if p.path == source.name else p.path,
                                                     p.line, p.message) for p in exc.problems]))
                continue
            found = tuple(read), tuple((p.line, p.message) for p in notes)
        if key is not None:
            learnt.sources[key] = found
        listings.extend(found[0])
        warnings.extend(Problem(where, line, message) for line, message in found[1])
    return listings, tuple(warnings)


def _pages(inputs: Inputs, problems: Collector, known: memo.Memo, learnt: memo.Memo,
           on_disk: dict[str, bytes]) -> list[CuratedPage]:
    pages = []
    seen: dict[str, str] = {}
    slugs: dict[str, str] = {}
    for (path, _text), page in zip(inputs.pages, _parse_pages(inputs, known, learnt, on_disk)):
        # Slugs that differ only in case are one file on macOS and Windows checkouts.
        slug = page_slug(path).casefold()
        if slug in slugs:
            problems.add(path, 1, f"duplicate slug: {slugs[slug]} has the same name but for "
                                     "case; merge the notes into one page and delete the other")
            continue
        slugs[slug] = path
        if isinstance(page, DigestError):
            problems.extend(page)
            continue
        if page.same_as:
            pages.append(page)  # a redirect shares its paper's ids with the page it names
            continue
        if page.resolve is False and page.arxiv_id:
            # A rejected match: the page is the title's again, as before enrich matched it.
            page = replace(page, arxiv_id=None, key=f"title:{identity_title(page.title)}")
        same = seen.get(page.key) or (page.arxiv_id and seen.get(f"arxiv:{page.arxiv_id}"))
        if same:
            problems.add(path, 2, f"duplicate paper: {same} has the same id "
                                  f"({page.key}); merge the notes into one page and delete the other")
            continue
        seen[page.key] = path
        if page.arxiv_id:
            seen.setdefault(f"arxiv:{page.arxiv_id}", path)
        pages.append(page)
    return pages


def _parse_pages(inputs: Inputs, known: memo.Memo, learnt: memo.Memo,
                 on_disk: dict[str, bytes] | None) -> list[CuratedPage | DigestError]:
    """Each page's parse_page, or its error: what it gave for the same path and bytes last
    time where the memo knows (see memo.py), the rest parsed."""
    keys = [f"{path}\0{on_disk[_in_content(path)].hex()}" if on_disk else None
            for path, _text in inputs.pages]
    out: list[CuratedPage | DigestError] = []
    for (_path, text), key, (recalled, made) in zip(
            inputs.pages, keys, _recall_or_spread(known.pages, keys, inputs.pages, _parse_one)):
        if isinstance(made, DigestError):
            out.append(made)
            continue
        # A page not read keeps no text here (Inputs.text reads it if needed).
        out.append(made or (recalled if text is None else recalled.with_text(normalise(text))))
        if key is not None:  # kept without its text, which each run reads anew
            learnt.pages[key] = recalled or replace(made, text="")
    return out


def _parse_one(page: tuple[str, str]) -> CuratedPage | DigestError:
    path, text = page
    try:
        return parse_page(text, path)
    except DigestError as exc:  # reported with every other problem, in the page's order
        return exc


def _refuse_hand_edits(pages: Iterable[CuratedPage], rendered: dict[str, str],
                       problems: Collector, text: Callable[[CuratedPage], str]) -> None:
    # Generate would replace the text above '## Notes': a curator's text there is
    # reported, and nothing is written until it is moved (curate.hand_edits says how
    # it is told from a source's change).
    for page in pages:
        expected = rendered.get(f"papers/{page.slug}.md")
        for line in hand_edits(text(page), expected) if expected is not None else ():
            problems.add(page.path, line, HAND_EDIT)


HAND_EDIT = ("the generated text above '## Notes' differs from what 'digest generate' writes, "
             "which replaces it; move any text of yours below '## Notes', then run 'digest "
             "generate' and commit the result")

SUGGESTIONS = 5  # topics named when an unknown tag is close to none


def _unknown_tag(tag: str, vocab: Vocabulary) -> str:
    # difflib's usual cutoff: below it, the "closest" topic is a guess, not a typo's fix.
    close = difflib.get_close_matches(tag, vocab.slugs, n=1, cutoff=0.6)
    if close:
        hint = f"did you mean '{close[0]}'?"
    else:
        some = list(vocab.slugs)[:SUGGESTIONS]
        more = ", …" if len(vocab.slugs) > SUGGESTIONS else ""
        hint = "add it to the vocabulary first" + (
            f", or use one of: {', '.join(some)}{more}" if some else "")
    return f"tag '{tag}' is not a topic in the vocabulary; {hint}"


def generate(project: Project, track: Track = _untracked) -> tuple[Plan, WriteReport]:
    """Plan everything, then write what changed; nothing is written if planning fails.

    One run at a time: the lock is held from reading to writing, so a second run reads
    what the first wrote. A page edited meanwhile is left alone (see ``late_edits``).
    """
    with locked(project.content, shown=project.relative(project.content)) as clock, \
            _uncollected():
        read: dict[str, bytes] = {}
        saved = cache.saved(project)
        now = clock.change_time()
        before = cache.state(project, read, saved, now)
        recalled = cache.recall(saved, before)
        if recalled is not None:
            return _recalled(recalled)
        last = cache.known(project, before)

        def run(**trusted) -> tuple[Inputs, Plan, WriteReport]:
            inputs = load(project, digests=True, read=read, hashed=before.inputs, **trusted)
            the_plan = plan(inputs, site_info(project), track, last.memo)
            return inputs, the_plan, write_planned(project, inputs, the_plan)

        try:
            inputs, the_plan, report = run(unread=before.unread, parsed=last.memo.pages,
                                           known=before.generated, now=now)
        except PageChanged:
            # A page not read, saved since it was looked at: all planned again from
            # every page as it is now (before anything is written).
            inputs, the_plan, report = run()
        if inputs.looked:  # generated files read where they had settled: not read again
            before = replace(before, generated={**before.generated, **inputs.looked})
        cache.learn(project, last, the_plan.memo)
        if not report.changed:  # a page saved meanwhile: the next run must look again
            after = before if not (report.written or report.removed) else \
                cache.after_writing(project, before, the_plan.files, report.written,
                                    report.removed, report.staged,
                                    clock.change_time())
            cache.remember(project, after, _summary(the_plan))
        return the_plan, report


@contextlib.contextmanager
def _uncollected():
    """No cyclic garbage collection while a run works: it builds hundreds of thousands of
    objects it keeps to the end, which Python's collector walked over and over (a tenth
    of a run at 50,000 papers), and makes few cycles."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was and not gc.get_freeze_count():
            # What the run made is all young to the collector, whose next pass would walk
            # it all (0.2 s at 50,000 papers): it joins the oldest generation first.
            gc.freeze()
            gc.unfreeze()
        if was:
            gc.enable()


def _summary(the_plan: Plan) -> dict:
    """What generate reports, as the cache keeps it for a run with nothing to do."""
    s = the_plan.stats
    return {"stats": [s.files, s.listings, s.papers],
            "files": sorted(the_plan.files.keys() | the_plan.reused),
            "orphans": sorted(page.path for page in the_plan.orphans),
            "warnings": [[w.path, w.line, w.message] for w in the_plan.warnings]}


def _recalled(summary: dict) -> tuple[Plan, WriteReport]:
    """The last run's report, for a run that found nothing changed: it writes nothing."""
    the_plan = Plan({}, frozenset(), (), Stats(*summary["stats"]),
                    tuple(Problem(*w) for w in summary["warnings"]),
                    recalled_orphans=tuple(summary["orphans"]))
    return the_plan, WriteReport((), tuple(summary["files"]), ())


def write_planned(project: Project, inputs: Inputs, the_plan: Plan) -> WriteReport:
    """Write a plan into content/, replacing pages only while they hold what was read."""
    content = project.relative(project.content)
    read = {path[len(content) + 1:]: data for path, data in inputs.originals}
    unread = inputs.unread  # pages not read: their bytes, checked, if they are replaced
    expected = {path: unread.data(f"{content}/{path}") if f"{content}/{path}" in unread
                else read.get(path) for path in the_plan.files if path.startswith("papers/")}
    report = write_tree(project.content, the_plan.files, the_plan.stale, expected=expected,
                        shown=content)
    if not the_plan.reused:
        return report
    return replace(report, unchanged=tuple(sorted(the_plan.reused.union(report.unchanged))))


def late_edits(project: Project, report: WriteReport) -> list[Problem]:
    """The pages generate left alone because someone saved them while it ran."""
    content = project.relative(project.content)
    return [Problem(f"{content}/{path}", None, "changed while generate ran; left as you "
                    "saved it; run 'digest generate' again") for path in report.changed]


def _difference(project: Project, path: str, expected: bytes) -> Problem:
    """Why a file differs from what generate writes, and the fix that loses nothing."""
    try:
        current = (project.root / path).read_bytes()
    except FileNotFoundError:
        return Problem(path, 1, "is missing; run 'digest generate' and commit the result")
    # Text of a curator's above '## Notes' never gets here: plan refuses it (HAND_EDIT).
    return Problem(path, _first_difference(current, expected),
                   "differs from what 'digest generate' writes; run 'digest generate' and "
                   "commit the result")


def _first_difference(a: bytes, b: bytes) -> int:
    lines = zip(a.split(b"\n"), b.split(b"\n"))
    return next((i for i, (x, y) in enumerate(lines, 1) if x != y),
                min(a.count(b"\n"), b.count(b"\n")) + 1)


def site_info(project: Project) -> SiteInfo:
    """The site settings the renderer needs."""
    return SiteInfo(name=project.site_name, url=project.site_url, feed_size=project.feed_size,
                    page_size=project.page_size)


def check(project: Project) -> list[Problem]:
    """Every reason the tree is not what generate would write; writes nothing."""
    return check_reporting(project)[0]


def check_reporting(project: Project) -> tuple[list[Problem], tuple[Problem, ...]]:
    """``check``'s problems, and the warnings of the ingest report (lines read past)."""
    content = project.relative(project.content)
    problems = [Problem(f"{content}/{relative}", None, "left by an interrupted run; run "
                        "'digest generate' to remove it")
                for relative in leftover_temp_files(project.content)]
    problems += [Problem(f"{project.relative(project.sources)}/{relative}", None,
                         "left by an interrupted run; delete it")
                 for relative in leftover_temp_files(project.sources)]
    try:
        with _uncollected():
            the_plan = plan(load(project), site_info(project))
    except DigestError as exc:
        return problems + list(exc.problems), ()
    for relative, expected in changes(project.content, the_plan.files).items():
        problems.append(_difference(project, f"{content}/{relative}", expected))
    for relative in sorted(the_plan.stale):
        problems.append(Problem(f"{content}/{relative}", 1,
                                "is no longer generated; run 'digest generate' to remove it"))
    problems += orphaned(the_plan)
    return problems, (the_plan.warnings + the_plan.stray_distinctions
                      + tuple(_duplicates(project, the_plan)))


def orphaned(the_plan: Plan) -> list[Problem]:
    """A problem for each page no source lists any more (kept: deleting is the curator's)."""
    paths = [page.path for page in the_plan.orphans] or list(the_plan.recalled_orphans)
    return [Problem(path, 1, "no source lists this paper any more; restore its source, or "
                             "delete the page if the paper should leave the digest")
            for path in sorted(paths)]


def _duplicates(project: Project, the_plan: Plan) -> list[Problem]:
    """A warning for each pair of pages that likely show one paper."""
    papers = f"{project.relative(project.content)}/papers"
    out = []
    for pair in likely_duplicates(list(the_plan.entries), set(the_plan.distinct)):
        keep, go = pair.first.slug, pair.second.slug
        out.append(Problem(
            f"{papers}/{go}.md", None,
            f"likely the same paper as {papers}/{keep}.md (titles {pair.score:.0f}% alike: "
            f"{excerpt(pair.second.title)} and {excerpt(pair.first.title)}); if it is, add "
            f"'same_as: {keep}' to this page's front-matter and run 'digest generate'; if "
            f"not, add 'not_same_as: [{keep}]'"))
    return out


def enrich_project(project: Project, config, today) -> tuple[enrich.Outcome, WriteReport | None]:
    """Resolve the digest's unresolved papers on the Hub and save the records file.

    Everything is asked before anything is written; a network failure raises and leaves
    sources/ as it was. Nothing is written when nothing new was resolved.
    """
    with locked(project.content, shown=project.relative(project.content)):
        the_plan = plan(load(project), site_info(project))
    wanted = []
    for entry in sorted(the_plan.entries, key=lambda e: e.slug):
        title = identity_title(entry.paper.title)
        pinned = the_plan.choices.pinned.get(title)
        record = the_plan.records.get(title)
        if title in the_plan.choices.rejected:
            continue
        if pinned and (record is None or record.arxiv_id != pinned):
            wanted.append(enrich.Wanted(entry.paper.title, pinned))
        elif not pinned and entry.paper.arxiv_id is None:
            wanted.append(enrich.Wanted(entry.paper.title))
    outcome = enrich.resolve(wanted, config, today)
    if not outcome.resolved:
        return outcome, None
    text = enrich.dump_records(enrich.merged(the_plan.records, outcome))
    report = write_tree(project.sources, {enrich.RECORDS: text.encode("utf-8")}, frozenset(),
                        shown=project.relative(project.sources))
    return outcome, report
