"""The DC Code XML importer (billdiff.importers.dc_xml) and the importer registry."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import SHARED

from billdiff.errors import BilldiffError, InputTooLarge
from billdiff.importers import IMPORTERS, dc_xml, dump_document, run_import
from billdiff.importers.dc_xml import import_dc_xml
from billdiff.load import read_yaml
from billdiff.model import Document, Section, TextStatus, iter_sections

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "dc" / "title-2"
CORPUS = SHARED / "corpora" / "dc-code"  # BILLDIFF_SHARED, else ../shared
NS = "https://code.dccouncil.us/schemas/dc-library"
HEAD = (
    f'<?xml version="1.0" encoding="utf-8"?>\n'
    f'<section xmlns="{NS}" xmlns:xi="http://www.w3.org/2001/XInclude" containing-doc="D.C. Code">'
)
SITE = "https://code.dccouncil.gov/us/dc/council/code"


def by_id(doc: Document) -> dict[str, Section]:
    return {s.id: s for s, _ in iter_sections(doc.sections)}


@pytest.fixture(scope="module")
def title() -> Document:
    return import_dc_xml(FIXTURES, "dc-code-title-2")


def write_section(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(HEAD + body + "</section>", encoding="utf-8")
    return path


def write_title(folder: Path, sections: dict[str, str], *, extra_includes: tuple[str, ...] = ()
                ) -> Path:
    (folder / "sections").mkdir(parents=True)
    includes = []
    for num, body in sections.items():
        write_section(folder / "sections", f"{num}.xml", f"<num>{num}</num>{body}")
        includes.append(f'<xi:include href="./sections/{num}.xml"/>')
    includes += [f'<xi:include href="{h}"/>' for h in extra_includes]
    (folder / "index.xml").write_text(
        f'<container xmlns="{NS}" xmlns:xi="http://www.w3.org/2001/XInclude">'
        "<prefix>Title</prefix><num>99</num><heading>Test Title.</heading>"
        f"<container><prefix>Chapter</prefix><num>1</num><heading>C.</heading>{''.join(includes)}"
        "</container></container>",
        encoding="utf-8",
    )
    return folder


# --------------------------------------------------------------------------------------------
# The fixture title (six real section files)


def test_title_document(title: Document) -> None:
    assert title.id == "dc-code-title-2"
    assert title.kind.value == "statute"
    assert title.jurisdiction == "District of Columbia"
    assert title.number == "D.C. Code Title 2"
    assert title.title == "Government Administration."
    prov = title.provenance
    assert prov.completeness.value == "complete"
    assert "DC Council's law-xml" in prov.summary
    assert [(s.url, s.official) for s in prov.sources] == [(f"{SITE}/titles/2", True)]
    assert prov.retrieved is None
    assert prov.notes
    assert "whitespace" in prov.notes


def test_title_order_follows_index_includes(title: Document) -> None:
    assert [s.id for s in title.sections] == [
        "sec_2-218.81", "sec_2-219.34", "sec_2-1201.02", "sec_2-1302", "sec_2-1504",
        "sec_2-1831.19",
    ]
    assert [s.number for s in title.sections] == [
        "2-218.81", "2-219.34", "2-1201.02", "2-1302", "2-1504", "2-1831.19",
    ]


def test_checksum_covers_every_file_read_in_order(title: Document) -> None:
    h = hashlib.sha256((FIXTURES / "index.xml").read_bytes())
    for s in title.sections:
        h.update((FIXTURES / "sections" / f"{s.number}.xml").read_bytes())
    assert title.provenance.checksum == "sha256:" + h.hexdigest()


def test_index_xml_path_same_as_folder(title: Document) -> None:
    assert import_dc_xml(FIXTURES / "index.xml", "dc-code-title-2") == title


def test_nested_paras_ids_numbers_and_cites(title: Document) -> None:
    sec = by_id(title)["sec_2-219.34"]
    assert sec.heading == "Functions and duties."
    assert sec.text == ""
    assert sec.status is TextStatus.OFFICIAL
    assert sec.source_url == f"{SITE}/sections/2-219.34"
    assert sec.notes == ("History: Aug. 16, 2008, D.C. Law 17-219, § 1021, 55 DCR 7598",)
    tree = [(s.id, s.number, d) for s, d in iter_sections((sec,))]
    assert tree == [
        ("sec_2-219.34", "2-219.34", 0),
        ("sec_2-219.34__para_a", "2-219.34(a)", 1),
        ("sec_2-219.34__para_a__para_1", "2-219.34(a)(1)", 2),
        ("sec_2-219.34__para_a__para_2", "2-219.34(a)(2)", 2),
        ("sec_2-219.34__para_a__para_3", "2-219.34(a)(3)", 2),
        ("sec_2-219.34__para_a__para_4", "2-219.34(a)(4)", 2),
        ("sec_2-219.34__para_b", "2-219.34(b)", 1),
        ("sec_2-219.34__para_c", "2-219.34(c)", 1),
        ("sec_2-219.34__para_c__para_1", "2-219.34(c)(1)", 2),
        ("sec_2-219.34__para_c__para_2", "2-219.34(c)(2)", 2),
        ("sec_2-219.34__para_c__para_2__para_A", "2-219.34(c)(2)(A)", 3),
        ("sec_2-219.34__para_c__para_2__para_B", "2-219.34(c)(2)(B)", 3),
        ("sec_2-219.34__para_c__para_3", "2-219.34(c)(3)", 2),
    ]
    ids = by_id(title)
    assert ids["sec_2-219.34__para_a"].text == "The Office shall:"
    assert ids["sec_2-219.34__para_c__para_2"].text == ""
    assert ids["sec_2-219.34__para_c__para_2__para_A"].text == (
        "Proposing penalties under § 2-219.03(e)(4), for beneficiaries of government-assisted "
        "projects who do not comply with the requirements of part A of this subchapter "
        "[§ 2-219.01 et seq.]."
    )
    assert ids["sec_2-219.34__para_b"].text.startswith(
        "The Department of Employment Services shall meet with the Council’s Committee"
    )


def test_section_text_before_paras_and_odd_characters(title: Document) -> None:
    sec = by_id(title)["sec_2-1302"]
    assert sec.heading == "Definitions."
    assert sec.text == "For the purposes of this chapter, the term:"
    assert [c.number for c in sec.children] == [f"2-1302({i})" for i in range(1, 7)]
    assert sec.children[0].text == (
        "“Office” means the Office on Latino Affairs created by § 2-1311."
    )
    assert sec.notes == (
        "History: Sept. 29, 1976, D.C. Law 1-86, title II, § 201, 23 DCR 2543",
        "Prior Codifications: 1973 Ed., §\u20026-1902.",  # the en space is the Code's own
        "Prior Codifications: 1981 Ed., §\u20021-2302.",
    )


def test_annotation_texts_and_reason(title: Document) -> None:
    sec = by_id(title)["sec_2-1201.02"]
    assert sec.text == "Omitted."
    assert sec.note == "Omitted"
    assert [n.split(":", 1)[0] for n in sec.notes] == [
        "History", "History", "Transfer of Functions", "Prior Codifications",
        "Prior Codifications", "Cross References", "Editor's Notes", "Editor's Notes",
        "Editor's Notes", "Editor's Notes", "Mayor's Orders", "Mayor's Orders",
    ]
    assert sec.notes[5] == (
        "Cross References: Administration, merit system, “subordinate agency” defined to include "
        "various offices, departments, and commissions, see § 1-603.01."
    )
    assert sec.notes[7] == (
        "Editor's Notes: Section 601(b)(6) of D.C. Law 10-25 provided that §\u2002301 shall "
        "apply as of October 1, 1993."
    )
    # pretty-printing and double spaces inside the source become one space
    assert "(87 Stat. 787; D.C. Code §\u20021-227(b) §\u20021-204.04(b), 2001 Ed. )" in (
        sec.notes[9])


def test_repealed_section(title: Document) -> None:
    sec = by_id(title)["sec_2-1831.19"]
    assert (sec.heading, sec.text, sec.note, sec.children) == (
        "Appropriations.", "Repealed.", "Repealed", ())
    assert sec.notes == (
        "History: Mar. 6, 2002, D.C. Law 14-76, § 22, 48 DCR 11442",
        "History: Aug. 16, 2008, D.C. Law 17-219, § 7036, 55 DCR 7598",
    )


def test_reserved_section_is_official_with_heading_and_no_text(title: Document) -> None:
    sec = title.sections[0]
    assert sec.id == "sec_2-218.81"
    assert sec.heading == "[Reserved]."
    assert sec.status is TextStatus.OFFICIAL
    assert sec.text == ""
    assert sec.note
    assert "no text" in sec.note
    assert sec.source_url == f"{SITE}/sections/2-218.81"


def test_several_texts_and_aftertext(title: Document) -> None:
    sec = by_id(title)["sec_2-1504"]
    assert [(c.id, c.number) for c in sec.children] == [
        ("sec_2-1504__para_a", "2-1504(a)"),
        ("sec_2-1504__para_b", "2-1504(b)"),
        ("sec_2-1504__para_c", "2-1504(c)"),
        ("sec_2-1504__aftertext_1", None),
        ("sec_2-1504__aftertext_2", None),
    ]
    c = sec.children[2]
    lines = c.text.split("\n")
    assert lines[0].startswith("The following positions and their associated funding")
    assert lines[1] == "One special assistant to the Mayor GS-16"  # source has two spaces
    assert lines[-1] == "One secretary GS-7"
    assert len(lines) == 13
    assert sec.children[3].text.startswith("Consistent with this subchapter")
    assert sec.children[4].text.endswith("or an administrative order of the Director.")


def test_single_section_file() -> None:
    doc = import_dc_xml(FIXTURES / "sections" / "2-219.34.xml", "dc-2-219-34")
    assert doc.number == "D.C. Code § 2-219.34"
    assert doc.title == "Functions and duties."
    assert [s.url for s in doc.provenance.sources] == [f"{SITE}/sections/2-219.34"]
    raw = (FIXTURES / "sections" / "2-219.34.xml").read_bytes()
    assert doc.provenance.checksum == "sha256:" + hashlib.sha256(raw).hexdigest()
    assert len(doc.sections) == 1
    assert len(iter_sections(doc.sections)) == 13


# --------------------------------------------------------------------------------------------
# Odd shapes (synthetic, modelled on corpus files)


def test_duplicate_sibling_nums_get_suffixes(tmp_path: Path) -> None:
    path = write_section(tmp_path, "1-1.xml", (
        "<num>1-1</num><heading>H.</heading>"
        "<para><num>(1B)</num><text>first</text></para>"
        "<para><num>(1B)</num><text>second</text><para><num>(i)</num><text>x</text></para></para>"
        "<para><num>(1B)</num><text>third</text></para>"
    ))
    doc = import_dc_xml(path, "d")
    assert [c.id for c in doc.sections[0].children] == [
        "sec_1-1__para_1B", "sec_1-1__para_1B__2", "sec_1-1__para_1B__3"]
    assert doc.sections[0].children[1].children[0].id == "sec_1-1__para_1B__2__para_i"
    assert [c.number for c in doc.sections[0].children] == ["1-1(1B)"] * 3
    assert doc.provenance.notes
    assert "sec_1-1__para_1B -> sec_1-1__para_1B__2" in doc.provenance.notes


def test_case_kept_prefix_undesignated_and_positional_ids(tmp_path: Path) -> None:
    path = write_section(tmp_path, "7-1.xml", (
        "<num>7-1</num><heading>H.</heading>"
        '<para><num undesignated="true">(a)</num><para><num>(A)</num><text>big A</text></para>'
        "</para>"
        "<para><prefix>Article</prefix><num>IV</num><heading>Definitions</heading>"
        "<text>art</text></para>"
        "<para><text>no num</text></para>"
        "<para><num>(*)</num><text>odd num</text></para>"
        "<para><num>(9)</num></para>"  # nothing but a num: skipped
    ))
    sec = import_dc_xml(path, "d").sections[0]
    got = [(s.id, s.number, s.heading, s.text) for s, _ in iter_sections(sec.children)]
    assert got == [
        ("sec_7-1__para_a", "7-1", None, ""),
        ("sec_7-1__para_a__para_A", "7-1(A)", None, "big A"),
        ("sec_7-1__para_IV", "7-1 Article IV", "Definitions", "art"),
        ("sec_7-1__para_3", "7-1", None, "no num"),
        ("sec_7-1__para_4", "7-1(*)", None, "odd num"),
    ]


def test_whitespace_markup_tables_and_unknown_elements(tmp_path: Path) -> None:
    path = write_section(tmp_path, "7-2.xml", (
        "<num>7-2</num>\n  <heading>Odd\n   <em>heading</em>.</heading>\n"
        "<text>\n    A “quoted”  <em>word</em>,\u2002en space,\n  <cite path='§1'>§ 1-1</cite>"
        "<code-cite doc='x'>(a)</code-cite>.\n  </text>\n"
        "<text><center>TITLE <strong>ONE</strong></center></text>"
        "<text>Table:<table><tr><th>A</th><th>B</th></tr>"
        "<tr><td>1</td><td>2</td></tr></table>after</text>"
        "<mystery>kept <b>too</b></mystery><heading>second heading</heading>"
        "<para><num>(a)</num><reason>Repealed</reason><text>Repealed.</text>"
        "<annotations><annotation type='History'>P</annotation></annotations></para>"
        "<annotations><annotation type='History'>H\n  1</annotation>"
        "<annotation>untyped</annotation><text type='Editor&apos;s Notes'>E</text></annotations>"
    ))
    sec = import_dc_xml(path, "d").sections[0]
    assert sec.heading == "Odd heading."
    assert sec.text == (
        "A “quoted” word,\u2002en space, § 1-1(a).\nTITLE ONE\nTable:\nA B\n1 2\nafter\nkept too"
        "\nsecond heading"
    )
    para = sec.children[0]
    assert (para.text, para.note, para.notes) == ("Repealed.", "Repealed", ("History: P",))
    assert sec.notes == ("History: H 1", "Note: untyped", "Editor's Notes: E")


def test_every_importer_registered() -> None:
    assert IMPORTERS["dc-xml"] is import_dc_xml


# --------------------------------------------------------------------------------------------
# Errors


def test_malformed_xml(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(HEAD + "<num>1</num>\n<text>oops</section>", encoding="utf-8")
    with pytest.raises(BilldiffError) as err:
        import_dc_xml(path, "d")
    assert err.value.what.startswith("not valid DC Code XML: mismatched tag")
    assert err.value.where == f"{path}:3"
    assert "\n" not in str(err.value)


def test_wrong_root(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text(f'<container xmlns="{NS}"><num>1</num></container>', encoding="utf-8")
    with pytest.raises(BilldiffError, match=r"root element is <container .*expected <section>"):
        import_dc_xml(path, "d")
    path.write_text("<section><num>1</num></section>", encoding="utf-8")
    with pytest.raises(BilldiffError, match=r"root element is <section \(no namespace\)>"):
        import_dc_xml(path, "d")
    with pytest.raises(BilldiffError, match="expected <container>"):
        import_dc_xml(_index_pointing_to_section(tmp_path), "d")


def _index_pointing_to_section(tmp_path: Path) -> Path:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "index.xml").write_bytes((FIXTURES / "sections" / "2-1302.xml").read_bytes())
    return folder


def test_billion_laughs_refused(tmp_path: Path) -> None:
    lol = "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    path = tmp_path / "lol.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE section [<!ENTITY lol0 "lol">{lol}]>'
        f'<section xmlns="{NS}"><num>1</num><text>&lol9;</text></section>', encoding="utf-8")
    with pytest.raises(BilldiffError, match="refused unsafe XML"):
        import_dc_xml(path, "d")


def test_external_entity_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    path = tmp_path / "xxe.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE section [<!ENTITY x SYSTEM "file://{secret}">]>'
        f'<section xmlns="{NS}"><num>1</num><text>&x;</text></section>', encoding="utf-8")
    with pytest.raises(BilldiffError, match="refused unsafe XML") as err:
        import_dc_xml(path, "d")
    assert "SECRET" not in str(err.value)


def test_missing_include(tmp_path: Path) -> None:
    folder = write_title(tmp_path / "t", {"1-1": "<text>a</text>"},
                         extra_includes=("./sections/1-2.xml",))
    with pytest.raises(BilldiffError, match=r"included file './sections/1-2.xml' not found") as e:
        import_dc_xml(folder, "d")
    assert e.value.where == str(folder / "index.xml")


def test_include_outside_folder_refused(tmp_path: Path) -> None:
    write_section(tmp_path, "outside.xml", "<num>1</num><text>a</text>")
    folder = write_title(tmp_path / "t", {}, extra_includes=("../outside.xml",))
    with pytest.raises(BilldiffError, match="outside the title folder"):
        import_dc_xml(folder, "d")
    folder = write_title(tmp_path / "u", {}, extra_includes=("http://example.com/x.xml",))
    with pytest.raises(BilldiffError, match="not a relative link"):
        import_dc_xml(folder, "d")


def test_folder_without_index(tmp_path: Path) -> None:
    with pytest.raises(BilldiffError, match="folder has no index.xml"):
        import_dc_xml(tmp_path, "d")


def test_size_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dc_xml, "MAX_FILE_BYTES", 1000)
    with pytest.raises(InputTooLarge, match="over the 1,000-byte limit"):
        import_dc_xml(FIXTURES / "sections" / "2-219.34.xml", "d")
    monkeypatch.setattr(dc_xml, "MAX_FILE_BYTES", 20 * 1024 * 1024)
    monkeypatch.setattr(dc_xml, "MAX_TOTAL_BYTES", 10_000)
    with pytest.raises(InputTooLarge, match="over the 10,000-byte limit"):
        import_dc_xml(FIXTURES, "d")


def test_bad_document_id() -> None:
    with pytest.raises(BilldiffError, match="cannot build the document: id"):
        import_dc_xml(FIXTURES / "sections" / "2-1302.xml", "Not An Id")


def test_unknown_format_lists_known() -> None:
    with pytest.raises(BilldiffError, match=r"unknown import format 'docx'.*dc-xml"):
        run_import(FIXTURES, "docx", "d")


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(BilldiffError, match="no such file or folder"):
        run_import(tmp_path / "nope", "dc-xml", "d")
    with pytest.raises(BilldiffError, match="no such file or folder"):
        import_dc_xml(tmp_path / "nope.xml", "d")


# --------------------------------------------------------------------------------------------
# YAML round trip


def roundtrip(doc: Document, tmp_path: Path) -> Document:
    path = tmp_path / f"{doc.id}.yaml"
    path.write_text(dump_document(doc), encoding="utf-8")
    data, _lines = read_yaml(path)
    return Document.model_validate(data)


def test_yaml_round_trip_real_sections(title: Document, tmp_path: Path) -> None:
    assert roundtrip(title, tmp_path) == title


def test_yaml_round_trip_strings_that_look_like_other_types(tmp_path: Path) -> None:
    tricky = ["1.10", "220", "NO", "2025-01-13", "yes", "null", "~", "true", "0x1F", "1_000",
              "012", "1:20", "+5", ".inf", "1e3", "-7"]
    sections = {
        f"s{i}": f"<heading>{t}</heading><text>{t}</text>"
        f"<para><num>{t}</num><text>{t}</text></para>"
        for i, t in enumerate(tricky)
    }
    folder = write_title(tmp_path / "t", sections)
    doc = import_dc_xml(folder, "tricky")
    for sec, t in zip(doc.sections, tricky, strict=True):
        assert (sec.heading, sec.text, sec.children[0].text) == (t, t, t)
    text = dump_document(doc)
    assert "heading: '1.10'" in text
    assert "heading: '220'" in text
    assert "heading: 'NO'" in text
    assert roundtrip(doc, tmp_path) == doc


def test_yaml_round_trip_sections_numbered_like_numbers(tmp_path: Path) -> None:
    folder = write_title(tmp_path / "t", {
        n: "<heading>H</heading><text>Text \u2002 “x” — ‘y’ é\t\n z:</text>"
        for n in ("1.10", "220", "2025-01-13")
    })
    doc = import_dc_xml(folder, "numbers")
    assert [s.number for s in doc.sections] == ["1.10", "220", "2025-01-13"]
    assert doc.sections[0].text == "Text \u2002 “x” — ‘y’ é z:"
    assert roundtrip(doc, tmp_path) == doc


# --------------------------------------------------------------------------------------------
# The real corpus (../shared/corpora/dc-code)

TITLES = ["2019-01-04/2", "2019-01-04/7", "2026-06-30/2", "2026-06-30/7"]
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"DC Code corpus not found at {CORPUS}")


def _independent_scan(folder: Path) -> tuple[int, str, str]:
    """Sections, non-whitespace text characters and annotation characters, by plain ElementTree."""
    t = f"{{{NS}}}"
    index = ET.parse(folder / "index.xml").getroot()
    hrefs = [e.get("href") for e in index.iter("{http://www.w3.org/2001/XInclude}include")]
    count, texts, notes = 0, [], []
    for href in hrefs:
        root = ET.parse(folder / str(href)).getroot()
        count += sum(1 for _ in root.iter(t + "section"))
        for elem in root.iter():
            if elem.tag in (t + "text", t + "aftertext") and elem not in _annotation_kids(root, t):
                texts.append("".join(elem.itertext()))
        for block in root.findall(t + "annotations"):
            for item in block:
                notes.append((item.get("type") or "Note") + ":" + "".join(item.itertext()))
    squash = re.compile(r"[ \t\r\n]+")
    return count, squash.sub("", "".join(texts)), squash.sub("", "".join(notes))


def _annotation_kids(root: ET.Element, t: str) -> list[ET.Element]:
    return [k for block in root.findall(t + "annotations") for k in block]


@pytest.mark.corpus
@needs_corpus
@pytest.mark.parametrize("release_title", TITLES)
def test_corpus_title_imports_completely(release_title: str) -> None:
    folder = CORPUS / release_title
    doc = import_dc_xml(folder, "dc-" + release_title.replace("/", "-"))
    every = [s for s, _ in iter_sections(doc.sections)]
    assert len({s.id for s in every}) == len(every)
    count, texts, notes = _independent_scan(folder)
    assert len(doc.sections) == count
    squash = re.compile(r"[ \t\r\n]+")
    ours = squash.sub("", "".join(s.text for s in every))
    assert ours == texts  # every non-whitespace character of every <text>, in order
    assert squash.sub("", "".join(n.replace(": ", ":", 1) for s in every for n in s.notes)) == (
        notes)
    assert all(s.status in (TextStatus.OFFICIAL, TextStatus.MISSING) for s in every)
    assert all(s.heading == "[Reserved]." for s in every if s.status is TextStatus.MISSING)


@pytest.mark.corpus
@needs_corpus
def test_corpus_word_counts_match_itertext_scan() -> None:
    folder = CORPUS / "2026-06-30" / "7"
    doc = import_dc_xml(folder, "dc")
    t = f"{{{NS}}}"
    words = 0
    for path in sorted((folder / "sections").glob("*.xml")):
        root = ET.parse(path).getroot()
        skip = set(_annotation_kids(root, t))
        for elem in root.iter():
            if elem.tag in (t + "text", t + "aftertext") and elem not in skip:
                words += len("".join(elem.itertext()).split())
    assert sum(len(s.text.split()) for s, _ in iter_sections(doc.sections)) == words


@pytest.mark.corpus
@pytest.mark.slow
@needs_corpus
def test_corpus_yaml_round_trip(tmp_path: Path) -> None:
    doc = import_dc_xml(CORPUS / "2026-06-30" / "2", "dc-2026-title-2")
    assert roundtrip(doc, tmp_path) == doc


# -- what the user says about the file (issue 9, items 5 and 7) ------------------------------


def test_run_import_claims_official_only_when_told(title: Document) -> None:
    default = run_import(FIXTURES, "dc-xml", "dc-code-title-2")
    assert [s.official for s in default.provenance.sources] == [False]
    statuses = {s.status for s, _ in iter_sections(default.sections)}
    assert TextStatus.OFFICIAL not in statuses
    assert TextStatus.SINGLE_SOURCE in statuses
    # a section the XML gives no text stays missing; only held text changes its status
    assert {s.status for s, _ in iter_sections(title.sections)} - {TextStatus.OFFICIAL} <= (
        statuses - {TextStatus.SINGLE_SOURCE})
    assert "not stated to be the Council's official text" in default.provenance.summary
    # a title folder read whole is complete, whatever the user says of its origin
    assert default.provenance.completeness.value == "complete"
    said = run_import(FIXTURES, "dc-xml", "dc-code-title-2", official=True)
    assert said == title
    excerpt = run_import(FIXTURES, "auto", "dc-code-title-2", status="excerpt",
                         completeness="partial")
    assert TextStatus.EXCERPT in {s.status for s, _ in iter_sections(excerpt.sections)}
    assert excerpt.provenance.completeness.value == "partial"
    with pytest.raises(BilldiffError, match="needs the official text"):
        run_import(FIXTURES, "dc-xml", "d", status="official")


def test_dc_code_has_no_front_matter(title: Document) -> None:
    assert {s.role.value for s, _ in iter_sections(title.sections)} == {"provision"}
