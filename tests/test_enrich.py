"""``digest enrich`` against a fake Hub on 127.0.0.1: page-copy papers resolved to their
arXiv records, and every bad answer leaving sources/ and content/ as they were."""

from __future__ import annotations

import json
import threading
import urllib.parse
from pathlib import Path

import bibtexparser
import frontmatter
import pytest
import yaml

from conftest import JsonHandler, local_server, make_project, run_digest, search_records, tree

# Three bundled page-copy papers, as the Hub knows them.
KNOWN = {
    "1506.03134": dict(title="Pointer Networks", publishedAt="2015-06-09T19:53:11.000Z",
                       authors=["Oriol Vinyals", "Meire Fortunato", "Navdeep Jaitly"]),
    "2409.10594": dict(title="Kolmogorov-Arnold Transformer",
                       publishedAt="2024-09-16T17:59:06.000Z",
                       authors=["Xingyi Yang", "Xinchao Wang"],
                       githubRepo="https://github.com/Adamdad/kat"),
    "2311.00136": dict(title="Neuroformer: Multimodal and Multitask Generative Pretraining "
                             "for Brain Data", publishedAt="2023-10-31T20:17:32.000Z",
                       authors=["Antonis Antoniades", "Yiyi Yu", "Joseph Canzano",
                                "William Wang", "Spencer LaVere Smith"]),
}
POINTER = "pointer-networks"


def paper(aid: str) -> dict:
    known = KNOWN[aid]
    return {"id": aid, "title": known["title"], "summary": "An abstract.",
            "publishedAt": known["publishedAt"],
            "authors": [{"name": n, "hidden": False} for n in known["authors"]],
            **({"githubRepo": known["githubRepo"]} if "githubRepo" in known else {})}


class Hub:
    """What the fake Hub answers; a test changes ``mode`` to make it misbehave."""

    def __init__(self) -> None:
        self.mode = "good"
        self.asked: list[str] = []
        self.release = threading.Event()

    def handler(self):
        hub = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:  # noqa: N802
                url = urllib.parse.urlsplit(self.path)
                hub.asked.append(self.path)
                if hub.mode == "hang":
                    hub.release.wait(5)
                    return
                if hub.mode in ("429", "503"):
                    return self._send(int(hub.mode), b'{"error": "busy"}')
                if hub.mode == "malformed":
                    return self._send(200, b'{"papers": [oops')
                if url.path == "/api/papers/search":
                    q = dict(urllib.parse.parse_qsl(url.query))["q"]
                    found = [aid for aid, k in KNOWN.items() if k["title"].lower() == q.lower()]
                    items = [{"paper": paper(aid), "numComments": 0} for aid in found]
                    if hub.mode == "mismatch":
                        for item in items:
                            item["paper"]["title"] += ": A Sequel"
                    if hub.mode == "ambiguous" and items:
                        twin = json.loads(json.dumps(items[0]))
                        twin["paper"]["id"] = "2501.00042"
                        items.append(twin)
                    return self._send(200, json.dumps(items).encode())
                aid = url.path.removeprefix("/api/papers/")
                if aid in KNOWN:
                    answer = paper(aid)
                    if hub.mode == "other-id":
                        answer["id"] = "2501.99999"
                    return self._send(200, json.dumps(answer).encode())
                self._send(404, b'{"error": "Not Found"}')

        return Handler


@pytest.fixture
def hub():
    state = Hub()
    with local_server(state.handler()) as url:
        state.url = url
        yield state
        state.release.set()


@pytest.fixture
def digest(bundled: Path) -> Path:
    assert run_digest(bundled, "generate").returncode == 0
    return bundled


def enrich(root: Path, hub: Hub, *args: str):
    import os
    env = {**os.environ, "HF_ENDPOINT": hub.url}
    return run_digest(root, "enrich", "--retries", "0", "--backoff", "0", *args, env=env)


def test_enrich_resolves_the_papers_the_hub_knows_and_the_site_links_them(digest, hub):
    result = enrich(digest, hub)
    assert result.returncode == 0, result.stderr
    assert "enrich: resolved 3, ambiguous 0, not found 207" in result.stdout
    records = yaml.safe_load((digest / "sources/resolved.yml").read_text("utf-8"))["papers"]
    assert [(r["title"], r["arxiv"]) for r in records] == [
        ("Kolmogorov-Arnold Transformer", "2409.10594"),
        ("Neuroformer: Multimodal and Multitask Generative Pretraining for Brain Data",
         "2311.00136"),
        ("Pointer Networks", "1506.03134")]
    assert all("resolved" in r for r in records)

    page = frontmatter.load(digest / "content/papers" / f"{POINTER}.md")
    assert page["id"] == "arxiv:1506.03134" and page["arxiv"] == "1506.03134"
    assert page["authors"] == KNOWN["1506.03134"]["authors"]
    cite = page.content.split("~~~bibtex\n", 1)[1].split("~~~", 1)[0]
    library = bibtexparser.parse_string(cite)
    fields = library.entries[0].fields_dict
    assert fields["author"].value == "Oriol Vinyals and Meire Fortunato and Navdeep Jaitly"
    assert (fields["eprint"].value, fields["archivePrefix"].value) == ("1506.03134", "arXiv")
    assert fields["year"].value == "2015"  # not 2025, the year it was listed
    assert fields["url"].value == "https://arxiv.org/abs/1506.03134"

    build = run_digest(digest, "build")
    assert build.returncode == 0, build.stderr + build.stdout
    html = (digest / "site/papers" / POINTER / "index.html").read_text("utf-8")
    assert 'href="https://arxiv.org/abs/1506.03134"' in html
    assert 'href="https://arxiv.org/pdf/1506.03134"' in html
    assert "Oriol Vinyals" in html
    texts = [r["content"] for r in search_records(digest / "site")
             if r["url"] == f"/papers/{POINTER}/"]
    assert len(texts) == 1 and "Navdeep Jaitly" in texts[0]

    # A second run asks only about what is still unresolved, and changes nothing.
    before, hub.asked[:] = tree(digest), []
    again = enrich(digest, hub)
    assert again.returncode == 0 and "resolved 0" in again.stdout
    assert not any("Pointer" in a for a in hub.asked)
    assert tree(digest) == before


