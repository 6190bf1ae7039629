"""Massachusetts bill importer: exact text, metadata, layouts, PDFs, robustness."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from billdiff.errors import BilldiffError, InputTooLarge
from billdiff.importers import dump_document, run_import
from billdiff.importers.ma_bill import (
    format_lines,
    import_ma_bill,
    ordinal_number,
    parse_line_range,
    parse_ma_bill,
    sections_in_lines,
)
from billdiff.importers.pdf import detect_format, extract_text, import_pdf
from billdiff.model import Document, iter_sections

FIXTURES = Path(__file__).parent / "fixtures" / "ma"
sys.path.insert(0, str(FIXTURES))
from make_fixtures import layout, synthetic_bill  # noqa: E402

REAL = ["ma-194-s1053", "ma-193-h4359", "ma-192-s3084", "ma-193-s927", "ma-193-h1728"]
ALL = [*REAL, "synthetic-bill"]


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def clean_lines(name: str) -> list[str]:
    return read(f"{name}.clean.txt").splitlines()


def flat(doc: Document, *, with_lines: bool = False) -> list[tuple[object, ...]]:
    out = []
    for section, depth in iter_sections(doc.sections):
        if section.id == "petition":  # its layout (columns or " | ") is not its words
            continue
        row: tuple[object, ...] = (section.id, section.number, section.text, depth)
        if with_lines:
            row += (section.lines,)
        out.append(row)
    return out


def texts(doc: Document) -> dict[str, str]:
    return {s.id: s.text for s, _ in iter_sections(doc.sections)}


# --------------------------------------------------------------------------- exact output


def test_s1053_sections_and_text_are_exact() -> None:
    doc = parse_ma_bill(read("ma-194-s1053.txt"), "ma-194-s1053")
    lines = clean_lines("ma-194-s1053")
    got = texts(doc)
    assert [s.id for s, _ in iter_sections(doc.sections)] == [
        "cover", "petition", "pinslip", "court", "title", "enacting", "sec_1", "sec_220",
        "sec_220__subsec_a", "sec_220__subsec_a__p_1",
    ]
    lead_in = next(line for line in lines if line.startswith("SECTION 1."))
    inserted = next(line for line in lines if line.startswith("Section 220."))
    assert got["sec_1"] == lead_in
    assert f"{got['sec_220']} {got['sec_220__subsec_a']}" == inserted
    assert got["sec_220__subsec_a"].startswith("(a) As used in this section, the following")
    assert got["sec_220__subsec_a__p_1"] == "“Biometric surveillance"  # cut short: kept anyway
    assert got["title"] == next(line for line in lines if line.startswith("An Act"))
    assert got["enacting"] == next(line for line in lines if line.startswith("Be it enacted"))
    assert got["pinslip"].split("\n") == [
        next(line for line in lines if line.startswith("By Ms. Creem")),
        "[SIMILAR MATTER FILED IN PREVIOUS SESSION SEE SENATE, NO. 927 OF 2023-2024.]",
    ]


def test_s1053_metadata() -> None:
    doc = parse_ma_bill(read("ma-194-s1053.txt"), "ma-194-s1053", retrieved="2025-03-01")
    assert doc.kind.value == "bill"
    assert doc.number == "S.1053"
    assert doc.session == "194th General Court (2025-2026)"
    assert doc.filed == "2025-01-13"
    assert doc.citation == "Senate, No. 1053 (194th General Court); Senate Docket No. 503"
    assert doc.title == ("An Act to implement the recommendations of the special commission "
                         "on facial recognition technology")
    assert doc.official_url == "https://malegislature.gov/Bills/194/S1053"
    assert [(s.name, s.role, s.district, s.date_added) for s in doc.sponsors] == [
        ("Cynthia Stone Creem", "sponsor", "Norfolk and Middlesex", None),
        ("Joanne M. Comerford", "petitioner", "Hampshire, Franklin and Worcester", "2025-01-28"),
        ("Rebecca L. Rausch", "petitioner", "Norfolk, Worcester and Middlesex", "2025-01-29"),
        ("Michael J. Barrett", "petitioner", "Third Middlesex", "2025-02-03"),
        ("James B. Eldridge", "petitioner", "Middlesex and Worcester", "2025-02-07"),
    ]
    prov = doc.provenance
    assert prov.completeness.value == "complete"
    assert prov.retrieved == "2025-03-01"
    assert prov.checksum == "sha256:" + hashlib.sha256(
        read("ma-194-s1053.txt").encode()).hexdigest()
    # nothing is official unless the caller says so (issue 9, item 7)
    assert {s.status.value for s, _ in iter_sections(doc.sections)} == {"single-source"}
    assert [s.official for s in prov.sources] == [False]
    said = parse_ma_bill(read("ma-194-s1053.txt"), "ma-194-s1053", official=True)
    assert {s.status.value for s, _ in iter_sections(said.sections)} == {"official"}
    assert [s.official for s in said.provenance.sources] == [True]


def test_s1053_printed_lines() -> None:
    doc = parse_ma_bill(read("ma-194-s1053.txt"), "ma-194-s1053")
    spans = {s.id: (s.lines.start, s.lines.end, s.lines.page)
             for s, _ in iter_sections(doc.sections) if s.lines}
    assert spans == {
        "sec_1": (1, 3, 1), "sec_220": (4, 4, 1), "sec_220__subsec_a": (4, 5, 1),
        "sec_220__subsec_a__p_1": (6, 6, 1),
    }
    assert [s.id for s, _ in sections_in_lines(doc, 3, 4)] == [
        "sec_1", "sec_220", "sec_220__subsec_a"]
    with pytest.raises(BilldiffError, match=r"lines 500-600 are outside ma-194-s1053, which has "
                                            r"printed lines 1-6"):
        format_lines(doc, 500, 600)
    assert parse_line_range("209-240") == (209, 240)
    assert parse_line_range("7") == (7, 7)
    for bad in ("240-209", "a-b", "0-3", ""):
        with pytest.raises(BilldiffError):
            parse_line_range(bad)


def _printed(name: str) -> dict[int, str]:
    """Printed line number -> the line's words, read straight from a laid-out fixture."""
    out = {}
    for raw in read(f"{name}.txt").splitlines():
        match = re.fullmatch(r"([0-9]+) ?(.*)", raw.strip())
        if match and not re.fullmatch(r"[0-9]+ of [0-9]+", raw.strip()):
            out[int(match.group(1))] = " ".join(match.group(2).split())
    return out


