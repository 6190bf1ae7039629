"""Plain enumerated text (any statute or ordinance) -> :class:`~billdiff.model.Document`.

This module also holds the text machinery the Massachusetts bill importer builds on
(:mod:`billdiff.importers.ma_bill`): layout normalisation, rejoining wrapped lines into
paragraphs, and turning enumerated paragraphs (``(a)``, ``(1)``, ``(i)``, ``(A)``, definitions)
into a tree of sections with the project's hierarchical ids (``sec_220__subsec_a__para_1``).

Rules, in the order they apply:

- **Layout.** A UTF-8 BOM is dropped; CRLF and CR become LF; form feeds are page breaks; tabs,
  non-breaking and other fixed-width spaces become plain spaces; runs of spaces inside a line
  become one space (layout spacing, not words); leading and trailing spaces go.
- **Paragraphs.** A blank line always ends a paragraph.  Otherwise a printed line continues the
  paragraph above it unless the line above is visibly short (the first word of this line would
  have fitted on it: so the break was not a wrap) or this line opens a structure (``SECTION 1.``,
  ``(a)``, a definition) right after a line that ends a sentence or list item.  When the lines
  are long (typical width over 160 characters) every line is its own paragraph: the text was
  never wrapped.  A wrap becomes one space.
- **Hyphens at line ends** are conservative: ``surveil-`` + ``lance`` becomes ``surveillance``
  only when the next line starts in lower case AND ``surveillance`` occurs unbroken elsewhere in
  the same text AND the hyphenated form ``surveil-lance`` does not.  Otherwise the hyphen is kept
  and the halves are joined without a space (``semi-`` + ``automated`` -> ``semi-automated``):
  a wrongly kept hyphen is visible, a wrongly removed one silently changes a compound.
- **Structure.** Enumerators are read by sequence, not by a fixed ladder: an item whose
  predecessor is open (``(b)`` after ``(a)``) becomes its sibling; the first item of a series
  (``(a)``, ``(1)``, ``(i)``, ``(A)``) nests under the paragraph above it.  ``(i)`` is a letter
  when ``(h)`` is open and a roman numeral when it opens a list under a numbered paragraph (the
  same for ``(v)``/``(u)``/``(iv)`` and ``(x)``/``(w)``/``(ix)``).  Definitions (a paragraph
  opening with a quoted term: ``“Term”, meaning ...``) are children of the paragraph that
  introduces them.  A paragraph that carries no label is kept as its own section ``p_N`` under
  the section it follows: text is never dropped.
- **Text** of a section is exactly the words of its paragraph, label included.  A paragraph that
  opens with several labels (``Section 220. (a) As used ...``, ``(b)(1) The ...``) is split at
  the labels: ``Section 220.`` and ``(a) As used ...`` (the single space between them is the
  only thing not kept).

Every regular expression here is anchored at the start of a line, uses bounded repetition and
no nested quantifiers, so matching is linear in the input.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from billdiff import settings
from billdiff.errors import BilldiffError, InputTooLarge
from billdiff.files import read_limited
from billdiff.model import (
    ID_PATTERN,
    Completeness,
    Document,
    DocumentKind,
    LineSpan,
    Provenance,
    Section,
    SectionRole,
    SourceRef,
    TextStatus,
)

#: Largest text an importer accepts, in bytes (UTF-8).  Bills run to a few hundred KB.
MAX_INPUT_BYTES = 20_000_000
#: Bytes of a printed line that the document may not keep (its line number, a page marker):
#: allowed for when a text's size tells whether it can make a document file at all.
LAYOUT_BYTES_PER_LINE = 12

#: Typical line width of wrapped text when it cannot be estimated.
DEFAULT_WIDTH = 80
#: Deepest nesting of enumerated items; deeper "first items" become siblings instead.
MAX_DEPTH = 12
#: Above this typical width the text is taken as unwrapped: one paragraph per line.
UNWRAPPED_WIDTH = 160

_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_LINE_BREAKS = re.compile(r"\r\n|[\r\v\x85\u2028\u2029]")
_RULE = re.compile(r"[_=\-–—*.]{3,}")
_ENUM = re.compile(r"\(([A-Za-z]{1,6}|[0-9]{1,4}[A-Za-z]{0,2})\)(?=[\s(]|$)")
_DEFINITION = re.compile(r"[“\"]([^”\"\n]{1,200})[”\"](?=,|:|;| means\b| shall mean\b)")
_NUM = r"[0-9][0-9A-Za-z]{0,10}(?:[.\-–:/][0-9A-Za-z]{1,10}){0,6}"
_PLAIN_SECTION = re.compile(
    rf"(?:(?:SECTION|Section|SEC\.|Sec\.)\s{{1,3}}({_NUM})\.|§{{1,2}}\s{{0,3}}({_NUM})\.?)(?=\s|$)"
)
_TERMINAL = re.compile(r"(?:[.:;!?]|:-|: -|[.:;]”|[.:;]\"|;\s(?:and|or)|,\s(?:and|or))$")
_WORD = re.compile(r"[A-Za-z]+")
_ABBREVIATION = re.compile(
    r"(?:[A-Z]|Mr|Ms|Mrs|Messrs|No|Nos|St|Dr|Rep|Reps|Sen|Sens|Gen|Jr|Sr|Inc|Co|Corp|U\.S"
    r"|c|cc|ch|sec|secs|cl|par|subsec|subd|art|pp?|vol)\."
)
_COLUMN_GAP = re.compile(r"\S {2,}\S")
_ROW_DATE = re.compile(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$")
_ENACTING_CLAUSE = re.compile(r"Be it (?:enacted|ordained|resolved)\b", re.IGNORECASE)
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50}


# --------------------------------------------------------------------------- input


def check_size(n_bytes: int, where: str, limit: int = MAX_INPUT_BYTES) -> None:
    """Raise :class:`InputTooLarge` when *n_bytes* is over *limit*."""
    if n_bytes > limit:
        raise InputTooLarge(
            f"input is {n_bytes:,} bytes, over the {limit:,}-byte limit for imports",
            where=where,
            fix="split the document, or import only the part you need",
        )


def read_input(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of an input file, with the import's size limit (:func:`read_limited`)."""
    return read_limited(path, limit, limit_for=" for imports",
                        size_fix="split the document, or import only the part you need",
                        read_fix="check the path and its permissions")


