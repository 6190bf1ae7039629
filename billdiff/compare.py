"""Compare two documents: align their provisions, diff each pair, set the analyses side by side.

The result is data (frozen dataclasses): which provisions were paired, and the word-level runs
of each pair.  What those runs *mean* (which are changes in the law, which are typography or
the end of a cut-off copy, the headline numbers) is read by :mod:`billdiff.analysis`, which
every output uses.  Nothing here builds HTML.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from billdiff import settings
from billdiff.align import Alignment, SectionPair, align
from billdiff.diff import Granularity, TextDiff, count_words, diff_texts
from billdiff.errors import BilldiffError, InputTooLarge
from billdiff.load import Corpus
from billdiff.model import Analysis, Document, Section, Topic, text_size
from billdiff.normalize import normalize


@dataclass(frozen=True)
class CompareOptions:
    """Everything that changes a comparison's result (and so its cache key)."""

    granularity: Granularity = "word"
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class PairDiff:
    """One aligned pair of provisions and the diff of their texts.

    ``diff`` is None when a side is absent or its text is not held (status ``missing``): there
    is nothing to compare.  A held section with no words (a repealed or reserved provision)
    is compared like any other: its text is empty.
    """

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
    def same_text(self) -> bool:
        """True if both texts were compared and are the same characters."""
        return self.diff is not None and self.a_text == self.b_text

    @property
    def anchor(self) -> str:
        """A stable fragment id for this pair (for permalinks)."""
        ids = [s.id if s else "none" for s in (self.pair.a, self.pair.b)]
        prefix = f"t-{self.pair.topic}--" if self.pair.topic else ""
        return f"{prefix}{ids[0]}--{ids[1]}"


class _UnchangedPairDiff(PairDiff):
    """A pair with the same text on both sides: its one-run diff is made on first use."""

    @cached_property
    def diff(self) -> TextDiff:
        """One ``equal`` run."""
        return TextDiff.unchanged(self.a_text, self.__dict__["_granularity"])

    @property
    def same_text(self) -> bool:
        """Always: the two texts are the same."""
        return True


@dataclass(frozen=True)
class TopicView:
    """One topic across the two documents: the analyses side by side and the pairs for it."""

    topic: Topic
    a_analysis: Analysis | None
    b_analysis: Analysis | None
    pairs: tuple[PairDiff, ...]


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two documents compared provision by provision.

    Compared by identity (``eq=False``): a comparison is a cached result, and readings of it
    are cached by the object itself.
    """

    a: Document
    b: Document
    options: CompareOptions
    pairs: tuple[PairDiff, ...]
    only_a: tuple[Section, ...]
    only_b: tuple[Section, ...]
    topics: tuple[TopicView, ...]
    #: What layers above derive from this comparison, kept with it so that it is derived
    #: once and lives exactly as long as the comparison (the analysis keeps its reading here).
    memo: dict[str, object] = field(default_factory=dict, repr=False)

    @property
    def approximate(self) -> bool:
        """True if any pair's diff had to fall back to positional pairing."""
        return any(p.diff is not None and p.diff.approximate for p in self.pairs)


def _check_size(text: str, doc: Document, section: Section, limit: int) -> None:
    if len(text) <= limit:  # fewer characters than the limit: fewer words too
        return
    words = count_words(text)
    if words > limit:
        raise InputTooLarge(
            f"section text has {words:,} words, over the {limit:,}-word limit",
            where=f"{doc.id} {section.id}", fix="raise BILLDIFF_MAX_TEXT_WORDS to compare it",
        )


def diff_pair(pair: SectionPair, a_doc: Document, b_doc: Document,
              options: CompareOptions, word_limit: int | None = None) -> PairDiff:
    """Normalise and diff one pair (no diff when a side is absent or its text not held).

    Normalising removes only what no reader can see (see :mod:`billdiff.normalize`); quote and
    dash style are kept, and the diff matches words across them (see :mod:`billdiff.diff`).
    """
    limit = word_limit or settings.max_text_words()
    a, b = pair.a, pair.b
    a_text = normalize(a.text) if a else ""
    if b is not None and a is not None and b.text == a.text:
        b_text = a_text  # normalising is deterministic: same input, same output
    else:
        b_text = normalize(b.text) if b else ""
    if a is not None:
        _check_size(a_text, a_doc, a, limit)
    if b is not None and b_text is not a_text:
        _check_size(b_text, b_doc, b, limit)
    if a is None or b is None or not (a.held and b.held):
        return PairDiff(pair, a_text, b_text, None)
    return PairDiff(pair, a_text, b_text, diff_texts(a_text, b_text, options.granularity))


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
    out: list[PairDiff] = []
    granularity = options.granularity
    unchanged = PairDiff.unchanged
    for p in alignment.pairs:
        sa, sb = p.a, p.b
        if (sa is not None and sb is not None and sa.text == sb.text and sa.text
                and sa.held and sb.held):
            # The common case across releases of a code: the same words.  No diff to run.
            text = sa.text
            if not (text.isascii() and "\r" not in text):
                text = normalize(text)
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
_cache: OrderedDict[tuple[str, ...], tuple[Comparison, int]] = OrderedDict()
_cached_chars = 0
_lock = threading.Lock()
#: Most comparisons kept.
CACHE_SIZE = 64
#: Most characters of text the kept comparisons may have compared between them.  A comparison
#: holds about 7-12 bytes per character of its two texts (measured on the 4,000-line
#: ``[Reserved]`` pair: 1.8 MB by words, 3.1 MB by letters, for 270,000 characters), so this is
#: some 100 MB; 64 comparisons of whole codes (several MB of text each) would otherwise have
#: been kept whatever their size.  One over the whole budget is not kept at all.
CACHE_CHARS = 8_000_000


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
           options.granularity, ",".join(options.topics))
    global _cached_chars
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit[0]
    result = compare_documents(a, b, corpus=corpus, options=options)
    chars = text_size(a) + text_size(b)
    if chars > CACHE_CHARS:
        return result
    with _lock:
        if key not in _cache:
            _cache[key] = (result, chars)
            _cached_chars += chars
        while len(_cache) > CACHE_SIZE or _cached_chars > CACHE_CHARS:
            _cached_chars -= _cache.popitem(last=False)[1][1]
    return result

