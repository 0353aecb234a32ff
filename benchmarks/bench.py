"""Benchmark: how generate and the site build grow with the number of papers.

For each size, writes a synthetic digest (tests/synthetic.py) into a scratch folder, then
measures the real commands as a user runs them:

  - ``digest generate`` on an empty content/: wall time and peak memory;
  - ``digest build`` (a no-op generate, then ``mkdocs build --strict``): the same;
  - the built site: total size, paper pages' mean and largest HTML, the search index.

Peak memory is the maximum resident set size that ``os.wait4`` reports for the command
and the processes it waited for (mkdocs, for build). Prints a Markdown table.

    python benchmarks/bench.py --papers 500 1000 2000 --days 20
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import synthetic  # noqa: E402  (lives with the tests, which use it too)

PROJECT_FILES = ("mkdocs.yml", "topics.yml", "pyproject.toml")


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mib: float


@dataclass(frozen=True)
class Result:
    papers: int
    sources: int
    generate: Run
    build: Run
    site_mib: float
    site_files: int
    page_mean_kib: float
    page_max_kib: float
    search_mib: float


def measure(args: list[str], cwd: Path) -> Run:
    """Run a command to completion; its wall time and peak RSS (with waited-for children)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.stderr and proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{err}")
    return Run(seconds, usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux


def project(folder: Path, papers: int, days: int, seed: int) -> Path:
    """A scratch digest with the repository's configuration and synthetic sources."""
    for name in PROJECT_FILES:
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(ROOT / "overrides", folder / "overrides")
    synthetic.write(folder / "sources", papers, days, seed)
    return folder


def bench(papers: int, days: int, seed: int, keep: Path | None) -> Result:
    scratch = Path(tempfile.mkdtemp(prefix=f"digest-bench-{papers}-"))
    try:
        root = project(scratch, papers, days, seed)
        digest = [sys.executable, "-m", "generator", "--root", str(root)]
        generate = measure([*digest, "generate"], root)
        build = measure([*digest, "build"], root)
        site = root / "site"
        files = [p for p in site.rglob("*") if p.is_file()]
        pages = [p.stat().st_size for p in (site / "papers").glob("*/index.html")]
        result = Result(
            papers=papers, sources=len(list((root / "sources").iterdir())),
            generate=generate, build=build,
            site_mib=sum(p.stat().st_size for p in files) / 2**20, site_files=len(files),
            page_mean_kib=statistics.mean(pages) / 1024, page_max_kib=max(pages) / 1024,
            search_mib=(site / "search" / "search_index.json").stat().st_size / 2**20)
        if keep:
            shutil.copytree(root, keep / f"{papers}", dirs_exist_ok=True)
        return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def table(results: list[Result]) -> str:
    head = ("| papers | sources | generate (s) | generate peak (MiB) | build (s) | "
            "build peak (MiB) | site (MiB) | site files | paper page mean (KiB) | "
            "paper page max (KiB) | search_index.json (MiB) |")
    rows = [head, "|" + " ---: |" * 11]
    for r in results:
        rows.append(
            f"| {r.papers} | {r.sources} | {r.generate.seconds:.1f} | {r.generate.peak_mib:.0f} "
            f"| {r.build.seconds:.1f} | {r.build.peak_mib:.0f} | {r.site_mib:.1f} | "
            f"{r.site_files} | {r.page_mean_kib:.1f} | {r.page_max_kib:.1f} | "
            f"{r.search_mib:.2f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[500, 1000, 2000],
                        help="digest sizes to measure (default: 500 1000 2000)")
    parser.add_argument("--days", type=int, default=20, help="days the papers are spread over")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic sources")
    parser.add_argument("--keep", type=Path, help="copy each scratch digest here")
    args = parser.parse_args(argv)
    results = []
    for papers in args.papers:
        print(f"measuring {papers} papers ...", file=sys.stderr, flush=True)
        results.append(bench(papers, args.days, args.seed, args.keep))
    print(table(results))


if __name__ == "__main__":
    main()
