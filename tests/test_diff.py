"""billdiff.diff: exact small cases for each kind of change, and invariants under Hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billdiff import diff as diffmod
from billdiff.diff import Op, diff_texts, stats_of, tokenize


def ops(a: str, b: str, granularity: str = "word") -> list[tuple[str, str]]:
    return [(o.op, o.text) for o in diff_texts(a, b, granularity).ops]  # type: ignore[arg-type]


def test_tokens_keep_trailing_whitespace_and_rebuild_the_text():
    text = "  Section 220. (a) As used\nin this section,\n\n"
    assert tokenize(text) == ["  ", "Section ", "220. ", "(a) ", "As ", "used\n", "in ",
                              "this ", "section,\n\n"]
    assert "".join(tokenize(text)) == text


def test_identical_texts_give_one_equal_run_and_no_change():
    d = diff_texts("a court order", "a court order")
    assert [(o.op, o.text) for o in d.ops] == [("equal", "a court order")]
    assert not d.changed
    assert d.stats.words_inserted == d.stats.words_deleted == 0


def test_empty_texts():
    assert ops("", "") == []
    assert ops("", "new words") == [("insert", "new words")]
    assert ops("old words", "") == [("delete", "old words")]


def test_replaced_word():
    assert ops("the cat sat on the mat", "the dog sat on the mat") == [
        ("equal", "the "), ("delete", "cat "), ("insert", "dog "), ("equal", "sat on the mat")]


def test_inserted_clause():
    assert ops("police may search with a court order.",
               "police may search with a warrant, except in emergencies.") == [
        ("equal", "police may search with a "),
        ("delete", "court order."),
        ("insert", "warrant, except in emergencies."),
    ]


def test_words_appended_at_the_end_do_not_rewrite_the_last_word():
    assert ops("a b c", "a b c d") == [("equal", "a b c"), ("insert", " d")]


def test_deleted_words_in_the_middle():
    assert ops("shall, unless the context clearly requires otherwise, have the",
               "shall, have the") == [("equal", "shall, "),
                                      ("delete", "unless the context clearly requires otherwise, "),
                                      ("equal", "have the")]


def test_punctuation_belongs_to_its_word():
    # Tokens are whole words with their punctuation: "shall," and "shall" differ as words.
    assert ops("shall, unless otherwise, have", "shall have") == [
        ("delete", "shall, unless otherwise, "), ("insert", "shall "), ("equal", "have")]


def test_whitespace_only_change_is_its_own_small_edit():
    assert ops("a  b", "a b") == [("equal", "a"), ("delete", "  "), ("insert", " "),
                                  ("equal", "b")]


def test_changed_paragraph_among_unchanged_ones():
    a = "(a) First.\n(b) Second rule applies.\n(c) Third.\n"
    b = "(a) First.\n(b) Second rule never applies.\n(c) Third.\n"
    assert ops(a, b) == [("equal", "(a) First.\n(b) Second rule "), ("insert", "never "),
                         ("equal", "applies.\n(c) Third.\n")]


def test_moved_paragraph_is_a_delete_and_an_insert():
    a = "one.\ntwo.\nthree.\n"
    b = "two.\nthree.\none.\n"
    assert ops(a, b) == [("delete", "one.\n"), ("equal", "two.\nthree.\n"), ("insert", "one.\n")]


def test_deletion_comes_before_insertion_within_a_hunk():
    result = diff_texts("x alpha y", "x beta y").ops
    kinds = [o.op for o in result]
    assert kinds == ["equal", "delete", "insert", "equal"]


def test_semantic_cleanup_merges_coincidental_matches():
    # Without cleanup the shared "the " would split one rewrite into three hunks.
    a = "the registrar shall keep the records"
    b = "the state police may destroy the files"
    d = diff_texts(a, b)
    assert d.stats.regions == 1
    assert d.a_text == a
    assert d.b_text == b


def test_char_granularity_refines_inside_words():
    d = diff_texts("July 28, 2009", "July 16, 2019", "char")
    assert d.granularity == "char"
    assert d.a_text == "July 28, 2009"
    assert d.b_text == "July 16, 2019"
    assert ("equal", "July ") in [(o.op, o.text) for o in d.ops]
    # statistics stay word-based whatever the granularity
    assert d.stats.words_deleted == 2
    assert d.stats.words_inserted == 2


def test_stats_exact():
    s = stats_of([Op("equal", "a b "), Op("delete", "c d e "), Op("insert", "f "),
                  Op("equal", "g")])
    assert (s.words_a, s.words_b, s.words_deleted, s.words_inserted, s.regions) == (6, 4, 3, 1, 1)
    assert s.changed_share == pytest.approx(4 / 10)
    assert s.to_json()["changed_share"] == 0.4


def test_large_run_falls_back_to_sentences_then_flags_positional_pairing(monkeypatch):
    monkeypatch.setattr(diffmod, "GUARD_TOKENS", 8)
    a = "One two three four five six seven. Eight nine ten eleven twelve thirteen fourteen."
    b = "One two three four five six seven. Eight nine TEN eleven twelve thirteen fourteen."
    d = diff_texts(a, b)
    assert not d.approximate  # sentence level found the common sentence
    assert [o.op for o in d.ops].count("delete") == 1
    unrelated_a = " ".join(f"w{i}" for i in range(40))
    unrelated_b = " ".join(f"v{i}" for i in range(40))
    d2 = diff_texts(unrelated_a, unrelated_b)
    assert d2.approximate
    assert d2.a_text == unrelated_a
    assert d2.b_text == unrelated_b


ALPHABET = st.sampled_from(["a", "b", "c", "the ", " ", "  ", "\n", "\n\n", ". ", "x.", ";",
                            "\u00a0", "\u200b", "“", "”", "<", "&", "\u202e"])
TEXT = st.lists(ALPHABET, max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXT, TEXT, st.sampled_from(["word", "char"]))
def test_runs_rebuild_both_texts(a, b, granularity):
    d = diff_texts(a, b, granularity)
    assert d.a_text == a
    assert d.b_text == b
    assert all(o.text for o in d.ops)
    # neighbours never share a kind (runs are merged; typography runs stay apart)
    assert all((x.op, x.typography) != (y.op, y.typography)
               for x, y in zip(d.ops, d.ops[1:], strict=False))
    assert not any(o.typography for o in d.ops if o.op == "equal")


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_identical_inputs_give_no_change(a):
    d = diff_texts(a, a)
    assert not d.changed
    assert d.stats.words_inserted == d.stats.words_deleted == 0


def _typography_runs(ops) -> set[int]:
    """Indices of the runs marked as typography."""
    return {i for i, o in enumerate(ops) if o.typography}


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_word_runs_never_split_a_word_but_at_typography(a, b):
    """Runs split a word only to mark the characters where its typography differs."""
    d = diff_texts(a, b)
    typography = _typography_runs(d.ops)
    for text, kinds in ((a, ("equal", "delete")), (b, ("equal", "insert"))):
        side = [(i, o) for i, o in enumerate(d.ops) if o.op in kinds]
        pos = 0
        for (i, o), (j, _) in zip(side, side[1:], strict=False):
            pos += len(o.text)
            inside_word = not (text[pos - 1].isspace() or text[pos].isspace())
            assert not inside_word or i in typography or j in typography, (text, pos, d.ops)


_STYLES = {'"': "“”\"", "'": "‘’'", "-": "-–—"}


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "the ", " ", "\n", '"', "'", "-", ". ", "x"]),
                max_size=40).map("".join), st.randoms(use_true_random=False))
def test_a_copy_in_other_typography_is_never_a_change_of_wording(text, rng):
    """Quote and dash style are typography: never a change of wording, whatever the text."""
    copy = "".join(rng.choice(_STYLES[c]) if c in _STYLES else c for c in text)
    d = diff_texts(text, copy)
    assert d.a_text == text
    assert d.b_text == copy
    assert not [o for o in d.ops if o.op != "equal" and not o.typography], d.ops
    assert d.stats.words_inserted == d.stats.words_deleted == d.stats.regions == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["alpha ", "beta ", "gamma. ", "delta\n", "eps "]),
                max_size=300).map("".join),
       st.lists(st.sampled_from(["alpha ", "beta ", "gamma. ", "delta\n", "zeta "]),
                max_size=300).map("".join))
def test_guarded_paths_rebuild_texts(monkeypatch_free_a, monkeypatch_free_b):
    old = diffmod.GUARD_TOKENS
    diffmod.GUARD_TOKENS = 16
    try:
        d = diff_texts(monkeypatch_free_a, monkeypatch_free_b)
    finally:
        diffmod.GUARD_TOKENS = old
    assert d.a_text == monkeypatch_free_a
    assert d.b_text == monkeypatch_free_b


@pytest.mark.parametrize("case", ["unrelated", "frequent-words", "single-line", "many-lines"])
def test_adversarial_inputs_stay_exact_or_are_flagged(case):
    """RELIABILITY G10: never an unflagged whole-text replace; always a true diff."""
    import random

    rng = random.Random(7)
    words = ["the", "of", "and", "to", "shall", "section", "a", "in"]
    if case == "unrelated":
        a = " ".join(f"x{i}" for i in range(20_000))
        b = " ".join(f"y{i}" for i in range(20_000))
    elif case == "frequent-words":
        a = " ".join(rng.choice(words) for _ in range(20_000))
        tokens = a.split()
        for i in range(0, len(tokens), 997):
            tokens[i] = "CHANGED"
        b = " ".join(tokens)
    elif case == "single-line":
        a = " ".join(rng.choice([*words, *(f"w{i}" for i in range(50))]) for _ in range(60_000))
        tokens = a.split()
        tokens[30_000] = "ZZZ"
        b = " ".join(tokens)
    else:
        a = "\n".join(f"line {i} text here" for i in range(10_000))
        b = a.replace("line 5000 text", "line 5000 TEXT")
    d = diff_texts(a, b)
    assert d.a_text == a
    assert d.b_text == b
    largest = max((len(o.text.split()) for o in d.ops if o.op != "equal"), default=0)
    assert largest <= 1000 or d.approximate
    if case in ("single-line", "many-lines"):
        assert not d.approximate
        assert d.stats.words_deleted == d.stats.words_inserted == 1


def test_quote_style_is_typography_not_wording():
    d = diff_texts("“Facial recognition”, an automated process",
                   '"Facial recognition", a automated process')
    assert [(o.op, o.text, o.typography) for o in d.ops] == [
        ("delete", "“", True), ("insert", '"', True), ("equal", "Facial recognition", False),
        ("delete", "”", True), ("insert", '"', True), ("equal", ", ", False),
        ("delete", "an ", False), ("insert", "a ", False), ("equal", "automated process", False)]
    assert (d.stats.words_deleted, d.stats.words_inserted) == (1, 1)
    assert (d.stats.regions, d.stats.typography) == (1, 2)


def test_dash_style_and_spacing_are_typography():
    d = diff_texts("sections 2–5 apply;  and", "sections 2-5 apply; and")
    assert [(o.op, o.text) for o in d.ops if o.typography] == [
        ("delete", "–"), ("insert", "-"), ("delete", "  "), ("insert", " ")]
    assert d.stats.words_deleted == d.stats.words_inserted == d.stats.regions == 0
    assert d.stats.typography == 2


def test_typography_next_to_a_wording_change_stays_apart():
    d = diff_texts("the “x", '"x')
    assert [(o.op, o.text, o.typography) for o in d.ops] == [
        ("delete", "the ", False), ("delete", "“", True), ("insert", '"', True),
        ("equal", "x", False)]


def test_paragraphs_in_another_quote_style_still_match_line_by_line():
    a = "(a) “One”.\n(b) Two.\n(c) “Three”.\n"
    b = '(a) "One".\n(b) Two, amended.\n(c) "Three".\n'
    d = diff_texts(a, b)
    assert [(o.op, o.text) for o in d.ops if not o.typography and o.op != "equal"] == [
        ("delete", "Two.\n"), ("insert", "Two, amended.\n")]


def test_char_mode_refines_only_word_for_word_substitutions():
    # a rewritten passage stays whole words: no letter salad
    d = diff_texts("HOUSE OF REPRESENTATIVES, February 12", "SENATE, February 12", "char")
    assert [(o.op, o.text) for o in d.ops] == [
        ("delete", "HOUSE OF REPRESENTATIVES, "), ("insert", "SENATE, "),
        ("equal", "February 12")]
    # alike words are refined letter by letter; unlike ones are replaced whole
    d = diff_texts("analyzing 3 cats", "analysing 4 dogs", "char")
    assert [(o.op, o.text) for o in d.ops] == [
        ("equal", "analy"), ("delete", "z"), ("insert", "s"), ("equal", "ing "),
        ("delete", "3 cats"), ("insert", "4 dogs")]
