"""The codification style step: a D.C. law's marked references printed as the D.C. Code prints
them (billdiff.amend.style), each rendering exactly, and the words kept where it cannot tell."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import pytest

from billdiff.amend import amend_document
from billdiff.amend.style import (
    Place,
    chapter_digits,
    full_citations,
    law_index,
    levels,
    print_container,
    printed_old,
    render,
)
from billdiff.errors import BilldiffError
from billdiff.importers.dc_law import CODIFY, CodeCite, LawMarkup, parse_dc_law_marked
from billdiff.model import Document

NS = "https://code.dccouncil.us/schemas/dc-library"
LAW = LawMarkup(effective="2023-03-10", short_title="Test Amendment Act of 2022", bill="24-200")


def marked(template: str, *refs: tuple[str, str]) -> tuple[str, list[CodeCite]]:
    """Text with ``{}`` slots filled by the words of *refs* ``(words, path)``, and the
    references with their offsets (as the D.C. law importer records them)."""
    text, out = "", []
    pieces = template.split("{}")
    assert len(pieces) == len(refs) + 1
    for piece, (words, path) in zip(pieces, refs, strict=False):
        text += piece
        out.append(CodeCite("code-cite", len(text), len(text) + len(words), words, path,
                            "D.C. Code"))
        text += words
    return text + pieces[-1], out


def printed(template: str, *refs: tuple[str, str], place: Place | None = None,
            law: LawMarkup = LAW, **kw: Any) -> str:
    text, cites = marked(template, *refs)
    return render(text, cites, place or Place("38-501", "38"), law, **kw).text


# ------------------------------------------------------------------------- sections


def test_a_section_is_its_code_number() -> None:
    assert printed("as required by {}.", ("section 4", "§38-503")) == \
        "as required by § 38-503."
    assert printed("under {} of this act", ("section 5(b)", "§38-504|(b)")) == \
        "under § 38-504(b) of this act"


def test_the_whole_marked_citation_is_replaced_even_its_own_comma() -> None:
    words = ("section 101 of the Criminal Fine Proportionality Amendment Act of 2012, effective "
             "June 11, 2013 (D.C. Law 19-317; D.C. Official Code § 22-3571.01),")
    assert printed("the amount set forth in {} or incarcerated", (words, "§22-3571.01")) == \
        "the amount set forth in § 22-3571.01 or incarcerated"


def test_a_list_of_sections_is_each_printed_unless_the_law_says_sections_outside() -> None:
    assert printed("pursuant to {}, {}, or {}:", ("section 1", "§22-1001"),
                   ("2", "§22-1002"), ("11a", "§22-1012.01")) == \
        "pursuant to § 22-1001, § 22-1002, or § 22-1012.01:"
    assert printed("under sections {} and {}.", ("5", "§38-504"), ("6", "§38-505")) == \
        "under §§ 38-504 and 38-505."
    # a sentence does not open with a symbol
    assert printed("Sections {} and {} shall apply.", ("5", "§38-504"), ("6", "§38-505")) == \
        "Sections 38-504 and 38-505 shall apply."


def test_the_law_citing_the_code_itself_and_words_already_in_code_form() -> None:
    assert printed("as in {}.", ("D.C. Official Code § 47-2844(a-2)(1B)",
                                 "§47-2844|(a-2)|(1B)")) == "as in § 47-2844(a-2)(1B)."
    # a bare Code number or a "§" citation is already the Code's wording: kept as it is
    assert printed("under §§ {} and {}", ("28:8-102", "§28:8-102"), ("28:9-102", "§28:9-102")) \
        == "under §§ 28:8-102 and 28:9-102"
    # words that are not a section's ("the definitions in ...") are not replaced
    words = "the definitions in section 211 of the Uniform Act"
    assert printed("For this part, {} apply.", (words, "§38-1631.01")) == \
        f"For this part, {words} apply."


def test_the_closing_parenthesis_left_outside_the_mark_goes_with_the_citation() -> None:
    words = ("Title I of the District of Columbia Administrative Procedure Act, approved October "
             "21, 1968 (82 Stat. 1204; D.C. Official Code § 2-501 et seq.")
    assert printed("The Mayor, pursuant to {}), may", (words, "2|5|I"),
                   place=Place("7-801", "7")) == \
        "The Mayor, pursuant to subchapter I of Chapter 5 of Title 2, may"


def test_unmarked_full_citations_use_their_own_code_citation() -> None:
    """An instruction's quoted words carry no markup (``index`` given: words the law's XML
    marks nowhere), but a full citation names the Code section."""
    text = ("during a public emergency declared pursuant to section 5 of the District of Columbia "
            "Public Emergency Act of 1980, effective March 5, 1981 (D.C. Law 3-149; D.C. Official "
            "Code § 7-2304), the Mayor may")
    assert render(text, [], Place("4-754.33", "4"), LAW, index={}).text == \
        "during a public emergency declared pursuant to § 7-2304, the Mayor may"
    # in quoted provisions, which carry the law's markup, what it leaves unmarked stays
    assert render(text, [], Place("4-754.33", "4"), LAW).text == text
    assert full_citations("section 5(b) (D.C. Official Code § 7-2304(b)) applies") == [
        (0, 45, "§ 7-2304(b)")]
    # a list of Code sections is not a full citation of one
    assert full_citations("sections 497 and 498 (D.C. Official Code §§ 42-101 and 42-102)") \
        == []


def test_words_the_law_marks_elsewhere_are_read_the_same_unmarked() -> None:
    words = ("the Nurse Staffing Agency Act of 2003, effective March 10, 2004 (D.C. Law 15-74; "
             "D.C. Official Code § 44-1051.01 et seq.)")
    law = LawMarkup(text={"sec_9__quote_1": (CodeCite("code-cite", 4, 4 + len(words), words,
                                                      "44|10A", "D.C. Code"),)})
    index = law_index(law)
    assert index == {words: ("44|10A", "D.C. Code")}
    text = f"licensed under {words};"
    assert render(text, [], Place("3-1205.02", "3"), law, index=index).text == \
        "licensed under Chapter 10A of Title 44;"
    # short words ("this act", "section 4") depend on where they stand: never indexed
    short = LawMarkup(text={"s": (CodeCite("code-cite", 0, 8, "this act", "7|16B", None),)})
    assert law_index(short) == {}


# ------------------------------------------------------------------------- containers


def test_levels_are_named_from_their_numbers() -> None:
    assert levels(("47", "28", "IV", "E")) == ["title", "chapter", "subchapter", "part"]
    assert levels(("1", "3", "XII-A", "B")) == ["title", "chapter", "subchapter", "part"]
    assert levels(("7", "25", "D")) == ["title", "chapter", "part"]
    # a title's subtitles and the Uniform Commercial Code's articles are not named here
    assert levels(("28", "I", "9")) is None


def test_chapter_digits_follow_the_code_numbering() -> None:
    assert chapter_digits("38-502.01") == "5"
    assert chapter_digits("7-1671.03") == "16"
    assert chapter_digits("47-2002") == "20"
    assert chapter_digits("28:9-102") is None
    assert chapter_digits("3a") is None


def test_this_act_is_the_container_the_text_goes_into() -> None:
    place = Place("7-1671.02", "7")
    assert printed("in accordance with {}.", ("this act", "7|16B"), place=place) == \
        "in accordance with this chapter."
    assert printed("{} shall apply.", ("This act", "7|16B"), place=place) == \
        "This chapter shall apply."
    assert printed("{} applies.", ("this title", "50|9A|V"), place=Place("50-921.81", "50")) \
        == "this subchapter applies."
    # "this" outside the mark
    assert printed("violations of this {} have occurred", ("act", "32|14A"),
                   place=Place("32-1455", "32")) == "violations of this chapter have occurred"


def test_a_container_that_does_not_hold_the_place_is_named_from_the_nearest_one_that_does() -> None:
    place = Place("38-501", "38")
    assert print_container(("38", "2A", "I"), place) == "subchapter I of Chapter 2A of this title"
    assert print_container(("38", "13"), place) == "Chapter 13 of this title"
    assert print_container(("2", "5", "I"), place) == "subchapter I of Chapter 5 of Title 2"
    assert print_container(("44", "10A"), place) == "Chapter 10A of Title 44"
    inside_g = Place("47-2889.02", "47", frozenset({("47", "28", "IV", "G")}))
    assert print_container(("47", "28", "IV", "E"), inside_g) == "part E of this subchapter"
    assert print_container(("47", "28", "IV", "G"), inside_g) == "this part"


def test_where_it_cannot_be_told_the_words_are_kept() -> None:
    words = "the Vending Regulation Act of 2009, effective October 22, 2009"
    # same title and the same chapter digits: in it or not, nothing says
    assert printed("pursuant to {}.", (words, "37|1A"), place=Place("37-131.08", "37")) == \
        f"pursuant to {words}."
    # a subchapter of the chapter it is in: which one, nothing says
    assert print_container(("38", "5", "II"), Place("38-501", "38")) is None
    # not the D.C. Code, or no path
    text = "under section 4"
    other = [CodeCite("code-cite", 6, 15, "section 4", "§38-503", "D.C. Law 1-1")]
    assert render(text, other, Place("38-501", "38"), LAW).text == text
    nopath = [CodeCite("code-cite", 6, 15, "section 4", None, "D.C. Code")]
    assert render(text, nopath, Place("38-501", "38"), LAW).text == text


def test_the_act_the_instruction_amends_holds_its_text() -> None:
    from billdiff.amend.style import inside_from

    words = ("the Vending Regulation Act of 2009, effective October 22, 2009 (D.C. Law 18-71; "
             "D.C. Official Code § 37-131.01 et seq.)")
    text, refs = marked("pursuant to {}.", (words, "37|1A"))
    context = ["Section 9 of the Vending Regulation Act of 2009, effective October 22, 2009 "
               "(D.C. Law 18-71; D.C. Official Code § 37-131.08)"]
    place = Place("37-131.08", "37").knowing(inside_from(refs, text, context))
    assert render(text, refs, place, LAW).text == "pursuant to this chapter."
    # "this act" in a section codified in another title is not that title's: not assumed
    assert Place("47-2002", "47").knowing([("7", "16B")]).inside == frozenset()


# ------------------------------------------------------------------------- dates


def test_the_effective_date_of_this_law_is_its_date() -> None:
    text = ("after the effective date of the Test Amendment Act of 2022, passed on second reading "
            "on December 20, 2022 (Enrolled version of Bill 24-200), the Mayor")
    assert render(text, [], Place("1-101", "1"), LAW).text == "after March 10, 2023, the Mayor"
    assert render("on the effective date of the Test Amendment Act of 2022;", [],
                  Place("1-101", "1"), LAW).text == "on March 10, 2023;"
    # another bill (the emergency version), no date in the law's XML: the words stay
    other = text.replace("24-200", "24-199")
    assert render(other, [], Place("1-101", "1"), LAW).text == other
    undated = LawMarkup(short_title="Test Amendment Act of 2022")
    assert render(text, [], Place("1-101", "1"), undated).text == text


def test_this_section_is_this_law_only_in_a_section_the_law_adds() -> None:
    text = "within 90 days after the effective date of this section,"
    assert render(text, [], Place(None, "4"), LAW, new_section=True).text == \
        "within 90 days after March 10, 2023,"
    assert render(text, [], Place("4-1303.03", "4"), LAW).text == text
    # "this act" in quoted text is the act amended: its date is not in this law
    act = "after the effective date of this act,"
    assert render(act, [], Place(None, "4"), LAW, new_section=True).text == act


# ------------------------------------------------------------------------- end to end


def document(section: dict[str, Any]) -> Document:
    return Document.model_validate({
        "id": "dc-7-1671-02", "kind": "statute", "jurisdiction": "District of Columbia",
        "number": "D.C. Code § 7-1671.02", "title": "Qualifying patients.",
        "provenance": {"completeness": "complete", "summary": "A test section.",
                       "sources": [{"url": "https://code.dccouncil.gov/", "description": "t",
                                    "official": True}]},
        "sections": [section]})


LAW_XML = f"""<document xmlns="{NS}" xmlns:codify="{CODIFY}">
  <num type="law">99-7</num><num type="bill">99-70</num>
  <heading type="short">Test Amendment Act of 2024</heading>
  <meta><effective>2024-07-19</effective></meta>
  <section><num>2</num>
    <text>Section 3 of the Test Act (D.C. Law 1-1; D.C. Official Code § 7-1671.02) is amended
      as follows:</text>
    <para><num>(a)</num><text>A new subsection (c) is added to read as follows:</text>
      <include><para><num>(c)</num><text>A patient may purchase under
        <code-cite doc="D.C. Code" path="7|16B" codify:value="SECRET">this act</code-cite> and the
        rules issued pursuant to <code-cite doc="D.C. Code" path="§7-1671.13">section 14</code-cite>
        until the effective date of the Test Amendment Act of 2024, passed on 2nd reading on May 7,
        2024 (Enrolled version of Bill 99-70).</text></para></include>
      <aftertext>.</aftertext></para>
    <para><num>(b)</num><text>Subsection (a) is amended by striking the phrase "the Mayor" and
      inserting the phrase "the Mayor, as provided in section 5 of the Test Act, effective
      June 1, 2001 (D.C. Law 14-1; D.C. Official Code § 7-1671.04)," in its place.</text></para>
  </section>
