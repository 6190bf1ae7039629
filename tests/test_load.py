"""billdiff.load: every hostile or broken file gives a clear problem, never a traceback."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from billdiff.cache import Cache
from billdiff.cli import cli
from billdiff.errors import LoadError, NotFound
from billdiff.load import Documents, Problem, load_corpus, read_yaml


@pytest.fixture(autouse=True)
def own_cache(tmp_path_factory, monkeypatch):
    """Each test its own cache folder: its first load is cold, a second one warm."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("BILLDIFF_CACHE_DIR", str(folder))
    return folder

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
                   "YAML tags ('tag:yaml.org,2002:python/object/apply:os.system') are not "
                   "allowed"),
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
    assert any("bad.yaml" in p and "not valid UTF-8 (byte 7)" in p and p.endswith("(line 1)")
               for p in found)
    assert any("nul.yaml" in p and "NUL character (byte 5)" in p and p.endswith("(line 1)")
               for p in found)
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


# -- duplicate keys, tags, documents: refused with their line (issue 11, item 6) ---------------


def test_duplicate_key_is_an_error_with_its_line(tmp_path):
    text = GOOD_DOC.format(id="h1").replace("kind: bill\n", "kind: bill\nkind: statute\n")
    found = load_corpus(make_corpus(tmp_path, {"h1.yaml": text})).problems
    assert [(p.path, p.line) for p in found] == [("", 3)]
    assert "duplicate key 'kind'" in found[0].message
    assert str(found[0]).endswith("(line 3)")


def test_duplicate_key_deep_inside_a_section(tmp_path):
    text = GOOD_DOC.format(id="h1") + "    status: excerpt\n"
    (found,) = load_corpus(make_corpus(tmp_path, {"h1.yaml": text})).problems
    assert "duplicate key 'status'" in found.message
    assert found.line == 19


@pytest.mark.parametrize(("text", "expected"), [
    ("id: !!str h1\n", "YAML tags"),
    ("id: !local h1\n", "YAML tags"),
    ("id: h1\n---\nid: h2\n", "a second YAML document"),
    ("? [a, b]\n: c\n", "a mapping key must be plain text"),
    ("a: &x 1\n", "anchors and aliases are not allowed"),
])
def test_yaml_that_is_not_plain_data_is_refused(tmp_path, text, expected):
    found = problems(tmp_path, {"x.yaml": text})
    assert len(found) == 1, found
    assert expected in found[0]


