"""billdiff.load: every hostile or broken file gives a clear problem, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from billdiff.errors import LoadError
from billdiff.load import load_corpus, read_yaml

GOOD_DOC = """\
id: {id}
kind: bill
jurisdiction: Testland
number: "H.1"
title: An Act for testing
filed: "2025-01-13"
provenance:
  completeness: complete
  summary: Written for the tests.
  sources:
    - url: https://example.org/h1
      description: test
      official: true
sections:
  - id: sec_1
    number: "1.10"
    status: official
    text: The text.
"""


def make_corpus(tmp_path: Path, docs: dict[str, str], **files: str) -> Path:
    (tmp_path / "documents").mkdir()
    for name, text in docs.items():
        (tmp_path / "documents" / name).write_text(text, encoding="utf-8")
    for name, text in files.items():
        target = tmp_path / name.replace("__", "/")
        target.parent.mkdir(exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return tmp_path


def problems(tmp_path: Path, docs: dict[str, str], **files: str) -> list[str]:
    return [str(p) for p in load_corpus(make_corpus(tmp_path, docs, **files)).problems]


def test_clean_corpus_has_no_problems_and_strings_stay_strings(tmp_path):
    corpus = load_corpus(make_corpus(tmp_path, {"h1.yaml": GOOD_DOC.format(id="h1")}))
    assert corpus.problems == []
    doc = corpus.document("h1")
    assert doc.sections[0].number == "1.10"
    assert doc.filed == "2025-01-13"


def test_unquoted_section_number_stays_text(tmp_path):
    text = GOOD_DOC.format(id="h1").replace('number: "1.10"', "number: 1.10")
    corpus = load_corpus(make_corpus(tmp_path, {"h1.yaml": text}))
    assert corpus.problems == []
    assert corpus.document("h1").sections[0].number == "1.10"


def test_norway_problem_no_stays_text(tmp_path):
    text = GOOD_DOC.format(id="h1").replace("jurisdiction: Testland", "jurisdiction: NO")
    corpus = load_corpus(make_corpus(tmp_path, {"h1.yaml": text}))
    assert corpus.problems == []
    assert corpus.document("h1").jurisdiction == "NO"


def test_integer_where_text_is_expected_is_reported_with_a_fix(tmp_path):
    text = GOOD_DOC.format(id="h1").replace('number: "1.10"', "number: 220")
    assert problems(tmp_path, {"h1.yaml": text}) == [
        'documents/h1.yaml: sections.0.number: expected text, got 220; put it in quotes, '
        'e.g. "220" (line 16)'.replace("documents/", f"{tmp_path.name}/documents/")]


def test_unknown_field_and_bad_enum(tmp_path):
    text = GOOD_DOC.format(id="h1").replace("kind: bill", "kind: law\ncolour: red")
    found = problems(tmp_path, {"h1.yaml": text})
    assert any("colour: unknown field" in p for p in found)
    assert any("kind: must be 'statute', 'bill', 'amendment' or 'ordinance'" in p for p in found)


def test_id_must_match_file_name(tmp_path):
    found = problems(tmp_path, {"h2.yaml": GOOD_DOC.format(id="h1")})
    assert found == [f"{tmp_path.name}/documents/h2.yaml: id: id 'h1' does not match the file "
                     "name (expected 'h2') (line 1)"]


def test_duplicate_section_ids(tmp_path):
    text = GOOD_DOC.format(id="h1") + "  - id: sec_1\n    status: missing\n"
    assert any("duplicate section id 'sec_1'" in p for p in problems(tmp_path, {"h1.yaml": text}))


def test_missing_status_with_text_is_rejected(tmp_path):
    text = GOOD_DOC.format(id="h1").replace("status: official", "status: missing")
    assert any("status is 'missing' must have no text" in p
               for p in problems(tmp_path, {"h1.yaml": text}))


def test_dangling_references_in_analyses(tmp_path):
    make_corpus(tmp_path, {"h1.yaml": GOOD_DOC.format(id="h1").replace(
        "sections:", "relations:\n  - type: replaces\n    target: nope\nsections:")})
    (tmp_path / "analyses").mkdir()
    (tmp_path / "analyses" / "h1.yaml").write_text("""\
