"""JSON output: one shape for ``billdiff compare --format json`` and the web API.

It formats the reading of :mod:`billdiff.analysis` (and never re-derives it).  The shapes are
described once, as data, in :data:`SHAPES`, from which the OpenAPI description of the web API
is generated (``billdiff.web.api``); a test checks that every output matches its shape.

Encoding uses orjson (several times faster than the standard library on a whole code, and
exact on Unicode); the standard library is the fallback.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal, cast

from pydantic import ConfigDict, TypeAdapter, with_config
from typing_extensions import NotRequired, TypedDict  # noqa: UP035 - pydantic needs these before 3.12

from billdiff.analysis import (
    Headline,
    Mark,
    PairReading,
    PairState,
    Reading,
    Run,
    Side,
    TopicReading,
    Unpaired,
    attribute_changes,
)
from billdiff.compare import PairDiff
from billdiff.diff import DiffStats, count_words
from billdiff.load import Corpus
from billdiff.model import Analysis, Document, Section, SectionRole, TextStatus, Topic
from billdiff.urls import Urls

# -- the shapes (one description: mypy checks the builders against it, pydantic validates the
# outputs in tests, and the OpenAPI description is generated from it) -----------------------

_FORBID = ConfigDict(extra="forbid")


@with_config(_FORBID)
class DocumentOut(TypedDict):
    """A document's summary."""

    id: str
    kind: Literal["statute", "bill", "amendment", "ordinance"]
    number: str
    title: str
    jurisdiction: str
    session: str | None
    filed: str | None
    status: str | None
    completeness: Literal["complete", "partial", "none"]
    official_url: str | None
    url: str


@with_config(_FORBID)
class SectionOut(TypedDict):
    """A section's summary."""

    id: str
    number: str | None
    heading: str | None
    status: Literal["official", "excerpt", "single-source", "missing"]
    role: Literal["provision", "front-matter"]
    truncated: bool
    source_url: str | None


@with_config(_FORBID)
class StatsOut(TypedDict):
    """Word statistics (typography and what a copy lacks are never counted as changed)."""

    words_a: int
    words_b: int
    words_inserted: int
    words_deleted: int
    changed_share: float
    regions: int
    typography: int


@with_config(_FORBID)
class RunOut(TypedDict):
    """One run of a redline: ``mark`` says what it is."""

    op: Literal["equal", "insert", "delete"]
    text: str
    mark: Literal["same", "wording", "typography", "gap"]


@with_config(_FORBID)
class LackOut(TypedDict):
    """Why a side has nothing to compare."""

    side: Literal["a", "b"]
    reason: Literal["not-held", "not-in-held-text"]


@with_config(_FORBID)
class ChangeOut(TypedDict):
    """A heading or number in two versions."""

    a: str | None
    b: str | None


@with_config(_FORBID)
class TailOut(TypedDict):
    """The runs past the end of a cut-off copy."""

    cut: list[Literal["a", "b"]]
    stops: Literal["a", "b"] | None
    runs: list[RunOut]
    note: str


ChangeKind = Literal["wording", "typography", "heading", "renumbered", "moved", "structure",
                     "repealed", "enacted", "added", "removed"]


@with_config(_FORBID)
class PairOut(TypedDict):
    """One pair of provisions, read."""

    topic: str | None
    a_section: SectionOut | None
    b_section: SectionOut | None
    method: Literal["topic", "id", "number", "similarity"]
    suggested: bool
    similarity: float | None
    state: Literal["changed", "typography", "unchanged", "not-compared"]
    changed: bool
    changes: list[ChangeKind]
    front_matter: bool
    lacking: list[LackOut]
    partial_text: list[Literal["a", "b"]]
    heading: ChangeOut | None
    number: ChangeOut | None
    a_text: str
    b_text: str
    runs: list[RunOut]
    beyond_held_text: TailOut | None
    approximate: bool
    stats: StatsOut | None


