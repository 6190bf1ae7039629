"""The applier on small D.C.-style documents: each phrasing exactly, each failure reported."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from billdiff.amend import Action, amend_document, read_instructions
from billdiff.compare import compare_documents
from billdiff.errors import BilldiffError
from billdiff.importers.dc_law import parse_dc_law
from billdiff.model import Document, iter_sections

NS = "https://code.dccouncil.us/schemas/dc-library"
SOURCE = {"url": "https://code.dccouncil.gov/us/dc/council/code/sections/1-101",
          "description": "test", "official": True}


def code(*paras: tuple[str, str, list[Any]], heading: str = "Definitions.",
         text: str = "For the purposes of this chapter:") -> Document:
    """A one-section D.C. Code document, shaped as the Code importer makes them."""
    def build(spec: tuple[str, str, list[Any]], parent_id: str, parent_no: str) -> dict[str, Any]:
        num, words, kids = spec
        ident = f"{parent_id}__para_{num.strip('()')}"
        number = parent_no + num
        return {"id": ident, "number": number, "text": words, "status": "official",
                "children": [build(k, ident, number) for k in kids]}

    sec: dict[str, Any] = {"id": "sec_1-101", "number": "1-101", "heading": heading,
                           "text": text, "status": "official",
                           "children": [build(p, "sec_1-101", "1-101") for p in paras]}
    return Document.model_validate({
        "id": "dc-1-101", "kind": "statute", "jurisdiction": "District of Columbia",
        "number": "D.C. Code § 1-101", "title": "Definitions.",
        "provenance": {"completeness": "complete", "summary": "A test section.",
                       "sources": [SOURCE]},
        "sections": [sec]})


def law(body: str, number: str = "99-1") -> Document:
    """A D.C. law document read from law-xml text by the real importer."""
    xml = (f'<document xmlns="{NS}"><num type="law">{number}</num>'
           f'<heading type="short">Test Amendment Act of 2024</heading>{body}</document>')
    return parse_dc_law(ET.fromstring(xml), f"law-{number}")


def lead(inner: str, cite: str = "1-101") -> str:
    return (f"<section><num>2</num><text>Section 5 of the Test Act (D.C. Law 1-1; D.C. "
            f"Official Code § {cite}) is amended as follows:</text>{inner}</section>")


def para(num: str, text: str, quote: str = "") -> str:
    include = f"<include>{quote}</include><aftertext>.</aftertext>" if quote else ""
    return f"<para><num>{num}</num><text>{text}</text>{include}</para>"


def qpara(num: str, text: str, kids: str = "") -> str:
    return f"<para><num>{num}</num><text>{text}</text>{kids}</para>"


def texts(doc: Document) -> dict[str, tuple[str | None, str]]:
    return {s.id: (s.number, s.text) for s, _ in iter_sections(doc.sections)}


BASE = code(("(1)", '"Agency" means a District agency; and', []),
            ("(2)", '"Mayor" means the Mayor of the District.', []),
            ("(3)", '"Person" means an individual, a firm or a corporation.', []))


# --------------------------------------------------------------------------- phrasings


def test_strike_and_insert_named_marks_and_a_new_paragraph() -> None:
    amendment = law(lead(
        para("(a)", 'Paragraph (1) is amended by striking the phrase "; and" and inserting a '
                    "semicolon in its place.")
        + para("(b)", 'Paragraph (2) is amended by striking the period and inserting the phrase '
                      '"; and" in its place.')
        + para("(c)", "A new paragraph (4) is added to read as follows:",
               qpara("(4)", '"Record" means any writing.'))))
    result = amend_document(BASE, amendment)
    got = texts(result.document)
    assert got["sec_1-101__para_1"] == ("1-101(1)", '"Agency" means a District agency;')
    assert got["sec_1-101__para_2"] == ("1-101(2)", '"Mayor" means the Mayor of the District; and')
    assert got["sec_1-101__para_4"] == ("1-101(4)", '"Record" means any writing.')
    assert [o.status for o in result.report] == ["applied"] * 3
    assert [o.numbers for o in result.report] == [("1-101(1)",), ("1-101(2)",), ("1-101(4)",)]
    assert result.all_applied
    assert dict(result.changes) == {
        "sec_1-101__para_1": ("law-99-1:sec_2__para_a",),
        "sec_1-101__para_2": ("law-99-1:sec_2__para_b",),
        "sec_1-101__para_4": ("law-99-1:sec_2__para_c",)}
    assert [s.id for s in result.document.sections[0].children] == [
        "sec_1-101__para_1", "sec_1-101__para_2", "sec_1-101__para_3", "sec_1-101__para_4"]


def test_new_paragraph_goes_in_the_order_of_its_designation() -> None:
    amendment = law(lead(para("(a)", "A new paragraph (1A) is added to read as follows:",
                              qpara("(1A)", '"Board" means the Board.'))))
    doc = amend_document(BASE, amendment).document
    assert [s.number for s in doc.sections[0].children] == [
        "1-101(1)", "1-101(1A)", "1-101(2)", "1-101(3)"]


def test_amended_to_read_repealed_and_words_inserted() -> None:
    amendment = law(lead(
        para("(a)", "Paragraph (3) is amended to read as follows:",
             qpara("(3)", '"Person" means any individual.'))
        + para("(b)", "Paragraph (2) is repealed.")
        + para("(c)", 'Paragraph (1) is amended by inserting the phrase "or instrumentality" '
                      'after the word "agency".')))
    result = amend_document(BASE, amendment)
    got = texts(result.document)
    assert got["sec_1-101__para_3"][1] == '"Person" means any individual.'
    assert got["sec_1-101__para_2"] == ("1-101(2)", "Repealed.")
    assert got["sec_1-101__para_1"][1] == '"Agency" means a District agency or instrumentality; and'
    assert result.all_applied


def test_heading_lead_in_and_each_time_it_appears() -> None:
    target = code(("(a)", "The Mayor shall act.", [("(1)", "The Mayor may delegate.", [])]),
                  text="")
    amendment = law(lead(
        para("(a)", "The section heading is amended to read as follows:",
             "<text>Definitions and delegation.</text>")
        + para("(b)", 'Subsection (a) is amended by striking the word "Mayor" each time it '
                      'appears and inserting the word "Director" in its place.')))
    result = amend_document(target, amendment)
    sec = result.document.sections[0]
    assert sec.heading == "Definitions and delegation."
    got = texts(result.document)
    assert got["sec_1-101__para_a"][1] == "The Director shall act."
    assert got["sec_1-101__para_a__para_1"][1] == "The Director may delegate."
    assert result.report[1].numbers == ("1-101(a)", "1-101(a)(1)")


def test_designate_existing_text_then_add() -> None:
    target = code(text="The Mayor shall keep records.", heading="Records.")
    amendment = law(lead(
        para("(a)", "The existing text is designated as subsection (a).")
        + para("(b)", "A new subsection (b) is added to read as follows:",
               qpara("(b)", "Records are public."))))
    result = amend_document(target, amendment)
    got = texts(result.document)
    assert got["sec_1-101"] == ("1-101", "")
    assert got["sec_1-101__para_a"] == ("1-101(a)", "The Mayor shall keep records.")
    assert got["sec_1-101__para_b"] == ("1-101(b)", "Records are public.")
    assert result.all_applied


def test_redesignation_renumbers_and_keeps_ids_so_the_comparison_reads_renumbering() -> None:
    amendment = law(lead(
        para("(a)", "Paragraphs (2) and (3) are redesignated as paragraphs (3) and (4), "
                    "respectively.")
        + para("(b)", "A new paragraph (2) is added to read as follows:",
               qpara("(2)", '"Fund" means the Fund.'))))
    result = amend_document(BASE, amendment)
    got = texts(result.document)
    assert got["sec_1-101__para_2"] == ("1-101(3)", '"Mayor" means the Mayor of the District.')
    assert got["sec_1-101__para_3"] == ("1-101(4)", BASE.sections[0].children[2].text)
    new_id = next(k for k, v in got.items() if v[0] == "1-101(2)")
    assert new_id == "sec_1-101__para_2__2"
    assert got[new_id][1] == '"Fund" means the Fund.'
    comparison = compare_documents(BASE, result.document)
    moved = {p.a_section.id: p for p in comparison.pairs if p.a_section and p.b_section}
    assert moved["sec_1-101__para_2"].pair.method == "id"
    assert moved["sec_1-101__para_2"].pair.renumbered
    assert moved["sec_1-101__para_2"].same_text
    assert [s.id for s in comparison.only_b] == [new_id]


def test_through_ranges_are_expanded_and_counted_on() -> None:
    amendment = law(lead(para("(a)", "Paragraphs (1) through (3) are redesignated as "
                                     "paragraphs (2) through (4).")))
    got = texts(amend_document(BASE, amendment).document)
    assert [got[f"sec_1-101__para_{n}"][0] for n in (1, 2, 3)] == [
        "1-101(2)", "1-101(3)", "1-101(4)"]


def test_new_sections_added_to_a_title_document() -> None:
    title = Document.model_validate({
        "id": "dc-title-1", "kind": "statute", "jurisdiction": "District of Columbia",
        "number": "D.C. Code Title 1", "title": "Title 1",
        "provenance": {"completeness": "none", "summary": "empty", "sources": [SOURCE]}})
    amendment = law("<section><num>2</num><text>Chapter 1 of Title 1 of the District of "
                    "Columbia Official Code is amended as follows:</text>"
                    + para("(a)", "A new section 1-102 is added to read as follows:",
                           "<section><prefix>§</prefix><num>1-102</num><heading>Records."
                           "</heading><text>Records are public.</text></section>")
                    + "</section>")
    result = amend_document(title, amendment)
    assert [(s.id, s.number, s.heading, s.text) for s in result.document.sections] == [
        ("sec_1-102", "1-102", "Records.", "Records are public.")]
    assert result.all_applied


# --------------------------------------------------------------------------- failures


def test_no_match_and_too_many_matches_are_reported_not_applied() -> None:
    before = json.dumps(BASE.model_dump(mode="json"), sort_keys=True)
    amendment = law(lead(
        para("(a)", 'Paragraph (1) is amended by striking the phrase "bureau" and inserting '
                    'the phrase "office" in its place.')
        + para("(b)", 'Paragraph (3) is amended by striking the word "a" and inserting the '
                      'word "one" in its place.')))
    result = amend_document(BASE, amendment)
    first, second = result.report
    assert (first.status, first.reason, first.matches) == ("not-applied", "no-match", 0)
    assert first.why == "the words 'bureau' are not found in 1-101(1)"
    assert (second.status, second.reason, second.matches) == ("not-applied", "too-many", 2)
    assert "found 2 times in 1-101(3); the instruction allows one" in (second.why or "")
    assert not result.all_applied
    assert result.changes == {}
    assert texts(result.document) == texts(BASE)
    assert json.dumps(BASE.model_dump(mode="json"), sort_keys=True) == before  # input untouched


def test_target_not_found_unknown_phrasing_and_elsewhere() -> None:
    amendment = law(lead(
        para("(a)", 'Paragraph (9) is amended by striking the word "x".')
        + para("(b)", "Paragraph (2) is amended by rewording it.")
    ) + lead(para("(a)", "Paragraph (1) is repealed."), cite="4-751.01").replace(
        "<num>2</num>", "<num>3</num>"))
    result = amend_document(BASE, amendment)
    assert [(o.status, o.reason) for o in result.report] == [
        ("not-applied", "target-not-found"), ("not-applied", "unparsed"),
        ("elsewhere", "elsewhere")]
    assert result.report[0].why == "1-101 has no (9)"
    assert "unknown phrasing" in (result.report[1].why or "")
    assert result.report[2].why == "addressed to § 4-751.01, which is not in D.C. Code § 1-101"


def test_conflict_between_two_amendments() -> None:
    first = law(lead(para("(a)", 'Paragraph (2) is amended by striking the phrase "of the '
                                 'District" and inserting the phrase "of Columbia" in its place.')))
    second = law(lead(para("(a)", 'Paragraph (2) is amended by striking the phrase "the '
                                  'District" and inserting the phrase "the City" in its place.')),
                 number="99-2")
    result = amend_document(BASE, [first, second])
    applied, conflict = result.report
    assert applied.status == "applied"
    assert (conflict.status, conflict.conflict_with) == ("conflict", "law-99-1:sec_2__para_a")
    assert "changed by the earlier instruction law-99-1:sec_2__para_a" in (conflict.why or "")
    assert texts(result.document)["sec_1-101__para_2"][1] == '"Mayor" means the Mayor of Columbia.'
    # the same words inserted by another amendment are not the second one's to change
    third = law(lead(para("(a)", 'Paragraph (2) is amended by striking the word "Columbia" and '
                                 'inserting the word "DC" in its place.')), number="99-3")
    assert amend_document(BASE, [first, third]).report[1].status == "conflict"
    # a provision repealed by one amendment, then amended by another
    repeal = law(lead(para("(a)", "Paragraph (3) is repealed.")))
    amend3 = law(lead(para("(a)", 'Paragraph (3) is amended by striking the word "firm" and '
                                  'inserting the word "company" in its place.')), number="99-4")
    late = amend_document(BASE, [repeal, amend3]).report[1]
    assert (late.status, late.conflict_with) == ("conflict", "law-99-1:sec_2__para_a")


def test_an_instruction_naming_several_provisions_is_atomic() -> None:
    amendment = law(lead(para("(a)", "Paragraphs (1) and (7) are repealed.")))
    result = amend_document(BASE, amendment)
    assert result.report[0].status == "not-applied"
    assert texts(result.document) == texts(BASE)


def test_a_lead_in_not_understood_stops_what_is_under_it() -> None:
    amendment = law("<section><num>2</num><text>Section 5 (D.C. Official Code § 1-101) is "
                    "amended in the manner that follows:</text>"
                    + para("(a)", "Paragraph (1) is repealed.") + "</section>")
    result = amend_document(BASE, amendment)
    assert [(o.status, o.reason) for o in result.report] == [
        ("not-applied", "unparsed"), ("not-applied", "target-not-found")]
    assert "the lead-in above it is not understood" in (result.report[1].why or "")


# --------------------------------------------------------------------------- the result


def test_provenance_title_and_reports() -> None:
    amendment = law(lead(para("(a)", "Paragraph (2) is repealed.")))
    result = amend_document(BASE, amendment, new_id="dc-1-101-amended")
    doc = result.document
    assert doc.id == "dc-1-101-amended"
    assert doc.number == "D.C. Code § 1-101 as amended by D.C. Law 99-1"
    assert doc.title == "D.C. Code § 1-101 as amended by D.C. Law 99-1, Sec. 2"
    assert doc.status == "Generated by billdiff: not an official text"
    assert doc.provenance.summary.startswith("Generated by billdiff, not an official text")
    assert [s.description for s in doc.provenance.sources] == [
        "D.C. Code § 1-101 (dc-1-101): the text amended",
        "D.C. Law 99-1 (law-99-1): the instructions applied"]
    changed = next(s for s, _ in iter_sections(doc.sections) if s.id == "sec_1-101__para_2")
    assert changed.notes[-1] == ("Generated by billdiff (not an official text): changed by "
                                 "law-99-1:sec_2__para_a.")
    data = json.loads(result.report_json())
    assert data["all_applied"] is True
    assert data["counts"] == {"applied": 1, "not-applied": 0, "conflict": 0, "elsewhere": 0}
    assert data["outcomes"][0]["where"] == ["sec_1-101__para_2"]
    assert data["changes"] == {"sec_1-101__para_2": ["law-99-1:sec_2__para_a"]}
    text = result.report_text()
    assert "applied      Sec. 2(a) [law-99-1:sec_2__para_a]" in text
    assert text.splitlines()[-1] == ("1 applied, 0 not applied, 0 conflict(s), 0 for other "
                                     "documents; 1 section(s) changed")
    lead_ins = [i for i in result.instructions if i.action is Action.SCOPE]
    assert [i.id for i in lead_ins] == ["law-99-1:sec_2"]


def test_bad_input_raises_one_line_errors() -> None:
    amendment = law(lead(para("(a)", "Paragraph (2) is repealed.")))
    with pytest.raises(BilldiffError, match="invalid document id"):
        amend_document(BASE, amendment, new_id="Bad Id")
    with pytest.raises(BilldiffError, match="cannot amend itself"):
        amend_document(BASE, BASE)
    with pytest.raises(BilldiffError, match="no amendment given"):
        amend_document(BASE, [])
    assert read_instructions(BASE) == ()  # a statute holds no instructions


# --------------------------------------------------------------------------- a property

WORD = st.text(alphabet="abcdefghij", min_size=3, max_size=7)


@settings(max_examples=80, deadline=None)
@given(words=st.lists(WORD, min_size=2, max_size=8, unique=True),
       pick=st.integers(min_value=0, max_value=7), y=WORD,
       separators=st.lists(st.sampled_from([" ", ", ", "; ", " (", ") "]), min_size=8,
                           max_size=8))
def test_strike_x_insert_y_then_y_x_gives_the_original_back(
        words: list[str], pick: int, y: str, separators: list[str]) -> None:
    """Wherever X and Y each occur once (as words: "abc" inside "abcd" is not "abc"),
    striking X for Y and then Y for X gives back the original text."""
    assume(y not in words)
    x = words[pick % len(words)]
    original = "".join(w + sep for w, sep in zip(words, separators, strict=False)).strip() + "."
    swapped = "".join((y if w == x else w) + sep
                      for w, sep in zip(words, separators, strict=False)).strip() + "."
    target = code(("(1)", original, []))
    there = law(lead(para("(a)", f'Paragraph (1) is amended by striking the word "{x}" and '
                                 f'inserting the word "{y}" in its place.')))
    back = law(lead(para("(a)", f'Paragraph (1) is amended by striking the word "{y}" and '
                                f'inserting the word "{x}" in its place.')), number="99-2")
    once = amend_document(target, there)
    assert once.all_applied, once.report_text()
    assert texts(once.document)["sec_1-101__para_1"][1] == swapped
    twice = amend_document(once.document, back)
    assert twice.all_applied, twice.report_text()
    assert texts(twice.document)["sec_1-101__para_1"][1] == original


def test_a_range_repealed_and_words_struck_both_times() -> None:
    target = code(("(a)", "The Mayor and the Mayor's designee shall act.", []),
                  ("(b)", "Second.", []), ("(c)", "Third.", []), ("(d)", "Fourth.", []))
    amendment = law(lead(
        para("(a)", "Subsections (b) through (d) are repealed.")
        + para("(b)", 'Subsection (a) is amended by striking the word "Mayor" both times it '
                      'appears and inserting the word "Director" in its place.')))
    result = amend_document(target, amendment)
    got = texts(result.document)
    assert [got[f"sec_1-101__para_{x}"][1] for x in "bcd"] == ["Repealed."] * 3
    assert got["sec_1-101__para_a"][1] == "The Director and the Director's designee shall act."
    assert result.report[0].numbers == ("1-101(b)", "1-101(c)", "1-101(d)")
    three = law(lead(para("(a)", 'Subsection (a) is amended by striking the word "the" both '
                                 'times it appears and inserting the word "a" in its place.')))
    outcome = amend_document(target, three).report[0]
    assert (outcome.status, outcome.reason, outcome.matches) == ("not-applied", "no-match", 1)


# --------------------------------------------------------------------------- conventions added


def test_striking_the_list_conjunction_takes_the_one_that_ends_the_paragraph() -> None:
    target = code(("(1)", "Review the findings and recommendations and report; and", []),
                  ("(2)", "Report and advise.", []))
    amendment = law(lead(para("(a)", 'Paragraph (1) is amended by striking the word "and".')))
    result = amend_document(target, amendment)
    assert texts(result.document)["sec_1-101__para_1"][1] == (
        "Review the findings and recommendations and report;")
    # the conjunction found several times but not at the end: which one is not said
    amendment = law(lead(para("(a)", 'Paragraph (2) is amended by striking the word "and".')))
    result = amend_document(code(("(2)", "Report and advise and consult.", [])), amendment)
    assert (result.report[0].status, result.report[0].reason) == ("not-applied", "too-many")


def test_inserted_words_that_run_on_into_quoted_provisions() -> None:
    """``... inserting the phrase "government; provided, that procurements that:`` then the
    quoted subparagraphs, the last ending ``." in its place.``: words, then subdivisions."""
    target = code(("(1)", "Hire staff of the District government;", []))
    amendment = law(lead(
        '<para><num>(a)</num><text>Paragraph (1) is amended by striking the phrase "District '
        'government;" and inserting the phrase "District government; provided, that contracts '
        'are limited to procurements that:</text><include>'
        + qpara("(A)", "Are necessary; and")
        + qpara("(B)", 'Are published." in its place.')
        + "</include><aftertext>.</aftertext></para>"))
    result = amend_document(target, amendment)
    assert result.all_applied
    paragraph = result.document.sections[0].children[0]
    assert paragraph.text == ("Hire staff of the District government; provided, that contracts "
                              "are limited to procurements that:")
    assert [(c.number, c.text) for c in paragraph.children] == [
        ("1-101(1)(A)", "Are necessary; and"), ("1-101(1)(B)", "Are published.")]
    # when the words replaced do not end the paragraph, where the provisions go is not said
    target = code(("(1)", "Hire staff of the District government; and train them.", []))
    result = amend_document(target, amendment)
    assert (result.report[0].status, result.report[0].reason) == ("not-applied", "unsupported")