def test_show_lines_prints_exactly_the_requested_printed_lines() -> None:
    doc = parse_ma_bill(read("ma-194-s1053.txt"), "ma-194-s1053")
    printed = _printed("ma-194-s1053")
    assert format_lines(doc, 2, 4).splitlines() == [
        "2  Edition, is hereby amended by striking section 220 and inserting in place",
        "3  thereof the following section:-",
        "4  Section 220. (a) As used in this section, the following words shall, unless the",
    ]
    assert format_lines(doc, 2, 4).splitlines() == [f"{n}  {printed[n]}" for n in (2, 3, 4)]
    assert format_lines(doc, 6, 6) == "6  “Biometric surveillance"
    assert format_lines(doc, 1, 6).splitlines() == [f"{n}  {printed[n]}" for n in range(1, 7)]
    offsets = {s.id: s.lines.offsets for s, _ in iter_sections(doc.sections) if s.lines}
    assert offsets == {"sec_1": (0, 76, 150), "sec_220": (0,), "sec_220__subsec_a": (0, 67),
                       "sec_220__subsec_a__p_1": (0,)}
    sec_1 = doc.sections[6]
    assert sec_1.text[76:].startswith("Edition, is hereby")
    assert sec_1.text[150:] == "thereof the following section:-"


def test_show_lines_range_partly_outside_the_document() -> None:
    doc = parse_ma_bill(read("ma-194-s1053.txt"), "ma-194-s1053")
    assert format_lines(doc, 5, 9).splitlines() == [
        "5  context clearly requires otherwise, have the following meanings:",
        "6  “Biometric surveillance",
        "(lines 7-9 are not in ma-194-s1053, which has printed lines 1-6)",
    ]
    with pytest.raises(BilldiffError, match="line 7 is outside ma-194-s1053"):
        format_lines(doc, 7, 7)
    with pytest.raises(BilldiffError, match="no printed line numbers"):
        format_lines(parse_ma_bill(read("ma-193-s927.txt"), "x"), 1, 3)


def test_show_lines_across_a_page_break_and_every_line_of_every_fixture() -> None:
    doc = parse_ma_bill(read("synthetic-bill.txt"), "synthetic-bill")
    # (c) runs from line 35 on page 1 to line 37 on page 2 (the numbering runs on)
    assert format_lines(doc, 35, 37).splitlines() == [
        "35  (c) meadow may kettle or orchard the granary lantern any and any lantern a semi-",
        "36  automated parcel parcel quarry registry beacon such beacon the hamlet beacon to",
        "37  to.",
    ]
    for name in ("ma-194-s1053", "ma-193-h4359", "ma-192-s3084", "synthetic-bill"):
        printed = _printed(name)
        doc = parse_ma_bill(read(f"{name}.txt"), name)
        shown = format_lines(doc, min(printed), max(printed)).splitlines()
        assert len(shown) == len(printed)
        for line, (number, words) in zip(shown, sorted(printed.items()), strict=True):
            got = line.split("  ", 1)[1]
            # the text keeps no record of two labels printed without a space ("(b)(1)") or of
            # a hyphen removed when a word broken at a line end is rejoined ("infor-mation")
            assert got in (words, words.replace(")(", ") (", 1), words.rstrip("-")), (number, got)


