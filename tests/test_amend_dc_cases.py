"""Five real D.C. cases (fixtures copied from the dc-amendments corpus): billdiff, from the
law's English alone, against the section as officially codified."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from billdiff.amend import amend_document
from billdiff.importers.dc_law import import_dc_law_marked
from billdiff.importers.dc_xml import import_dc_xml
from billdiff.model import (
    Completeness,
    Document,
    DocumentKind,
    Provenance,
    Section,
    SourceRef,
    iter_sections,
)

CASES = Path(__file__).parent / "fixtures" / "amend" / "dc"
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " "})


def read_section(path: Path) -> Document:
    """A section file; a permanent version's ``S(Perm)`` number read as ``S``."""
    raw = path.read_bytes()
    fixed = re.sub(rb"<num>([^<]+)\(Perm\)</num>", rb"<num>\1</num>", raw, count=1)
    with tempfile.TemporaryDirectory() as folder:
        temp = Path(folder) / path.name
        temp.write_bytes(fixed)
        return import_dc_xml(temp, "section")


def rows(section: Section) -> list[str]:
    """The corpus README's comparison: designation, heading and text per provision, NOTE
    banners dropped, whitespace runs one space, curly quotes straight."""
    out = []
    top = section.number or ""
    for node, _ in iter_sections((section,)):
        number = node.number or ""
        rel = "" if node is section else number.removeprefix(top)
        text = "\n".join(line for line in node.text.split("\n")
                         if not line.strip().startswith("*NOTE:"))
        row = " ".join(f"{rel} {node.heading or ''} {text}".translate(_QUOTES).split())
        if row:
            out.append(row)
    return out


def run(case: str, *, styled: bool = False) -> tuple[list[str], list[str], object]:
    """Official rows, billdiff's rows and the result; *styled*: with the law's reference
    markup, so references are printed in the D.C. Code's style."""
    folder = CASES / case
    law, markup = import_dc_law_marked(folder / "law.xml", "law")
    after = read_section(folder / "after.xml")
    if (folder / "before.xml").exists():
        target = read_section(folder / "before.xml")
    else:
        title = after.sections[0].number.split("-", 1)[0] if after.sections[0].number else ""
        target = Document(
            id=f"dc-title-{title}", kind=DocumentKind.STATUTE,
            jurisdiction="District of Columbia", number=f"D.C. Code Title {title}",
            title=f"Title {title} (empty)",
            provenance=Provenance(completeness=Completeness.NONE, summary="empty",
                                  sources=(SourceRef(url="https://code.dccouncil.gov/",
                                                     description="D.C. Code"),)))
    result = amend_document(target, law, new_id="amended", markup=markup if styled else None)
    ours = result.document.sections
    official = after.sections[0]
    if target.sections:
        mine = rows(ours[0])
    else:  # the new section billdiff added under its heading (the Code number is not said)
        mine = next(rows(s) for s in ours if s.heading == official.heading)
    return rows(official), mine, result


@pytest.mark.parametrize("styled", [False, True], ids=["law's words", "code style"])
@pytest.mark.parametrize("case", ["L24-164__47-2853.133", "L24-150__1-1162.23a",
                                  "L25-179__6-507", "L24-85__38-502"])
def test_exact(case: str, styled: bool) -> None:
    official, mine, result = run(case, styled=styled)
    assert mine == official
    bearing = [o for o in result.report  # type: ignore[attr-defined]
               if o.status in ("not-applied", "conflict")]
    assert bearing == [] or all(o.section not in (None, case.split("__")[1])
                                for o in bearing)


def test_the_one_difference_is_the_codifiers_rendering_of_a_marked_phrase() -> None:
    official, mine, result = run("L24-100__7-741.03")
    assert [r for r in official if r not in mine] == [
        "(a)(7) Notwithstanding any other requirement of this subchapter, no total revenue "
        "requirement shall apply to the establishment located at 1120 9th Street, N.W."]
    assert [r for r in mine if r not in official] == [
        "(a)(7) Notwithstanding any other requirement of this Part, no total revenue "
        "requirement shall apply to the establishment located at 1120 9th Street, N.W."]
    assert "<code-cite" in (CASES / "L24-100__7-741.03" / "law.xml").read_text(encoding="utf-8")
    assert result.all_applied  # type: ignore[attr-defined]


def test_with_the_laws_markup_the_marked_phrase_is_printed_as_the_code_prints_it() -> None:
    official, mine, result = run("L24-100__7-741.03", styled=True)
    assert mine == official
    styled = [(c.words, c.printed) for o in result.report  # type: ignore[attr-defined]
              for c in o.styled]
    assert styled == [("this Part", "this subchapter")]
