"""Word-level diffs of legal text: deterministic, bounded, and returned as data.

How a pair of texts is compared (see ``docs/diff.md`` for the measurements behind it):

1. Identical texts give one ``equal`` run.  Otherwise both texts are split into paragraphs
   (lines) and the paragraphs are matched with a ``SequenceMatcher`` (cydifflib, a C drop-in for
   :mod:`difflib`, with ``autojunk`` off so frequent lines are never ignored).
2. Inside each changed run of paragraphs, the texts are cut into *tokens*: a word with its
   trailing whitespace (``\\S+\\s*``), so joining the tokens rebuilds the text exactly.  The
   tokens are matched the same way, after trimming the common prefix and suffix.
3. A run too large to match as one block (more than :data:`GUARD_TOKENS` tokens on a side) is
   split into sentences and matched at that level first; a sentence run still too large is
   paired position by position, and the result is flagged ``approximate``.  No time limit ever
   changes the answer silently.
4. diff-match-patch's semantic cleanup runs in token space (each distinct token mapped to one
   character), which merges tiny coincidental matches between edits into readable hunks and can
   never split a word.

``granularity="char"`` refines each replaced pair of runs to characters with diff-match-patch
(no timeout; only runs up to :data:`CHAR_REFINE_LIMIT` characters are refined).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from typing import Literal, NamedTuple

from diff_match_patch import diff_match_patch

try:  # cydifflib is a C implementation of difflib's matcher with identical opcodes.
    from cydifflib import SequenceMatcher
except ImportError:  # pragma: no cover - exercised only where the wheel is missing
    from difflib import SequenceMatcher

OpKind = Literal["equal", "insert", "delete"]
Granularity = Literal["word", "char"]

TOKEN_RE = re.compile(r"\S+\s*|\s+")
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

    A named tuple rather than a dataclass: diffs of whole codes make hundreds of thousands.
    """

    op: OpKind
    text: str

    def to_json(self) -> dict[str, str]:
        """The JSON shape ``{"op": ..., "text": ...}``."""
        return {"op": self.op, "text": self.text}


