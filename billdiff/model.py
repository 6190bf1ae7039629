"""The file schema: one home for every shape stored in a corpus folder.

A corpus folder (``bills/`` by default) holds:

- ``documents/<id>.yaml``: one :class:`Document` per file, its ``id`` equal to the file stem;
- ``topics.yaml``: the :class:`TopicsFile` (the provisions people ask about);
- ``analyses/<document-id>.yaml``: the :class:`AnalysisFile` of one document (our plain-language
  reading of it, per topic);
- ``sources.yaml``: the :class:`SourcesFile` (outside sources that analyses and facts cite);
- ``facts.yaml``: the :class:`FactsFile` (facts for fact sheets, each with its sources);
- ``glossary.yaml``: the :class:`GlossaryFile` (plain meanings of defined terms, cited);
- ``about.yaml``: the :class:`AboutFile` (what the dossier is about, in plain words).

Every model forbids unknown fields, is frozen, and takes strings only as strings (strict), so a
section number written ``1.10`` can never silently become ``1.1``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    field_validator,
    model_validator,
)

from billdiff.ids import DOCUMENT_ID_MAX, DOCUMENT_ID_PATTERN, SECTION_ID_MAX, SECTION_ID_PATTERN

#: Kept for importers that check ids before building a document (the scheme is in ``ids``).
ID_PATTERN = DOCUMENT_ID_PATTERN
Id = Annotated[str, StringConstraints(strict=True, pattern=DOCUMENT_ID_PATTERN,
                                      max_length=DOCUMENT_ID_MAX)]
SectionId = Annotated[
    str, StringConstraints(strict=True, pattern=SECTION_ID_PATTERN, max_length=SECTION_ID_MAX)
]
Url = Annotated[str, StringConstraints(strict=True, pattern=r"^https?://\S+$", max_length=2000)]
IsoDate = Annotated[str, StringConstraints(strict=True, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]
ShortText = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=2000)]


class Strict(BaseModel):
    """Base for stored shapes: unknown fields rejected, values immutable, text never coerced."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DocumentKind(StrEnum):
    """What a document is."""

    STATUTE = "statute"
    BILL = "bill"
    AMENDMENT = "amendment"
    ORDINANCE = "ordinance"


class TextStatus(StrEnum):
    """How far a section's text can be trusted.

    - ``official``: verbatim from the official publisher, the whole provision.
    - ``excerpt``: verbatim, but only part of the provision, or from a faithful copy of the
      official document rather than the publisher itself.
    - ``single-source``: verbatim from one third-party copy that could not be cross-checked.
    - ``missing``: not obtained; the section has no text and points at the official text.
    """

    OFFICIAL = "official"
    EXCERPT = "excerpt"
    SINGLE_SOURCE = "single-source"
    MISSING = "missing"


class SectionRole(StrEnum):
    """What a section is in its document.

    - ``provision``: a provision of law (or of the bill): what a comparison counts.
    - ``front-matter``: the parts of a printing around the provisions: cover and title pages,
      petitioner lists, referral slips (pinslips), committee report pages, enacting clauses.
      They are compared and shown apart; headline numbers never count them.
    """

    PROVISION = "provision"
    FRONT_MATTER = "front-matter"


class Completeness(StrEnum):
    """How much of a document's text the file holds."""

    COMPLETE = "complete"
    PARTIAL = "partial"
    NONE = "none"


class RelationType(StrEnum):
    """How one document stands to another."""

    AMENDS = "amends"
    REPLACES = "replaces"
    COMPANION_OF = "companion-of"
    REDRAFT_OF = "redraft-of"
    REFILED_AS = "refiled-as"


class Sponsor(Strict):
    """A sponsor, petitioner or reporting committee."""

    name: ShortText
    role: Literal["sponsor", "petitioner", "committee", "reporter"] = "sponsor"
    district: StrictStr | None = None
    date_added: StrictStr | None = None


class Relation(Strict):
    """A link to another document (and optionally one of its sections)."""

    type: RelationType
    target: Id
    section: SectionId | None = None
    note: StrictStr | None = None
    #: The relation comes from secondary sources, not checked against the texts (pages say
    #: "reportedly").
    reported: StrictBool = False


class SourceRef(Strict):
    """Where a document's text came from."""

    url: Url
    description: ShortText
    official: StrictBool = False
    used_for: StrictStr | None = None


