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

**Repeated page headers.** Each page of a printed bill may open with the docket and number
lines of the cover (``SENATE DOCKET, NO. 503 FILED ON: 1/13/2025`` / ``SENATE . . . No. 1053``).
Such a line (the same words, dots and spacing aside) seen a second time is a repeated page
header, and so is any line at the top of page 2 or later that repeats, in order, the lines at
the very top of page 1.  They are left out of the sections' text, and the provenance notes say
so.  (The first occurrence is cover-page text and stays.)

**Front matter** becomes sections ``cover`` (docket/report page lines, in order), ``petition``
(the petitioner table), ``pinslip`` (the "By ..." referral and any similar-matter note),
``court`` ("The Commonwealth of Massachusetts / In the ... General Court / (years)" just before
the title), ``title`` and ``enacting``.  Front-matter items are joined with a newline.

**Lines for ``show --lines``.** The schema keeps no raw lines, so each section records the
printed lines of its own text (not its children's) in ``lines``, with ``offsets``: where each
printed line begins in the section's text (a wrap is one space in the text, so the offset is
where the next line's first word starts; a word rejoined at a line-end hyphen is split
mid-word).  :func:`format_lines` prints each printed line of a range as the slices of the
sections that own it, joined by a space: ``209  text ...``.  Sections recorded without offsets
(older files, or paragraphs whose numbering restarts on a new page) are printed whole, with a
note.  :func:`sections_in_lines` returns the sections that overlap a range.
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
    check_document_bound,
    clip,
    file_provenance,
    import_status,
    is_rule,
    join_paragraphs,
    normalize_layout,
    official_and_status,
    opens_structure,
    provenance,
    read_text_file,
    split_lines,
    text_checksum,
    typical_width,
)
from billdiff.model import (
    Completeness,
    Document,
    DocumentKind,
    Section,
    SectionRole,
    Sponsor,
    TextStatus,
    iter_sections,
)

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


def _header_key(text: str) -> str:
    """A line's words with dots and spacing collapsed (``SENATE . . . No. 1053`` at any width)."""
    return " ".join(re.sub(r"[\s.]+", " ", text).split())


#: How many lines at the top of page 1 a later page may repeat as its header.
_HEADER_LINES = 3


def drop_repeated_headers(lines: list[Line]) -> list[str]:
    """Remove repeated page headers from *lines* in place (see the module docstring).

    Returns the text of the removed lines, in order.  A removed line's blank-line and page-break
    flags pass to the line after it.
    """
    top: list[str] = []
    for line in lines[:_HEADER_LINES]:
        if line.number is not None:
            break
        top.append(_header_key(line.text))
    seen: set[str] = set()
    kept: list[Line] = []
    removed: list[str] = []
    carry_blank = carry_page = False
    at_top: int | None = None  # at a page top (after page 1): how many header lines so far
    for i, line in enumerate(lines):
        if i > 0 and line.page_start:
            at_top = 0
        key = _header_key(line.text) if line.number is None else ""
        repeated = False
        if key and (_DOCKET.match(line.text) or _NUMBER.match(line.text)):
            repeated = key in seen
            seen.add(key)
        if at_top is not None and at_top < len(top) and key == top[at_top]:
            repeated = True
        if repeated:
            at_top = None if at_top is None else at_top + 1
            removed.append(line.text)
            carry_blank = carry_blank or line.blank_before
            carry_page = carry_page or line.page_start
            continue
        at_top = None  # the first line that is not a header ends the page top
        line.blank_before = line.blank_before or carry_blank
        line.page_start = line.page_start or carry_page
        carry_blank = carry_page = False
        kept.append(line)
    lines[:] = kept
    return removed


def _header_note(removed: list[str]) -> str | None:
    if not removed:
        return None
    shown = list(dict.fromkeys(" ".join(text.split()) for text in removed))
    quoted = "; ".join(f"“{clip(text, 120)}”" for text in shown[:4])
    more = f" and {len(shown) - 4} more" if len(shown) > 4 else ""
    count = f"{len(removed)} line{'s' if len(removed) != 1 else ''}"
    return (f"Repeated page headers were removed from the text ({count}: {quoted}{more}); "
            "their first occurrence is kept in the cover section.")


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
    return Section(id=section_id, heading=heading, text=text, status=status,
                   role=SectionRole.FRONT_MATTER)


