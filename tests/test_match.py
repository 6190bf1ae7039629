"""The near-linear line matcher (billdiff.match): exact cases, invariants, quality, cost."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billdiff.match import WORK_BASE, WORK_PER_ITEM, LineMatch, edit_volume, match_lines


def check(a: list[object], b: list[object], result: LineMatch) -> None:
    """The opcodes cover both sides in order, as ``get_opcodes`` does, and rebuild them."""
    i = j = 0
    previous = "equal"
    rebuilt_a: list[object] = []
    rebuilt_b: list[object] = []
    for tag, i1, i2, j1, j2 in result.opcodes:
        assert (i1, j1) == (i, j), result.opcodes
        assert tag in ("equal", "replace", "delete", "insert")
        if tag == "equal":
            assert i2 > i1
            assert a[i1:i2] == b[j1:j2]
        else:
            assert previous == "equal", "two changed opcodes side by side"
            assert (i2 > i1) == (tag in ("replace", "delete"))
            assert (j2 > j1) == (tag in ("replace", "insert"))
        rebuilt_a += a[i1:i2]
        rebuilt_b += b[j1:j2]
        previous, i, j = tag, i2, j2
    assert (i, j) == (len(a), len(b))
    assert (rebuilt_a, rebuilt_b) == (a, b)


def minimal_volume(a: list[object], b: list[object]) -> int:
    """Items deleted plus inserted by a shortest edit script (longest common subsequence)."""
    previous = [0] * (len(b) + 1)
    for x in a:
        row = [0] * (len(b) + 1)
        for k, y in enumerate(b):
            row[k + 1] = previous[k] + 1 if x == y else max(previous[k + 1], row[k])
        previous = row
    return len(a) + len(b) - 2 * previous[-1]


def difflib_volume(a: list[object], b: list[object]) -> int:
    return edit_volume(difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes())


# --------------------------------------------------------------------------- exact cases


@pytest.mark.parametrize(("a", "b", "opcodes"), [
    ([], [], []),
    ([], ["x"], [("insert", 0, 0, 0, 1)]),
    (["x", "y"], [], [("delete", 0, 2, 0, 0)]),
    (["a", "b", "c"], ["a", "b", "c"], [("equal", 0, 3, 0, 3)]),
    (["a", "b", "c"], ["a", "x", "c"],
     [("equal", 0, 1, 0, 1), ("replace", 1, 2, 1, 2), ("equal", 2, 3, 2, 3)]),
    (["a", "c"], ["a", "b", "c"],
     [("equal", 0, 1, 0, 1), ("insert", 1, 1, 1, 2), ("equal", 1, 2, 2, 3)]),
    (["a", "b", "c"], ["b", "c"], [("delete", 0, 1, 0, 0), ("equal", 1, 3, 0, 2)]),
    (["a", "b"], ["c", "d"], [("replace", 0, 2, 0, 2)]),
])
def test_small_exact_cases(a: list[str], b: list[str], opcodes: list[tuple[object, ...]]) -> None:
    for options in ({}, {"small_cells": 0}, {"small_cells": 0, "myers_d": 0}):
        result = match_lines(a, b, **options)
        assert list(result.opcodes) == opcodes, options
        assert not result.approximate


def test_any_hashable_items_and_sequences() -> None:
    result = match_lines((1, 2, 3), [1, 3])
    assert list(result.opcodes) == [("equal", 0, 1, 0, 1), ("delete", 1, 2, 1, 1),
                                    ("equal", 2, 3, 1, 2)]
    assert result.edit_volume == 1


def test_reserved_section_shape() -> None:
    # the reported shape: every other line "[Reserved]", every provision line rewritten
    n = 4000
    a = [f"§ {k}. Old text {k}.\n" if k % 2 == 0 else "[Reserved]\n" for k in range(n)]
    b = [f"§ {k}. New text {k}.\n" if k % 2 == 0 else "[Reserved]\n" for k in range(n)]
    result = match_lines(a, b)
    assert not result.approximate
    assert list(result.opcodes) == [
        (("replace" if k % 2 == 0 else "equal"), k, k + 1, k, k + 1) for k in range(n)]


def test_blank_line_separated_paragraphs_shape() -> None:
    n = 4000
    a = [line for k in range(n) for line in (f"({k}) The agency shall act.\n", "\n")]
    b = [line for k in range(n) for line in (f"({k}) The agency may act.\n", "\n")]
    result = match_lines(a, b)
    assert not result.approximate
    assert result.edit_volume == 2 * n  # each paragraph replaced, every blank line kept
    check(a, b, result)


def test_moved_and_doubled_blocks() -> None:
    text = [f"p{k}" for k in range(3000)]
    edited = [x if k % 10 else x + "'" for k, x in enumerate(text)]
    doubled = match_lines(text * 2, edited * 2)  # no line is found once: histogram anchors
    assert not doubled.approximate
    assert doubled.edit_volume == 2 * 600
    swapped = match_lines(text, text[1500:] + text[:1500])
    assert swapped.edit_volume == 3000  # one half kept, the other moved
    check(text, text[1500:] + text[:1500], swapped)


# --------------------------------------------------------------------------- invariants

ITEMS = st.lists(st.sampled_from(["", "[Reserved]", "a", "b", "c", "d", "e", "f", "g"]),
                 max_size=60)


@settings(max_examples=300, deadline=None)
@given(ITEMS, ITEMS, st.sampled_from([
    {}, {"small_cells": 0}, {"small_cells": 0, "myers_d": 0}, {"small_cells": 0, "myers_d": 2},
    {"small_cells": 0, "budget": 0}, {"small_cells": 0, "myers_d": 0, "budget": 40}]))
def test_opcodes_cover_both_sides_and_equal_ranges_are_equal(a: list[str], b: list[str],
                                                            options: dict[str, int]) -> None:
    result = match_lines(a, b, **options)
    check(a, b, result)
    if not a or not b or a == b:
        assert not result.approximate


@st.composite
def edited_pairs(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """A text of mostly unique lines with some repeated ones, and a copy edited a few times
    (insertions, deletions, replacements, moves), the kind of pair a redline shows."""
    unique = st.integers(0, 10**9).map(lambda n: f"line {n}")
    line = st.one_of(unique, unique, st.sampled_from(["", "[Reserved]", "* * *"]))
    a = draw(st.lists(line, max_size=80))
    b = list(a)
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "move"]))
        at = draw(st.integers(0, len(b)))
        if kind == "insert":
            b.insert(at, draw(line))
        elif b and kind == "delete":
            del b[min(at, len(b) - 1)]
        elif b and kind == "replace":
            b[min(at, len(b) - 1)] = draw(line)
        elif len(b) > 3:
            size = draw(st.integers(1, 3))
            block, b[at:at + size] = b[at:at + size], []
            to = draw(st.integers(0, len(b)))
            b[to:to] = block
    return a, b


@settings(max_examples=300, deadline=None)
@given(edited_pairs())
def test_not_much_worse_than_difflib_where_difflib_is_minimal(pair: tuple[list[str], list[str]]
                                                              ) -> None:
    a, b = pair
    minimal = minimal_volume(a, b)
    if difflib_volume(a, b) != minimal:
        return  # only where difflib's answer is the best possible
    # small_cells=0: the matcher's own methods, not SequenceMatcher on the whole
    result = match_lines(a, b, small_cells=0)
    check(a, b, result)
    assert not result.approximate
    assert result.edit_volume <= minimal + max(2, minimal // 10)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from("abcdefgh"), min_size=10, max_size=40), st.data())
def test_few_edits_are_found_minimal(a: list[str], data: st.DataObject) -> None:
    # up to 3 edits: Myers' step finds a shortest edit script (its bound, sqrt(8 (n + m)),
    # is at least 8 here)
    b = list(a)
    for _ in range(data.draw(st.integers(0, 3))):
        at = data.draw(st.integers(0, len(b) - 1))
        if data.draw(st.booleans()):
            b[at] = data.draw(st.sampled_from("abcdefghxyz"))
        else:
            del b[at]
    result = match_lines(a, b, small_cells=0)
    assert result.edit_volume == minimal_volume(a, b)


# --------------------------------------------------------------------------- cost (no clocks)


def _reserved(n: int) -> tuple[list[str], list[str]]:
    a = [f"§ {k}. Old text {k}.\n" if k % 2 == 0 else "[Reserved]\n" for k in range(n)]
    b = [f"§ {k}. New text {k}.\n" if k % 2 == 0 else "[Reserved]\n" for k in range(n)]
    return a, b


def _paragraphs(n: int) -> tuple[list[str], list[str]]:
    a = [line for k in range(n) for line in (f"({k}) The agency shall act.\n", "\n")]
    b = [line for k in range(n) for line in (f"({k}) The agency may act.\n", "\n")]
    return a, b


@pytest.mark.parametrize("shape", [_reserved, _paragraphs])
def test_work_grows_in_proportion_to_the_input(shape) -> None:
    # difflib's cost grew about x8 per doubling on these shapes; the work units (counted, not
    # timed) grow about x2, and stay a small multiple of the input's length
    works = [match_lines(*shape(n)).work for n in (1000, 2000, 4000, 8000)]
    for smaller, larger in zip(works, works[1:], strict=False):
        assert larger <= 2.5 * smaller, works
    a, b = shape(8000)
    assert works[-1] <= 30 * (len(a) + len(b))


def test_the_budget_bounds_the_work_and_flags_the_result() -> None:
    import random

    rnd = random.Random(7)
    # few distinct lines in no common order: nothing anchors, Myers needs thousands of edits
    a = [rnd.choice("abc") for _ in range(20_000)]
    b = [rnd.choice("abc") for _ in range(20_000)]
    result = match_lines(a, b)
    check(a, b, result)
    assert result.approximate
    budget = WORK_PER_ITEM * 40_000 + WORK_BASE
    # the fallback (chunks paired by position) comes after the budget: a bounded amount more
    assert result.work <= 2 * budget
    # paired by position, the copy still matches most of what lines up
    assert result.edit_volume < len(a) + len(b)
    tiny = match_lines(a[:500], b[:500], budget=0)
    check(a[:500], b[:500], tiny)
    assert tiny.approximate