@with_config(_FORBID)
class UnpairedOut(SectionOut):
    """A provision on one side only: added or removed, or (null) not known."""

    change: Literal["added", "removed"] | None
    reason: Literal["not-held", "not-in-held-text"] | None


@with_config(_FORBID)
class HeadlineOut(TypedDict):
    """The numbers of one part of a comparison; each distinct pair counts once."""

    pairs: int
    compared: int
    changed: int
    unchanged: int
    typography_only: int
    not_compared: int
    added: int
    removed: int
    unpaired_unknown: int
    stats: StatsOut
    changes: dict[str, int]


@with_config(_FORBID)
class AttributeChangeOut(TypedDict):
    """A summary attribute in two versions (ours, not the law)."""

    name: str
    a: str | None
    b: str | None


@with_config(_FORBID)
class TopicOut(TypedDict):
    """One topic, read."""

    topic: str
    title: str
    state: Literal["changed", "unchanged", "typography", "partial", "lacking", "absent"]
    changes: list[ChangeKind]
    a_analysis: dict[str, Any] | None
    b_analysis: dict[str, Any] | None
    attribute_changes: list[AttributeChangeOut]


@with_config(_FORBID)
class OptionsOut(TypedDict):
    """What the comparison was asked for."""

    granularity: Literal["word", "char"]
    topics: list[str]


@with_config(_FORBID)
class ComparisonOut(TypedDict):
    """Two documents compared provision by provision.

    ``changed`` is true only when something changed in the law (typography alone is not);
    ``stats`` and ``provisions`` count provisions only, ``front_matter`` apart.
    """

    a: DocumentOut
    b: DocumentOut
    options: OptionsOut
    changed: bool
    typography_only: bool
    approximate: bool
    stats: StatsOut
    provisions: HeadlineOut
    front_matter: HeadlineOut
    pairs: list[PairOut]
    only_in_a: list[UnpairedOut]
    only_in_b: list[UnpairedOut]
    topics: list[TopicOut]


@with_config(_FORBID)
class DocumentsOut(TypedDict):
    """Every document, oldest first."""

    documents: list[DocumentOut]


@with_config(_FORBID)
class DocumentDetailOut(TypedDict):
    """One document in full (the stored schema) and our analyses of it."""

    document: Document
    analyses: list[Analysis]


@with_config(_FORBID)
class TopicsOut(TypedDict):
    """The topics in display order."""

    topics: list[Topic]


@with_config(_FORBID)
class ErrorOut(TypedDict):
    """An error: what went wrong (and, for a server error, the incident to quote)."""

    error: str
    incident: NotRequired[str]


#: The output shapes by name (for the OpenAPI description and for checking outputs).
SHAPES: dict[str, Any] = {
    "Comparison": ComparisonOut, "Documents": DocumentsOut, "DocumentDetail": DocumentDetailOut,
    "Topics": TopicsOut, "Error": ErrorOut,
}


def check(shape: Any, data: Any) -> None:
    """Validate *data* (as decoded from JSON) against one of the shapes (raises pydantic's
    ValidationError)."""
    TypeAdapter(shape).validate_json(dumps(data, indent=False), strict=True)


