"""The command line: parses arguments, calls the library, turns errors into messages."""

from __future__ import annotations

import subprocess
import sys
import traceback
from pathlib import Path

import click

from . import pipeline
from .errors import DigestError
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
            click.echo(f"digest: {count} problem{'s' if count != 1 else ''} found; "
                       "nothing was written", err=True)
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


def _generate(project: Project) -> None:
    the_plan, report = pipeline.generate(project, _track)
    s = the_plan.stats
    click.echo(
        f"generate: {s.listings} listings read from {s.files} files, {s.papers} distinct "
        f"papers, {s.merged} duplicates merged, {len(report.written)} pages written, "
        f"{len(report.unchanged)} unchanged"
        + (f", {len(report.removed)} removed" if report.removed else ""))
    if the_plan.orphans:
        click.echo(f"generate: {len(the_plan.orphans)} pages are no longer listed by any "
                   "source; 'digest check' names them", err=True)


@cli.command()
@click.pass_context
def generate(ctx: click.Context) -> None:
    """Write content/ from sources/ and the topic vocabulary."""
    _generate(_project(ctx))


@cli.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Check sources, vocabulary and content/ without writing anything."""
    project = _project(ctx)
    problems = pipeline.check(project)
    if problems:
        raise DigestError(problems)
    click.echo("check: content/ is up to date and every input is valid")


@cli.command()
@click.option("--site-dir", default="site", show_default=True, help="Where to build.")
@click.pass_context
def build(ctx: click.Context, site_dir: str) -> None:
    """Generate, then build the site with 'mkdocs build --strict'."""
    project = _project(ctx)
    _generate(project)
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                             "--site-dir", site_dir], cwd=project.root)
    if result.returncode:
        raise DigestError.at("mkdocs.yml", None, "mkdocs build --strict failed (see its "
                                                 "messages above); fix them and build again")
    click.echo(f"build: site written to {site_dir}/")


@cli.command()
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True)
@click.pass_context
def serve(ctx: click.Context, dev_addr: str) -> None:
    """Generate, then preview the site live, regenerating when sources change."""
    from .serve import serve as run

    project = _project(ctx)
    _generate(project)
    run(project, dev_addr, on_change=lambda: _regenerate(project))


def _regenerate(project: Project) -> None:
    try:
        _generate(project)
    except DigestError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)


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