# --------------------------------------------------------------------------- parse


def parse_ma_bill(
    text: str,
    doc_id: str,
    *,
    source_url: str | None = None,
    source_description: str = "Massachusetts bill text",
    checksum: str | None = None,
    retrieved: str | None = None,
    status: TextStatus | None = None,
    notes: tuple[str, ...] | list[str] = (),
    court: int | None = None,
    official: bool | None = None,
    summary: str | None = None,
) -> Document:
    """Parse Massachusetts bill text into a :class:`Document` (see the module docstring).

    *source_url* defaults to the bill's official page (``https://malegislature.gov/Bills/194/
    S1053``) when the cover page gives the number and the General Court (or *court* does);
    without either, a :class:`BilldiffError` asks for one.  Every section gets *status* and
    the provenance says ``complete``; nothing is official unless the caller says so
    (:func:`~billdiff.importers.plain.official_and_status`: by default the source is not
    official and the sections are ``single-source``).  The cover page, petition, pinslip,
    General Court heading, title and enacting clause have ``role: front-matter``.  Repeated
    page headers are removed and the provenance notes say so.  Any text gives a document or a
    :class:`BilldiffError`.
    """
    where = doc_id if isinstance(doc_id, str) else "input"
    check_doc_id(doc_id)
    is_official, status = official_and_status(official, status)
    check_document_bound(text, where)
    lines = printed_lines(text, where)
    header_note = _header_note(drop_repeated_headers(lines))
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
        "provenance": provenance(
            url, source_description, checksum or text_checksum(text), retrieved,
            official=is_official, summary=summary, notes=[header_note] if header_note else []),
        "notes": tuple(notes),
        "sections": sections,
    }
    return build_document(fields, where)


def import_ma_bill(path: Path, doc_id: str, *, source_url: str | None = None,
                   retrieved: str | None = None, official: bool = False,
                   completeness: Completeness | str = Completeness.PARTIAL,
                   status: TextStatus | str | None = None) -> Document:
    """Import a Massachusetts bill from a text file (see :func:`parse_ma_bill`).

    The provenance claims only what billdiff knows (see
    :func:`~billdiff.importers.plain.file_provenance`): the source is ``local file NAME,
    imported by billdiff on DATE`` (the name only: its folder may be private), its URL
    *source_url* else the bill's official page, ``official`` only with *official* (the user's
    word that the file is the official text; default False).  *completeness* is ``partial``
    (default) or ``complete`` (the user's word that the file is the whole bill); *status* is
    every section's status (default ``single-source``, ``official`` with *official*).  The
    checksum is of the file's bytes.
    """
    path = Path(path)
    value = import_status(status, official)
    text, checksum, notes = read_text_file(path)
    document = parse_ma_bill(text, doc_id, source_url=source_url,
                             source_description=f"Massachusetts bill text, file {path.name}",
                             checksum=checksum, retrieved=retrieved, notes=notes, status=value,
                             official=official)
    return file_provenance(document, path.name, official=official, completeness=completeness,
                           retrieved=retrieved)


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


def _line_slice(section: Section, number: int) -> str:
    """The words of printed line *number* in *section*'s text (its span has offsets)."""
    span = section.lines
    assert span is not None
    assert span.offsets
    k = number - span.start
    stop = span.offsets[k + 1] if k + 1 < len(span.offsets) else len(section.text)
    return section.text[span.offsets[k]:stop].strip()


def _span_label(section: Section) -> str:
    span = section.lines
    assert span is not None
    where = f"lines {span.start}-{span.end}" if span.end != span.start else f"line {span.start}"
    if span.page is not None:
        where += f", page {span.page}"
    return f"[{where}] {section.number or section.id}"