def words_bytes(data: bytes | str) -> int:
    """A lower bound on what of *data* a document keeps: its bytes that are not whitespace,
    less :data:`LAYOUT_BYTES_PER_LINE` per line (line numbers and page markers are dropped).

    Counted at C speed (``bytes.count``), so it can run before any parsing.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    space = sum(raw.count(ch) for ch in (b" ", b"\t", b"\n", b"\r", b"\f", b"\v"))
    lines = raw.count(b"\n") + 1
    return max(0, len(raw) - space - LAYOUT_BYTES_PER_LINE * lines)


def check_document_bound(data: bytes | str, where: str) -> None:
    """Refuse a text that can only make a document over the corpus file limit.

    A document file holds every word of its text, so a text whose words alone
    (:func:`words_bytes`) are over ``BILLDIFF_MAX_FILE_BYTES`` could never be written or
    loaded: it is refused before it is parsed (a 19 MB text used to be parsed for 108 s, in
    2 GB, before the check on the finished document refused it).
    """
    limit = settings.max_file_bytes()
    words = words_bytes(data)
    if words > limit:
        raise InputTooLarge(
            f"the text has {words:,} bytes of words, so its document would be over the "
            f"{limit:,}-byte limit for corpus files", where=where,
            fix="import only the part you need, or raise BILLDIFF_MAX_FILE_BYTES")


def read_text_file(path: Path, limit: int = MAX_INPUT_BYTES) -> tuple[str, str, list[str]]:
    """Read *path* as text: ``(text, "sha256:...", notes)``.

    UTF-8 (with or without BOM) first; Windows-1252 as a fallback, with a note saying so.
    """
    where = str(path)
    data = read_input(path, limit)
    check_document_bound(data, where)
    checksum = "sha256:" + hashlib.sha256(data).hexdigest()
    notes: list[str] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as err:
            raise BilldiffError(
                f"not text: byte {err.start} cannot be read as UTF-8 or Windows-1252",
                where=where, fix="save the file as UTF-8 text (or import a PDF with --format pdf)",
            ) from err
        notes.append("The file was not UTF-8; it was read as Windows-1252.")
    return text, checksum, notes


def text_checksum(text: str) -> str:
    """``sha256:<hex>`` of *text* encoded as UTF-8."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def check_doc_id(doc_id: str) -> None:
    """Reject a document id the schema would refuse, with the rule in the message."""
    if not isinstance(doc_id, str) or len(doc_id) > 120 or not re.fullmatch(ID_PATTERN, doc_id):
        raise BilldiffError(
            f"invalid document id {doc_id!r}",
            fix="use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit",
        )


# --------------------------------------------------------------------------- lines


