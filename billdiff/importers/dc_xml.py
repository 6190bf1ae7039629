"""Import the D.C. Code from the DC Council's ``law-xml`` (github.com/DCCouncil/law-xml).

Input is one section file (``<title>/sections/2-1002.xml``), a title folder (``<title>/`` holding
``index.xml`` and ``sections/``) or that ``index.xml`` itself.  A title's sections come in the
order of ``index.xml``'s ``xi:include`` links, read depth-first through nested ``<container>``s
(chapters, subchapters, parts; the containers themselves are not kept).

Mapping (namespace ``https://code.dccouncil.us/schemas/dc-library``):

- ``<section>`` -> a top-level :class:`Section` ``sec_<num>``; ``number`` is the ``<num>`` text,
  ``heading`` the ``<heading>``, ``text`` its own ``<text>`` elements, ``notes`` one string per
  ``<annotation>`` (and per ``<text type=...>`` inside ``<annotations>``), prefixed with its
  type (``History: ...``), ``note`` the ``<reason>`` (``Repealed``, ``Transferred``, ...) if any,
  ``source_url`` its page on code.dccouncil.gov.
- ``<para>`` -> a child Section ``<parent-id>__para_<num>`` (``(a-1)`` -> ``para_a-1``, case kept:
  ``(A)`` and ``(a)`` are different levels; a para without a usable num gets ``para_<position>``).
  ``number`` is the citation as displayed: ``2-1002(a)(1)``; a num marked ``undesignated="true"``
  is not displayed in the citation (as on code.dccouncil.gov) but stays in the id; a num that is
  not in parentheses (``<prefix>Article</prefix><num>I</num>``) is shown as ``7-1101 Article I``.
- ``<aftertext>`` (closing text after a section's paras) -> a child Section
  ``<parent-id>__aftertext_<n>`` with no number, placed after the paras, so its order is kept.
  Any other text found among a section's or para's children after its first para (none in the
  corpus) is kept the same way; an unknown child element before the paras, or a second
  ``<heading>``, is read as text.  ``<annotations>`` and ``<reason>`` of a para (none in the
  corpus) go to its notes and note.  A ``<prefix>`` directly in a section is ignored.

Text: every ``<text>`` is flattened to plain text (``<cite>``, ``<code-cite>``, ``<em>``,
``<strong>`` become their text).  Runs of XML whitespace (space, tab, CR, LF) are pretty-printing,
not content: each run becomes one space and ends are stripped.  Other characters, including
curly quotes and the en spaces (U+2002) and thin spaces (U+2009) the Code uses, are kept exactly.
Block markup keeps a line structure: ``<center>`` and each ``<tr>`` of a ``<table>`` go on their
own line, table cells are separated by one space; several ``<text>`` elements in one node are
joined with a newline.

A node with no text and no children is never given invented text: a para like that is skipped
unless it has a heading; a node with a heading only (``[Reserved].`` sections) is official
content and keeps status ``official`` with empty text and a note saying so.

Sibling ids that clash (odd or repeated nums) get ``__2``, ``__3``... in document order, and ids
are checked unique across the whole document.

XML is parsed with :mod:`defusedxml` (no DTDs, no entities, no external references); a file over
20 MB, or a title over 200 MB in all, is refused.

Provenance: the DC Council's law-xml is the official Code, so :func:`import_dc_xml` records the
source as official and the sections as ``official`` unless the caller says otherwise
(``official=False``, what :func:`billdiff.importers.run_import` passes unless the user says
``--official``: the user's file may not be the Council's): then the source is not official and
every section with text (or a heading) is ``single-source``, or the *status* given.  DC Code
XML has no front matter: every section is a provision.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException
from pydantic import ValidationError

from billdiff.errors import BilldiffError, InputTooLarge
from billdiff.files import read_limited
from billdiff.model import (
    Completeness,
    Document,
    DocumentKind,
    Provenance,
    Section,
    SourceRef,
    TextStatus,
)

NS = "https://code.dccouncil.us/schemas/dc-library"
XI = "http://www.w3.org/2001/XInclude"
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_ID_LENGTH = 300
SITE = "https://code.dccouncil.gov/us/dc/council/code"
JURISDICTION = "District of Columbia"

_T = f"{{{NS}}}"
SECTION = _T + "section"
PARA = _T + "para"
NUM = _T + "num"
PREFIX = _T + "prefix"
HEADING = _T + "heading"
TEXT = _T + "text"
AFTERTEXT = _T + "aftertext"
REASON = _T + "reason"
ANNOTATIONS = _T + "annotations"
ANNOTATION = _T + "annotation"
CONTAINER = _T + "container"
INCLUDE = f"{{{XI}}}include"

#: Elements inside text that start and end a line of their own.
_LINE_BLOCKS = frozenset({_T + "center", _T + "table", _T + "tr", _T + "p", _T + "br"})
#: Elements inside text that are separated from their neighbours by a space.
_CELLS = frozenset({_T + "td", _T + "th"})

_XML_SPACE = re.compile(r"[ \t\r\n]+")
_BAD_ID_CHARS = re.compile(r"[^A-Za-z0-9._-]")
_NL = "\x00"  # placeholder for a structural line break while flattening (never in XML text)


def _clean(text: str | None) -> str:
    """One line: XML whitespace runs -> one space, ends stripped."""
    return _XML_SPACE.sub(" ", text or "").strip(" ")


def _flatten(elem: Element) -> str:
    """An element's text with all inline markup removed (see the module docstring)."""
    parts: list[str] = []

    def walk(node: Element) -> None:
        block = node.tag in _LINE_BLOCKS
        cell = node.tag in _CELLS
        if block:
            parts.append(_NL)
        elif cell:
            parts.append(" ")
        if node.text:
            parts.append(_XML_SPACE.sub(" ", node.text))
        for child in node:
            walk(child)
            if child.tail:
                parts.append(_XML_SPACE.sub(" ", child.tail))
        if block:
            parts.append(_NL)
        elif cell:
            parts.append(" ")

    walk(elem)
    joined = "".join(parts)
    if _NL not in joined:
        return re.sub(" {2,}", " ", joined).strip(" ")
    lines = (re.sub(" {2,}", " ", line).strip(" ") for line in joined.split(_NL))
    return "\n".join(line for line in lines if line)


