"""Benchmark: every figure of a digest's scale, measured on synthetic digests.

For each size, writes a synthetic digest (tests/synthetic.py: page copies of about
``--per-day`` papers a day, a fifth of each day repeating an earlier paper) into a scratch
folder, then measures the real commands as a user runs them:

  - ``digest generate`` on an empty content/ (cold): wall time and peak memory;
  - ``digest generate`` again with nothing changed: wall time, and how many files of the
    whole digest folder it wrote (any file whose inode, time or size changed);
  - one more day of ``--per-day`` new papers, then ``digest generate``: wall time; then
    another day the same way (the run a curator's daily update is: the memo of
    generator/memo.py then knows the pages the first run read);
  - ``digest build`` (a generate with nothing to do, then ``mkdocs build --strict``): wall
    time, per paper, and peak memory;
  - the built site: its size and file count, the largest HTML page, the mean paper page,
    and the search index (Pagefind's, in parts);
  - in Debian's Chromium (Playwright, the site served on 127.0.0.1): what a first visit to
    the home page fetches; then, on the search page, a query for the exact title of the
    digest's oldest paper: the time from Enter to the first result (by the page's own
    clock; Playwright's wall time, which adds its polling, is in --json), what the query
    fetched in all and its largest file, whether that paper came first, and whether a
    topic filter left only that topic's papers. Sizes are as served, uncompressed.

Peak memory is the largest resident set size ``os.wait4`` reports for the command and the
processes it waited for: for build, the larger of digest's and mkdocs'. Prints a Markdown
table, and each figure against the limits of issue 12 with --check.

    python benchmarks/bench.py --papers 2000 8000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import synthetic  # noqa: E402  (lives with the tests, which use it too)

PROJECT_FILES = ("mkdocs.yml", "topics.yml", "pyproject.toml")
# Issue 12's limits at 50,000 papers (seconds, bytes).
LIMITS = {"generate_s": 60, "noop_s": 5, "noop_written": 0, "next_day_s": 10,
          "build_s": 600, "build_peak_mib": 2048, "site_mib": 1000, "largest_html_kib": 300,
          "first_visit_kib": 500, "query_kib": 300, "query_largest_kib": 300,
          "first_result_s": 1}
CHROMIUM = "/usr/bin/chromium"


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mib: float


@dataclass(frozen=True)
class Result:
    papers: int
    sources: int
    generate: Run
    noop: Run
    noop_written: int
    next_day: Run
    build: Run
    site_mib: float
    site_files: int
    largest_html: str
    largest_html_kib: float
    page_mean_kib: float
    search_mib: float
    search_parts: int = 0
    browser: dict | None = None  # the figures measured in Chromium (see browse)
    day_after: Run = Run(0, 0)  # the second new day
    site_50k_mib: float = 0  # the site's size at 50,000 papers, as site_at estimates it

    @property
    def build_ms_per_paper(self) -> float:
        return self.build.seconds * 1000 / self.papers


def measure(args: list[str], cwd: Path) -> Run:
    """Run a command to completion; its wall time and peak RSS (with waited-for children)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    err = proc.stderr.read().decode() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.stderr and proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{err}")
    return Run(seconds, usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux


def stamps(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every file below root (site/ left out) with its inode, modification time and size."""
    out = {}
    for path in root.rglob("*"):
        if path.is_file() and "site" not in path.relative_to(root).parts[:1]:
            st = path.stat()
            out[path.relative_to(root).as_posix()] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return out


def written(before: dict, after: dict) -> int:
    """How many files a run created, replaced, changed or removed."""
    return sum(1 for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def project(folder: Path, papers: int, days: int, seed: int) -> Path:
    """A scratch digest with the repository's configuration and synthetic sources."""
    for name in PROJECT_FILES:
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(ROOT / "overrides", folder / "overrides")
    synthetic.write(folder / "sources", papers, days, seed)
    return folder


def oldest_title(root: Path) -> str:
    """The title of the first paper of the first day: in the oldest part of the index."""
    first = min((root / "sources").iterdir())
    return first.read_text("utf-8").split("\n\n")[6]


# In the page, by its own clock: from the search form's submit (Enter) to the first result
# in the document. Playwright's own wait polls at growing intervals (up to 500 ms), which
# added up to half a second to what a reader sees; its wall time is kept beside.
_STOPWATCH = """() => {
  const form = document.querySelector("form[data-digest-search]");
  form.addEventListener("submit", () => { window.__digestBench = {submit: performance.now()}; },
                        true);
  new MutationObserver(() => {
    const watch = window.__digestBench;
    if (watch && !watch.result && document.querySelector(".digest-search__result")) {
      watch.result = performance.now();
    }
  }).observe(document.body, {subtree: true, childList: true});
}"""


def browse(site: Path, title: str) -> dict:
    """What a reader's Chromium fetches and waits for (see the module's docstring)."""
    from playwright.sync_api import sync_playwright  # the test extras install it

    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import static_server

    out: dict = {}
    with static_server(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)

        def fresh():
            page = browser.new_context().new_page()
            got: dict[str, int] = {}
            page.on("requestfinished", lambda r: got.__setitem__(
                r.url, r.sizes()["responseBodySize"]))
            return page, got

        page, got = fresh()
        page.goto(url, wait_until="networkidle")
        out["first_visit_kib"] = sum(got.values()) / 1024
        page, got = fresh()
        page.goto(url + "search/", wait_until="networkidle")
        page.evaluate(_STOPWATCH)
        got.clear()
        page.fill("#digest-search-q", title)
        start = time.perf_counter()
        page.press("#digest-search-q", "Enter")
        page.wait_for_selector(".digest-search__result", timeout=60_000)
        out["first_result_wall_s"] = time.perf_counter() - start
        watch = page.evaluate("window.__digestBench")
        out["first_result_s"] = (watch["result"] - watch["submit"]) / 1000
        page.wait_for_load_state("networkidle")
        out["query_kib"] = sum(got.values()) / 1024
        out["query_largest_kib"] = max(got.values(), default=0) / 1024
        out["query_requests"] = len(got)
        out["exact_title_first"] = page.inner_text(".digest-search__title") == title
        topic = page.locator("select[name=topic] option").nth(1).inner_text()
        page.fill("#digest-search-q", "learning")
        page.select_option("select[name=topic]", label=topic)
        page.wait_for_url("**topic=*")
        page.wait_for_function("document.querySelector('[data-digest-search-status]')"
                               ".textContent.endsWith('papers')")
        facts = page.locator(".digest-search__facts").all_inner_texts()
        out["topic_filter_narrows"] = bool(facts) and all(topic in f for f in facts)
        browser.close()
    return out


def bench(papers: int, per_day: int, seed: int, keep: Path | None, build: bool = True,
          browser: bool = True) -> Result:
    scratch = Path(tempfile.mkdtemp(prefix=f"digest-bench-{papers}-"))
    days = max(1, round(papers / per_day))
    try:
        root = project(scratch, papers, days, seed)
        digest = [sys.executable, "-m", "generator", "--root", str(root)]
        generate = measure([*digest, "generate"], root)
        before = stamps(root)
        noop = measure([*digest, "generate"], root)
        noop_written = written(before, stamps(root))
        name, text = synthetic.next_day(papers, days, per_day, seed)
        (root / "sources" / name).write_text(text, "utf-8")
        next_day = measure([*digest, "generate"], root)
        name, text = synthetic.next_day(papers + per_day, days + 1, per_day, seed)
        (root / "sources" / name).write_text(text, "utf-8")
        day_after = measure([*digest, "generate"], root)
        if not build:  # generate's figures only: the site is left unbuilt
            return Result(papers, len(list((root / "sources").iterdir())), generate, noop,
                          noop_written, next_day, Run(0, 0), 0, 0, "", 0, 0, 0,
                          day_after=day_after)
        build = measure([*digest, "build"], root)
        site = root / "site"
        files = [p for p in site.rglob("*") if p.is_file()]
        html = max((p for p in files if p.suffix == ".html"), key=lambda p: p.stat().st_size)
        pages = [p.stat().st_size for p in (site / "papers").glob("*/index.html")]
        search = [p for p in files if p.is_relative_to(site / "pagefind")]
        result = Result(
            papers=papers, sources=len(list((root / "sources").iterdir())),
            generate=generate, noop=noop, noop_written=noop_written, next_day=next_day,
            build=build, site_mib=sum(p.stat().st_size for p in files) / 2**20,
            site_files=len(files), largest_html=html.relative_to(site).as_posix(),
            largest_html_kib=html.stat().st_size / 1024,
            page_mean_kib=statistics.mean(pages) / 1024,
            search_mib=sum(p.stat().st_size for p in search) / 2**20,
            search_parts=len(json.loads((site / "pagefind/parts.json").read_text())["parts"]),
            site_50k_mib=site_at(site, files, len(pages)),
            browser=browse(site, oldest_title(root)) if browser else None, day_after=day_after)
        if keep:
            shutil.copytree(root, keep / f"{papers}", dirs_exist_ok=True)
        return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def site_at(site: Path, files: list[Path], papers: int, target: int = 50_000) -> float:
    """The site's size in MiB at ``target`` papers: what a site holds once (the theme's
    assets, Pagefind's scripts, the search and 404 pages) as it is, the rest scaled by the
    paper pages the site holds (the two added days' too). Scaling the whole site put the
    2,000-paper digest at 1,057 MiB, the 50,000-paper one being 913 MiB."""
    once = [p for p in files if p.relative_to(site).parts[0] in ("assets", "search", "404.html")
            or p.parent.parent == site / "pagefind" and not p.name.endswith(".pf_meta")]
    fixed = sum(p.stat().st_size for p in once)
    total = sum(p.stat().st_size for p in files)
    return (fixed + (total - fixed) * target / papers) / 2**20


def table(results: list[Result]) -> str:
    head = ("| papers | sources | generate cold (s) | peak (MiB) | no-op (s) | no-op files "
            "written | +1 day (s) | +1 day again (s) | build (s) | build ms/paper | build peak (MiB) | site (MiB) "
            "| site files | largest HTML (KiB) | paper page mean (KiB) | search index (MiB, parts) "
            "| first visit (KiB) | query (KiB, largest file) | first result (s) | exact title "
            "first | topic filter narrows |")
    rows = [head, "|" + " ---: |" * 21]
    for r in results:
        rows.append(
            f"| {r.papers} | {r.sources} | {r.generate.seconds:.1f} | {r.generate.peak_mib:.0f} "
            f"| {r.noop.seconds:.1f} | {r.noop_written} | {r.next_day.seconds:.1f} "
            f"| {r.day_after.seconds:.1f} "
            f"| {r.build.seconds:.1f} | {r.build_ms_per_paper:.1f} | {r.build.peak_mib:.0f} "
            f"| {r.site_mib:.1f} | {r.site_files} | {r.largest_html_kib:.1f} "
            f"| {r.page_mean_kib:.1f} | {r.search_mib:.1f} ({r.search_parts}) "
            + (f"| {b['first_visit_kib']:.0f} | {b['query_kib']:.0f} ({b['query_largest_kib']:.0f}) "
               f"| {b['first_result_s']:.2f} | {b['exact_title_first']} "
               f"| {b['topic_filter_narrows']} |" if (b := r.browser) else "| – | – | – | – | – |"))
    return "\n".join(rows)


def checks(r: Result) -> list[str]:
    """Each figure against issue 12's limit; the site's size estimated at 50,000 papers."""
    figures = {"generate_s": r.generate.seconds, "noop_s": r.noop.seconds,
               "noop_written": r.noop_written, "next_day_s": r.next_day.seconds,
               "build_s": r.build.seconds, "build_peak_mib": r.build.peak_mib,
               "site_mib": r.site_50k_mib, "largest_html_kib": r.largest_html_kib,
               **{k: v for k, v in (r.browser or {}).items() if k in LIMITS}}
    built = r.build.seconds > 0  # --skip-build leaves the build's figures unmeasured
    return [f"{'ok ' if value <= LIMITS[k] else 'OVER'} {k}: {value:.1f} (limit {LIMITS[k]}"
            f"{', site estimated at 50,000 papers' if k == 'site_mib' else ''})"
            for k, value in figures.items()
            if built or k in ("generate_s", "noop_s", "noop_written", "next_day_s")]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[500, 1000, 2000],
                        help="digest sizes to measure (default: 500 1000 2000)")
    parser.add_argument("--per-day", type=int, default=60, help="papers a day (default: 60)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic sources")
    parser.add_argument("--keep", type=Path, help="copy each scratch digest here")
    parser.add_argument("--json", type=Path, help="also write every figure here as JSON")
    parser.add_argument("--skip-build", action="store_true",
                        help="measure generate only (build figures show as 0)")
    parser.add_argument("--skip-browser", action="store_true",
                        help="leave out the figures measured in Chromium")
    parser.add_argument("--check", action="store_true",
                        help="print each figure against issue 12's limits")
    args = parser.parse_args(argv)
    results = []
    for papers in args.papers:
        print(f"measuring {papers} papers ...", file=sys.stderr, flush=True)
        results.append(bench(papers, args.per_day, args.seed, args.keep, not args.skip_build,
                             not args.skip_browser))
        if args.check:
            print("\n".join(checks(results[-1])), file=sys.stderr)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps([{**asdict(r), "build_ms_per_paper": r.build_ms_per_paper}
                                         for r in results], indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
