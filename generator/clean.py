"""Clean paper titles and abstracts: damaged LaTeX in, plain Unicode or safe Markdown out.

Hugging Face copies arXiv text with half-stripped LaTeX (``{\\it x}``, ``80.0\\%``,
``mathcal{O}(d^2)`` with its backslash gone, ``work~cite``).  That text is untrusted
data: :func:`plain` turns it into readable Unicode for titles, feeds and BibTeX, and
:func:`markdown` into a one-paragraph Markdown fragment in which every source
character renders literally, except the emphasis and http(s) links the rules make.

Both share one pipeline: links are found first (so no rule touches a URL), emphasis
groups are split off, then the rule tables below run in order on each piece of text.
Math is turned into plain Unicode (no MathJax); a stripped macro word is only
converted where its context shows it is math, so English words stay as they are.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from pylatexenc.latex2text import LatexNodes2Text, get_default_latex_context_db
from pylatexenc.latexwalker import get_default_latex_context_db as _walker_db

__all__ = ["code_urls", "markdown", "plain", "title_key", "urls"]

Replacement = str | Callable[[re.Match[str]], str]
Rule = tuple[str, re.Pattern[str], Replacement]

# --- private characters --------------------------------------------------------------
# A literal that no later rule may touch (from "\%", "\{", pylatexenc output ...) is
# shifted into plane 16; a found URL is replaced by one plane-15 character.  Input
# characters from those planes are replaced first, so they can never be forged.
_LITERAL_BASE = 0x100000
_URL_BASE = 0xF0000
_PRIVATE_PLANES = re.compile("[\U000f0000-\U0010ffff]")
_LITERAL = re.compile("[\U00100000-\U0010007f]")
# A URL's mark is two plane-15 characters (its index in base 65,536), so any number of
# URLs fits, and none strays into plane 16, where _lit's characters are.
_URL_MARK = re.compile("[\U000f0000-\U000fffff]{2}")
_SPECIALS = "\\{}_^~$%&#`'\"<>"


def _lit(text: str) -> str:
    """Protect TeX-special ASCII characters of text from all later rules."""
    return "".join(chr(_LITERAL_BASE + ord(c)) if c in _SPECIALS else c for c in text)


def _unlit(text: str) -> str:
    """Turn protected characters back into themselves."""
    return _LITERAL.sub(lambda m: chr(ord(m[0]) - _LITERAL_BASE), text)


_L_OPEN, _L_CLOSE = _lit("{"), _lit("}")

# --- URLs ----------------------------------------------------------------------------
_URL = re.compile(
    r"(?<![A-Za-z0-9+.\-])https?://"
    r"[^\s<>\"'`{}|\\^\[\]\u2000-\u206f\u3000-\u303f\uff00-\uffef\U000f0000-\U0010ffff]+",
    re.IGNORECASE,
)
_URL_TRAILING = ".,;:!?*'\""
_URL_HAS_HOST = re.compile(r"https?://[^\W_]", re.IGNORECASE)  # a host starts with one

_CODE_HOSTS = re.compile(
    r"https?://(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co|hf\.co|bitbucket\.org"
    r"|codeberg\.org)(?:[/?#:]|$)",
    re.IGNORECASE,
)
# Words before a link in its own sentence that make it a code link ("Code: URL").
_CODE_CUE = re.compile(
    r"\b(?:code(?:s|base)?|source|implementations?|repositor(?:y|ies)|repo|software"
    r"|librar(?:y|ies)|package|toolkit|toolbox)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?](?=\s)")
_GITHUB_REPO = re.compile(
    r"https?://(?:www\.)?github\.com/(?P<owner>[A-Za-z0-9-]+)/(?P<repo>[A-Za-z0-9._-]+?)"
    r"(?:\.git)?/?(?:/tree/[^/?#]+/?)?",
    re.IGNORECASE,
)


def _trim_url(url: str) -> str:
    """Drop punctuation that ends the sentence rather than the URL."""
    while url:
        if url[-1] in _URL_TRAILING:
            url = url[:-1]
        elif url[-1] == ")" and url.count(")") > url.count("("):
            url = url[:-1]
        else:
            break
    return url


def _find_urls(text: str) -> list[tuple[int, int, str]]:
    """Every valid http(s) URL in text as (start, end, url)."""
    found = []
    for m in _URL.finditer(text):
        url = _trim_url(m[0])
        if _URL_HAS_HOST.match(url):
            found.append((m.start(), m.start() + len(url), url))
    return found


# --- pylatexenc ----------------------------------------------------------------------
_LATEX_DB = get_default_latex_context_db()
_WALKER_DB = _walker_db()
_LATEX = LatexNodes2Text()


@functools.lru_cache(maxsize=4096)
def _arity(name: str) -> int:
    """How many mandatory brace arguments pylatexenc expects after \\name."""
    spec = _WALKER_DB.get_macro_spec(name)
    return spec.args_parser.argspec.count("{") if spec else 0


@functools.lru_cache(maxsize=4096)
def _latex(snippet: str) -> str:
    """Unicode for one isolated LaTeX macro snippet, as pylatexenc renders it."""
    # Bare %, $, & and # inside macro arguments are text here, not TeX syntax.
    snippet = re.sub(r"(?<!\\)([%$&#])", r"\\\1", snippet)
    try:
        return _LATEX.latex_to_text(snippet)
    except Exception:  # noqa: BLE001
        # Not only LatexWalkerError: odd nestings such as \url{\href{}} raise IndexError
        # inside pylatexenc. Whatever it cannot read stays as text.
        return snippet


@functools.lru_cache(maxsize=4096)
def _symbol(name: str) -> str:
    """The Unicode pylatexenc gives for the argument-less macro \\name."""
    return _latex("\\" + name)


# --- word lists for backslash-stripped math -------------------------------------------
_GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu"
    " nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega"
    " Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
).split()
# Macro names that are not English words: converted unless glued to lowercase letters
# ("HyperZcdotZ" yes, "anecdote" no).
_UNAMBIGUOUS = (
    "cdot cdots ldots leq geq neq infty rightarrow leftarrow Rightarrow Leftarrow"
    " leftrightarrow Leftrightarrow longrightarrow Longrightarrow mapsto nabla otimes oplus"
    " odot propto subseteq supseteq forall emptyset langle rangle hbar varepsilon vartheta"
    " varphi varrho varsigma varpi"
).split()
_BIG_OPERATORS = "sum prod int oint coprod bigcup bigcap bigoplus bigotimes".split()
# Names that may be glued into one word ("sigmaleft", "widetildeTheta").
_GLUABLE = sorted(set(_GREEK + _UNAMBIGUOUS + ["left", "right", "times", "circ", "ell"]),
                  key=len, reverse=True)
_COMBINING = {  # accent macro -> combining character
    "widetilde": "\u0303", "tilde": "\u0303", "widehat": "\u0302", "hat": "\u0302",
    "overline": "\u0305", "bar": "\u0304", "vec": "\u20d7", "dot": "\u0307",
    "ddot": "\u0308",
}
_FONTS = "mathcal mathbb mathbf mathrm mathit mathsf mathtt mathfrak mathscr boldsymbol".split()
_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_SUP = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
                "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ"))

# Real backslash macros pylatexenc renders badly or not at all.
_MACRO_TEXT = {
    "etc": "etc.", "ie": "i.e.", "eg": "e.g.", "etal": "et al.", "wrt": "w.r.t.",
    "vs": "vs.", "cf": "cf.", "iid": "i.i.d.", "LaTeX": "LaTeX", "TeX": "TeX",
    "checkmark": "✓", "S": "§", "copyright": "©", "euro": "€", "pounds": "£",
    "degree": "°", "textless": "<", "textgreater": ">", "neg": "¬", "arg": "arg",
    "it": "", "em": "", "bf": "", "sl": "", "rm": "", "sf": "", "tt": "", "sc": "",
    "itshape": "", "bfseries": "", "normalfont": "", "upshape": "", "small": "",
}
_MACRO_DROP = {"cite", "citep", "citet", "citealp", "ref", "eqref", "autoref", "label",
               "vspace", "hspace"}
_MACRO_LAST_ARG = {"textcolor", "colorbox", "href"}


def _alternation(names: list[str] | tuple[str, ...]) -> str:
    """A regex alternation of names, longest first so prefixes never win."""
    return "|".join(sorted(map(re.escape, names), key=len, reverse=True))


_GREEK_RE = _alternation(_GREEK)
_ARG = r"\{(?P<arg>(?:[^{}]|\{[^{}]*\})*)\}"  # one brace group, one level of nesting
_GROUP = re.compile(r"\{((?:[^{}]|\{[^{}]*\})*)\}")


def _script(text: str, table: dict[str, str], mark: str) -> str:
    """Unicode sub/superscript of text when every character has one, else mark+text."""
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    return mark + text


_MATH_WORD = re.compile(
    rf"(?<![A-Za-z])(?:{_alternation(_GREEK + _UNAMBIGUOUS + _BIG_OPERATORS)}|times|circ|ell)"
    rf"(?![A-Za-z])"
)


def _dollar_math(m: re.Match[str]) -> str:
    """Inside $...$ every whole-word macro name is math, whatever its neighbours."""
    return _MATH_WORD.sub(lambda w: _symbol(w[0]), m["body"])


def _accent(m: re.Match[str]) -> str:
    """Apply a combining accent macro to its (converted) argument."""
    mark = _COMBINING[m["macro"]]
    arg = m["arg"] if m["arg"] is not None else m["word"]
    arg = _clean_text(arg) if m["arg"] is not None else (
        _symbol(arg) if arg in _GREEK else arg)
    return arg[:1] + mark + arg[1:] if arg else ""


def _font(m: re.Match[str]) -> str:
    """\\mathcal{O}, mathcal O, mathbb R ... via pylatexenc's letter tables."""
    arg = m["arg"] if m["arg"] is not None else m["letter"]
    return _lit(_latex("\\%s{%s}" % (m["macro"], _unlit(_clean_text(arg)))))