def test_a_section_the_code_holds_from_emergency_legislation_is_reported() -> None:
    """A law adding a section with the heading of one created by its emergency version: the
    codifiers may put it in that place or renumber; billdiff says so and changes nothing."""
    target = Document.model_validate({
        "id": "dc-38-502-01", "kind": "statute", "jurisdiction": "District of Columbia",
        "number": "D.C. Code § 38-502.01", "title": "Certification.",
        "provenance": {"completeness": "complete", "summary": "t", "sources": [SOURCE]},
        "sections": [{"id": "sec_38-502.01", "number": "38-502.01",
                      "heading": "Certification of immunization.",
                      "text": "*NOTE: This section was created by emergency legislation that "
                              "will expire on April 12, 2022.*\nA school shall certify.",
                      "status": "official"}]})
    amendment = law("<section><num>2</num><text>The Immunization Act of 1979, effective "
                    "September 28, 1979 (D.C. Law 3-20; D.C. Official Code § 38-501 et seq.), "
                    "is amended as follows:</text>"
                    + para("(c)", "A new section 3a is added to read as follows:",
                           "<section><num>3a</num><heading>Certification of immunization."
                           "</heading><text>Every school shall certify.</text></section>")
                    + "</section>")
    result = amend_document(target, amendment)
    outcome = result.report[0]
    assert (outcome.status, outcome.reason) == ("not-applied", "exists")
    assert "emergency or temporary legislation" in (outcome.why or "")
    assert "section 3a of its Act" in (outcome.why or "")
    assert result.document.sections[0].text.endswith("A school shall certify.")
    # without the banner it is an ordinary section of another document
    plain = target.model_copy(update={"sections": (target.sections[0].model_copy(
        update={"text": "A school shall certify."}),)})
    assert amend_document(plain, amendment).report[0].status == "elsewhere"


