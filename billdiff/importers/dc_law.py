"""Import a D.C. law's English text from the DC Council's ``law-xml`` (DCCouncil/law-xml).

Input is one law file (``us/dc/council/periods/<P>/laws/<P>-<n>.xml``, root ``<document>`` in
namespace ``https://code.dccouncil.us/schemas/dc-library``).  The result is what the Council
enacted, in its own words: the amending instructions and the text they quote.  It is meant to be
read by :mod:`billdiff.amend`, which applies the instructions to the D.C. Code.

**The codifiers' markup is never read.**  law-xml interleaves the law's English with the
codifiers' machine-readable edits (``codify:find-replace``, ``codify:insert``, ...) and notes
(``codify:value`` attributes giving the Code's wording of a phrase, ``codify:path`` attributes
locating a paragraph in the Code), all in the namespace ``https://code.dccouncil.us/schemas/
codify``.  They are the answer key to what the English means, so every element and attribute of
that namespace is removed before anything else is looked at (the text that follows an element,
its *tail*, is the law's and is kept).  ``<annotation>`` elements (history notes the codifiers
add for the Code sections a law creates) are left out too: they are not the law's words.

Mapping:

- the ``<text>`` directly under ``<document>`` (the enacting clause and short title) -> section
  ``enacting``;
- ``<container>`` (``TITLE I``, ``Subtitle A``) -> section ``title_I``, ``subtitle_A``, number
  ``TITLE I``, its sections as children;
- ``<section>`` -> section ``sec_<num>``, number ``Sec. <num>``; ``<para>`` -> child
  ``<parent-id>__para_<num>``, number ``Sec. 2(a)(1)``; each keeps its ``<heading>`` and its own
  ``<text>`` (several joined with a newline);
- ``<include>`` (quoted text: what the law inserts, with the quotation marks of the printed law
  left out) -> child ``<parent-id>__quote_<n>``, whose text is the include's own ``<text>`` and
  whose children are the quoted provisions.  Inside a quote, numbers start afresh: a quoted
  ``<para>`` ``(7)`` has number ``(7)`` and its child ``(7)(A)``; a quoted ``<section>`` has its
  ``<num>`` as number (``16-318``, without the ``§`` prefix, as in
  :mod:`billdiff.importers.dc_xml`); a quoted ``<container>`` is ``part_G`` (``Part G``), a
  quoted ``<toc>`` (a new chapter's table of contents) is ``toc`` with one line per entry and a
  quoted ``<subsection>`` (D.C. Municipal Regulations) ``subsection_<num>``;
- ``<text>`` and ``<aftertext>`` before a node's first child are its own text (joined with a
  newline); after it (the ``.`` closing a quotation, usually) they are children
  ``<parent-id>__aftertext_<n>``, in document order: the Code importer's rule, so quoted text
  reads as the Code will;
- ``<num undesignated="true">`` is not shown in the number (as in the Code importer).

Text is flattened with the Code importer's rules (:func:`billdiff.importers.dc_xml._flatten`):
inline markup (``<cite>``, ``<code-cite>``, ``<em>``, ``<span>``) becomes its text, XML
whitespace runs become one space.

**The law's references** (:func:`import_dc_law_marked`).  ``<code-cite>`` and ``<cite>`` are
the law's own published markup, in the dc-library namespace: they say which provision of the
D.C. Code a reference in the English means (``<code-cite doc="D.C. Code" path="§7-2304">section
5</code-cite>``, ``<code-cite path="7|16B">this act</code-cite>``).  They survive the stripping
of the codifiers' ``codify:*`` markup, and a person applying the law by hand would resolve them
too.  The document's text keeps the law's words; :class:`LawMarkup` records, beside it, where
each reference lies in which section's text or heading (character offsets into
:attr:`Section.text`), with its ``doc`` and ``path``, and the law's numbers and effective date
from ``<meta>``.  :mod:`billdiff.amend.style` uses them to print inserted text as the D.C. Code
prints it.  Nothing of the codifiers' namespace is in it (a ``codify:value`` on a
``<code-cite>``, the codifiers' own rendering, is removed with the rest).

Ids clash-free across the document (``__2``, ``__3``).  Parsing is :mod:`defusedxml` with the
Code importer's reader and size limit.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal
from xml.etree.ElementTree import Element

from pydantic import ValidationError

from billdiff.errors import BilldiffError
from billdiff.importers.dc_xml import (
    AFTERTEXT,
    CONTAINER,
    HEADING,
    JURISDICTION,
    NS,
    NUM,
    PARA,
    PREFIX,
    SECTION,
    TEXT,
    _clean,
    _first,
    _flatten,
    _Ids,
    _Reader,
    _safe_id,
)
from billdiff.model import (
    Completeness,
    Document,
    DocumentKind,
    Provenance,
    Section,
    SourceRef,
    TextStatus,
)

#: The codifiers' namespace: never read (see the module docstring).
CODIFY = "https://code.dccouncil.us/schemas/codify"
LAW_XML = "https://github.com/DCCouncil/law-xml"

_T = f"{{{NS}}}"
DOCUMENT = _T + "document"
INCLUDE = _T + "include"
META = _T + "meta"
TOC = _T + "toc"
ANNOTATION = _T + "annotation"
SUBSECTION = _T + "subsection"
CODE_CITE = _T + "code-cite"
CITE = _T + "cite"
_CODIFY_PREFIX = f"{{{CODIFY}}}"
_REFERENCES: dict[str, Literal["code-cite", "cite"]] = {CODE_CITE: "code-cite", CITE: "cite"}
#: Marks around a reference's words while flattening (private-use characters: never in a law).
_OPEN, _CLOSE = "\ue000", "\ue001"


@dataclass(frozen=True)
class CodeCite:
    """One reference the law marks up: its words are ``text[start:end]`` of a section.

    ``element`` is ``code-cite`` or ``cite``; ``doc`` (``D.C. Code``) and ``path`` (``§7-2304``,
    ``§38-504|(b)``, ``7|16B``: title, chapter, subchapter ...) are the element's attributes.
    """

    element: Literal["code-cite", "cite"]
    start: int
    end: int
    words: str
    path: str | None
    doc: str | None


@dataclass(frozen=True)
class LawMarkup:
    """What a law's own markup says beyond its words (see the module docstring).

    ``text`` and ``heading``: section id -> the references in that section's text or heading,
    in order.  ``effective``: the law's effective date (ISO, from ``<meta>``), ``short_title``,
    ``law``, ``act`` and ``bill`` numbers (``24-100``).
    """

    text: Mapping[str, tuple[CodeCite, ...]] = field(
        default_factory=lambda: MappingProxyType({}))
    heading: Mapping[str, tuple[CodeCite, ...]] = field(
        default_factory=lambda: MappingProxyType({}))
    effective: str | None = None
    short_title: str | None = None
    law: str | None = None
    act: str | None = None
    bill: str | None = None

    def references(self, section_id: str, part: Literal["text", "heading"] = "text"
                   ) -> tuple[CodeCite, ...]:
        """The references in a section's text (or heading), in order; ``()`` when none."""
        return (self.text if part == "text" else self.heading).get(section_id, ())