document: h1
analyses:
  - topic: ghost
    footing: official-text
    sections: [sec_9]
    summary:
      - text: It says things.
        cites: [{source: nowhere}, {section: sec_8}]
""", encoding="utf-8")
    found = [str(p) for p in load_corpus(tmp_path).problems]
    joined = "\n".join(found)
    assert "relations.0.target: unknown document 'nope'" in joined
    assert "analyses.0.topic: unknown topic 'ghost'" in joined
    assert "analyses.0.sections: warning: document 'h1' has no section 'sec_9'" in joined
    assert "analyses.0.summary.0.cites.0: unknown source 'nowhere'" in joined
    assert "analyses.0.summary.0.cites.1: warning: document 'h1' has no section 'sec_8'" in joined


HOSTILE = {
    "python-tag": ("!!python/object/apply:os.system ['echo pwned']\n",
                   "could not determine a constructor"),
    "alias-bomb": ('a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a]\n'
                   "c: [*b,*b,*b,*b,*b,*b,*b]\n", "anchors and aliases are not allowed"),
    "deep-nesting": ("[" * 100_000 + "]" * 100_000 + "\n", "nesting"),
    "nesting-65": ("[" * 65 + "]" * 65 + "\n", "nesting deeper than 64"),
    "huge-int": ("id: " + "9" * 5000 + "\n", "at most 120 characters"),
    "bad-syntax": ("id: [unclosed\n", "invalid YAML"),
    "top-level-list": ("- a\n- b\n", "expected a mapping"),
    "tabs": ("id:\t\tx\n\tkind: bill\n", "invalid YAML"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_yaml_gives_one_clear_problem(tmp_path, name):
    text, expected = HOSTILE[name]
    found = problems(tmp_path, {f"{name}.yaml": text})
    assert found, name
    assert any(expected in p for p in found), found
    assert all(p.startswith(f"{tmp_path.name}/documents/{name}.yaml:") for p in found)


def test_invalid_utf8_bom_and_nul(tmp_path):
    make_corpus(tmp_path, {})
    (tmp_path / "documents" / "bad.yaml").write_bytes(b"id: caf\xe9\n")
    (tmp_path / "documents" / "nul.yaml").write_bytes(b"id: a\x00b\n")
    (tmp_path / "documents" / "bom.yaml").write_bytes(
        b"\xef\xbb\xbf" + GOOD_DOC.format(id="bom").encode())
    found = [str(p) for p in load_corpus(tmp_path).problems]
    assert any("bad.yaml" in p and "not valid UTF-8 (byte 7, line 1)" in p for p in found)
    assert any("nul.yaml" in p and "NUL character" in p for p in found)
    assert not any("bom.yaml" in p for p in found)


def test_size_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("BILLDIFF_MAX_FILE_BYTES", "100")
    found = problems(tmp_path, {"h1.yaml": GOOD_DOC.format(id="h1")})
    assert any("over the 100-byte limit" in p for p in found)


def test_missing_corpus_folder_is_a_load_error(tmp_path):
    with pytest.raises(LoadError, match="corpus folder does not exist"):
        load_corpus(tmp_path / "nowhere")


def test_read_yaml_reports_line_of_syntax_error(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\nb: [\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        read_yaml(path, "x.yaml")
    assert info.value.where is not None
    assert info.value.where.startswith("x.yaml:")


def test_require_clean_points_at_validate(tmp_path):
    corpus = load_corpus(make_corpus(tmp_path, {"h1.yaml": "id: [\n"}))
    with pytest.raises(LoadError, match="run `billdiff validate`"):
        corpus.require_clean()
