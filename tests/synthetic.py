"""Synthetic page-copy sources: many papers over many days, for stress tests and benchmarks.

Deterministic for a given seed. Titles and abstracts are built from the phrases of the real
``topics.yml``, so papers are tagged the way real ones are; about a fifth of each day's
listings are papers an earlier day already listed, so deduplication has work to do.

    python -m tests.synthetic OUT_DIR --papers 2000 --days 40 --seed 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HEADER = ("new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
          "Daily Papers\n\nbyAK and the research community\n\n")
FIRST_DAY = dt.date(2025, 1, 6)
RELIST = 0.2  # share of a day's listings that repeat an earlier day's paper

_NAMES = ("Neuro", "Spike", "Proto", "Hyper", "Deep", "Sparse", "Fast", "Meta", "Dyna",
          "Flux", "Lumen", "Cortex", "Echo", "Orbit", "Prism", "Quanta", "Vector", "Delta")
_VERBS = ("Rethinking", "Scaling", "Understanding", "Towards", "Learning", "Revisiting",
          "Taming", "Unifying", "Probing", "Accelerating")
_TASKS = ("image classification", "robot control", "time series forecasting",
          "protein design", "visual question answering", "event cameras",
          "medical imaging", "weather prediction", "edge devices", "graph reasoning")
_FILLER = (
    "We evaluate the method on standard benchmarks and report consistent gains over strong "
    "baselines while using fewer parameters.",
    "Experiments across several datasets show that the approach is robust to noise and "
    "transfers to settings unseen during training.",
    "Our analysis explains when and why the proposed components help, and we release code "
    "and trained models to support further research.",
    "The resulting models match the accuracy of much larger networks at a fraction of the "
    "compute and memory cost.",
    "Ablation studies isolate the contribution of each design choice and reveal simple "
    "rules of thumb for practitioners.",
)


def vocabulary_phrases(topics: Path = ROOT / "topics.yml") -> list[str]:
    """Every phrase and word of the vocabulary, in file order."""
    data = yaml.safe_load(topics.read_text("utf-8"))
    return [p for topic in data["topics"].values()
            for p in (*topic.get("phrases", ()), *topic.get("words", ()))]


def _paper(rng: random.Random, n: int, phrases: list[str]) -> tuple[str, str]:
    a, b = rng.sample(phrases, 2)
    name = f"{rng.choice(_NAMES)}{rng.choice(_NAMES)}-{n}"  # the number keeps titles distinct
    title = f"{name}: {rng.choice(_VERBS)} {a} for {rng.choice(_TASKS)}"
    abstract = " ".join([
        f"We introduce {name}, a new approach that combines {a} with {b}.",
        f"Prior work on {a} struggles with {rng.choice(_TASKS)} because models must trade "
        "accuracy against efficiency.",
        *rng.sample(_FILLER, 3),
    ])
    return title, abstract


def sources(papers: int, days: int, seed: int = 0, first_day: dt.date = FIRST_DAY
            ) -> dict[str, str]:
    """``papers`` distinct papers listed over ``days`` consecutive days, as page copies."""
    rng = random.Random(seed)
    phrases = vocabulary_phrases()
    made = [_paper(rng, n, phrases) for n in range(1, papers + 1)]
    per_day = [len(chunk) for chunk in _split(papers, days)]
    out: dict[str, str] = {}
    start = 0
    for d, count in enumerate(per_day):
        day = first_day + dt.timedelta(days=d)
        todays = made[start:start + count]
        earlier = made[:start]
        if earlier:
            todays = todays + rng.sample(earlier, min(len(earlier), int(count * RELIST)))
            rng.shuffle(todays)
        start += count
        body = "".join(f"{title}\n\n{abstract}\n\n" for title, abstract in todays)
        out[f"{day.isoformat()}-hf-papers.txt"] = f"{HEADER}{day:%b} {day.day}\n\n{body}"
    return out


def next_day(papers: int, days: int, count: int, seed: int = 0) -> tuple[str, str]:
    """A page copy for the day after ``sources(papers, days, seed)`` ends, of ``count`` new
    papers (numbered after the others, so none repeats): its file name and text."""
    rng = random.Random(seed + 1)
    phrases = vocabulary_phrases()
    made = [_paper(rng, n, phrases) for n in range(papers + 1, papers + count + 1)]
    day = FIRST_DAY + dt.timedelta(days=days)
    body = "".join(f"{title}\n\n{abstract}\n\n" for title, abstract in made)
    return f"{day.isoformat()}-hf-papers.txt", f"{HEADER}{day:%b} {day.day}\n\n{body}"


def _split(total: int, parts: int) -> list[range]:
    size, extra = divmod(total, parts)
    out, at = [], 0
    for i in range(parts):
        n = size + (1 if i < extra else 0)
        out.append(range(at, at + n))
        at += n
    return out


def write(folder: Path, papers: int, days: int, seed: int = 0) -> list[Path]:
    """Write the sources into folder; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in sources(papers, days, seed).items():
        (folder / name).write_text(text, "utf-8")
        written.append(folder / name)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    paths = write(args.out, args.papers, args.days, args.seed)
    print(f"wrote {len(paths)} sources with {args.papers} papers to {args.out}")


if __name__ == "__main__":
    main()
