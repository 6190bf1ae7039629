"""The one reading of a comparison: what changed in the law, and what only differs between copies.

:mod:`billdiff.compare` pairs provisions and diffs their texts; this module says what the result
*means*, once, for every output (web pages, terminal, JSON, fact sheets), which only format it.
It holds no markup and imports neither Flask nor Jinja.

The rules (``docs/analysis.md`` explains each with an example):

- **Kinds of change.**  A pair of provisions can differ in its wording, its heading (catchline),
  its display number (renumbered), its place (moved), its structure (its own words became
  sub-paragraphs, or the reverse); a provision can be repealed (text to no words), enacted (no
  words to text), added or removed.  :class:`Change` names them; every kind but ``typography``
  is a change in the law.
- **Typography is not wording.**  Quote style, dash style and spacing differences are shown and
  named (``typography``), never counted as changed words, never the reason a pair reads
  "changed".  The diff engine matches words across them and keeps the original characters.
- **What a copy cannot tell us is set apart, never counted.**  Past the point where a cut-off
  copy stops (``Section.truncated``) the texts are not compared; every change *before* it is
  shown and counted.  Words a section's note records its copy as lacking (``Section.lacks``)
  are shown apart too.  Only the ``missing`` status means "text not obtained": a held section
  with no words is a provision with no words in the law.  A section absent from a partial
  document is "not in the text we hold", never "added" or "removed".
- **Front matter is not law.**  Cover pages, petitioner lists, referral slips, report pages and
  enacting clauses (``role: front-matter``) are compared and shown apart; headline numbers count
  provisions only.

Also here: the one vocabulary of labels, who a document's sponsors are, the default pair, the
glossary's terms and the provenance sentence of a handout.
"""

from __future__ import annotations

import bisect
import operator
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property
from itertools import islice
from typing import Literal, NamedTuple

from billdiff import ids
from billdiff.align import flatten, positions
from billdiff.compare import Comparison, PairDiff, TopicView
from billdiff.diff import DiffStats, Op, OpKind, count_words
from billdiff.load import Corpus
from billdiff.model import (
    Completeness,
    Document,
    DocumentKind,
    Section,
    SectionRole,
    TextStatus,
    iter_sections,
)
from billdiff.normalize import fold_typography

Side = Literal["a", "b"]
#: The id of a pasted draft (compared in memory, never stored, never official).
DRAFT_ID = "your-draft"

# -- the vocabulary ---------------------------------------------------------------------------


class Change(StrEnum):
    """A kind of change between two versions of a provision."""

    WORDING = "wording"
    TYPOGRAPHY = "typography"
    HEADING = "heading"
    RENUMBERED = "renumbered"
    MOVED = "moved"
    STRUCTURE = "structure"
    REPEALED = "repealed"
    ENACTED = "enacted"
    ADDED = "added"
    REMOVED = "removed"


#: Every kind that is a change in the law (typography is not).
LAW_CHANGES: frozenset[Change] = frozenset(Change) - {Change.TYPOGRAPHY}

CHANGE_LABELS: dict[Change, str] = {
    Change.WORDING: "Wording changed",
    Change.TYPOGRAPHY: "Typography only (same words)",
    Change.HEADING: "Heading changed",
    Change.RENUMBERED: "Renumbered",
    Change.MOVED: "Moved",
    Change.STRUCTURE: "Split into or merged from sub-paragraphs",
    Change.REPEALED: "Repealed: no words left",
    Change.ENACTED: "Enacted: words where there were none",
    Change.ADDED: "Added",
    Change.REMOVED: "Removed",
}
CHANGE_HELP: dict[Change, str] = {
    Change.WORDING: "Words were deleted, inserted or replaced.",
    Change.TYPOGRAPHY: "Only quote style, dash style or spacing differs: the same words. "
                       "Not counted as a change.",
    Change.HEADING: "The heading (catchline) of the provision changed.",
    Change.RENUMBERED: "The same provision has a new number.",
    Change.MOVED: "The provision stands in another place among its neighbours.",
    Change.STRUCTURE: "The provision's own words became sub-paragraphs, or sub-paragraphs "
                      "became its own words.",
    Change.REPEALED: "The provision had words and now has none (repealed or reserved).",
    Change.ENACTED: "The provision had no words and now has some.",
    Change.ADDED: "The provision is only in the later text.",
    Change.REMOVED: "The provision is only in the earlier text.",
}


class PairState(StrEnum):
    """What one pair of provisions reads as."""

    CHANGED = "changed"
    TYPOGRAPHY = "typography"
    UNCHANGED = "unchanged"
    NOT_COMPARED = "not-compared"


PAIR_STATE_LABELS: dict[PairState, str] = {
    PairState.CHANGED: "Changed",
    PairState.TYPOGRAPHY: "Same wording (typography differs)",
    PairState.UNCHANGED: "Same wording",
    PairState.NOT_COMPARED: "Not compared",
}


class TopicState(StrEnum):
    """What one topic reads as across two documents."""

    CHANGED = "changed"
    UNCHANGED = "unchanged"
    TYPOGRAPHY = "typography"
    PARTIAL = "partial"
    LACKING = "lacking"
    ABSENT = "absent"


TOPIC_STATE_LABELS: dict[TopicState, str] = {
    TopicState.CHANGED: "Changed",
    TopicState.UNCHANGED: "Same wording",
    TopicState.TYPOGRAPHY: "Same wording (typography differs)",
    TopicState.PARTIAL: "Same wording where both texts are held",
    TopicState.LACKING: "Cannot be compared: text missing",
    TopicState.ABSENT: "Not in either text",
}
TOPIC_STATE_SYMBOLS: dict[TopicState, str] = {
    TopicState.CHANGED: "≠", TopicState.UNCHANGED: "=", TopicState.TYPOGRAPHY: "=",
    TopicState.PARTIAL: "◐", TopicState.LACKING: "○", TopicState.ABSENT: "–",
}