def _plain_macro(m: re.Match[str]) -> str:
    """Stripped frac{a}{b}, sqrt{x}, text{x}, operatorname{x}."""
    args = "".join("{%s}" % _unlit(_clean_text(a)) for a in _GROUP.findall(m["args"]))
    return _lit(_latex("\\" + m["macro"] + args))


@functools.lru_cache(maxsize=4096)
def _split_glued(word: str) -> tuple[str, ...] | None:
    """Split word into known macro names, or None when it is not made only of them."""
    if not word:
        return ()
    for name in _GLUABLE:
        if word.startswith(name):
            rest = _split_glued(word[len(name):])
            if rest is not None:
                return (name, *rest)
    return None


def _glued(m: re.Match[str]) -> str:
    """'sigmaleft' -> 'σleft' (left/right are resolved by a later rule)."""
    if len(m[0]) > 40:  # no real formula glues more; keeps the search small
        return m[0]
    parts = _split_glued(m[0])
    # Two short names glued ("pieta") may be a real word; demand one long name.
    if not parts or len(parts) < 2 or max(map(len, parts)) < 4:
        return m[0]
    return "".join(p if p in ("left", "right") else _symbol(p) for p in parts)


def _backslash_macro(m: re.Match[str]) -> str:
    """A real \\macro with its brace arguments: our table, then pylatexenc, else its name."""
    name, args = m["name"], m["args"]
    if name in _MACRO_TEXT:
        return _MACRO_TEXT[name] + args
    if name in _MACRO_DROP:
        return ""
    if name in _MACRO_LAST_ARG:
        return _GROUP.findall(args)[-1] if args else ""
    if _LATEX_DB.get_macro_spec(name) is None or len(_GROUP.findall(args)) < _arity(name):
        return args if args else name  # unknown or incomplete: keep what a reader can use
    return _lit(_latex("\\" + name + _unlit(args)))


