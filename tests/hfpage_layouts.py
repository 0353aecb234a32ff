"""Write the page-copy layout fixtures and their expected listings.

Each layout is built from papers whose extras are known, so the expected listing says what
the copy means, not what the reader happens to return. Run after changing a layout:

    python -m tests.hfpage_layouts
"""

from __future__ import annotations

from pathlib import Path

import yaml

FOLDER = Path(__file__).parent / "fixtures" / "hfpage_layouts"
HEADER = ["new", "Get trending papers in your email inbox!", "Subscribe", "Daily Papers",
          "byAK and the research community"]
_WORDS = ("We study how networks of spiking neurons learn sparse codes from natural images "
          "and show that local learning rules reach competitive accuracy while using far less "
          "energy than conventional networks of comparable size on standard benchmarks.")

PAPERS = [
    dict(title="Sparse Codes in Spiking Networks", upvotes=42, author_count=5,
         published="2025-03-10", comments=3, submitted_by="akhaliq"),
    dict(title="Diffusion Models for Protein Design", upvotes=None, organization="Meta AI",
         published="2025-02-27", comments=None, submitted_by=None),
    dict(title="Scaling Laws for Event Cameras", upvotes=7, author_count=1,
         published="2025-03-09", comments=12, submitted_by="taesiri"),
    dict(title="Attention Is Not All You Need: 42 Ways", upvotes=0, organization="Google DeepMind",
         published="2025-03-11", comments=None, submitted_by=None),
]


def abstract(n: int) -> str:
    return f"Paper {n}. {_WORDS}"


def extras(p: dict, *, dot: str, comments: str, submitted: str, who: bool = True) -> list[str]:
    """One paper's extras as a copy shows them."""
    out = ["-" if p["upvotes"] is None else str(p["upvotes"])]
    if who:
        out.append(f"{p['author_count']} authors" if p.get("author_count") else p["organization"])
    if p["submitted_by"] and submitted == "one line":
        out.append(f"Submitted by {p['submitted_by']}")
    elif p["submitted_by"] and submitted == "two lines":
        out += ["Submitted by", p["submitted_by"]]
    month_day = _month_day(p["published"])
    out += [f"· {month_day}"] if dot == "same line" else ["·", month_day]
    if p["comments"] is not None:
        out.append(str(p["comments"]) if comments == "bare" else f"{p['comments']} comments")
    return out


def _month_day(iso: str) -> str:
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{months[m - 1]} {d}" + (", 2025" if (m, d) == (2, 27) else "")


def layout(sides: list[str], header: list[str] = HEADER, after_date: tuple = (),
           **style) -> tuple[list[str], list[dict]]:
    """A copy whose paper n has its extras on sides[n] ('before', 'after' or 'none')."""
    lines = [*header, "Mar 11", *after_date]
    expected = []
    for n, (p, side) in enumerate(zip(PAPERS, sides)):
        block = extras(p, **style) if side != "none" else []
        if side == "before":
            lines += block
        title_line = len(lines)
        lines += [p["title"], abstract(n)]
        if side == "after":
            lines += block
        expected.append(_expected(p, n, side, style, title_line))
    return lines, expected


def _expected(p: dict, n: int, side: str, style: dict, index: int) -> dict:
    has = side != "none"
    who = style.get("who", True) and has
    return {
        "title": p["title"], "abstract": abstract(n),
        # Lines are written two apart (a blank line between), counted from 1.
        "line": 2 * index + 1,
        "upvotes": p["upvotes"] if has else None,
        "author_count": p.get("author_count") if who else None,
        "organization": p.get("organization") if who else None,
        "submitted_by": p["submitted_by"] if has and style["submitted"] != "none" else None,
        "published": p["published"] if has else None,
        "comments": p["comments"] if has else None,
    }


BASE = dict(dot="same line", comments="bare", submitted="none")
LAYOUTS = {
    "extras-after": layout(["after"] * 4, **BASE),
    "extras-before": layout(["before"] * 4, **{**BASE, "dot": "next line"}),
    "mixed-orders": layout(["before", "after", "after", "before"], **BASE),
    "no-who-line-comment-words": layout(["after"] * 4, **{**BASE, "comments": "words",
                                                            "who": False}),
    "submitted-by-one-line": layout(["after"] * 4, **{**BASE, "submitted": "one line"}),
    "submitted-by-two-lines-before": layout(["before"] * 4, **{**BASE, "submitted": "two lines",
                                                               "dot": "next line"}),
    "unseen-banners": layout(["after"] * 4, header=[
        "Sign in", "🔥 Join 40,000 researchers reading papers every day", "Papers of the day",
        "Curated by the community, ranked by upvotes"], **BASE),
    "trending-tabs": layout(["before"] * 4, header=[*HEADER, "Daily", "Weekly", "Monthly",
                                                    "Trending"], **BASE),
    "tabs-after-the-date": layout(["after"] * 4, after_date=("Daily", "Weekly", "Monthly"),
                                  **BASE),
    "some-papers-without-extras": layout(["after", "none", "after", "none"], **BASE),
    "plain": layout(["none"] * 4, **BASE),
}


def main() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for name, (lines, expected) in LAYOUTS.items():
        (FOLDER / f"2025-03-11-{name}.txt").write_text("\n\n".join(lines) + "\n", "utf-8")
        (FOLDER / f"2025-03-11-{name}.yml").write_text(
            yaml.safe_dump(expected, sort_keys=False, allow_unicode=True, width=100), "utf-8")


if __name__ == "__main__":
    main()