def format_lines(document: Document, start: int, end: int, page: int | None = None) -> str:
    """What ``billdiff show DOC --lines A-B`` prints: exactly printed lines *start*-*end*.

    Each printed line is its number and its words, as in the printed bill (``209  text ...``):
    the slices of the sections that own it (by their ``lines.offsets``), joined by a space.
    When the line numbering restarts on each page, lines of several pages are printed under a
    ``page N:`` heading (pass *page* to choose one).  A section recorded without offsets (an
    older file) is printed whole, once, with a note.  Lines of the range past the document's
    last printed line are named in a closing note; a range wholly outside it, or a document
    without printed line numbers, raises :class:`BilldiffError` saying what the document has.
    """
    spans = [(s, s.lines) for s, _ in iter_sections(document.sections) if s.lines is not None]
    if page is not None:
        spans = [(s, span) for s, span in spans if span.page is None or span.page == page]
    if not spans:
        where = f" on page {page}" if page is not None else ""
        raise BilldiffError(
            f"{document.id} has no printed line numbers{where}", where=document.id,
            fix="only bills imported from line-numbered text (MA bills) have line numbers")
    low = min(span.start for _, span in spans)
    high = max(span.end for _, span in spans)
    has = f"printed lines {low}-{high}" + (f" on page {page}" if page is not None else "")
    asked = f"line {start}" if start == end else f"lines {start}-{end}"
    if end < low or start > high:
        verb = "is" if start == end else "are"
        raise BilldiffError(f"{asked} {verb} outside {document.id}, which has {has}",
                            where=document.id, fix=f"ask for lines within {low}-{high}")
    # the numbering restarts on each page when a span starts before an earlier one ends
    restarts, reached = False, 0
    for _, span in spans:
        restarts = restarts or span.start < reached
        reached = max(reached, span.end)
    # Only the document's own lines are ever visited: the range asked for is clipped to them
    # first, a section without offsets is visited at its first line only, and lines no section
    # holds are shown as runs, so the work and the output follow the document, never the
    # range asked for (``--lines 1-9999999`` on a six-line bill took 510 MB; issue 11, item 12).
    first, last = max(start, low), min(end, high)
    rows: dict[tuple[int, int], list[str]] = {}
    whole: dict[tuple[int, int], list[Section]] = {}
    held: list[tuple[int, int]] = []  # lines (of page 0) that some section prints
    for section, span in spans:
        key_page = (span.page or 0) if restarts else 0
        top, bottom = max(span.start, first), min(span.end, last)
        if top > bottom:
            continue
        if not span.offsets:
            whole.setdefault((key_page, top), []).append(section)
            held.append((top, bottom))
            continue
        for number in range(top, bottom + 1):  # as many as the file has offsets
            key = (key_page, number)
            words = _line_slice(section, number)
            if words:
                rows.setdefault(key, []).append(words)
                held.append((number, number))
            elif restarts:  # (without restarts, the runs below show such lines)
                rows.setdefault(key, [])
    gaps: dict[tuple[int, int], int] = {}  # first line of a run no section holds -> its last
    if not restarts:
        reached = first
        for top, bottom in sorted(held):
            if top > reached:
                gaps[(0, reached)] = top - 1
            reached = max(reached, bottom + 1)
        if reached <= last:
            gaps[(0, reached)] = last
    keys = sorted(set(rows) | set(whole) | set(gaps))
    width = len(str(max([n for _, n in keys] + list(gaps.values()))))
    pages = sorted({p for p, _ in keys})
    opening = {p: min(n for q, n in keys if q == p) for p in pages} if len(pages) > 1 else {}
    out: list[str] = []
    for key in keys:
        if opening.get(key[0]) == key[1]:
            out.append(f"page {key[0]}:")
        if key in gaps:
            if gaps[key] > key[1]:
                out.append(f"{key[1]:>{width}}-{gaps[key]}  [no text recorded for these lines]")
            else:
                out.append(f"{key[1]:>{width}}  [no text recorded for this line]")
        elif key in rows and (rows[key] or key not in whole):
            words = " ".join(rows[key]) or "[no text recorded for this line]"
            out.append(f"{key[1]:>{width}}  {words}")
        for section in whole.get(key, []):
            out.append(f"{_span_label(section)}: this file records no positions for its printed "
                       "lines, so the whole section follows")
            out.append(section.text)
    for top, bottom in ((start, min(end, low - 1)), (max(start, high + 1), end)):
        if top <= bottom:  # the part of the range outside the document, named in one note
            what = f"lines {top}-{bottom} are" if bottom > top else f"line {top} is"
            out.append(f"({what} not in {document.id}, which has {has})")
    return "\n".join(out)