def _accent_char(m: re.Match[str]) -> str:
    return _lit(_latex(m[0]))


def _left_right(m: re.Match[str]) -> str:
    return m["open"] + m["body"] + m["close"]


def _tex_quote_pair(m: re.Match[str]) -> str:
    return "\u201c" + m["q"] + "\u201d"


def _tex_single_pair(m: re.Match[str]) -> str:
    return "\u2018" + m["q"] + "\u2019"


# --- the rule tables -----------------------------------------------------------------
# Each table is applied top to bottom with re.sub; order matters and is commented.

# 1. Real backslash macros, before anything that would look at their names.
_BACKSLASH_RULES: tuple[Rule, ...] = (
    ("escaped special", re.compile(r"\\([%&_#${}])"), lambda m: _lit(m[1])),
    ("line break / control space", re.compile(r"\\\\|\\(?=\s)"), " "),
    ("math spacing", re.compile(r"\\[,;:> ]"), " "),
    ("negative space", re.compile(r"\\!"), ""),
    ("math delimiters \\( \\) \\[ \\]", re.compile(r"\\[()\[\]]"), ""),
    ("paper shorthand (\\etc.)", re.compile(
        r"\\(?P<n>etc|etal|ie|eg|wrt|vs|cf|iid)(?![A-Za-z])\.?"), lambda m: _MACRO_TEXT[m["n"]]),
    ("accent \\\"o \\'e \\c{c}", re.compile(
        r"\\[\"'`^~=.]\s*(?:\{[A-Za-z]?\}|[A-Za-z])|\\[cvuHkrdbt]\{[A-Za-z]?\}"), _accent_char),
)