def _first(node: Element, tag: str) -> str:
    """The flattened text of the first child *tag* (one line), or ''."""
    child = node.find(tag)
    return "" if child is None else _flatten(child).replace("\n", " ")


def _join(texts: Iterable[str]) -> str:
    return "\n".join(t for t in texts if t)


def _safe_id(raw: str) -> str:
    return _BAD_ID_CHARS.sub("_", raw)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# --------------------------------------------------------------------------------------------
# Reading files


@dataclass
class _Reader:
    """Reads files once, in order, feeding the checksum and the size budget."""

    hasher: hashlib._Hash = field(default_factory=hashlib.sha256)
    total: int = 0
    files: int = 0

    def parse(self, path: Path, expect: str) -> Element:
        where = str(path)
        raw = read_limited(path, MAX_FILE_BYTES, limit_for=" for one DC Code XML file",
                           size_fix="a D.C. Code section file is far smaller; check it")
        if self.total + len(raw) > MAX_TOTAL_BYTES:
            raise InputTooLarge(
                f"the files of this import come to more than the {MAX_TOTAL_BYTES:,}-byte limit",
                where=where, fix="import one title folder at a time",
            )
        self.total += len(raw)
        self.files += 1
        self.hasher.update(raw)
        try:
            root = DET.fromstring(raw, forbid_dtd=True)
        except ParseError as err:
            line, _col = getattr(err, "position", (None, None))
            reason = str(err).split(":", 1)[0] if str(err) else "parse error"
            raise BilldiffError(
                f"not valid DC Code XML: {reason}",
                where=f"{where}:{line}" if line else where,
                fix="the file must be well-formed XML as published in DCCouncil/law-xml",
            ) from err
        except DefusedXmlException as err:
            raise BilldiffError(
                f"not valid DC Code XML: refused unsafe XML ({type(err).__name__}: DTDs, "
                "entities and external references are not allowed)",
                where=where, fix="DC Code XML never uses them; use the file as published",
            ) from err
        except ValueError as err:  # e.g. an unsupported encoding declaration
            raise BilldiffError(
                f"not valid DC Code XML: {err}", where=where,
                fix="the file must be UTF-8 XML as published in DCCouncil/law-xml",
            ) from err
        if root.tag != expect:
            raise BilldiffError(
                f"not DC Code XML: root element is <{_describe(root.tag)}>, expected "
                f"<{_local(expect)}> in namespace {NS}",
                where=where,
                fix="this is a D.C. law (its English text and amending instructions): import "
                "it with --format dc-law" if root.tag == f"{{{NS}}}document" else
                "give a section file (sections/*.xml), a title folder, or its index.xml",
            )
        return root  # type: ignore[no-any-return]

    @property
    def checksum(self) -> str:
        return "sha256:" + self.hasher.hexdigest()


