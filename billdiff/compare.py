"""Compare two documents: align their provisions, diff each pair, and set the analyses side by side.

The result is data (frozen dataclasses) with one JSON shape, shared by ``billdiff compare
--format json`` and the web API.  Nothing here builds HTML.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from billdiff import settings
from billdiff.align import Alignment, SectionPair, align
from billdiff.diff import DiffStats, Granularity, Op, TextDiff, count_words, diff_texts, stats_of
from billdiff.errors import BilldiffError, InputTooLarge
from billdiff.load import Corpus
from billdiff.model import Analysis, Document, Section, TextStatus, Topic
from billdiff.normalize import NormalizeOptions, normalize


@dataclass(frozen=True)
class CompareOptions:
    """Everything that changes a comparison's result (and so its cache key)."""

    granularity: Granularity = "word"
    quotes: bool = False
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class PairDiff:
    """One aligned pair of provisions and the diff of their texts."""

    pair: SectionPair
    a_text: str
    b_text: str
    diff: TextDiff | None

    @classmethod
    def unchanged(cls, pair: SectionPair, text: str, granularity: Granularity) -> PairDiff:
        """A pair whose two texts are the same (built without the frozen ``__init__``, as
        :meth:`TextDiff.unchanged`, because a whole code has thousands of them)."""
        obj = object.__new__(_UnchangedPairDiff)
        obj.__dict__.update(pair=pair, a_text=text, b_text=text, _granularity=granularity)
        return obj

    @property
    def topic(self) -> str | None:
        """The topic the pair was made for, if any."""
        return self.pair.topic

    @property
    def a_section(self) -> Section | None:
        """The section on side A."""
        return self.pair.a

    @property
    def b_section(self) -> Section | None:
        """The section on side B."""
        return self.pair.b

    @property
    def lacking(self) -> tuple[str, ...]:
        """The sides ("a", "b") that have no text to compare."""
        return tuple(side for side, s in (("a", self.pair.a), ("b", self.pair.b))
                     if s is None or s.status is TextStatus.MISSING or not s.text.strip())

    @property
    def partial(self) -> tuple[str, ...]:
        """The sides ("a", "b") whose text is only an excerpt or from a single source.

        A difference next to where such a text stops may only show where the retrieved copy
        ends, not a change in the law: readers are told so wherever the diff is shown.
        """
        return tuple(side for side, s in (("a", self.pair.a), ("b", self.pair.b))
                     if s is not None and s.status in (TextStatus.EXCERPT,
                                                       TextStatus.SINGLE_SOURCE))

    @property
    def truncated(self) -> tuple[str, ...]:
        """The sides ("a", "b") whose text stops before the provision ends (cut-off copies)."""
        return tuple(side for side, s in (("a", self.pair.a), ("b", self.pair.b))
                     if s is not None and s.truncated)

    @property
    def tail_start(self) -> int | None:
        """Where the runs past the end of a cut-off copy begin, if any.

        When a side's copy stops mid-provision, the final changed hunk only shows where that
        copy stops, not a change in the law: it is reported apart (``beyond_held_text``) and
        left out of the statistics and of :attr:`changed`.
        """
        if self.diff is None or not self.truncated:
            return None
        ops = self.diff.ops
        i = len(ops)
        while i > 0 and ops[i - 1].op != "equal":
            i -= 1
        return i if i < len(ops) else None

    @property
    def held_ops(self) -> tuple[Op, ...]:
        """The runs as far as both copies go (all of them unless a copy is cut off)."""
        if self.diff is None:
            return ()
        cut = self.tail_start
        return self.diff.ops if cut is None else self.diff.ops[:cut]

    @property
    def tail_ops(self) -> tuple[Op, ...]:
        """The runs past the end of a cut-off copy (see :attr:`tail_start`)."""
        cut = self.tail_start
        return () if cut is None or self.diff is None else self.diff.ops[cut:]

    @property
    def stats(self) -> DiffStats | None:
        """Statistics as far as both copies go (None when a side lacks text)."""
        if self.diff is None:
            return None
        return self.diff.stats if self.tail_start is None else stats_of(self.held_ops)

    @property
    def changed(self) -> bool:
        """True if the texts differ as far as both copies go (a pair lacking text counts as
        not comparable, not changed)."""
        if self.diff is None:
            return False
        if self.tail_start is None:
            return self.diff.changed
        return any(o.op != "equal" for o in self.held_ops)

    @property
    def anchor(self) -> str:
        """A stable fragment id for this pair (for permalinks)."""
        ids = [s.id if s else "none" for s in (self.pair.a, self.pair.b)]
        prefix = f"t-{self.pair.topic}--" if self.pair.topic else ""
        return f"{prefix}{ids[0]}--{ids[1]}"

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of one pair."""
        return {
            "topic": self.pair.topic,
            "a_section": _section_json(self.pair.a),
            "b_section": _section_json(self.pair.b),
            "method": self.pair.method,
            "suggested": self.pair.suggested,
            "similarity": self.pair.similarity,
            "renumbered": self.pair.renumbered,
            "lacking_text": list(self.lacking),
            "partial_text": list(self.partial),
            "a_text": self.a_text,
            "b_text": self.b_text,
            "ops": [o.to_json() for o in self.diff.ops] if self.diff else [],
            "approximate": self.diff.approximate if self.diff else False,
            "stats": self.stats.to_json() if self.stats else None,
            "truncated_text": list(self.truncated),
            "beyond_held_text": ({"from_op": self.tail_start,
                                  "note": "these runs lie past the end of a cut-off copy: "
                                          "they show where the copy stops, not a change"}
                                 if self.tail_start is not None else None),
        }


class _UnchangedPairDiff(PairDiff):
    """A pair with the same text on both sides: its one-run diff is made on first use."""

    @cached_property
    def diff(self) -> TextDiff:
        """One ``equal`` run."""
        return TextDiff.unchanged(self.a_text, self.__dict__["_granularity"])

    @property
    def changed(self) -> bool:
        """Never: the two texts are the same."""
        return False


@dataclass(frozen=True)
class TopicView:
    """One topic across the two documents: the analyses side by side and the pairs for it."""

    topic: Topic
    a_analysis: Analysis | None
    b_analysis: Analysis | None
    pairs: tuple[PairDiff, ...]

    @property
    def attribute_changes(self) -> tuple[tuple[str, str | None, str | None], ...]:
        """``(name, value in A, value in B)`` for each structured attribute that differs."""
        a = self.a_analysis.attributes if self.a_analysis else {}
        b = self.b_analysis.attributes if self.b_analysis else {}
        keys = list(dict.fromkeys([*a, *b]))
        return tuple((k, a.get(k), b.get(k)) for k in keys if a.get(k) != b.get(k))

    @property
    def text_state(self) -> str:
        """``changed``, ``unchanged``, ``lacking`` (no comparable text) or ``absent``."""
        if not self.pairs:
            return "absent"
        if all(p.diff is None for p in self.pairs):
            return "lacking"
        return "changed" if any(p.changed for p in self.pairs) else "unchanged"


@dataclass(frozen=True)
class Comparison:
    """Two documents compared provision by provision."""

    a: Document
    b: Document
    options: CompareOptions
    pairs: tuple[PairDiff, ...]
    only_a: tuple[Section, ...]
    only_b: tuple[Section, ...]
    topics: tuple[TopicView, ...]

    @property
    def stats(self) -> DiffStats:
        """Statistics summed over every compared pair."""
        total = DiffStats()
        for p in self.pairs:
            if p.stats is not None:
                total = total + p.stats
        return total

    @property
    def changed(self) -> bool:
        """True if any pair differs or any section is only on one side."""
        return bool(self.only_a or self.only_b or any(p.changed for p in self.pairs))

    @property
    def approximate(self) -> bool:
        """True if any pair's diff had to fall back to positional pairing."""
        return any(p.diff is not None and p.diff.approximate for p in self.pairs)

    def to_json(self) -> dict[str, Any]:
        """The JSON shape shared by ``billdiff compare --format json`` and ``/api/compare``."""
        return {
            "a": _doc_json(self.a),
            "b": _doc_json(self.b),
            "options": {"granularity": self.options.granularity,
                        "normalize_quotes": self.options.quotes,
                        "topics": list(self.options.topics)},
            "changed": self.changed,
            "approximate": self.approximate,
            "stats": self.stats.to_json(),
            "pairs": [p.to_json() for p in self.pairs],
            "only_in_a": [_section_json(s) for s in self.only_a],
            "only_in_b": [_section_json(s) for s in self.only_b],
            "topics": [
                {
                    "topic": t.topic.id,
                    "title": t.topic.title,
                    "text_state": t.text_state,
                    "a_analysis": t.a_analysis.model_dump(mode="json") if t.a_analysis else None,
                    "b_analysis": t.b_analysis.model_dump(mode="json") if t.b_analysis else None,
                    "attribute_changes": [
                        {"name": k, "a": va, "b": vb} for k, va, vb in t.attribute_changes
                    ],
                }
                for t in self.topics
            ],
        }


