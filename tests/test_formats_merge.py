"""Merging across formats: a page copy and Hub JSON that share a paper give one page.

The pair is made from real data: one title and abstract from the bundled page copies,
and a JSON item for the same paper (its real arXiv id) built here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import frontmatter
import pytest

from conftest import ROOT, listing, make_project, run_digest
from generator import pipeline
from generator.project import Project

TITLE = "Codebook Features: Sparse and Discrete Interpretability for Neural Networks"
ARXIV = "2310.17230"
SLUG = "codebook-features-sparse-and-discrete-interpretability-for-neural-networks"
SAMPLE = Path(__file__).parent / "fixtures" / "sotawhat_hf_daily_papers_2026-06-12.json"
SAMPLE_ITEMS = json.loads(SAMPLE.read_bytes())


def real_abstract(title: str = TITLE) -> str:
    text = (ROOT / "sources" / "2025-09-08-hf-papers.txt").read_text("utf-8")
    return text.split(f"\n{title}\n\n", 1)[1].split("\n", 1)[0]


ABSTRACT = real_abstract()
V2_ABSTRACT = ABSTRACT + " We also release an interactive viewer for the learned codes."
AUTHORS = ["Alex Tamkin", "Mohammad Taufeeque", "Noah D. Goodman", "Ann Other", "Bo Other",
           "Cy Other", "Di Other", "Ed Other"]


def item(day: str, *, title: str = TITLE, summary: str = ABSTRACT, **paper) -> dict:
    """One daily-papers item in the Hub's 2026 shape."""
    return {"paper": {"id": ARXIV, "title": title, "summary": summary,
                      "authors": [{"name": n, "hidden": False} for n in AUTHORS],
                      "publishedAt": "2023-10-26T17:59:59.000Z",
                      "submittedOnDailyAt": f"{day}T00:00:00.000Z", "upvotes": 12,
                      "githubRepo": "https://github.com/taufeeque9/codebook-features",
                      "githubStars": 77, "projectPage": "https://codebook-features.example.org/",
                      "ai_keywords": ["codebook features", "vector quantization"], **paper}}


def page_copy(day: int, title: str = TITLE, abstract: str = ABSTRACT) -> str:
    return listing(f"Sep {day}", (title, abstract))


def generate(root: Path) -> None:
    pipeline.generate(Project.load(root))


def pages(root: Path) -> dict[str, frontmatter.Post]:
    return {p.stem: frontmatter.load(p) for p in sorted((root / "content/papers").glob("*.md"))}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_a_page_copy_then_json_give_one_page_that_keeps_its_url_and_curation(tmp_path):
    root = make_project(tmp_path / "d", {"2025-09-08-hf-papers.txt": page_copy(8)})
    generate(root)
    (slug, before), = pages(root).items()
    assert slug == SLUG and before["id"].startswith("title:") and "arxiv" not in before
    assert "pdf" not in before["links"]

    # A curator drops a rule's tag, features the paper and writes a note.
    page = root / "content/papers" / f"{SLUG}.md"
    dropped = before["tags"][0]
    edit(page, f"tags:\n- {dropped}\n", "tags:\n")
    edit(page, "featured: false", "featured: true")
    page.write_text(page.read_text("utf-8") + "\nRead this one first.\n", "utf-8")

    # Two days later the Hub's JSON lists it, recased, with an id and a new abstract.
    recased = "Codebook features: sparse and discrete interpretability for neural networks"
    (root / "sources" / "2025-09-10-hf-daily.json").write_text(
        json.dumps([item("2025-09-10", title=recased, summary=V2_ABSTRACT)]), "utf-8")
    generate(root)

    (slug, after), = pages(root).items()
    assert slug == SLUG  # the URL it first had
    assert after["id"] == f"arxiv:{ARXIV}" and after["arxiv"] == ARXIV
    assert after["listed"] == [dt.date(2025, 9, 8), dt.date(2025, 9, 10)]
    assert after["sources"] == ["2025-09-08-hf-papers.txt", "2025-09-10-hf-daily.json"]
    assert after["links"]["paper"] == f"https://arxiv.org/abs/{ARXIV}"
    assert after["links"]["pdf"] == f"https://arxiv.org/pdf/{ARXIV}"
    assert after["links"]["hf"] == f"https://huggingface.co/papers/{ARXIV}"
    assert after["links"]["code"] == ["https://github.com/taufeeque9/codebook-features"]
    assert after["links"]["project"] == "https://codebook-features.example.org/"
    # The richer source fills the gaps the page copy left.
    assert after["authors"] == AUTHORS and after["upvotes"] == 12
    assert after["github_stars"] == 77 and after["published"] == dt.date(2023, 10, 26)
    # The curator still wins: the dropped tag stays dropped, the flag and note stay.
    assert dropped in after["rule_tags"] and dropped not in after["tags"]
    assert after["featured"] is True
    assert after.content.split("## Notes\n", 1)[1].strip() == "Read this one first."
    # The newer version's abstract is shown, and the page says it changed.
    assert after["abstract_changed"] is True
    assert "interactive viewer for the learned codes" in after.content
    assert pipeline.check(Project.load(root)) == []