def test_passim_names_an_act_not_a_section() -> None:
    amendment = law("<section><num>2</num><text>An Act To establish a code of law for the "
                    "District of Columbia, approved March 3, 1901 (31 Stat. 1391; D.C. Official "
                    "Code § 1-101 passim), is amended as follows:</text>"
                    + para("(d)", "Section 1293 (D.C. Official Code § 1-101) is amended by "
                                  'striking the word "agency" and inserting the word "office" '
                                  "in its place.") + "</section>")
    result = amend_document(BASE, amendment)
    assert result.all_applied
    assert texts(result.document)["sec_1-101__para_1"][1] == (
        '"Agency" means a District office; and')


def emergency_section(notes: tuple[str, ...], number: str = "38-502.01") -> Document:
    return Document.model_validate({
        "id": "dc-38-502-01", "kind": "statute", "jurisdiction": "District of Columbia",
        "number": f"D.C. Code § {number}", "title": "Certification.",
        "provenance": {"completeness": "complete", "summary": "t", "sources": [SOURCE]},
        "sections": [{"id": f"sec_{number}", "number": number,
                      "heading": "Certification of immunization.",
                      "text": "*NOTE: This section was created by emergency legislation that "
                              "will expire on April 12, 2022.*\nA school shall certify.",
                      "status": "official", "notes": list(notes)}]})


