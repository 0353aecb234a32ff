"""The command line: parses arguments, calls the library, turns errors into messages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
import traceback
import urllib.parse
from pathlib import Path

import click

from . import enrich, fetch, pipeline
from .errors import DigestError
from .write import WriteError, replaced_tree
from .project import Project

PROGRESS_FROM = 500  # items; shorter runs finish before a bar helps


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DigestError as exc:
            if ctx.params.get("debug"):
                traceback.print_exc()
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            count = len(exc.problems)
            # A refused write stops a run part-way; each file is still whole, old or new.
            done = "files before it were written" if isinstance(exc, WriteError) \
                else "nothing was written"
            click.echo(f"digest: {count} problem{'s' if count != 1 else ''} found; {done}",
                       err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("digest: interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:  # a bug: say so plainly, trace only on request
            if ctx.params.get("debug"):
                traceback.print_exc()
            click.echo(f"digest: internal error: {type(exc).__name__}: {exc}; rerun with "
                       "--debug and report it", err=True)
            ctx.exit(2)


@click.group(cls=_Group)
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="The digest's folder (the one with mkdocs.yml).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.pass_context
def cli(ctx: click.Context, root: Path, debug: bool) -> None:
    """Turn Hugging Face Daily Papers listings into a curated reading digest."""
    ctx.obj = root


def _project(ctx: click.Context) -> Project:
    return Project.load(ctx.obj)


def _track(items, label: str):
    """A progress bar on a terminal for long runs; silent otherwise and in CI."""
    if len(items) < PROGRESS_FROM or not sys.stderr.isatty():
        return items
    return _Bar(items, label)


class _Bar:
    def __init__(self, items, label: str) -> None:
        self.items, self.label = items, label

    def __iter__(self):
        with click.progressbar(self.items, label=self.label, file=sys.stderr) as bar:
            yield from bar


def _generate(project: Project) -> pipeline.Plan:
    the_plan, report = pipeline.generate(project, _track)
    _report(the_plan, report)
    _exit_if_edited(project, report)
    return the_plan


def _exit_if_edited(project: Project, report) -> None:
    """Exit 1 when a page was saved while generate ran: it was left as saved, not updated."""
    late = pipeline.late_edits(project, report)
    for problem in late:
        click.echo(str(problem), err=True)
    if late:
        click.get_current_context().exit(1)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _warn(warnings) -> None:
    for warning in warnings:
        click.echo(str(dataclasses.replace(warning, message=f"warning: {warning.message}")),
                   err=True)


def _report(the_plan: pipeline.Plan, report) -> None:
    s = the_plan.stats
    _warn(the_plan.warnings)
    click.echo(
        f"generate: {_count(s.listings, 'listing')} read from {_count(s.files, 'file')}, "
        f"{_count(s.papers, 'distinct paper')}, {_count(s.merged, 'duplicate')} merged, "
        f"{_count(len(report.written), 'file')} written, {len(report.unchanged)} unchanged"
        + (f", {len(report.removed)} removed" if report.removed else ""))
    if the_plan.orphan_count:
        n = the_plan.orphan_count
        click.echo(f"generate: {_count(n, 'page')} {'is' if n == 1 else 'are'} no longer listed "
                   "by any source; 'digest check' names them", err=True)


@cli.command()
@click.pass_context
def generate(ctx: click.Context) -> None:
    """Write content/ from sources/ and the topic vocabulary."""
    _generate(_project(ctx))


@cli.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Check sources, vocabulary and content/ without writing anything."""
    from .init import placeholders

    project = _project(ctx)
    # A warning, not a problem: a fresh copy's own CI runs check before its owner has.
    for warning in placeholders(project):
        click.echo(str(warning), err=True)
    problems, warnings = pipeline.check_reporting(project)
    _warn(warnings)
    if problems:
        raise DigestError(problems)
    click.echo("check: content/ is up to date and every input is valid")


def _interactive() -> bool:
    return sys.stdin.isatty()


def _ask(text: str, check, default: str | None):
    def proc(value: str) -> str:
        try:
            return check(value)
        except DigestError as exc:  # asked again, with the reason
            raise click.BadParameter(exc.problems[0].message) from None
    return click.prompt(text, default=default or None, value_proc=proc)


