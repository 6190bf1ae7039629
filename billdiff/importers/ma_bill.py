"""Massachusetts bill text -> :class:`~billdiff.model.Document`.

Reads bills as the Legislature publishes them and as text comes out of its PDFs: the docket
cover page and petitioner table, the pinslip, the General Court heading, the title, the enacting
clause, then the line-numbered body (``SECTION 1.`` amending instructions, the inserted
``Section 220.`` and its enumerations).  Layout (line numbers, page markers, wraps) is removed;
the words are kept exactly (see :mod:`billdiff.importers.plain` for the paragraph rules).

**Line numbers.** Bodies are numbered at line starts, with or without a space (``2hereby``).  A
leading run of digits is a line number only when it continues the sequence: a numbering starts
where a line begins with ``n`` and the next line with ``n+1``; after that each line must begin
with the next number (one missing number is tolerated), and after a page break the count may
restart at 1.  So ``12020 Official Edition`` on line 1 is ``1`` + ``2020 ...``, and a line that
merely starts with a figure (``10 days``) in unnumbered text is left alone.

**Pages.** ``N of M`` lines are page markers.  The Legislature prints them at the foot of each
page, so lines before a marker are on page N; if the text opens with a marker, markers are read
as page headers instead.  Without markers, form feeds count pages.

**Front matter** becomes sections ``cover`` (docket/report page lines, in order), ``petition``
(the petitioner table), ``pinslip`` (the "By ..." referral and any similar-matter note),
``court`` ("The Commonwealth of Massachusetts / In the ... General Court / (years)" just before
the title), ``title`` and ``enacting``.  Front-matter items are joined with a newline.

**Lines for ``show --lines``.** The schema keeps no raw lines, so each section records the
printed lines of its own text (not its children's) in ``lines``; :func:`sections_in_lines`
returns the sections that overlap a range, in document order, and :func:`format_lines` prints
them with their spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from billdiff.errors import BilldiffError
from billdiff.importers.plain import (
    Line,
    Paragraph,
    TreeBuilder,
    build_document,
    check_doc_id,
    clip,
    is_rule,
    join_paragraphs,
    normalize_layout,
    opens_structure,
    provenance,
    read_text_file,
    split_lines,
    text_checksum,
    typical_width,
)
from billdiff.model import Document, DocumentKind, Section, Sponsor, TextStatus, iter_sections

JURISDICTION = "Commonwealth of Massachusetts"
SITE = "https://malegislature.gov"

_PAGE_MARKER = re.compile(r"(?:Page )?([0-9]{1,4}) of ([0-9]{1,4})")
_DIGITS = re.compile(r"[0-9]{1,7}")
_DOCKET = re.compile(r"(SENATE|HOUSE) DOCKET, NO\. ?([0-9]{1,6})")
_NUMBER = re.compile(r"(SENATE|HOUSE)[ .]{0,200}No\. ?([0-9]{1,6})$")
_FILED = re.compile(r"FILED ON: ?([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_COURT = re.compile(r"In the ([A-Za-z -]{3,80}) General Court$")
_YEARS = re.compile(r"\(([0-9]{4})-([0-9]{4})\)$")
_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
_COMMITTEE = re.compile(r"The committee on ([^,]{1,200}), to whom")
_TITLE = re.compile(r"(?:An Act|A Resolve|Resolve|An Order)\b")
_ENACTING = re.compile(r"Be it (?:enacted|resolved)\b")
_PINSLIP = re.compile(r"By (?:Mr\.|Ms\.|Mrs\.|Miss|Representatives?|Senators?|the |[A-Z])")
_MA_MARKERS = re.compile(
    r"^(?:(?:SENATE|HOUSE) DOCKET, NO\.|(?:SENATE|HOUSE)[ .]{0,200}No\. ?[0-9]"
    r"|The Commonwealth of Massachusetts|In the [A-Za-z -]{3,80} General Court"
    r"|Be it enacted by the Senate and House of Representatives)",
    re.MULTILINE,
)

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
    "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90,
}


def looks_like_ma_bill(text: str) -> bool:
    """Does *text* carry the Legislature's cover-page or enacting-clause markers?"""
    return _MA_MARKERS.search(text[:200_000]) is not None