REENACTS = ("<section><num>2</num><text>The Immunization Act of 1979, effective September "
            "28, 1979 (D.C. Law 3-20; D.C. Official Code § 38-501 et seq.), is amended as "
            "follows:</text>"
            + para("(c)", "A new section 3a is added to read as follows:",
                   "<section><num>3a</num><heading>Certification of immunization.</heading>"
                   "<text>Every school shall certify.</text></section>") + "</section>")


def test_the_codes_annotation_says_which_section_a_re_enacted_section_is() -> None:
    """The Code's note names the earlier (emergency) version of the same law and its section:
    the law's new section takes that section's place, under the Code's number."""
    note = ("Emergency Legislation: For temporary (90 days) creation of this section, see "
            "§ 2(c) of Test Emergency Amendment Act of 2024 (D.C. Act 25-1, Jan. 1, 2024, 71 "
            "DCR 1).")
    result = amend_document(emergency_section((note,)), law(REENACTS))
    assert result.all_applied
    section = result.document.sections[0]
    assert (section.id, section.number, section.heading, section.text) == (
        "sec_38-502.01", "38-502.01", "Certification of immunization.",
        "Every school shall certify.")
    assert any("enacts this section again as section 3a" in n for n in section.notes)
    # the annotation of another law, or of another section of this one: reported, unchanged
    for other in (note.replace("Test Emergency", "Other Emergency"),
                  note.replace("§ 2(c)", "§ 2(d)"),
                  note.replace("2024 (D.C.", "2021 (D.C.")):
        outcome = amend_document(emergency_section((other,)), law(REENACTS)).report[0]
        assert (outcome.status, outcome.reason) == ("not-applied", "exists")