def _doc_json(doc: Document) -> dict[str, Any]:
    return {"id": doc.id, "number": doc.number, "title": doc.title, "kind": doc.kind.value,
            "session": doc.session, "completeness": doc.provenance.completeness.value,
            "official_url": doc.official_url}


def _section_json(section: Section | None) -> dict[str, Any] | None:
    if section is None:
        return None
    return {"id": section.id, "number": section.number, "heading": section.heading,
            "status": section.status.value, "source_url": section.source_url}


def _check_size(text: str, doc: Document, section: Section, limit: int) -> None:
    if len(text) <= limit:  # fewer characters than the limit: fewer words too
        return
    words = count_words(text)
    if words > limit:
        raise InputTooLarge(
            f"section text has {words:,} words, over the {limit:,}-word limit",
            where=f"{doc.id} {section.id}", fix="raise BILLDIFF_MAX_TEXT_WORDS to compare it",
        )


def _has_text(section: Section | None) -> bool:
    return (section is not None and section.status is not TextStatus.MISSING
            and bool(section.text) and not section.text.isspace())


def diff_pair(pair: SectionPair, a_doc: Document, b_doc: Document,
              options: CompareOptions, word_limit: int | None = None) -> PairDiff:
    """Normalise and diff one pair (no diff when a side lacks text)."""
    limit = word_limit or settings.max_text_words()
    norm = _NORMS[options.quotes]
    a, b = pair.a, pair.b
    a_text = normalize(a.text, norm) if a else ""
    if b is not None and a is not None and b.text == a.text:
        b_text = a_text  # normalising is deterministic: same input, same output
    else:
        b_text = normalize(b.text, norm) if b else ""
    if a is not None:
        _check_size(a_text, a_doc, a, limit)
    if b is not None and b_text is not a_text:
        _check_size(b_text, b_doc, b, limit)
    if not (_has_text(a) and _has_text(b)):
        return PairDiff(pair, a_text, b_text, None)
    return PairDiff(pair, a_text, b_text, diff_texts(a_text, b_text, options.granularity))