#: The states of a topic in the plain words of a handout (no jargon, no data-gathering terms).
TOPIC_STATE_PLAIN: dict[TopicState, str] = {
    TopicState.CHANGED: "The words of the two texts differ",
    TopicState.UNCHANGED: "The words are the same in the text we have",
    TopicState.TYPOGRAPHY: "The words are the same in the text we have",
    TopicState.PARTIAL: "The words are the same where we have both texts; we don't have the "
                        "rest",
    TopicState.LACKING: "We don't have the words of both texts to compare",
    TopicState.ABSENT: "Neither text has words on this",
}
#: Kinds of change in the plain words of a handout.
CHANGE_PLAIN: dict[Change, str] = {
    Change.WORDING: "new wording", Change.TYPOGRAPHY: "typography only",
    Change.HEADING: "a new heading", Change.RENUMBERED: "a new number",
    Change.MOVED: "moved", Change.STRUCTURE: "split into parts",
    Change.REPEALED: "repealed", Change.ENACTED: "new words", Change.ADDED: "added",
    Change.REMOVED: "removed",
}


class Lack(StrEnum):
    """Why one side of a pair has nothing to compare."""

    #: The section is there, but its text was not obtained (status ``missing``).
    NOT_HELD = "not-held"
    #: No such provision in the text we hold of a partial document.
    NOT_IN_HELD_TEXT = "not-in-held-text"


LACK_LABELS: dict[Lack, str] = {
    Lack.NOT_HELD: "text not held",
    Lack.NOT_IN_HELD_TEXT: "not in the text we hold",
}

STATUS_LABELS: dict[TextStatus, str] = {
    TextStatus.OFFICIAL: "Official text",
    TextStatus.EXCERPT: "Excerpt",
    TextStatus.SINGLE_SOURCE: "Single source",
    TextStatus.MISSING: "Text missing",
}
STATUS_HELP: dict[TextStatus, str] = {
    TextStatus.OFFICIAL: "Verbatim from the official publisher, the whole provision.",
    TextStatus.EXCERPT: "Verbatim, but only part of the provision, or from a copy of the "
                        "official text.",
    TextStatus.SINGLE_SOURCE: "Verbatim from one outside copy that could not be checked "
                              "against another.",
    TextStatus.MISSING: "We could not get this text. Read it at the official link.",
}
COMPLETENESS_LABELS: dict[Completeness, str] = {
    Completeness.COMPLETE: "Full text",
    Completeness.PARTIAL: "Partial text",
    Completeness.NONE: "No text",
}
KIND_LABELS: dict[DocumentKind, str] = {
    DocumentKind.STATUTE: "Current law",
    DocumentKind.BILL: "Bill",
    DocumentKind.AMENDMENT: "Amendment",
    DocumentKind.ORDINANCE: "Ordinance",
}
#: Relation type: (outgoing wording, incoming wording).
RELATION_LABELS: dict[str, tuple[str, str]] = {
    "amends": ("amends", "amended by"),
    "replaces": ("would replace", "would be replaced by"),
    "companion-of": ("companion bill of", "companion bill of"),
    "redraft-of": ("new draft of", "redrafted as"),
    "refiled-as": ("refiled as", "refiled from"),
}
FOOTING_LABELS: dict[str, str] = {
    "official-text": "Based on the bill or law text",
    "secondary-sources": "Based on outside sources, not the text itself",
    "mixed": "Based partly on the text and partly on outside sources",
}
ROLE_LABELS: dict[SectionRole, str] = {
    SectionRole.PROVISION: "Provision",
    SectionRole.FRONT_MATTER: "Front matter (not law)",
}


# -- documents and sections in words --------------------------------------------------------


def section_number(section: Section | None) -> str:
    """What a reader calls a section: ``§ 220(a)`` for a number, else its heading or id."""
    if section is None:
        return "(no provision)"
    if section.number:
        return "§ " + section.number if section.number[:1].isdigit() else section.number
    return section.heading or section.id


def section_label(section: Section | None) -> str:
    """Number and heading: ``§ 220(a) Definitions``."""
    if section is None:
        return "(no provision)"
    number = section_number(section)
    if section.number and section.heading:
        return f"{number} {section.heading}"
    return number


def year_of(doc: Document) -> str:
    """The year a document was filed or enacted ('' if unknown)."""
    return (doc.filed or "")[:4]


def official_link(doc: Document, section: Section | None = None) -> str | None:
    """The official text of a section (its own link, else the document's)."""
    if section is not None and section.source_url:
        return section.source_url
    return doc.official_url


def sponsors(doc: Document) -> tuple[str, ...]:
    """Who filed or reported a document: its sponsors and reporting committee (with the
    member who reported it), never the petitioners who signed on."""
    return tuple(s.name for s in doc.sponsors if s.role != "petitioner")


def sponsor_line(doc: Document, limit: int = 3) -> str:
    """``A, B and 3 more``: :func:`sponsors` in a line ('' when there are none)."""
    names = sponsors(doc)
    if not names:
        return ""
    if len(names) <= limit:
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"


def is_bill(doc: Document) -> bool:
    """True for a bill or an amendment (what a handout may ask people to support)."""
    return doc.kind in (DocumentKind.BILL, DocumentKind.AMENDMENT)


_SESSION_YEARS = re.compile(r"\b(\d{4})\s*[-–]\s*(\d{4})\b")


