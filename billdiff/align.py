"""Pair the provisions of two documents.

Sections are paired, in this order of preference:

1. by **topic**: sections tagged with the same topic are paired (within a topic: by id, then by
   display number, then in document order); a topic present on one side only gives a pair with
   one side empty, so the comparison can say that the other side has no text for it;
2. by **id**: the stable hierarchical id (``sec_220__subsec_a``), which survives renumbering;
   a pair whose display numbers differ is reported as *renumbered*;
3. by **display number** (``220(a)``), for documents whose ids were made differently;
4. by **text similarity**, among what is left: these pairs are *suggestions*, marked as such.

What is still unpaired is reported as removed (only in A) or added (only in B).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from billdiff.model import Document, Section

Method = Literal["topic", "id", "number", "similarity"]
#: Pairs scoring below this are not suggested.
SIMILARITY_THRESHOLD = 0.5
#: Similarity suggestions look at most this many unpaired sections per side (bounded cost).
SUGGEST_LIMIT = 400

_WORD = re.compile(r"\w+")


class SectionPair(NamedTuple):
    """Two provisions paired (either side may be absent for a topic pair).

    A named tuple rather than a dataclass: aligning two releases of a code makes thousands.
    """

    a: Section | None
    b: Section | None
    method: Method
    topic: str | None = None
    suggested: bool = False
    similarity: float | None = None

    @property
    def renumbered(self) -> bool:
        """True when the same provision (same stable id) has a new display number."""
        return (self.a is not None and self.b is not None and self.a.id == self.b.id
                and (self.a.number or "") != (self.b.number or ""))


@dataclass(frozen=True)
class Alignment:
    """The pairs, and what each side has that the other does not."""

    pairs: tuple[SectionPair, ...]
    only_a: tuple[Section, ...]
    only_b: tuple[Section, ...]


_FLAT: dict[int, tuple[Document, tuple[Section, ...]]] = {}


def flatten(doc: Document) -> tuple[Section, ...]:
    """Every section of *doc*, parents before children, in document order.

    Documents are immutable, so the result is remembered per document object (bounded).
    """
    hit = _FLAT.get(id(doc))
    if hit is not None and hit[0] is doc:
        return hit[1]
    flat = tuple(_walk(doc))
    if len(_FLAT) >= 64:
        _FLAT.clear()
    _FLAT[id(doc)] = (doc, flat)
    return flat


_INDEX: dict[int, tuple[Document, dict[str, Section], frozenset[str]]] = {}


def _index(doc: Document) -> tuple[dict[str, Section], frozenset[str]]:
    """``({id: section}, ids)`` of a document, remembered like :func:`flatten`."""
    hit = _INDEX.get(id(doc))
    if hit is not None and hit[0] is doc:
        return hit[1], hit[2]
    flat = flatten(doc)
    by_id = {s.id: s for s in flat}
    ids = frozenset(by_id)
    if len(_INDEX) >= 64:
        _INDEX.clear()
    _INDEX[id(doc)] = (doc, by_id, ids)
    return by_id, ids


_POSITIONS: dict[int, tuple[Document, dict[str, int]]] = {}


def positions(doc: Document) -> dict[str, int]:
    """``{section id: place in document order}`` of *doc*, remembered like :func:`flatten`."""
    hit = _POSITIONS.get(id(doc))
    if hit is not None and hit[0] is doc:
        return hit[1]
    found = {s.id: i for i, s in enumerate(flatten(doc))}
    if len(_POSITIONS) >= 64:
        _POSITIONS.clear()
    _POSITIONS[id(doc)] = (doc, found)
    return found


def _walk(doc: Document) -> list[Section]:
    out: list[Section] = []

    def walk(sections: tuple[Section, ...]) -> None:
        for s in sections:
            out.append(s)
            if s.children:
                walk(s.children)

    walk(doc.sections)
    return out


def _shingles(text: str) -> set[str]:
    return set(w.lower() for w in _WORD.findall(text))


def similarity(a: str, b: str) -> float:
    """Word-set similarity of two texts (Jaccard, 0.0 to 1.0)."""
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def _pair_within(a: Sequence[Section], b: Sequence[Section], topic: str
                 ) -> tuple[list[SectionPair], list[Section], list[Section]]:
    """Pair the sections of one topic: by id, then number, then order.

    Returns the pairs and the sections left alone on each side (the other side has fewer
    sections tagged with the topic); those go on to be paired by id, number or similarity.
    """
    pairs: list[SectionPair] = []
    rest_b = list(b)
    rest_a: list[Section] = []
    for s in a:
        match = next((t for t in rest_b if t.id == s.id), None)
        if match is None:
            rest_a.append(s)
            continue
        rest_b.remove(match)
        pairs.append(SectionPair(s, match, "topic", topic))
    still_a: list[Section] = []
    for s in rest_a:
        match = next((t for t in rest_b if s.number and t.number == s.number), None)
        if match is None:
            still_a.append(s)
            continue
        rest_b.remove(match)
        pairs.append(SectionPair(s, match, "topic", topic))
    n = min(len(still_a), len(rest_b))
    pairs.extend(SectionPair(still_a[i], rest_b[i], "topic", topic) for i in range(n))
    return pairs, still_a[n:], rest_b[n:]


def _suggest(a: list[Section], b: list[Section]) -> list[SectionPair]:
    """Greedy best-first pairing of leftover sections by text similarity."""
    cand_a = [s for s in a if s.text.strip()][:SUGGEST_LIMIT]
    cand_b = [s for s in b if s.text.strip()][:SUGGEST_LIMIT]
    if not cand_a or not cand_b:
        return []
    shingles_b = [(_shingles(s.text), s) for s in cand_b]
    scored: list[tuple[float, int, int]] = []
    for i, s in enumerate(cand_a):
        sa = _shingles(s.text)
        if not sa:
            continue
        for j, (sb, _) in enumerate(shingles_b):
            if not sb:
                continue
            score = len(sa & sb) / len(sa | sb)
            if score >= SIMILARITY_THRESHOLD:
                scored.append((score, i, j))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    out = []
    for score, i, j in scored:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        out.append(SectionPair(cand_a[i], cand_b[j], "similarity", None, True, round(score, 3)))
    return out


def align(a: Document, b: Document, topics: Iterable[str] = (),
          *, only_topics: bool = False) -> Alignment:
    """Pair the sections of *a* and *b* (see the module docstring for the order of rules).

    *topics* are the topic ids to pair on, in display order.  A tagged section with no
    partner among the other side's sections of that topic is paired by id, number or
    similarity like any other, and still shown under its topic; only when it has no partner
    at all does its topic get a one-sided pair.  With *only_topics*, sections that carry none
    of those topics are left out entirely (a topic-filtered comparison).
    """
    flat_a, flat_b = flatten(a), flatten(b)
    topic_pairs: dict[str, list[SectionPair]] = {}
    alone: dict[str, tuple[list[Section], list[Section]]] = {}
    used_a: set[str] = set()
    used_b: set[str] = set()
    for topic in dict.fromkeys(topics):
        in_a = [s for s in flat_a if topic in s.topics]
        in_b = [s for s in flat_b if topic in s.topics]
        if not in_a and not in_b:
            continue
        pairs, lone_a, lone_b = _pair_within(in_a, in_b, topic)
        topic_pairs[topic] = pairs
        alone[topic] = (lone_a, lone_b)
        used_a.update(p.a.id for p in pairs if p.a)
        used_b.update(p.b.id for p in pairs if p.b)

    rest, only_a, only_b = _pair_rest(a, b, flat_a, flat_b, used_a, used_b)
    if not topic_pairs:
        return Alignment(tuple(rest), tuple(only_a), tuple(only_b))

    # Sections alone in their topic: show the partner they found elsewhere, under the topic.
    by_a: dict[str, SectionPair] = {p.a.id: p for p in rest if p.a}
    by_b: dict[str, SectionPair] = {p.b.id: p for p in rest if p.b}
    for tp in topic_pairs.values():
        for p in tp:
            if p.a:
                by_a.setdefault(p.a.id, p)
            if p.b:
                by_b.setdefault(p.b.id, p)
    attached: set[int] = set()
    gone_a: set[str] = set()
    gone_b: set[str] = set()
    for topic, (lone_a, lone_b) in alone.items():
        out = topic_pairs[topic]
        for on_a, lone, index, gone in ((True, lone_a, by_a, gone_a),
                                        (False, lone_b, by_b, gone_b)):
            for section in lone:
                partner = index.get(section.id)
                if partner is not None:
                    placed = partner._replace(topic=topic)
                    if placed not in out:
                        out.append(placed)
                    attached.add(id(partner))
                else:
                    out.append(SectionPair(section if on_a else None,
                                           None if on_a else section, "topic", topic))
                    gone.add(section.id)
    ordered = [p for tp in topic_pairs.values() for p in tp]
    if only_topics:
        return Alignment(tuple(ordered), (), ())
    return Alignment(
        tuple(ordered + [p for p in rest if id(p) not in attached]),
        tuple(s for s in only_a if s.id not in gone_a),
        tuple(s for s in only_b if s.id not in gone_b),
    )


def _pair_rest(a: Document, b: Document, flat_a: Sequence[Section], flat_b: Sequence[Section],
               used_a: set[str], used_b: set[str]
               ) -> tuple[list[SectionPair], list[Section], list[Section]]:
    """Pair what topics did not: by id, then display number, then similarity (suggested)."""
    if used_a or used_b:
        left_a = [s for s in flat_a if s.id not in used_a]
        left_b = [s for s in flat_b if s.id not in used_b]
        b_by_id = {s.id: s for s in left_b}
        a_ids: frozenset[str] = frozenset(s.id for s in left_a)
    else:  # no topic pairs (a code without topics): use the remembered indexes
        left_a, left_b = list(flat_a), list(flat_b)
        b_by_id = dict(_index(b)[0])
        a_ids = _index(a)[1]
    # B sections whose id A lacks may still match by display number
    b_by_number: dict[str, Section] = {}
    for s in left_b:
        if s.number and s.id not in a_ids:
            b_by_number.setdefault(s.number, s)
    # One pass in A's order; unmatched A sections keep their slot for a later suggestion.
    slots: list[SectionPair | Section] = []
    unmatched_a: list[Section] = []
    for s in left_a:
        match = b_by_id.pop(s.id, None)
        if match is not None:
            slots.append(SectionPair(s, match, "id"))
            continue
        match = b_by_number.pop(s.number, None) if s.number else None
        if match is not None:
            del b_by_id[match.id]
            slots.append(SectionPair(s, match, "number"))
            continue
        slots.append(s)
        unmatched_a.append(s)
    left_b = list(b_by_id.values())  # insertion order: B's document order
    suggestions = {p.a.id: p for p in _suggest(unmatched_a, left_b) if p.a}
    taken_b = {p.b.id for p in suggestions.values() if p.b}
    rest = [item if isinstance(item, SectionPair) else suggestions[item.id]
            for item in slots if isinstance(item, SectionPair) or item.id in suggestions]
    return (rest, [s for s in unmatched_a if s.id not in suggestions],
            [s for s in left_b if s.id not in taken_b])


def suggest_topics(new: Document, tagged: Document) -> dict[str, tuple[str, ...]]:
    """Topics for the sections of *new*, suggested from a related, tagged document.

    Sections of *new* that align (by id, number or similarity) with a tagged section of
    *tagged* get that section's topics.  Returns ``{section id: topics}`` for sections that
    carry no topics yet; callers store them as ``suggested_topics`` until a person confirms.
    """
    result: dict[str, tuple[str, ...]] = {}
    for pair in align(tagged, new).pairs:
        if pair.a is None or pair.b is None or not pair.a.topics or pair.b.topics:
            continue
        result[pair.b.id] = tuple(dict.fromkeys((*result.get(pair.b.id, ()), *pair.a.topics)))
    return result


def apply_topic_suggestions(new: Document, related: Document,
                            suggestions: dict[str, tuple[str, ...]] | None = None) -> Document:
    """A copy of *new* whose untagged sections carry topics suggested from *related*.

    Suggestions come from alignment (id, display number, then text similarity) with a tagged
    related document (or are passed in, already made by :func:`suggest_topics`), and are
    stored as ``suggested_topics``, never as confirmed ``topics``.
    """
    if suggestions is None:
        suggestions = suggest_topics(new, related)
    if not suggestions:
        return new

    def rebuild(section: Section) -> Section:
        children = tuple(rebuild(c) for c in section.children)
        extra = suggestions.get(section.id, ())
        merged = tuple(dict.fromkeys((*section.suggested_topics, *extra)))
        if children == section.children and merged == section.suggested_topics:
            return section
        return section.model_copy(update={"children": children, "suggested_topics": merged})

    return new.model_copy(update={"sections": tuple(rebuild(s) for s in new.sections)})
