"""The whole DC Code corpus (../shared/corpora/dc-code) compared release to release.

What changed is computed a second way, straight from the XML with the standard library's
parser and none of billdiff's importing or diffing: for each section file, its number, its
heading and its text (every text node but the history notes).  The comparison must report
exactly those sections as changed, each with the right kind, and no other section.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import shared_path

from billdiff import ids
from billdiff.analysis import LAW_CHANGES, Change, read_comparison
from billdiff.compare import compare_documents
from billdiff.importers.dc_xml import import_dc_xml
from billdiff.model import iter_sections
from billdiff.normalize import fold_typography

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

NS = "{https://code.dccouncil.us/schemas/dc-library}"
_XML_SPACE = re.compile(r"[ \t\r\n]+")


def _section_facts(path: Path) -> tuple[str, str, str, tuple[tuple[str, ...], ...]]:
    """``(number, heading, text, paragraph paths)`` of one section file, read with ElementTree
    alone; a paragraph's path is the numbers from the section down to it."""
    root = ET.parse(path).getroot()  # the corpus is trusted, official data
    parts: list[str] = []
    paths: list[tuple[str, ...]] = []

    def walk(node: ET.Element, path: tuple[str, ...]) -> None:
        if node.tag == NS + "annotations":
            return
        if node.tag == NS + "para":
            path = (*path, (node.findtext(NS + "num") or "").strip())
            paths.append(path)
        parts.append(node.text or "")
        for child in node:
            walk(child, path)
            parts.append(child.tail or "")

    for child in root:
        if child.tag not in (NS + "num", NS + "heading", NS + "annotations"):
            walk(child, ())
        parts.append(child.tail or "")
    text = _XML_SPACE.sub(" ", "".join(parts)).strip()
    heading = _XML_SPACE.sub(" ", root.findtext(NS + "heading") or "").strip()
    return (root.findtext(NS + "num") or "").strip(), heading, text, tuple(paths)


def _expected(old: Path, new: Path) -> dict[str, set[str]]:
    """Section number -> what changed: added, removed, repealed (emptied), heading, number
    (of the section or of a paragraph, or where a paragraph sits), text (its words), or
    typography only (the same words in other quote, dash or space style)."""
    a = {p.stem: _section_facts(p) for p in (old / "sections").glob("*.xml")}
    b = {p.stem: _section_facts(p) for p in (new / "sections").glob("*.xml")}
    out: dict[str, set[str]] = {}
    for name in a.keys() | b.keys():
        if name not in b or name not in a:
            out[name] = {"removed" if name not in b else "added"}
            continue
        (na, ha, ta, pa), (nb, hb, tb, pb) = a[name], b[name]
        kinds = set()
        if ha != hb:
            kinds.add("heading" if fold_typography(ha) != fold_typography(hb) else "typography")
        if na != nb or pa != pb:
            kinds.add("number")
        if ta != tb:
            if ta and not tb:
                kinds.add("repealed")
            elif fold_typography(ta).split() == fold_typography(tb).split():
                kinds.add("typography")
            else:
                kinds.add("text")
        if kinds:
            out[name] = kinds
    return out


def _number(section_id: str) -> str:
    return ids.top_level(section_id).removeprefix("sec_")


@pytest.mark.parametrize("title", ["2", "7"])
def test_release_to_release_reports_exactly_what_changed(title):
    root = shared_path("corpora", "dc-code")
    old_dir, new_dir = root / "2019-01-04" / title, root / "2026-06-30" / title
    old = import_dc_xml(old_dir, f"dc-{title}-2019")
    new = import_dc_xml(new_dir, f"dc-{title}-2026")
    reading = read_comparison(compare_documents(old, new))

    # the JSON of the pairs left unread (plainly the same) is what their readings give
    from billdiff.jsonout import pair_json, pairs_json

    assert len(reading.read) < len(reading.comparison.pairs) / 10  # nearly all are plain
    assert pairs_json(reading) == [pair_json(p) for p in reading.pairs]
    # every pair's runs rebuild both texts exactly, and none was matched in blocks
    for p in reading.pairs:
        if p.diff.diff is not None:
            assert p.diff.diff.a_text == p.diff.a_text
            assert p.diff.diff.b_text == p.diff.b_text
            assert not p.diff.diff.approximate
    # every section of both releases is accounted for exactly once
    paired_a = {p.a.id for p in reading.pairs if p.a}
    paired_b = {p.b.id for p in reading.pairs if p.b}
    assert paired_a | {u.section.id for u in reading.only_a} == {
        s.id for s, _ in iter_sections(old.sections)}
    assert paired_b | {u.section.id for u in reading.only_b} == {
        s.id for s, _ in iter_sections(new.sections)}

    # what the reading says changed, by top-level section: kinds at the section itself, and
    # whether anything changed in the law below it
    own: dict[str, set[Change]] = {}
    below: dict[str, set[Change]] = {}
    for p in reading.pairs:
        section = p.a or p.b
        assert section is not None
        target = own if "__" not in section.id else below
        if p.changes:
            target.setdefault(_number(section.id), set()).update(p.changes)
    for u in (*reading.only_a, *reading.only_b):
        assert u.change is not None, "both releases are complete: every side is known"
        target = own if "__" not in u.section.id else below
        target.setdefault(_number(u.section.id), set()).add(u.change)

    expected = _expected(old_dir, new_dir)
    assert expected, "two releases seven years apart must differ somewhere"
    reported = {n for n, kinds in (*own.items(), *below.items()) if kinds}
    assert reported == set(expected), "sections reported as changed differ from the XML's"
    for number, kinds in expected.items():
        at_section, under = own.get(number, set()), below.get(number, set())
        law = {c for c in at_section | under if c in LAW_CHANGES}
        if "added" in kinds or "removed" in kinds:
            assert at_section == {Change(kinds.pop())}, number
            continue
        if "heading" in kinds:
            assert Change.HEADING in at_section, number
        if "repealed" in kinds:
            assert Change.REPEALED in at_section, number
        if "text" in kinds or "number" in kinds:
            # the words or a paragraph's number changed: some change in the law below or at
            # the section (wording, a paragraph added, moved, split or renumbered)
            assert law - {Change.HEADING}, (number, at_section, under)
        if kinds == {"typography"}:
            assert not law, number
            assert Change.TYPOGRAPHY in at_section | under, number
    # and the kinds named on each pair are the kinds of its own texts
    for p in reading.pairs:
        if Change.WORDING in p.changes:
            assert p.diff.a_text != p.diff.b_text
        if Change.HEADING in p.changes:
            assert fold_typography(p.a.heading or "") != fold_typography(p.b.heading or "")
        if Change.REPEALED in p.changes:
            assert p.a.has_words
            assert not p.b.has_words
            assert not p.b.children


def test_heading_only_changes_are_reported_in_title_2():
    root = shared_path("corpora", "dc-code")
    old = import_dc_xml(root / "2019-01-04" / "2", "dc-2-2019")
    new = import_dc_xml(root / "2026-06-30" / "2", "dc-2-2026")
    reading = read_comparison(compare_documents(old, new))
    headings = [p for p in reading.pairs if Change.HEADING in p.changes]
    assert headings
    for p in headings:
        assert p.changed
        assert p.heading_change == (p.a.heading, p.b.heading)