def test_show_lines_restarting_numbers_and_sections_without_offsets() -> None:
    text = ("1 SECTION 1. The first rule applies to every clerk of every court in the whole\n"
            "2 Commonwealth of Massachusetts and to every clerk of every board of the said\n"
            "3 Commonwealth.\n\f\n"
            "1 SECTION 2. The second rule applies to every registrar of deeds in the said\n"
            "2 Commonwealth.\n")
    doc = parse_ma_bill(text, "x", source_url="https://example.org/x")
    assert [(s.lines.start, s.lines.end, s.lines.page) for s in doc.sections if s.lines] == [
        (1, 3, 1), (1, 2, 2)]
    assert format_lines(doc, 2, 2).splitlines() == [
        "page 1:", "2  Commonwealth of Massachusetts and to every clerk of every board of the said",
        "page 2:", "2  Commonwealth."]
    assert format_lines(doc, 1, 2, page=2).splitlines() == [
        "1  SECTION 2. The second rule applies to every registrar of deeds in the said",
        "2  Commonwealth."]
    # an older file: spans without offsets print the whole section, with a note
    old = parse_ma_bill(read("ma-194-s1053.txt"), "x")
    data = old.model_dump(mode="json", exclude_defaults=True)

    def strip(sections: list[dict[str, object]]) -> None:
        for section in sections:
            if isinstance(section.get("lines"), dict):
                section["lines"].pop("offsets", None)  # type: ignore[union-attr]
            strip(section.get("children", []))  # type: ignore[arg-type]

    strip(data["sections"])
    old = Document.model_validate(data)
    assert format_lines(old, 5, 5).splitlines() == [
        "[lines 4-5, page 1] 220(a): this file records no positions for its printed lines, "
        "so the whole section follows",
        texts(old)["sec_220__subsec_a"],
    ]


def test_repeated_page_headers_are_left_out_and_noted() -> None:
    for name in ALL:
        for suffix in ("", ".clean"):
            doc = parse_ma_bill(read(f"{name}{suffix}.txt"), "x")
            cover = texts(doc)["cover"].split("\n")
            headers = [line for line in cover if re.match(r"(SENATE|HOUSE)\b", line)]
            assert len(headers) == len(set(headers)) == len(
                {" ".join(re.sub(r"[ .]+", " ", h).split()) for h in headers}), (name, cover)
            assert doc.provenance.notes is not None
            assert doc.provenance.notes.startswith("Repeated page headers were removed")
    doc = parse_ma_bill(read("ma-194-s1053.txt"), "ma-194-s1053")
    assert texts(doc)["cover"].split("\n")[-2:] == [
        "An Act to implement the recommendations of the special commission on facial "
        "recognition technology.", "_______________"]
    assert texts(doc)["cover"].startswith("SENATE DOCKET, NO. 503 FILED ON: 1/13/2025\n"
                                          "SENATE . . . . . . . . . . . . . . No. 1053\n")
    assert "SENATE DOCKET, NO. 503 FILED ON: 1/13/2025" in (doc.provenance.notes or "")
    # a generic header (not a docket line) repeated at the top of a later page
    text = ("Town of Example\nDraft bylaw\nSECTION 1. Dogs shall be leashed in every park of "
            "the town at all times.\n\fTown of Example\nDraft bylaw\nSECTION 2. Cats may roam.\n")
    doc = parse_ma_bill(text, "x", source_url="https://example.org/x")
    assert "Town of Example" not in texts(doc)["sec_2"]
    assert sum(t.count("Town of Example") for t in texts(doc).values()) == 1
    plain = parse_ma_bill("SECTION 1. No header here.\n", "x", source_url="https://example.org/")
    assert plain.provenance.notes is None


def test_presenter_role_is_the_default_and_round_trips() -> None:
    from billdiff.importers import dump_document

    doc = parse_ma_bill(read("ma-194-s1053.txt"), "ma-194-s1053")
    assert doc.sponsors[0].role == "sponsor"
    data = yaml.safe_load(dump_document(doc))
    assert "role" not in data["sponsors"][0]  # left out only because "sponsor" is the default
    assert data["sponsors"][1]["role"] == "petitioner"
    assert Document.model_validate(data).sponsors == doc.sponsors


def test_imports_never_guess_truncation_and_the_field_round_trips() -> None:
    from billdiff.importers import dump_document

    doc = parse_ma_bill(read("ma-194-s1053.txt"), "ma-194-s1053")
    last = texts(doc)["sec_220__subsec_a__p_1"]
    assert last == "“Biometric surveillance"  # stops mid-sentence, yet not marked truncated
    assert not any(s.truncated for s, _ in iter_sections(doc.sections))
    assert "truncated" not in dump_document(doc)
    cut = doc.sections[-1].model_copy(update={"truncated": True})
    marked = doc.model_copy(update={"sections": (*doc.sections[:-1], cut)})
    loaded = Document.model_validate(yaml.safe_load(dump_document(marked)))
    assert loaded == marked
    assert loaded.sections[-1].truncated


def test_h4359_definitions_are_children_of_subsection_a() -> None:
    doc = parse_ma_bill(read("ma-193-h4359.txt"), "ma-193-h4359")
    lines = clean_lines("ma-193-h4359")
    got = texts(doc)
    assert got["sec_220__subsec_a__def_biometric-surveillance-technology"] == lines[-2]
    assert got["sec_220__subsec_a__def_facial-recognition"] == lines[-1]
    assert doc.number == "H.4359"
    assert doc.filed == "2024-02-05"
    assert [(s.name, s.role) for s in doc.sponsors] == [
        ("Committee on the Judiciary", "committee"), ("MICHAEL S. DAY", "reporter")]


