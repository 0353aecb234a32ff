"""The benchmark's estimate of the site's size at 50,000 papers (benchmarks/bench.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import bench  # noqa: E402


def test_site_estimate_scales_only_what_grows_with_the_papers(tmp_path):
    sizes = {
        "assets/javascripts/bundle.js": 1000,  # the theme's: once per site
        "search/index.html": 50,
        "pagefind/0/pagefind.js": 500,  # Pagefind's runtime: once per part
        "pagefind/0/pagefind.en_1.pf_meta": 100,  # its page table grows with the papers
        "pagefind/0/index/en_2.pf_index": 100,
        "papers/a/index.html": 200,
        "papers/b/index.html": 200,
    }
    for name, size in sizes.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * size)
    files = [tmp_path / name for name in sizes]

    estimate = bench.site_at(tmp_path, files, papers=2, target=4)

    # 1,550 bytes once, and the other 600 twice over: scaling all of it gives 4,300.
    assert estimate * 2**20 == 1550 + 2 * 600