def test_an_acts_own_section_is_located_by_the_codes_annotation_of_that_act() -> None:
    note = ("Temporary Legislation: For temporary (225 days) creation of this section, see "
            "§ 812 of Coronavirus Support Temporary Amendment Act of 2021 (D.C. Law 24-9, June "
            "24, 2021, 68 DCR 004824).")
    amendment = law("<section><num>2</num><text>Section 812 of the Coronavirus Support "
                    "Temporary Amendment Act of 2021, effective June 24, 2021 (D.C. Law 24-9; "
                    "68 DCR 4824) is amended to read as follows:</text><include><section>"
                    "<num>812</num><heading>Certification of immunization.</heading><text>"
                    "Schools shall certify.</text></section></include><aftertext>."
                    "</aftertext></section>")
    result = amend_document(emergency_section((note,)), amendment)
    assert result.all_applied
    assert result.document.sections[0].text == "Schools shall certify."
    # the same section number of another act (or another law number) is not this section
    for other in (note.replace("Coronavirus Support", "Budget Support"),
                  note.replace("D.C. Law 24-9", "D.C. Law 24-10")):
        outcome = amend_document(emergency_section((other,)), amendment).report[0]
        assert (outcome.status, outcome.reason) == ("not-applied", "target-not-found")
        assert "own numbering" in (outcome.why or "")