def session_ended(doc: Document, today: date) -> bool:
    """True when a document's legislative session has ended (its last year is past).

    A session is read from its name (``193rd General Court (2023-2024)``); a document with no
    session, or one whose years cannot be read, is taken as still pending.
    """
    match = _SESSION_YEARS.search(doc.session or "")
    return match is not None and int(match.group(2)) < today.year


def is_front_matter(section: Section | None) -> bool:
    """True for a cover page, petitioner list, referral slip, report page or enacting clause."""
    return section is not None and section.role is SectionRole.FRONT_MATTER


# -- runs: the held text of a pair, read ----------------------------------------------------


class Mark(StrEnum):
    """What one run of a pair's redline is."""

    SAME = "same"
    WORDING = "wording"
    TYPOGRAPHY = "typography"
    #: Words one copy is known to lack (``Section.lacks``): shown apart, not a change.
    GAP = "gap"


class Run(NamedTuple):
    """One run of a redline with what it means (a named tuple: whole codes make many)."""

    op: OpKind
    text: str
    mark: Mark


def _words(text: str) -> list[str]:
    return fold_typography(text).split()


def _lacked(text: str, lacks: tuple[str, ...]) -> bool:
    """True if *text* is exactly words a copy is known to lack (typography and spacing aside)."""
    words = _words(text)
    return bool(words) and any(words == _words(lack) for lack in lacks)


def _cut_at(text: str) -> int:
    """Where the held part of a cut-off copy ends: before its last word, which may itself be
    cut short (a copy that stops mid-word)."""
    end = len(text.rstrip())
    start = max(text.rfind(" ", 0, end), text.rfind("\n", 0, end)) + 1
    return start


def split_at_cut(ops: Sequence[Op], cut_a: int | None, cut_b: int | None
                 ) -> tuple[list[Op], list[Op], Side | None]:
    """The runs before and past the point where a cut-off copy stops, and whose copy stops
    there (None when no copy stops before the end).

    *cut_a* / *cut_b* are positions in A's / B's text where the held part ends (None: that
    side is whole).  A run that crosses a cut is split there.  An insertion (deletion) at the
    point where A's (B's) copy stops belongs past it, unless it completes a replacement begun
    inside the held text.
    """
    held: list[Op] = []
    pa = pb = 0
    for index, o in enumerate(ops):
        if o.op == "equal":
            room, side = _room(pa, cut_a, pb, cut_b)
            if side is not None and room < len(o.text):
                if room:
                    held.append(Op("equal", o.text[:room]))
                return held, [Op("equal", o.text[room:]), *ops[index + 1:]], side
            pa += len(o.text)
            pb += len(o.text)
        elif o.op == "delete":
            if cut_b is not None and pb >= cut_b and not _replacing(held, "insert"):
                return held, list(ops[index:]), "b"
            if cut_a is not None and pa + len(o.text) > cut_a:
                room = cut_a - pa
                if room > 0:
                    held.append(o._replace(text=o.text[:room]))
                return held, [o._replace(text=o.text[room:]), *ops[index + 1:]], "a"
            pa += len(o.text)
        else:
            if cut_a is not None and pa >= cut_a and not _replacing(held, "delete"):
                return held, list(ops[index:]), "a"
            if cut_b is not None and pb + len(o.text) > cut_b:
                room = cut_b - pb
                if room > 0:
                    held.append(o._replace(text=o.text[:room]))
                return held, [o._replace(text=o.text[room:]), *ops[index + 1:]], "b"
            pb += len(o.text)
        held.append(o)
    return held, [], None


def _room(pa: int, cut_a: int | None, pb: int, cut_b: int | None) -> tuple[int, Side | None]:
    """Characters an equal run may still take before the nearer cut, and whose cut it is
    (None: no cut ahead)."""
    sides: tuple[tuple[int | None, int, Side], ...] = ((cut_a, pa, "a"), (cut_b, pb, "b"))
    rooms = [(c - p, side) for c, p, side in sides if c is not None]
    if not rooms:
        return 0, None
    room, side = min(rooms)
    return max(0, room), side


def _replacing(held: list[Op], kind: str) -> bool:
    """True if the last held run is a wording *kind* run (a replacement in progress)."""
    return bool(held) and held[-1].op == kind and not held[-1].typography


def mark_runs(ops: Sequence[Op], a_lacks: tuple[str, ...] = (),
              b_lacks: tuple[str, ...] = ()) -> tuple[Run, ...]:
    """Each run with what it is: the same, wording, typography, or words a copy lacks."""
    out: list[Run] = []
    i, n = 0, len(ops)
    while i < n:
        o = ops[i]
        if o.op == "equal":
            out.append(Run("equal", o.text, Mark.SAME))
            i += 1
            continue
        j = i
        while j < n and ops[j].op != "equal":
            j += 1
        hunk = ops[i:j]
        gone = "".join(h.text for h in hunk if h.op == "delete" and not h.typography)
        new = "".join(h.text for h in hunk if h.op == "insert" and not h.typography)
        if (not new.strip() and _lacked(gone, b_lacks)) or (
                not gone.strip() and _lacked(new, a_lacks)):
            wording = Mark.GAP
        elif _words(gone) == _words(new):  # only spacing or typography left
            wording = Mark.TYPOGRAPHY
        else:
            wording = Mark.WORDING
        out.extend(Run(h.op, h.text, Mark.TYPOGRAPHY if h.typography else wording)
                   for h in hunk)
        i = j
    return tuple(out)