# 2. Macros that work with or without their backslash, and other stripped math.
_MATH_RULES: tuple[Rule, ...] = (
    ("$...$ math", re.compile(
        r"\$(?P<body>(?=[^$]*[A-Za-z\\^_{=])[^\s$](?:[^$]{0,200}[^\s$])?)\$"), _dollar_math),
    ("degrees ^circ", re.compile(r"\^\{?\\?circ\}?"), "°"),
    ("accent widetilde X", re.compile(
        rf"(?<![A-Za-z])\\?(?P<macro>widetilde|widehat|overline|(?:tilde|hat|bar|vec|dot|ddot)"
        rf"(?=\s*\{{))\s*(?:{_ARG}|\\?(?P<word>{_GREEK_RE}|[A-Za-z](?![a-z])))"), _accent),
    ("font mathcal{O} / mathcal O", re.compile(
        rf"(?<![A-Za-z])\\?(?P<macro>{_alternation(_FONTS)})"
        rf"(?:\s*{_ARG}|\s*(?P<letter>[A-Za-z])(?![A-Za-z]))"), _font),
    ("frac{a}{b}", re.compile(
        r"(?<![A-Za-z])\\?(?P<macro>frac|dfrac|tfrac)(?P<args>(?:\{(?:[^{}]|\{[^{}]*\})*\}){2})"),
     _plain_macro),
    ("sqrt{x} text{x}", re.compile(
        r"(?<![A-Za-z])\\?(?P<macro>sqrt|operatorname|textrm|textnormal|text)"
        r"(?P<args>\{(?:[^{}]|\{[^{}]*\})*\})"), _plain_macro),
    ("real \\macro{args}", re.compile(
        r"\\(?P<name>[A-Za-z]+)\*?(?P<args>(?:\s*\{(?:[^{}]|\{[^{}]*\})*\}){0,2})"),
     _backslash_macro),
    ("glued names sigmaleft", re.compile(
        rf"(?<![A-Za-z])(?:{_alternation(_GLUABLE)})[A-Za-z]*(?![A-Za-z])"), _glued),
    ("unambiguous name", re.compile(
        rf"(?<![a-z])(?:{_alternation(_UNAMBIGUOUS)})(?![a-z])"), lambda m: _symbol(m[0])),
    ("greek before _ ^ {{ ( or =", re.compile(
        rf"(?<![A-Za-z])(?:{_GREEK_RE})(?=[_^{{(]|\s*[=<>])|(?<=\d)(?:{_GREEK_RE})(?![A-Za-z])"),
     lambda m: _symbol(m[0])),
    ("big operator sum_j", re.compile(
        rf"(?<![A-Za-z])(?:{_alternation(_BIG_OPERATORS)})(?=[_^])"), lambda m: _symbol(m[0])),
    ("ell_1 partial_x", re.compile(r"(?<![A-Za-z])(?:ell|partial)(?=[_^{(])"),
     lambda m: _symbol(m[0])),
    ("micro unit 5 muJ", re.compile(
        r"(?:(?<=\d)|(?<=\d )|(?<=\}))mu(?=[JsmWAVgLFCM]?(?![A-Za-z]))"), "μ"),
    ("1times 60, 2 times 3", re.compile(r"(?<=\d)times(?![A-Za-z])|(?<=\d )times(?= \d)"), "×"),
    ("x pm y", re.compile(r"(?<=\d)(?P<s>\s?)pm(?=\s?\d)"), r"\g<s>±"),
    ("approx 5", re.compile(r"(?<![A-Za-z])approx(?= ?\d)"), "≈"),
    ("g circ p", re.compile(r"(?<![A-Za-z])circ(?![A-Za-z.])"), "∘"),
    ("left( ... right)", re.compile(
        rf"(?<![A-Za-z])left\s*(?P<open>[(\[|]|{_L_OPEN})"
        rf"(?P<body>(?:(?!left\s*[(\[|]).){{0,300}}?)"
        rf"(?<![A-Za-z])right\s*(?P<close>[)\]|]|{_L_CLOSE})"), _left_right),
    ("}right)", re.compile(r"(?<=\})right(?=[)\]|])"), ""),
)