def test_words_found_twice_one_of_them_struck_by_a_later_sibling() -> None:
    target = code(("(b)", "No former Commissioner shall appear; this binds any former "
                          "Commissioner.", []))
    strike = ('Strike the phrase "former Commissioner" and insert the phrase "former member" '
              "in its place.")
    later = ('Strike the phrase "any former Commissioner" and insert the phrase "any former '
             'member" in its place.')
    amendment = law(lead(para("(a)", "Subsection (b) is amended as follows:",)
                         .replace("</para>", para("(A)", strike) + para("(B)", later)
                                  + "</para>")))
    result = amend_document(target, amendment)
    assert result.all_applied
    assert texts(result.document)["sec_1-101__para_b"][1] == (
        "No former member shall appear; this binds any former member.")
    # alone, the words are found twice and the instruction allows one
    alone = law(lead(para("(a)", "Subsection (b) is amended as follows:")
                     .replace("</para>", para("(A)", strike) + "</para>")))
    outcome = amend_document(target, alone).report[0]
    assert (outcome.reason, outcome.matches) == ("too-many", 2)


def test_words_citing_a_section_in_full_are_found_as_the_code_prints_them() -> None:
    target = code(("(a)", "certified as provided in §§ 42-602, 42-101, and 42-306.", []))
    amendment = law(lead(para("(a)", 'Subsection (a) is amended by striking the phrase "498 '
                                     '(D.C. Official Code § 42-101),".')))
    result = amend_document(target, amendment)
    assert result.all_applied
    assert texts(result.document)["sec_1-101__para_a"][1] == (
        "certified as provided in §§ 42-602, and 42-306.")
    # never inside the Code's "§ X": that is a section cited alone, not a list's member
    alone = code(("(a)", "certified as provided in § 42-101, and more.", []))
    assert amend_document(alone, amendment).report[0].reason == "no-match"