def test_read_yaml_gives_the_line_of_every_key(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\nb:\n  - c: x\n    d: [1, 2]\n  - null\n", encoding="utf-8")
    data, lines = read_yaml(path)
    assert data == {"a": 1, "b": [{"c": "x", "d": [1, 2]}, None]}
    assert lines == {(): 1, ("a",): 1, ("b",): 2, ("b", 0): 3, ("b", 0, "c"): 3,
                     ("b", 0, "d"): 4, ("b", 0, "d", 0): 4, ("b", 0, "d", 1): 4, ("b", 1): 5}


# -- RELIABILITY.md §G item 15, cold and warm ---------------------------------------------------

G15 = {
    "python-tag": "!!python/object/apply:os.system ['echo pwned']\n",
    "alias-bomb": HOSTILE["alias-bomb"][0],
    "nesting-100k": "[" * 100_000 + "]" * 100_000 + "\n",
    "int-5000-digits": GOOD_DOC.format(id="int-5000-digits").replace(
        'number: "H.1"', "number: " + "9" * 5000),
    "number-1.10": GOOD_DOC.format(id="number-1.10").replace('number: "H.1"', "number: 220"),
    "unknown-key": GOOD_DOC.format(id="unknown-key") + "colour: red\n",
    "missing-key": GOOD_DOC.format(id="missing-key").replace("kind: bill\n", ""),
    "duplicate-key": GOOD_DOC.format(id="duplicate-key").replace("kind: bill\n",
                                                                 "kind: bill\nkind: statute\n"),
}


def _g15_corpus(tmp_path: Path) -> Path:
    root = make_corpus(tmp_path, {f"{k}.yaml": v for k, v in G15.items()}
                       | {"good.yaml": GOOD_DOC.format(id="good"),
                          "norway.yaml": GOOD_DOC.format(id="norway").replace(
                              "jurisdiction: Testland", "jurisdiction: NO")})
    docs = root / "documents"
    (docs / "utf8.yaml").write_bytes(b"id: caf\xe9\n")
    (docs / "nul.yaml").write_bytes(b"id: a\n\x00\n")
    (docs / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + GOOD_DOC.format(id="bom").encode())
    return root


def test_every_g15_input_gives_file_line_path_message_cold_and_warm(tmp_path):
    root = _g15_corpus(tmp_path)
    cold = load_corpus(root)
    warm = load_corpus(root)
    assert warm.problems == cold.problems
    assert set(warm.documents) == set(cold.documents) == {"good", "norway", "bom"}
    assert warm.document("norway").jurisdiction == "NO"
    by_file = {p.file.rsplit("/", 1)[-1]: p for p in cold.problems}
    bad = {f"{k}.yaml" for k in G15} | {"utf8.yaml", "nul.yaml"}
    assert set(by_file) == bad
    for _name, problem in by_file.items():
        assert problem.line is not None, problem  # every one has its line
        assert "\n" not in str(problem)
        assert "Traceback" not in str(problem)
    assert by_file["number-1.10.yaml"].path == "number"
    assert "put it in quotes" in by_file["number-1.10.yaml"].message
    assert by_file["unknown-key.yaml"].path == "colour"
    assert by_file["missing-key.yaml"].path == "kind"
    assert by_file["int-5000-digits.yaml"].path == "number"
    assert by_file["duplicate-key.yaml"].line == 3

    runner = CliRunner()
    for _ in ("cold", "warm"):
        result = runner.invoke(cli, ["--bills", str(root), "validate"])
        assert result.exit_code == 1
        lines = [line for line in result.output.splitlines() if "yaml:" in line]
        assert lines == [str(p) for p in cold.problems]
        listed = runner.invoke(cli, ["--bills", str(root), "list"])
        assert listed.exit_code == 2
        assert "the corpus has problems" in listed.output
        assert "Traceback" not in listed.output


def test_a_real_process_gives_exit_2_and_one_line(tmp_path):
    import subprocess

    root = make_corpus(tmp_path, {"x.yaml": G15["duplicate-key"]})
    env = {k: v for k, v in os.environ.items() if k != "BILLDIFF_DEBUG"}
    for _ in ("cold", "warm"):
        proc = subprocess.run([sys.executable, "-m", "billdiff", "--bills", str(root), "list"],
                              capture_output=True, text=True, env=env, timeout=60)
        assert proc.returncode == 2
        assert proc.stderr.count("\n") == 1
        assert "x.yaml: (file): invalid YAML: duplicate key 'kind'" in proc.stderr
        assert "(line 3)" in proc.stderr


# -- control characters in file names (issue 11, item 11) --------------------------------------


def test_control_characters_in_a_file_name_are_shown_not_obeyed(tmp_path):
    name = "evil\x1b]0;pwned\x07\x1b[2J\u202eb.yaml"
    make_corpus(tmp_path, {name: "id: [\n"})
    (problem,) = load_corpus(tmp_path).problems
    assert problem.file.endswith(name)  # the data keeps the real name
    shown = str(problem)
    assert "\x1b" not in shown
    assert "\x07" not in shown
    assert "\u202e" not in shown
    assert "evil\\x1b]0;pwned\\x07\\x1b[2J\\u202eb.yaml" in shown
    result = CliRunner().invoke(cli, ["--bills", str(tmp_path), "validate"])
    assert result.exit_code == 1
    assert "\x1b" not in result.output
    assert "\\x1b]0;pwned" in result.output
    listed = CliRunner().invoke(cli, ["--bills", str(tmp_path), "list"])
    assert listed.exit_code == 2
    assert "\x1b" not in listed.output


def test_problem_text_keeps_printable_unicode():
    assert str(Problem("d/§ 1.yaml", "a", "é ok", 2)) == "d/§ 1.yaml: a: é ok (line 2)"


# -- files that are not regular files (issue 11, item 10) --------------------------------------


def _in_thread(fn, timeout: float = 20.0):
    """Run *fn* in a thread; fail (instead of hanging the suite) if it does not return."""
    out: dict[str, object] = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as err:  # noqa: BLE001 - handed back to the test
            out["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    return thread.is_alive(), out


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


@needs_fifo
def test_a_fifo_in_the_corpus_is_refused_not_waited_for(tmp_path):
    make_corpus(tmp_path, {"good.yaml": GOOD_DOC.format(id="good")})
    fifo = tmp_path / "documents" / "x.yaml"
    os.mkfifo(fifo)
    (tmp_path / "analyses").mkdir()
    os.mkfifo(tmp_path / "analyses" / "good.yaml")
    os.mkfifo(tmp_path / "topics.yaml")
    try:
        hung, out = _in_thread(lambda: load_corpus(tmp_path))
        assert not hung, "load_corpus blocked on a FIFO"
        corpus = out["value"]
        assert isinstance(corpus, type(load_corpus(tmp_path)))
        found = [str(p) for p in corpus.problems]
        assert len(found) == 3
        assert all("not a regular file (a FIFO)" in p for p in found), found
        assert list(corpus.documents) == ["good"]
        hung, out = _in_thread(lambda: CliRunner().invoke(
            cli, ["--bills", str(tmp_path), "validate"]))
        assert not hung, "validate blocked on a FIFO"
        assert out["value"].exit_code == 1
    finally:
        # unblock a reader left waiting by a regression, so that the thread can end
        for path in (fifo, tmp_path / "analyses" / "good.yaml", tmp_path / "topics.yaml"):
            os.close(os.open(path, os.O_RDWR | os.O_NONBLOCK))


@needs_fifo
def test_the_web_app_starts_beside_a_fifo(tmp_path):
    from billdiff.web import create_app

    make_corpus(tmp_path, {"good.yaml": GOOD_DOC.format(id="good")})
    fifo = tmp_path / "documents" / "x.yaml"
    os.mkfifo(fifo)
    try:
        hung, out = _in_thread(lambda: create_app({"BILLS_DIR": str(tmp_path),
                                                   "TESTING": True}))
        assert not hung, "create_app blocked on a FIFO"
        assert "error" not in out, out
    finally:
        os.close(os.open(fifo, os.O_RDWR | os.O_NONBLOCK))


def test_a_folder_named_like_a_document_is_a_problem(tmp_path):
    make_corpus(tmp_path, {})
    (tmp_path / "documents" / "d.yaml").mkdir()
    found = [str(p) for p in load_corpus(tmp_path).problems]
    assert found == [f"{tmp_path.name}/documents/d.yaml: (file): not a regular file (a folder) "
                     "(give the path of a regular file)"]


# -- documents on demand ------------------------------------------------------------------------

ANALYSIS = """\
document: {id}
analyses:
  - topic: warrant
    footing: official-text
    sections: [sec_1]
    summary:
      - text: It says things.
        cites: [{{section: sec_1}}]
"""
TOPICS = "topics:\n  - id: warrant\n    title: Warrant\n    question: When?\n"


def _three(tmp_path: Path) -> Path:
    root = make_corpus(tmp_path, {
        "a.yaml": GOOD_DOC.format(id="a"),
        "b.yaml": GOOD_DOC.format(id="b").replace(
            "sections:", "relations:\n  - type: replaces\n    target: c\n"
            "    section: sec_9\nsections:"),
        "c.yaml": GOOD_DOC.format(id="c").replace("2025-01-13", "2020-01-01"),
        "broken.yaml": "id: [\n",
    }, **{"topics.yaml": TOPICS})
    (root / "analyses").mkdir()
    for doc in ("a", "b", "c"):
        (root / "analyses" / f"{doc}.yaml").write_text(ANALYSIS.format(id=doc),
                                                      encoding="utf-8")
    return root


def test_documents_on_demand_read_only_what_is_asked(tmp_path):
    root = _three(tmp_path)
    corpus = load_corpus(root, documents=["a", "b"])
    assert corpus.partial
    docs = corpus.documents
    assert isinstance(docs, Documents)
    assert docs.is_loaded("a")
    assert docs.is_loaded("b")
    assert not docs.is_loaded("c")
    assert not docs.failed("broken")
    # the broken file was not read, so the command can go on; b's relation to c is checked
    # against c's file only (its sections are not read)
    assert corpus.problems == []
    corpus.require_clean()
    assert set(a for a, _ in corpus.analyses) == {"a", "b"}
    assert corpus.document_ids() == ["a", "b", "broken", "c"]

    # asked for later: read then, with its checks
    assert corpus.analysis("c", "warrant") is not None
    assert docs.is_loaded("c")
    assert corpus.document("c").filed == "2020-01-01"
    with pytest.raises(LoadError, match="document 'broken' has problems: .*broken.yaml"):
        corpus.document("broken")
    with pytest.raises(NotFound, match="known documents: a, b, c"):
        corpus.document("nope")
    assert [d.id for d in corpus.ordered_documents()] == ["c", "a", "b"]
    assert [p.file.rsplit("/", 1)[-1] for p in corpus.errors] == ["broken.yaml"]


def test_a_whole_load_reports_what_it_always_reported(tmp_path):
    root = _three(tmp_path)
    whole = load_corpus(root)
    assert not whole.partial
    assert [(p.file.rsplit("/", 1)[-1], p.path, p.line) for p in whole.problems] == [
        ("b.yaml", "relations.0.section", None), ("broken.yaml", "", 2)]
    assert whole.problems[0].message == "document 'c' has no section 'sec_9'"
    assert whole.problems[1].message.startswith("invalid YAML: ")
    assert list(whole.documents) == ["a", "b", "c"]
    assert len(whole.analyses) == 3
    # on demand, the same problems once every document has been read
    partial = load_corpus(root, documents=["b"])
    list(partial.documents)
    assert partial.problems == [p for p in whole.problems if "relations" not in p.path]


def test_on_demand_still_reports_an_unknown_target(tmp_path):
    root = _three(tmp_path)
    text = (root / "documents" / "b.yaml").read_text(encoding="utf-8")
    (root / "documents" / "b.yaml").write_text(text.replace("target: c", "target: gone"),
                                               encoding="utf-8")
    corpus = load_corpus(root, documents=["b"])
    assert [p.message for p in corpus.problems] == ["unknown document 'gone'"]
    with pytest.raises(LoadError):
        corpus.require_clean()


def test_on_demand_reads_no_yaml_it_does_not_need(tmp_path, monkeypatch):
    import billdiff.load as load

    root = _three(tmp_path)
    read: list[str] = []
    real = load.parse_model

    def spy(model, path, display, **kw):
        read.append(Path(path).name if model is not load.Document else f"doc:{Path(path).stem}")
        return real(model, path, display, **kw)

    monkeypatch.setattr(load, "parse_model", spy)
    load_corpus(root, documents=["a"])
    assert sorted(read) == ["a.yaml", "doc:a", "topics.yaml"]


# -- the glossary ---------------------------------------------------------------------------------

DEF_DOC = GOOD_DOC.replace("  - id: sec_1\n", "  - id: sec_1__def_face_recognition\n")


def test_glossary_is_loaded_and_checked(tmp_path):
    make_corpus(tmp_path, {"h1.yaml": DEF_DOC.format(id="h1")}, **{
        "topics.yaml": TOPICS,
        "sources.yaml": "sources:\n  - id: s1\n    title: A source\n    kind: press\n",
        "glossary.yaml": """\
terms:
  - term: face_recognition
    meaning:
      - text: Software that matches faces.
        cites: [{section: sec_1__def_face_recognition, document: h1}, {source: s1}]
  - term: ghost
    meaning:
      - text: Nothing defines it.
        cites: [{source: nowhere}, {section: sec_1, document: nope}, {section: x}]
  - term: face_recognition
    meaning:
      - text: Twice.
        cites: [{source: s1}]
"""})
    corpus = load_corpus(tmp_path)
    assert set(corpus.glossary) == {"face_recognition", "ghost"}
    assert corpus.glossary["ghost"].meaning[0].text == "Nothing defines it."
    found = {(p.path, p.message, p.severity) for p in corpus.problems}
    assert found == {
        ("terms.1.meaning.0.cites.0", "unknown source 'nowhere'", "error"),
        ("terms.1.meaning.0.cites.1", "unknown document 'nope'", "error"),
        ("terms.1.meaning.0.cites.2", "a section cite here needs a 'document'", "error"),
        ("terms.1.term", "no document defines term 'ghost' (no section id ends in "
         "__def_ghost)", "warning"),
        ("terms.2.term", "second meaning of term 'face_recognition'", "error"),
    }
    assert all(p.file.endswith("glossary.yaml") for p in corpus.problems)
    assert load_corpus(tmp_path).problems == corpus.problems  # warm: the same


def test_a_broken_glossary_is_a_problem_with_its_line(tmp_path):
    make_corpus(tmp_path, {"h1.yaml": DEF_DOC.format(id="h1")},
                **{"glossary.yaml": "terms:\n  - term: x\n    meening: []\n"})
    found = load_corpus(tmp_path).problems
    assert {(p.path, p.line) for p in found} == {("terms.0.meaning", 2), ("terms.0.meening", 3)}


def test_the_bundled_glossary_resolves(corpus):
    # the bundled dossier's glossary, if it has one, cites what exists
    assert not [p for p in corpus.errors if p.file.endswith("glossary.yaml")]


def test_cache_off_gives_the_same_corpus(tmp_path, monkeypatch):
    root = _three(tmp_path)
    warm = load_corpus(root)
    again = load_corpus(root)
    off = load_corpus(root, cache=False)
    mine = Cache(None)
    assert not mine.enabled
    for other in (again, off, load_corpus(root, cache=mine)):
        assert other.problems == warm.problems
        assert dict(other.documents) == dict(warm.documents)
        assert other.analyses == warm.analyses
