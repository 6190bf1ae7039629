"""One-page fact sheets for advocates: the data a fact sheet shows, and the organisation file.

This module builds plain data (frozen dataclasses) from a corpus and a comparison; the template
``templates/factsheet.html`` lays it out and :mod:`billdiff.pdf` prints it.  Nothing here imports
WeasyPrint or Flask.

What a fact sheet holds: a neutral title ("G.L. c. 6, § 220 and S.1053 compared"), or the
organisation's ask ("Support S.1053 / H.1946") when its file gives one and the bill is pending;
the bill numbers, sponsors and session; a few provisions, each as *current law* beside *the
bill* in plain language from the analyses, with what each sentence rests on as a numbered note
and a line saying what the word-for-word comparison found; key facts with their sources as
numbered notes; the organisation's call to action and contact details; a link and a QR code to
the live comparison; the date; and a provenance line saying what it rests on and how complete
the texts are.

The organisation file (``--org``) is YAML, validated strictly (:class:`OrgFile`): colours are
``#rrggbb`` only, URLs are ``http(s)`` only, and the logo is a PNG or JPEG *file name* looked up
inside the assets folder only (``BILLDIFF_ASSETS``, default ``assets/`` of the project), checked
against path traversal and symlinks, capped in bytes and pixels, and re-encoded to a clean PNG.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, StringConstraints, field_validator

from billdiff import analysis, settings
from billdiff.analysis import TOPIC_STATE_PLAIN, TopicState
from billdiff.errors import BadRequest, BilldiffError
from billdiff.load import Corpus, Problem, parse_model
from billdiff.model import (
    Analysis,
    Cite,
    Completeness,
    Document,
    DocumentKind,
    Fact,
    Source,
    Strict,
    TextStatus,
)
from billdiff.pdf import ORIGIN, FitJob, Measured
from billdiff.urls import Urls

#: The provisions a fact sheet shows when none are chosen.
DEFAULT_TOPICS: tuple[str, ...] = ("warrant-requirement", "surveillance-ban", "due-process")
def default_topics(corpus: Corpus) -> tuple[str, ...]:
    """The topics a sheet shows when none are chosen: :data:`DEFAULT_TOPICS` where the corpus
    has them (the bundled dossier's), else the corpus's first three, in its own order (a
    dossier lists first what matters most)."""
    known = tuple(t for t in DEFAULT_TOPICS if t in corpus.topics)
    return known or tuple(corpus.topics)[:len(DEFAULT_TOPICS)]


#: Facts preferred when they are relevant (the public records, local bans, the 2020 law,
#: the commission, public opinion); ids missing from the corpus are skipped.
DEFAULT_FACT_IDS: tuple[str, ...] = (
    "records-disclosure", "ban-worcester", "law-2020", "commission-recommendations",
    "records-requests", "ban-boston", "law-current-rules",
)
#: Most facts a sheet starts with (fewer are kept if the page would overflow).
MAX_FACTS = 4
#: Longest URL printed in full in a note (longer ones show their site only).
NOTE_URL_MAX = 40
#: Most plain-language sentences per side of a provision.
MAX_STATEMENTS = 3
#: Most provisions on one page.
MAX_TOPICS = 4
DEFAULT_SITE_URL = "http://127.0.0.1:5000"
PAPERS = ("letter", "a4")
Paper = Literal["letter", "a4"]

#: Logo limits (image bombs): bytes on disk, and pixels per side.
LOGO_MAX_BYTES = 1_000_000
LOGO_MAX_SIDE = 2000
LOGO_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}\.(?:png|jpe?g)$", re.IGNORECASE)

HexColor = Annotated[str, StringConstraints(strict=True, pattern=r"^#[0-9a-fA-F]{6}$")]
HttpUrl = Annotated[str, StringConstraints(strict=True, max_length=300,
                                           pattern=r"^https?://[A-Za-z0-9.-]+(?::\d{1,5})?"
                                                   r"(?:/[A-Za-z0-9._~%/+=&?#:@!$,;*()-]*)?$")]
OneLine = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=200,
                                           pattern=r"^[^\n\r\t\x00-\x1f\x7f]*$")]
Paragraph = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=400)]


# -- the organisation file ----------------------------------------------------------------------


class OrgColors(Strict):
    """Brand colours: ``primary`` for the title band and headings, ``accent`` for rules."""

    primary: HexColor = "#1f3a5f"
    accent: HexColor | None = None


class OrgContact(Strict):
    """How readers reach the organisation (all optional)."""

    email: Annotated[str, StringConstraints(
        strict=True, max_length=200, pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$",
    )] | None = None
    phone: Annotated[str, StringConstraints(
        strict=True, max_length=40, pattern=r"^[0-9+().\- ]{5,40}$")] | None = None
    website: HttpUrl | None = None
    address: OneLine | None = None


class OrgFile(Strict):
    """An organisation's branding for fact sheets (``--org FILE``)."""

    name: OneLine
    logo: Annotated[str, StringConstraints(strict=True, max_length=120)] | None = None
    logo_alt: OneLine | None = None
    colors: OrgColors = Field(default_factory=OrgColors)
    contact: OrgContact = Field(default_factory=OrgContact)
    ask: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=80,
                                          pattern=r"^[^\n\r\x00-\x1f\x7f]*$")] | None = None
    call_to_action: Paragraph | None = None

    @field_validator("logo")
    @classmethod
    def _logo_name(cls, value: str | None) -> str | None:
        if value is not None and not LOGO_NAME_RE.fullmatch(value):
            raise ValueError("must be the file name of a PNG or JPEG in the assets folder "
                             "(no folders, e.g. logo.png); SVG is not accepted")
        return value


