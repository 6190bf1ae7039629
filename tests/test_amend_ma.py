"""Massachusetts: S.3084 as printed (its lines 1-14), amendments in the Legislature's style."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from billdiff.amend import amend_document
from billdiff.compare import compare_documents
from billdiff.importers import dump_document
from billdiff.importers.ma_bill import parse_ma_bill
from billdiff.load import read_yaml
from billdiff.model import Document, iter_sections

HERE = Path(__file__).parent / "fixtures"
AMEND = HERE / "amend"

FACIAL = ("“Facial recognition”, an automated or semi-automated process that assists in "
          "identifying or verifying an individual or analyzing or capturing information about an "
          "individual based on the physical characteristics of an individual’s face, head or "
          "body, or that uses characteristics of an individual’s face, head or body to derive "
          "information about the associations, activities or location of an individual; "
          "provided, however, that “facial recognition” shall not include the use of search "
          "terms to")
DEF = "sec_220__subsec_a__def_facial-recognition"
BIO = "sec_220__subsec_a__def_biometric-surveillance-technology"


def fixture(name: str) -> Document:
    data, _lines = read_yaml(AMEND / name)
    return Document.model_validate(data)


@pytest.fixture(scope="module")
def s3084() -> Document:
    """S.3084 imported from its printed text, with its printed lines."""
    return parse_ma_bill((HERE / "ma" / "ma-192-s3084.txt").read_text(encoding="utf-8"),
                         "ma-192-s3084")


def texts(doc: Document) -> dict[str, str]:
    return {s.id: s.text for s, _ in iter_sections(doc.sections)}


def test_the_fixture_text_is_the_bill_as_printed(s3084: Document) -> None:
    assert texts(s3084)[DEF] == FACIAL
    span = next(s.lines for s, _ in iter_sections(s3084.sections) if s.id == DEF)
    assert span is not None
    assert (span.start, span.end) == (8, 14)


def test_line_and_word_based_strikes_and_inserts(s3084: Document) -> None:
    result = amend_document(s3084, fixture("ma-amendment-1.yaml"))
    assert [o.status for o in result.report] == ["applied"] * 5
    got = texts(result.document)
    assert got["sec_220__subsec_a"] == (
        "(a) As used in this section, the following words shall, unless the circumstances "
        "clearly requires otherwise, have the following meanings:")
    assert BIO not in got  # lines 6 and 7 struck out: the whole definition
    assert got[DEF] == (
        FACIAL.replace("verifying an individual or", "verifying an individual or group of "
                       "individuals or")
        .replace("individual’s face, head or body, or", "individual’s face or body, or")
        .replace("location of an individual;", "location of a person;"))
    ids = "ma-192-s3084-amendment-1:a_1__item_"
    assert dict(result.changes) == {
        DEF: (f"{ids}2", f"{ids}3", f"{ids}5"),
        "sec_220__subsec_a": (f"{ids}1", f"{ids}4")}
    assert [o.numbers for o in result.report] == [
        ("220(a)",), ('220(a) "Facial recognition"',), ('220(a) "Facial recognition"',),
        ('220(a) "Biometric surveillance technology"',), ('220(a) "Facial recognition"',)]
    # unchanged sections keep their printed lines; changed ones no longer match a printing
    spans = {s.id: s.lines for s, _ in iter_sections(result.document.sections)}
    assert spans["sec_220"] is not None
    assert spans[DEF] is None


def test_a_word_outside_the_line_named_is_not_found(s3084: Document) -> None:
    amendment = Document.model_validate({
        **yaml.safe_load((AMEND / "ma-amendment-2.yaml").read_text(encoding="utf-8")),
        "sections": [{"id": "a_9", "status": "single-source", "text":
                      'Mr. Tarr moves to amend the bill in line 6 by striking out the word '
                      '"context" and inserting in place thereof the word "setting".'}]})
    outcome = amend_document(s3084, amendment).report[0]
    assert (outcome.status, outcome.reason) == ("not-applied", "no-match")
    assert outcome.why == ("the words 'context' are not found in S.3084, line 6")


def test_lines_replaced_and_a_conflict_between_two_amendments(s3084: Document) -> None:
    second = fixture("ma-amendment-2.yaml")
    alone = amend_document(s3084, second)
    assert [o.status for o in alone.report] == ["applied", "applied", "conflict"]
    got = texts(alone.document)
    assert got[DEF] == ("“Facial recognition”, an automated process that identifies an "
                        "individual from the physical characteristics of the face.")
    assert "setting clearly requires" in got["sec_220__subsec_a"]
    # lines 8-14 were struck by Amendment 3: its own later instruction on line 12 conflicts
    assert alone.report[2].conflict_with == "ma-192-s3084-amendment-2:a_3"
    both = amend_document(s3084, [fixture("ma-amendment-1.yaml"), second])
    late = {o.instruction.id: o for o in both.report}
    context = late["ma-192-s3084-amendment-2:a_2"]
    assert (context.status, context.conflict_with) == (
        "conflict", "ma-192-s3084-amendment-1:a_1__item_1")
    assert context.why == ("the words 'context' in 220(a) were changed by the earlier "
                           "instruction ma-192-s3084-amendment-1:a_1__item_1 ((1))")
    lines = late["ma-192-s3084-amendment-2:a_3"]
    assert (lines.status, lines.conflict_with) == (
        "conflict", "ma-192-s3084-amendment-1:a_1__item_2")
    assert late["ma-192-s3084-amendment-2:a_4"].status == "applied"
    assert not both.all_applied


def test_whole_section_replacement_of_the_general_laws(s3084: Document, corpus) -> None:  # type: ignore[no-untyped-def]
    statute = corpus.document("mgl-c6-s220-2020")
    result = amend_document(statute, s3084, new_id="mgl-c6-s220-as-amended-by-s3084")
    assert [(o.status, o.instruction.section_id) for o in result.report] == [
        ("applied", "p_1")]
    doc = result.document
    assert doc.number == "G.L. c. 6, § 220 as amended by S.3084"
    # the new section's words, and how far they can be trusted, are the bill's
    bill_status = {s.id: s.status for s, _ in iter_sections(s3084.sections)}
    assert [(s.id, s.number, s.status) for s, _ in iter_sections(doc.sections)] == [
        ("sec_220", "220", bill_status["sec_220"]),
        ("sec_220__subsec_a", "220(a)", bill_status["sec_220__subsec_a"]),
        (BIO, '220(a) "Biometric surveillance technology"', bill_status[BIO]),
        (DEF, '220(a) "Facial recognition"', bill_status[DEF])]
    assert texts(doc)[DEF] == FACIAL
    assert doc.sections[0].topics == statute.sections[0].topics  # the statute's tags stay
    # the stored copy (sec_1 with the inserted section under it) gives the same section, with
    # what that copy lacks still missing
    stored = amend_document(statute, corpus.document("ma-192-s3084")).document
    kinds = {s.id: s.status.value for s, _ in iter_sections(stored.sections)}
    assert kinds["sec_220__rest"] == "missing"
    assert texts(stored)[DEF] == FACIAL
    # the result is an ordinary document: it round-trips and compares with the statute
    again = Document.model_validate(yaml.safe_load(dump_document(doc)))
    assert again == doc
    comparison = compare_documents(statute, doc)
    assert {p.a_section.id for p in comparison.pairs if p.a_section} == {"sec_220"}


def test_a_bill_amending_the_amended_section(s3084: Document, corpus) -> None:  # type: ignore[no-untyped-def]
    amended = amend_document(corpus.document("mgl-c6-s220-2020"), s3084,
                             new_id="gl-220-as-amended").document
    result = amend_document(amended, fixture("ma-statute-amendment.yaml"))
    by = {o.instruction.section_id: o for o in result.report}
    assert by["sec_1"].status == "applied"
    assert texts(result.document)["sec_220__subsec_b"] == (
        "(b) No public agency shall acquire biometric surveillance technology.")
    assert by["sec_2"].status == "applied"  # "in subsection (a)" narrows the words' place
    assert "an automated or manual process" in texts(result.document)[DEF]
    assert (by["sec_3"].status, by["sec_3"].why) == (
        "elsewhere", "addressed to § 219, which is not in G.L. c. 6, § 220 as amended by S.3084")


def _ma(ident: str, kind: str, number: str, sections: list[dict[str, object]]) -> Document:
    return Document.model_validate({
        "id": ident, "kind": kind, "jurisdiction": "Massachusetts", "number": number,
        "title": f"{number} (written for the tests)",
        "provenance": {"completeness": "complete", "summary": "Written for the tests.",
                       "sources": [{"url": "https://malegislature.gov/Laws/GeneralLaws",
                                    "description": "test"}]},
        "sections": sections})


def test_sections_inserted_struck_and_words_located_in_a_subsection() -> None:
    chapter = _ma("gl-c6", "statute", "G.L. c. 6", [
        {"id": "sec_219", "number": "219", "text": "Section 219. Old.", "status": "official"},
        {"id": "sec_220", "number": "220", "text": "Section 220.", "status": "official",
         "children": [
             {"id": "sec_220__subsec_a", "number": "220(a)", "status": "official",
              "text": "(a) The agency may use it."},
             {"id": "sec_220__subsec_b", "number": "220(b)", "status": "official",
              "text": "(b) The agency shall report."},
             {"id": "sec_220__subsec_c", "number": "220(c)", "status": "official",
              "text": "(c) The agency shall publish."}]}])
    bill = _ma("s-1", "bill", "S.1", [
        {"id": "sec_1", "number": "SECTION 1", "status": "official", "text":
         "SECTION 1. Chapter 6 of the General Laws is hereby amended by inserting after section "
         "219 the following section:- Section 219A. The board shall meet."},
        {"id": "sec_2", "number": "SECTION 2", "status": "official", "text":
         "SECTION 2. Section 220 of chapter 6 of the General Laws is hereby amended by striking "
         "out subsection (b)."},
        {"id": "sec_3", "number": "SECTION 3", "status": "official", "text":
         'SECTION 3. Said section 220 of said chapter 6 is hereby further amended by striking '
         'out, in subsection (a), the word "agency" and inserting in place thereof the word '
         '"department".'},
        {"id": "sec_4", "number": "SECTION 4", "status": "official", "text":
         "SECTION 4. Section 219 of chapter 6 of the General Laws is hereby repealed."}])
    result = amend_document(chapter, bill)
    assert [o.status for o in result.report] == ["applied"] * 4
    doc = result.document
    assert doc.title == "G.L. c. 6 as amended by S.1, SECTION 1, SECTION 2, SECTION 3, SECTION 4"
    assert [(s.id, s.number, s.text) for s, _ in iter_sections(doc.sections)] == [
        ("sec_219", "219", "Repealed."),
        ("sec_219A", "219A", "Section 219A. The board shall meet."),
        ("sec_220", "220", "Section 220."),
        ("sec_220__subsec_a", "220(a)", "(a) The department may use it."),
        ("sec_220__subsec_c", "220(c)", "(c) The agency shall publish.")]
    assert result.changes["sec_220"] == ("s-1:sec_2",)  # its subsection (b) was struck out