</document>"""


def run(with_markup: bool) -> Any:
    doc, markup = parse_dc_law_marked(ET.fromstring(LAW_XML), "law-99-7")
    target = document({"id": "sec_7-1671.02", "number": "7-1671.02", "heading": "Patients.",
                       "text": "", "status": "official", "children": [
                           {"id": "sec_7-1671.02__para_a", "number": "7-1671.02(a)",
                            "text": "the Mayor shall issue cards.", "status": "official"}]})
    return amend_document(target, doc, markup=markup if with_markup else None)


def texts(result: Any) -> dict[str, str]:
    section = result.document.sections[0]
    return {c.number: c.text for c in section.children}


def test_amend_document_prints_the_references_in_the_code_style() -> None:
    result = run(True)
    assert result.all_applied
    assert texts(result) == {
        "7-1671.02(a)": "the Mayor, as provided in § 7-1671.04, shall issue cards.",
        "7-1671.02(c)": "A patient may purchase under this chapter and the rules issued pursuant "
                        "to § 7-1671.13 until July 19, 2024."}
    styled = {c.words: (c.printed, c.rule) for o in result.report for c in o.styled}
    assert styled["this act"] == ("this chapter", "container")
    assert styled["section 14"] == ("§ 7-1671.13", "section")
    assert styled[("section 5 of the Test Act, effective June 1, 2001 (D.C. Law 14-1; D.C. "
                   "Official Code § 7-1671.04)")] == ("§ 7-1671.04", "citation")
    assert {c.rule for o in result.report for c in o.styled} == {
        "container", "section", "citation", "date"}
    # the document says it was printed so, and from what
    notes = [n for s in result.document.sections[0].children for n in s.notes]
    assert any("printed as the D.C. Code prints them" in n and "'section 14' as '§ 7-1671.13'"
               in n for n in notes), notes
    # the codifiers' own rendering (codify:value) is never what is printed
    assert "SECRET" not in result.document.model_dump_json()
    assert '"printed": "§ 7-1671.13"' in result.report_json()
    assert "printed as the D.C. Code prints it: 'section 14' as '§ 7-1671.13'" in \
        result.report_text()


def test_without_the_markup_the_laws_words_are_inserted() -> None:
    result = run(False)
    assert result.all_applied
    got = texts(result)
    assert "under this act and the rules issued pursuant to section 14" in got["7-1671.02(c)"]
    assert "section 5 of the Test Act" in got["7-1671.02(a)"]
    assert all(o.styled == () for o in result.report)


def test_markup_for_several_amendments_must_be_keyed() -> None:
    doc, markup = parse_dc_law_marked(ET.fromstring(LAW_XML), "law-99-7")
    other = doc.model_copy(update={"id": "law-99-8"})
    target = document({"id": "sec_7-1671.02", "number": "7-1671.02", "text": "x",
                       "status": "official"})
    with pytest.raises(BilldiffError, match="several amendments"):
        amend_document(target, [doc, other], markup=markup)
    # keyed by amendment id it is fine
    amend_document(target, [doc, other], markup={doc.id: markup})


def test_a_range_of_sections_marked_with_one_path_keeps_the_laws_words() -> None:
    # "sections 1283 through 1295a" is not the one section its path names: kept, not cut short
    assert printed("pursuant to {} .", ("sections 1283 through 1295a", "§46-401")) == \
        "pursuant to sections 1283 through 1295a ."
    # what may follow a section in one reference: the Act it is of, and its citation
    assert printed("under {}.", ("section 5(b) of the Test Act", "§38-504|(b)")) == \
        "under § 38-504(b)."


def test_another_acts_effective_date_given_in_its_citation_is_that_date() -> None:
    text = ("in the 2-year period beginning on the effective date of the COVID Vaccination "
            "Leave Emergency Amendment Act of 2021, effective November 18, 2021 (D.C. Act "
            "24-209; 68 DCR 12355).")
    assert render(text, [], Place("32-502.01", "32"), LAW).text == \
        "in the 2-year period beginning on November 18, 2021."
    # a date the law does not give stays the law's words
    kept = "after the effective date of the rules issued pursuant to section 214(f)(5)."
    assert render(kept, [], Place("32-502.01", "32"), LAW).text == kept


def test_words_struck_that_cite_sections_in_full_have_one_code_printing() -> None:
    assert printed_old("498 (D.C. Official Code § 42-101),") == "42-101,"
    assert printed_old("under section 5 of the Public Emergency Act of 1980, effective March "
                       "5, 1981 (D.C. Law 3-149; D.C. Official Code § 7-2304)") == \
        "under § 7-2304"
    assert printed_old("as provided in section 12") is None  # no citation: no other form