# 3. Scripts, quotes, ties and grouping braces: plain-text TeX conventions.
_TEXT_RULES: tuple[Rule, ...] = (
    ("subscript _{ij}", re.compile(r"(?<=\S)_\{(?P<x>[^{}]*)\}"),
     lambda m: _script(m["x"], _SUB, "_")),
    ("subscript _1", re.compile(r"(?<=[^\s_])_(?P<x>[A-Za-z0-9])(?![A-Za-z0-9])"),
     lambda m: _script(m["x"], _SUB, "_")),
    ("superscript ^{-5}", re.compile(r"(?<=\S)\^\{(?P<x>[^{}]*)\}"),
     lambda m: _script(m["x"], _SUP, "^")),
    ("superscript ^2", re.compile(r"(?<=[^\s^])\^(?P<x>[A-Za-z0-9+\-])(?![A-Za-z0-9])"),
     lambda m: _script(m["x"], _SUP, "^")),
    ("``quote'' or ``quote\"", re.compile(r"``(?P<q>[^`'\"]{0,300}?)(?:''|\")"), _tex_quote_pair),
    ("lone ``", re.compile(r"``"), "\u201c"),
    ("lone ''", re.compile(r"''"), "\u201d"),
    ("`quote'", re.compile(r"`(?P<q>[^`'\s][^`']{0,200}?)'(?![A-Za-z])"), _tex_single_pair),
    ("tie ~ (not ~5 'about')", re.compile(r"~(?!\d)"), " "),
    ("grouping braces", re.compile(r"[{}]"), ""),
)

_RULE_TABLES = (_BACKSLASH_RULES, _MATH_RULES, _TEXT_RULES)

# Text a rule cannot match without: one of these substrings. A substring test costs a
# fraction of a regex pass, and most abstracts hold no TeX at all, so most rules are
# skipped (at 50,000 papers the passes were a quarter of generate). Rules not named
# here always run. tests/test_clean.py checks that skipping never changes a result.
_NEEDS: dict[str, tuple[str, ...]] = {
    **{name: ("\\",) for name, _p, _r in _BACKSLASH_RULES},
    "$...$ math": ("$",),
    "degrees ^circ": ("circ",),
    # tilde, hat, bar, vec, dot and ddot count only before a brace.
    "accent widetilde X": ("widetilde", "widehat", "overline", "{"),
    "font mathcal{O} / mathcal O": ("math", "boldsymbol"),
    "frac{a}{b}": ("frac",),
    "sqrt{x} text{x}": ("{",),
    "real \\macro{args}": ("\\",),
    "big operator sum_j": ("_", "^"),
    "ell_1 partial_x": ("_", "^", "{", "("),
    "micro unit 5 muJ": ("mu",),
    "1times 60, 2 times 3": ("times",),
    "x pm y": ("pm",),
    "approx 5": ("approx",),
    "g circ p": ("circ",),
    "left( ... right)": ("left",),
    "}right)": ("right",),
    "subscript _{ij}": ("_{",),
    "subscript _1": ("_",),
    "superscript ^{-5}": ("^{",),
    "superscript ^2": ("^",),
    "``quote'' or ``quote\"": ("``",),
    "lone ``": ("``",),
    "lone ''": ("''",),
    "`quote'": ("`",),
    "tie ~ (not ~5 'about')": ("~",),
    "grouping braces": ("{", "}"),
}
_RULES = tuple((_NEEDS.get(name), pattern, replacement)
               for table in _RULE_TABLES for name, pattern, replacement in table)


def _clean_text(text: str) -> str:
    """Run every rule table over one piece of text (URLs already stashed)."""
    for needs, pattern, replacement in _RULES:
        if needs is None or any(s in text for s in needs):
            text = pattern.sub(replacement, text)
    return text


# --- segmentation --------------------------------------------------------------------
@dataclass(frozen=True)
class _Segment:
    kind: str  # "text", "em", "strong" or "url"
    text: str


_STYLE_OPEN = re.compile(
    r"\{\s*\\(?P<decl>it|itshape|em|emph|sl|slshape|bf|bfseries)(?![A-Za-z])\s*"
    r"|(?:\\|(?<![A-Za-z]))(?P<cmd>emph|textit|textsl|textbf)\s*\{"
)
_STRONG = {"bf", "bfseries", "textbf"}
_STYLES = ("em", "strong")
_URL_WRAPPERS: tuple[Rule, ...] = (
    ("\\url{X}", re.compile(r"(?<![A-Za-z])\\?url\{(?P<u>https?://[^{}\s]+)\}"), r"\g<u>"),
    ("\\href{X}{Y}", re.compile(
        r"(?<![A-Za-z])\\?href\{(?P<u>https?://[^{}\s]+)\}\{(?P<t>[^{}]*)\}"), r"\g<t> (\g<u>)"),
    ("X{X} left by a stripped \\href", re.compile(r"(https?://[^\s{}]+)\{\1\}"), r"\1"),
)