@dataclass
class Line:
    """One printed line after layout clean-up."""

    raw: str  #: the line with only line breaks removed (for column splitting)
    text: str  #: words of the line: number removed, spaces collapsed, stripped
    number: int | None = None  #: printed line number, when the text is line-numbered
    page: int | None = None  #: printed page number
    blank_before: bool = False  #: a blank line (or page break) came before this line
    page_start: bool = False  #: first line after a page break


def normalize_layout(text: str, where: str = "input") -> str:
    """Line breaks to LF, form feeds to their own line, BOM dropped; NUL rejected."""
    if "\x00" in text:
        raise BilldiffError("the text contains NUL bytes (a binary file?)", where=where,
                            fix="import a text or PDF file")
    check_size(len(text.encode("utf-8", "surrogatepass")), where)
    text = text.removeprefix("\ufeff")
    text = _LINE_BREAKS.sub("\n", text)
    return text.replace("\f", "\n\f\n")


def clean_line(raw: str) -> str:
    """Collapse layout spacing in one line and strip it."""
    return _SPACES.sub(" ", raw).strip()


def split_lines(text: str) -> list[Line]:
    """Printed lines with blank-line and page-break flags (no line-number handling)."""
    out: list[Line] = []
    blank = False
    page_break = False
    page = 1
    saw_ff = "\f" in text
    for raw in text.split("\n"):
        if raw == "\f":
            # a page break is layout, not a paragraph break: blank lines around it don't count
            page_break, blank = True, False
            page += 1
            continue
        cleaned = clean_line(raw)
        if not cleaned:
            blank = not page_break
            continue
        out.append(Line(raw=raw, text=cleaned, page=page if saw_ff else None,
                        blank_before=blank, page_start=page_break))
        blank = page_break = False
    return out


