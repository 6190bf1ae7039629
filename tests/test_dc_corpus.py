"""The whole DC Code corpus (../shared/corpora/dc-code) compared release to release."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest
from conftest import shared_path

from billdiff.compare import compare_documents
from billdiff.importers.dc_xml import import_dc_xml
from billdiff.model import iter_sections

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def _changed_files(old: Path, new: Path) -> set[str]:
    """Section numbers whose XML file differs or exists in one release only."""
    names_old = {p.name for p in (old / "sections").glob("*.xml")}
    names_new = {p.name for p in (new / "sections").glob("*.xml")}
    changed = names_old ^ names_new
    for name in names_old & names_new:
        if not filecmp.cmp(old / "sections" / name, new / "sections" / name, shallow=False):
            changed.add(name)
    return {n.removesuffix(".xml") for n in changed}


def _top_number(section_id: str) -> str:
    return section_id.split("__", 1)[0].removeprefix("sec_")


@pytest.mark.parametrize("title", ["2", "7"])
def test_release_to_release(title):
    root = shared_path("corpora", "dc-code")
    old_dir, new_dir = root / "2019-01-04" / title, root / "2026-06-30" / title
    old = import_dc_xml(old_dir, f"dc-{title}-2019")
    new = import_dc_xml(new_dir, f"dc-{title}-2026")
    cmp = compare_documents(old, new)

    # every pair's runs rebuild both texts exactly
    for pair in cmp.pairs:
        if pair.diff is not None:
            assert pair.diff.a_text == pair.a_text
            assert pair.diff.b_text == pair.b_text
            assert not pair.diff.approximate

    # every section of both releases is accounted for exactly once
    paired_a = {p.a_section.id for p in cmp.pairs if p.a_section}
    paired_b = {p.b_section.id for p in cmp.pairs if p.b_section}
    all_a = {s.id for s, _ in iter_sections(old.sections)}
    all_b = {s.id for s, _ in iter_sections(new.sections)}
    assert paired_a | {s.id for s in cmp.only_a} == all_a
    assert paired_b | {s.id for s in cmp.only_b} == all_b
    assert not paired_a & {s.id for s in cmp.only_a}

    # a text change is only ever found in a section whose file changed
    changed_files = _changed_files(old_dir, new_dir)
    changed_sections = {_top_number(p.a_section.id) for p in cmp.pairs if p.changed}
    changed_sections |= {_top_number(s.id) for s in (*cmp.only_a, *cmp.only_b)}
    assert changed_sections, "two releases seven years apart must differ somewhere"
    assert changed_sections <= {n.replace("/", "-") for n in changed_files} | {
        # ids are made safe from the number; compare on that form
        _top_number(f"sec_{n}") for n in changed_files}
    # and the corpus says 61 files differ across both titles: most of them carry text changes
    assert len(changed_sections) >= len(changed_files) // 3