def _describe(tag: str) -> str:
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        return f"{local} (namespace {ns})"
    return f"{tag} (no namespace)"


def _index_includes(index: Element, index_path: Path) -> list[Path]:
    """The section files an index.xml includes, in document order (depth-first)."""
    base = index_path.parent.resolve()
    out: list[Path] = []
    for elem in index.iter():
        if elem.tag != INCLUDE:
            continue
        href = elem.get("href")
        where = str(index_path)
        if not href:
            raise BilldiffError("an xi:include has no href", where=where,
                                fix="every include must name a section file")
        if "://" in href or href.startswith("/") or elem.get("parse", "xml") != "xml":
            raise BilldiffError(
                f"include {href!r} is not a relative link to an XML file", where=where,
                fix="includes must point at sections/*.xml next to index.xml",
            )
        target = (index_path.parent / href).resolve()
        if not target.is_relative_to(base):
            raise BilldiffError(
                f"include {href!r} points outside the title folder", where=where,
                fix="includes must point at files inside the folder of index.xml",
            )
        if not target.is_file():
            raise BilldiffError(
                f"included file {href!r} not found ({target})", where=where,
                fix="restore the missing section file or remove its include",
            )
        out.append(target)
    return out


# --------------------------------------------------------------------------------------------
# Building sections


