"""overrides/compact_html.py: the templates' indentation leaves every page, and nothing a
reader sees changes."""

from __future__ import annotations

import importlib.util
import re

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("compact_html", ROOT / "overrides/compact_html.py")
compact_html = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compact_html)

PAPER = "evolving-spiking-neural-networks-to-mimic-pid-control-for-autonomous-blimps"
SHOWN = re.compile(r"<(pre|textarea|script|style|code|kbd)\b.*?</\1\s*>", re.S | re.I)


def test_indentation_goes_and_whitespace_that_shows_stays():
    html = ("<div>\n    <p>a\n      b  \n\n  c</p>\n  <PRE><code>x\n    y\n</code></PRE>\n"
            "  <code>a  \n  b</code> <kbd> k\n </kbd><script>\n  var a;\n</script>\n"
            "  <textarea>\n  t</textarea>\n</div>\n")
    assert compact_html.compact(html) == (
        "<div>\n<p>a\nb\nc</p>\n<PRE><code>x\n    y\n</code></PRE>\n"
        "<code>a  \n  b</code> <kbd> k\n </kbd><script>\n  var a;\n</script>\n"
        "<textarea>\n  t</textarea>\n</div>\n")


def test_built_pages_have_no_indented_line_outside_code(built_site):
    page = (built_site / f"site/papers/{PAPER}/index.html").read_text("utf-8")
    assert not re.search(r"\n[ \t]", SHOWN.sub("", page))
    # The BibTeX entry keeps its layout: its fields stay indented under "@misc{".
    cite = page.split('<h2 id="cite"', 1)[1].split("</pre>", 1)[0]
    assert re.search(r'\n<span class="w">  </span><span class="na">title</span>', cite)