@dataclass(frozen=True)
class Org:
    """Validated branding, with the logo already checked and re-encoded as PNG bytes."""

    name: str | None = None
    logo_png: bytes | None = None
    logo_alt: str | None = None
    primary: str = "#1f3a5f"
    accent: str = "#1f3a5f"
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    address: str | None = None
    ask: str | None = None
    call_to_action: str | None = None

    @property
    def has_contact(self) -> bool:
        """True if there is any contact detail to show."""
        return any((self.email, self.phone, self.website, self.address))

    @property
    def website_label(self) -> str | None:
        """The website without its scheme, for print."""
        return _short_url(self.website) if self.website else None

    def digest(self) -> str:
        """A content digest (for cache keys)."""
        h = hashlib.sha256()
        for value in (self.name, self.logo_alt, self.primary, self.accent, self.email,
                      self.phone, self.website, self.address, self.ask, self.call_to_action):
            h.update((value or "").encode("utf-8") + b"\x00")
        h.update(self.logo_png or b"")
        return h.hexdigest()


#: Branding used when no organisation file is given: no logo, no contact, a generic ask.
DEFAULT_ORG = Org()


def assets_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The only folder a logo may come from: *explicit*, else the ``assets`` setting
    (``$BILLDIFF_ASSETS``, else the folder shipped in the package)."""
    if explicit:
        return Path(explicit)
    return settings.current().assets


def load_logo(name: str, folder: Path) -> bytes:
    """Check the logo *name* inside *folder* and return it re-encoded as a metadata-free PNG.

    Raises :class:`ValueError` with a message for the user on anything unsafe: a name with a
    folder in it, a file outside the folder (``..`` or a symlink), not a PNG or JPEG, over
    :data:`LOGO_MAX_BYTES` or :data:`LOGO_MAX_SIDE` pixels a side, or an image that fails to
    decode.
    """
    if not LOGO_NAME_RE.fullmatch(name):
        raise ValueError("must be the file name of a PNG or JPEG in the assets folder")
    root = Path(os.path.realpath(folder))
    if not root.is_dir():
        raise ValueError(f"the assets folder {folder} does not exist (set BILLDIFF_ASSETS)")
    candidate = root / name
    if candidate.is_symlink():
        raise ValueError(f"{name} is a symbolic link; put the image file itself in {root}")
    real = Path(os.path.realpath(candidate))
    if real.parent != root or real.name != name:
        raise ValueError(f"{name} resolves outside the assets folder {root}")
    try:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as err:
        raise ValueError(f"cannot read {name} in {root}: {err.strerror or err}") from None
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(LOGO_MAX_BYTES + 1)
    if len(data) > LOGO_MAX_BYTES:
        raise ValueError(f"{name} is over {LOGO_MAX_BYTES:,} bytes")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "PNG"
    elif data.startswith(b"\xff\xd8\xff"):
        kind = "JPEG"
    else:
        raise ValueError(f"{name} is not a PNG or JPEG file (by its content)")
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as img:
                width, height = img.size
                if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
                    raise ValueError(f"{name} is {width}x{height} pixels, over "
                                     f"{LOGO_MAX_SIDE}x{LOGO_MAX_SIDE}")
                img.load()
                mode = "RGBA" if img.mode in ("RGBA", "LA", "P", "PA") else "RGB"
                clean = img.convert(mode)
    except ValueError:
        raise
    except (OSError, SyntaxError, Image.DecompressionBombError, Warning) as err:
        raise ValueError(f"{name} could not be read as an image ({err})") from None
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)  # no metadata chunks are written
    return out.getvalue()


def load_org(path: str | os.PathLike[str], *, assets: str | os.PathLike[str] | None = None
             ) -> Org:
    """Read and validate an organisation file; raise :class:`BilldiffError` listing *every*
    problem as ``file: field: message``."""
    file = Path(path)
    display = str(file)
    if not file.is_file():
        raise BilldiffError("organisation file not found", where=display,
                            fix="pass --org with a YAML file like examples/org.yaml")
    parsed, problems, _ = parse_model(OrgFile, file, display)
    logo_png = None
    if parsed is not None and parsed.logo:
        try:
            logo_png = load_logo(parsed.logo, assets_dir(assets))
        except ValueError as err:
            problems.append(Problem(display, "logo", str(err)))
    if problems or parsed is None:
        raise BilldiffError("; ".join(str(p) for p in problems) or f"{display}: invalid")
    return Org(
        name=parsed.name, logo_png=logo_png, logo_alt=parsed.logo_alt or f"{parsed.name} logo",
        primary=_readable(parsed.colors.primary), accent=parsed.colors.accent
        or parsed.colors.primary, email=parsed.contact.email, phone=parsed.contact.phone,
        website=parsed.contact.website, address=parsed.contact.address, ask=parsed.ask,
        call_to_action=parsed.call_to_action,
    )


def _luminance(color: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _readable(color: str) -> str:
    """*color* if white text on it (and it as text on white) reaches 4.5:1; else near-black.

    The primary colour carries the title band and headings, so it must survive a black-and-white
    printer and low vision; a pale brand colour is kept for the accent rules only.
    """
    return color.lower() if 1.05 / (_luminance(color) + 0.05) >= 4.5 else "#222222"


# -- what a fact sheet shows ----------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """A numbered note: what a sentence or a fact rests on."""

    number: int
    text: str
    url: str | None = None

    @property
    def url_label(self) -> str | None:
        """The URL for print: without its scheme, and only its site when it is long (the
        title, publisher and date find the page; the live comparison links it in full)."""
        if not self.url:
            return None
        short = _short_url(self.url)
        return short if len(short) <= NOTE_URL_MAX else short.split("/")[0]


@dataclass(frozen=True)
class Sentence:
    """One plain-language sentence and the numbers of its notes."""

    text: str
    notes: tuple[int, ...]


@dataclass(frozen=True)
class Side:
    """One side of a provision: what a document says on a topic, in plain language."""

    label: str
    sentences: tuple[Sentence, ...]
    missing: str | None = None  # why there is nothing to show
    footing: str | None = None

    @property
    def cumulative_chars(self) -> tuple[int, ...]:
        """Characters shown with the first 1, 2, ... sentences (for measuring)."""
        out, total = [], 0
        for s in self.sentences:
            total += len(s.text) + 1 + 2 * len(s.notes)
            out.append(total)
        return tuple(out)


@dataclass(frozen=True)
class Provision:
    """One topic as "current law" beside "the bill"."""

    topic_id: str
    heading: str
    question: str
    why: str | None
    current: Side
    bill: Side
    #: What the word-by-word comparison of the two texts found, in plain words.
    text_note: str = ""


@dataclass(frozen=True)
class FactItem:
    """A key fact and the numbers of its notes."""

    id: str
    text: str
    notes: tuple[int, ...]


@dataclass(frozen=True)
class BillInfo:
    """A bill named on the sheet: its number, sponsors and session."""

    id: str
    number: str
    title: str
    session: str | None
    sponsors: tuple[str, ...]
    official_url: str | None


@dataclass(frozen=True)
class FactSheet:
    """Everything one fact sheet shows; the template lays it out."""

    title: str
    ask: str
    subject: str
    bills: tuple[BillInfo, ...]
    session: str | None
    current_label: str
    bill_label: str
    provisions: tuple[Provision, ...]
    facts: tuple[FactItem, ...]
    notes: tuple[Note, ...]
    provenance: str
    footing: str
    org: Org
    link: str
    link_label: str
    qr: QRCode
    date: dt.date
    paper: Paper
    a_id: str
    b_id: str
    topics: tuple[str, ...]
    lang: str = "en"
    generator: str = "billdiff"
    #: Chosen provisions left off the sheet because nothing is known of them on either side.
    left_out: tuple[str, ...] = ()

    @property
    def note_columns(self) -> tuple[tuple[Note, ...], tuple[Note, ...]]:
        """The notes split in two columns of about equal length (in order)."""
        sizes = [len(n.text) + len(n.url_label or "") + 12 for n in self.notes]
        total, running, cut = sum(sizes), 0, len(self.notes)
        for i, size in enumerate(sizes):
            if running + size / 2 > total / 2:
                cut = i
                break
            running += size
        return self.notes[:cut], self.notes[cut:]

    @property
    def link_is_local(self) -> bool:
        """True when the printed link and QR code point at this computer, not a public site."""
        host = (urlsplit(self.link).hostname or "").lower()
        return host in ("localhost", "127.0.0.1", "::1") or host.endswith(".localhost")

    @property
    def shared_text_note(self) -> str | None:
        """The text note when every provision has the same one (printed once, not per row)."""
        notes = {p.text_note for p in self.provisions}
        return notes.pop() if len(notes) == 1 and len(self.provisions) > 1 else None

    @property
    def date_label(self) -> str:
        """The date as people write it (``July 9, 2025``)."""
        return f"{self.date:%B} {self.date.day}, {self.date.year}"


@dataclass(frozen=True)
class QRCode:
    """A QR code as an SVG path (drawn by the template; no image fetch involved)."""

    size: int
    path: str
    text: str


@functools.lru_cache(maxsize=64)
def make_qr(text: str) -> QRCode:
    """The QR code for *text* (a URL), from the ``qrcode`` library, as one SVG path."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, box_size=1)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    parts: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return QRCode(size=len(matrix), path="".join(parts), text=text)