def test_s3084_instruction_without_section_label_is_kept() -> None:
    doc = parse_ma_bill(read("ma-192-s3084.txt"), "ma-192-s3084")
    got = texts(doc)
    assert got["p_1"].startswith("Chapter 6 of the General Laws, as amended by chapter 253")
    assert got["p_1"].endswith("the following section: -")
    assert doc.session == "192nd General Court (2021-2022)"


@pytest.mark.parametrize("name", ALL)
def test_every_body_paragraph_comes_back_verbatim(name: str) -> None:
    doc = parse_ma_bill(read(f"{name}.txt"), "x")
    got = list(texts(doc).values())
    joined = {f"{a} {b}" for a, b in zip(got, got[1:], strict=False)} | set(got)
    lines = clean_lines(name)
    enacting = next((i for i, line in enumerate(lines) if line.startswith("Be it enacted")), None)
    for line in lines[(enacting + 1) if enacting is not None else len(lines):]:
        assert line in joined or line.replace(")(", ") (", 1) in joined or any(
            line == f"{a}{b}" for a, b in zip(got, got[1:], strict=False)), line


@pytest.mark.parametrize("name", ALL)
def test_laid_out_and_clean_text_give_the_same_document(name: str) -> None:
    clean = parse_ma_bill(read(f"{name}.clean.txt"), "x")
    printed = parse_ma_bill(read(f"{name}.txt"), "x")
    assert flat(printed) == flat(clean)
    assert printed.sponsors == clean.sponsors
    for field in ("number", "title", "session", "filed", "citation", "official_url"):
        assert getattr(printed, field) == getattr(clean, field)


def test_synthetic_bill_structure_is_exact() -> None:
    expected = json.loads(read("synthetic-bill.expected.json"))
    doc = parse_ma_bill(read("synthetic-bill.txt"), "synthetic-bill")
    got = texts(doc)
    body = {k: v for k, v in got.items()
            if k not in {"cover", "petition", "pinslip", "court", "title", "enacting"}}
    assert body == expected
    assert "SYNTHETIC" in doc.title
    s = "sec_1A"
    # (i) after (h)(2) is subsection (i); (i) under "(1) ... the following:" is a clause
    assert f"{s}__subsec_i" in got
    assert f"{s}__subsec_b__para_1__clause_i" in got
    assert f"{s}__subsec_a__def_delta-term__clause_ii" in got
    assert f"{s}__subsec_b__para_1__clause_ii__subpara_B" in got
    # a compound broken at its hyphen keeps it; a word broken where it also occurs whole joins
    assert "semi-automated" in got[f"{s}__subsec_c"]
    assert " information " in got[f"{s}__subsec_d"]
    numbers = {sec.id: sec.number for sec, _ in iter_sections(doc.sections)}
    assert numbers[f"{s}__subsec_b__para_1__clause_ii__subpara_A"] == "1A(b)(1)(ii)(A)"
    assert numbers["sec_2"] == "SECTION 2"
    assert numbers[f"{s}__subsec_a__def_alpha-term"] == '1A(a) "Alpha term"'


def test_thousand_section_bill_imports() -> None:
    paragraphs, expected = synthetic_bill(1000)
    text = layout(paragraphs)
    started = time.perf_counter()
    doc = parse_ma_bill(text, "synthetic-1000")
    elapsed = time.perf_counter() - started
    print(f"1,000-section synthetic bill ({len(text):,} chars): {elapsed:.3f} s")  # noqa: T201
    assert sum(1 for s in doc.sections if re.fullmatch(r"sec_\d+", s.id)) == 1000
    got = texts(doc)
    assert all(got[k] == v for k, v in expected.items())
    last = doc.sections[-1]
    assert last.id == "sec_1000"
    assert last.lines is not None
    assert last.lines.page is not None


# --------------------------------------------------------------------------- layouts


def _without_line_numbers(text: str) -> str:
    return re.sub(r"(?m)^[0-9]+ ?(?!of )", "", text)


VARIANTS = {
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "form-feeds": lambda t: re.sub(r"(?m)^( +[0-9]+ of [0-9]+)\n", "\\1\n\f", t),
    "nbsp": lambda t: re.sub(r"(?m)^([0-9]+) ", "\\1\u00a0\u00a0", t).replace(
        " of ", "\u00a0of\u00a0"),
    "missing-line-numbers": _without_line_numbers,
    "indented-and-padded": lambda t: re.sub(r"(?m)^", "   ", t).replace("\n", "   \n\n", 3),
    "bom-and-cr": lambda t: "\ufeff" + t.replace("\n", "\r"),
}