class Provenance(Strict):
    """What a document's text rests on and how complete it is."""

    completeness: Completeness
    summary: ShortText
    sources: tuple[SourceRef, ...] = Field(min_length=1)
    retrieved: IsoDate | None = None
    checksum: StrictStr | None = None
    notes: StrictStr | None = None


class LineSpan(Strict):
    """The printed lines a section spans in the official printing (MA bills cite them)."""

    start: StrictInt = Field(ge=1)
    end: StrictInt = Field(ge=1)
    page: StrictInt | None = Field(default=None, ge=1)
    #: Where each printed line begins in the section's text (character offsets, the first 0),
    #: so that ``billdiff show --lines`` can print exactly the lines asked for.
    offsets: tuple[StrictInt, ...] = ()

    @model_validator(mode="after")
    def _ordered(self) -> LineSpan:
        if self.end < self.start:
            raise ValueError(f"end line {self.end} comes before start line {self.start}")
        if self.offsets:
            if len(self.offsets) != self.end - self.start + 1:
                raise ValueError(f"offsets has {len(self.offsets)} entries for "
                                 f"{self.end - self.start + 1} printed lines")
            if self.offsets[0] != 0 or list(self.offsets) != sorted(self.offsets):
                raise ValueError("offsets must start at 0 and never decrease")
        return self


class Section(Strict):
    """One provision, with its children.

    ``id`` is stable and hierarchical (``sec_220__subsec_a``) and stays the same when a
    provision is renumbered; ``number`` is what a reader sees (``220(a)``).
    """

    id: SectionId
    number: StrictStr | None = None
    heading: StrictStr | None = None
    text: StrictStr = ""
    status: TextStatus
    #: A provision of law, or the front matter of a printing (see :class:`SectionRole`).
    role: SectionRole = SectionRole.PROVISION
    #: The text stops before the provision ends (cut off in the only copy obtained).
    truncated: StrictBool = False
    #: Words the official text has here that this copy is known to lack (as its ``note``
    #: records, e.g. a ``Section 220.`` before ``(a)``).  A comparison shows them apart, like
    #: the part past a cut-off, and never counts them as a change.
    lacks: tuple[ShortText, ...] = ()
    note: StrictStr | None = None
    source_url: Url | None = None
    topics: tuple[Id, ...] = ()
    suggested_topics: tuple[Id, ...] = ()
    lines: LineSpan | None = None
    notes: tuple[StrictStr, ...] = ()
    children: tuple[Section, ...] = ()

    @property
    def held(self) -> bool:
        """True if we hold this provision's text (its status is not ``missing``).

        A held text may be empty: a provision with no words in the law (repealed, reserved, or
        a heading over sub-paragraphs).  Only ``missing`` means "text not obtained".
        """
        return self.status is not TextStatus.MISSING

    @property
    def has_words(self) -> bool:
        """True if the text is held and has words of its own."""
        return self.status is not TextStatus.MISSING and bool(self.text.strip())

    @model_validator(mode="after")
    def _text_matches_status(self) -> Section:
        if self.status is TextStatus.MISSING and self.text.strip():
            raise ValueError("a section whose status is 'missing' must have no text")
        if (self.status is not TextStatus.MISSING and not self.text.strip()
                and not self.children and not self.heading):
            # A heading alone is real official content (e.g. "[Reserved]." sections).
            raise ValueError(
                f"section has status {self.status.value!r} but no text "
                "(give its text, or mark it status: missing)"
            )
        return self


class Document(Strict):
    """A statute, bill, amendment or ordinance, with its provenance and its sections."""

    id: Id
    kind: DocumentKind
    jurisdiction: ShortText
    session: StrictStr | None = None
    number: ShortText
    title: ShortText
    short_title: StrictStr | None = None
    citation: StrictStr | None = None
    sponsors: tuple[Sponsor, ...] = ()
    filed: IsoDate | None = None
    status: StrictStr | None = None
    official_url: Url | None = None
    relations: tuple[Relation, ...] = ()
    provenance: Provenance
    notes: tuple[StrictStr, ...] = ()
    sections: tuple[Section, ...] = ()

    @property
    def label(self) -> str:
        """Short display label, e.g. ``S.1053 (2025)``."""
        year = (self.filed or "")[:4]
        return f"{self.number} ({year})" if year else self.number