def _short_url(url: str) -> str:
    parts = urlsplit(url)
    rest = parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else "")
    return parts.netloc.removeprefix("www.") + rest


class _Notes:
    """Numbers notes in order of first use, one number per distinct target."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.items: list[Note] = []
        self.index: dict[tuple[str, ...], int] = {}

    def _add(self, key: tuple[str, ...], text: str, url: str | None) -> int:
        if key not in self.index:
            self.index[key] = len(self.items) + 1
            self.items.append(Note(len(self.items) + 1, text, url))
        return self.index[key]

    def source(self, source_id: str) -> int:
        src: Source | None = self.corpus.sources.get(source_id)
        if src is None:
            return self._add(("source", source_id), f"Source {source_id}", None)
        bits = [src.title]
        if src.publisher and src.publisher not in src.title:
            bits.append(src.publisher)
        if src.date:
            bits.append(_date_label(src.date))
        return self._add(("source", source_id), ", ".join(bits) + ".", src.url)

    def section(self, doc_id: str, section_id: str) -> int:
        doc = self.corpus.documents.get(doc_id)
        if doc is None:
            return self._add(("section", doc_id, section_id), f"{doc_id}, {section_id}.", None)
        sec = self.corpus.sections_of(doc_id).get(section_id)
        where = doc.number
        if sec is not None:
            label = sec.number or sec.heading or sec.id
            where += f" § {label}" if sec.number else f", {label}"
            status = {
                TextStatus.OFFICIAL: "official text",
                TextStatus.EXCERPT: "an excerpt",
                TextStatus.SINGLE_SOURCE: "one unofficial copy",
                TextStatus.MISSING: "we don't have this text",
            }[sec.status]
            where += f" ({status})"
            url = sec.source_url or doc.official_url
        else:
            url = doc.official_url
        return self._add(("section", doc_id, section_id), where + ".", url)

    def cite(self, doc_id: str, cite: Cite) -> int:
        if cite.source is not None:
            return self.source(cite.source)
        assert cite.section is not None
        return self.section(cite.document or doc_id, cite.section)


def _date_label(iso: str) -> str:
    try:
        if len(iso) == 10:
            d = dt.date.fromisoformat(iso)
            return f"{d:%B} {d.day}, {d.year}"
        if len(iso) == 7:
            d = dt.date.fromisoformat(iso + "-01")
            return f"{d:%B} {d.year}"
    except ValueError:
        pass
    return iso


def _side(doc: Document, analysis: Analysis | None, label: str, notes: _Notes,
          max_statements: int) -> Side:
    if analysis is None:
        return Side(label, (), missing=f"We have no plain-language reading of {doc.number} "
                    "on this point yet; see the official text.")
    summary = analysis.summary
    # "We don't have this part of S.1053." says what a side lacks, not what it says: it never
    # takes the place of what is known, so a short sheet keeps it and the next sentence too.
    lead = 1 if summary and summary[0].text.lower().startswith("we don't have") else 0
    sentences = []
    for statement in summary[:max_statements + lead]:
        numbers = tuple(sorted({notes.cite(doc.id, c) for c in statement.cites}))
        sentences.append(Sentence(statement.text, numbers))
    return Side(label, tuple(sentences), footing=analysis.footing)


def _bill_info(doc: Document) -> BillInfo:
    return BillInfo(doc.id, doc.number, doc.title, doc.session, analysis.sponsors(doc),
                    doc.official_url)


def _provenance(docs: Sequence[Document], footings: set[str]) -> tuple[str, str]:
    """The provenance line: what the summaries rest on, and how complete each text is."""
    if footings == {"official-text"}:
        footing = "official-text"
        rests = "Based on our plain-language summaries of the official texts"
    elif footings <= {"secondary-sources"} and footings:
        footing = "secondary-sources"
        rests = "Based on our plain-language summaries of secondary sources (news, advocacy " \
                "and bill summaries)"
    elif footings:
        footing = "mixed"
        rests = "Based on our plain-language summaries of the texts we hold and of secondary " \
                "sources"
    else:
        footing = "none"
        rests = "We have no plain-language summaries for these provisions"
    state = {Completeness.COMPLETE: "complete", Completeness.PARTIAL: "partial",
             Completeness.NONE: "none"}
    held = "; ".join(f"{d.number}: {state[d.provenance.completeness]}" for d in docs)
    lacking = [d.number for d in docs if d.provenance.completeness is not Completeness.COMPLETE]
    line = rests + "."
    if lacking:
        names = ", ".join(lacking[:-1]) + (" and " if len(lacking) > 1 else "") + lacking[-1]
        line += (f" The official text{'s' if len(lacking) > 1 else ''} of {names} could not be "
                 "obtained in full.")
    line += f" Text held: {held}."
    return line, footing


def _choose_facts(corpus: Corpus, topics: Sequence[str], limit: int) -> list[Fact]:
    """Facts relevant to *topics*, preferring the default list, one per group (id prefix)."""
    default_rank = {fid: i for i, fid in enumerate(DEFAULT_FACT_IDS)}
    chosen = set(topics)
    scored = []
    for i, fact in enumerate(corpus.facts):
        overlap = len(chosen & set(fact.topics))
        preferred = fact.id in default_rank
        if not overlap and not preferred:
            continue
        score = 2 * overlap + (1 if preferred else 0)
        scored.append((-score, default_rank.get(fact.id, 1000), i, fact))
    scored.sort(key=lambda t: t[:3])
    picked, groups = [], set()
    for *_, fact in scored:  # first pass: one fact per group, for variety
        group = fact.id.split("-")[0]
        if group not in groups:
            picked.append(fact)
            groups.add(group)
    for *_, fact in scored:
        if fact not in picked:
            picked.append(fact)
    return picked[:limit]


def compare_url(site_url: str, a_id: str, b_id: str, topics: Sequence[str] = ()) -> str:
    """The live comparison page for A and B on the public site (``<site>/compare?a=..&b=..``,
    with the sheet's topics)."""
    return Urls.absolute(site_url, Urls.for_site(site_url).compare(a_id, b_id, topics=topics))


def check_ask(doc_a: Document, doc_b: Document, ask: str, today: dt.date) -> None:
    """Refuse an organisation's ask that cannot stand: B must be a pending bill, later than A."""
    if not analysis.is_bill(doc_b):
        raise BilldiffError(f"the ask {ask!r} needs a bill on the right, and {doc_b.number} is "
                            f"{analysis.KIND_LABELS[doc_b.kind].lower()}",
                            fix="make the sheet for a bill, or leave 'ask' out of the "
                                "organisation file for a neutral comparison")
    if analysis.session_ended(doc_b, today):
        raise BilldiffError(f"the ask {ask!r} is for {doc_b.number}, whose session "
                            f"({doc_b.session}) has ended",
                            fix="make the sheet for a pending bill, or leave 'ask' out of the "
                                "organisation file for a neutral comparison")
    if (doc_a.filed or "") > (doc_b.filed or "") and doc_b.filed:
        raise BilldiffError(f"the ask {ask!r} would be printed on a reversed comparison: "
                            f"{doc_a.number} is newer than {doc_b.number}",
                            fix="put the earlier text first (a) and the bill second (b)")


def check_site_url(site_url: str) -> str:
    """*site_url* if it is a plain ``http(s)://host[:port][/path]`` URL; else BilldiffError."""
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(?::\d{1,5})?(?:/[A-Za-z0-9._~%/-]*)?",
                        site_url or ""):
        raise BilldiffError(f"site URL {site_url!r} is not a plain http(s) URL",
                            fix="e.g. --site-url https://billdiff.example.org")
    return site_url


