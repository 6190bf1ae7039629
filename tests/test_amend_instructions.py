"""The instruction reader: each phrasing read into exact data, and the ones it does not read."""

from __future__ import annotations

import pytest

from billdiff.amend.designations import is_roman_series, next_designation, series, sort_key
from billdiff.amend.instructions import (
    Action,
    CountRule,
    QuoteError,
    Target,
    is_instruction,
    parse_instruction,
    parse_target,
    quoted_spans,
    skeleton,
)


def one(text: str):  # type: ignore[no-untyped-def]
    parsed = parse_instruction(text)
    assert len(parsed) == 1, parsed
    return parsed[0]


# --------------------------------------------------------------------------- quotations


def test_nested_straight_quotes_pair_by_the_side_of_each_mark() -> None:
    text = ('Subparagraph (B) is amended by striking the phrase "and "intrafamily offense"" and '
            'inserting the phrase ""intrafamily offense", and "homeless"" in its place.')
    skel, quotes = skeleton(text)
    assert skel == ("Subparagraph (B) is amended by striking the phrase «0» and inserting the "
                    "phrase «1» in its place.")
    assert quotes == ['and "intrafamily offense"', '"intrafamily offense", and "homeless"']
    assert quoted_spans('the word “x” and ‘y’') == [(9, 12)]


@pytest.mark.parametrize("text", ['a "b', 'the phrase "b" c"d', 'closing ” first'])
def test_unpaired_quotation_marks_are_an_error(text: str) -> None:
    with pytest.raises(QuoteError):
        quoted_spans(text)


# --------------------------------------------------------------------------- D.C. phrasings


def test_strike_and_insert_in_its_place() -> None:
    p = one('Paragraph (5) is amended by striking the phrase "January 15, 2022," and '
            'inserting the phrase "April 15, 2022," in its place.')
    assert p.action is Action.STRIKE_INSERT
    assert p.targets == (Target(words="Paragraph (5)", path=("(5)",), relative=True,
                                unit="paragraph"),)
    assert (p.old, p.new, p.count) == ("January 15, 2022,", "April 15, 2022,", CountRule())
    assert not p.old_is_mark


def test_named_marks_and_counts() -> None:
    p = one('Paragraph (6) is amended by striking the period and inserting the phrase "; and" '
            'in its place.')
    assert (p.old, p.new, p.old_is_mark) == (".", "; and", True)
    p = one('Paragraph (5) is amended by striking the phrase "; and" and inserting a semicolon '
            'in its place.')
    assert (p.old, p.new) == ("; and", ";")
    p = one('Subsection (a) is amended by striking the word "wages" both times it appears and '
            'inserting the word "compensation" in its place.')
    assert (p.old, p.new, p.count) == ("wages", "compensation", CountRule("twice"))
    p = one('Strike the phrase "the Clerk" each time it appears and insert the phrase "the '
            'Mayor" in its place.')
    assert (p.action, p.count, p.targets) == (Action.STRIKE_INSERT, CountRule("each"), ())
    p = one('Paragraph (4) is amended by striking the word "and" at the end.')
    assert (p.action, p.old, p.count) == (Action.STRIKE, "and", CountRule("last"))
    p = one('Section 47-2002(a)(7)(A) of the District of Columbia Official Code is amended by '
            'striking the period at the end and inserting the phrase "; or" in its place.')
    assert (p.old, p.count, p.targets[0].section, p.targets[0].path) == (
        ".", CountRule("last"), "47-2002", ("(a)", "(7)", "(A)"))


def test_code_citations_locate_absolutely() -> None:
    p = one('Section 4917(a) of the Department of Health Functions Clarification Act of 2001, '
            'effective April 4, 2006 (D.C. Law 16-90; D.C. Official Code § 7-741.03(a)), is '
            'amended as follows:')
    assert p.action is Action.SCOPE
    assert [(t.code, t.section, t.path) for t in p.targets] == [("dc", "7-741.03", ("(a)",))]
    p = one("The Homeless Services Reform Act of 2005, effective October 22, 2005 (D.C. Law "
            "16-35; D.C. Official Code § 4-751.01 et seq.), is amended as follows:")
    assert [(t.code, t.chapter, t.scope_only) for t in p.targets] == [("dc", "4", True)]
    p = one("Chapter 3 of Title 16 of the District of Columbia Official Code is amended as "
            "follows:")
    assert [(t.code, t.chapter, t.scope_only) for t in p.targets] == [("dc", "16", True)]
    p = one("Section 16-302 is repealed.")
    assert (p.action, p.targets[0].section) == (Action.REPEAL, "16-302")