class Cite(Strict):
    """What one statement rests on: a section (of this or another document) or a source."""

    section: SectionId | None = None
    document: Id | None = None
    source: Id | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Cite:
        if (self.section is None) == (self.source is None):
            raise ValueError("a cite names exactly one of 'section' or 'source'")
        if self.document is not None and self.section is None:
            raise ValueError("'document' goes with 'section'")
        return self


class Topic(Strict):
    """A provision people ask about, across versions."""

    id: Id
    title: ShortText
    question: ShortText
    description: StrictStr | None = None
    why_it_matters: StrictStr | None = None
    #: What the "why it matters" text rests on (sources, or a document's sections).
    why_cites: tuple[Cite, ...] = ()
    #: Whose case ``why_it_matters`` makes (pages label it "Why supporters say it matters"
    #: for ``supporters``); ``neutral`` for a reason every side accepts.
    why_from: Literal["supporters", "neutral"] = "supporters"
    #: Views other than those of ``why_it_matters``, each cited; empty means no held source
    #: records one (the pages say so openly).
    other_views: tuple[Statement, ...] = ()


class TopicsFile(Strict):
    """``topics.yaml``: the topics in display order."""

    topics: tuple[Topic, ...]


class Source(Strict):
    """An outside source cited by analyses and facts."""

    id: Id
    title: ShortText
    publisher: StrictStr | None = None
    url: Url | None = None
    date: IsoDate | None = None
    kind: Literal["official", "secondary", "press", "advocacy", "analysis", "data"]
    note: StrictStr | None = None


class SourcesFile(Strict):
    """``sources.yaml``."""

    sources: tuple[Source, ...]


class Statement(Strict):
    """One plain-language sentence and what it rests on."""

    text: ShortText
    cites: tuple[Cite, ...] = Field(min_length=1)


Footing = Literal["official-text", "secondary-sources", "mixed"]


class Analysis(Strict):
    """Our plain-language reading of one document on one topic.  Not the law."""

    topic: Id
    summary: tuple[Statement, ...] = Field(min_length=1)
    attributes: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    sections: tuple[SectionId, ...] = ()
    footing: Footing

    @field_validator("attributes")
    @classmethod
    def _attribute_keys(cls, value: dict[StrictStr, StrictStr]) -> dict[StrictStr, StrictStr]:
        for key in value:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
                raise ValueError(f"attribute name {key!r} must be lower_snake_case")
        return value


class AnalysisFile(Strict):
    """``analyses/<document-id>.yaml``: every analysis of one document."""

    document: Id
    analyses: tuple[Analysis, ...]


class Fact(Strict):
    """A fact for fact sheets and public pages, in our own words, with its sources."""

    id: Id
    text: ShortText
    sources: tuple[Id, ...] = Field(min_length=1)
    topics: tuple[Id, ...] = ()
    date: IsoDate | None = None


class FactsFile(Strict):
    """``facts.yaml``."""

    facts: tuple[Fact, ...]


class AboutFile(Strict):
    """``about.yaml``: what the dossier is about, in plain words (the home page's heading)."""

    title: ShortText
    summary: ShortText | None = None


class TermMeaning(Strict):
    """A defined term's plain meaning, in our words, cited (``glossary.yaml``).

    ``term`` is the slug of the definition's section id (``..__def_<slug>``).  Not the law:
    the glossary shows the bill's own words behind each meaning.
    """

    term: Id
    meaning: tuple[Statement, ...] = Field(min_length=1)


class GlossaryFile(Strict):
    """``glossary.yaml``: plain meanings of the terms the documents define."""

    terms: tuple[TermMeaning, ...]


def iter_sections(sections: tuple[Section, ...], depth: int = 0) -> list[tuple[Section, int]]:
    """Every section in document order with its depth (0 for top level)."""
    out: list[tuple[Section, int]] = []
    stack: list[tuple[Section, int]] = [(s, depth) for s in reversed(sections)]
    while stack:
        section, level = stack.pop()
        out.append((section, level))
        stack.extend((c, level + 1) for c in reversed(section.children))
    return out


def text_size(document: Document) -> int:
    """Characters of text *document* holds, over every section."""
    return sum(len(s.text or "") for s, _ in iter_sections(document.sections))