def test_json_first_then_a_later_page_copy_stay_one_paper_with_the_id(tmp_path):
    root = make_project(tmp_path / "d", {
        "2025-09-08-hf-daily.json": json.dumps([item("2025-09-08")]),
        "2025-09-10-hf-papers.txt": page_copy(10, abstract=V2_ABSTRACT)})
    generate(root)
    (slug, post), = pages(root).items()
    assert slug == SLUG and post["id"] == f"arxiv:{ARXIV}"
    assert post["listed"] == [dt.date(2025, 9, 8), dt.date(2025, 9, 10)]
    assert post["links"]["pdf"] == f"https://arxiv.org/pdf/{ARXIV}"
    assert post["upvotes"] == 12  # only the JSON knows it
    assert "interactive viewer" in post.content and post["abstract_changed"] is True


def test_on_the_same_day_the_json_wins_over_the_page_copy(tmp_path):
    recased = "Codebook features: sparse and discrete interpretability for neural networks"
    root = make_project(tmp_path / "d", {
        "2025-09-08-hf-papers.txt": page_copy(8),
        "2025-09-08-hf-daily.json": json.dumps([item("2025-09-08", title=recased)])})
    generate(root)
    (slug, post), = pages(root).items()
    assert post["title"] == recased and post["listed"] == [dt.date(2025, 9, 8)]
    assert "abstract_changed" not in post


def test_ai_keywords_help_rules_but_never_become_topics_themselves(tmp_path):
    quiet = "We report a careful survey of historical weather ledgers kept by lighthouses."
    root = make_project(tmp_path / "d", {"2025-09-08-hf-daily.json": json.dumps([
        item("2025-09-08", title="Lighthouse ledgers", summary=quiet, id="2501.00001",
             ai_keywords=["basket weaving", "zebra stripes"]),
        item("2025-09-08", title="Harbour ledgers", summary=quiet, id="2501.00002",
             ai_keywords=["Interpretability", "saliency maps"]),
    ])})
    generate(root)
    posts = {p["arxiv"]: p for p in pages(root).values()}
    first, second = posts["2501.00001"], posts["2501.00002"]
    assert first["keywords"] == ["basket weaving", "zebra stripes"]
    # Keywords no rule matches are shown, but no topic or tag is made of them.
    assert first["tags"] == first["rule_tags"] == [] and first["topics"] == {}
    # Keywords are text topic rules may match, counted with the abstract's mentions (two
    # here), and the match is recorded as a rule's.
    assert second["tags"] == second["rule_tags"] == ["interpretability"]


# --- the built site ------------------------------------------------------------------


class Buttons(HTMLParser):
    """The paper header's buttons as (text, href), and the text of the header."""

    def __init__(self) -> None:
        super().__init__()
        self.buttons: list[list[str]] = []
        self.header: list[str] = []
        self.depth = 0
        self.in_button = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            self.depth += 1
        elif tag == "header" and "digest-paper" in (attrs.get("class") or ""):
            self.depth = 1
        if self.depth and tag == "a" and "md-button" in (attrs.get("class") or ""):
            self.buttons.append(["", attrs["href"]])
            self.in_button = True

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
        if tag == "a":
            self.in_button = False

    def handle_data(self, data):
        if self.in_button:
            self.buttons[-1][0] += data.strip()
        if self.depth:
            self.header.append(data)