def build_factsheet(corpus: Corpus, a_id: str, b_id: str, *,
                    topics: Sequence[str] = (), org: Org = DEFAULT_ORG,
                    site_url: str = DEFAULT_SITE_URL, date: dt.date | None = None,
                    paper: str = "letter", max_facts: int = MAX_FACTS,
                    max_statements: int = MAX_STATEMENTS,
                    fact_ids: Sequence[str] | None = None) -> FactSheet:
    """Build the fact sheet comparing document *a_id* (current law) with *b_id* (the bill).

    *fact_ids*, when given, are the facts shown (in the order of :func:`_choose_facts`), in
    place of the first *max_facts* it chooses.

    Raises :class:`NotFound` for an unknown document or topic and :class:`BilldiffError` for
    other bad input (too many topics, a bad paper size or site URL).
    """
    from billdiff.compare import CompareOptions, cached_compare

    if paper not in PAPERS:
        raise BilldiffError(f"unknown paper size {paper!r}", fix="use letter or a4")
    check_site_url(site_url)
    doc_a, doc_b = corpus.document(a_id), corpus.document(b_id)
    chosen = tuple(dict.fromkeys(topics)) if topics else default_topics(corpus)
    for t in chosen:
        corpus.topic(t)
    if not chosen:
        raise BadRequest("a fact sheet shows topics, and this corpus has none",
                         where=str(corpus.root),
                         fix="add a topics.yaml (see the README's corpus format), or compare "
                             "the texts with `billdiff compare`")
    if len(chosen) > MAX_TOPICS:
        raise BilldiffError(f"{len(chosen)} topics do not fit on one page",
                            fix=f"choose at most {MAX_TOPICS}")
    today = date or dt.date.today()
    if org.ask:
        check_ask(doc_a, doc_b, org.ask, today)
    reading = analysis.read_comparison(cached_compare(doc_a, doc_b, corpus=corpus,
                                                      options=CompareOptions(topics=chosen)))
    readings = {t.topic_id: t for t in reading.topics}

    notes = _Notes(corpus)
    current_label = ("Current law" if doc_a.kind in (DocumentKind.STATUTE, DocumentKind.ORDINANCE)
                     else f"Before: {doc_a.number}")
    bill_label = "The bill" if analysis.is_bill(doc_b) else doc_b.number
    provisions = []
    footings: set[str] = set()
    left_out: list[str] = []
    for tid in chosen:
        topic = readings[tid]
        view = topic.view
        if view.a_analysis is None and view.b_analysis is None and not any(
                p.compared for p in topic.pairs):
            left_out.append(view.topic.title)  # nothing known on either side: no empty row
            continue
        current = _side(doc_a, view.a_analysis, f"{current_label} ({doc_a.number})", notes,
                        max_statements)
        bill = _side(doc_b, view.b_analysis, f"{bill_label} ({doc_b.number})", notes,
                     max_statements)
        footings.update(s.footing for s in (current, bill) if s.footing)
        provisions.append(Provision(tid, view.topic.title, view.topic.question,
                                    view.topic.why_it_matters, current, bill,
                                    _text_note(topic.state, topic.changes)))

    facts = []
    picked = _choose_facts(corpus, chosen, MAX_FACTS if fact_ids is not None else max_facts)
    if fact_ids is not None:
        picked = [f for f in picked if f.id in fact_ids]
    for fact in picked:
        numbers = tuple(sorted({notes.source(s) for s in fact.sources}))
        facts.append(FactItem(fact.id, fact.text, numbers))

    bills = [doc_b] if analysis.is_bill(doc_b) else []
    if bills:
        bills += [d for d in analysis.companions(corpus, doc_b) if analysis.is_bill(d)]
    ask = org.ask or ""
    title = ask or f"{doc_a.number} and {doc_b.number} compared"
    subject = doc_b.short_title or doc_b.title
    sessions = list(dict.fromkeys(d.session for d in bills if d.session))
    provenance, footing = _provenance([doc_a, doc_b, *bills[1:]], footings)
    link = compare_url(site_url, doc_a.id, doc_b.id, chosen if topics else ())
    return FactSheet(
        title=title, ask=ask, subject=subject, bills=tuple(_bill_info(d) for d in bills),
        session="; ".join(sessions) or doc_b.session, current_label=current_label,
        bill_label=bill_label, provisions=tuple(provisions), facts=tuple(facts),
        notes=tuple(notes.items), provenance=provenance, footing=footing, org=org,
        link=link, link_label=_short_url(link), qr=make_qr(link),
        date=today, paper=paper,  # type: ignore[arg-type]
        a_id=doc_a.id, b_id=doc_b.id, topics=chosen, left_out=tuple(left_out),
    )