@pytest.mark.parametrize("name", ["ma-194-s1053", "ma-193-h4359", "synthetic-bill"])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_layout_variants_parse_the_same(name: str, variant: str) -> None:
    reference = parse_ma_bill(read(f"{name}.txt"), "x")
    doc = parse_ma_bill(VARIANTS[variant](read(f"{name}.txt")), "x")
    ref_rows = flat(reference)
    if variant == "indented-and-padded":  # blank lines in the cover page are kept as items
        ref_rows = [r for r in ref_rows if r[0] != "cover"]
        doc_rows = [r for r in flat(doc) if r[0] != "cover"]
    else:
        doc_rows = flat(doc)
    assert doc_rows == ref_rows
    assert doc.sponsors == reference.sponsors
    assert (doc.number, doc.session, doc.filed) == (reference.number, reference.session,
                                                    reference.filed)


def test_straight_quotes_give_the_same_structure() -> None:
    straight = read("synthetic-bill.txt").translate(str.maketrans("“”’", "\"\"'"))
    curly = parse_ma_bill(read("synthetic-bill.txt"), "x")
    doc = parse_ma_bill(straight, "x")
    table = str.maketrans("“”’", "\"\"'")
    assert [(i, n, t.translate(table), d) for i, n, t, d in flat(curly)] == flat(doc)


def test_line_number_glued_to_a_figure() -> None:
    text = ("1SECTION 1. Chapter 6 of the General Laws, as appearing in the Official Edition of\n"
            "22020 and amended since, is hereby amended by striking out the figure in line\n"
            "3four and inserting in place thereof the following section:-\n")
    doc = parse_ma_bill(text, "x", source_url="https://example.org/x")
    assert doc.sections[0].text == (
        "SECTION 1. Chapter 6 of the General Laws, as appearing in the Official Edition of 2020 "
        "and amended since, is hereby amended by striking out the figure in line four and "
        "inserting in place thereof the following section:-")
    assert doc.sections[0].lines is not None
    assert doc.sections[0].lines.end == 3


def test_unnumbered_figures_are_not_line_numbers() -> None:
    text = ("SECTION 1. The fee for a licence issued under this section shall be paid within\n"
            "10 days of the date of issue, and the clerk shall record each payment made in\n"
            "2 copies.\n")
    doc = parse_ma_bill(text, "x", source_url="https://example.org/x")
    assert [s.text for s in doc.sections] == [
        "SECTION 1. The fee for a licence issued under this section shall be paid within 10 days "
        "of the date of issue, and the clerk shall record each payment made in 2 copies.",
    ]


# --------------------------------------------------------------------------- files and PDFs


def test_import_ma_bill_from_file(tmp_path: Path) -> None:
    doc = import_ma_bill(FIXTURES / "ma-194-s1053.txt", "ma-194-s1053")
    data = (FIXTURES / "ma-194-s1053.txt").read_bytes()
    assert doc.provenance.checksum == "sha256:" + hashlib.sha256(data).hexdigest()
    assert "ma-194-s1053.txt" in doc.provenance.sources[0].description
    assert len(doc.provenance.sources) == 1
    cp1252 = tmp_path / "bill.txt"
    cp1252.write_bytes(read("ma-194-s1053.txt").encode("cp1252", "replace"))
    doc = import_ma_bill(cp1252, "x")
    assert any("Windows-1252" in note for note in doc.notes)
    assert texts(doc)["sec_220__subsec_a__p_1"] == "“Biometric surveillance"


def test_local_file_provenance_claims_only_what_billdiff_knows(tmp_path: Path) -> None:
    today = date.today().isoformat()
    path = FIXTURES / "ma-194-s1053.txt"
    doc = import_ma_bill(path, "ma-194-s1053", official=True, completeness="complete")
    prov = doc.provenance
    (source,) = prov.sources
    assert source.description == f"local file ma-194-s1053.txt, imported by billdiff on {today}"
    assert source.url == "https://malegislature.gov/Bills/194/S1053"  # the official page
    assert source.official is True  # the user's word (--official)
    assert str(FIXTURES) not in yaml.safe_dump(prov.model_dump(mode="json"))  # no folder
    assert prov.completeness.value == "complete"
    assert prov.retrieved is None  # billdiff cannot know when the file was downloaded
    assert (prov.notes or "").startswith("Repeated page headers were removed")
    assert {s.status.value for s, _ in iter_sections(doc.sections)} == {"official"}

    given = import_ma_bill(path, "x", source_url="https://example.org/s1053.txt",
                           retrieved="2025-02-01")
    assert given.provenance.sources[0].url == "https://example.org/s1053.txt"
    assert given.provenance.retrieved == "2025-02-01"

    # the defaults claim nothing: not official, single-source, partial (issue 9, item 7)
    unofficial = import_ma_bill(path, "x")
    assert unofficial.provenance.sources[0].official is False
    assert "not stated to be the official text" in unofficial.provenance.summary
    assert {s.status.value for s, _ in iter_sections(unofficial.sections)} == {"single-source"}
    assert unofficial.provenance.completeness.value == "partial"

    partial = import_ma_bill(path, "x", official=False, completeness="partial", status="excerpt")
    assert partial.provenance.completeness.value == "partial"
    assert {s.status.value for s, _ in iter_sections(partial.sections)} == {"excerpt"}

    with pytest.raises(BilldiffError, match="needs the official text"):
        import_ma_bill(path, "x", official=False, status="official")
    with pytest.raises(BilldiffError, match="invalid section status 'missing'"):
        import_ma_bill(path, "x", status="missing")
    with pytest.raises(BilldiffError, match="invalid completeness 'none'"):
        import_ma_bill(path, "x", completeness="none")