_CONTROL_SPACE = re.compile("[\t\n\x0b\x0c\r\x1c-\x1f\x85]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def _sanitize(text: str) -> str:
    """NFC, no control or private-plane characters; whitespace controls become spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _PRIVATE_PLANES.sub("\ufffd", text)
    # The C0/C1 controls (category Cc): whitespace ones become spaces, the rest go.
    return _CONTROL.sub("", _CONTROL_SPACE.sub(" ", text))


def _url_mark(index: int) -> str:
    return chr(_URL_BASE + index // 0x10000) + chr(_URL_BASE + index % 0x10000)


def _url_index(mark: str) -> int:
    return (ord(mark[0]) - _URL_BASE) * 0x10000 + ord(mark[1]) - _URL_BASE


def _stash_urls(text: str) -> tuple[str, list[str]]:
    """Replace each URL by a private mark so no rule can alter it."""
    found = _find_urls(text)
    out, last = [], 0
    for i, (start, end, url) in enumerate(found):
        out += [text[last:start], _url_mark(i)]
        last = end
    out.append(text[last:])
    return "".join(out), [url for _s, _e, url in found]


# "{{ x }}", "{% x %}" and "{# x #}" are template syntax, never TeX grouping: an abstract
# about Jinja or Liquid must show them as written, so the whole tag is kept literally.
_TEMPLATE_TAG = re.compile(r"\{\{.{0,300}?\}\}|\{%.{0,300}?%\}|\{#.{0,300}?#\}|\{\{|\{%|\{#",
                           re.DOTALL)


def _protect_template_tags(text: str) -> str:
    return _TEMPLATE_TAG.sub(lambda m: _lit(m[0]), text)


def _protect_unmatched_braces(text: str) -> str:
    """Braces without a partner are literal text, not TeX grouping."""
    if "{" not in text and "}" not in text:
        return text
    chars, stack = list(text), []
    for i, c in enumerate(chars):
        if i and chars[i - 1] == "\\":
            continue  # \{ and \} are handled as escapes
        if c == "{":
            stack.append(i)
        elif c == "}":
            if stack:
                stack.pop()
            else:
                chars[i] = _L_CLOSE
    for i in stack:
        chars[i] = _L_OPEN
    return "".join(chars)


def _closing_brace(text: str, open_at: int) -> int | None:
    """Index of the brace closing the one at open_at (all braces here are balanced)."""
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "{" and text[i - 1:i] != "\\":
            depth += 1
        elif text[i] == "}" and text[i - 1:i] != "\\":
            depth -= 1
            if depth == 0:
                return i
    return None


def _split_styles(text: str) -> list[tuple[str, str]]:
    """Split off {\\it x}, \\emph{x}, \\textbf{x} ... groups as ("em"|"strong", inner)."""
    parts, pos = [], 0
    while m := _STYLE_OPEN.search(text, pos):
        open_at = m.start() if m["decl"] else m.end() - 1
        close = _closing_brace(text, open_at)
        if close is None:
            break
        macro = m["decl"] or m["cmd"]
        parts += [("text", text[pos:m.start()]),
                  ("strong" if macro in _STRONG else "em", text[m.end():close])]
        pos = close + 1
    parts.append(("text", text[pos:]))
    return parts


# plain() and markdown() both need an abstract's segments, in several stages of a run,
# some in worker processes: a dict, not an lru_cache, so that what a worker cleaned can be
# handed to the parent (``cleaned``, ``remember``) and from it to the next workers.
_SEGMENTS: dict[str, tuple[_Segment, ...]] = {}


def _segments(text: str) -> tuple[_Segment, ...]:
    """The cleaned text as text, emphasis and URL segments."""
    found = _SEGMENTS.get(text)
    if found is None:
        found = _SEGMENTS[text] = _segments_of(text)
    return found


def cleaned(*texts: str) -> tuple[tuple[str, tuple[_Segment, ...]], ...]:
    """What cleaning these texts gave, for ``remember`` in another process."""
    return tuple((text, _segments(text)) for text in texts)


def remember(found: tuple[tuple[str, tuple[_Segment, ...]], ...]) -> None:
    """Take what ``cleaned`` gave in another process: these texts are not cleaned again."""
    _SEGMENTS.update(found)


def _segments_of(text: str) -> tuple[_Segment, ...]:
    text = _sanitize(text)
    for _name, pattern, replacement in _URL_WRAPPERS:
        text = pattern.sub(replacement, text)
    text, found = _stash_urls(text)
    text = _protect_unmatched_braces(_protect_template_tags(text))

    def restore_urls(s: str) -> str:
        return _URL_MARK.sub(lambda m: found[_url_index(m[0])], s)

    raw: list[_Segment] = []
    for kind, chunk in _split_styles(text):
        cleaned = _clean_text(chunk)
        if kind != "text":
            raw.append(_Segment(kind, restore_urls(cleaned)))
            continue
        for piece in re.split(f"({_URL_MARK.pattern})", cleaned):
            if _URL_MARK.fullmatch(piece):
                raw.append(_Segment("url", found[_url_index(piece)]))
            elif piece:
                raw.append(_Segment("text", piece))
    return tuple(_normalize_segments(raw))


def _normalize_segments(raw: list[_Segment]) -> list[_Segment]:
    """Collapse whitespace, keep spaces outside emphasis, merge neighbours, NFC."""
    merged: list[_Segment] = []

    def add(kind: str, text: str) -> None:
        if not text:
            return
        if merged and merged[-1].kind == kind and kind != "url":
            merged[-1] = _Segment(kind, merged[-1].text + text)
        elif kind != "text" and kind != "url" and merged and merged[-1].kind in _STYLES:
            add("text", text)  # "*a***b**" would not parse: a glued second style is plain
        else:
            merged.append(_Segment(kind, text))

    for seg in raw:
        text = _unlit(seg.text)
        if seg.kind in _STYLES:
            inner = text.strip()
            add("text", text[:len(text) - len(text.lstrip())])
            add(seg.kind, re.sub(r"\s+", " ", inner))
            add("text", text[len(text.rstrip()):] if inner else "")
        else:
            add(seg.kind, text)
    # Texts now sit between styles and URLs, which never start or end with a space.
    out = [_Segment(s.kind, re.sub(r"\s+", " ", s.text)) if s.kind == "text" else s
           for s in merged]
    if out and out[0].kind == "text":
        out[0] = _Segment("text", out[0].text.lstrip())
    if out and out[-1].kind == "text":
        out[-1] = _Segment("text", out[-1].text.rstrip())
    return [_Segment(s.kind, unicodedata.normalize("NFC", s.text)) for s in out if s.text]


# --- Markdown escaping ---------------------------------------------------------------
# Characters that are always written as entities: Markdown, HTML, attr_list, Jinja,
# tables and the pymdownx inline syntaxes (~~ ^^ == @mention) all need them; "!" too,
# as "!" before one of our "[url](url)" links would make it an image.
_MD_ALWAYS = frozenset("\\`*_{}[]<>#|~^=&@!")
_MD_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_TABLE = {ord(c): _MD_NAMED.get(c, f"&#{ord(c)};") for c in _MD_ALWAYS}
# Characters escaped only where they would start something (the match's first char).
_MD_CONTEXT: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("emoji :x: and scheme links", re.compile(r":(?=\S)")),
    ("magiclink www.", re.compile(r"(?<=www)\.", re.IGNORECASE)),
    ("smartsymbols fraction 1/2", re.compile(r"(?<=\d)/(?=\d)")),
    ("smartsymbols c/o and +/-", re.compile(r"(?<=c)/(?=o)|\+(?=/)", re.IGNORECASE)),
    ("smartsymbols (c) (r) (tm)", re.compile(r"\((?=(?:c|r|tm)\))", re.IGNORECASE)),
    ("smartsymbols ordinal 1st", re.compile(
        r"(?<=\d)(?:s(?=t)|n(?=d)|r(?=d)|t(?=h))", re.IGNORECASE)),
)
# All of them in one pass: each matches one character, so one alternation finds every
# position any of them would (":" and "/" have no case, so IGNORECASE changes nothing).
_MD_CONTEXT_ANY = re.compile("|".join(f"(?:{pat.pattern})" for _name, pat in _MD_CONTEXT),
                             re.IGNORECASE)
# At the very start a fragment could open a block: list, quote, admonition, details.
_MD_LEADING = re.compile(r"[-+?%:]|\d+(?P<dot>[.)])(?=\s|$)")


def _escape(text: str, *, leading: bool = False, emphasis: bool = False) -> str:
    """Text as Markdown that renders literally; leading=True if it starts a line."""
    marked = {m.start() for m in _MD_CONTEXT_ANY.finditer(text)}
    if leading and (m := _MD_LEADING.match(text)):
        marked.add(m.start("dot") if m["dot"] else 0)
    if emphasis:
        # Punctuation at the inside edge of *...* stops betterem from seeing a delimiter
        # ("a*(x)*b"); an entity is not punctuation to it.
        marked |= {i for i in (0, len(text) - 1) if not text[i].isalnum()}
    # translate() escapes the runs between marked characters in C, not char by char.
    out, last = [], 0
    for i in sorted(marked):
        out += [text[last:i].translate(_MD_TABLE), _entity(text[i])]
        last = i + 1
    out.append(text[last:].translate(_MD_TABLE))
    return "".join(out)


def _entity(c: str) -> str:
    return _MD_NAMED.get(c, f"&#{ord(c)};")


def _href(url: str) -> str:
    """A URL as a Markdown link destination that parses back to itself."""
    depth = 0
    for c in url:
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth < 0:
            break
    if depth:  # unbalanced parens would end the link early
        url = url.replace("(", "%28").replace(")", "%29")
    return url.replace("&", "&amp;")


# --- public API ----------------------------------------------------------------------
# The caches are unbounded: a run cleans each title and abstract in several stages
# (dedupe, tagging, every page that shows it), and a cache smaller than the digest drops
# them between stages (at 50,000 papers each text was cleaned three times over).
@functools.lru_cache(maxsize=None)
def plain(text: str) -> str:
    """Clean Unicode plain text (NFC, single spaces, no markup, no escaping)."""
    return unicodedata.normalize("NFC", "".join(s.text for s in _segments(text)))


@functools.lru_cache(maxsize=None)
def markdown(text: str) -> str:
    """One-paragraph Markdown fragment: literal text plus emphasis and http(s) links."""
    out = []
    for i, seg in enumerate(_segments(text)):
        if seg.kind == "em":
            out.append(f"*{_escape(seg.text, emphasis=True)}*")
        elif seg.kind == "strong":
            out.append(f"**{_escape(seg.text, emphasis=True)}**")
        elif seg.kind == "url":
            out.append(f"[{_escape(seg.text)}]({_href(seg.text)})")
        else:
            out.append(_escape(seg.text, leading=i == 0))
    return "".join(out)


@functools.lru_cache(maxsize=None)
def urls(text: str) -> tuple[str, ...]:
    """Every http(s) URL in text, in order, deduplicated, sentence punctuation trimmed."""
    return tuple(dict.fromkeys(url for _s, _e, url in _find_urls(_sanitize(text))))


def _normalize_code_url(url: str) -> str:
    """https://github.com/owner/repo for a repository root, else the URL unchanged."""
    if m := _GITHUB_REPO.fullmatch(url):
        return f"https://github.com/{m['owner']}/{m['repo']}"
    return url


@functools.lru_cache(maxsize=None)
def code_urls(text: str) -> tuple[str, ...]:
    """The URLs that point at code: code hosts, or links the abstract calls code."""
    text = _sanitize(text)
    picked, last_end = [], 0
    for start, end, url in _find_urls(text):
        before = text[last_end:start]
        ends = list(_SENTENCE_END.finditer(before))
        sentence = before[ends[-1].end():] if ends else before
        if _CODE_HOSTS.match(url) or _CODE_CUE.search(sentence):
            picked.append(_normalize_code_url(url))
        last_end = end
    return tuple(dict.fromkeys(picked))


@functools.lru_cache(maxsize=None)
def title_key(title: str) -> str:
    """Identity of a title for deduplication: letters and digits, casefolded, spaced."""
    text = unicodedata.normalize("NFKC", plain(title)).casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    text = re.sub(r"['\u2018\u2019\u02bc]", "", text)  # "it's" and "its" are one word
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFC", text)).strip()


@functools.lru_cache(maxsize=None)
def one_line(text: str) -> str:
    """Every run of whitespace (newlines included) as one space, stripped at both ends."""
    return " ".join(text.split())


def markdown_text(text: str) -> str:
    """Plain text (a title, a topic name) as Markdown that renders literally, with no links."""
    return _escape(one_line(text), leading=True)