@cli.command("init")
@click.option("--name", help="The site's name, as page titles and feeds show it.")
@click.option("--url", help="Where the site is published, such as https://you.github.io/digest/.")
@click.option("--repo", help="Its GitHub repository: owner/name or https://github.com/owner/name.")
@click.pass_context
def init_command(ctx: click.Context, name: str | None, url: str | None,
                 repo: str | None) -> None:
    """Set the site's name, address and repository in mkdocs.yml, then generate."""
    from . import init as setup

    project = _project(ctx)
    missing = [f"--{flag}" for flag, value in (("name", name), ("url", url), ("repo", repo))
               if value is None]
    if missing and not _interactive():
        raise click.UsageError(
            f"{' and '.join(missing)} not given, and there is no terminal to ask; pass them, "
            "as in: digest init --name 'My digest' --url https://you.github.io/digest/ "
            "--repo you/digest")
    placeholder = project.site_url == setup.PLACEHOLDER_URL
    if name is None:
        name = _ask("Site name", setup.check_name, project.site_name)
    if url is None:
        url = _ask("Site address", setup.check_url, None if placeholder else project.site_url)
    if repo is None:
        repo = _ask("GitHub repository (owner/name)", setup.check_repo, None)
    ident = setup.identity(name, url, repo)
    changed = setup.init(project.root, ident)
    click.echo(f"init: mkdocs.yml {'now names' if changed else 'already names'} "
               f"{ident.name!r} at {ident.url}, repository {ident.repo}")
    _generate(Project.load(project.root))


@cli.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The listing's day.  [default: from the file name, or its date line "
                   "and default_year]")
@click.pass_context
def add_command(ctx: click.Context, file: Path, day) -> None:
    """Copy a listing into sources/ named by its date, then generate."""
    from .add import add

    project = _project(ctx)
    source, the_plan, report = add(project, file, day.date() if day else None)
    click.echo(f"add: {file} saved as {project.relative(project.sources)}/{source.name}")
    _report(the_plan, report)
    _exit_if_edited(project, report)


@cli.command("diff")
@click.argument("base", required=False)
@click.pass_context
def diff_command(ctx: click.Context, base: str | None) -> None:
    """Summarise, in Markdown, how content/ differs from a git revision.

    Broken pages are listed under Problems, after the changes of the pages that could be
    read; the exit status is then 1.
    """
    from .diff import compare, markdown
    from .history import default_base, pages_at, pages_now

    project = _project(ctx)
    papers = f"{project.relative(project.content)}/papers"
    base = base or default_base(project.root)
    old, old_problems = pages_at(project.root, base, papers)
    new, new_problems = pages_now(project.root, papers)
    diff = compare(old, new, base, (*old_problems, *new_problems))
    click.echo(markdown(diff, base), nl=False)
    if diff.problems:
        for problem in diff.problems:  # also in the log, since CI sends stdout to the summary
            click.echo(str(problem), err=True)
        count = len(diff.problems)
        click.echo(f"digest: {count} problem{'s' if count != 1 else ''} found; the summary "
                   "above leaves those pages out", err=True)
        ctx.exit(1)


@cli.command()
@click.option("--site-dir", default="site", show_default=True, help="Where to build.")
@click.pass_context
def build(ctx: click.Context, site_dir: str) -> None:
    """Generate, then build the site with 'mkdocs build --strict'."""
    project = _project(ctx)
    orphans = pipeline.orphaned(_generate(project))
    # Material's end-of-life banner is printed on every build; the README covers it.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    try:
        if orphans:  # built, they would link days whose pages are gone: refused, as check is
            raise DigestError(orphans)
        with replaced_tree(project.root / site_dir) as staging:
            result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                                     "--site-dir", str(staging)], cwd=project.root, env=env)
            if result.returncode:
                raise DigestError.at("mkdocs.yml", None, "mkdocs build --strict failed (see "
                                                         "its messages above); fix them and "
                                                         "build again")
    except DigestError as exc:
        # content/ is generated by now: say what was kept, not "nothing was written".
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"digest: the site was not built; {site_dir}/ is as it was, and content/ "
                   "is up to date", err=True)
        ctx.exit(1)
    click.echo(f"build: site written to {site_dir}/")


@cli.command()
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True)
@click.pass_context
def serve(ctx: click.Context, dev_addr: str) -> None:
    """Generate, then preview the site live, regenerating when sources change."""
    from .serve import serve as run

    project = _project(ctx)
    _generate(project)
    # mkdocs serve mounts the site under site_url's path, as GitHub Pages will.
    path = urllib.parse.urlsplit(project.site_url).path or "/"
    click.echo(f"serve: previewing at http://{dev_addr}{path} (Ctrl-C stops)")
    sys.stdout.flush()  # before mkdocs' own log lines, also when stdout is a file
    run(project, dev_addr, on_change=lambda: _regenerate(project))


def _regenerate(project: Project) -> None:
    # In the watcher's thread: report, never exit; the next change regenerates again.
    try:
        the_plan, report = pipeline.generate(project)
        _report(the_plan, report)
        problems = pipeline.late_edits(project, report)
    except DigestError as exc:
        problems = list(exc.problems)
    for problem in problems:
        click.echo(str(problem), err=True)


