"""The D.C. law importer: the law's English, never the codifiers' markup."""

from __future__ import annotations

import copy
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from billdiff.errors import BilldiffError
from billdiff.importers.dc_law import (
    CODIFY,
    CodeCite,
    import_dc_law,
    import_dc_law_marked,
    parse_dc_law,
    parse_dc_law_marked,
    strip_codify,
)
from billdiff.model import Document, iter_sections

FIXTURES = Path(__file__).parent / "fixtures" / "amend" / "dc"
LAWS = sorted(FIXTURES.glob("*/law.xml"))
NS = "https://code.dccouncil.us/schemas/dc-library"


def rows(doc: Document) -> list[tuple[str, str | None, str | None, str]]:
    return [(s.id, s.number, s.heading, s.text) for s, _ in iter_sections(doc.sections)]


def test_law_24_100_is_read_exactly() -> None:
    doc = import_dc_law(FIXTURES / "L24-100__7-741.03" / "law.xml", "dc-law-24-100")
    assert doc.number == "D.C. Law 24-100"
    assert doc.title == ("Department of Health Functions Clarification Temporary Amendment Act "
                         "of 2021")
    assert doc.citation == "D.C. Law 24-100; D.C. Act 24-290; Bill 24-541; 69 DCR 000595"
    assert doc.status == "Effective 2022-03-15; temporary law (expires after 225 days)"
    assert doc.filed == "2022-03-15"
    assert doc.kind.value == "statute"
    assert doc.provenance.checksum is not None
    assert doc.provenance.checksum.startswith("sha256:")
    got = rows(doc)
    assert [r[0] for r in got] == [
        "enacting", "sec_2", "sec_2__para_a", "sec_2__para_b", "sec_2__para_c",
        "sec_2__para_c__quote_1", "sec_2__para_c__quote_1__para_7", "sec_2__para_c__aftertext_1",
        "sec_3", "sec_4", "sec_4__para_a", "sec_4__para_b",
    ]
    by_id = {r[0]: r for r in got}
    assert by_id["sec_2"][1:] == ("Sec. 2", None, (
        "Section 4917(a) of the Department of Health Functions Clarification Act of 2001, "
        "effective April 4, 2006 (D.C. Law 16-90; D.C. Official Code § 7-741.03(a)), is "
        "amended as follows:"))
    assert by_id["sec_2__para_a"][1:] == ("Sec. 2(a)", None, (
        'Paragraph (5) is amended by striking the phrase "; and" and inserting a semicolon in '
        "its place."))
    # quoted text: numbered afresh, the law's words (its "this Part", not the Code's rendering)
    assert by_id["sec_2__para_c__quote_1__para_7"][1:] == ("(7)", None, (
        "Notwithstanding any other requirement of this Part, no total revenue requirement "
        "shall apply to the establishment located at 1120 9th Street, N.W."))
    assert by_id["sec_2__para_c__aftertext_1"][3] == "."
    assert by_id["sec_3"][2] == "Fiscal impact statement."


@pytest.mark.parametrize("path", LAWS, ids=lambda p: p.parent.name)
def test_the_same_document_with_and_without_the_codifiers_markup(path: Path,
                                                                  tmp_path: Path) -> None:
    """Strip every codify:* element and attribute by hand (independently of the importer):
    the importer's result does not change, so it never read them."""
    tree = ET.parse(path)
    root = tree.getroot()
    removed = 0
    for parent in list(root.iter()):
        for name in [a for a in parent.attrib if a.startswith(f"{{{CODIFY}}}")]:
            del parent.attrib[name]
            removed += 1
        kids = list(parent)
        for i, child in enumerate(kids):
            if child.tag.startswith(f"{{{CODIFY}}}"):
                if child.tail and child.tail.strip():  # keep the law's words after it
                    if i:
                        kids[i - 1].tail = (kids[i - 1].tail or "") + child.tail
                    else:
                        parent.text = (parent.text or "") + child.tail
                parent.remove(child)
                removed += 1
    assert removed > 0, "the fixture should carry codifiers' markup"
    stripped = tmp_path / "law.xml"
    tree.write(stripped, encoding="utf-8", xml_declaration=True)
    with_markup, refs_with = import_dc_law_marked(path, "law")
    without, refs_without = import_dc_law_marked(stripped, "law")
    assert with_markup.sections == without.sections
    assert with_markup.model_dump(exclude={"provenance"}) == without.model_dump(
        exclude={"provenance"})
    # the law's own reference markup read beside it does not depend on them either
    assert refs_with == refs_without
    assert import_dc_law(path, "law").sections == with_markup.sections


