"""Word-level diffs of legal text: deterministic, bounded, and returned as data.

How a pair of texts is compared (see ``docs/diff.md`` for the measurements behind it):

1. Identical texts give one ``equal`` run.  Otherwise both texts are split into paragraphs
   (lines) and the paragraphs are matched by :func:`billdiff.match.match_lines`: a
   ``SequenceMatcher`` (cydifflib, with ``autojunk`` off so frequent lines are never ignored)
   where that is cheap, and near-linear anchoring and Myers' algorithm, with a work budget,
   everywhere else, so that no shape of text (thousands of ``[Reserved]`` lines, say) costs
   more than a fixed multiple of its length; a region it had to pair by position is flagged.
2. Inside each changed run of paragraphs, the texts are cut into *tokens*: a word with its
   trailing whitespace (``\\S+\\s*``), so joining the tokens rebuilds the text exactly.  The
   tokens are matched the same way, after trimming the common prefix and suffix.
3. A run too large to match as one block (more than :data:`GUARD_TOKENS` tokens on a side) is
   split into sentences and matched at that level first; a sentence run still too large is
   paired position by position, and the result is flagged ``approximate``.  No time limit ever
   changes the answer silently.
4. diff-match-patch's semantic cleanup runs in token space (each distinct token mapped to one
   character), which merges tiny coincidental matches between edits into readable hunks and can
   never split a word (runs of more than :data:`CLEANUP_LIMIT` pieces are left as matched).
5. Typography is not wording: paragraphs, sentences and words are matched on their
   :func:`~billdiff.normalize.fold_typography` form (quote and dash style folded away), so
   ``“Facial”`` and ``"Facial"`` are the same word.  Where matched words differ only in
   typography (or in the whitespace after them), the runs mark exactly the characters that
   differ, as a deletion and an insertion of their own, never merged into a change of wording:
   :mod:`billdiff.analysis` reads such a hunk as typography.  The runs always hold the original
   characters of each text.

``granularity="char"`` refines word-for-word substitutions (a hunk that replaces *n* words
with *n* words) to characters with diff-match-patch, word by word, and only where the two words
share at least half their characters (``analyzing`` -> ``analysing``, ``3`` -> ``4``); any other
hunk stays whole words, so a rewritten passage never turns into letter salad.  Runs longer than
:data:`CHAR_REFINE_LIMIT` characters are not refined.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from typing import Literal, NamedTuple

from diff_match_patch import diff_match_patch

from billdiff.match import match_lines
from billdiff.normalize import fold_typography

try:  # cydifflib is a C implementation of difflib's matcher with identical opcodes.
    from cydifflib import SequenceMatcher
except ImportError:  # pragma: no cover - exercised only where the wheel is missing
    from difflib import SequenceMatcher

OpKind = Literal["equal", "insert", "delete"]
Granularity = Literal["word", "char"]

TOKEN_RE = re.compile(r"\S+\s*|\s+")
#: The same tokens, each found as its word alone (an empty string for leading whitespace).
_KEY_RE = re.compile(r"(\S+)\s*|\s+")
_SENTENCE_END = re.compile(r"[.;:!?][\"'”’)\]]*\s+$")
#: Largest run, in tokens per side, matched as one block.
GUARD_TOKENS = 6000
#: Largest text, in characters per side, refined to character level.
CHAR_REFINE_LIMIT = 4000

_DMP = diff_match_patch()
_DMP.Diff_Timeout = 0  # never let a clock change the answer
_DMP_OP: dict[int, OpKind] = {-1: "delete", 0: "equal", 1: "insert"}
_OP_DMP = {"delete": -1, "equal": 0, "insert": 1}


class Op(NamedTuple):
    """One run of a diff: text kept (``equal``), added (``insert``) or removed (``delete``).

    ``typography`` marks a deletion or insertion that is only a difference of typography
    between two matched words (quote or dash style, the whitespace after a word): the same
    words, other characters.  A named tuple rather than a dataclass: diffs of whole codes make
    hundreds of thousands.
    """

    op: OpKind
    text: str
    typography: bool = False

    def to_json(self) -> dict[str, str | bool]:
        """The JSON shape ``{"op": ..., "text": ...}`` (plus ``"typography": true`` if so)."""
        if self.typography:
            return {"op": self.op, "text": self.text, "typography": True}
        return {"op": self.op, "text": self.text}


@dataclass(frozen=True)
class DiffStats:
    """How much changed: words on each side, words inserted and deleted, share changed."""

    words_a: int = 0
    words_b: int = 0
    words_inserted: int = 0
    words_deleted: int = 0
    regions: int = 0
    #: Places where only typography differs (quote or dash style, spacing): not changes.
    typography: int = 0

    @property
    def changed_share(self) -> float:
        """Changed words over all words of both sides (0.0 to 1.0)."""
        total = self.words_a + self.words_b
        return (self.words_inserted + self.words_deleted) / total if total else 0.0

    def __add__(self, other: DiffStats) -> DiffStats:
        return DiffStats(
            self.words_a + other.words_a, self.words_b + other.words_b,
            self.words_inserted + other.words_inserted,
            self.words_deleted + other.words_deleted, self.regions + other.regions,
            self.typography + other.typography,
        )

    def to_json(self) -> dict[str, float | int]:
        """The JSON shape of the statistics."""
        return {
            "words_a": self.words_a, "words_b": self.words_b,
            "words_inserted": self.words_inserted, "words_deleted": self.words_deleted,
            "changed_share": round(self.changed_share, 4), "regions": self.regions,
            "typography": self.typography,
        }


@dataclass(frozen=True)
class TextDiff:
    """The diff of two texts: runs that rebuild both texts, with statistics.

    ``stats`` is computed on first use: counting the words of two 1 MB texts costs more than
    diffing them, and a caller that only needs the runs should not pay for it.
    """

    ops: tuple[Op, ...]
    granularity: Granularity = "word"
    approximate: bool = False
    word_ops: tuple[Op, ...] | None = None

    @classmethod
    def unchanged(cls, text: str, granularity: Granularity = "word") -> TextDiff:
        """The diff of a text with itself: one ``equal`` run (or none for empty text).

        Built without the frozen-dataclass ``__init__`` (one ``object.__setattr__`` per field):
        comparing two releases of a whole code makes one of these per unchanged provision.
        """
        obj = object.__new__(cls)
        obj.__dict__.update(ops=(Op("equal", text),) if text else (), granularity=granularity,
                            approximate=False, word_ops=None)
        return obj

    @cached_property
    def stats(self) -> DiffStats:
        """Word statistics (counted on the word-level runs, whatever the granularity)."""
        return stats_of(self.word_ops if self.word_ops is not None else self.ops)

    @property
    def a_text(self) -> str:
        """The old text, rebuilt from the equal and deleted runs."""
        return "".join(o.text for o in self.ops if o.op != "insert")

    @property
    def b_text(self) -> str:
        """The new text, rebuilt from the equal and inserted runs."""
        return "".join(o.text for o in self.ops if o.op != "delete")

    @property
    def changed(self) -> bool:
        """True if anything was inserted or deleted."""
        return any(o.op != "equal" for o in self.ops)


def tokenize(text: str) -> list[str]:
    """Words with their trailing whitespace (leading whitespace is its own token)."""
    return TOKEN_RE.findall(text)


def count_words(text: str) -> int:
    """Number of whitespace-separated words."""
    return len(text.split())


class _Builder:
    """Collects ops, merging neighbours of the same kind (joined once, at the end).

    A typography run is never merged with a run of wording, so that each stays readable as
    what it is.
    """

    def __init__(self) -> None:
        self._kinds: list[tuple[OpKind, bool]] = []
        self._parts: list[list[str]] = []
        self.approximate = False
        #: Runs the semantic cleanup may still be given in this diff (:data:`CLEANUP_BUDGET`).
        self.cleanup_left = CLEANUP_BUDGET

    def add(self, kind: OpKind, text: str, typography: bool = False) -> None:
        if text:
            self.add_parts(kind, [text], typography)

    def add_parts(self, kind: OpKind, parts: list[str], typography: bool = False) -> None:
        """Add the concatenation of *parts* (joined once, at the end)."""
        if not parts:
            return
        kinds = self._kinds
        key = (kind, typography and kind != "equal")
        if kinds and kinds[-1] == key:
            self._parts[-1].extend(parts)
        elif kind == "delete" and kinds and kinds[-1] == ("insert", key[1]):
            # within a hunk the deletion comes first
            if len(kinds) >= 2 and kinds[-2] == key:
                self._parts[-2].extend(parts)
            else:
                kinds.insert(len(kinds) - 1, key)
                self._parts.insert(len(self._parts) - 1, list(parts))
        else:
            kinds.append(key)
            self._parts.append(list(parts))

    def extend(self, ops: Iterable[Op]) -> None:
        for o in ops:
            self.add(o.op, o.text, o.typography)

    @property
    def ops(self) -> list[Op]:
        return [Op(k, "".join(p), t) for (k, t), p in zip(self._kinds, self._parts, strict=True)]


#: A raw entry of :func:`_diff_tokens`: a run of tokens, or (``"typography"``) one pair of
#: matched words that differ only in typography or trailing whitespace.
_Raw = tuple[str, list[str]]


def _cleanup(raw: list[_Raw], builder: _Builder) -> list[Op]:
    """Semantic cleanup of the token runs between typography pairs; the pairs become their own
    small runs, so that no cleanup can merge a typography difference into a wording change."""
    out: list[Op] = []
    segment: list[tuple[OpKind, list[str]]] = []
    for kind, toks in raw:
        if kind == "typography":
            out.extend(_cleanup_runs(segment, builder))
            segment = []
            out.extend(_typography_ops(toks[0], toks[1]))
        else:
            segment.append((kind, toks))  # type: ignore[arg-type]
    out.extend(_cleanup_runs(segment, builder))
    return out


def _typography_ops(x: str, y: str) -> list[Op]:
    """The runs of two matched words that differ only in typography (and trailing space).

    Their folded words are equal and folding maps one character to one, so the words have the
    same length and differ character by character: each differing stretch becomes a deletion
    and an insertion of exactly those characters.
    """
    wx, wy = x.rstrip() or x, y.rstrip() or y
    ops: list[Op] = []
    if wx == wy:
        ops.append(Op("equal", wx))
    else:
        i = 0
        while i < len(wx):
            j = i
            same = wx[i] == wy[i]
            while j < len(wx) and (wx[j] == wy[j]) == same:
                j += 1
            if same:
                ops.append(Op("equal", wx[i:j]))
            else:
                ops += [Op("delete", wx[i:j], True), Op("insert", wy[i:j], True)]
            i = j
    tail_x, tail_y = x[len(wx):], y[len(wy):]
    if tail_x != tail_y:
        # Other spacing after a word is typography; space only on one side is the end of a
        # text meeting an added word ("c" against "c d"), which belongs to that change.
        spacing = bool(tail_x and tail_y)
        ops += [Op("delete", tail_x, spacing), Op("insert", tail_y, spacing)]
    elif tail_x:
        ops.append(Op("equal", tail_x))
    return [o for o in ops if o.text]


#: Most runs the semantic cleanup is given at once, and in all for one diff (its cost grows
#: faster than the runs; it only makes a diff read better, so what is over is left as
#: matched: still exact, deterministic, no clock).
CLEANUP_LIMIT = 2000
CLEANUP_BUDGET = 5_000


def _cleanup_runs(ops: list[tuple[OpKind, list[str]]], builder: _Builder) -> list[Op]:
    """diff-match-patch semantic cleanup in token space (one character per distinct token)."""
    ops = [(k, t) for k, t in ops if t]
    if len(ops) > min(CLEANUP_LIMIT, builder.cleanup_left) or not _would_merge(ops):
        # nothing for the cleanup to do, or too much: skip the encoding round trip
        return [Op(k, "".join(t)) for k, t in ops]
    # One character per distinct token.  CJK ideographs are word characters, so the
    # cleanup's boundary scoring (made for letters and spaces) treats every token alike.
    builder.cleanup_left -= len(ops)
    distinct = dict.fromkeys(chain.from_iterable(t for _, t in ops))
    codes = {t: chr(0x4E00 + n) if n < 20000 else chr(0x20000 + n - 20000)
             for n, t in enumerate(distinct)}
    diffs = [(_OP_DMP[k], "".join(map(codes.__getitem__, t))) for k, t in ops]
    _DMP.diff_cleanupSemantic(diffs)
    table = {ord(c): t for t, c in codes.items()}
    return [Op(_DMP_OP[code], chars.translate(table)) for code, chars in diffs]


def _would_merge(ops: list[tuple[OpKind, list[str]]]) -> bool:
    """Whether diff-match-patch's semantic cleanup would merge any equality into its edits.

    Its rule (``diff_cleanupSemantic``): an equality no longer than the larger side of the
    edits before it *and* of the edits after it becomes part of the edit.  Matcher output has
    no common tokens inside a replaced run, so the cleanup's other step (overlaps) never
    applies; when no equality qualifies the cleanup would change nothing but cosmetic shifts.
    """
    groups: list[tuple[int, int, int]] = []  # (equal tokens, deleted, inserted) in order
    equal = deleted = inserted = 0
    for kind, toks in ops:
        if kind == "equal":
            if deleted or inserted:
                groups.append((equal, deleted, inserted))
                equal = deleted = inserted = 0
            equal += len(toks)
        elif kind == "delete":
            deleted += len(toks)
        else:
            inserted += len(toks)
    groups.append((equal, deleted, inserted))
    # groups[i] = (equality, edits after it); an equality between edits i-1 and i qualifies
    for i in range(1, len(groups)):
        eq = groups[i][0]
        before = max(groups[i - 1][1], groups[i - 1][2])
        after = max(groups[i][1], groups[i][2])
        if before and after and eq <= before and eq <= after:
            return True
    return False


#: Most times one item may repeat on the new side for ``SequenceMatcher`` to be used as it is:
#: its cost grows with how often items repeat, not with their number.
REPEAT_LIMIT = 32
#: Or most pairs of equal items (one on each side) per item, see _cheap_for_sequence_matcher.
PAIRS_PER_ITEM = 10


def _match(a: Sequence[str], b: Sequence[str], out: _Builder
           ) -> list[tuple[str, int, int, int, int]]:
    """Match two sequences (paragraphs, sentences or words).

    Where no item repeats much, ``SequenceMatcher`` (cydifflib) is near-linear and gives the
    answer billdiff always gave; where items repeat (thousands of ``[Reserved]`` lines, a
    paragraph of "the"), :func:`billdiff.match.match_lines` bounds the cost, and a region it
    had to pair by position flags the whole diff.
    """
    if not b or _cheap_for_sequence_matcher(a, Counter(b)):
        return SequenceMatcher(None, a, b, autojunk=False).get_opcodes()  # type: ignore[no-any-return]
    found = match_lines(a, b)
    if found.approximate:
        out.approximate = True
    return list(found.opcodes)


def _cheap_for_sequence_matcher(a: Sequence[str], counts_b: Counter[str]) -> bool:
    """Whether ``SequenceMatcher`` is cheap on *a* against a side with *counts_b*: no item
    repeats more than :data:`REPEAT_LIMIT` times, or the pairs of equal items the matcher
    visits (for each item, its count on one side times its count on the other) are at most
    :data:`PAIRS_PER_ITEM` per item.  Ordinary prose passes the second test ("the" in a run of
    a thousand words: some 60 times each side, 7.6 pairs an item in the real rules pair, where
    the matcher is faster than :func:`billdiff.match.match_lines`); a run of ``[Reserved]``
    lines fails it (500 each side in 2,000 lines: 125 an item)."""
    if max(counts_b.values()) <= REPEAT_LIMIT:
        return True
    limit = PAIRS_PER_ITEM * (len(a) + counts_b.total())
    pairs = 0
    for item, count in Counter(a).items():
        pairs += count * counts_b.get(item, 0)
        if pairs > limit:
            return False
    return True


def _units(tokens: list[str]) -> list[str]:
    """Group tokens into sentence-like units (each ends after . ; : ! or ?)."""
    units: list[str] = []
    current: list[str] = []
    for t in tokens:
        current.append(t)
        if _SENTENCE_END.search(t):
            units.append("".join(current))
            current = []
    if current:
        units.append("".join(current))
    return units


def _keys(tokens: list[str]) -> list[str]:
    """Matching keys: each word without its trailing whitespace, its typography folded.

    Only a text's first token can be whitespace alone; it keeps itself as its key so that it
    never matches a different run of whitespace.
    """
    joined = "".join(tokens)
    if joined.isascii():  # no typography to fold: one C-speed pass
        keys = list(map(str.rstrip, tokens))
    else:
        # Folding maps one character to one and never makes or removes whitespace, so the
        # folded run splits into the same tokens: one fold and one split for the whole run,
        # not a call per word (134,000 calls were a third of a 1 MB diff).
        keys = _KEY_RE.findall(fold_typography(joined))
        if len(keys) != len(tokens):  # (never, by the rule above; kept as a guard)
            keys = [fold_typography(t.rstrip()) for t in tokens]
    if keys and not keys[0]:
        keys[0] = tokens[0]
    return keys


def _diff_tokens(ta: list[str], tb: list[str], out: _Builder) -> None:
    """Diff two token lists into *out* (bounded: see the module docstring)."""
    # common prefix and suffix are cheap and shrink the matcher's range
    p = 0
    limit = min(len(ta), len(tb))
    while p < limit and ta[p] == tb[p]:
        p += 1
    s = 0
    while s < limit - p and ta[-1 - s] == tb[-1 - s]:
        s += 1
    out.add("equal", "".join(ta[:p]))
    mid_a, mid_b = ta[p:len(ta) - s], tb[p:len(tb) - s]
    if max(len(mid_a), len(mid_b)) <= GUARD_TOKENS:
        # Words are matched without their trailing whitespace and with their typography
        # folded, so "c" at the end of one text still matches "c " in the other and “c”
        # matches "c"; such a difference becomes its own small edit (see _typography_ops).
        keys_a, keys_b = _keys(mid_a), _keys(mid_b)
        raw: list[_Raw] = []
        for tag, i1, i2, j1, j2 in _match(keys_a, keys_b, out):
            if tag != "equal":
                raw.append(("delete", mid_a[i1:i2]))
                raw.append(("insert", mid_b[j1:j2]))
                continue
            if mid_a[i1:i2] == mid_b[j1:j2]:
                raw.append(("equal", mid_a[i1:i2]))
                continue
            for x, y in zip(mid_a[i1:i2], mid_b[j1:j2], strict=True):
                raw.append(("equal", [x]) if x == y else ("typography", [x, y]))
        out.extend(_cleanup(raw, out))
    else:
        _diff_large(mid_a, mid_b, out)
    out.add("equal", "".join(ta[len(ta) - s:]) if s else "")


def _diff_large(ta: list[str], tb: list[str], out: _Builder) -> None:
    """A run too large for one block: match sentences, then words inside changed sentences."""
    ua, ub = _units(ta), _units(tb)
    if len(ua) > 1 or len(ub) > 1:
        opcodes = _match_folded(ua, ub, out)
        if any(tag == "equal" for tag, *_ in opcodes):
            for tag, i1, i2, j1, j2 in opcodes:
                if tag == "equal":
                    _add_equal_units(ua[i1:i2], ub[j1:j2], out)
                else:
                    _diff_run("".join(ua[i1:i2]), "".join(ub[j1:j2]), out)
            return
    # Nothing in common at sentence level: pair chunks by position.  Still a true diff (it
    # rebuilds both texts) but not a minimal one, so it is flagged.
    out.approximate = True
    step = GUARD_TOKENS // 2
    for start in range(0, max(len(ta), len(tb)), step):
        _diff_tokens(ta[start:start + step], tb[start:start + step], out)


def _match_folded(a: list[str], b: list[str], out: _Builder
                  ) -> list[tuple[str, int, int, int, int]]:
    """Match paragraphs or sentences on their folded typography (see the module docstring)."""
    # Each distinct unit is folded once (most are found on both sides), and only those that
    # are not ASCII are folded at all.
    folded = {x: fold_typography(x) for x in dict.fromkeys(chain(a, b)) if not x.isascii()}
    if not folded:
        return _match(a, b, out)
    get = folded.get
    return _match([get(x, x) for x in a], [get(x, x) for x in b], out)


def _add_equal_units(ua: list[str], ub: list[str], out: _Builder) -> None:
    """Matched paragraphs or sentences: the same text, or the same words in other typography."""
    if ua == ub:
        out.add_parts("equal", ua)
        return
    for x, y in zip(ua, ub, strict=True):
        if x == y:
            out.add("equal", x)
        else:
            _diff_run(x, y, out)


def _common_prefix_len(a: str, b: str) -> int:
    """Length of the common prefix, by binary search on slices (C-speed comparisons)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix_len(a: str, b: str) -> int:
    """Length of the common suffix."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:len(a) - lo] == b[len(b) - mid:len(b) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _token_start_at_or_before(text: str, pos: int) -> int:
    """The last token start strictly before *pos* (0 if none)."""
    q = pos - 1
    while q > 0 and not (text[q - 1].isspace() and not text[q].isspace()):
        q -= 1
    return max(q, 0)


def _diff_run(a: str, b: str, out: _Builder) -> None:
    """Diff one changed run: trim the common ends at character speed, then diff tokens."""
    p = _common_prefix_len(a, b)
    if p == len(a) == len(b):
        out.add("equal", a)
        return
    p = _token_start_at_or_before(a, p) if p else 0
    s = _common_suffix_len(a[p:], b[p:])
    if s:
        # move the suffix start forward to a token start inside the common suffix
        r = len(a) - s + 1
        while r < len(a) and not (a[r - 1].isspace() and not a[r].isspace()):
            r += 1
        s = len(a) - r
    out.add("equal", a[:p])
    _diff_tokens(tokenize(a[p:len(a) - s]), tokenize(b[p:len(b) - s]), out)
    out.add("equal", a[len(a) - s:])


def _diff_paragraph_runs(a: str, b: str, out: _Builder) -> None:
    pa, pb = a.splitlines(keepends=True), b.splitlines(keepends=True)
    if len(pa) <= 1 and len(pb) <= 1:
        _diff_run(a, b, out)
        return
    for tag, i1, i2, j1, j2 in _match_folded(pa, pb, out):
        if tag == "equal":
            _add_equal_units(pa[i1:i2], pb[j1:j2], out)
        elif tag == "delete":
            out.add_parts("delete", pa[i1:i2])
        elif tag == "insert":
            out.add_parts("insert", pb[j1:j2])
        elif i2 - i1 == j2 - j1 > 1 and all(
                _alike(x, y) for x, y in zip(pa[i1:i2], pb[j1:j2], strict=True)):
            # n paragraphs edited in place: diff each with its counterpart, so each one's
            # common ends are trimmed at character speed instead of tokenizing the whole run
            for x, y in zip(pa[i1:i2], pb[j1:j2], strict=True):
                _diff_run(x, y, out)
        else:
            _diff_run("".join(pa[i1:i2]), "".join(pb[j1:j2]), out)


def _alike(x: str, y: str) -> bool:
    """True when two paragraphs share most of their text at their two ends (an edit in place)."""
    p = _common_prefix_len(x, y)
    s = _common_suffix_len(x[p:], y[p:])
    return 2 * (p + s) >= min(len(x), len(y))


def _refine_chars(ops: list[Op]) -> list[Op]:
    """Refine word-for-word substitutions to characters (see the module docstring)."""
    result = _Builder()
    i = 0
    while i < len(ops):
        o = ops[i]
        nxt = ops[i + 1] if i + 1 < len(ops) else None
        if (o.op == "delete" and nxt is not None and nxt.op == "insert"
                and not o.typography and not nxt.typography
                and len(o.text) <= CHAR_REFINE_LIMIT and len(nxt.text) <= CHAR_REFINE_LIMIT):
            words_a, words_b = tokenize(o.text), tokenize(nxt.text)
            if len(words_a) == len(words_b):
                for x, y in zip(words_a, words_b, strict=True):
                    _refine_word(x, y, result)
            else:
                result.add("delete", o.text)
                result.add("insert", nxt.text)
            i += 2
            continue
        result.add(o.op, o.text, o.typography)
        i += 1
    return result.ops


#: Least share of a word's characters two words must keep to be shown changed letter by letter.
CHAR_REFINE_SIMILARITY = 0.5


def _refine_word(x: str, y: str, out: _Builder) -> None:
    """One word replaced by another: by characters if they are alike, else the whole word."""
    if x == y:
        out.add("equal", x)
        return
    diffs = _DMP.diff_main(x, y, False)
    _DMP.diff_cleanupSemantic(diffs)
    kept = sum(len(text) for code, text in diffs if code == 0 and text.strip())
    if kept < CHAR_REFINE_SIMILARITY * max(len(x.rstrip()), len(y.rstrip()), 1):
        out.add("delete", x)
        out.add("insert", y)
        return
    for code, text in diffs:
        out.add(_DMP_OP[code], text)


def stats_of(ops: Sequence[Op]) -> DiffStats:
    """Word statistics of a list of runs (words counted at word level).

    Typography runs are not words changed: they count as places where only typography
    differs (``DiffStats.typography``).
    """
    ins = sum(count_words(o.text) for o in ops if o.op == "insert" and not o.typography)
    dele = sum(count_words(o.text) for o in ops if o.op == "delete" and not o.typography)
    a_words = count_words("".join(o.text for o in ops if o.op != "insert"))
    b_words = count_words("".join(o.text for o in ops if o.op != "delete"))
    regions = typography = 0
    wording = styled = False
    for o in (*ops, Op("equal", "")):
        if o.op == "equal":
            regions += wording
            typography += styled and not wording
            wording = styled = False
        elif o.typography:
            styled = True
        else:
            wording = True
    return DiffStats(a_words, b_words, ins, dele, regions, typography)


def diff_texts(a: str, b: str, granularity: Granularity = "word") -> TextDiff:
    """Compare two texts; the result's runs rebuild *a* (equal + delete) and *b* (equal + insert).

    The texts are compared as given: normalise them first (:func:`billdiff.normalize.normalize`)
    if formatting differences should not count.
    """
    if a == b:
        return TextDiff.unchanged(a, granularity)
    out = _Builder()
    _diff_paragraph_runs(a, b, out)
    ops = tuple(out.ops)  # the builder keeps each hunk's deletion before its insertion
    if granularity == "char":
        return TextDiff(tuple(_refine_chars(list(ops))), granularity, out.approximate, ops)
    return TextDiff(ops, granularity, out.approximate)