def header(html: str) -> tuple[dict[str, str], str]:
    parser = Buttons()
    parser.feed(html)
    return {text: href for text, href in parser.buttons}, " ".join(" ".join(parser.header).split())


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Page copy first, generated; then the merge JSON and the 30-paper sample; built."""
    root = make_project(tmp_path_factory.mktemp("merge") / "d",
                        {"2025-09-08-hf-papers.txt": page_copy(8)})
    assert run_digest(root, "generate").returncode == 0
    (root / "sources" / "2025-09-10-hf-daily.json").write_text(
        json.dumps([item("2025-09-10", summary=V2_ABSTRACT)]), "utf-8")
    (root / "sources" / "2026-06-12-hf-daily.json").write_bytes(SAMPLE.read_bytes())
    result = run_digest(root, "build")
    assert result.returncode == 0, result.stderr + result.stdout
    return root


def paper_html(root: Path, slug: str) -> str:
    return (root / "site" / "papers" / slug / "index.html").read_text("utf-8")


def test_the_merged_page_keeps_the_page_copy_url_and_shows_the_json_links(site):
    slugs = {p["arxiv"]: slug for slug, p in pages(site).items() if "arxiv" in p}
    assert slugs[ARXIV] == SLUG
    assert not any("codebook" in s for s in slugs.values() if s != SLUG)
    buttons, text = header(paper_html(site, SLUG))
    assert buttons == {
        "Paper": f"https://arxiv.org/abs/{ARXIV}", "PDF": f"https://arxiv.org/pdf/{ARXIV}",
        "Code ★ 77": "https://github.com/taufeeque9/codebook-features",
        "Hugging Face": f"https://huggingface.co/papers/{ARXIV}",
        "Project page": "https://codebook-features.example.org/"}
    assert "Listed Sep 8, 2025 , Sep 10, 2025 · published Oct 26, 2023 · ▲ 12 upvotes" in text
    assert "The abstract changed between the listings" in text
    html = paper_html(site, SLUG)
    assert 'href="../../dates/2025-09-08/"' in html and 'href="../../dates/2025-09-10/"' in html


@pytest.mark.parametrize("number", range(len(SAMPLE_ITEMS)))
def test_every_json_paper_page_links_arxiv_pdf_hf_code_and_project(site, number):
    paper = SAMPLE_ITEMS[number]["paper"]
    slug = next(s for s, p in pages(site).items() if p.get("arxiv") == paper["id"])
    buttons, text = header(paper_html(site, slug))
    aid = paper["id"]
    assert buttons["Paper"] == f"https://arxiv.org/abs/{aid}"
    assert buttons["PDF"] == f"https://arxiv.org/pdf/{aid}"
    assert buttons["Hugging Face"] == f"https://huggingface.co/papers/{aid}"
    if paper.get("githubRepo"):
        stars = f" ★ {paper['githubStars']}" if paper.get("githubStars") else ""
        assert buttons[f"Code{stars}"] == paper["githubRepo"]
    else:
        assert "Find code" in buttons or any(t.startswith("Code") for t in buttons)
    if paper.get("projectPage"):
        assert buttons["Project page"] == paper["projectPage"]
    else:
        assert "Project page" not in buttons
    assert all(h.startswith("https://") for h in buttons.values())
    # Upvotes, and the arXiv date apart from the day it was listed.
    published = dt.date.fromisoformat(paper["publishedAt"][:10])
    assert f"Listed Jun 12, 2026 · published {published:%b} {published.day}, {published.year}" in text
    votes = paper["upvotes"]
    assert f"▲ {votes} upvote{'' if votes == 1 else 's'}" in text
    # Authors, shortened where long.
    names = [a["name"] for a in paper["authors"]]
    if len(names) > 6:
        assert f"{', '.join(names[:6])}, and {len(names) - 6} more" in text
        assert names[6] not in text
    else:
        assert ", ".join(names) in text
    # Keywords are shown as text, never as topic chips.
    if paper.get("ai_keywords"):
        assert "Hugging Face keywords: " + ", ".join(paper["ai_keywords"]) in text


def test_keywords_are_not_tags_of_the_built_site(site):
    used = set()
    for page in (site / "site" / "papers").glob("*/index.html"):
        chips = page.read_text("utf-8").split('class="digest-chips"', 1)
        if len(chips) == 2:
            used |= set(re.findall(r'class="md-tag"[^>]*>([^<]+)</a>', chips[1].split("</div>")[0]))
    # The chips show topic names (the front-matter's topics), never slugs.
    vocabulary = set(re.findall(r"^    name: (.+)$", (ROOT / "topics.yml").read_text(), re.M))
    assert used and used <= vocabulary