def typical_width(lines: Iterable[Line]) -> int:
    """The width the text was wrapped at: the 90th percentile of the longer lines."""
    lengths = sorted(len(line.text) for line in lines if len(line.text) >= 40)
    if not lengths:
        return DEFAULT_WIDTH
    return max(lengths[min(len(lengths) - 1, (len(lengths) * 9) // 10)], 40)


def is_rule(text: str) -> bool:
    """A line of underscores, dashes or dots only (a printed separator)."""
    return _RULE.fullmatch(text) is not None


def opens_structure(text: str) -> bool:
    """Does a line start a section, an enumerated item or a definition?"""
    return bool(_PLAIN_SECTION.match(text) or _ENUM.match(text) or _DEFINITION.match(text))


def section_label(text: str) -> str | None:
    """The number of a section heading line (``Section 220.`` -> ``220``), else None."""
    match = _PLAIN_SECTION.match(text)
    return (match.group(1) or match.group(2)) if match else None


def vocabulary(lines: Iterable[Line]) -> set[str]:
    """Lower-case words and hyphenated words seen whole (not at a line end) in the text."""
    words: set[str] = set()
    for line in lines:
        tokens = line.text.split(" ")
        for i, token in enumerate(tokens):
            if i == len(tokens) - 1 and token.endswith("-"):
                continue  # a line-end fragment is no evidence
            word = token.strip("“”\"'‘’()[],.;:!?").lower()
            if word:
                words.add(word)
    return words


@dataclass
class Paragraph:
    """Printed lines joined into one paragraph."""

    text: str
    lines: list[Line] = field(default_factory=list)
    #: where each of *lines* begins in *text* (character offsets; the first 0)
    starts: list[int] = field(default_factory=list)


def join_paragraphs(lines: list[Line], *, width: int | None = None, items: bool = False
                    ) -> list[Paragraph]:
    """Rejoin wrapped lines into paragraphs (see the module docstring for the rules).

    With *items* (cover pages: one short item after another) a line that ends a sentence
    (``.``, ``:``, ``;``, ``]``, not an abbreviation such as ``Ms.`` or ``No.``) also ends the
    paragraph when the next line starts with a capital, a quote, a bracket or a parenthesis.
    """
    if not lines:
        return []
    width = width or typical_width(lines)
    unwrapped = width > UNWRAPPED_WIDTH
    vocab = vocabulary(lines)
    paragraphs: list[Paragraph] = []
    for line in lines:
        current = paragraphs[-1] if paragraphs else None
        if current is None or line.blank_before or unwrapped:
            paragraphs.append(Paragraph(line.text, [line], [0]))
            continue
        if _breaks_between(current.lines[-1], line, width, items):
            paragraphs.append(Paragraph(line.text, [line], [0]))
            continue
        current.text = _join(current.text, line.text, vocab)
        current.lines.append(line)
        # the line's words always end the joined text (after one space, or none at a hyphen)
        current.starts.append(len(current.text) - len(line.text))
    return paragraphs


def _is_table_row(line: Line) -> bool:
    """A row of a table: cells split by ``|`` or by a run of spaces, ending in a date."""
    return "|" in line.text or (
        _COLUMN_GAP.search(line.raw.strip()) is not None
        and _ROW_DATE.search(line.text) is not None)


def _ends_sentence(text: str) -> bool:
    if _TERMINAL.search(text) is None:
        return text.endswith("]")
    last = text.rsplit(" ", 1)[-1].lstrip("(“\"[")
    return _ABBREVIATION.fullmatch(last) is None


def _breaks_between(before: Line, after: Line, width: int, items: bool = False) -> bool:
    prev, nxt = before.text, after.text
    if is_rule(prev) or is_rule(nxt) or _is_table_row(before) or _is_table_row(after):
        return True
    first_word = nxt.split(" ", 1)[0]
    if len(prev) + 1 + len(first_word) < width * 0.9:
        return True  # the next word would have fitted: the line ended on purpose
    if not _ends_sentence(prev):
        return False
    if items and (nxt[:1].isupper() or nxt[:1] in "“\"[("):
        return True
    if opens_structure(nxt):
        return True
    # a quoted term after "meanings:" starts a definition (even one cut short); after ":-"
    # a quote is usually inserted words that run on ("the following words:- “...”")
    return nxt[:1] in "“\"" and not prev.endswith(("-", ",")) and prev[-1:] in ".:;"


def _join(left: str, right: str, vocab: set[str]) -> str:
    if left.endswith("-") and len(left) >= 2 and left[-2].isalpha() and right[:1].isalpha():
        head = left.rsplit(" ", 1)[-1][:-1].lstrip("“\"'‘(")
        tail = _WORD.match(right)
        if right[:1].islower() and tail and head.isalpha():
            whole = (head + tail.group()).lower()
            hyphenated = f"{head}-{tail.group()}".lower()
            if whole in vocab and hyphenated not in vocab:
                return left[:-1] + right
        return left + right  # keep the hyphen: a compound such as "semi-automated"
    return f"{left} {right}"


# --------------------------------------------------------------------------- enumerators


def roman_value(label: str) -> int | None:
    """Value of a lower-case roman numeral up to 89 (``i`` .. ``lxxxix``), else None."""
    if not label or any(ch not in _ROMAN_VALUES for ch in label):
        return None
    total = 0
    for i, ch in enumerate(label):
        value = _ROMAN_VALUES[ch]
        if i + 1 < len(label) and _ROMAN_VALUES[label[i + 1]] > value:
            total -= value
        else:
            total += value
    return total if to_roman(total) == label else None


def to_roman(value: int) -> str:
    """Lower-case roman numeral for 1..89."""
    out = []
    for number, glyph in ((50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"),
                          (1, "i")):
        while value >= number:
            out.append(glyph)
            value -= number
    return "".join(out)


def _letter_key(label: str) -> int | None:
    """``a`` -> 1 .. ``z`` -> 26, ``aa`` -> 27 ...: repeated single letters only."""
    if not label.isalpha() or len(set(label.lower())) != 1:
        return None
    return (len(label) - 1) * 26 + ord(label[0].lower()) - ord("a") + 1


@dataclass(frozen=True)
class Reading:
    """One reading of an enumerator label: its kind, series and place in the series."""

    kind: str  #: subsec, para, clause, subpara
    series: str  #: lower, digit, roman, upper
    key: int
    suffix: str = ""  #: the letters after a number (``1A``)


def readings(label: str) -> list[Reading]:
    """Every way *label* can be read (``i`` is a letter and a roman numeral)."""
    if label[0].isdigit():
        digits = re.match(r"[0-9]+", label)
        assert digits is not None
        return [Reading("para", "digit", int(digits.group()), label[digits.end():])]
    out: list[Reading] = []
    if label.islower():
        letter = _letter_key(label)
        if letter is not None:
            out.append(Reading("subsec", "lower", letter))
        roman = roman_value(label)
        if roman is not None:
            out.append(Reading("clause", "roman", roman))
    elif label.isupper():
        letter = _letter_key(label)
        if letter is not None:
            out.append(Reading("subpara", "upper", letter))
    return out


# --------------------------------------------------------------------------- tree


@dataclass(eq=False)  # compared by identity: the stack holds the very nodes of the tree
class Node:
    """A section while the tree is being built."""

    id: str
    number: str | None
    text: str
    kind: str  #: bill, section, subsec, para, clause, subpara, def, p
    level: int = 0
    series: str | None = None
    key: int = 0
    suffix: str = ""
    heading: str | None = None
    span: LineSpan | None = None
    children: list[Node] = field(default_factory=list)
    paragraphs: int = 0  #: unlabelled children so far (for p_N ids)


def span_of(lines: list[Line]) -> LineSpan | None:
    """The printed lines of a paragraph: the numbered lines on the page it starts on."""
    numbered = [line for line in lines if line.number is not None]
    if not numbered:
        return None
    first = numbered[0]
    same_page = [line.number for line in numbered
                 if line.page == first.page and line.number is not None
                 and line.number >= (first.number or 1)]
    assert first.number is not None
    return LineSpan(start=first.number, end=max(same_page, default=first.number), page=first.page)


def piece_span(paragraph: Paragraph, begin: int, end: int) -> LineSpan | None:
    """The printed lines of ``paragraph.text[begin:end]``, with where each begins in that piece.

    Offsets are recorded when every printed line of the piece is numbered and the numbers run
    on (one missing number is tolerated: its line gets an empty slice).  Otherwise (unnumbered
    lines in between, numbering restarting on a new page) the span is that of :func:`span_of`,
    without offsets.
    """
    lines, starts = paragraph.lines, paragraph.starts
    if len(starts) != len(lines):
        return span_of(lines)
    covered: list[tuple[Line, int]] = []
    for i, line in enumerate(lines):
        line_end = starts[i + 1] if i + 1 < len(lines) else len(paragraph.text)
        if starts[i] < end and line_end > begin:
            covered.append((line, max(starts[i], begin) - begin))
    if not covered:
        return None
    numbers = [line.number for line, _ in covered]
    if any(n is None for n in numbers):
        return span_of([line for line, _ in covered])
    offsets: list[int] = [covered[0][1]]
    previous = covered[0][0].number
    assert previous is not None
    for line, offset in covered[1:]:
        assert line.number is not None
        step = line.number - previous
        if step not in (1, 2):
            return span_of([line for line, _ in covered])
        offsets.extend([offset] * step)  # a missing number's line is empty
        previous = line.number
    first = covered[0][0]
    assert first.number is not None
    return LineSpan(start=first.number, end=previous, page=first.page, offsets=tuple(offsets))


def slug(text: str, limit: int = 60) -> str:
    """Lower case, every run of non-alphanumerics one hyphen: ``Biometric surveillance``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return out[:limit].strip("-") or "term"


def _id_part(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-") or "x"


class TreeBuilder:
    """Turns classified paragraphs into nested sections.

    In *bill* mode (Massachusetts bills) ``SECTION 1.`` is a bill section and ``Section 220.``
    a section it inserts; in plain mode both are top-level sections.
    """

    def __init__(self, *, bill_mode: bool) -> None:
        self.bill_mode = bill_mode
        self.roots: list[Node] = []
        self.stack: list[Node] = []
        self.used: set[str] = set()
        self.suffixes: dict[str, int] = {}
        self.top_paragraphs = 0

    # ids ---------------------------------------------------------------
    def _unique(self, wanted: str, parent: Node | None) -> str:
        candidate = wanted
        if candidate in self.used and parent is not None and not wanted.startswith(parent.id):
            candidate = f"{parent.id}__{wanted}"
        base = candidate
        while candidate in self.used:  # amortised O(1): each base remembers its next suffix
            self.suffixes[base] = self.suffixes.get(base, 1) + 1
            candidate = f"{base}_{self.suffixes[base]}"
        if len(candidate) > 300:
            digest = hashlib.sha256(candidate.encode()).hexdigest()[:12]
            candidate = f"{candidate[:280]}_{digest}"
        self.used.add(candidate)
        return candidate

    def _attach(self, node: Node, parent: Node | None) -> None:
        (parent.children if parent is not None else self.roots).append(node)

    # paragraphs --------------------------------------------------------
    def add(self, paragraph: Paragraph) -> None:
        """Place one paragraph (possibly several nodes when it opens with several labels)."""
        text = paragraph.text
        base = 0  # where *text* begins in the paragraph

        def span(piece: str) -> LineSpan | None:
            return piece_span(paragraph, base, base + len(piece))

        section = _PLAIN_SECTION.match(text)
        if section:
            rest = text[section.end():].lstrip(" ")
            split = bool(rest) and _ENUM.match(rest) is not None
            own = text[: section.end()] if split else text
            label = section.group(1) or section.group(2)
            self._add_section(text, label, own, span(own))
            if not split:
                return
            base += len(text) - len(rest)
            text = rest
        while True:
            enum = _ENUM.match(text)
            if enum is None:
                break
            rest = text[enum.end():].lstrip(" ")
            chained = bool(rest) and _ENUM.match(rest) is not None
            piece = text[: enum.end()] if chained else text
            if not self._add_enum(enum.group(1), piece, span(piece)):
                break  # not an enumerator we can read: keep the rest as a paragraph
            if not chained:
                return
            base += len(text) - len(rest)
            text = rest
        definition = _DEFINITION.match(text)
        if definition and definition.group(1).strip():
            self._add_definition(definition.group(1).strip(), text, span(text))
            return
        self._add_paragraph(text, span(text))

    def _add_section(self, text: str, label: str, own: str, span: LineSpan | None) -> None:
        is_bill = self.bill_mode and text.startswith("SECTION")
        if is_bill or not self.bill_mode:
            self.stack.clear()
            parent = None
        else:
            self.stack[:] = [n for n in self.stack[:1] if n.kind == "bill"]
            parent = self.stack[0] if self.stack else None
        number = f"SECTION {label}" if is_bill else label
        if not self.bill_mode:
            number = label
        node = Node(id=self._unique(f"sec_{_id_part(label)}", parent), number=number, text=own,
                    kind="bill" if is_bill else "section", level=len(self.stack), span=span)
        self._attach(node, parent)
        self.stack.append(node)

    def _add_enum(self, label: str, text: str, span: LineSpan | None) -> bool:
        options = readings(label)
        if not options:
            return False
        choice, sibling_of = self._place(options)
        if sibling_of is not None:
            del self.stack[self.stack.index(sibling_of):]
        parent = self.stack[-1] if self.stack else None
        prefix = f"{parent.id}__" if parent else ""
        number = f"{parent.number}({label})" if parent and parent.number else f"({label})"
        node = Node(id=self._unique(f"{prefix}{choice.kind}_{_id_part(label)}", None),
                    number=number, text=text, kind=choice.kind, series=choice.series,
                    key=choice.key, suffix=choice.suffix, span=span)
        self._attach(node, parent)
        self.stack.append(node)
        return True

    def _place(self, options: list[Reading]) -> tuple[Reading, Node | None]:
        """Pick the reading of a label and the open node it follows (None: nest under top)."""
        top = self.stack[-1] if self.stack else None
        firsts = [o for o in options if o.key == 1 and not o.suffix]
        # 0. a paragraph ending in ":" introduces a list: its first item nests under it, so
        #    "(h)(1) ... the following:" then "(i)" is a roman clause, not subsection (i)
        if top is not None and top.text.endswith((":", ":-", ": -", "—")):
            for option in firsts:
                if option.series != top.series:
                    return option, self._deepest_allowed()
        # 1. a reading whose predecessor is open: the nearest one wins
        for node in reversed(self.stack):
            for option in options:
                if node.series == option.series and _follows(node, option):
                    return option, node
        # 2. the first item of a series opens a list under the paragraph above
        for option in firsts:
            return option, self._deepest_allowed()
        # 3. a gap in a series: sibling of the nearest open item of the same series
        for node in reversed(self.stack):
            for option in options:
                if node.series == option.series:
                    return option, node
        return options[0], None

    def _deepest_allowed(self) -> Node | None:
        """None (nest under the top) unless that would nest deeper than MAX_DEPTH."""
        return self.stack[-1] if len(self.stack) >= MAX_DEPTH else None

    def _add_definition(self, term: str, text: str, span: LineSpan | None) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].kind == "def":
                del self.stack[i:]
                break
        parent = self.stack[-1] if self.stack else None
        prefix = f"{parent.id}__" if parent else ""
        number = f'{parent.number} "{term}"' if parent and parent.number else f'"{term}"'
        node = Node(id=self._unique(f"{prefix}def_{slug(term)}", None), number=number, text=text,
                    kind="def", span=span)
        self._attach(node, parent)
        self.stack.append(node)

    def _add_paragraph(self, text: str, span: LineSpan | None) -> None:
        parent = self.stack[-1] if self.stack else None
        if parent is not None:
            parent.paragraphs += 1
            wanted = f"{parent.id}__p_{parent.paragraphs}"
        else:
            self.top_paragraphs += 1
            wanted = f"p_{self.top_paragraphs}"
        self._attach(Node(id=self._unique(wanted, None), number=None, text=text, kind="p",
                          span=span), parent)

    # output ------------------------------------------------------------
    def sections(self, status: TextStatus) -> tuple[Section, ...]:
        """The finished tree as schema sections."""
        return tuple(to_section(node, status) for node in self.roots)


def _follows(node: Node, option: Reading) -> bool:
    if option.series == "digit":
        if option.suffix:
            return node.key == option.key and node.suffix < option.suffix
        return node.key == option.key - 1
    return node.key == option.key - 1


def to_section(node: Node, status: TextStatus) -> Section:
    """Build the schema section of *node* and its children (depth is bounded by the builder)."""
    return Section(
        id=node.id,
        number=node.number,
        heading=node.heading,
        text=node.text,
        status=status,
        lines=node.span,
        children=tuple(to_section(child, status) for child in node.children),
    )


# --------------------------------------------------------------------------- documents


def today() -> str:
    """Today's date, ISO."""
    return date.today().isoformat()


def build_document(fields: dict[str, object], where: str) -> Document:
    """Validate a document, turning a schema error into a :class:`BilldiffError`."""
    try:
        return Document.model_validate(fields)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(part) for part in first["loc"])
        raise BilldiffError(f"the imported document is not valid: {loc}: {first['msg']}",
                            where=where, fix="report this input as an importer bug") from err


def clip(text: str, limit: int = 2000) -> str:
    """*text* cut to *limit* characters (schema short-text fields)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_plain(
    text: str,
    doc_id: str,
    *,
    source_url: str | None = None,
    source_description: str = "plain text import",
    checksum: str | None = None,
    kind: DocumentKind | str = DocumentKind.STATUTE,
    jurisdiction: str = "unspecified",
    title: str | None = None,
    number: str | None = None,
    status: TextStatus | None = None,
    retrieved: str | None = None,
    notes: Iterable[str] = (),
    official: bool | None = None,
    summary: str | None = None,
) -> Document:
    """Parse plain enumerated text into a :class:`Document` (kind ``statute`` by default).

    Lines starting ``Section N.``, ``SECTION N.``, ``Sec. N.`` or ``§ N`` become top-level
    sections (``sec_N``); ``(a)``/``(1)``/``(i)``/``(A)`` nest under them; other paragraphs are
    kept as ``p_N`` sections.  A first short paragraph that opens no structure is the title
    (section ``title``), and a top-level paragraph ``Be it enacted`` (``ordained``,
    ``resolved``) the enacting clause: both are front matter (``role: front-matter``).
    *source_url* is required: every document names where its text came from.

    Nothing is official unless the caller says so (:func:`official_and_status`): by default the
    source is not official and every section is ``single-source``; *official* alone makes them
    ``official``, *status* alone says whether the source is (``official`` or not).  Raises
    :class:`BilldiffError` for anything it cannot turn into a valid document.
    """
    where = doc_id if isinstance(doc_id, str) else "input"
    check_doc_id(doc_id)
    is_official, status = official_and_status(official, status)
    if not source_url:
        raise BilldiffError("no source URL for the imported text", where=where,
                            fix="pass --source-url with the address the text came from")
    check_document_bound(text, where)
    lines = split_lines(normalize_layout(text, where))
    if not lines:
        raise BilldiffError("the text is empty", where=where, fix="import a file with text in it")
    builder = TreeBuilder(bill_mode=False)
    paragraphs = join_paragraphs(lines)
    first = paragraphs[0].text
    head: tuple[Section, ...] = ()
    if title is None and len(paragraphs) > 1 and not opens_structure(first) and len(first) < 300:
        title = first.rstrip(".")
        head = (Section(id="title", text=first, status=status, role=SectionRole.FRONT_MATTER),)
        paragraphs = paragraphs[1:]
    for paragraph in paragraphs:
        builder.add(paragraph)
    body = tuple(
        s.model_copy(update={"role": SectionRole.FRONT_MATTER})
        if s.id.startswith("p_") and _ENACTING_CLAUSE.match(s.text) else s
        for s in builder.sections(status))
    fields: dict[str, object] = {
        "id": doc_id,
        "kind": DocumentKind(kind).value,
        "jurisdiction": clip(jurisdiction),
        "number": clip(number or doc_id),
        "title": clip(title or number or doc_id),
        "provenance": provenance(
            source_url, source_description, checksum or text_checksum(text), retrieved,
            official=is_official, summary=summary),
        "notes": tuple(notes),
        "sections": head + body,
    }
    return build_document(fields, where)


def official_and_status(official: bool | None,
                        status: TextStatus | str | None) -> tuple[bool, TextStatus]:
    """Whether a parsed text's source is official, and its sections' status.

    Neither given: not official, ``single-source`` (an import claims nothing it was not told).
    *status* alone: the source is official when the status is ``official``.  *official*
    alone: ``official`` or ``single-source`` (:func:`import_status`).
    """
    if official is None:
        official = status is not None and TextStatus(status) is TextStatus.OFFICIAL
    return official, import_status(status, official)


def provenance(url: str, description: str, checksum: str, retrieved: str | None, *,
               official: bool, summary: str | None = None,
               extra: Iterable[SourceRef] = (), notes: Iterable[str] = ()) -> Provenance:
    """Provenance of an imported text: complete, from *url*, with checksum and date."""
    try:
        source = SourceRef(url=url, description=clip(description or "imported text"),
                           official=official)
    except ValidationError as err:
        raise BilldiffError(f"invalid source URL {url!r}",
                            fix="give an http:// or https:// address") from err
    return Provenance(
        completeness=Completeness.COMPLETE,
        summary=clip(summary or f"Imported by billdiff from {description}"),
        sources=(source, *extra),
        retrieved=retrieved or today(),
        checksum=checksum,
        notes=" ".join(notes) or None,
    )


# --------------------------------------------------------------------------- local files


def import_status(status: TextStatus | str | None, official: bool) -> TextStatus:
    """The section status of an import: *status* if given, else ``official`` for an official
    text and ``single-source`` for one the user says is not official.

    ``missing`` (an import has text) and ``official`` for an unofficial file are refused.
    """
    if status is None:
        return TextStatus.OFFICIAL if official else TextStatus.SINGLE_SOURCE
    try:
        value = TextStatus(status)
    except ValueError:
        value = TextStatus.MISSING  # refused just below
    if value is TextStatus.MISSING:
        raise BilldiffError(f"invalid section status {status!r} for an import",
                            fix="use official, excerpt or single-source")
    if value is TextStatus.OFFICIAL and not official:
        raise BilldiffError(
            "section status 'official' needs the official text, but the file is not said to be "
            "official", fix="choose status excerpt or single-source, or pass --official")
    return value


def import_completeness(completeness: Completeness | str) -> Completeness:
    """``complete`` or ``partial`` (an imported file has text, so never ``none``)."""
    try:
        value = Completeness(completeness)
    except ValueError:
        value = Completeness.NONE
    if value is Completeness.NONE:
        raise BilldiffError(f"invalid completeness {completeness!r} for an import",
                            fix="use complete or partial")
    return value


def file_provenance(document: Document, name: str, *, official: bool,
                    completeness: Completeness | str = Completeness.PARTIAL,
                    retrieved: str | None = None, detail: str = "",
                    imported: str | None = None) -> Document:
    """*document* with a provenance that claims no more than billdiff knows of a local file.

    The one source is the file: ``local file NAME, imported by billdiff on DATE``, its URL the
    one the parser settled on (the address given by the user, else the bill's official page),
    ``official`` only when the user says the file is the official text.  ``retrieved`` is left
    out unless given (billdiff cannot know when the file was downloaded); the checksum (of the
    file's bytes) and the parser's notes are kept.
    """
    old = document.provenance
    on = imported or today()
    description = f"local file {name}, imported by billdiff on {on}"
    if detail:
        description += f" ({detail})"
    value = import_completeness(completeness)
    said = ("stated by the importer to be the official text" if official
            else "not stated to be the official text")
    summary = f"Imported by billdiff on {on} from the local file {name}, {said}"
    if value is Completeness.PARTIAL:
        summary += "; the file holds only part of the document"
    source = SourceRef(url=old.sources[0].url, description=clip(description), official=official,
                       used_for="text")
    new = Provenance(completeness=value, summary=clip(summary), sources=(source,),
                     retrieved=retrieved, checksum=old.checksum, notes=old.notes)
    return document.model_copy(update={"provenance": new})


def import_plain(path: Path, doc_id: str, *, source_url: str | None = None,
                 official: bool = False, completeness: Completeness | str = Completeness.PARTIAL,
                 status: TextStatus | str | None = None, retrieved: str | None = None,
                 **options: object) -> Document:
    """Import a plain-text file (see :func:`parse_plain`); the checksum is of the file's bytes.

    Nothing is claimed that the caller does not say: *official* (default False) is the user's
    word that the file is the official text; *completeness* is ``partial`` (default) or
    ``complete`` (the user's word that the file holds the whole document); *status* is every
    section's status (default ``single-source``, or ``official`` with *official*).  See
    :func:`file_provenance`.
    """
    path = Path(path)
    value = import_status(status, official)
    text, checksum, notes = read_text_file(path)
    document = parse_plain(text, doc_id, source_url=source_url,
                           source_description=f"plain text file {path.name}", checksum=checksum,
                           notes=notes, status=value, official=official,
                           **options)  # type: ignore[arg-type]
    return file_provenance(document, path.name, official=official, completeness=completeness,
                           retrieved=retrieved)
