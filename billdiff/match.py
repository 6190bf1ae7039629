"""Matching two sequences of lines (or words) in near-linear time: difflib-style opcodes.

Why not :class:`difflib.SequenceMatcher` alone: with ``autojunk`` off (so that frequent lines
such as ``[Reserved]`` or blank lines are never ignored), its cost grows with the number of
times lines repeat: about x8 per doubling on a section where every other line is
``[Reserved]``, and past a minute on 4,000 blank-line-separated paragraphs.  This module keeps
its answer where it is cheap and bounds the cost everywhere else.

The sequences are cut into *regions*, each worked in turn (an explicit stack, no recursion):

1. the common prefix and suffix match (on the whole input by C-speed slice comparisons);
2. a region with one side empty is an insertion or a deletion; one item against many matches
   its first occurrence (what ``SequenceMatcher`` finds);
3. a small region (at most :data:`SMALL_CELLS` item pairs) goes to ``SequenceMatcher`` with
   ``autojunk`` off: the answer billdiff always gave there, at a cost bounded by the size;
4. only items found on both sides can match: a region with none in common is a replacement;
5. Myers' O(ND) difference algorithm on the items common to both sides (GNU diff's trick of
   setting aside items the other side lacks), allowed up to :data:`MYERS_D` edits but never
   more than ``sqrt(8 (n + m))``, so that the try costs in proportion to the region: a minimal
   answer when the region differs little;
6. anchoring (patience diff, generalised): of the items found as often on both sides, the
   rarest (found once each, if any: patience proper; at most :data:`MAX_CHAIN` times) are
   paired in order, those whose neighbours match too are preferred, the longest run of pairs
   in the same order on both sides matches, and the region splits between them;
7. histogram anchoring (after git's ``--histogram``): the longest equal run through an item
   found at most :data:`MAX_CHAIN` times on the old side matches, and the region splits around
   it;
8. Myers again, allowed what remains of the work budget (at most :data:`MAX_MYERS_D` edits);
9. if all that fails, or the budget is spent, the region's two sides are paired by position
   in chunks of :data:`CHUNK` items, each matched by ``SequenceMatcher``, and the result is
   flagged ``approximate``: still a true diff (the opcodes rebuild both sides) but not a
   searched one.

Every step counts its work; the budget is :data:`WORK_PER_ITEM` units per item of input plus
:data:`WORK_BASE`, so no input costs more than a fixed multiple of its length.  Once the budget
is spent, regions that steps 1-4 cannot settle go straight to step 9.  No clock is consulted:
the same input always gives the same answer.

See ``docs/benchmarks-adversarial.md`` for the measurements (``benchmarks/adversarial.py``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from math import isqrt
from typing import Literal

try:  # cydifflib is a C implementation of difflib's matcher with identical opcodes.
    from cydifflib import SequenceMatcher
except ImportError:  # pragma: no cover - exercised only where the wheel is missing
    from difflib import SequenceMatcher

Tag = Literal["equal", "replace", "delete", "insert"]
#: ``(tag, i1, i2, j1, j2)``: ``a[i1:i2]`` becomes ``b[j1:j2]`` (as ``get_opcodes`` gives).
Opcode = tuple[Tag, int, int, int, int]

#: Largest region (lines of a times lines of b) handed to ``SequenceMatcher`` as it is.
SMALL_CELLS = 20_000
#: Edits Myers' algorithm is allowed on a region before anchoring is tried.
MYERS_D = 64
#: Largest number of edits the last Myers attempt may search (its memory grows as the square).
MAX_MYERS_D = 1024
#: A line found more often than this (on the old side) never anchors a histogram split.
MAX_CHAIN = 64
#: Work allowed per line (or word) of input, in units of about one comparison or one step
#: (some 20-150 ns each here, so a megabyte of one-word lines stays well under a second).
WORK_PER_ITEM = 50
#: Work counted for each region on top of its steps (the cost of visiting it at all).
REGION_COST = 32
#: Work allowed on top of that, whatever the input's length.
WORK_BASE = 1_000_000
#: Items per side of a chunk when a region is paired by position (the approximate fallback).
CHUNK = 128

_Block = tuple[int, int, int]  # (i, j, size): a[i:i+size] == b[j:j+size]


@dataclass(frozen=True)
class LineMatch:
    """The result of :func:`match_lines`.

    ``opcodes`` cover both sequences in order, as ``SequenceMatcher.get_opcodes()`` does: the
    first starts at ``(0, 0)``, each starts where the one before ends, the last ends at
    ``(len(a), len(b))``, ``equal`` ranges are equal, and no two non-``equal`` opcodes are
    neighbours.  ``approximate`` is true when some region was paired by position instead of
    searched (the work budget ran out, or no method could settle it within its bound).
    """

    opcodes: tuple[Opcode, ...]
    approximate: bool = False
    #: Work units spent (a deterministic measure of cost: see the module docstring).
    work: int = 0

    @property
    def edit_volume(self) -> int:
        """Items deleted plus items inserted (lower is tighter)."""
        return edit_volume(self.opcodes)


def edit_volume(opcodes: Sequence[Opcode]) -> int:
    """Items deleted plus items inserted by *opcodes* (equal ranges cost nothing)."""
    return sum((i2 - i1) + (j2 - j1) for tag, i1, i2, j1, j2 in opcodes if tag != "equal")


def match_lines(a: Sequence[Hashable], b: Sequence[Hashable], *,
                small_cells: int = SMALL_CELLS, myers_d: int = MYERS_D,
                budget: int | None = None) -> LineMatch:
    """Match *a* against *b* (lines, words, any hashable items): opcodes and whether approximate.

    See the module docstring for the method.  *small_cells*, *myers_d* and *budget* (total
    work units; default :data:`WORK_PER_ITEM` per item plus :data:`WORK_BASE`) are there for
    tests and benchmarks; callers should keep the defaults.
    """
    la, lb = list(a), list(b)
    n, m = len(la), len(lb)
    head = _common_prefix(la, lb)
    tail = _common_suffix(la, lb, head)
    blocks: list[_Block] = []
    if head:
        blocks.append((0, 0, head))
    approximate = False
    work = 0
    if head + tail < n and head + tail < m:
        ids: dict[Hashable, int] = {}
        xs = [ids.setdefault(x, len(ids)) for x in la[head:n - tail]]
        ys = [ids.setdefault(y, len(ids)) for y in lb[head:m - tail]]
        total = budget if budget is not None else WORK_PER_ITEM * (n + m) + WORK_BASE
        matcher = _Matcher(xs, ys, small_cells=small_cells, myers_d=myers_d, budget=total)
        matcher.run()
        approximate = matcher.approximate
        work = matcher.work
        blocks.extend((i + head, j + head, size) for i, j, size in _merge(matcher.blocks))
    if tail:
        blocks.append((n - tail, m - tail, tail))
    return LineMatch(tuple(_opcodes(_merge(blocks), n, m)), approximate, work)


# --------------------------------------------------------------------------- the regions


class _Matcher:
    """Works the regions of two id sequences, collecting matched blocks (in any order)."""

    def __init__(self, xs: list[int], ys: list[int], *, small_cells: int, myers_d: int,
                 budget: int) -> None:
        self.xs, self.ys = xs, ys
        self.small_cells = small_cells
        self.myers_d = myers_d
        self.budget = budget
        self.work = 0
        self.blocks: list[_Block] = []
        self.approximate = False

    def run(self) -> None:
        """Work every region, from the whole input down."""
        stack = [(0, len(self.xs), 0, len(self.ys))]
        while stack:
            stack.extend(self._region(*stack.pop()))

    def _region(self, alo: int, ahi: int, blo: int, bhi: int) -> list[tuple[int, int, int, int]]:
        """Settle one region, or split it: the sub-regions still to work."""
        xs, ys = self.xs, self.ys
        start = alo
        while alo < ahi and blo < bhi and xs[alo] == ys[blo]:
            alo += 1
            blo += 1
        if alo > start:
            self.blocks.append((start, blo - (alo - start), alo - start))
        end = ahi
        while ahi > alo and bhi > blo and xs[ahi - 1] == ys[bhi - 1]:
            ahi -= 1
            bhi -= 1
        if ahi < end:
            self.blocks.append((ahi, bhi, end - ahi))
        n, m = ahi - alo, bhi - blo
        self.work += REGION_COST + (alo - start) + (end - ahi) + n + m
        if not n or not m:
            return []
        if n == 1 or m == 1:
            self._single(alo, ahi, blo, bhi)
            return []
        if n * m <= self.small_cells:
            self._small(alo, ahi, blo, bhi)
            return []
        common = set(xs[alo:ahi]).intersection(ys[blo:bhi])
        self.work += n + m
        if not common:
            return []  # nothing can match: a replacement, found exactly
        if self.work < self.budget:
            fa = [i for i in range(alo, ahi) if xs[i] in common]
            fb = [j for j in range(blo, bhi) if ys[j] in common]
            self.work += n + m
            # a first try whose cost is in proportion to the region: d * d <= 8 (n + m)
            quick = min(self.myers_d, isqrt(8 * (n + m)))
            if self._myers(fa, fb, quick, self.budget - self.work):
                return []
            split = self._anchors(alo, ahi, blo, bhi)
            if split is None and self.work < self.budget:
                split = self._histogram(alo, ahi, blo, bhi)
            if split is not None:
                return split
            limit = self.budget - self.work
            if limit > 0 and self._myers(fa, fb, min(MAX_MYERS_D, len(fa) + len(fb)), limit):
                return []
        # Out of budget, or out of methods: pair the region's two sides chunk by chunk, in
        # order.  A true diff still (it rebuilds both sides) but not a searched one: say so.
        self.approximate = True
        self._chunks(alo, ahi, blo, bhi)
        return []

    def _single(self, alo: int, ahi: int, blo: int, bhi: int) -> None:
        """One item against many: its first occurrence matches (as ``SequenceMatcher`` finds)."""
        xs, ys = self.xs, self.ys
        try:
            if ahi - alo == 1:
                self.blocks.append((alo, ys.index(xs[alo], blo, bhi), 1))
            else:
                self.blocks.append((xs.index(ys[blo], alo, ahi), blo, 1))
        except ValueError:
            pass  # not there: a replacement
        self.work += (ahi - alo) + (bhi - blo)

    def _small(self, alo: int, ahi: int, blo: int, bhi: int) -> None:
        """Match a small region with ``SequenceMatcher`` (its cost is bounded by the size)."""
        self.work += (ahi - alo) * (bhi - blo)
        found = SequenceMatcher(None, self.xs[alo:ahi], self.ys[blo:bhi], autojunk=False)
        self.blocks.extend((alo + i, blo + j, size)
                           for i, j, size in found.get_matching_blocks() if size)

    def _chunks(self, alo: int, ahi: int, blo: int, bhi: int) -> None:
        """Pair the two sides position by position in chunks of at most :data:`CHUNK` items."""
        n, m = ahi - alo, bhi - blo
        count = -(-max(n, m) // CHUNK)
        for c in range(count):
            i1, i2 = alo + c * n // count, alo + (c + 1) * n // count
            j1, j2 = blo + c * m // count, blo + (c + 1) * m // count
            if i1 < i2 and j1 < j2:
                self._small(i1, i2, j1, j2)

    # ----------------------------------------------------------------------- Myers

    def _myers(self, fa: list[int], fb: list[int], max_d: int, limit: int) -> bool:
        """Minimal matching of the common lines at positions *fa* / *fb*, if it needs at most
        *max_d* edits and *limit* work; records the matches and returns True, else False."""
        n, m = len(fa), len(fb)
        if abs(n - m) > max_d:
            return False  # the lengths alone need more edits than allowed
        xs, ys = self.xs, self.ys
        a = [xs[i] for i in fa]
        b = [ys[j] for j in fb]
        max_d = min(max_d, n + m)
        # v[k + off] is the furthest x reached on diagonal k = x - y; trace[d] holds the
        # diagonals -d-1 .. d+1 as they were before step d (enough to walk the path back).
        off = max_d + 1
        v = [0] * (2 * max_d + 3)
        trace: list[list[int]] = []
        steps = 0
        for d in range(max_d + 1):
            trace.append(v[off - d - 1:off + d + 2])
            for k in range(-d, d + 1, 2):
                if k == -d or (k != d and v[off + k - 1] < v[off + k + 1]):
                    x = v[off + k + 1]
                else:
                    x = v[off + k - 1] + 1
                y = x - k
                run = x
                while x < n and y < m and a[x] == b[y]:
                    x += 1
                    y += 1
                v[off + k] = x
                steps += 1 + x - run
                if x >= n and y >= m:
                    self.work += steps
                    self._myers_path(trace, fa, fb, n, m)
                    return True
            if steps > limit:
                break
        self.work += steps
        return False

    def _myers_path(self, trace: list[list[int]], fa: list[int], fb: list[int],
                    n: int, m: int) -> None:
        """Walk the path found by :meth:`_myers` back from its end, recording the matches."""
        x, y = n, m
        for d in range(len(trace) - 1, -1, -1):
            row = trace[d]  # diagonal k is row[k + d + 1]
            k = x - y
            if k == -d or (k != d and row[k + d] < row[k + d + 2]):
                prev_k = k + 1  # step d moved down (an insertion)
            else:
                prev_k = k - 1  # step d moved right (a deletion)
            prev_x = row[prev_k + d + 1]
            prev_y = prev_x - prev_k
            while x > prev_x and y > prev_y:  # the snake of step d, walked back
                x -= 1
                y -= 1
                self.blocks.append((fa[x], fb[y], 1))
            if d:
                x, y = prev_x, prev_y

    # ----------------------------------------------------------------------- anchors

    def _anchors(self, alo: int, ahi: int, blo: int,
                 bhi: int) -> list[tuple[int, int, int, int]] | None:
        """Split at the rarest lines found as often on both sides, in the longest order both
        sides agree on (patience diff when they are found once each)."""
        xs, ys = self.xs, self.ys
        side_a, side_b = xs[alo:ahi], ys[blo:bhi]
        count_a, count_b = Counter(side_a), Counter(side_b)
        self.work += 2 * (len(side_a) + len(side_b))
        rarest = MAX_CHAIN + 1
        for value, count in count_a.items():
            if count < rarest and count_b.get(value) == count:
                rarest = count
                if count == 1:
                    break
        if rarest > MAX_CHAIN:
            return None
        chosen = {v for v, count in count_a.items() if count == rarest and count_b.get(v) == rarest}
        if rarest == 1:
            # dict(zip(...)) keeps each value's last position: its only one, for these
            at_a = dict(zip(side_a, range(alo, ahi), strict=True))
            at_b = dict(zip(side_b, range(blo, bhi), strict=True))
            pairs = sorted((at_a[v], at_b[v]) for v in chosen)
        else:
            # the k-th occurrence on one side goes with the k-th on the other
            places_a = [i for i, x in enumerate(side_a, alo) if x in chosen]
            places_b = [j for j, y in enumerate(side_b, blo) if y in chosen]
            order_b: dict[int, list[int]] = {}
            for j in places_b:
                order_b.setdefault(ys[j], []).append(j)
            seen: dict[int, int] = {}
            pairs = []
            for i in places_a:
                k = seen.get(xs[i], 0)
                seen[xs[i]] = k + 1
                pairs.append((i, order_b[xs[i]][k]))
        # An anchor whose neighbours match too is taken first; one standing alone is more
        # often a coincidence (a line or word that moved), and is left to the sub-regions,
        # where it is still an anchor, unless there is nothing better.  Lines found more than
        # once are paired in order only where their neighbours agree: an insertion elsewhere
        # shifts which occurrence goes with which.
        strong = [(i, j) for i, j in pairs
                  if (i + 1 < ahi and j + 1 < bhi and xs[i + 1] == ys[j + 1])
                  or (i > alo and j > blo and xs[i - 1] == ys[j - 1])]
        if not strong and rarest > 1:
            return None
        anchors = _longest_increasing(strong or pairs)
        self.work += 4 * len(pairs)
        regions = []
        i0, j0 = alo, blo
        for i, j in anchors:
            self.blocks.append((i, j, 1))
            regions.append((i0, i, j0, j))
            i0, j0 = i + 1, j + 1
        regions.append((i0, ahi, j0, bhi))
        return regions

    def _histogram(self, alo: int, ahi: int, blo: int,
                   bhi: int) -> list[tuple[int, int, int, int]] | None:
        """Split around the longest equal run through the least frequent common line."""
        xs, ys = self.xs, self.ys
        where: dict[int, list[int]] = {}
        for i in range(alo, ahi):
            where.setdefault(xs[i], []).append(i)
        best: _Block | None = None
        best_count = MAX_CHAIN + 1
        work = ahi - alo
        j = blo
        left = self.budget - self.work
        while j < bhi and work < left:
            places = where.get(ys[j])
            next_j = j + 1
            if places is not None and len(places) <= MAX_CHAIN:
                for i in places:
                    s_i, s_j = i, j
                    while s_i > alo and s_j > blo and xs[s_i - 1] == ys[s_j - 1]:
                        s_i -= 1
                        s_j -= 1
                    e_i, e_j = i + 1, j + 1
                    while e_i < ahi and e_j < bhi and xs[e_i] == ys[e_j]:
                        e_i += 1
                        e_j += 1
                    work += 1 + e_i - s_i
                    size = e_i - s_i
                    # the longest run wins, and of runs as long the one through the rarer
                    # line (git's rule, "a rarer line wins even if shorter", can anchor a
                    # single line at the far end of the other side)
                    if best is None or size > best[2] or (size == best[2]
                                                          and len(places) < best_count):
                        best, best_count = (s_i, s_j, size), len(places)
                    next_j = max(next_j, e_j)
            j = next_j
        self.work += work
        if best is None:
            return None
        i, j, size = best
        self.blocks.append(best)
        return [(alo, i, blo, j), (i + size, ahi, j + size, bhi)]


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of *pairs* (sorted by their first item) increasing in the second."""
    tails: list[int] = []  # smallest last j of an increasing run of each length
    tail_at: list[int] = []  # index in pairs of that last element
    before = [-1] * len(pairs)
    for index, (_i, j) in enumerate(pairs):
        length = bisect_left(tails, j)
        if length == len(tails):
            tails.append(j)
            tail_at.append(index)
        else:
            tails[length] = j
            tail_at[length] = index
        before[index] = tail_at[length - 1] if length else -1
    out: list[tuple[int, int]] = []
    index = tail_at[-1] if tail_at else -1
    while index >= 0:
        out.append(pairs[index])
        index = before[index]
    out.reverse()
    return out