_NORMS = {False: NormalizeOptions(quotes=False), True: NormalizeOptions(quotes=True)}


def compare_documents(a: Document, b: Document, *, corpus: Corpus | None = None,
                      options: CompareOptions = CompareOptions()) -> Comparison:
    """Compare *a* with *b* (A is shown on the left: put the earlier text first).

    With a *corpus*, sections are paired by its topics first and each topic gets its analyses
    side by side; ``options.topics`` restricts the comparison to those topics.
    """
    all_topics: Sequence[str] = list(corpus.topics) if corpus else []
    if options.topics:
        if corpus is None:
            raise BilldiffError("topics need a corpus with a topics.yaml")
        for t in options.topics:
            corpus.topic(t)
        all_topics = [t for t in corpus.topics if t in options.topics]
    alignment: Alignment = align(a, b, all_topics, only_topics=bool(options.topics))
    limit = settings.max_text_words()
    norm = _NORMS[options.quotes]
    out: list[PairDiff] = []
    missing = TextStatus.MISSING
    granularity = options.granularity
    unchanged = PairDiff.unchanged
    for p in alignment.pairs:
        sa, sb = p.a, p.b
        if (sa is not None and sb is not None and sa.text == sb.text and sa.text
                and sa.status is not missing and sb.status is not missing
                and not sa.text.isspace()):
            # The common case across releases of a code: the same words.  No diff to run.
            text = sa.text
            if not (text.isascii() and "\r" not in text):
                text = normalize(text, norm)
            if len(text) > limit:
                _check_size(text, a, sa, limit)
            out.append(unchanged(p, text, granularity))
        else:
            out.append(diff_pair(p, a, b, options, limit))
    pairs = tuple(out)
    views: list[TopicView] = []
    if corpus is not None:
        for tid in all_topics:
            views.append(TopicView(
                corpus.topics[tid], corpus.analysis(a.id, tid), corpus.analysis(b.id, tid),
                tuple(p for p in pairs if p.topic == tid),
            ))
    return Comparison(a, b, options, pairs, alignment.only_a, alignment.only_b, tuple(views))


# -- caching by content ---------------------------------------------------------------------

_digests: dict[int, tuple[Document, str]] = {}
_cache: OrderedDict[tuple[str, ...], Comparison] = OrderedDict()
_lock = threading.Lock()
CACHE_SIZE = 64


def content_digest(doc: Document) -> str:
    """SHA-256 of a document's canonical JSON (memoised per document object)."""
    hit = _digests.get(id(doc))
    if hit is not None and hit[0] is doc:
        return hit[1]
    digest = hashlib.sha256(doc.model_dump_json().encode("utf-8")).hexdigest()
    with _lock:
        if len(_digests) > 4096:
            _digests.clear()
        _digests[id(doc)] = (doc, digest)
    return digest


def _analyses_digest(corpus: Corpus | None, a: Document, b: Document) -> str:
    if corpus is None:
        return ""
    h = hashlib.sha256()
    for t in corpus.topics.values():
        h.update(t.model_dump_json().encode())
        for d in (a, b):
            an = corpus.analysis(d.id, t.id)
            h.update(an.model_dump_json().encode() if an else b"-")
    return h.hexdigest()


def cached_compare(a: Document, b: Document, *, corpus: Corpus | None = None,
                   options: CompareOptions = CompareOptions()) -> Comparison:
    """:func:`compare_documents`, cached by the content of both documents and the options."""
    key = (content_digest(a), content_digest(b), _analyses_digest(corpus, a, b),
           options.granularity, str(options.quotes), ",".join(options.topics))
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    result = compare_documents(a, b, corpus=corpus, options=options)
    with _lock:
        _cache[key] = result
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return result