def test_adding_replacing_repealing_designating() -> None:
    p = one("A new paragraph (7) is added to read as follows:")
    assert (p.action, p.designations, p.unit, p.wants_content) == (
        Action.ADD, ("(7)",), "paragraph", True)
    p = one("New sections 11a, 11b, and 11c are added to read as follows:")
    assert (p.action, p.designations) == (Action.ADD, ("11a", "11b", "11c"))
    p = one("Section 101 (D.C. Official Code § 3-1201.01) is amended by adding a new "
            "paragraph (1B-i) to read as follows:")
    assert (p.action, p.designations, p.targets[0].section) == (
        Action.ADD, ("(1B-i)",), "3-1201.01")
    p = one("Subsection (b)(1)(A) is amended to read as follows:")
    assert (p.action, p.targets[0].path) == (Action.REPLACE, ("(b)", "(1)", "(A)"))
    p = one("Paragraphs (1) and (2) are repealed;")
    assert (p.action, [t.path for t in p.targets]) == (Action.REPEAL, [("(1)",), ("(2)",)])
    p = one("The existing text is designated as subsection (a).")
    assert (p.action, p.designations, p.targets[0].relative) == (
        Action.DESIGNATE, ("(a)",), True)
    p = one("Designate the existing text as paragraph (1).")
    assert (p.action, p.designations) == (Action.DESIGNATE, ("(1)",))
    p = one("The lead-in language of subsection (a) is amended by striking the phrase \"may\" "
            "and inserting the phrase \"shall\" in its place.")
    assert (p.targets[0].part, p.targets[0].path) == ("lead-in", ("(a)",))
    p = one("The section heading is amended to read as follows:")
    assert (p.action, p.targets[0].part) == (Action.REPLACE, "heading")


def test_redesignations() -> None:
    p = one("Paragraphs (3) through (5) are redesignated as paragraphs (4) through (6).")
    assert (p.action, p.targets[0].path, p.targets[0].through, p.designations,
            p.designations_through) == (Action.REDESIGNATE, ("(3)",), "(5)", ("(4)", "(6)"), True)
    p = one("Paragraphs (1), (1A), and (1B) are, respectively, redesignated as paragraphs (1B), "
            "(1C), and (1D).")
    assert [t.path for t in p.targets] == [("(1)",), ("(1A)",), ("(1B)",)]
    assert p.designations == ("(1B)", "(1C)", "(1D)")
    p = one("Redesignate the paragraph as paragraph (1A).")
    assert (p.action, p.designations, p.targets[0].relative) == (
        Action.REDESIGNATE, ("(1A)",), True)


def test_several_clauses_in_one_sentence() -> None:
    parsed = parse_instruction(
        'Paragraph (2) is amended by striking the word "and" at the end, and by adding a new '
        'subparagraph (C) to read as follows:')
    assert [p.action for p in parsed] == [Action.STRIKE, Action.ADD]


# --------------------------------------------------------------------------- Massachusetts


def test_massachusetts_section_replaced() -> None:
    p = one("Chapter 6 of the General Laws, as amended by chapter 253 of the acts of 2020, is "
            "hereby amended by striking section 220 and inserting in place thereof the following "
            "section: -")
    assert p.action is Action.REPLACE
    assert [(t.code, t.chapter, t.scope_only) for t in p.targets if t.scope_only] == [
        ("ma", "6", True)]
    assert [t.path for t in p.targets if not t.scope_only] == [("220",)]
    assert p.wants_content


def test_massachusetts_lines_words_figures() -> None:
    p = one('Mr. Tarr moves to amend the bill in line 12, by striking out the figure "3" and '
            'inserting in place thereof the figure "4".')
    assert (p.action, p.old, p.new) == (Action.STRIKE_INSERT, "3", "4")
    assert [(t.code, t.lines) for t in p.targets] == [("bill", None), (None, (12, 12))]
    p = one('moves to amend the bill by inserting after the word "individual", in line 9, the '
            'following words:- "or group of individuals"')
    assert (p.action, p.old, p.new, p.position) == (
        Action.INSERT, "individual", "or group of individuals", "after")
    p = one("moves to amend the bill by striking lines 209-240 and inserting in place thereof "
            "the following:-")
    assert (p.action, p.targets[-1].lines, p.wants_content) == (Action.REPLACE, (209, 240), True)
    p = one("moves to amend the bill by striking lines 8 to 14, inclusive, and inserting in "
            "place thereof the following:- New words.")
    assert (p.action, p.targets[-1].lines, p.new) == (Action.STRIKE_INSERT, (8, 14),
                                                       "New words.")
    p = one('moves to amend the bill in line 11 by striking out the words "face, head or '
            'body", each time they appear')
    assert (p.action, p.count) == (Action.STRIKE, CountRule("each"))