@dataclass(frozen=True)
class DiffStats:
    """How much changed: words on each side, words inserted and deleted, share changed."""

    words_a: int = 0
    words_b: int = 0
    words_inserted: int = 0
    words_deleted: int = 0
    regions: int = 0

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
        )

    def to_json(self) -> dict[str, float | int]:
        """The JSON shape of the statistics."""
        return {
            "words_a": self.words_a, "words_b": self.words_b,
            "words_inserted": self.words_inserted, "words_deleted": self.words_deleted,
            "changed_share": round(self.changed_share, 4), "regions": self.regions,
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
    """Collects ops, merging neighbours of the same kind (joined once, at the end)."""

    def __init__(self) -> None:
        self._kinds: list[OpKind] = []
        self._parts: list[list[str]] = []
        self.approximate = False

    def add(self, kind: OpKind, text: str) -> None:
        if text:
            self.add_parts(kind, [text])

    def add_parts(self, kind: OpKind, parts: list[str]) -> None:
        """Add the concatenation of *parts* (joined once, at the end)."""
        if not parts:
            return
        kinds = self._kinds
        if kinds and kinds[-1] == kind:
            self._parts[-1].extend(parts)
        elif kind == "delete" and kinds and kinds[-1] == "insert":
            # within a hunk the deletion comes first
            if len(kinds) >= 2 and kinds[-2] == "delete":
                self._parts[-2].extend(parts)
            else:
                kinds.insert(len(kinds) - 1, "delete")
                self._parts.insert(len(self._parts) - 1, list(parts))
        else:
            kinds.append(kind)
            self._parts.append(list(parts))

    def extend(self, ops: Iterable[Op]) -> None:
        for o in ops:
            self.add(o.op, o.text)

    @property
    def ops(self) -> list[Op]:
        return [Op(k, "".join(p)) for k, p in zip(self._kinds, self._parts, strict=True)]


def _cleanup(ops: list[tuple[OpKind, list[str]]]) -> list[Op]:
    """diff-match-patch semantic cleanup in token space (one character per distinct token)."""
    ops = [(k, t) for k, t in ops if t]
    if not _would_merge(ops):  # nothing for the cleanup to do: skip the encoding round trip
        return [Op(k, "".join(t)) for k, t in ops]
    # One character per distinct token.  CJK ideographs are word characters, so the
    # cleanup's boundary scoring (made for letters and spaces) treats every token alike.
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


def _match(a: Sequence[str], b: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    return SequenceMatcher(None, a, b, autojunk=False).get_opcodes()  # type: ignore[no-any-return]


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
    """Matching keys: each word without its trailing whitespace.

    Only a text's first token can be whitespace alone; it keeps itself as its key so that it
    never matches a different run of whitespace.
    """
    keys = list(map(str.rstrip, tokens))
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
        # Words are matched without their trailing whitespace, so "c" at the end of one text
        # still matches "c " in the other; a whitespace difference becomes its own small edit.
        keys_a, keys_b = _keys(mid_a), _keys(mid_b)
        raw: list[tuple[OpKind, list[str]]] = []
        for tag, i1, i2, j1, j2 in _match(keys_a, keys_b):
            if tag != "equal":
                raw.append(("delete", mid_a[i1:i2]))
                raw.append(("insert", mid_b[j1:j2]))
                continue
            if mid_a[i1:i2] == mid_b[j1:j2]:
                raw.append(("equal", mid_a[i1:i2]))
                continue
            for x, y in zip(mid_a[i1:i2], mid_b[j1:j2], strict=True):
                if x == y:
                    raw.append(("equal", [x]))
                else:
                    word = x.rstrip() or x
                    raw.append(("equal", [word]))
                    raw.append(("delete", [x[len(word):]]))
                    raw.append(("insert", [y[len(word):]]))
        out.extend(_cleanup(raw))
    else:
        _diff_large(mid_a, mid_b, out)
    out.add("equal", "".join(ta[len(ta) - s:]) if s else "")


def _diff_large(ta: list[str], tb: list[str], out: _Builder) -> None:
    """A run too large for one block: match sentences, then words inside changed sentences."""
    ua, ub = _units(ta), _units(tb)
    if len(ua) > 1 or len(ub) > 1:
        opcodes = _match(ua, ub)
        if any(tag == "equal" for tag, *_ in opcodes):
            for tag, i1, i2, j1, j2 in opcodes:
                if tag == "equal":
                    out.add("equal", "".join(ua[i1:i2]))
                else:
                    _diff_run("".join(ua[i1:i2]), "".join(ub[j1:j2]), out)
            return
    # Nothing in common at sentence level: pair chunks by position.  Still a true diff (it
    # rebuilds both texts) but not a minimal one, so it is flagged.
    out.approximate = True
    step = GUARD_TOKENS // 2
    for start in range(0, max(len(ta), len(tb)), step):
        _diff_tokens(ta[start:start + step], tb[start:start + step], out)


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
    for tag, i1, i2, j1, j2 in _match(pa, pb):
        if tag == "equal":
            out.add_parts("equal", pa[i1:i2])
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
    """Refine each delete+insert pair to character level with diff-match-patch."""
    result = _Builder()
    i = 0
    while i < len(ops):
        o = ops[i]
        nxt = ops[i + 1] if i + 1 < len(ops) else None
        if (o.op == "delete" and nxt is not None and nxt.op == "insert"
                and len(o.text) <= CHAR_REFINE_LIMIT and len(nxt.text) <= CHAR_REFINE_LIMIT):
            diffs = _DMP.diff_main(o.text, nxt.text, False)
            _DMP.diff_cleanupSemantic(diffs)
            for code, text in diffs:
                result.add(_DMP_OP[code], text)
            i += 2
            continue
        result.add(o.op, o.text)
        i += 1
    return result.ops


def stats_of(ops: Sequence[Op]) -> DiffStats:
    """Word statistics of a list of runs (words counted at word level)."""
    ins = sum(count_words(o.text) for o in ops if o.op == "insert")
    dele = sum(count_words(o.text) for o in ops if o.op == "delete")
    same = sum(count_words(o.text) for o in ops if o.op == "equal")
    a_words, b_words = same + dele, same + ins
    regions = 0
    previous_equal = True
    for o in ops:
        if o.op != "equal" and previous_equal:
            regions += 1
        previous_equal = o.op == "equal"
    return DiffStats(a_words, b_words, ins, dele, regions)


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