def _flatten_marked(elem: Element) -> tuple[str, tuple[CodeCite, ...]]:
    """``_flatten(elem)`` and the references in it, with their offsets in that text.

    Each ``<code-cite>`` / ``<cite>`` (outermost) is replaced, in a copy, by its flattened words
    between two private-use marks, keeping the whitespace around it; the copy is flattened by
    the same rule and the marks give the offsets.  If the result is not exactly the plain
    flattening (it always is, unless a law held those characters), no reference is kept.
    """
    text = _flatten(elem)
    if not any(e.tag in _REFERENCES for e in elem.iter()) or _OPEN in text or _CLOSE in text:
        return text, ()
    work = copy.deepcopy(elem)
    found: list[tuple[Literal["code-cite", "cite"], str | None, str | None, str]] = []

    def mark(parent: Element) -> None:
        previous: Element | None = None
        for child in list(parent):
            words = _flatten(child).replace("\n", " ") if child.tag in _REFERENCES else ""
            if not words:  # not a reference, or one with no words of the law's to print
                mark(child)
                previous = child
                continue
            raw = "".join(child.itertext())
            run = ((" " if raw[:1].isspace() else "") + _OPEN + words + _CLOSE
                   + (" " if raw[-1:].isspace() else "") + (child.tail or ""))
            found.append((_REFERENCES[str(child.tag)], child.get("path"), child.get("doc"),
                          words))
            parent.remove(child)
            if previous is not None:
                previous.tail = (previous.tail or "") + run
            else:
                parent.text = (parent.text or "") + run

    mark(work)
    marked = _flatten(work)
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    start = -1
    for ch in marked:  # one character each: len(out) is the offset in the plain text
        if ch == _OPEN:
            start = len(out)
        elif ch == _CLOSE:
            spans.append((start, len(out)))
        else:
            out.append(ch)
    if "".join(out) != text or len(spans) != len(found):
        return text, ()
    refs = tuple(CodeCite(element=kind, start=a, end=b, words=text[a:b], path=path, doc=doc)
                 for (kind, path, doc, _words), (a, b) in zip(found, spans, strict=True))
    return text, refs

