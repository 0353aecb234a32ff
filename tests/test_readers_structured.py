"""Tests for the structured readers: Hub daily-papers JSON (hfjson) and arXiv Atom (atom)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import DigestError, Problem
from generator.model import Listing
from generator.readers import SourceFile, atom, hfjson

SAMPLES = Path(__file__).parent / "fixtures"  # copies of ../shared/samples, see SAMPLES.md
SOTAWHAT = "sotawhat_hf_daily_papers_2026-06-12.json"
NEWS = "newsassistant_hf_daily_papers_2026-08-03.json"
DEEPDIVER = "deepdiver_daily_papers_2024-10-25_first_item.json"
ATOM_SAMPLE = "sotawhat_arxiv_transformer.xml"

JSON_REMEDY = ("download it again from /api/daily_papers?date=YYYY-MM-DD and save it "
               "unchanged")
ATOM_REMEDY = "download the feed again from export.arxiv.org/api/query and save it unchanged"
ATOM_NS = "http://www.w3.org/2005/Atom"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def read_json(data: bytes | str | object, name: str = "daily.json") -> list[Listing]:
    if not isinstance(data, (bytes, str)):
        data = json.dumps(data)
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hfjson.read(SourceFile(name, data))


def read_atom(data: bytes | str, name: str = "feed.xml") -> list[Listing]:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return atom.read(SourceFile(name, data))


def problems(exc: pytest.ExceptionInfo) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in exc.value.problems]


def item(**paper_overrides) -> dict:
    """A minimal 2024-shape item; None as an override removes the key."""
    paper = {
        "id": "2410.17243",
        "authors": [{"name": "Ada Lovelace", "hidden": False}],
        "publishedAt": "2024-10-22T17:59:30.000Z",
        "title": "A Title",
        "summary": "An abstract.",
        "upvotes": 5,
    }
    top = {"publishedAt": "2024-10-25T00:57:09.392Z", "numComments": 1}
    for key, value in paper_overrides.items():
        if key.startswith("top_"):
            target, key = top, key[4:]
        else:
            target = paper
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    return {"paper": paper, **top}


# ---------------------------------------------------------------- HF JSON: samples

@pytest.mark.parametrize("name, count", [(SOTAWHAT, 30), (NEWS, 3), (DEEPDIVER, 1)])
def test_json_samples_parse(name, count):
    listings = read_json(sample(name), name)
    assert len(listings) == count
    assert all(isinstance(x, Listing) and x.source == name for x in listings)
    assert len({x.arxiv_id for x in listings}) == count
    assert all(x.title and x.abstract and "\n" not in x.abstract for x in listings)


def test_json_lines_point_at_each_item_of_a_pretty_printed_file():
    data = sample(NEWS)
    listings = read_json(data, NEWS)
    assert [x.line for x in listings] == [2, 111, 227]
    lines = data.decode().split("\n")
    assert [lines[x.line - 1] for x in listings] == ["    {"] * 3
    assert [x.arxiv_id for x in listings] == ["2607.26654", "2607.28229", "2607.27851"]


def test_json_lines_are_1_in_a_one_line_file():
    assert {x.line for x in read_json(sample(SOTAWHAT), SOTAWHAT)} == {1}


def test_json_golden_2024_item():
    [listing] = read_json(sample(DEEPDIVER), DEEPDIVER)
    assert listing == Listing(
        title="Breaking the Memory Barrier: Near Infinite Batch Size Scaling for "
              "Contrastive Loss",
        abstract=(
            "Contrastive loss is a powerful approach for representation learning, where "
            "larger batch sizes enhance performance by providing more negative samples to "
            "better distinguish between similar and dissimilar data. However, scaling batch "
            "sizes is constrained by the quadratic growth in GPU memory consumption, "
            "primarily due to the full instantiation of the similarity matrix. To address "
            "this, we propose a tile-based computation strategy that partitions the "
            "contrastive loss calculation into arbitrary small blocks, avoiding full "
            "materialization of the similarity matrix. Furthermore, we introduce a "
            "multi-level tiling strategy to leverage the hierarchical structure of "
            "distributed systems, employing ring-based communication at the GPU level to "
            "optimize synchronization and fused kernels at the CUDA core level to reduce I/O "
            "overhead. Experimental results show that the proposed method scales batch sizes "
            "to unprecedented levels. For instance, it enables contrastive training of a "
            "CLIP-ViT-L/14 model with a batch size of 4M or 12M using 8 or 32 A800 80GB "
            "without sacrificing any accuracy. Compared to SOTA memory-efficient solutions, "
            "it achieves a two-order-of-magnitude reduction in memory while maintaining "
            "comparable speed. The code will be made publicly available."),
        # No submittedOnDailyAt and no date at the start of the name: top-level publishedAt.
        date=dt.date(2024, 10, 25),
        source=DEEPDIVER,
        line=1,
        arxiv_id="2410.17243",
        upvotes=64,
        published=dt.date(2024, 10, 22),
        updated=None,
        authors=("Zesen Cheng", "Hang Zhang", "Kehan Li", "Sicong Leng", "Zhiqiang Hu",
                 "Fei Wu", "Deli Zhao", "Xin Li", "Lidong Bing"),
        organization=None,
        github_repo=None,
        github_stars=None,
        project_page=None,
        ai_summary=None,
        ai_keywords=(),
        category=None,
        comments=3,
    )


def test_json_golden_2026_item_with_repository_and_project_page():
    listing = read_json(sample(SOTAWHAT), SOTAWHAT)[10]
    assert listing == Listing(
        title="Where, What, Why, and Importance: Structured Defect Grounding for "
              "Text-to-Image Feedback",
        abstract=(
            "Despite generating increasingly photorealistic images, text-to-image (T2I) "
            "models still exhibit localized, subtle, and structurally complex failures. "
            "Diagnosing these failures requires instance-level feedback that answers where a "
            "defect occurs, what type it is, why it is defective, and its importance to "
            "overall image quality. While recent dense-feedback methods move beyond scalar "
            "supervision, their heatmap-centric representations still formulate diagnosis as "
            "pixel-field regression, making it difficult to localize variable-cardinality "
            "defects and bind semantic reasons to individual failures. To address this "
            "representation bottleneck, we propose Structured Defect Grounding (SDG), which "
            "casts T2I diagnosis as structured set prediction by modeling each defect as a "
            "(location, type, reason, importance) tuple. To make this formulation trainable "
            "and measurable, we introduce SDG-30K, a 30K-image dataset with box-grounded "
            "annotations across four modern T2I generators, together with a dedicated "
            "evaluation protocol, SDG-Eval. Building on this structured representation, we "
            "further present a diagnosis-to-alignment framework in which a Vision-Language "
            "Model (VLM) serves as the SDG detector, and BoxFlow-GRPO converts predicted "
            "defect sets into box-derived, importance-weighted spatial rewards for diffusion "
            "model alignment. Extensive experiments show that our SDG detector outperforms "
            "leading proprietary VLMs on structured defect grounding, while SDG-guided "
            "rewards consistently improve T2I alignment and support localized image "
            "refinement. These results establish SDG as a unified, instance-level interface "
            "for diagnosing, evaluating, and enhancing modern generative models."),
        date=dt.date(2026, 6, 12),
        source=SOTAWHAT,
        line=1,
        arxiv_id="2606.06113",
        upvotes=13,
        published=dt.date(2026, 6, 4),
        updated=None,
        authors=("Huaisong Zhang", "Hao Yu", "Yuxuan Zhang", "Jiahe Wang", "Xinrui Chen",
                 "Haoxiang Cao", "Feng Lu", "Wendong Zhang", "Changqian Yu", "Chun Yuan"),
        organization="Kolors Team, Kuaishou Technology",
        github_repo="https://github.com/nianbai006/SDG",
        github_stars=5,
        project_page="https://huggingface.co/collections/P1n3/sdg",
        ai_summary=(
            "Structured Defect Grounding (SDG) addresses limitations in text-to-image model "
            "diagnosis by modeling defects as structured sets and using vision-language "
            "models for detection and reward-based alignment."),
        ai_keywords=("text-to-image models", "structured set prediction", "defect grounding",
                     "Vision-Language Model", "diffusion model alignment",
                     "box-derived rewards", "spatial rewards", "instance-level feedback",
                     "dense-feedback methods", "pixel-field regression",
                     "variable-cardinality defects"),
        category=None,
        comments=2,
    )


def test_json_golden_2026_item_without_repository():
    listing = read_json(sample(SOTAWHAT), SOTAWHAT)[0]
    assert listing == Listing(
        title="On the Limits of LLM Adaptability: Impact of Model-Internalized Priors on "
              "Annotation Task Performance",
        abstract=(
            "Large Language Models (LLMs) are increasingly used for zero-shot annotation and "
            "LLM-as-a-judge tasks, yet their reliability hinges on how model-internalized "
            "priors interact with user-provided instructions. We investigate three dimensions "
            "of this interaction: (1) how an LLM's familiarity with data and task definitions "
            "affects performance, (2) the extent to which additional information in prompts "
            "can correct zero-shot errors (\"decision stickiness\"), and (3) model "
            "susceptibility to misaligned task definitions. Through experiments on toxicity "
            "detection across diverse datasets (spanning social media, gaming, news, and "
            "forums) using both dense and mixture-of-experts models, we find that nearly "
            "two-thirds of zero-shot errors are resistant to correction, with an overall "
            "rescue rate (fraction of initial errors corrected by prompting) of only 34.8%. "
            "High-confidence errors prove especially resistant to correction. When given "
            "misaligned definitions, LLMs follow them while maintaining confidence levels "
            "unchanged from the aligned condition. Crucially, we introduce Definition-Specific "
            "Familiarity (DSF), which measures alignment between a model's internal concept "
            "and the task definition. After controlling for dataset-level confounds, DSF "
            "shows a positive association with model performance (partial r = +0.41), while "
            "three distinct memorization metrics (ROUGE-L, BERTScore, and embedding cosine "
            "similarity) all fail to show a positive association. These findings show the "
            "limitations of prompt-based correction in annotation tasks, highlighting the "
            "importance of definition alignment over text-level memorization."),
        date=dt.date(2026, 6, 12),
        source=SOTAWHAT,
        line=1,
        arxiv_id="2606.00467",
        upvotes=0,
        # paper.publishedAt, not the item's top-level publishedAt (2026-05-29T20:00).
        published=dt.date(2026, 5, 30),
        updated=None,
        authors=("Etienne Casanova", "Rafal Kocielnik", "R. Michael Alvarez"),
        organization="California institute of technology",
        github_repo=None,
        github_stars=None,
        project_page=None,
        ai_summary=(
            "Large language models exhibit limited ability to correct zero-shot errors "
            "through prompting, with model performance more strongly linked to "
            "definition-specific familiarity than text-level memorization metrics."),
        ai_keywords=("zero-shot annotation", "LLM-as-a-judge", "model-internalized priors",
                     "decision stickiness", "toxicity detection", "dense models",
                     "mixture-of-experts models", "rescue rate", "high-confidence errors",
                     "misaligned task definitions", "Definition-Specific Familiarity",
                     "ROUGE-L", "BERTScore", "embedding cosine similarity"),
        category=None,
        comments=2,
    )


def test_json_keeps_hidden_authors_in_order():
    listing = read_json(sample(SOTAWHAT), SOTAWHAT)[20]
    assert listing.arxiv_id == "2606.12575"
    assert len(listing.authors) == 10
    assert listing.authors[3] == "Dengyang Jiang"  # "hidden": true on HF, still an author


def test_json_pretty_printed_2026_item_without_ai_fields():
    first = read_json(sample(NEWS), NEWS)[0]
    assert (first.ai_summary, first.ai_keywords) == (None, ())
    assert first.organization == "University of Oxford"
    assert first.github_repo == "https://github.com/desBugger/constitutional-mt"
    assert first.project_page == "https://www.lesswrong.com/posts/n5htoDGvKKJFAjji2"
    assert (first.date, first.published, first.upvotes, first.comments) == (
        dt.date(2026, 8, 3), dt.date(2026, 7, 29), 3, 1)


# ---------------------------------------------------------------- HF JSON: fields

def test_json_normalises_whitespace_but_leaves_latex_alone():
    [listing] = read_json([item(
        title="  Breaking the\n  Memory\tBarrier \n",
        summary="We bound it by\n$\\mathcal{O}(d^2)$ and {\\it cite} ``quotes''\r\n  here.  ",
        ai_summary=" two\n lines ",
        ai_keywords=[" a \n b ", "c", "  "],
        authors=[{"name": " Ada\n Lovelace ", "hidden": True}, {"name": "Alan Turing"}],
    )])
    assert listing.title == "Breaking the Memory Barrier"
    assert listing.abstract == "We bound it by $\\mathcal{O}(d^2)$ and {\\it cite} ``quotes'' here."
    assert listing.ai_summary == "two lines"
    assert listing.ai_keywords == ("a b", "c")
    assert listing.authors == ("Ada Lovelace", "Alan Turing")


@pytest.mark.parametrize("raw, expected", [
    ("2410.17243", "2410.17243"),
    ("2410.17243v2", "2410.17243"),
    ("1501.0001v12", "1501.0001"),
    ("hep-th/9901001", "hep-th/9901001"),
    ("hep-th/9901001v3", "hep-th/9901001"),
    ("math.AG/0101001v1", "math.AG/0101001"),
])
def test_json_arxiv_id_loses_its_version(raw, expected):
    [listing] = read_json([item(id=raw)])
    assert listing.arxiv_id == expected


def test_json_organization_from_paper_then_item_fullname_then_name():
    listings = read_json([
        item(organization={"name": "paper-org", "fullname": "Paper Org"},
             top_organization={"name": "item-org", "fullname": "Item Org"}),
        item(top_organization={"name": "item-org", "fullname": "Item Org"}),
        item(organization={"name": "short-name"}),
        item(),
    ])
    assert [x.organization for x in listings] == ["Paper Org", "Item Org", "short-name", None]


def test_json_null_and_empty_optional_fields_are_absent():
    [listing] = read_json([item(githubRepo="", projectPage="  ", top_numComments=None)
                           | {"numComments": None}])
    [nulls] = read_json(json.dumps([item()]).replace(
        '"upvotes": 5', '"upvotes": null, "githubRepo": null, "githubStars": null, '
        '"ai_keywords": null, "organization": null, "authors": null'))
    assert (listing.github_repo, listing.project_page, listing.comments) == (None, None, None)
    assert (nulls.upvotes, nulls.github_repo, nulls.github_stars, nulls.ai_keywords,
            nulls.organization, nulls.authors) == (None, None, None, (), None, ())


def test_json_empty_array_is_no_listings():
    assert read_json(b"[]") == []
    assert read_json(b"  [ ]\n") == []


# ---------------------------------------------------------------- HF JSON: digest day

def test_json_day_is_submitted_on_daily_at_before_file_name_and_top_level():
    data = [item(submittedOnDailyAt="2026-06-12T00:00:00.000Z",
                 top_publishedAt="2026-06-09T10:00:00.000Z")]
    [listing] = read_json(data, "2026-06-10-daily.json")
    assert listing.date == dt.date(2026, 6, 12)


def test_json_day_is_file_name_date_before_top_level_published_at():
    data = [item(top_publishedAt="2026-06-09T10:00:00.000Z")]
    [listing] = read_json(data, "2026-06-10-daily.json")
    assert listing.date == dt.date(2026, 6, 10)


def test_json_day_falls_back_to_top_level_published_at():
    data = [item(top_publishedAt="2024-10-25T00:57:09.392Z")]
    [listing] = read_json(data, "daily-2026-06-10.json")  # the date must start the name
    assert listing.date == dt.date(2024, 10, 25)


def test_json_day_is_the_utc_calendar_date():
    data = [item(submittedOnDailyAt="2026-06-12T23:30:00-05:00")]
    [listing] = read_json(data, "2026-06-01-daily.json")
    assert listing.date == dt.date(2026, 6, 13)
    assert listing.published == dt.date(2024, 10, 22)


def test_json_without_any_day_is_an_error():
    with pytest.raises(DigestError) as exc:
        read_json([item(top_publishedAt=None)], "daily.json")
    assert problems(exc) == [(1, (
        "item 1 has no digest day: no paper.submittedOnDailyAt and no top-level "
        "publishedAt; start the file name with the day it was requested for, e.g. "
        "2024-10-25-daily-papers.json"))]


def test_json_file_name_with_impossible_date_is_an_error():
    with pytest.raises(DigestError) as exc:
        read_json([item()], "2026-02-30-daily.json")
    assert problems(exc) == [(None, (
        "the file name starts with 2026-02-30, which is not a real date; rename it to "
        "start with the listing's date as YYYY-MM-DD"))]


# ---------------------------------------------------------------- HF JSON: errors

def test_json_invalid_syntax_keeps_line_and_column():
    with pytest.raises(DigestError) as exc:
        read_json('[\n  {"paper": {}}\n  {"paper": {}}\n]', "2026-06-12.json")
    assert str(exc.value) == (
        "2026-06-12.json:3: invalid JSON: Expecting ',' delimiter at column 3; fix the file "
        f"there, or {JSON_REMEDY}")


def test_json_unterminated_string_names_its_column_once():
    with pytest.raises(DigestError) as exc:
        read_json('[{"paper": {"title": "A', "2026-06-12.json")
    assert str(exc.value).startswith(
        "2026-06-12.json:1: invalid JSON: Unterminated string starting at column 22; ")


def test_json_truncated_file():
    data = sample(NEWS)[:5000]
    with pytest.raises(DigestError) as exc:
        read_json(data, NEWS)
    [(line, message)] = problems(exc)
    assert line == data.count(b"\n") + 1
    assert message.startswith("invalid JSON: ")


def test_json_empty_file():
    with pytest.raises(DigestError) as exc:
        read_json(b" \n")
    assert problems(exc) == [(1, (
        "the file is empty; save the JSON response of /api/daily_papers?date=YYYY-MM-DD "
        "into it, or remove it"))]


def test_json_top_level_must_be_an_array():
    with pytest.raises(DigestError) as exc:
        read_json('\n\n{"papers": []}')
    assert problems(exc) == [(3, (
        "expected a JSON array of daily-papers items, but the file holds an object; save "
        "the response of /api/daily_papers?date=YYYY-MM-DD unchanged (it starts with '[')"))]


def test_json_error_in_item_3_of_pretty_printed_sample_points_at_item_3():
    text = sample(NEWS).decode()
    assert text.count('"title": "Beyond Feeling Better') == 2  # paper's, then the item's
    text = text.replace('"title": "Beyond Feeling Better', '"titel": "Beyond Feeling Better', 1)
    with pytest.raises(DigestError) as exc:
        read_json(text, NEWS)
    assert str(exc.value) == (
        f"{NEWS}:227: item 3: paper has no 'title', which every daily-papers paper has; "
        f"add it, remove the item, or {JSON_REMEDY}")


def test_json_reports_every_item_problem_at_once():
    data = [
        {"title": "no paper here"},
        item(title="   "),
        item(id=None, summary=None),
        item(),
        "not an item",
        {"paper": []},
    ]
    text = "[\n" + ",\n".join(json.dumps(x) for x in data) + "\n]"
    with pytest.raises(DigestError) as exc:
        read_json(text, "x.json")
    assert problems(exc) == [
        (2, "item 1 has no 'paper', but every daily-papers item holds a 'paper' object; "
            f"remove the item, or {JSON_REMEDY}"),
        (3, "item 2: paper.title is empty; write the paper's title there, or remove the item"),
        (4, "item 3: paper has no 'id', which every daily-papers paper has; add it, remove "
            f"the item, or {JSON_REMEDY}"),
        (4, "item 3: paper has no 'summary', which every daily-papers paper has; add it, "
            f"remove the item, or {JSON_REMEDY}"),
        (6, f"item 5 is a string, not an object with a 'paper'; remove it, or {JSON_REMEDY}"),
        (7, "item 6 has 'paper' as an array, but every daily-papers item holds a 'paper' "
            f"object; remove the item, or {JSON_REMEDY}"),
    ]


@pytest.mark.parametrize("override, message", [
    ({"upvotes": "12"}, "item 1: paper.upvotes is a string, but it should be a whole number "
                        f"of at least 0; correct it, or {JSON_REMEDY}"),
    ({"githubStars": True}, "item 1: paper.githubStars is a boolean, but it should be a whole "
                            f"number of at least 0; correct it, or {JSON_REMEDY}"),
    ({"top_numComments": 1.5}, "item 1: item.numComments is a number, but it should be a "
                               f"whole number of at least 0; correct it, or {JSON_REMEDY}"),
    ({"title": ["A", "B"]}, "item 1: paper.title is an array, but it should be a string; "
                            f"correct it, or {JSON_REMEDY}"),
    ({"authors": "Ada"}, "item 1: paper.authors is a string, but it should be a list of "
                         f"authors; correct it, or {JSON_REMEDY}"),
    ({"authors": [{"hidden": False}]}, "item 1: author 1 of paper.authors has no name; give "
                                       f"it a 'name' string, or {JSON_REMEDY}"),
    ({"ai_keywords": ["a", 1]}, "item 1: paper.ai_keywords is an array, but it should be a "
                                f"list of strings; correct it, or {JSON_REMEDY}"),
    ({"githubRepo": {"url": "x"}}, "item 1: paper.githubRepo is an object, but it should be "
                                   f"a string; correct it, or {JSON_REMEDY}"),
    ({"organization": 3}, "item 1: paper.organization is a number, but it should be an "
                          f"object with a 'fullname'; correct it, or {JSON_REMEDY}"),
    ({"publishedAt": "22 Oct 2024"}, "item 1: paper.publishedAt '22 Oct 2024' is not an ISO "
                                     "timestamp such as 2026-06-12T00:00:00.000Z; correct "
                                     f"it, or {JSON_REMEDY}"),
    ({"submittedOnDailyAt": 20261012}, "item 1: paper.submittedOnDailyAt is a number, but it "
                                       "should be an ISO timestamp such as "
                                       "2026-06-12T00:00:00.000Z; correct it, or "
                                       f"{JSON_REMEDY}"),
    ({"id": "arXiv:2410"}, "item 1: paper.id 'arXiv:2410' is not an arXiv id such as "
                           f"2410.17243 or hep-th/9901001; correct it, or {JSON_REMEDY}"),
    ({"summary": "a \\ud800 b"}, "item 1: paper.summary contains an unpaired \\ud800-\\udfff "
                                 f"escape, which is not text; correct it, or {JSON_REMEDY}"),
])
def test_json_wrong_types_are_reported(override, message):
    text = json.dumps([item(**override)])
    if "\\\\ud800" in text:  # make the escape a real (lone surrogate) JSON escape
        text = text.replace("\\\\ud800", "\\ud800")
    with pytest.raises(DigestError) as exc:
        read_json(text, "x.json")
    assert problems(exc) == [(1, message)]


def test_json_not_utf8():
    with pytest.raises(DigestError) as exc:
        read_json('[{"paper": {"title": "Caf\u00e9"}}]'.encode("cp1252"), "x.json")
    assert problems(exc) == [(1, (
        "byte 0xe9 is not valid UTF-8 (it looks like Windows-1252 or Latin-1); re-save the "
        "file as UTF-8"))]


@pytest.mark.parametrize("data", [b"[" * 100_000, b"[" + b"1" * 5000 + b"]"])
def test_json_pathological_input_is_a_digest_error(data):
    with pytest.raises(DigestError):
        read_json(data)


# ---------------------------------------------------------------- HF JSON: fuzz

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

PAPER_KEYS = ["id", "authors", "publishedAt", "submittedOnDailyAt", "title", "summary",
              "upvotes", "ai_summary", "ai_keywords", "githubRepo", "githubStars",
              "projectPage", "organization", "name", "fullname", "paper", "numComments"]
json_scalars = (st.none() | st.booleans() | st.integers() | st.floats()
                | st.text(max_size=20)
                | st.sampled_from(["2026-06-12T00:00:00.000Z", "2410.17243v2", "", " \n"]))
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.sampled_from(PAPER_KEYS) | st.text(max_size=8), children, max_size=8),
    max_leaves=40)


def check_json(data: bytes, name: str = "fuzz.json") -> None:
    try:
        out = hfjson.read(SourceFile(name, data))
    except DigestError as exc:
        assert exc.problems and all(isinstance(p, Problem) and p.message for p in exc.problems)
        str(exc).encode("utf-8")  # printable: no lone surrogates leak into messages
        return
    assert isinstance(out, list)
    for listing in out:
        assert isinstance(listing, Listing)
        assert listing.title and listing.title == " ".join(listing.title.split())
        assert isinstance(listing.date, dt.date) and listing.line >= 1


@FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_json_arbitrary_bytes(data):
    check_json(data)


@FUZZ
@given(json_values)
def test_fuzz_json_arbitrary_values(value):
    check_json(json.dumps(value).encode())


@FUZZ
@given(st.lists(st.fixed_dictionaries({"paper": json_values}, optional={
    "publishedAt": json_values, "numComments": json_values, "organization": json_values})
    | json_values, max_size=4))
def test_fuzz_json_arbitrary_items(items):
    check_json(json.dumps(items, indent=2).encode(), "2026-06-12-fuzz.json")


MUTABLE = [json.loads(sample(NEWS)), json.loads(sample(DEEPDIVER))]


@FUZZ
@given(st.data())
def test_fuzz_json_mutated_sample_structure(data):
    items = json.loads(json.dumps(data.draw(st.sampled_from(MUTABLE))))
    for _ in range(data.draw(st.integers(1, 4))):
        target = data.draw(st.sampled_from(items))
        if data.draw(st.booleans()) and isinstance(target.get("paper"), dict):
            target = target["paper"]
        key = data.draw(st.sampled_from(sorted(target) + PAPER_KEYS))
        if data.draw(st.booleans()):
            target.pop(key, None)
        else:
            target[key] = data.draw(json_values)
    check_json(json.dumps(items, indent=4).encode(), NEWS)


@FUZZ
@given(st.sampled_from([NEWS, DEEPDIVER]), st.data())
def test_fuzz_json_mutated_sample_bytes(name, data):
    raw = bytearray(sample(name))
    for _ in range(data.draw(st.integers(1, 5))):
        at = data.draw(st.integers(0, len(raw)))
        op = data.draw(st.sampled_from(["delete", "insert", "replace"]))
        if op == "delete":
            del raw[at:at + data.draw(st.integers(1, 50))]
        elif op == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=10)
                                   | st.sampled_from([b'"', b",", b"]", b"}", b"null",
                                                      b"{}", b"[]", b"\\u", b"\n", b"1e999"]))
        elif at < len(raw):
            raw[at] = data.draw(st.integers(0, 255))
    check_json(bytes(raw), name)


# ---------------------------------------------------------------- Atom: samples

def test_atom_sample_parses():
    listings = read_atom(sample(ATOM_SAMPLE), ATOM_SAMPLE)
    assert len(listings) == 5
    assert [x.line for x in listings] == [10, 37, 57, 72, 106]
    assert [x.arxiv_id for x in listings] == [
        "2606.13677", "2606.13591", "2606.13568", "2606.13515", "2606.13501"]
    assert [x.category for x in listings] == ["cs.RO", "cs.AI", "cs.LG", "cs.CV", "cs.DC"]
    lines = sample(ATOM_SAMPLE).decode().split("\n")
    assert all(lines[x.line - 1].strip() == "<entry>" for x in listings)


def test_atom_golden_entry():
    listing = read_atom(sample(ATOM_SAMPLE), ATOM_SAMPLE)[2]
    assert listing == Listing(
        title="Adjusted Cup-Product Neural Layer",
        abstract=(
            "Many important observables in physics and geometry are cup products of cochains. "
            "The adjusted cup product neural layer has been introduced in this paper. It is a "
            "neural primitive that hard wires the cup product with an adjustment term from "
            "higher gauge theory. This creates a readout that is gauge invariant by design. "
            "Their main theoretical result shows that on a closed cycle the output relies "
            "entirely on the adjustment coefficient. Setting this coefficient to zero removes "
            "the output completely regardless of other parameters. Thus the adjustment is the "
            "only source of gauge invariant signal. They prove this observable is a nonzero "
            "quadratic form and is exactly invariant under one and two gauge transformations."),
        date=dt.date(2026, 6, 11),  # no date in the file name: the entry's published date
        source=ATOM_SAMPLE,
        line=57,
        arxiv_id="2606.13568",
        upvotes=None,
        published=dt.date(2026, 6, 11),
        updated=dt.date(2026, 6, 11),
        authors=("Snigdha Chandan Khilar",),
        organization=None,
        github_repo=None,
        github_stars=None,
        project_page=None,
        ai_summary=None,
        ai_keywords=(),
        category="cs.LG",
        comments=None,
    )
    first = read_atom(sample(ATOM_SAMPLE), ATOM_SAMPLE)[0]
    assert first.authors == ("Zhao-Heng Yin", "Guanya Shi", "Pieter Abbeel", "C. Karen Liu")


def feed(*entries: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="{ATOM_NS}" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom">\n  <title>q</title>\n'
            + "".join(entries) + "</feed>\n")


def entry(id_="http://arxiv.org/abs/2606.13677v1", title="A Title", summary="An abstract.",
          published="2026-06-11T17:59:49Z", updated="2026-06-12T01:00:00Z", extra="") -> str:
    parts = ["  <entry>\n"]
    if id_ is not None:
        parts.append(f"    <id>{id_}</id>\n")
    if title is not None:
        parts.append(f"    <title>{title}</title>\n")
    if summary is not None:
        parts.append(f"    <summary>{summary}</summary>\n")
    if published is not None:
        parts.append(f"    <published>{published}</published>\n")
    if updated is not None:
        parts.append(f"    <updated>{updated}</updated>\n")
    parts.append(extra + "  </entry>\n")
    return "".join(parts)


def test_atom_fields_from_a_small_feed():
    [listing] = read_atom(feed(entry(
        id_="http://arxiv.org/abs/hep-th/9901001v2",
        title="Strings\n      and &amp; <![CDATA[Branes]]>",
        summary="\n  We show $\\mathcal{O}(d^2)$ and {\\it this}\n  holds.\n",
        extra='    <arxiv:primary_category term="hep-th"/>\n'
              "    <author><name> Ed\n Witten </name></author>\n"
              "    <author><name>Joe Polchinski</name></author>\n")))
    assert (listing.arxiv_id, listing.title, listing.abstract) == (
        "hep-th/9901001", "Strings and & Branes",
        "We show $\\mathcal{O}(d^2)$ and {\\it this} holds.")
    assert listing.authors == ("Ed Witten", "Joe Polchinski")
    assert (listing.category, listing.published, listing.updated, listing.line) == (
        "hep-th", dt.date(2026, 6, 11), dt.date(2026, 6, 12), 4)


def test_atom_day_is_file_name_date_before_published():
    [listing] = read_atom(feed(entry()), "2026-06-14-arxiv.xml")
    assert (listing.date, listing.published) == (dt.date(2026, 6, 14), dt.date(2026, 6, 11))


def test_atom_feed_without_entries_is_no_listings():
    assert read_atom(feed()) == []


# ---------------------------------------------------------------- Atom: errors

def test_atom_malformed_xml_keeps_line_and_column():
    with pytest.raises(DigestError) as exc:
        read_atom(feed(entry(title="A <b>bold</i> title")), "x.xml")
    assert str(exc.value) == (
        "x.xml:6: invalid XML: mismatched tag at column 23; fix the file there, or "
        f"{ATOM_REMEDY}")


def test_atom_truncated_sample():
    data = sample(ATOM_SAMPLE)[:3000]
    with pytest.raises(DigestError) as exc:
        read_atom(data, ATOM_SAMPLE)
    [(line, message)] = problems(exc)
    assert line == data.count(b"\n") + 1
    assert message.startswith("invalid XML: ")


def test_atom_empty_file():
    with pytest.raises(DigestError) as exc:
        read_atom(b"")
    assert problems(exc) == [(1, (
        "the file is empty; save the Atom response of export.arxiv.org/api/query into it, "
        "or remove it"))]


@pytest.mark.parametrize("text, found", [
    ('<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>', "<rss>"),
    ("\n<feed><entry/></feed>", "<feed>"),
    ('<feed xmlns="http://purl.org/rss/1.0/"/>', "<feed> in namespace http://purl.org/rss/1.0/"),
])
def test_atom_not_an_atom_feed(text, found):
    with pytest.raises(DigestError) as exc:
        read_atom(text, "x.xml")
    assert problems(exc) == [(2 if text.startswith(("<?", "\n")) else 1, (
        f'expected an Atom feed (<feed xmlns="{ATOM_NS}">) from the arXiv API, but the root '
        f"element is {found}; {ATOM_REMEDY}"))]


def test_atom_reports_every_entry_problem_at_once():
    text = feed(entry(), entry(id_=None), entry(title=" ", summary=None),
                entry(id_="https://example.org/paper/1", published="June 11"))
    with pytest.raises(DigestError) as exc:
        read_atom(text, "x.xml")
    assert problems(exc) == [
        (11, f"the entry has no <id>; every arXiv API entry has one, so {ATOM_REMEDY}"),
        (17, f"the entry's <title> is empty; write the paper's title there, or {ATOM_REMEDY}"),
        (17, f"the entry has no <summary>; every arXiv API entry has one, so {ATOM_REMEDY}"),
        (23, "the entry's <id> 'https://example.org/paper/1' is not an arXiv abstract URL such "
             f"as http://arxiv.org/abs/2606.13677v1; correct it, or {ATOM_REMEDY}"),
        (23, "the entry's <published> 'June 11' is not a timestamp such as "
             f"2026-06-11T17:59:49Z; correct it, or {ATOM_REMEDY}"),
    ]


def test_atom_entry_without_any_date():
    with pytest.raises(DigestError) as exc:
        read_atom(feed(entry(published=None)), "arxiv.xml")
    assert problems(exc) == [(4, (
        "the entry has no <published> date and the file name does not start with one; "
        "start the file name with the digest day, e.g. 2026-06-12-arxiv.xml"))]
    [listing] = read_atom(feed(entry(published=None)), "2026-06-12-arxiv.xml")
    assert (listing.date, listing.published) == (dt.date(2026, 6, 12), None)


def test_atom_api_error_feed_reports_its_message():
    text = feed(entry(id_="http://arxiv.org/api/errors#incorrect_id_format_for_1234.1234v5",
                      title="Error", summary="incorrect id format for 1234.1234v5"))
    with pytest.raises(DigestError) as exc:
        read_atom(text, "x.xml")
    assert problems(exc) == [(4, (
        "this is an arXiv API error, not a result: 'incorrect id format for 1234.1234v5'; "
        "fix the query and download the feed again"))]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE feed [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol3;</title></entry></feed>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2606.13677v1</id>
<title>&xxe;</title><summary>s</summary><published>2026-06-11T00:00:00Z</published></entry>
</feed>"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, XXE])
def test_atom_refuses_doctype_and_entities(text):
    with pytest.raises(DigestError) as exc:
        read_atom(text, "x.xml")
    assert problems(exc) == [(2, (
        "the XML contains a <!DOCTYPE> declaration, which is refused for safety and never "
        f"appears in arXiv API feeds; {ATOM_REMEDY}"))]
    assert "root:" not in str(exc.value)


def test_atom_undeclared_entity_is_invalid_xml():
    with pytest.raises(DigestError) as exc:
        read_atom(feed(entry(title="&xxe;")), "x.xml")
    assert problems(exc) == [(6, (
        f"invalid XML: undefined entity at column 12; fix the file there, or {ATOM_REMEDY}"))]


def test_atom_not_utf8():
    with pytest.raises(DigestError) as exc:
        read_atom(b"\xff\xfe<\x00f\x00", "x.xml")
    assert problems(exc) == [(1, "the file is encoded as UTF-16, not UTF-8; re-save it as "
                                 "UTF-8")]


# ---------------------------------------------------------------- Atom: fuzz

def check_atom(data: bytes, name: str = "fuzz.xml") -> None:
    try:
        out = atom.read(SourceFile(name, data))
    except DigestError as exc:
        assert exc.problems and all(isinstance(p, Problem) and p.message for p in exc.problems)
        str(exc).encode("utf-8")  # printable: no lone surrogates leak into messages
        return
    assert isinstance(out, list)
    for listing in out:
        assert isinstance(listing, Listing)
        assert listing.title and listing.abstract and listing.line >= 1


@FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_atom_arbitrary_bytes(data):
    check_atom(data)


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' \n&;#x!?[]abefnrtyid:")) | st.characters(),
               max_size=300))
def test_fuzz_atom_xmlish_text(text):
    check_atom(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.data())
def test_fuzz_atom_mutated_sample(data):
    raw = bytearray(sample(ATOM_SAMPLE))
    for _ in range(data.draw(st.integers(1, 5))):
        at = data.draw(st.integers(0, len(raw)))
        op = data.draw(st.sampled_from(["delete", "insert", "replace"]))
        if op == "delete":
            del raw[at:at + data.draw(st.integers(1, 80))]
        elif op == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=10) | st.sampled_from([
                b"<", b">", b"</entry>", b"<entry>", b"<id>", b"</id>", b"&amp;", b"&x;",
                b"<title/>", b"<!DOCTYPE x>", b"]]>", b"<![CDATA[", b"\xc3"]))
        elif at < len(raw):
            raw[at] = data.draw(st.integers(0, 255))
    check_atom(bytes(raw), ATOM_SAMPLE)


@FUZZ
@given(st.data())
def test_fuzz_atom_mutated_entry_fields(data):
    values = st.text(max_size=30).map(
        lambda s: s.replace("&", "&amp;").replace("<", "&lt;")) | st.sampled_from([
            "http://arxiv.org/abs/2606.1v1", "http://arxiv.org/api/errors#x", "", " ",
            "2026-13-40T00:00:00Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
    fields = {k: data.draw(st.none() | values) for k in
              ("id_", "title", "summary", "published", "updated")}
    check_atom(feed(entry(**fields)).encode("utf-8", "surrogatepass"),
               data.draw(st.sampled_from(["x.xml", "2026-06-12-x.xml"])))