def test_massachusetts_add_repeal_strike_provision() -> None:
    p = one("Section 220 of chapter 6 of the General Laws is hereby amended by adding the "
            "following subsection:- (c) No agency shall use it.")
    assert (p.action, p.position, p.new) == (Action.ADD, "end", "(c) No agency shall use it.")
    assert [(t.code, t.chapter, t.section) for t in p.targets] == [("ma", "6", "220")]
    p = one("Section 219 of chapter 6 of the General Laws is hereby repealed.")
    assert (p.action, p.targets[0].section) == (Action.REPEAL, "219")
    p = one("Said section 220 of said chapter 6 is hereby further amended by striking out "
            "subsection (b).")
    assert (p.action, p.whole, p.targets[-1].path) == (Action.STRIKE, True, ("(b)",))


# --------------------------------------------------------------------------- not read


@pytest.mark.parametrize(("text", "reason"), [
    ("Section 5 is amended by rewording it more clearly.", "is not one billdiff reads"),
    ("Paragraph (2) is amended by transposing the phrase \"a\" and the phrase \"b\".",
     "is not one billdiff reads"),
    ('Subsection (b) is amended by striking the phrase "open.', "quotation marks"),
    ("The Mayor shall issue rules.", "no 'is amended'"),
])
def test_unknown_phrasing_is_unparsed_with_the_reason(text: str, reason: str) -> None:
    p = one(text)
    assert p.action is Action.UNPARSED
    assert p.reason is not None
    assert reason in p.reason


def test_an_unknown_phrasing_still_says_what_it_names() -> None:
    p = one("Section 5 (D.C. Official Code § 1-101) is amended by rewording it.")
    assert p.action is Action.UNPARSED
    assert [(t.code, t.section) for t in p.targets] == [("dc", "1-101")]


def test_what_reads_as_an_instruction() -> None:
    assert is_instruction("Paragraph (5) is amended by striking ...")
    assert is_instruction("(A) Strike the phrase \"x\".")
    assert not is_instruction("This act shall take effect following approval by the Mayor.")
    assert not is_instruction("The Council adopts the fiscal impact statement.")


def test_targets_and_designations() -> None:
    assert parse_target("Title 18 of the District of Columbia Municipal Regulations", [])[0] \
        .code == "dcmr"
    assert parse_target("The table of contents", [])[0].part == "table-of-contents"
    assert sort_key("(1)", roman=False) < sort_key("(1A)", roman=False) < sort_key(
        "(2)", roman=False)
    assert sort_key("(b)", roman=False) < sort_key("(b-1)", roman=False) < sort_key(
        "(c)", roman=False)
    assert is_roman_series(["(i)", "(ii)"])
    assert not is_roman_series(["(h)", "(i)"])
    assert [next_designation(d) for d in ("(4)", "(d)", "(iv)", "(1B)")] == [
        "(5)", "(e)", "(v)", "(1C)"]
    assert series("(4)", "(6)", 3) == ["(4)", "(5)", "(6)"]
    assert series("(4)", "(7)", 3) is None


def test_a_sentence_added_at_the_end_and_two_slips_with_one_reading() -> None:
    p = one('Subsection (a) is amended by adding a new sentence at the end to read as follows: '
            '"The term includes a record.".')
    assert (p.action, p.position, p.new) == (Action.INSERT, "end", "The term includes a record.")
    # "is amended striking" (no "by") and a capital "And" read as written otherwise
    p = one('Paragraph (47) is amended striking the period at the end and inserting the phrase '
            '", or writings." in its place.')
    assert (p.action, p.old, p.new, p.old_is_mark) == (Action.STRIKE_INSERT, ".", ", or writings.",
                                                       True)
    p = one('Subsection (g) is amended by striking the phrase "duties." And inserting the phrase '
            '"duties, and supervision." in its place.')
    assert (p.action, p.old, p.new) == (Action.STRIKE_INSERT, "duties.", "duties, and supervision.")


def test_passim_is_an_act_not_a_section() -> None:
    p = one("An Act To establish a code of law for the District of Columbia, approved March 3, "
            "1901 (31 Stat. 1391; D.C. Official Code § 46-401 passim), is amended as follows:")
    assert p.action is Action.SCOPE
    assert [(t.code, t.section, t.chapter, t.scope_only) for t in p.targets] == [
        ("dc", None, "46", True)]


def test_a_sections_caption_in_parentheses_is_not_a_designation() -> None:
    (target,) = parse_target("Section 3001 (short title)", [])
    assert (target.path, target.unit) == (("3001",), "section")
    assert one('Section 3001 (short title) is amended by striking the phrase "Inmate" and '
               'inserting the phrase "Resident" in its place.').action is Action.STRIKE_INSERT
    # roman numerals in parentheses stay designations
    assert parse_target("Subsection (a)(viii)", [])[0].path == ("(a)", "(viii)")