def run_stats(runs: Iterable[Run]) -> DiffStats:
    """Word statistics of marked runs: only wording counts as changed words."""
    runs = tuple(runs)
    inserted = sum(count_words(r.text) for r in runs
                   if r.op == "insert" and r.mark is Mark.WORDING)
    deleted = sum(count_words(r.text) for r in runs
                  if r.op == "delete" and r.mark is Mark.WORDING)
    words_a = count_words("".join(r.text for r in runs if r.op != "insert"))
    words_b = count_words("".join(r.text for r in runs if r.op != "delete"))
    regions = typography = 0
    wording = styled = False
    for r in (*runs, Run("equal", "", Mark.SAME)):
        if r.op == "equal":
            regions += wording
            typography += styled and not wording
            wording = styled = False
        elif r.mark is Mark.WORDING:
            wording = True
        elif r.mark is Mark.TYPOGRAPHY:
            styled = True
    return DiffStats(words_a, words_b, inserted, deleted, regions, typography)


# -- one pair -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PairReading:
    """One aligned pair, read: its state, its kinds of change and its marked runs."""

    diff: PairDiff
    state: PairState
    changes: tuple[Change, ...]
    #: Sides with nothing to compare, and why.
    lacking: tuple[tuple[Side, Lack], ...]
    #: Sides whose copy stops before the provision ends (when the comparison reaches it).
    cut: tuple[Side, ...]
    #: The runs as far as both copies go, each marked.
    runs: tuple[Run, ...]
    #: The runs past the point where a cut-off copy stops: shown apart, never compared.
    tail: tuple[Run, ...]
    #: The side whose copy stops where the tail begins (the first cut reached).
    stops: Side | None = None

    @property
    def a(self) -> Section | None:
        """The section on side A."""
        return self.diff.pair.a

    @property
    def b(self) -> Section | None:
        """The section on side B."""
        return self.diff.pair.b

    @property
    def topic(self) -> str | None:
        """The topic the pair was made for, if any."""
        return self.diff.pair.topic

    @property
    def changed(self) -> bool:
        """True if the pair changed in the law (typography alone is not a change)."""
        return self.state is PairState.CHANGED

    @property
    def compared(self) -> bool:
        """True if both texts were held and compared."""
        return self.state is not PairState.NOT_COMPARED

    @property
    def front_matter(self) -> bool:
        """True when the pair is front matter (not law) on every side it has."""
        sides = [s for s in (self.a, self.b) if s is not None]
        return bool(sides) and all(is_front_matter(s) for s in sides)

    @property
    def partial(self) -> tuple[Side, ...]:
        """The sides whose text is only an excerpt or from a single source."""
        out: list[Side] = []
        for side, s in (("a", self.a), ("b", self.b)):
            if s is not None and s.status in (TextStatus.EXCERPT, TextStatus.SINGLE_SOURCE):
                out.append(side)  # type: ignore[arg-type]
        return tuple(out)

    @property
    def caution(self) -> bool:
        """True when a change may only mean that words were not retrieved (an excerpt side)."""
        return self.changed and bool(self.partial)

    @property
    def gaps(self) -> bool:
        """True if some runs are words a copy is known to lack."""
        return any(r.mark is Mark.GAP for r in self.runs)

    def lack(self, side: Side) -> Lack | None:
        """Why *side* has nothing to compare (None if it has)."""
        return next((why for s, why in self.lacking if s == side), None)

    def tail_text(self, side: Side) -> str:
        """A side's text past the point where a copy stops."""
        drop = "insert" if side == "a" else "delete"
        return "".join(r.text for r in self.tail if r.op != drop)

    @cached_property
    def stats(self) -> DiffStats | None:
        """Words compared and changed as far as both copies go (None when not compared)."""
        if not self.compared:
            return None
        if self.diff.same_text:  # never builds the one-run diff of an unchanged pair
            words = count_words(self.diff.a_text)
            return DiffStats(words, words)
        if self.diff.diff is None:
            return None
        return run_stats(self.runs)

    @property
    def heading_change(self) -> tuple[str | None, str | None] | None:
        """``(A's heading, B's heading)`` when the heading changed."""
        if Change.HEADING in self.changes and self.a and self.b:
            return self.a.heading, self.b.heading
        return None

    @property
    def number_change(self) -> tuple[str | None, str | None] | None:
        """``(A's number, B's number)`` when the provision was renumbered."""
        if Change.RENUMBERED in self.changes and self.a and self.b:
            return self.a.number, self.b.number
        return None


def _fold_label(value: str | None) -> str:
    return " ".join(fold_typography(value or "").split())


def _lack_of(section: Section | None, doc: Document) -> Lack | None:
    if section is None:
        return None if doc.provenance.completeness is Completeness.COMPLETE else \
            Lack.NOT_IN_HELD_TEXT
    return None if section.held else Lack.NOT_HELD


_NO_RUNS: tuple[Run, ...] = ()


def _unchanged(diff: PairDiff) -> PairReading:
    """The reading of a pair with the same text, heading and number on both sides, built
    without the frozen ``__init__`` (a whole code has thousands; see
    :meth:`billdiff.diff.TextDiff.unchanged`)."""
    obj = object.__new__(PairReading)
    text = diff.a_text
    obj.__dict__.update(diff=diff, state=PairState.UNCHANGED, changes=(), lacking=(), cut=(),
                        runs=(Run("equal", text, Mark.SAME),) if text else _NO_RUNS,
                        tail=_NO_RUNS, stops=None)
    return obj