def json_schemas(ref_template: str = "#/components/schemas/{model}"
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(reference to each shape by name, every schema they need)`` for OpenAPI."""
    inputs = [(name, "serialization", TypeAdapter(shape)) for name, shape in SHAPES.items()]
    refs, top = TypeAdapter.json_schemas(inputs, ref_template=ref_template)  # type: ignore[arg-type]
    return {name: schema for (name, _mode), schema in refs.items()}, dict(top.get("$defs", {}))


try:  # orjson: a C encoder; the stdlib is the fallback where its wheel is missing
    import orjson
except ImportError:  # pragma: no cover - exercised only where the wheel is missing
    orjson = None  # type: ignore[assignment]


def dumps(data: Any, *, indent: bool = True) -> bytes:
    """*data* as UTF-8 JSON (indented for people, compact for the API)."""
    if orjson is not None:
        option = orjson.OPT_INDENT_2 if indent else 0
        return orjson.dumps(data, option=option | orjson.OPT_APPEND_NEWLINE)
    text = json.dumps(data, ensure_ascii=False, indent=2 if indent else None)
    return (text + "\n").encode("utf-8")


def document_summary(doc: Document, urls: Urls | None = None) -> DocumentOut:
    """The summary of one document (the API's list, and each side of a comparison)."""
    return {
        "id": doc.id, "kind": doc.kind.value, "number": doc.number, "title": doc.title,
        "jurisdiction": doc.jurisdiction, "session": doc.session, "filed": doc.filed,
        "status": doc.status, "completeness": doc.provenance.completeness.value,
        "official_url": doc.official_url, "url": (urls or Urls()).document(doc.id),
    }


def section_summary(section: Section | None) -> SectionOut | None:
    """The summary of one section (None stays None)."""
    if section is None:
        return None
    return {"id": section.id, "number": section.number, "heading": section.heading,
            "status": section.status.value, "role": section.role.value,
            "truncated": section.truncated, "source_url": section.source_url}


def stats_json(stats: DiffStats | None) -> StatsOut | None:
    """Word statistics (None stays None)."""
    return None if stats is None else cast(StatsOut, stats.to_json())


def _runs(runs: Iterable[Run]) -> list[RunOut]:
    return [{"op": r.op, "text": r.text, "mark": r.mark.value} for r in runs]


def pair_json(p: PairReading) -> PairOut:
    """One pair of provisions, read."""
    d, pair = p.diff, p.diff.pair
    return {
        "topic": pair.topic,
        "a_section": section_summary(pair.a),
        "b_section": section_summary(pair.b),
        "method": pair.method,
        "suggested": pair.suggested,
        "similarity": pair.similarity,
        "state": p.state.value,
        "changed": p.changed,
        "changes": [c.value for c in p.changes],
        "front_matter": p.front_matter,
        "lacking": [{"side": side, "reason": why.value} for side, why in p.lacking],
        "partial_text": list(p.partial),
        "heading": ({"a": p.heading_change[0], "b": p.heading_change[1]}
                    if p.heading_change else None),
        "number": ({"a": p.number_change[0], "b": p.number_change[1]}
                   if p.number_change else None),
        "a_text": d.a_text,
        "b_text": d.b_text,
        "runs": _runs(p.runs),
        "beyond_held_text": ({"cut": list(p.cut), "stops": p.stops, "runs": _runs(p.tail),
                              "note": "these runs lie past the end of a cut-off copy: they "
                                      "show where the copy stops, not a change"}
                             if p.tail else None),
        "approximate": bool(d.diff is not None and d.diff.approximate),
        "stats": stats_json(p.stats),
    }


_PARTIAL = frozenset({TextStatus.EXCERPT, TextStatus.SINGLE_SOURCE})


def plain_pair_json(d: PairDiff) -> PairOut:
    """:func:`pair_json` of a pair that is plainly the same (same text, heading and number on
    both sides, in place: what :class:`~billdiff.analysis.Reading` leaves unread), made from
    the diff alone.  Across two releases of a code nearly every pair is one, and building its
    reading first doubles the cost of the JSON.  A test checks it equals :func:`pair_json`
    of the reading for every such pair."""
    pair = d.pair
    a, b = pair.a, pair.b
    assert a is not None
    assert b is not None
    text = d.a_text
    words = count_words(text)
    sides: tuple[tuple[Side, Section], ...] = (("a", a), ("b", b))
    return {
        "topic": pair.topic,
        "a_section": section_summary(a),
        "b_section": section_summary(b),
        "method": pair.method,
        "suggested": pair.suggested,
        "similarity": pair.similarity,
        "state": PairState.UNCHANGED.value,
        "changed": False,
        "changes": [],
        "front_matter": a.role is SectionRole.FRONT_MATTER and b.role is SectionRole.FRONT_MATTER,
        "lacking": [],
        "partial_text": [side for side, sec in sides if sec.status in _PARTIAL],
        "heading": None,
        "number": None,
        "a_text": text,
        "b_text": d.b_text,
        "runs": [{"op": "equal", "text": text, "mark": Mark.SAME.value}] if text else [],
        "beyond_held_text": None,
        "approximate": False,
        "stats": {"words_a": words, "words_b": words, "words_inserted": 0, "words_deleted": 0,
                  "changed_share": 0.0, "regions": 0, "typography": 0},
    }


def pairs_json(reading: Reading) -> list[PairOut]:
    """Every pair of a comparison, in its order (plain pairs without reading them)."""
    read = reading.read
    return [pair_json(read[i]) if i in read else plain_pair_json(p)
            for i, p in enumerate(reading.comparison.pairs)]


def unpaired_json(u: Unpaired) -> UnpairedOut:
    """A provision on one side only."""
    s = u.section
    return {"id": s.id, "number": s.number, "heading": s.heading, "status": s.status.value,
            "role": s.role.value, "truncated": s.truncated, "source_url": s.source_url,
            "change": u.change.value if u.change else None,  # type: ignore[typeddict-item]
            "reason": u.lack.value if u.lack else None}


def headline_json(h: Headline) -> HeadlineOut:
    """The numbers of one part of a comparison."""
    return {"pairs": h.pairs, "compared": h.compared, "changed": h.changed,
            "unchanged": h.unchanged, "typography_only": h.typography,
            "not_compared": h.not_compared, "added": h.added, "removed": h.removed,
            "unpaired_unknown": h.unpaired_unknown,
            "stats": cast(StatsOut, h.stats.to_json()),
            "changes": {c.value: n for c, n in h.by_change}}


def topic_json(t: TopicReading) -> TopicOut:
    """One topic, read."""
    view = t.view
    return {
        "topic": view.topic.id,
        "title": view.topic.title,
        "state": t.state.value,
        "changes": [c.value for c in t.changes],
        "a_analysis": view.a_analysis.model_dump(mode="json") if view.a_analysis else None,
        "b_analysis": view.b_analysis.model_dump(mode="json") if view.b_analysis else None,
        "attribute_changes": [{"name": k, "a": va, "b": vb}
                              for k, va, vb in attribute_changes(view)],
    }


def comparison_json(reading: Reading, urls: Urls | None = None) -> ComparisonOut:
    """The JSON shape shared by ``billdiff compare --format json`` and ``/api/compare``."""
    cmp = reading.comparison
    return {
        "a": document_summary(cmp.a, urls),
        "b": document_summary(cmp.b, urls),
        "options": {"granularity": cmp.options.granularity,
                    "topics": list(cmp.options.topics)},
        "changed": reading.changed,
        "typography_only": reading.typography_only,
        "approximate": reading.approximate,
        "stats": cast(StatsOut, reading.provisions.stats.to_json()),
        "provisions": headline_json(reading.provisions),
        "front_matter": headline_json(reading.front_matter),
        "pairs": pairs_json(reading),
        "only_in_a": [unpaired_json(u) for u in reading.only_a],
        "only_in_b": [unpaired_json(u) for u in reading.only_b],
        "topics": [topic_json(t) for t in reading.topics],
    }


def documents_json(corpus: Corpus, urls: Urls | None = None) -> DocumentsOut:
    """Every document, oldest first."""
    return {"documents": [document_summary(d, urls) for d in corpus.ordered_documents()]}


def document_json(corpus: Corpus, doc_id: str) -> dict[str, Any]:  # DocumentDetailOut
    """One document in full (the stored schema) and our analyses of it."""
    doc = corpus.document(doc_id)
    analyses = [a.model_dump(mode="json") for t in corpus.topics
                if (a := corpus.analysis(doc.id, t)) is not None]
    return {"document": doc.model_dump(mode="json"), "analyses": analyses}


def topics_json(corpus: Corpus) -> dict[str, Any]:  # TopicsOut
    """The topics in display order."""
    return {"topics": [t.model_dump(mode="json") for t in corpus.topics.values()]}
