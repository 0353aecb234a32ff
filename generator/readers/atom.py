"""Reader for arXiv API exports (``export.arxiv.org/api/query``) in Atom 1.0.

The XML is parsed with defusedxml's SAX driver, which refuses DTDs, entity declarations
and external references, so no entity expansion or XXE is possible. SAX also gives each
element's line, so every listing and every problem points at its ``<entry>``.

Per entry: the arXiv id from ``<id>`` (without its version), the whitespace-normalised
title and summary, the published and updated dates, the authors' names and the
``arxiv:primary_category``. The digest day is the date the file name starts with, else
the entry's ``published`` date. An arXiv API error feed is reported with its message.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, feature_namespaces
from xml.sax.xmlreader import InputSource, Locator

from defusedxml import DefusedXmlException
from defusedxml.common import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.expatreader import DefusedExpatParser

from ..clean import one_line
from ..errors import DigestError, Problem, excerpt
from ..model import Listing, arxiv_id
from .base import SourceFile, decode_text, utc_date

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
_REDOWNLOAD = "download the feed again from export.arxiv.org/api/query and save it unchanged"
_ABS_URL = re.compile(r"https?://(?:export\.)?arxiv\.org/abs/(?P<id>.*)")
_ERROR_URL = re.compile(r"https?://(?:export\.)?arxiv\.org/api/errors")


@dataclass
class _Node:
    """A parsed element: its namespace-qualified name, attributes, line and content."""

    ns: str | None
    tag: str
    attrs: dict[str, str]
    line: int
    content: list = field(default_factory=list)  # str chunks and child _Nodes, in order

    def children(self, ns: str, tag: str) -> list["_Node"]:
        return [c for c in self.content if isinstance(c, _Node) and c.ns == ns and c.tag == tag]

    def child(self, ns: str, tag: str) -> "_Node | None":
        found = self.children(ns, tag)
        return found[0] if found else None

    def text(self) -> str:
        """All text inside the element, descendants included (iteratively: no recursion)."""
        parts: list[str] = []
        stack: list = [self]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                parts.append(item)
            else:
                stack.extend(reversed(item.content))
        return "".join(parts)


class _Builder(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.locator: Locator | None = None
        self.root: _Node | None = None
        self.stack: list[_Node] = []

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def line(self) -> int | None:
        return self.locator.getLineNumber() if self.locator is not None else None

    def startElementNS(self, name, qname, attrs) -> None:
        ns, tag = name
        node = _Node(ns, tag, {local: value for (uri, local), value in attrs.items()
                               if uri is None}, self.line() or 1)
        if self.stack:
            self.stack[-1].content.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def endElementNS(self, name, qname) -> None:
        self.stack.pop()

    def characters(self, content: str) -> None:
        if self.stack:
            self.stack[-1].content.append(content)


def read(source: SourceFile) -> list[Listing]:
    """Parse one arXiv API Atom feed into listings, one per entry."""
    text = decode_text(source)
    if not text.strip():
        raise DigestError.at(
            source.name, 1,
            "the file is empty; save the Atom response of export.arxiv.org/api/query into "
            "it, or remove it")
    root = _parse(source, text)
    if root.ns != ATOM or root.tag != "feed":
        found = f"<{root.tag}>" if root.ns is None else f"<{root.tag}> in namespace {root.ns}"
        raise DigestError.at(
            source.name, root.line,
            f"expected an Atom feed (<feed xmlns=\"{ATOM}\">) from the arXiv API, but the "
            f"root element is {found}; {_REDOWNLOAD}")
    name_date = source.name_date
    problems: list[Problem] = []
    listings: list[Listing] = []
    for entry in root.children(ATOM, "entry"):
        errs: list[str] = []
        listing = _entry(source, entry, name_date, errs)
        problems.extend(Problem(source.name, entry.line, msg) for msg in errs)
        if listing is not None and not errs:
            listings.append(listing)
    if problems:
        raise DigestError(problems)
    return listings


def _parse(source: SourceFile, text: str) -> _Node:
    builder = _Builder()
    parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(builder)
    stream = InputSource(source.name)
    stream.setCharacterStream(io.StringIO(text))
    try:
        parser.parse(stream)
    except SAXParseException as exc:
        raise DigestError.at(
            source.name, exc.getLineNumber(),
            f"invalid XML: {exc.getMessage()} at column {exc.getColumnNumber() + 1}; fix "
            f"the file there, or {_REDOWNLOAD}") from None
    except DefusedXmlException as exc:
        what = {
            DTDForbidden: "a <!DOCTYPE> declaration",
            EntitiesForbidden: "an entity declaration",
            ExternalReferenceForbidden: "a reference to an external resource",
        }.get(type(exc), "a construct")
        raise DigestError.at(
            source.name, builder.line(),
            f"the XML contains {what}, which is refused for safety and never appears in "
            f"arXiv API feeds; {_REDOWNLOAD}") from None
    if builder.root is None:  # pragma: no cover - expat reports "no element found" first
        raise DigestError.at(source.name, 1, f"the file holds no XML element; {_REDOWNLOAD}")
    return builder.root


def _entry(source: SourceFile, entry: _Node, name_date: dt.date | None,
           errs: list[str]) -> Listing | None:
    id_node = entry.child(ATOM, "id")
    raw_id = one_line(id_node.text()) if id_node is not None else ""
    if _ERROR_URL.match(raw_id):
        summary = entry.child(ATOM, "summary")
        message = one_line(summary.text()) if summary is not None else raw_id
        errs.append(f"this is an arXiv API error, not a result: {excerpt(message, 200)}; fix "
                    "the query and download the feed again")
        return None

    paper_id = None
    if not raw_id:
        errs.append(f"the entry has no <id>; every arXiv API entry has one, so {_REDOWNLOAD}")
    else:
        m = _ABS_URL.fullmatch(raw_id)
        paper_id = arxiv_id(m["id"]) if m else None
        if paper_id is None:
            errs.append(f"the entry's <id> {excerpt(raw_id)} is not an arXiv abstract URL "
                        f"such as http://arxiv.org/abs/2606.13677v1; correct it, or "
                        f"{_REDOWNLOAD}")
    title = _required_text(entry, "title", errs)
    summary = _required_text(entry, "summary", errs)
    known = len(errs)
    published = _date(entry, "published", errs)
    updated = _date(entry, "updated", errs)
    day = name_date or published
    if day is None and len(errs) == known:
        errs.append("the entry has no <published> date and the file name does not start "
                    "with one; start the file name with the digest day, e.g. "
                    "2026-06-12-arxiv.xml")

    authors = []
    for author in entry.children(ATOM, "author"):
        name = author.child(ATOM, "name")
        if name is not None and one_line(name.text()):
            authors.append(one_line(name.text()))
    primary = entry.child(ARXIV, "primary_category")
    category = (primary.attrs.get("term", "").strip() or None) if primary is not None else None

    if errs or title is None or summary is None or day is None:
        return None
    return Listing(title=title, abstract=summary, date=day, source=source.name,
                   line=entry.line, arxiv_id=paper_id, published=published, updated=updated,
                   authors=tuple(authors), category=category)


def _required_text(entry: _Node, tag: str, errs: list[str]) -> str | None:
    node = entry.child(ATOM, tag)
    if node is None:
        errs.append(f"the entry has no <{tag}>; every arXiv API entry has one, so "
                    f"{_REDOWNLOAD}")
        return None
    value = one_line(node.text())
    if not value:
        errs.append(f"the entry's <{tag}> is empty; write the paper's {tag} there, or "
                    f"{_REDOWNLOAD}")
        return None
    return value


def _date(entry: _Node, tag: str, errs: list[str]) -> dt.date | None:
    node = entry.child(ATOM, tag)
    if node is None:
        return None
    value = node.text().strip()
    day = utc_date(value)
    if day is None:
        errs.append(f"the entry's <{tag}> {excerpt(value)} is not a timestamp such as "
                    f"2026-06-11T17:59:49Z; correct it, or {_REDOWNLOAD}")
    return day