#: Children that are read by the caller of :func:`_children`, not as content.
_OWN = frozenset({NUM, PREFIX, HEADING})


def strip_codify(root: Element) -> int:
    """Remove every element and attribute of the codifiers' namespace from *root*, in place.

    The text after a removed element (its tail) is the law's and moves to the element before it
    (or to the parent's text).  Returns how many elements were removed.
    """
    removed = 0
    for parent in list(root.iter()):
        for name in [a for a in parent.attrib if a.startswith(_CODIFY_PREFIX)]:
            del parent.attrib[name]
        previous: Element | None = None
        for child in list(parent):
            if not (isinstance(child.tag, str) and child.tag.startswith(_CODIFY_PREFIX)):
                previous = child
                continue
            tail = child.tail or ""
            parent.remove(child)
            removed += 1
            if tail:
                if previous is not None:
                    previous.tail = (previous.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
    return removed


def _num(elem: Element) -> tuple[str, bool]:
    """A node's ``<num>`` text and whether it is marked undesignated."""
    num_el = elem.find(NUM)
    if num_el is None:
        return "", False
    return _flatten(num_el).replace("\n", " "), num_el.get("undesignated") == "true"


def _slug(num: str, position: int) -> str:
    bare = num[1:-1] if num.startswith("(") and num.endswith(")") else num
    return _safe_id(bare).strip("._-") or str(position)


class _Builder:
    """Builds the sections of one law file."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.ids = _Ids()
        #: Section id -> the references in its text / its heading (see :class:`LawMarkup`).
        self.text_refs: dict[str, tuple[CodeCite, ...]] = {}
        self.heading_refs: dict[str, tuple[CodeCite, ...]] = {}

    def take(self, wanted: str) -> str:
        return self.ids.take(wanted, self.where)

    # a node's content ------------------------------------------------------------------
    def children(self, elem: Element, ident: str, number: str, quoted: bool
                 ) -> tuple[str, list[Section]]:
        """*elem*'s own text (before its first child node) and its child sections; the
        references in that text are recorded under *ident* (see :class:`LawMarkup`)."""
        own: list[str] = []
        own_refs: list[CodeCite] = []
        kids: list[Section] = []
        after = quotes = position = 0

        def chunk(text: str, refs: tuple[CodeCite, ...] = ()) -> None:
            nonlocal after
            if not text:
                return
            if not kids:
                # own texts are joined with a newline: shift the offsets by what comes before
                base = sum(len(t) + 1 for t in own)
                own_refs.extend(_shifted(refs, base))
                own.append(text)
                return
            after += 1
            closing = self.take(f"{ident}__aftertext_{after}")
            if refs:
                self.text_refs[closing] = refs
            kids.append(Section(id=closing, text=text, status=TextStatus.OFFICIAL))

        if elem.text and elem.text.strip():
            chunk(_clean(elem.text))
        seen: set[str] = set()
        for child in elem:
            tag = child.tag
            if tag in _OWN and tag not in seen:
                seen.add(tag)  # read by the caller
            elif tag == TEXT:
                chunk(*_flatten_marked(child))
            elif tag == AFTERTEXT:
                # as the Code importer reads it: own text until a child node, then closing text
                chunk(*_flatten_marked(child))
            elif tag == INCLUDE:
                quotes += 1
                block = self.quote(child, f"{ident}__quote_{quotes}")
                if block is not None:
                    kids.append(block)
            elif tag in (PARA, SECTION, CONTAINER, SUBSECTION, TOC):
                position += 1
                node = self.node(child, ident, number, position, quoted)
                if node is not None:
                    kids.append(node)
            elif tag in (ANNOTATION, META):
                pass  # the codifiers' history notes; the law's metadata is read separately
            else:  # anything unknown: keep its words rather than drop them
                chunk(_flatten(child))
            if child.tail and child.tail.strip():
                chunk(_clean(child.tail))
        if own_refs:
            self.text_refs[ident] = tuple(own_refs)
        return "\n".join(own), kids

    def quote(self, include: Element, ident: str) -> Section | None:
        """An ``<include>``: the quoted text, as a block whose numbers start afresh."""
        ident = self.take(ident)
        text, kids = self.children(include, ident, "", quoted=True)
        if not text and not kids:
            return None
        return Section(id=ident, heading="Quoted text", text=text, status=TextStatus.OFFICIAL,
                       children=tuple(kids))

    def node(self, elem: Element, parent_id: str, parent_number: str, position: int,
             quoted: bool) -> Section | None:
        """A ``<section>``, ``<para>``, ``<container>``, ``<subsection>`` or ``<toc>``."""
        tag = elem.tag
        prefix_base = f"{parent_id}__" if parent_id else ""
        if tag == TOC:
            lines = []
            for entry in elem:
                num, _ = _num(entry)
                entry_heading = _first(entry, HEADING)
                line = " ".join(part for part in (num, entry_heading) if part)
                if line:
                    lines.append(line)
            if not lines:
                return None
            return Section(id=self.take(f"{prefix_base}toc"), heading="Table of contents",
                           text="\n".join(lines), status=TextStatus.OFFICIAL)
        num, undesignated = _num(elem)
        heading_el = elem.find(HEADING)
        heading, heading_refs = (None, ()) if heading_el is None else _heading(heading_el)
        if tag == CONTAINER:
            label = _first(elem, PREFIX) or "Container"
            slug = _slug(num, position)
            ident = self.take(f"{prefix_base}{_safe_id(label.lower())}_{slug}")
            number = f"{label} {num}".strip()
        elif tag == SECTION:
            ident = self.take(f"{prefix_base}sec_{_slug(num, position)}")
            number = num if quoted else f"Sec. {num}"
        elif tag == SUBSECTION:
            ident = self.take(f"{prefix_base}subsection_{_slug(num, position)}")
            number = num
        else:  # PARA
            ident = self.take(f"{prefix_base}para_{_slug(num, position)}")
            if not num or undesignated:
                number = parent_number
            elif num.startswith("("):
                number = parent_number + num
            else:
                number = f"{parent_number} {num}".strip()
        text, kids = self.children(elem, ident, number, quoted)
        if not text and not kids and heading is None:
            self.text_refs.pop(ident, None)
            return None  # a bare number: nothing to keep
        if heading_refs:
            self.heading_refs[ident] = heading_refs
        return Section(id=ident, number=number or None, heading=heading, text=text,
                       status=TextStatus.OFFICIAL, children=tuple(kids))


def _shifted(refs: tuple[CodeCite, ...], base: int) -> tuple[CodeCite, ...]:
    return tuple(CodeCite(r.element, r.start + base, r.end + base, r.words, r.path, r.doc)
                 for r in refs) if base else refs


def _heading(elem: Element) -> tuple[str | None, tuple[CodeCite, ...]]:
    """A ``<heading>``'s text as :func:`_first` reads it (one line) and its references."""
    text, refs = _flatten_marked(elem)
    return (text.replace("\n", " ") or None), refs


def _meta(root: Element) -> dict[str, str]:
    """The law's numbers, names and dates (none of them codifiers' markup)."""
    out: dict[str, str] = {}
    for num in root.findall(NUM):
        kind = num.get("type")
        if kind and _flatten(num):
            out.setdefault(kind, _flatten(num))
    for heading in root.findall(HEADING):
        kind = heading.get("type") or "short"
        if _flatten(heading):
            out.setdefault(f"heading_{kind}", _flatten(heading).replace("\n", " "))
    meta = root.find(META)
    if meta is not None:
        for name in ("introduced", "effective", "enacted"):
            elem = meta.find(f".//{_T}{name}")
            if elem is not None and elem.text and re.fullmatch(r"\d{4}-\d{2}-\d{2}",
                                                               elem.text.strip()):
                out[name] = elem.text.strip()
        if meta.find(f"{_T}temporary") is not None:
            out["temporary"] = "yes"
        for citation in meta.iter(f"{_T}citation"):
            kind = citation.get("type") or ""
            url = (citation.get("url") or "").strip()
            if kind and url.startswith("https://"):
                out.setdefault(f"url_{kind}", url)
            if kind == "register" and _flatten(citation):
                out.setdefault("register", _flatten(citation))
        history = meta.find(f"{_T}history")
        if history is not None and (history.get("url") or "").startswith("https://"):
            out["url_history"] = history.get("url") or ""
    return out


def parse_dc_law(root: Element, doc_id: str, *, where: str = "input") -> Document:
    """Read a parsed law-xml ``<document>`` (*root*) as a :class:`Document`.

    The codifiers' elements and attributes are removed from *root* first, in place (see
    :func:`strip_codify`), so nothing below ever sees them.
    """
    return parse_dc_law_marked(root, doc_id, where=where)[0]


def parse_dc_law_marked(root: Element, doc_id: str, *, where: str = "input"
                        ) -> tuple[Document, LawMarkup]:
    """:func:`parse_dc_law`, with the law's own reference markup beside the document (see
    :class:`LawMarkup`).  The codifiers' markup is removed first, as there."""
    if root.tag != DOCUMENT:
        raise BilldiffError(
            f"not a D.C. law file: the root element is <{root.tag}>, expected <document> in "
            f"namespace {NS}", where=where,
            fix="give a law file (us/dc/council/periods/<P>/laws/<P>-<n>.xml) from "
                "DCCouncil/law-xml")
    strip_codify(root)
    info = _meta(root)
    builder = _Builder(where)
    sections: list[Section] = []
    enacting = [_flatten(t) for t in root.findall(TEXT) if _flatten(t)]
    if enacting:
        sections.append(Section(id=builder.take("enacting"), heading="Enacting clause",
                                text="\n".join(enacting), status=TextStatus.OFFICIAL))
    position = 0
    for child in root:
        if child.tag in (SECTION, CONTAINER):
            position += 1
            node = builder.node(child, "", "", position, quoted=False)
            if node is not None:
                sections.append(node)
    if not any(s.id != "enacting" for s in sections):
        raise BilldiffError("the law file has no sections", where=where,
                            fix="give a law file with its <section> elements")
    if "law" in info:
        number = f"D.C. Law {info['law']}"
    elif "act" in info:
        number = f"D.C. Act {info['act']}"
    elif "bill" in info:
        number = f"Bill {info['bill']}"
    else:
        raise BilldiffError("the law file has no law, act or bill number", where=where,
                            fix="give a law file whose <num type=\"law\"> is filled in")
    cites = [f"D.C. Law {info['law']}" if "law" in info else "",
             f"D.C. Act {info['act']}" if "act" in info else "",
             f"Bill {info['bill']}" if "bill" in info else "", info.get("register", "")]
    url = info.get("url_law") or info.get("url_act") or info.get("url_history") or LAW_XML
    effective = info.get("effective")
    status = f"Effective {effective}" if effective else None
    if info.get("temporary"):
        status = (status + "; " if status else "") + "temporary law (expires after 225 days)"
    title = info.get("heading_short") or number
    notes = ["The codifiers' codify:* elements and attributes were removed before reading "
             "(they are not the law's words); <annotation> history notes were left out.",
             "Quoted text (what the law inserts) is in the __quote_N sections, without the "
             "printed quotation marks."]
    try:
        document = Document(
            id=doc_id,
            kind=DocumentKind.STATUTE,
            jurisdiction=JURISDICTION,
            number=number,
            title=title[:2000],
            short_title=None,
            citation="; ".join(c for c in cites if c) or None,
            filed=effective,
            status=status,
            official_url=url if url != LAW_XML else None,
            provenance=Provenance(
                completeness=Completeness.COMPLETE,
                summary=f"Imported from the DC Council's law-xml: {number}, the law's English "
                        "text only (the codifiers' markup is not read).",
                sources=(SourceRef(url=url, description=f"{number}, DC Council (law-xml)",
                                   official=True),),
                notes=" ".join(notes),
            ),
            notes=(f"Long title: {info['heading_long']}"[:2000],) if "heading_long" in info
            else (),
            sections=tuple(sections),
        )
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise BilldiffError(
            f"cannot build the document: {loc}: {first['msg']}", where=where,
            fix="document ids are lower-case letters, digits, '.', '_' and '-'"
            if loc == "id" else None,
        ) from err
    markup = LawMarkup(text=MappingProxyType(dict(builder.text_refs)),
                       heading=MappingProxyType(dict(builder.heading_refs)),
                       effective=effective, short_title=info.get("heading_short"),
                       law=info.get("law"), act=info.get("act"), bill=info.get("bill"))
    return document, markup


def import_dc_law(path: Path, doc_id: str) -> Document:
    """Import a D.C. law file from law-xml as a :class:`Document` (see the module docstring).

    Raises :class:`BilldiffError` (one line: what, where, how to fix) for a missing, unsafe,
    malformed or oversized file, or one that is not a law.
    """
    return import_dc_law_marked(path, doc_id)[0]


def import_dc_law_marked(path: Path, doc_id: str) -> tuple[Document, LawMarkup]:
    """:func:`import_dc_law`, with the law's own reference markup (:class:`LawMarkup`), which
    :func:`billdiff.amend.amend_document` takes as ``markup=`` to print inserted text as the
    D.C. Code does.  Errors as :func:`import_dc_law`."""
    path = Path(path)
    if not path.is_file():
        raise BilldiffError("no such file", where=str(path),
                            fix="give a law file from DCCouncil/law-xml "
                                "(us/dc/council/periods/<P>/laws/<P>-<n>.xml)")
    reader = _Reader()
    try:
        root = reader.parse(path, DOCUMENT)
    except BilldiffError as err:
        if err.what.startswith("not DC Code XML: root element"):
            raise BilldiffError(
                err.what.replace("not DC Code XML", "not a D.C. law file"), where=err.where,
                fix="give a law file (us/dc/council/periods/<P>/laws/<P>-<n>.xml) from "
                    "DCCouncil/law-xml") from err
        raise
    document, markup = parse_dc_law_marked(root, doc_id, where=str(path))
    provenance = document.provenance.model_copy(update={"checksum": reader.checksum})
    return document.model_copy(update={"provenance": provenance}), markup