class _Ids:
    """Hands out ids unique in the whole document, adding ``__2``, ``__3`` on a clash."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.clashes: list[str] = []

    def take(self, wanted: str, where: str) -> str:
        if len(wanted) > MAX_ID_LENGTH - 8:
            raise BilldiffError(
                f"section id {wanted[:60]}... is longer than {MAX_ID_LENGTH - 8} characters",
                where=where, fix="the paragraphs are nested implausibly deep",
            )
        ident, n = wanted, 1
        while ident in self.used:
            n += 1
            ident = f"{wanted}__{n}"
        if n > 1:
            self.clashes.append(f"{wanted} -> {ident}")
        self.used.add(ident)
        return ident


def _notes(section: Element) -> tuple[str, ...]:
    notes: list[str] = []
    for block in section.findall(ANNOTATIONS):
        if block.text and block.text.strip():
            notes.append(f"Note: {_clean(block.text)}")
        for item in block:
            kind = item.get("type") or ("Note" if item.tag == ANNOTATION else _local(item.tag))
            body = _flatten(item).replace("\n", " ")
            if body:
                notes.append(f"{_clean(kind)}: {body}")
            if item.tail and item.tail.strip():
                notes.append(f"Note: {_clean(item.tail)}")
    return tuple(notes)


_STRUCTURE = frozenset({NUM, PREFIX, HEADING, REASON})


def _body(
    node: Element, ident: str, number: str, ids: _Ids, where: str
) -> tuple[str, list[Section]]:
    """A section's or para's own text and its children (paras and text after them)."""
    before: list[str] = []
    children: list[Section] = []
    after = 0
    seen_para = False
    position = 0

    def text_chunk(chunk: str) -> None:
        nonlocal after
        if not chunk:
            return
        if not seen_para:
            before.append(chunk)
            return
        after += 1
        children.append(Section(
            id=ids.take(f"{ident}__aftertext_{after}", where),
            text=chunk, status=TextStatus.OFFICIAL,
        ))

    if node.text and node.text.strip():
        text_chunk(_clean(node.text))
    structure_seen: set[str] = set()
    for child in node:
        if child.tag == PARA:
            position += 1
            seen_para = True
            para = _para(child, ident, number, position, ids, where)
            if para is not None:
                children.append(para)
        elif child.tag == ANNOTATIONS:
            pass  # read by _notes
        elif child.tag in _STRUCTURE and child.tag not in structure_seen:
            structure_seen.add(child.tag)  # the first <num>, <heading>... is read by the caller
        else:  # <text>, <aftertext>, a second <heading>, anything unknown: keep its text
            text_chunk(_flatten(child))
        if child.tail and child.tail.strip():
            text_chunk(_clean(child.tail))
    return _join(before), children


def _para(
    elem: Element, parent_id: str, parent_number: str, position: int, ids: _Ids, where: str
) -> Section | None:
    num = _first(elem, NUM)
    prefix = _first(elem, PREFIX)
    heading = _first(elem, HEADING) or None
    reason = _first(elem, REASON) or None
    bare = num[1:-1] if num.startswith("(") and num.endswith(")") else num
    slug = _safe_id(bare).strip("._-")
    ident = ids.take(f"{parent_id}__para_{slug or position}", where)
    num_el = elem.find(NUM)
    if not num or (num_el is not None and num_el.get("undesignated") == "true"):
        number = parent_number
    elif num.startswith("("):
        number = parent_number + num
    else:
        number = f"{parent_number} {prefix + ' ' if prefix else ''}{num}"
    text, children = _body(elem, ident, number, ids, where)
    notes = _notes(elem)
    if not text and not children:
        if heading is None and not notes:
            return None  # a bare num: nothing to keep
        if heading is None:
            return Section(id=ident, number=number, status=TextStatus.MISSING,
                           note="the DC Code XML gives this paragraph no text"
                           + (f" ({reason})" if reason else ""), notes=notes)
        return Section(id=ident, number=number, heading=heading, status=TextStatus.OFFICIAL,
                       note="the official DC Code XML has a heading and no text here"
                       + (f" ({reason})" if reason else ""), notes=notes)
    return Section(id=ident, number=number, heading=heading, text=text, note=reason,
                   status=TextStatus.OFFICIAL, notes=notes, children=tuple(children))


def _section_url(num: str) -> str:
    return f"{SITE}/sections/{quote(num, safe='')}"


def _section(root: Element, path: Path, ids: _Ids) -> Section:
    where = str(path)
    num = _first(root, NUM)
    if not num:
        raise BilldiffError("section has no <num>", where=where,
                            fix="every DC Code section file has a <num>")
    heading = _first(root, HEADING) or None
    reason = _first(root, REASON) or None
    ident = ids.take(f"sec_{_safe_id(num)}", where)
    text, children = _body(root, ident, num, ids, where)
    url = _section_url(num)
    notes = _notes(root)
    if not text and not children:
        return Section(
            id=ident, number=num, heading=heading,
            status=TextStatus.OFFICIAL if heading else TextStatus.MISSING, source_url=url,
            note="the official DC Code XML has a heading and no text for this section"
            + (f" ({reason})" if reason else ""),
            notes=notes,
        )
    return Section(
        id=ident, number=num, heading=heading, text=text, status=TextStatus.OFFICIAL,
        note=reason, source_url=url, notes=notes, children=tuple(children),
    )


# --------------------------------------------------------------------------------------------
# The importer


def _restatus(sections: tuple[Section, ...], status: TextStatus) -> tuple[Section, ...]:
    """*sections* with every ``official`` status (theirs and their children's) as *status*."""
    return tuple(s.model_copy(update={
        "status": status if s.status is TextStatus.OFFICIAL else s.status,
        "children": _restatus(s.children, status)}) for s in sections)


def import_dc_xml(path: Path, doc_id: str, *, official: bool = True,
                  status: TextStatus | str | None = None,
                  completeness: Completeness | str | None = None) -> Document:
    """Import a DC Code section file, title folder or title ``index.xml`` as a Document.

    *official* (default True: law-xml is the Council's own text) says whether the file is the
    official Code; when False the source is recorded as not official and the sections are
    ``single-source`` (or *status*: ``excerpt``, ``single-source``; ``official`` only with
    *official*).  *completeness* defaults to ``complete`` (a section file, or a title read
    whole).  See the module docstring.
    """
    from billdiff.importers.plain import import_completeness, import_status

    value = import_status(status, official)
    whole = import_completeness(completeness if completeness is not None
                                else Completeness.COMPLETE)
    path = Path(path)
    if not path.exists():
        raise BilldiffError("no such file or folder", where=str(path),
                            fix="give a section .xml file, a title folder or its index.xml")
    reader = _Reader()
    ids = _Ids()
    if path.is_dir() or path.name == "index.xml":
        index_path = path / "index.xml" if path.is_dir() else path
        if not index_path.is_file():
            raise BilldiffError(
                "folder has no index.xml", where=str(path),
                fix="give a DC Code title folder (index.xml + sections/) or one section file",
            )
        index = reader.parse(index_path, CONTAINER)
        files = _index_includes(index, index_path)
        planned = index_path.stat().st_size + sum(f.stat().st_size for f in files)
        if planned > MAX_TOTAL_BYTES:
            raise InputTooLarge(
                f"the title's files come to {planned:,} bytes, over the {MAX_TOTAL_BYTES:,}-byte "
                "limit", where=str(index_path), fix="import a smaller folder",
            )
        sections = tuple(_section(reader.parse(f, SECTION), f, ids) for f in files)
        prefix = _first(index, PREFIX) or "Title"
        num = _first(index, NUM)
        if not num:
            raise BilldiffError("index.xml has no <num>", where=str(index_path),
                                fix="a title's index.xml starts with its <num>")
        number = f"D.C. Code {prefix} {num}"
        title = _first(index, HEADING) or number
        url = f"{SITE}/titles/{quote(num, safe='')}"
        what = f"{prefix} {num} ({len(sections):,} sections, {reader.files:,} files)"
    else:
        root = reader.parse(path, SECTION)
        section = _section(root, path, ids)
        sections = (section,)
        number = f"D.C. Code § {section.number}"
        title = section.heading or number
        url = _section_url(section.number or "")
        what = f"§ {section.number}"
    notes = [
        "Text whitespace: runs of XML whitespace (pretty-printing) became one space; other "
        "characters kept exactly; <cite> and other inline markup flattened to their text.",
        "Chapter/subchapter containers of index.xml are not kept; sections keep their order.",
    ]
    if ids.clashes:
        notes.append("Duplicate ids disambiguated: " + "; ".join(ids.clashes))
    if value is not TextStatus.OFFICIAL:
        sections = _restatus(sections, value)
    summary = f"Imported from the DC Council's law-xml (DC Code XML): {what}."
    if not official:
        summary = (f"Imported from a file in the DC Council's law-xml format (DC Code XML): "
                   f"{what}; not stated to be the Council's official text.")
    try:
        return Document(
            id=doc_id,
            kind=DocumentKind.STATUTE,
            jurisdiction=JURISDICTION,
            number=number,
            title=title,
            official_url=url,
            provenance=Provenance(
                completeness=whole,
                summary=summary,
                sources=(SourceRef(
                    url=url,
                    description="Code of the District of Columbia, DC Council (law-xml)"
                    if official else "a copy in the format of the DC Council's law-xml",
                    official=official,
                ),),
                retrieved=None,
                checksum=reader.checksum,
                notes=" ".join(notes),
            ),
            sections=sections,
        )
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise BilldiffError(
            f"cannot build the document: {loc}: {first['msg']}", where=str(path),
            fix="document ids are lower-case letters, digits, '.', '_' and '-'"
            if loc == "id" else None,
        ) from err