def _text_note(state: TopicState, changes: Sequence[analysis.Change]) -> str:
    """What the word-by-word comparison found, for a handout (plain words, no jargon)."""
    note = TOPIC_STATE_PLAIN[state]
    if state is TopicState.CHANGED:
        kinds = [analysis.CHANGE_PLAIN[c] for c in changes if c in analysis.LAW_CHANGES]
        if kinds:
            note += " (" + ", ".join(kinds) + ")"
    return note + "."


@dataclass(frozen=True)
class FactSheetRequest:
    """Everything that decides a fact sheet (and so its cache key)."""

    a: str
    b: str
    topics: tuple[str, ...] = ()
    paper: str = "letter"
    site_url: str = DEFAULT_SITE_URL
    date: dt.date = field(default_factory=dt.date.today)


def fit_ladder(facts: int, statements: int = MAX_STATEMENTS) -> list[tuple[int, int]]:
    """``(statements per side, facts)`` from fullest to shortest: keep three facts before
    cutting to two sentences a side, and two facts before cutting to one."""
    out: list[tuple[int, int]] = []
    for per_side, floor in ((statements, 3), (2, 2), (1, 0)):
        if per_side > statements:
            continue
        for f in range(facts, min(floor, facts) - 1, -1):
            if (per_side, f) not in out:
                out.append((per_side, f))
    return out