def ordinal_number(words: str) -> int | None:
    """``One Hundred and Ninety-Fourth`` -> 194 (None if not an ordinal in words)."""
    total = current = 0
    for word in re.split(r"[ -]+", words.lower()):
        if word in ("and", ""):
            continue
        if word in ("hundred", "hundredth"):
            current = max(current, 1) * 100
        elif word in _UNITS:
            current += _UNITS[word]
        else:
            return None
    total += current
    return total or None


def ordinal_suffix(n: int) -> str:
    """194 -> ``194th``, 192 -> ``192nd``."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def session_name(court: int, first_year: int | None = None) -> str:
    """``194th General Court (2025-2026)``; the years follow from the court number."""
    first = first_year or 2 * court + 1637
    return f"{ordinal_suffix(court)} General Court ({first}-{first + 1})"


def court_years(court: int) -> tuple[int, int]:
    """The two calendar years of a General Court (the 194th sat in 2025-2026)."""
    return 2 * court + 1637, 2 * court + 1638


def _iso(month: str, day: str, year: str) -> str | None:
    m, d = int(month), int(day)
    return f"{int(year):04d}-{m:02d}-{d:02d}" if 1 <= m <= 12 and 1 <= d <= 31 else None


# --------------------------------------------------------------------------- layout


def _assign_pages(lines: list[Line], markers: list[tuple[int, int]]) -> None:
    """Give each line its printed page from the ``N of M`` markers (see module docstring).

    *markers* holds ``(index of the first line after the marker, N)``.
    """
    if not markers:
        return
    header_style = markers[0][0] == 0
    start = 0
    if header_style:
        for i, (at, page) in enumerate(markers):
            end = markers[i + 1][0] if i + 1 < len(markers) else len(lines)
            for line in lines[at:end]:
                line.page = page
        return
    for at, page in markers:
        for line in lines[start:at]:
            line.page = page
        start = at
    last = markers[-1][1] + 1
    for line in lines[start:]:
        line.page = last


def printed_lines(text: str, where: str = "input") -> list[Line]:
    """The content lines of *text*: page markers removed, pages and line numbers read."""
    lines: list[Line] = []
    markers: list[tuple[int, int]] = []
    for line in split_lines(normalize_layout(text, where)):
        marker = _PAGE_MARKER.fullmatch(line.text)
        if marker:
            markers.append((len(lines), int(marker.group(1))))
            continue
        if markers and markers[-1][0] == len(lines):
            line.page_start = True  # the blank lines around a page marker are layout
            line.blank_before = False
        lines.append(line)
    _assign_pages(lines, markers)
    _read_line_numbers(lines)
    return lines


def _leading_digits(line: Line) -> str | None:
    match = _DIGITS.match(line.text)
    return match.group() if match else None


def _strip_number(line: Line, number: int) -> None:
    rest = line.text[len(str(number)):].lstrip(" ")
    line.number = number
    line.text = rest


def _read_line_numbers(lines: list[Line]) -> None:
    """Strip printed line numbers that form a sequence (see module docstring)."""
    expected: int | None = None
    for i, line in enumerate(lines):
        digits = _leading_digits(line)
        if digits is None:
            continue
        if expected is not None:
            for candidate in (expected, expected + 1):
                if digits.startswith(str(candidate)):
                    _strip_number(line, candidate)
                    expected = candidate + 1
                    break
            else:
                if (line.page_start and digits.startswith("1")
                        and _next_starts_with(lines, i, 2, confirm=False)):
                    _strip_number(line, 1)
                    expected = 2
            continue
        for size in range(len(digits), 0, -1):
            head = digits[:size]
            if head.startswith("0"):
                continue
            value = int(head)
            rest = line.text[size:]
            if rest[:1] in (".", ")", "/", ":", ",") or not rest.strip():
                continue  # "1. Item", "1/13/2025", a bare figure: not a line number
            if _next_starts_with(lines, i, value + 1):
                _strip_number(line, value)
                expected = value + 1
                break


def _next_starts_with(lines: list[Line], i: int, value: int, *, confirm: bool = True) -> bool:
    """Does line *i* + 1 start with *value* (and, with *confirm*, line *i* + 2 with the next)?"""
    for offset, expected in ((1, value), (2, value + 1))[: 2 if confirm else 1]:
        if i + offset >= len(lines):
            return False
        digits = _leading_digits(lines[i + offset])
        if digits is None or not digits.startswith(str(expected)):
            return False
    return True


# --------------------------------------------------------------------------- front matter


@dataclass
class Front:
    """Front-matter paragraphs sorted into their sections."""

    cover: list[Paragraph] = field(default_factory=list)
    petition: list[Paragraph] = field(default_factory=list)
    pinslip: list[Paragraph] = field(default_factory=list)
    court: list[Paragraph] = field(default_factory=list)
    title: list[Paragraph] = field(default_factory=list)
    enacting: list[Paragraph] = field(default_factory=list)


def _body_boundary(lines: list[Line], width: int, is_ma: bool) -> int:
    """Index of the first body line: the first numbered line, else the line after the enacting
    clause, else the first line that opens a section or an enumerated item (MA front matter
    without any of these is all front matter; other text is all body)."""
    for i, line in enumerate(lines):
        if line.number is not None:
            return i
    paragraphs = join_paragraphs(lines, width=width, items=True)
    consumed = 0
    enacting_end = None
    first_structure = None
    for paragraph in paragraphs:
        if _ENACTING.match(paragraph.text):
            enacting_end = consumed + len(paragraph.lines)
        elif first_structure is None and opens_structure(paragraph.text):
            first_structure = consumed
        consumed += len(paragraph.lines)
    if enacting_end is not None:
        return enacting_end
    if first_structure is not None:
        return first_structure
    return len(lines) if is_ma else 0


def _is_court_line(text: str) -> bool:
    return (is_rule(text) or text == "The Commonwealth of Massachusetts"
            or _COURT.match(text) is not None or _YEARS.match(text) is not None)


def _sort_front(paragraphs: list[Paragraph]) -> Front:
    front = Front()
    n = len(paragraphs)
    claimed = [False] * n
    end = n
    enacting = next((i for i in range(n - 1, -1, -1) if _ENACTING.match(paragraphs[i].text)), None)
    if enacting is not None:
        front.enacting = [paragraphs[enacting]]
        claimed[enacting] = True
        end = enacting
    title = None
    i = end - 1
    while i >= 0 and is_rule(paragraphs[i].text):
        i -= 1
    if i >= 0 and _TITLE.match(paragraphs[i].text):
        title = i
        front.title = [paragraphs[i]]
        claimed[i] = True
        end = i
    court_start = end
    if title is not None:
        j = end - 1
        while j >= 0 and _is_court_line(paragraphs[j].text):
            j -= 1
        run = range(j + 1, end)
        if any(_COURT.match(paragraphs[k].text) for k in run):
            court_start = j + 1
            front.court = [paragraphs[k] for k in run]
            for k in run:
                claimed[k] = True
    petition = next((k for k in range(court_start) if paragraphs[k].text.startswith("PETITION OF")),
                    None)
    pin_from = petition + 1 if petition is not None else 0
    pinslip = next((k for k in range(court_start - 1, pin_from - 1, -1)
                    if _PINSLIP.match(paragraphs[k].text) and not claimed[k]), None)
    if pinslip is not None:
        front.pinslip = paragraphs[pinslip:court_start]
        for k in range(pinslip, court_start):
            claimed[k] = True
    if petition is not None:
        stop = pinslip if pinslip is not None else court_start
        k = petition
        while k < stop and (k == petition or _is_petition_row(paragraphs[k].text)):
            front.petition.append(paragraphs[k])
            claimed[k] = True
            k += 1
    front.cover = [p for k, p in enumerate(paragraphs) if not claimed[k]]
    return front


def _is_petition_row(text: str) -> bool:
    return not (_DOCKET.match(text) or _NUMBER.match(text) or _PINSLIP.match(text)
                or text == "The Commonwealth of Massachusetts" or is_rule(text))


@dataclass
class Meta:
    """Metadata read from the front matter."""

    number: str | None = None
    chamber: str | None = None
    bill_no: str | None = None
    docket: str | None = None
    filed: str | None = None
    court: int | None = None
    years: tuple[int, int] | None = None
    title: str | None = None
    sponsors: list[Sponsor] = field(default_factory=list)


def _read_meta(front: Front) -> Meta:
    meta = Meta()
    every = front.cover + front.petition + front.pinslip + front.court
    for p in every:
        text = p.text
        if meta.docket is None and (m := _DOCKET.match(text)):
            meta.docket = f"{m.group(1).title()} Docket No. {m.group(2)}"
            if meta.chamber is None:
                meta.chamber = m.group(1)
        if meta.filed is None and (m := _FILED.search(text)):
            meta.filed = _iso(m.group(1), m.group(2), m.group(3))
        if meta.bill_no is None and (m := _NUMBER.match(text)):
            meta.chamber, meta.bill_no = m.group(1), m.group(2)
        if meta.court is None and (m := _COURT.match(text)):
            meta.court = ordinal_number(m.group(1))
        if meta.years is None and (m := _YEARS.match(text)):
            meta.years = (int(m.group(1)), int(m.group(2)))
    if meta.bill_no and meta.chamber:
        meta.number = f"{meta.chamber[0]}.{meta.bill_no}"
    titles = front.title or [p for p in front.cover if _TITLE.match(p.text)][:1]
    if titles:
        meta.title = clip(titles[0].text.rstrip(".").strip() or titles[0].text)
    meta.sponsors = _read_sponsors(front)
    return meta


def _split_row(line: Line) -> tuple[str, str | None, str | None] | None:
    raw = line.raw.replace("\u00a0", " ").strip()
    if "|" in raw:
        cells = [c.strip() for c in raw.split("|")]
    else:
        cells = [c.strip() for c in re.split(r"\t| {2,}", raw)]
    cells = [c for c in cells if c]
    if not cells:
        return None
    date = None
    if _DATE.fullmatch(cells[-1]):
        date = cells.pop()
    elif (m := _DATE.search(cells[-1])) and len(cells) == 1:
        date = m.group()
        cells[-1] = cells[-1][: m.start()].strip()
    if not cells or not cells[0]:
        return None
    district = " ".join(cells[1:]) or None
    iso = None
    if date and (m := _DATE.fullmatch(date)):
        iso = _iso(m.group(1), m.group(2), m.group(3))
    return clip(" ".join(cells[0].split())), district, iso


def _read_sponsors(front: Front) -> list[Sponsor]:
    presenters: list[str] = []
    cover = front.cover
    for i, p in enumerate(cover):
        if p.text.startswith("PRESENTED BY") and i + 1 < len(cover):
            names = re.split(r",\s*and\s+|\s+and\s+|,\s*", cover[i + 1].text)
            presenters = [n.strip() for n in names if n.strip()]
            break
    sponsors: list[Sponsor] = []
    seen: set[str] = set()
    rows = []
    for p in front.petition[1:]:
        for line in p.lines:
            if line.text.upper().startswith(("NAME", "DISTRICT")):
                continue
            row = _split_row(line)
            if row:
                rows.append(row)
    for name in presenters:
        if not any(r[0] == name for r in rows):
            rows.insert(0, (name, None, None))
    for name, district, added in rows:
        if name in seen:
            continue
        seen.add(name)
        first = not presenters and not sponsors
        role: Literal["sponsor", "petitioner"] = (
            "sponsor" if name in presenters or first else "petitioner")
        sponsors.append(Sponsor(name=name, role=role, district=district, date_added=added))
    for i, p in enumerate(cover):
        if (m := _COMMITTEE.match(p.text)) and m.group(1) not in seen:
            seen.add(m.group(1))
            sponsors.append(Sponsor(name=clip(f"Committee on {m.group(1)}"), role="committee"))
        if p.text.rstrip(",") == "For the committee" and i + 1 < len(cover):
            name = cover[i + 1].text.rstrip(".")
            if name and name not in seen:
                seen.add(name)
                sponsors.append(Sponsor(name=clip(name), role="reporter"))
    return sponsors


def _front_section(section_id: str, paragraphs: list[Paragraph], status: TextStatus,
                   heading: str) -> Section | None:
    if not paragraphs:
        return None
    text = "\n".join(p.text for p in paragraphs)
    return Section(id=section_id, heading=heading, text=text, status=status)


# --------------------------------------------------------------------------- parse


def parse_ma_bill(
    text: str,
    doc_id: str,
    *,
    source_url: str | None = None,
    source_description: str = "Massachusetts bill text",
    checksum: str | None = None,
    retrieved: str | None = None,
    status: TextStatus = TextStatus.OFFICIAL,
    notes: tuple[str, ...] | list[str] = (),
    court: int | None = None,
) -> Document:
    """Parse Massachusetts bill text into a :class:`Document` (see the module docstring).

    *source_url* defaults to the bill's official page (``https://malegislature.gov/Bills/194/
    S1053``) when the cover page gives the number and the General Court (or *court* does);
    without either, a :class:`BilldiffError` asks for one.  Every section gets *status*
    (``official`` by default) and the provenance says ``complete``.  Any text gives a document
    or a :class:`BilldiffError`.
    """
    where = doc_id if isinstance(doc_id, str) else "input"
    check_doc_id(doc_id)
    lines = printed_lines(text, where)
    if not lines:
        raise BilldiffError("the text is empty", where=where, fix="import a file with text in it")
    body_lines = [line for line in lines if line.number is not None]
    width = typical_width(body_lines) if len(body_lines) >= 3 else typical_width(lines)
    is_ma = looks_like_ma_bill("\n".join(line.text for line in lines[:400]))
    boundary = _body_boundary(lines, width, is_ma)
    front_paragraphs = join_paragraphs(lines[:boundary], width=width, items=True)
    front = _sort_front(front_paragraphs)
    meta = _read_meta(front)
    court = meta.court or court
    if court is None and (meta.years or meta.filed):
        # the 194th General Court sat in 2025-2026; a docket is filed in its session
        first_year = meta.years[0] if meta.years else int((meta.filed or "0")[:4])
        court = (first_year - 1637) // 2 if first_year > 1700 else None
    builder = TreeBuilder(bill_mode=True)
    for paragraph in join_paragraphs(lines[boundary:], width=width):
        builder.add(paragraph)
    head = [
        _front_section("cover", front.cover, status, "Cover page"),
        _front_section("petition", front.petition, status, "Petition"),
        _front_section("pinslip", front.pinslip, status, "Pinslip"),
        _front_section("court", front.court, status, "General Court"),
        _front_section("title", front.title, status, "Title"),
        _front_section("enacting", front.enacting, status, "Enacting clause"),
    ]
    sections = tuple(s for s in head if s is not None) + builder.sections(status)
    official_url = None
    if meta.number and court:
        official_url = f"{SITE}/Bills/{court}/{meta.number.replace('.', '')}"
    url = source_url or official_url
    if not url:
        raise BilldiffError(
            "cannot tell which bill this is (no 'SENATE/HOUSE ... No.' line and General Court)",
            where=where, fix="pass --source-url with the address the text came from")
    citation = None
    if meta.bill_no and meta.chamber:
        citation = f"{meta.chamber.title()}, No. {meta.bill_no}"
        if court:
            citation += f" ({ordinal_suffix(court)} General Court)"
        if meta.docket:
            citation += f"; {meta.docket}"
    elif meta.docket:
        citation = meta.docket
    fields: dict[str, object] = {
        "id": doc_id,
        "kind": DocumentKind.BILL.value,
        "jurisdiction": JURISDICTION,
        "session": session_name(court, meta.years[0] if meta.years else None) if court else None,
        "number": meta.number or clip(doc_id),
        "title": meta.title or meta.number or clip(doc_id),
        "citation": citation,
        "sponsors": tuple(meta.sponsors),
        "filed": meta.filed,
        "official_url": official_url,
        "provenance": provenance(url, source_description, checksum or text_checksum(text),
                                 retrieved, official=status is TextStatus.OFFICIAL),
        "notes": tuple(notes),
        "sections": sections,
    }
    return build_document(fields, where)


def import_ma_bill(path: Path, doc_id: str, *, source_url: str | None = None,
                   retrieved: str | None = None) -> Document:
    """Import a Massachusetts bill from a text file (see :func:`parse_ma_bill`).

    The checksum is of the file's bytes; the source description names the file (not its
    folder, which may be private).
    """
    path = Path(path)
    text, checksum, notes = read_text_file(path)
    return parse_ma_bill(text, doc_id, source_url=source_url,
                         source_description=f"Massachusetts bill text, file {path.name}",
                         checksum=checksum, retrieved=retrieved, notes=notes)


# --------------------------------------------------------------------------- show --lines


def parse_line_range(spec: str) -> tuple[int, int]:
    """``"209-240"`` -> ``(209, 240)``; ``"12"`` -> ``(12, 12)``."""
    match = re.fullmatch(r"\s*([0-9]{1,7})\s*(?:-\s*([0-9]{1,7})\s*)?", spec)
    if not match:
        raise BilldiffError(f"invalid line range {spec!r}",
                            fix="write it as START-END, e.g. 209-240")
    start = int(match.group(1))
    end = int(match.group(2) or start)
    if end < start or start < 1:
        raise BilldiffError(f"invalid line range {spec!r}",
                            fix="START must be 1 or more and not after END")
    return start, end


def sections_in_lines(document: Document, start: int, end: int,
                      page: int | None = None) -> list[tuple[Section, int]]:
    """Sections (with depth) whose own printed lines overlap ``start``-``end``, in order."""
    out = []
    for section, depth in iter_sections(document.sections):
        span = section.lines
        if span is None or span.end < start or span.start > end:
            continue
        if page is not None and span.page is not None and span.page != page:
            continue
        out.append((section, depth))
    return out


def format_lines(document: Document, start: int, end: int, page: int | None = None) -> str:
    """What ``billdiff show DOC --lines A-B`` prints: each overlapping section with its span."""
    found = sections_in_lines(document, start, end, page)
    if not found:
        raise BilldiffError(f"no section of {document.id} is printed on lines {start}-{end}",
                            where=document.id,
                            fix="only bills imported from line-numbered text have line numbers")
    out = []
    for section, depth in found:
        span = section.lines
        assert span is not None
        where = f"lines {span.start}-{span.end}" if span.end != span.start else f"line {span.start}"
        if span.page is not None:
            where += f", page {span.page}"
        label = section.number or section.id
        out.append(f"{'  ' * depth}[{where}] {label}\n{'  ' * depth}{section.text}")
    return "\n".join(out)