def _patience(command):
    """The options of commands that ask the Hub: how often and how long to try."""
    for option in reversed((
            click.option("--retries", type=click.IntRange(min=0),
                         default=fetch.FetchConfig.retries, show_default=True,
                         help="Further attempts after a request fails."),
            click.option("--backoff", type=click.FloatRange(min=0),
                         default=fetch.FetchConfig.backoff, show_default=True,
                         help="Seconds before the first retry; doubles each time."),
            click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
                         default=fetch.FetchConfig.timeout, show_default=True,
                         help="Seconds to wait for the Hub to connect or answer."))):
        command = option(command)
    return command


@cli.command("enrich")
@_patience
@click.pass_context
def enrich_command(ctx: click.Context, retries: int, backoff: float, timeout: float) -> None:
    """Resolve papers known only by title to their arXiv record on the Hub, then generate."""
    project = _project(ctx)
    config = fetch.FetchConfig(endpoint=fetch.endpoint_from_env(os.environ), timeout=timeout,
                               retries=retries, backoff=backoff)
    outcome, saved = pipeline.enrich_project(project, config, _today_utc())
    for title, ids in outcome.ambiguous:
        click.echo(f"enrich: ambiguous: {title!r} matches {', '.join(ids)}; pin the right one "
                   "with 'resolve: \"<id>\"' in its page's front-matter", err=True)
    for title in outcome.not_found:
        click.echo(f"enrich: not found: {title!r}", err=True)
    for title, why in outcome.failed:
        click.echo(f"enrich: not resolved: {title!r}: {why}", err=True)
    click.echo(f"enrich: resolved {len(outcome.resolved)}, ambiguous {len(outcome.ambiguous)}, "
               f"not found {len(outcome.not_found)}"
               + (f", bad answers {len(outcome.failed)}" if outcome.failed else ""))
    if saved is not None:
        click.echo(f"enrich: saved {project.relative(project.sources)}/{enrich.RECORDS}")
        _generate(project)


def _today_utc() -> dt.date:
    # The digest's one clock read: the default day of 'fetch'; the library takes days as data.
    return dt.datetime.now(dt.timezone.utc).date()


@cli.command("fetch")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The day to fetch.  [default: today in UTC]")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Fetch every day from this one to today in UTC.")
@_patience
@click.option("--deadline", type=click.FloatRange(min=0, min_open=True),
              default=fetch.FetchConfig.deadline, show_default=True,
              help="Seconds one request may take in all, however slowly the answer comes.")
@click.option("--page-size", type=click.IntRange(1, fetch.MAX_PAGE_SIZE),
              default=fetch.MAX_PAGE_SIZE, hidden=True)  # small pages let tests page
@click.option("--max-bytes", type=click.IntRange(min=1), default=fetch.FetchConfig.max_bytes,
              hidden=True)  # a small cap lets tests send a body larger than it
@click.pass_context
def fetch_command(ctx: click.Context, day, since, retries: int, backoff: float,
                  timeout: float, deadline: float, page_size: int, max_bytes: int) -> None:
    """Download a day's papers from the Hugging Face Hub into sources/, then generate."""
    if day and since:
        raise click.UsageError("use --date or --since, not both")
    today = _today_utc()
    if since and since.date() > today:
        raise click.UsageError(f"--since {since:%Y-%m-%d} is after today ({today}, UTC)")
    wanted = fetch.days(since.date(), today) if since else [day.date() if day else today]
    project = _project(ctx)
    try:
        config = fetch.FetchConfig(endpoint=fetch.endpoint_from_env(os.environ),
                                   timeout=timeout, retries=retries, backoff=backoff,
                                   page_size=page_size, deadline=deadline,
                                   max_bytes=max_bytes)
        result = fetch.fetch(project, wanted, config)
    except DigestError as exc:
        if ctx.find_root().params.get("debug"):
            raise
        for problem in exc.problems:  # offline is one line: the URL and what to do
            click.echo(str(problem), err=True)
        ctx.exit(1)
    for got in result.days:
        click.echo(got.message, err=got.missing)
    if result.listed:
        try:
            _generate(project)
        except DigestError as exc:
            # The sources are saved by now: say so, rather than "nothing was written".
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            saved = ", ".join(d.saved_as for d in result.days if d.papers)
            click.echo(f"digest: {_count(len(exc.problems), 'problem')} found while generating;"
                       f" the fetched papers are saved in {saved}, but content/ is not "
                       "up to date; fix the problems above, then run 'digest generate'", err=True)
            ctx.exit(1)
    if result.status:
        ctx.exit(result.status)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status instead of exiting, for tests."""
    try:
        status = cli.main(args=argv, prog_name="digest", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        return 1
    # Without standalone mode, click returns ctx.exit()'s status instead of raising.
    return status if isinstance(status, int) else 0


def entry_point() -> None:
    """Console-script entry."""
    sys.exit(main())
