"""Plain enumerated text importer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billdiff.errors import BilldiffError
from billdiff.importers.plain import import_plain, parse_plain, roman_value, slug
from billdiff.model import Document, iter_sections

URL = "https://example.org/ordinance"

ORDINANCE = """Town of Example Leash Ordinance

Section 1. Definitions. As used in this ordinance:
"Dog", any domesticated canine.
"Owner", a person who keeps a dog.

Section 2. (a) No owner shall allow a dog to run at large.
(b) The following are exempt:
(1) working dogs, including:
(i) herding dogs; and
(ii) guide dogs;
(2) dogs in a dog park.
A dog found at large may be impounded.

§ 3 Penalties. Whoever violates this ordinance shall be fined $50.

SECTION 4. This ordinance takes effect on passage.
"""


def ids_and_texts(doc: Document) -> list[tuple[str, str | None, str]]:
    return [(s.id, s.number, s.text) for s, _ in iter_sections(doc.sections)]


def test_plain_ordinance_structure() -> None:
    doc = parse_plain(ORDINANCE, "example-leash", source_url=URL, kind="ordinance")
    assert doc.kind.value == "ordinance"
    assert doc.title == "Town of Example Leash Ordinance"
    assert ids_and_texts(doc) == [
        ("title", None, "Town of Example Leash Ordinance"),
        ("sec_1", "1", "Section 1. Definitions. As used in this ordinance:"),
        ("sec_1__def_dog", '1 "Dog"', '"Dog", any domesticated canine.'),
        ("sec_1__def_owner", '1 "Owner"', '"Owner", a person who keeps a dog.'),
        ("sec_2", "2", "Section 2."),
        ("sec_2__subsec_a", "2(a)", "(a) No owner shall allow a dog to run at large."),
        ("sec_2__subsec_b", "2(b)", "(b) The following are exempt:"),
        ("sec_2__subsec_b__para_1", "2(b)(1)", "(1) working dogs, including:"),
        ("sec_2__subsec_b__para_1__clause_i", "2(b)(1)(i)", "(i) herding dogs; and"),
        ("sec_2__subsec_b__para_1__clause_ii", "2(b)(1)(ii)", "(ii) guide dogs;"),
        ("sec_2__subsec_b__para_2", "2(b)(2)", "(2) dogs in a dog park."),
        ("sec_2__subsec_b__para_2__p_1", None, "A dog found at large may be impounded."),
        ("sec_3", "3", "§ 3 Penalties. Whoever violates this ordinance shall be fined $50."),
        ("sec_4", "4", "SECTION 4. This ordinance takes effect on passage."),
    ]
    assert doc.provenance.sources[0].url == URL


def test_plain_defaults_to_statute_and_needs_a_source() -> None:
    doc = parse_plain("Section 1. A rule.", "law", source_url=URL)
    assert doc.kind.value == "statute"
    assert doc.sections[0].id == "sec_1"
    with pytest.raises(BilldiffError, match="source URL"):
        parse_plain("Section 1. A rule.", "law")
    with pytest.raises(BilldiffError, match="invalid source URL"):
        parse_plain("Section 1. A rule.", "law", source_url="file:///etc/passwd")


def test_wrapped_plain_text_is_rejoined() -> None:
    text = ("Section 1. The clerk shall keep a register of every licence issued under this\n"
            "chapter, with the name of the holder.\n"
            "(a) The register is public.\n")
    doc = parse_plain(text, "law", source_url=URL)
    assert ids_and_texts(doc) == [
        ("sec_1", "1", "Section 1. The clerk shall keep a register of every licence issued "
                       "under this chapter, with the name of the holder."),
        ("sec_1__subsec_a", "1(a)", "(a) The register is public."),
    ]


def test_section_numbers_keep_their_form() -> None:
    doc = parse_plain("Section 1.10. Ten.\n\nSection 7D1/2. Half.\n\n§ 2-101. DC style.",
                      "law", source_url=URL)
    assert [(s.id, s.number) for s in doc.sections] == [
        ("sec_1.10", "1.10"), ("sec_7D1-2", "7D1/2"), ("sec_2-101", "2-101")]


def test_section_reference_at_line_start_is_not_a_section() -> None:
    doc = parse_plain("Section 3 of chapter 40 is hereby amended.\n\nSection 4. New.",
                      "law", source_url=URL)
    assert [s.id for s in doc.sections] == ["title", "sec_4"]


def test_import_plain_file(tmp_path: Path) -> None:
    path = tmp_path / "ordinance.txt"
    path.write_text(ORDINANCE.replace("\n", "\r\n"), encoding="utf-8")
    doc = import_plain(path, "example-leash", source_url=URL)
    assert ids_and_texts(doc) == ids_and_texts(
        parse_plain(ORDINANCE, "example-leash", source_url=URL))
    assert "ordinance.txt" in doc.provenance.sources[0].description
    with pytest.raises(BilldiffError, match="cannot read"):
        import_plain(tmp_path / "missing.txt", "x", source_url=URL)
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\x81\x8d\x8f\x90\x9d")
    with pytest.raises(BilldiffError, match="not text"):
        import_plain(binary, "x", source_url=URL)


def test_import_plain_provenance_options(tmp_path: Path) -> None:
    path = tmp_path / "ordinance.txt"
    path.write_text(ORDINANCE, encoding="utf-8")
    today = date.today().isoformat()
    doc = import_plain(path, "example-leash", source_url=URL, official=True,
                       completeness="complete")
    (source,) = doc.provenance.sources
    assert source.description == f"local file ordinance.txt, imported by billdiff on {today}"
    assert source.url == URL
    assert source.official is True
    assert doc.provenance.completeness.value == "complete"
    assert doc.provenance.retrieved is None
    assert {s.status.value for s, _ in iter_sections(doc.sections)} == {"official"}
    # the defaults claim nothing the user did not say (issue 9, item 7)
    default = import_plain(path, "example-leash", source_url=URL)
    assert default.provenance.sources[0].official is False
    assert default.provenance.completeness.value == "partial"
    assert {s.status.value for s, _ in iter_sections(default.sections)} == {"single-source"}
    copy = import_plain(path, "example-leash", source_url=URL, official=False,
                        completeness="partial", status="excerpt", retrieved="2025-01-02")
    assert copy.provenance.sources[0].official is False
    assert copy.provenance.completeness.value == "partial"
    assert copy.provenance.retrieved == "2025-01-02"
    assert {s.status.value for s, _ in iter_sections(copy.sections)} == {"excerpt"}
    assert {s.status.value for s, _ in iter_sections(
        import_plain(path, "x", source_url=URL, official=False).sections)} == {"single-source"}
    with pytest.raises(BilldiffError, match="needs the official text"):
        import_plain(path, "x", source_url=URL, official=False, status="official")
    with pytest.raises(BilldiffError, match="invalid completeness"):
        import_plain(path, "x", source_url=URL, completeness="most")


def test_helpers() -> None:
    assert [roman_value(x) for x in ("i", "iv", "ix", "xl", "iiii", "vx", "a")] == [
        1, 4, 9, 40, None, None, None]
    assert slug("“Biometric surveillance technology”") == "biometric-surveillance-technology"
    assert slug("***") == "term"


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from(
    ["Section 1.", "§ 2", "SECTION 3.", "(a) ", "(i)", "(h) ", "(1)", "(A)", "\"T\", ", "“", "\n",
     "\n\n", "\r", "\f", "x", "-", ":", ".", " ", "1.10", "Sec. 4."]), max_size=60).map("".join)))
def test_fuzz_parse_plain(text: str) -> None:
    try:
        doc = parse_plain(text, "fuzz", source_url=URL)
    except BilldiffError:
        return
    assert isinstance(doc, Document)
    ids = [s.id for s, _ in iter_sections(doc.sections)]
    assert len(ids) == len(set(ids))


def test_title_and_enacting_clause_are_front_matter() -> None:
    text = ("An Ordinance to leash dogs\n\n"
            "Be it ordained by the Town Council of Example as follows:\n\n"
            "Section 1. Dogs shall be leashed.\n")
    doc = parse_plain(text, "leash", source_url=URL)
    assert [(s.id, s.role.value) for s in doc.sections] == [
        ("title", "front-matter"), ("p_1", "front-matter"), ("sec_1", "provision")]
    # a later unlabelled paragraph is a provision, not front matter
    later = parse_plain("Section 1. A rule.\n\nBe it enacted further.\n", "x", source_url=URL)
    assert {s.role.value for s, _ in iter_sections(later.sections)} == {"provision"}


def test_parsed_text_is_not_official_unless_said() -> None:
    doc = parse_plain(ORDINANCE, "example-leash", source_url=URL)
    assert doc.provenance.sources[0].official is False
    assert {s.status.value for s, _ in iter_sections(doc.sections)} == {"single-source"}
    said = parse_plain(ORDINANCE, "example-leash", source_url=URL, official=True)
    assert said.provenance.sources[0].official is True
    assert {s.status.value for s, _ in iter_sections(said.sections)} == {"official"}
    status_only = parse_plain(ORDINANCE, "example-leash", source_url=URL, status="excerpt")
    assert status_only.provenance.sources[0].official is False
    assert {s.status.value for s, _ in iter_sections(status_only.sections)} == {"excerpt"}