def read_pair(diff: PairDiff, a_doc: Document, b_doc: Document, moved: bool = False
              ) -> PairReading:
    """Read one pair (see the module docstring for the rules)."""
    a, b = diff.pair.a, diff.pair.b
    if (not moved and a is not None and b is not None and diff.same_text
            and a.heading == b.heading and a.number == b.number):
        return _unchanged(diff)
    lacking: list[tuple[Side, Lack]] = []
    for side, section, doc in (("a", a, a_doc), ("b", b, b_doc)):
        why = _lack_of(section, doc)
        if why is not None:
            lacking.append((side, why))  # type: ignore[arg-type]
    if lacking or a is None or b is None:
        if not lacking:  # one side absent from a complete document: added or removed
            change = Change.ADDED if a is None else Change.REMOVED
            return PairReading(diff, PairState.CHANGED, (change,), (), (), (), ())
        return PairReading(diff, PairState.NOT_COMPARED, (), tuple(lacking), (), (), ())

    changes: list[Change] = []
    both_sides: tuple[tuple[Side, Section], ...] = (("a", a), ("b", b))
    cut: tuple[Side, ...] = tuple(s for s, sec in both_sides if sec.truncated)
    stops: Side | None = None
    if diff.same_text:
        runs: tuple[Run, ...] = ((Run("equal", diff.a_text, Mark.SAME),)
                                 if diff.a_text else ())
        tail: tuple[Run, ...] = ()
        cut = ()
    else:
        assert diff.diff is not None
        held, rest, stops = split_at_cut(
            diff.diff.ops, _cut_at(diff.a_text) if a.truncated else None,
            _cut_at(diff.b_text) if b.truncated else None)
        runs = mark_runs(held, a.lacks, b.lacks)
        tail = tuple(Run(o.op, o.text, Mark.SAME) for o in rest)
        if not rest:
            cut = ()
        if a.has_words and not b.has_words:
            changes.append(Change.STRUCTURE if b.children else Change.REPEALED)
        elif b.has_words and not a.has_words:
            changes.append(Change.STRUCTURE if a.children else Change.ENACTED)
        elif any(r.mark is Mark.WORDING for r in runs):
            changes.append(Change.WORDING)
        if any(r.mark is Mark.TYPOGRAPHY for r in runs):
            changes.append(Change.TYPOGRAPHY)
    same_provision = a.id == b.id or diff.pair.method == "similarity"
    for attr, kind in (("heading", Change.HEADING), ("number", Change.RENUMBERED)):
        va, vb = getattr(a, attr), getattr(b, attr)
        if va == vb or (kind is Change.RENUMBERED and not same_provision):
            # Numbers differ by design between provisions paired by their place in a topic;
            # a pair by id, or one suggested by its wording, is one provision renumbered.
            continue
        if _fold_label(va) != _fold_label(vb):
            changes.append(kind)
        elif Change.TYPOGRAPHY not in changes:
            changes.append(Change.TYPOGRAPHY)
    if moved:
        changes.append(Change.MOVED)
    changes.sort(key=list(Change).index)
    law = any(c in LAW_CHANGES for c in changes)
    state = (PairState.CHANGED if law else
             PairState.TYPOGRAPHY if changes else PairState.UNCHANGED)
    return PairReading(diff, state, tuple(changes), (), cut, runs, tail, stops if tail else None)


# -- provisions on one side only ------------------------------------------------------------


@dataclass(frozen=True)
class Unpaired:
    """A provision found on one side only."""

    section: Section
    side: Side
    #: ``added``/``removed``, or None when it cannot be told (its text is not held, or the
    #: other document is partial and may hold it in what we lack).
    change: Change | None
    lack: Lack | None

    @property
    def front_matter(self) -> bool:
        """True for front matter (not law)."""
        return is_front_matter(self.section)


def _unpaired(section: Section, side: Side, other: Document) -> Unpaired:
    if not section.held:
        return Unpaired(section, side, None, Lack.NOT_HELD)
    if other.provenance.completeness is not Completeness.COMPLETE:
        return Unpaired(section, side, None, Lack.NOT_IN_HELD_TEXT)
    return Unpaired(section, side, Change.ADDED if side == "b" else Change.REMOVED, None)


# -- topics ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TopicReading:
    """One topic across two documents, read."""

    view: TopicView
    pairs: tuple[PairReading, ...]
    state: TopicState

    @property
    def topic_id(self) -> str:
        """The topic's id."""
        return self.view.topic.id

    @property
    def changes(self) -> tuple[Change, ...]:
        """Every kind of change among the topic's pairs, in the order of :class:`Change`."""
        found = {c for p in self.pairs for c in p.changes}
        return tuple(c for c in Change if c in found)

    @property
    def not_compared(self) -> int:
        """How many of its pairs could not be compared."""
        return sum(1 for p in self.pairs if not p.compared)

    @cached_property
    def stats(self) -> DiffStats:
        """Words compared and changed, over its compared pairs."""
        total = DiffStats()
        for p in self.pairs:
            if p.stats is not None:
                total = total + p.stats
        return total

    @property
    def attribute_changes(self) -> tuple[tuple[str, str | None, str | None], ...]:
        """``(name, value in A, value in B)`` for each summary attribute that differs."""
        return attribute_changes(self.view)


def attribute_changes(view: TopicView) -> tuple[tuple[str, str | None, str | None], ...]:
    """``(name, value in A, value in B)`` for each structured attribute that differs."""
    a = view.a_analysis.attributes if view.a_analysis else {}
    b = view.b_analysis.attributes if view.b_analysis else {}
    keys = list(dict.fromkeys([*a, *b]))
    return tuple((k, a.get(k), b.get(k)) for k in keys if a.get(k) != b.get(k))


def topic_state(pairs: Sequence[PairReading]) -> TopicState:
    """A topic's state from its pairs (see :class:`TopicState`)."""
    if not pairs:
        return TopicState.ABSENT
    if any(p.changed for p in pairs):
        return TopicState.CHANGED
    compared = [p for p in pairs if p.compared]
    if not compared:
        return TopicState.LACKING
    if len(compared) < len(pairs) or any(p.cut for p in compared):
        return TopicState.PARTIAL
    if any(p.state is PairState.TYPOGRAPHY for p in compared):
        return TopicState.TYPOGRAPHY
    return TopicState.UNCHANGED


