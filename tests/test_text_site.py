"""Faithful text in the built sample site: no LaTeX leftovers, every URL a clean link."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import frontmatter

from conftest import GOLDEN, GOLDEN_PAPERS, ROOT

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


# Every URL in the bundled page copies, written out by hand: without its sentence's
# punctuation, and a trailing slash or '.git' kept where the copy has one.
SAMPLE_URLS = {
    "https://brain-3d.github.io/",
    "https://clearbuds.cs.washington.edu",
    "https://embodied-codebook.github.io",
    "https://foundation-model-research.github.io/NeuronPath/",
    "https://github.com/ArieSeirack/DHVT",
    "https://github.com/BICLab/Spike-Driven-Transformer-V2",
    "https://github.com/Brain-Cog-Lab/IEMF",
    "https://github.com/BryceZhuo/PolyCom",
    "https://github.com/ChangyuanWang17/QVLM",
    "https://github.com/ChenhongyiYang/PlainMamba",
    "https://github.com/FengleiFan/ReLinear",
    "https://github.com/LeavesLei/activation-code",
    "https://github.com/MahdiTabassian/Deep-Clutter-Filtering/tree/main",
    "https://github.com/RAIVNLab/MRL",
    "https://github.com/Thvnvtos/SNN-delays",
    "https://github.com/YulongBonjour/See_Through_Their_Minds",
    "https://github.com/bollossom/QSD-Transformer",
    "https://github.com/cambridge-mlg/RECOMBINER/",
    "https://github.com/danjacobellis/MPQ",
    "https://github.com/dyballa/dynamic-connectomes",
    "https://github.com/edmav4/BiPer",
    "https://github.com/eleGAN23/HyperNets",
    "https://github.com/gidariss/FeatureLearningRotNet",
    "https://github.com/haochen-rye/HNeRV",
    "https://github.com/harshays/inputgradients",
    "https://github.com/ihaeyong/PFNR.git",
    "https://github.com/ilabcode/pyhgf",
    "https://github.com/jacobdunefsky/transcoder_circuits",
    "https://github.com/kamanphoebe/m2mKD",
    "https://github.com/megvii-research/AAAI2023-PVD",
    "https://github.com/microsoft/Swin-Transformer",
    "https://github.com/ml-jku/hopfield-layers",
    "https://github.com/okojoalg/raft-mlp",
    "https://github.com/qiuzh20/EMoE",
    "https://github.com/ridgerchu/SpikeGPT",
    "https://github.com/taufeeque9/codebook-features",
    "https://github.com/wzwvv/DBConformer",
    "https://github.com/xiaosu-zhu/McQuic",
    "https://github.com/zeyuliu1037/LMUFormer.git",
    "https://haochen-rye.github.io/HNeRV",
    "https://hiss-csp.github.io",
    "https://md-splatting.github.io/",
    "https://monai.io/research/swin-unetr",
    "https://robonerf.github.io",
    "https://sites.google.com/view/lavca-llm/",
    "https://subhajitmaity.me/KArAt",
    "https://ut-sysml.org/walloc",
    "https://www.ee.ub.edu/cartnet",
}


def test_no_page_shows_latex_leftovers(built_site):
    # The BibTeX block is code, where "\%" is the right spelling; prose is checked.
    pages = sorted((built_site / "site").rglob("*.html"))
    assert len(pages) > sum(1 for _ in GOLDEN.rglob("*.md"))  # every page, and the tags page
    for path in pages:
        text = " ".join(read(path).text)
        assert not [m for m in LEFTOVERS if m in text], path


def test_the_samples_really_hold_the_leftovers():
    # Otherwise the test above would pass for want of input.
    raw = "".join(p.read_text("utf-8") for p in (ROOT / "sources").glob("*.txt"))
    assert all(m in raw for m in LEFTOVERS)


def test_every_sample_url_is_a_link_without_trailing_punctuation(built_site):
    raw = "".join(p.read_text("utf-8") for p in (ROOT / "sources").glob("*.txt"))
    assert [u for u in SAMPLE_URLS if u not in raw] == []
    # None left out: one URL for each distinct "http..." word of the copies.
    assert len(set(re.findall(r"https?://\S+", raw))) == len(SAMPLE_URLS)
    urls = SAMPLE_URLS
    hrefs: set[str] = set()
    for path in (built_site / "site/papers").rglob("index.html"):
        hrefs.update(read(path).hrefs)
    assert sorted(urls - hrefs) == []


def test_code_links_are_in_front_matter_and_a_button(built_site):
    pages = {p.stem: frontmatter.load(p) for p in (built_site / "content/papers").glob("*.md")}
    with_code = {slug: meta for slug, meta in pages.items() if meta["links"].get("code")}
    assert len(with_code) == sum(1 for p in GOLDEN_PAPERS.values() if p["links"].get("code"))
    for slug, meta in with_code.items():
        first = meta["links"]["code"][0]
        assert first.startswith(("https://", "http://"))
        html = (built_site / "site/papers" / slug / "index.html").read_text("utf-8")
        assert f'<a class="md-button" href="{first}" rel="noopener">Code' in html, slug
    # e.g. the codebook-features paper: its GitHub link, without the sentence's full stop.
    codebook = pages["codebook-features-sparse-and-discrete-interpretability-for-neural-networks"]
    assert codebook["links"]["code"] == ["https://github.com/taufeeque9/codebook-features"]