EXTRACTORS = ["pypdf", pytest.param("pdftotext", marks=pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed"))]


@pytest.mark.parametrize("extractor", EXTRACTORS)
@pytest.mark.parametrize("name", ["ma-194-s1053", "synthetic-bill"])
def test_pdf_import_matches_text_import(name: str, extractor: str) -> None:
    from_text = parse_ma_bill(read(f"{name}.txt"), name)
    doc = import_pdf(FIXTURES / f"{name}.pdf", name, extractor=extractor)  # type: ignore[arg-type]
    assert flat(doc, with_lines=True) == flat(from_text, with_lines=True)
    assert doc.sponsors == from_text.sponsors
    assert extractor in doc.provenance.sources[0].description
    assert doc.provenance.sources[0].description.startswith(f"local file {name}.pdf, imported")
    pdf = (FIXTURES / f"{name}.pdf").read_bytes()
    assert doc.provenance.checksum == "sha256:" + hashlib.sha256(pdf).hexdigest()


def _blank_pdf(path: Path, *, password: str | None = None) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    if password:
        writer.encrypt(password)
    with path.open("wb") as handle:
        writer.write(handle)


def test_pdf_import_options() -> None:
    doc = import_pdf(FIXTURES / "ma-194-s1053.pdf", "x", extractor="pypdf", official=False,
                     completeness="partial")
    assert doc.provenance.sources[0].official is False
    assert doc.provenance.completeness.value == "partial"
    assert {s.status.value for s, _ in iter_sections(doc.sections)} == {"single-source"}
    assert (doc.provenance.notes or "").startswith("Repeated page headers were removed")


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_bad_pdfs_give_clean_errors(tmp_path: Path, extractor: str) -> None:
    not_pdf = tmp_path / "a.pdf"
    not_pdf.write_text("hello")
    with pytest.raises(BilldiffError, match="not a PDF"):
        import_pdf(not_pdf, "x", extractor=extractor)  # type: ignore[arg-type]
    truncated = tmp_path / "b.pdf"
    truncated.write_bytes((FIXTURES / "ma-194-s1053.pdf").read_bytes()[:400])
    with pytest.raises(BilldiffError):
        import_pdf(truncated, "x", extractor=extractor)  # type: ignore[arg-type]
    blank = tmp_path / "c.pdf"
    _blank_pdf(blank)
    with pytest.raises(BilldiffError, match="no text layer"):
        import_pdf(blank, "x", extractor=extractor)  # type: ignore[arg-type]
    locked = tmp_path / "d.pdf"
    _blank_pdf(locked, password="secret")
    with pytest.raises(BilldiffError, match="encrypted"):
        extract_text(locked, extractor=extractor)  # type: ignore[arg-type]


def test_detect_format(tmp_path: Path) -> None:
    assert detect_format(FIXTURES / "ma-194-s1053.pdf") == "pdf"
    assert detect_format(FIXTURES / "ma-194-s1053.txt") == "ma-bill"
    assert detect_format(FIXTURES / "ma-193-h4359.clean.txt") == "ma-bill"
    plain = tmp_path / "law.txt"
    plain.write_text("Section 1. Dogs shall be leashed.\n")
    assert detect_format(plain) == "plain"
    dc = tmp_path / "1.xml"
    dc.write_text('<?xml version="1.0"?><section xmlns="https://code.dccouncil.us/schemas/'
                  'dc-library"><num>2-101</num></section>')
    assert detect_format(dc) == "dc-xml"
    other = tmp_path / "2.xml"
    other.write_text('<?xml version="1.0"?><root xmlns="urn:x"/>')
    assert detect_format(other) == "plain"
    # XML with a DOCTYPE or entities is refused, not imported as plain text (issue 11, 13)
    bomb = tmp_path / "3.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>')
    doctype = tmp_path / "4.xml"
    doctype.write_text('<?xml version="1.0"?><!DOCTYPE section SYSTEM "dc.dtd"><section '
                       'xmlns="https://code.dccouncil.us/schemas/dc-library"><num>2-101</num>'
                       '<text>A rule.</text></section>')
    for unsafe in (bomb, doctype):
        with pytest.raises(BilldiffError, match="refused unsafe XML") as info:
            detect_format(unsafe)
        assert str(unsafe) in str(info.value)
        with pytest.raises(BilldiffError, match="refused unsafe XML"):
            run_import(unsafe, "auto", "x", source_url="https://example.org/x")


# --------------------------------------------------------------------------- robustness


def test_clean_errors() -> None:
    with pytest.raises(BilldiffError, match="invalid document id"):
        parse_ma_bill(read("ma-194-s1053.txt"), "Bad Id")
    with pytest.raises(BilldiffError, match="empty"):
        parse_ma_bill(" \n\f\n ", "x", source_url="https://example.org/")
    with pytest.raises(BilldiffError, match="NUL"):
        parse_ma_bill("SECTION 1.\x00", "x", source_url="https://example.org/")
    with pytest.raises(BilldiffError, match="cannot tell which bill"):
        parse_ma_bill("SECTION 1. Something.", "x")
    with pytest.raises(InputTooLarge, match="limit"):
        parse_ma_bill("a" * 20_000_001, "x", source_url="https://example.org/")


PATHOLOGICAL = {
    "nested labels": "§" + "(a)" * 330_000 + "!",
    "one long line of digits": "1" * 1_000_000,
    "a label per line": "(a)\n" * 250_000,
    "quotes": "“" * 330_000,
    "deep ladder": "".join(f"({x}) w\n" for x in ["a", "1", "i", "A"] * 20_000),
    "hyphen at every line end": "ab-\ncd " * 150_000,
    "a numbered line each": "\n".join(f"{i}x" for i in range(1, 150_000)),
    "open definitions": "“" + "a" * 199 + "\n" * 2 + "“x”, y:\n" * 100_000,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_megabyte_inputs_finish(name: str) -> None:
    """Correctness only; how long they take is for the benchmarks (about 6 s/MB at worst)."""
    doc = parse_ma_bill(PATHOLOGICAL[name], "x", source_url="https://example.org/")
    total = sum(len(s.text) for s, _ in iter_sections(doc.sections))
    assert total > 0
    assert max(depth for _, depth in iter_sections(doc.sections)) <= 13


FRAGMENTS = st.sampled_from([
    "SECTION 1.", "SECTION 2. ", "Section 220. ", "(a) ", "(b)", "(i) ", "(h)", "(ii)", "(1) ",
    "(A) ", "“Term”, ", "“", "”", "\"", ":-", ".", ";", " and ", "1", "12", "2", " of ", "3 of 7",
    "\n", "\n", "\n", "\r\n", "\f", "\u00a0", "-", "word", "Be it enacted by the Senate and "
    "House of Representatives", "SENATE DOCKET, NO. 5 FILED ON: 1/13/2025",
    "SENATE . . . No. 5", "In the One Hundred and Ninety-Fourth General Court", "(2025-2026)",
    "PETITION OF:", "A | B | 1/2/2025", "By Ms. X, a", "An Act to", "____", "  ", "§ 3",
])


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.lists(FRAGMENTS, max_size=60).map("".join)))
def test_fuzz_parse_ma_bill(text: str) -> None:
    try:
        doc = parse_ma_bill(text, "fuzz", source_url="https://example.org/fuzz")
    except BilldiffError:
        return
    assert isinstance(doc, Document)
    ids = [s.id for s, _ in iter_sections(doc.sections)]
    assert len(ids) == len(set(ids))


def test_ordinal_numbers() -> None:
    assert ordinal_number("One Hundred and Ninety-Fourth") == 194
    assert ordinal_number("One Hundred and Ninety-Second") == 192
    assert ordinal_number("One Hundred and Eleventh") == 111
    assert ordinal_number("Nonsense") is None


# --------------------------------------------------------------------------- roles (issue 9, 5)

FRONT = {"cover", "petition", "pinslip", "court", "title", "enacting"}


@pytest.mark.parametrize("name", ALL)
def test_front_matter_sections_have_the_front_matter_role(name: str) -> None:
    doc = parse_ma_bill(read(f"{name}.txt"), name, source_url="https://example.org/x")
    roles = {s.id: s.role.value for s, _ in iter_sections(doc.sections)}
    front = {i for i in roles if i in FRONT}
    assert front, "every printed bill has some front matter"
    assert {roles[i] for i in front} == {"front-matter"}
    assert all(r == "provision" for i, r in roles.items() if i not in FRONT)
    # the role is stored (front-matter is not the default) and loads back the same
    data = yaml.safe_load(dump_document(doc))
    assert {s["id"] for s in data["sections"] if s.get("role") == "front-matter"} == front


def test_committee_report_page_is_front_matter() -> None:
    doc = parse_ma_bill(read("ma-193-h4359.txt"), "ma-193-h4359")
    cover = next(s for s in doc.sections if s.id == "cover")
    assert "to whom were referred" in cover.text  # the Judiciary committee's report page
    assert cover.role.value == "front-matter"


def test_pdf_import_keeps_the_roles() -> None:
    doc = import_pdf(FIXTURES / "ma-194-s1053.pdf", "x", extractor="pypdf")
    assert {s.id for s in doc.sections if s.role.value == "front-matter"} == FRONT


# --------------------------------------------------------------------------- limits (issue 11, 8)


def _parsing_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any parsing fail loudly: a refusal must come before it."""
    import billdiff.importers.ma_bill as ma
    import billdiff.importers.plain as plain

    def boom(*_args: object, **_kwargs: object) -> object:
        raise AssertionError("the text was parsed before its size was checked")

    monkeypatch.setattr(plain, "split_lines", boom)
    monkeypatch.setattr(ma, "split_lines", boom)
    monkeypatch.setattr(plain, "normalize_layout", boom)
    monkeypatch.setattr(ma, "normalize_layout", boom)


def test_a_text_too_big_for_a_document_is_refused_before_parsing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the reported case: a 19 MB text was parsed for 108 s (2 GB) before the 5 MB output check
    big = tmp_path / "big.txt"
    big.write_text(read("ma-194-s1053.txt") + "SECTION 2. " + "word " * 3_800_000)
    assert big.stat().st_size > 19_000_000
    _parsing_forbidden(monkeypatch)
    for fmt in ("ma-bill", "plain", "auto"):
        with pytest.raises(InputTooLarge, match="over the 5,000,000-byte limit") as info:
            run_import(big, fmt, "big", source_url="https://example.org/big")
        assert str(big) in str(info.value)
        assert "BILLDIFF_MAX_FILE_BYTES" in str(info.value)


def test_layout_does_not_count_against_the_document_limit(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # spaces, line numbers and page layout are not words: a text just over the limit in bytes
    # whose words fit is imported (and the CLI's check of the finished document still applies)
    text = read("ma-194-s1053.txt")
    monkeypatch.setenv("BILLDIFF_MAX_FILE_BYTES", str(len(text.encode()) - 10))
    wide = tmp_path / "wide.txt"
    wide.write_text(text)
    assert import_ma_bill(wide, "x").number == "S.1053"
    monkeypatch.setenv("BILLDIFF_MAX_FILE_BYTES", "1000")
    with pytest.raises(InputTooLarge, match="1,000-byte limit"):
        import_ma_bill(wide, "x")


def test_pdf_text_is_capped_page_by_page(monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdf

    pages_read: list[int] = []
    extract = pypdf.PageObject.extract_text

    def counting(self: pypdf.PageObject, *args: object, **kwargs: object) -> str:
        pages_read.append(1)
        return extract(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pypdf.PageObject, "extract_text", counting)
    total = len(pypdf.PdfReader(FIXTURES / "ma-194-s1053.pdf").pages)
    assert total >= 2
    monkeypatch.setenv("BILLDIFF_MAX_FILE_BYTES", "300")
    with pytest.raises(InputTooLarge, match="extraction stopped") as info:
        import_pdf(FIXTURES / "ma-194-s1053.pdf", "x", extractor="pypdf")
    assert str(FIXTURES / "ma-194-s1053.pdf") in str(info.value)
    assert len(pages_read) < total  # it stopped at the page that went over


MANY_PAGES = FIXTURES.parent / "pdf" / "many-pages.pdf"  # 63 pages, 260 KB of text


@pytest.mark.skipif(shutil.which("pdftotext") is None,
                    reason="poppler's pdftotext is not installed")
def test_pdftotext_output_is_capped_as_it_comes(monkeypatch: pytest.MonkeyPatch) -> None:
    # the reported case: a 2.4 MB PDF made 96 MB of text, all buffered, before the check
    import billdiff.importers.pdf as pdf

    whole = len(extract_text(MANY_PAGES, extractor="pdftotext").encode())
    assert whole > 200_000
    seen: list[int] = []
    add = pdf._TextCap.add

    def counting(self: pdf._TextCap, chunk: bytes) -> InputTooLarge | None:
        seen.append(len(chunk))
        return add(self, chunk)

    monkeypatch.setattr(pdf._TextCap, "add", counting)
    monkeypatch.setattr(pdf, "MAX_INPUT_BYTES", 50_000)
    with pytest.raises(InputTooLarge, match="over the 50,000-byte limit for imports") as info:
        import_pdf(MANY_PAGES, "x", extractor="pdftotext")
    assert str(MANY_PAGES) in str(info.value)
    assert 50_000 < sum(seen) < whole  # stopped at the first chunk past the limit
    monkeypatch.setenv("BILLDIFF_MAX_FILE_BYTES", "20000")
    monkeypatch.setattr(pdf, "MAX_INPUT_BYTES", 20_000_000)
    seen.clear()
    with pytest.raises(InputTooLarge, match="limit for corpus files"):
        import_pdf(MANY_PAGES, "x", extractor="pdftotext")
    assert sum(seen) < whole


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_bad_pdf_errors_are_one_line(tmp_path: Path, extractor: str) -> None:
    # pdftotext says several lines ("Syntax Error: ...", "Internal Error: ..."): one line here
    broken = tmp_path / "broken.pdf"
    data = (FIXTURES / "ma-194-s1053.pdf").read_bytes()
    broken.write_bytes(data[:600] + b"\n%%garbage\n" * 50 + data[-200:-100])
    with pytest.raises(BilldiffError) as info:
        import_pdf(broken, "x", extractor=extractor)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{broken}: ")
    assert "(" in message  # how to fix it


def test_pdftotext_complaints_in_one_line() -> None:
    from billdiff.importers.pdf import one_line

    assert one_line("Syntax Error: Couldn't find trailer dictionary\n"
                    "Syntax Error: Couldn't find trailer dictionary\n"
                    "Syntax Error: Couldn't read xref table\n") == (
        "Syntax Error: Couldn't find trailer dictionary; Syntax Error: Couldn't read xref table")
    assert len(one_line("x" * 1000)) == 300