# -- the headline -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Headline:
    """The numbers of one part of a comparison (provisions, or front matter apart).

    Each distinct pair of provisions counts once, however many topics show it.  The word
    counts (:attr:`stats`) are summed on first use: counting the words of a whole code costs
    more than comparing it, and the state of a comparison does not need them.
    """

    pairs: int = 0
    compared: int = 0
    changed: int = 0
    typography: int = 0
    not_compared: int = 0
    added: int = 0
    removed: int = 0
    #: Provisions on one side only that cannot be called added or removed (text not held, or
    #: a partial document on the other side).
    unpaired_unknown: int = 0
    by_change: tuple[tuple[Change, int], ...] = ()
    #: The compared pairs whose words are counted in :attr:`stats`.
    counted: tuple[PairReading, ...] = ()
    #: The texts of compared pairs that are the same on both sides (counted once a side).
    same_texts: tuple[str, ...] = ()

    @property
    def unchanged(self) -> int:
        """Compared pairs with the same wording (typography aside)."""
        return self.compared - self.changed

    @property
    def any_change(self) -> bool:
        """True if anything changed in this part."""
        return bool(self.changed or self.added or self.removed)

    @cached_property
    def stats(self) -> DiffStats:
        """Words compared and changed, summed over the compared pairs."""
        words = sum(count_words(t) for t in self.same_texts)
        total = DiffStats(words, words)
        for p in self.counted:
            if p.stats is not None:
                total = total + p.stats
        return total


def _headline(pairs: Iterable[PairDiff | PairReading], unpaired: Iterable[Unpaired]
              ) -> Headline:
    """Headline numbers over *pairs*: readings, or the diffs of pairs that are plainly the
    same (same text, heading and number)."""
    seen: set[tuple[str | None, str | None]] = set()
    counts = {"pairs": 0, "compared": 0, "changed": 0, "typography": 0, "not_compared": 0,
              "added": 0, "removed": 0, "unpaired_unknown": 0}
    kinds: dict[Change, int] = {}
    counted: list[PairReading] = []
    same: list[str] = []
    plain = 0
    for p in pairs:
        pair = p.pair if isinstance(p, PairDiff) else p.diff.pair
        if pair.topic is not None:  # only a topic shows a pair twice (under two topics)
            key = (pair.a.id if pair.a else None, pair.b.id if pair.b else None)
            if key in seen:
                continue
            seen.add(key)
        if isinstance(p, PairDiff):
            plain += 1
            same.append(p.a_text)
            continue
        counts["pairs"] += 1
        if not p.changes:
            if p.state is PairState.UNCHANGED:
                counts["compared"] += 1
                counted.append(p)
            else:
                counts["not_compared"] += 1
            continue
        for c in p.changes:
            kinds[c] = kinds.get(c, 0) + 1
        if Change.ADDED in p.changes or Change.REMOVED in p.changes:
            counts["added" if Change.ADDED in p.changes else "removed"] += 1
            continue
        counts["compared"] += 1
        counts["changed"] += p.changed
        counts["typography"] += p.state is PairState.TYPOGRAPHY
        counted.append(p)
    for u in unpaired:
        if u.change is None:
            counts["unpaired_unknown"] += 1
        else:
            counts["added" if u.change is Change.ADDED else "removed"] += 1
            kinds[u.change] = kinds.get(u.change, 0) + 1
    counts["pairs"] += plain
    counts["compared"] += plain
    return Headline(**counts, counted=tuple(counted), same_texts=tuple(same),
                    by_change=tuple((c, kinds[c]) for c in Change if c in kinds))


# -- a whole comparison -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Reading:
    """A comparison, read: every pair, every topic, what is on one side only, the headline.

    Pairs that are plainly the same (same text, heading and number, in place) are read on
    first use only: across two releases of a code they are nearly all of them, and the state
    and headline of a comparison need only know that they are there.
    """

    comparison: Comparison
    #: Readings of the pairs that are not plainly the same, by their index in the comparison.
    read: dict[int, PairReading]
    topics: tuple[TopicReading, ...]
    only_a: tuple[Unpaired, ...]
    only_b: tuple[Unpaired, ...]

    @cached_property
    def pairs(self) -> tuple[PairReading, ...]:
        """Every pair, read, in the comparison's order."""
        read = self.read
        return tuple(read.get(i) or _unchanged(p) for i, p in enumerate(self.comparison.pairs))

    def _part(self, front: bool) -> list[PairDiff | PairReading]:
        """The pairs of provisions (or of front matter): readings, or plain diffs."""
        read = self.read
        fm = SectionRole.FRONT_MATTER
        out: list[PairDiff | PairReading] = []
        for i, p in enumerate(self.comparison.pairs):
            a, b = p.pair.a, p.pair.b
            is_front = ((a is None or a.role is fm) and (b is None or b.role is fm)
                        and (a is not None or b is not None))
            if is_front is front:
                out.append(read.get(i) or p)
        return out

    @property
    def a(self) -> Document:
        """Side A."""
        return self.comparison.a

    @property
    def b(self) -> Document:
        """Side B."""
        return self.comparison.b

    @cached_property
    def provisions(self) -> Headline:
        """The headline numbers: provisions only."""
        return _headline(self._part(front=False),
                         (u for u in (*self.only_a, *self.only_b) if not u.front_matter))

    @cached_property
    def front_matter(self) -> Headline:
        """Front matter's own numbers, apart from the provisions'."""
        return _headline(self._part(front=True),
                         (u for u in (*self.only_a, *self.only_b) if u.front_matter))

    @property
    def changed(self) -> bool:
        """True if something changed in the law (a provision; never typography alone).

        Read from the pairs that are not plainly the same, without the headline's count."""
        return any(r.changed and not r.front_matter for r in self.read.values()) or any(
            u.change is not None and not u.front_matter for u in (*self.only_a, *self.only_b))

    @property
    def typography_only(self) -> bool:
        """True if the provisions differ only in typography."""
        return not self.changed and bool(self.provisions.typography)

    @property
    def approximate(self) -> bool:
        """True if a long passage had to be matched in blocks (see :mod:`billdiff.diff`)."""
        return self.comparison.approximate

    @property
    def same_document(self) -> bool:
        """True when a document is compared with itself."""
        return self.a.id == self.b.id

    @property
    def reversed_order(self) -> bool:
        """True when A is newer than B (deletions and insertions run backwards in time)."""
        return bool(self.b.filed) and (self.a.filed or "") > (self.b.filed or "")

    @property
    def other_pairs(self) -> tuple[PairReading, ...]:
        """Pairs under no topic, in order."""
        return tuple(p for p in self.pairs if p.topic is None)

    @property
    def changed_pairs(self) -> tuple[PairReading, ...]:
        """The pairs that changed in the law, in order (without reading the rest)."""
        return tuple(r for _, r in sorted(self.read.items()) if r.changed)