def test_codifiers_text_never_reaches_the_document() -> None:
    """Words inside codify elements and codify:value attributes are the answer key."""
    xml = f"""<document xmlns="{NS}" xmlns:codify="{CODIFY}">
      <num type="law">99-1</num><heading type="short">Test Act</heading>
      <section codify:path="§1-101">
        <num>2</num>
        <text>Section 5 (D.C. Official Code § 1-101) is amended by striking the phrase
          "<span codify:value="SECRET-VALUE">the effective date</span>" and inserting
          "30 days" in its place.</text>
        <codify:find-replace><find>SECRET-FIND</find><replace>SECRET-REPLACE</replace>
        </codify:find-replace> and these words stay.
      </section>
    </document>"""
    doc = parse_dc_law(ET.fromstring(xml), "law")
    dumped = doc.model_dump_json()
    assert "SECRET" not in dumped
    sec = doc.sections[0]
    assert sec.text.startswith('Section 5 (D.C. Official Code § 1-101) is amended by striking '
                               'the phrase "the effective date" and inserting "30 days"')
    # the words after a removed element are the law's: kept, in place (own text: no child yet)
    assert sec.text.endswith("in its place.\nand these words stay.")
    assert sec.children == ()


def test_strip_codify_keeps_the_tail_and_counts() -> None:
    root = ET.fromstring(f'<a xmlns:c="{CODIFY}"><b/><c:x>gone</c:x> kept<c:y/></a>')
    assert strip_codify(copy.deepcopy(root)) == 2
    strip_codify(root)
    assert ET.tostring(root, encoding="unicode").endswith("<b /> kept</a>")


def test_bad_input_gives_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(BilldiffError, match="no such file"):
        import_dc_law(tmp_path / "missing.xml", "law")
    section = tmp_path / "section.xml"
    section.write_text(f'<section xmlns="{NS}"><num>1-101</num></section>', encoding="utf-8")
    with pytest.raises(BilldiffError, match=r"not a D\.C\. law file: root element is <section"):
        import_dc_law(section, "law")
    broken = tmp_path / "broken.xml"
    broken.write_text("<document", encoding="utf-8")
    with pytest.raises(BilldiffError, match="not valid DC Code XML"):
        import_dc_law(broken, "law")
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<!DOCTYPE d [<!ENTITY a "aaaa">]><document>&a;</document>',
                    encoding="utf-8")
    with pytest.raises(BilldiffError, match="refused unsafe XML"):
        import_dc_law(bomb, "law")
    empty = tmp_path / "empty.xml"
    empty.write_text(f'<document xmlns="{NS}"><num type="law">1-1</num></document>',
                     encoding="utf-8")
    with pytest.raises(BilldiffError, match="has no sections"):
        import_dc_law(empty, "law")
    with pytest.raises(BilldiffError, match="cannot build the document: id"):
        import_dc_law(LAWS[0], "Not An Id")
    err = pytest.raises(BilldiffError, import_dc_law, section, "law").value
    assert "\n" not in str(err)


def test_the_laws_references_are_recorded_beside_its_words() -> None:
    doc, markup = import_dc_law_marked(FIXTURES / "L24-100__7-741.03" / "law.xml", "law")
    assert markup.references("sec_2__para_c__quote_1__para_7") == (
        CodeCite("code-cite", 41, 50, "this Part", "7|7A|II", "D.C. Code"),)
    assert (markup.effective, markup.short_title, markup.law, markup.act, markup.bill) == (
        "2022-03-15", "Department of Health Functions Clarification Temporary Amendment Act of "
        "2021", "24-100", "24-290", "24-541")
    by_id = {s.id: s for s, _ in iter_sections(doc.sections)}
    for section_id, refs in markup.text.items():  # every offset points at its words
        for ref in refs:
            assert by_id[section_id].text[ref.start:ref.end] == ref.words


def test_offsets_hold_across_joined_texts_headings_and_whitespace() -> None:
    xml = f"""<document xmlns="{NS}" xmlns:codify="{CODIFY}">
      <num type="law">99-1</num><heading type="short">Test Act</heading>
      <section><num>2</num>
        <heading>Under <cite doc="D.C. Code" path="§1-102">section 2</cite></heading>
        <text>First  text.</text>
        <text>Under <code-cite doc="D.C. Code" path="7|16B" codify:value="x"> this
          act </code-cite>, and <code-cite doc="D.C. Code" path="§1-101"/> nothing.</text>
      </section>
    </document>"""
    doc, markup = parse_dc_law_marked(ET.fromstring(xml), "law")
    section = doc.sections[0]
    assert section.text == "First text.\nUnder this act , and nothing."
    assert markup.references("sec_2") == (
        CodeCite("code-cite", 18, 26, "this act", "7|16B", "D.C. Code"),)
    assert section.heading == "Under section 2"
    assert markup.references("sec_2", "heading") == (
        CodeCite("cite", 6, 15, "section 2", "§1-102", "D.C. Code"),)