def test_a_paper_nobody_resolved_has_no_year_in_its_citation(digest):
    page = frontmatter.load(digest / "content/papers" / f"{POINTER}.md")
    cite = page.content.split("~~~bibtex\n", 1)[1].split("~~~", 1)[0]
    fields = bibtexparser.parse_string(cite).entries[0].fields_dict
    assert "year" not in fields and "eprint" not in fields


@pytest.mark.parametrize("mode, status, message", [
    ("hang", 1, "no answer within 0.5 s"),
    ("429", 1, "rate-limiting"),
    ("503", 1, "kept failing"),
    ("malformed", 0, "is not JSON"),
    ("mismatch", 0, "resolved 0, ambiguous 0, not found 210"),
    ("other-id", 0, "answered about another paper"),
    ("ambiguous", 0, "ambiguous: 'Pointer Networks' matches 1506.03134, 2501.00042"),
])
def test_bad_answers_leave_sources_and_content_unchanged(digest, hub, mode, status, message):
    hub.mode = mode
    before = tree(digest)
    result = enrich(digest, hub, "--timeout", "0.5")
    assert result.returncode == status, result.stderr
    assert message in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert tree(digest) == before


def _front_matter(root: Path, slug: str, line: str) -> None:
    path = root / "content/papers" / f"{slug}.md"
    path.write_text(path.read_text("utf-8").replace("\ntags:", f"\n{line}\ntags:", 1), "utf-8")


def test_a_curator_rejects_a_match_and_it_stays_rejected(digest, hub):
    assert enrich(digest, hub).returncode == 0
    _front_matter(digest, POINTER, "resolve: false")
    for _run in range(2):  # generate keeps the curator's line, so the next run obeys it too
        assert run_digest(digest, "generate").returncode == 0
        page = frontmatter.load(digest / "content/papers" / f"{POINTER}.md")
        assert "arxiv" not in page.metadata and page["id"] == "title:pointer networks"
        assert page["resolve"] is False
    hub.asked[:] = []
    assert enrich(digest, hub).returncode == 0
    assert not any("Pointer" in a for a in hub.asked)
    assert sorted(p.stem for p in (digest / "content/papers").glob("pointer*")) == [POINTER]


def test_a_curator_pins_an_id_the_title_search_cannot_find(digest, hub):
    KNOWN["2501.00007"] = dict(title="Something else entirely", publishedAt="2025-01-02T00:00:00Z",
                               authors=["Ann Author"])
    try:
        slug = "codebook-features-sparse-and-discrete-interpretability-for-neural-networks"
        _front_matter(digest, slug, "resolve: '2501.00007'")
        result = enrich(digest, hub)
        assert result.returncode == 0, result.stderr
        page = frontmatter.load(digest / "content/papers" / f"{slug}.md")
        assert (page["arxiv"], page["authors"]) == ("2501.00007", ["Ann Author"])
        assert page["resolve"] == "2501.00007"  # kept, quoted, for the next run
        assert "resolve: '2501.00007'" in (digest / "content/papers" / f"{slug}.md").read_text()
    finally:
        del KNOWN["2501.00007"]


def test_a_record_that_disagrees_with_a_source_is_not_applied(tmp_path):
    records = ("papers:\n- title: Pointer Networks\n  arxiv: '1506.03134'\n"
               "  resolved: 2026-12-01\n")
    item = {"paper": {"id": "1506.99999", "title": "Pointer Networks", "summary": "A" * 200,
                      "authors": [], "publishedAt": "2015-06-09T00:00:00Z",
                      "submittedOnDailyAt": "2025-09-08T00:00:00.000Z", "upvotes": 1}}
    root = make_project(tmp_path / "digest", {
        "resolved.yml": records,
        "2025-09-08-hf-daily.json": json.dumps([item]),
        "2025-09-09-hf-papers.txt": "Sep 9\n\nPointer Networks\n\n" + "We " * 40 + "\n"})
    result = run_digest(root, "generate")
    assert result.returncode == 0, result.stderr
    assert ("sources/resolved.yml:2: warning: says 'Pointer Networks' is arXiv 1506.03134, "
            "but a source lists it as 1506.99999") in result.stderr
    [page] = (root / "content/papers").glob("*.md")
    assert frontmatter.load(page)["arxiv"] == "1506.99999"


def test_a_broken_records_file_is_an_error_with_its_line(tmp_path):
    root = make_project(tmp_path / "digest", {
        "resolved.yml": "papers:\n- title: Pointer Networks\n  arxiv: 'not-an-id'\n",
        "2025-09-09-hf-papers.txt": "Sep 9\n\nPointer Networks\n\n" + "We " * 40 + "\n"})
    result = run_digest(root, "generate")
    assert result.returncode == 1
    assert ("sources/resolved.yml:2: 'arxiv: not-an-id' is not an arXiv id such as "
            "2310.17230; fix the record or delete it") in result.stderr
