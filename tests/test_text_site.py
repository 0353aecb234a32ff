"""Faithful text in the built sample site: no LaTeX leftovers, every URL a clean link."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import frontmatter

from generator import clean

ROOT = Path(__file__).resolve().parent.parent
LEFTOVERS = ("{\\it", "{\\em", "\\textbf", "``", "\\%", "mathcal")


class Reader(HTMLParser):
    """A page's visible prose (no scripts, styles or code blocks) and its link targets."""

    SKIP = {"script", "style", "pre", "code", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping, self.text, self.hrefs = 0, [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.text.append(data)


def read(path: Path) -> Reader:
    reader = Reader()
    reader.feed(path.read_text("utf-8"))
    reader.close()
    return reader


def sample_urls() -> set[str]:
    """Every URL the cleaning stage finds in the bundled sources' lines."""
    found: set[str] = set()
    for source in (ROOT / "sources").glob("*.txt"):
        for line in source.read_text("utf-8").splitlines():
            found.update(clean.urls(line))
    return found


def test_no_page_shows_latex_leftovers(built_site):
    # The BibTeX block is code, where "\%" is the right spelling; prose is checked.
    pages = sorted((built_site / "site").rglob("*.html"))
    assert len(pages) > 230
    for path in pages:
        text = " ".join(read(path).text)
        assert not [m for m in LEFTOVERS if m in text], path


def test_the_samples_really_hold_the_leftovers():
    # Otherwise the test above would pass for want of input.
    raw = "".join(p.read_text("utf-8") for p in (ROOT / "sources").glob("*.txt"))
    assert all(m in raw for m in LEFTOVERS)


def test_every_sample_url_is_a_link_without_trailing_punctuation(built_site):
    urls = sample_urls()
    assert len(urls) >= 20
    assert not [u for u in urls if u[-1] in ".,)"]
    hrefs: set[str] = set()
    for path in (built_site / "site/papers").rglob("index.html"):
        hrefs.update(read(path).hrefs)
    assert sorted(urls - hrefs) == []


def test_code_links_are_in_front_matter_and_a_button(built_site):
    pages = {p.stem: frontmatter.load(p) for p in (built_site / "content/papers").glob("*.md")}
    with_code = {slug: meta for slug, meta in pages.items() if meta["links"].get("code")}
    assert len(with_code) >= 15
    for slug, meta in with_code.items():
        first = meta["links"]["code"][0]
        assert first.startswith(("https://", "http://"))
        html = (built_site / "site/papers" / slug / "index.html").read_text("utf-8")
        assert f'<a class="md-button" href="{first}" rel="noopener">Code' in html, slug
    # e.g. the codebook-features paper: its GitHub link, without the sentence's full stop.
    codebook = pages["codebook-features-sparse-and-discrete-interpretability-for-neural-networks"]
    assert codebook["links"]["code"] == ["https://github.com/taufeeque9/codebook-features"]