# --------------------------------------------------------------------------- output


def _common_prefix(a: list[Hashable], b: list[Hashable]) -> int:
    """Length of the common prefix, by binary search on slices (C-speed comparisons)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: list[Hashable], b: list[Hashable], head: int) -> int:
    """Length of the common suffix that does not overlap the first *head* items."""
    lo, hi = 0, min(len(a), len(b)) - head
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:len(a) - lo] == b[len(b) - mid:len(b) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _merge(blocks: list[_Block]) -> list[_Block]:
    """Blocks sorted, with neighbours that continue each other joined."""
    out: list[_Block] = []
    for i, j, size in sorted(blocks):
        if out and out[-1][0] + out[-1][2] == i and out[-1][1] + out[-1][2] == j:
            out[-1] = (out[-1][0], out[-1][1], out[-1][2] + size)
        else:
            out.append((i, j, size))
    return out


def _opcodes(blocks: list[_Block], n: int, m: int) -> list[Opcode]:
    """Opcodes from sorted, non-overlapping blocks (as ``get_opcodes`` builds them)."""
    ops: list[Opcode] = []
    i = j = 0
    for ai, bj, size in [*blocks, (n, m, 0)]:
        if i < ai and j < bj:
            ops.append(("replace", i, ai, j, bj))
        elif i < ai:
            ops.append(("delete", i, ai, j, bj))
        elif j < bj:
            ops.append(("insert", i, ai, j, bj))
        i, j = ai + size, bj + size
        if size:
            ops.append(("equal", ai, i, bj, j))
    return ops


__all__ = ["LineMatch", "Opcode", "edit_volume", "match_lines"]