def candidates(corpus: Corpus, request: FactSheetRequest, org: Org = DEFAULT_ORG
               ) -> list[FactSheet]:
    """The fact sheet at each step of :func:`fit_ladder`, fullest first; the PDF keeps the
    first that fits on one page."""
    def build(per_side: int, facts: int, fact_ids: Sequence[str] | None = None) -> FactSheet:
        return build_factsheet(corpus, request.a, request.b, topics=request.topics, org=org,
                               site_url=request.site_url, date=request.date,
                               paper=request.paper, max_facts=facts, max_statements=per_side,
                               fact_ids=fact_ids)

    full = build(MAX_STATEMENTS, MAX_FACTS)
    most = max((len(s.sentences) for p in full.provisions for s in (p.current, p.bill)),
               default=1)
    ladder = fit_ladder(len(full.facts), max(1, min(most, MAX_STATEMENTS)))
    sheets = [full if i == 0 else build(*step) for i, step in enumerate(ladder)]
    # At one sentence a side, before a fact is dropped, the same number of the sheet's
    # facts that cost least room: a sheet that cannot keep the four-line fact with four new
    # notes may keep a two-line one whose source it already cites, rather than none.
    out: list[FactSheet] = []
    for step, sheet in zip(ladder, sheets, strict=True):
        out.append(sheet)
        per_side, count = step
        if per_side == ladder[-1][0] and 0 < count < len(full.facts):
            ids = _compact_facts(full, count)
            if ids != tuple(f.id for f in sheet.facts):
                out.append(build(per_side, count, ids))
    return out