def _moved(comparison: Comparison) -> set[int]:
    """Indices of pairs whose provision stands in another place among its neighbours.

    Pairs are grouped by their parents (as paired); within a group, provisions kept in order
    are the longest run in the same order on both sides, and the rest have moved.  A
    provision whose parent is paired with a different parent than its own has moved too.
    """
    pairs = comparison.pairs
    if not pairs:
        return set()
    pos_b = positions(comparison.b)
    # The usual case across releases of a code: every pair in the same order on both sides,
    # so none moved among its neighbours; only a pair whose ids differ can have moved to
    # another parent.  One pass tells.
    both = [(i, p.pair.a.id, p.pair.b.id) for i, p in enumerate(pairs)
            if p.pair.a is not None and p.pair.b is not None and not p.pair.suggested]
    seq = [pos_b[b_id] for _, _, b_id in both]
    in_order = all(map(operator.lt, seq, islice(seq, 1, None)))
    renamed = [i for i, a_id, b_id in both if a_id != b_id]
    # A pair whose ids differ moved to another parent if its parents differ too, and A's
    # parent is paired with another than B's (same parents: paired by id, with each other).
    crossing = []
    for index in renamed if in_order else range(len(pairs)):
        sa, sb = pairs[index].pair.a, pairs[index].pair.b
        if sa is None or sb is None or sa.id == sb.id or pairs[index].pair.suggested:
            continue
        parent_a, parent_b = ids.parent(sa.id), ids.parent(sb.id)
        if parent_a is not None and parent_a != parent_b:
            crossing.append((index, parent_a, parent_b))
    out: set[int] = set()
    if crossing:
        partner = {p.pair.a.id: p.pair.b.id for p in pairs
                   if p.pair.a is not None and p.pair.b is not None}
        out = {index for index, parent_a, parent_b in crossing
               if parent_a in partner and partner[parent_a] != parent_b}
    if in_order:
        return out
    # Some pair is out of order.  A provision that moved among its siblings leaves a step
    # back in A's order where it left or where it landed, so only the sibling groups around
    # each step back can hold one: within each, those kept in order are the longest run in
    # the same order on both sides, and the rest have moved.
    by_a = {p.pair.a.id: i for i, p in enumerate(pairs)
            if p.pair.a is not None and p.pair.b is not None and not p.pair.suggested
            and i not in out}
    suspects: set[str | None] = set()
    pos_a = positions(comparison.a)
    ordered = sorted((pos_a[a_id], pos_b[pairs[i].pair.b.id], a_id)  # type: ignore[union-attr]
                     for a_id, i in by_a.items())  # timsort: near linear on A's own order
    for (_, before, last_id), (_, position, a_id) in zip(ordered, ordered[1:], strict=False):
        if position <= before:
            suspects.update(_ancestors(a_id))
            suspects.update(_ancestors(last_id))
    sections = {s.id: s for s in flatten(comparison.a)}
    for parent in suspects:
        children = comparison.a.sections if parent is None else (
            sections[parent].children if parent in sections else ())
        members = [(pos_a[c.id], pos_b[pairs[by_a[c.id]].pair.b.id],  # type: ignore[union-attr]
                    by_a[c.id]) for c in children if c.id in by_a]
        if len(members) < 2:
            continue
        members.sort()
        keep = _longest_increasing([m[1] for m in members])
        out.update(m[2] for k, m in enumerate(members) if k not in keep)
    return out


def _ancestors(section_id: str) -> list[str | None]:
    """Every level above a section id, up to the document (None)."""
    out: list[str | None] = [None]
    parts = section_id.split(ids.SEPARATOR)
    out += [ids.SEPARATOR.join(parts[:n]) for n in range(1, len(parts))]
    return out


def _longest_increasing(values: Sequence[int]) -> set[int]:
    """Indices of one longest strictly increasing subsequence (patience sorting)."""
    tails: list[int] = []
    tail_index: list[int] = []
    back = [-1] * len(values)
    for i, v in enumerate(values):
        k = bisect.bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
            tail_index.append(i)
        else:
            tails[k] = v
            tail_index[k] = i
        back[i] = tail_index[k - 1] if k else -1
    out: set[int] = set()
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        out.add(i)
        i = back[i]
    return out