def _compact_facts(full: FactSheet, count: int) -> tuple[str, ...]:
    """The ids of *count* of *full*'s facts that take least room: fewest notes the rest of
    the sheet does not cite already, then the shortest text (in the sheet's order)."""
    cited = {n for p in full.provisions for side in (p.current, p.bill)
             for sentence in side.sentences for n in sentence.notes}
    ranked = sorted(range(len(full.facts)), key=lambda i: (
        len(set(full.facts[i].notes) - cited), len(full.facts[i].text), i))
    keep = sorted(ranked[:count])
    return tuple(full.facts[i].id for i in keep)


__all__ = [
    "DEFAULT_ORG", "DEFAULT_SITE_URL", "DEFAULT_TOPICS", "FactSheet", "FactSheetRequest", "Org",
    "OrgFile", "assets_dir", "build_factsheet", "candidates", "check_site_url", "compare_url",
    "load_logo", "load_org", "make_qr",
]


# -- HTML (one template for the preview and the PDF) -----------------------------------------

#: Where the PDF's own resources live: an origin that is never fetched over the network;
#: :class:`billdiff.pdf.AssetFetcher` serves it from the static folder and generated bytes.
PDF_ORIGIN = ORIGIN
PDF_ASSETS = {
    "css": PDF_ORIGIN + "static/factsheet.css",
    "theme": PDF_ORIGIN + "generated/theme.css",
    "logo": PDF_ORIGIN + "generated/logo.png",
}


#: Page sizes and margins, in inches: (width, height, top, right, bottom, left).
PAGES = {"letter": (8.5, 11.0, 0.45, 0.5, 0.4, 0.5),
         "a4": (210 / 25.4, 297 / 25.4, 0.45, 0.45, 0.4, 0.45)}


def page_height_px(paper: str) -> float:
    """The usable height of one page, in CSS px (96 a inch)."""
    _, height, top, _, bottom, _ = PAGES[paper]
    return (height - top - bottom) * 96


def theme_css(org: Org, paper: str, *, tall: bool = False) -> str:
    """The generated stylesheet: page size and margins, and the organisation's colours
    (validated as ``#rrggbb``, so nothing else can reach CSS).  *tall* makes a very tall page of
    the same width, for measuring."""
    width, height, top, right, bottom, left = PAGES[paper]
    if tall:
        height = 100.0
    for color in (org.primary, org.accent):
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
            raise BilldiffError(f"colour {color!r} is not #rrggbb")
    return (f"@page {{ size: {width:.4f}in {height:.4f}in; "
            f"margin: {top}in {right}in {bottom}in {left}in; }}\n"
            f".fs-band {{ background-color: {org.primary}; }}\n"
            f".fs-provisions h3, .fs-section-title {{ color: {org.primary}; }}\n"
            f".fs-rule, .fs-action {{ border-color: {org.accent}; }}\n")


def pdf_resources(sheet: FactSheet, *, tall: bool = False) -> dict[str, bytes]:
    """The generated resources a sheet's PDF may fetch (by name under ``generated/``)."""
    out = {"theme.css": theme_css(sheet.org, sheet.paper, tall=tall).encode("utf-8")}
    if sheet.org.logo_png:
        out["logo.png"] = sheet.org.logo_png
    return out


@dataclass(frozen=True)
class PreviewForm:
    """The web preview's choices: topics, paper size and branding, to remake the sheet."""

    action: str
    topics: tuple[tuple[str, str], ...]
    chosen: tuple[str, ...]
    paper: str
    #: Whether an organisation's branding is configured, and whether the sheet uses it.
    has_brand: bool = False
    brand: bool = False
    max_topics: int = MAX_TOPICS


def render_html(sheet: FactSheet, *, mode: Literal["pdf", "preview"] = "pdf",
                assets: dict[str, str] | None = None, form: PreviewForm | None = None) -> str:
    """The fact sheet as HTML, from the one template environment of :mod:`billdiff.render`.
    ``mode="pdf"`` points at the PDF's own origin; the web preview passes its own *assets*
    (``css``, ``theme``, ``logo``, ``pdf``)."""
    from billdiff.render import environment

    links = dict(PDF_ASSETS) if mode == "pdf" else dict(assets or {})
    html: str = environment().get_template("factsheet.html").render(
        sheet=sheet, mode=mode, assets=links, form=form)
    return html


def fit_job(sheets: Sequence[FactSheet]) -> FitJob:
    """The PDF job for candidate sheets (fullest first): the first that fits one page, found
    by :func:`plan_fit` from one measuring layout."""
    order = {f.id: i for i, f in enumerate(sheets[0].facts)}
    kept = tuple((max((len(s.sentences) for p in sh.provisions for s in (p.current, p.bill)),
                      default=0), tuple(order[f.id] for f in sh.facts if f.id in order),
                  len(sh.notes)) for sh in sheets)
    return FitJob(tuple(render_html(sh) for sh in sheets), pdf_resources(sheets[0]),
                  measure=pdf_resources(sheets[0], tall=True), planner=plan_fit,
                  hints=(kept, page_height_px(sheets[0].paper)))


#: How far over the page an estimate may be and still get a real layout first (about one line
#: of body text): estimates are within a line or two of the real height, and each extra layout
#: costs about 0.15 s.
CLOSE_CALL_PX = 18


Kept = tuple[int, tuple[int, ...], int]


def plan_fit(measured: Measured, hints: tuple[tuple[Kept, ...], float]) -> int:
    """The first candidate sheet estimated to fit one page, from the fullest one's measured
    parts (its facts, notes and sides carry ``data-fit`` markers in the template).

    *hints* is ``(kept, page height)``, ``kept[i]`` being ``(statements per side, the
    indices of the fullest sheet's facts it keeps, notes)`` of candidate *i*.  A close call
    starts one candidate fuller (estimates err long).
    """
    kept, page_height = hints
    parts = _parts(measured)
    estimates = [_estimate(parts, kept[0], k) for k in kept]
    start = next((i for i, h in enumerate(estimates) if h <= page_height - 2), len(kept) - 1)
    if start > 0 and estimates[start - 1] <= page_height + CLOSE_CALL_PX:
        start -= 1
    return start


def _parts(measured: Measured) -> dict[str, Any]:
    """The measured heights by part: facts, notes, the facts block, each side's paragraph."""
    out: dict[str, Any] = {"fact": [], "note": [], "side": {}, "facts": 0.0,
                           "total": measured.total}
    for attrs, height in measured.marks:
        a = dict(attrs)
        kind = a.get("data-fit")
        if kind in ("fact", "note"):
            out[kind].append(height)
        elif kind == "facts":
            out["facts"] = height
        elif kind == "side":
            chars = [int(c) for c in a.get("data-chars", "").split(",") if c.isdigit()]
            out["side"][(a.get("data-row"), a.get("data-side"))] = (height, chars)
    return out


def _estimate(m: dict[str, Any], full: Kept, keep: Kept) -> float:
    statements, facts, notes = keep
    height = float(m["total"])
    fact_heights = m["fact"]
    height -= sum(h for i, h in enumerate(fact_heights) if i not in facts)
    if not facts and fact_heights:
        height -= max(m["facts"] - sum(fact_heights), 0.0)
    rows: dict[str, list[tuple[float, float]]] = {}
    for (row, _side), (side_height, chars) in m["side"].items():
        if not chars:
            continue
        kept_chars = chars[min(statements, len(chars)) - 1]
        # a paragraph's height grows with its text, in whole lines (rounded up: safe side)
        rows.setdefault(row, []).append((side_height, side_height * kept_chars / chars[-1]))
    for sides in rows.values():
        height -= max(h for h, _ in sides) - max(k for _, k in sides)
    if m["note"] and notes < full[2]:
        average = sum(m["note"]) / len(m["note"])
        height -= (full[2] - notes) * average / 2  # notes are set in two columns
    return float(height)


def make_pdf(corpus: Corpus, request: FactSheetRequest, org: Org = DEFAULT_ORG, *,
             renderer: Any = None) -> tuple[bytes, FactSheet]:
    """The one-page PDF for *request*, and the sheet it shows (after any shortening).

    In-process by default; pass a :class:`billdiff.pdf.BoundedRenderer` to render in its
    worker (the web app does).
    """
    from billdiff import pdf

    sheets = candidates(corpus, request, org)
    job = fit_job(sheets)
    if renderer is None:
        data, index = pdf.render_fitting(job)
    else:
        data, index = renderer.run(pdf.render_fitting, job)
    return data, sheets[index]