def _plain(p: PairDiff) -> bool:
    """True for a pair that is plainly the same: same text, heading and number."""
    a, b = p.pair.a, p.pair.b
    return (a is not None and b is not None and p.same_text and a.heading == b.heading
            and a.number == b.number)


def read_comparison(comparison: Comparison) -> Reading:
    """Read *comparison* (kept in the comparison's memo: read once, whoever asks)."""
    hit = comparison.memo.get("reading")
    if isinstance(hit, Reading):
        return hit
    a, b = comparison.a, comparison.b
    moved = _moved(comparison)
    read = {index: read_pair(p, a, b, index in moved)
            for index, p in enumerate(comparison.pairs) if index in moved or not _plain(p)}
    topics = []
    if comparison.topics:
        by_pair = {id(p): index for index, p in enumerate(comparison.pairs)}
        for view in comparison.topics:
            rs = tuple(read.get(by_pair[id(p)]) or _unchanged(p) for p in view.pairs)
            topics.append(TopicReading(view, rs, topic_state(rs)))
    reading = Reading(comparison, read, tuple(topics),
                      tuple(_unpaired(s, "a", b) for s in comparison.only_a),
                      tuple(_unpaired(s, "b", a) for s in comparison.only_b))
    with _lock:
        made = comparison.memo.setdefault("reading", reading)
    assert isinstance(made, Reading)
    return made


_lock = threading.Lock()


# -- the corpus: default pair, glossary, provenance ------------------------------------------


def default_pair(corpus: Corpus) -> tuple[str, str]:
    """The comparison people come for: current law (or the oldest text) against the latest bill.

    Raises :class:`~billdiff.errors.NotFound` when the corpus has no documents.
    """
    from billdiff.errors import NotFound

    docs = corpus.ordered_documents()
    if not docs:
        raise NotFound("the corpus has no documents",
                       fix="import one with `billdiff import`, or pass --bills DIR")
    statutes = [d for d in docs if d.kind is DocumentKind.STATUTE]
    a = statutes[-1] if statutes else docs[0]
    later = [d for d in docs if d.id != a.id]
    b = later[-1] if later else a
    return a.id, b.id


def first_comparison(corpus: Corpus) -> tuple[str, str]:
    """The comparison to offer first: one with text to compare.

    The latest bill against the earlier document with which it shares the most provisions
    held on both sides (ties: the one with changes, then the most recent).  Falls back to
    :func:`default_pair` when no pair has text on both sides.  Computed once per corpus.
    """
    hit = corpus.memo.get("first_comparison")
    if isinstance(hit, tuple):
        return hit
    from billdiff.compare import cached_compare

    docs = corpus.ordered_documents()
    choice = default_pair(corpus)
    bills = [d for d in docs if is_bill(d)]
    if bills:
        latest = bills[-1]
        best: tuple[int, int, int] | None = None
        for rank, other in enumerate(docs):
            if other.id == latest.id or (other.filed or "") > (latest.filed or ""):
                continue
            reading = read_comparison(cached_compare(other, latest, corpus=corpus))
            score = (reading.provisions.compared, int(reading.changed), rank)
            if score[0] and (best is None or score > best):
                best, choice = score, (other.id, latest.id)
    corpus.memo["first_comparison"] = choice
    return choice


#: Kinds of outside source (``sources.yaml``) in a reader's words.
SOURCE_KIND_PLAIN: dict[str, str] = {
    "press": "news reports", "advocacy": "advocacy groups",
    "analysis": "notes and summaries on other websites",
    "secondary": "notes and summaries on other websites", "official": "official records",
    "data": "public records",
}


def sources_in_words(kinds: Iterable[str]) -> str:
    """``news reports, advocacy groups and public records`` (in a fixed order)."""
    wanted = set(kinds)
    named = list(dict.fromkeys(SOURCE_KIND_PLAIN[k] for k in SOURCE_KIND_PLAIN if k in wanted))
    if not named:
        return ""
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


@dataclass(frozen=True)
class TermVersion:
    """One document's wording of a defined term."""

    document: Document
    section: Section


@dataclass(frozen=True)
class Term:
    """A defined term and its wording in each document that defines it."""

    slug: str
    term: str
    versions: tuple[TermVersion, ...]


_QUOTED = re.compile(r"[“\"]([^”\"]{1,80})[”\"]")


def _term_name(section: Section, slug: str) -> str:
    for candidate in (section.number or "", section.heading or "", section.text):
        m = _QUOTED.search(candidate)
        if m:
            return m.group(1)
    text = slug.replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def glossary_terms(corpus: Corpus) -> tuple[Term, ...]:
    """Defined terms (definition ids, see :mod:`billdiff.ids`), each with every version."""
    terms: dict[str, list[TermVersion]] = {}
    names: dict[str, str] = {}
    for doc in corpus.ordered_documents():
        for section, _ in iter_sections(doc.sections):
            slug = ids.term_slug(section.id)
            if slug is None:
                continue
            names.setdefault(slug, _term_name(section, slug))
            terms.setdefault(slug, []).append(TermVersion(doc, section))
    return tuple(Term(slug, names[slug], tuple(v))
                 for slug, v in sorted(terms.items(), key=lambda kv: names[kv[0]].lower()))


def companions(corpus: Corpus, doc: Document) -> list[Document]:
    """Documents related to *doc* as companions (either direction), in a stable order."""
    ids_: list[str] = [r.target for r in doc.relations if r.type.value == "companion-of"]
    ids_ += [d.id for d in corpus.ordered_documents()
             if any(r.type.value == "companion-of" and r.target == doc.id
                    for r in d.relations)]
    return [corpus.documents[i] for i in dict.fromkeys(ids_)
            if i in corpus.documents and i != doc.id]
