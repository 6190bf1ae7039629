"""The billdiff command line: outputs, exit codes (0 same, 1 differ, 2 error), clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from billdiff.cli import cli

DOC = """\
id: {id}
kind: bill
jurisdiction: Testland
number: "{number}"
title: An Act for testing
filed: "{filed}"
official_url: https://example.org/{id}
provenance:
  completeness: complete
  summary: Written for the tests.
  sources:
    - url: https://example.org/{id}
      description: test
sections:
  - id: sec_1
    number: "1"
    status: official
    text: "{text}"
    topics: [warrant]
"""
TOPICS = """\
topics:
  - id: warrant
    title: Warrant requirement
    question: When do police need a warrant?
"""


@pytest.fixture
def bills(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "documents").mkdir(parents=True)
    for id_, number, filed, text in (("old", "H.1", "2020-01-01", "Police need a court order."),
                                     ("new", "H.2", "2024-01-01", "Police need a warrant."),
                                     ("same", "H.3", "2025-01-01", "Police need a warrant.")):
        (root / "documents" / f"{id_}.yaml").write_text(
            DOC.format(id=id_, number=number, filed=filed, text=text), encoding="utf-8")
    (root / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    return root


def run(bills: Path, *args: str):
    return CliRunner().invoke(cli, ["--bills", str(bills), *args], catch_exceptions=False)


def test_list(bills):
    result = run(bills, "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == ["old", "new", "same"]


def test_topics(bills):
    result = run(bills, "topics")
    assert result.exit_code == 0
    assert "warrant" in result.output
    assert "When do police need a warrant?" in result.output


def test_show_document_and_section(bills):
    result = run(bills, "show", "old")
    assert result.exit_code == 0, result.output
    assert "H.1: An Act for testing" in result.output
    assert "Police need a court order." in result.output
    assert "[sec_1; official text]" in result.output
    result = run(bills, "show", "old", "--section", "nope")
    assert result.exit_code == 2
    assert "has no section 'nope'" in result.output


def test_compare_exit_codes(bills):
    assert run(bills, "compare", "new", "same").exit_code == 0
    changed = run(bills, "compare", "old", "new", "--color", "never")
    assert changed.exit_code == 1
    assert "Police need a [-court order.-]{+warrant.+}" in changed.output


def test_compare_json(bills):
    result = run(bills, "compare", "old", "new", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["a"]["id"] == "old"
    assert data["b"]["id"] == "new"
    (pair,) = data["pairs"]
    assert pair["topic"] == "warrant"
    assert pair["a_section"]["id"] == "sec_1"
    assert pair["b_section"]["id"] == "sec_1"
    assert pair["runs"] == [{"op": "equal", "text": "Police need a ", "mark": "same"},
                            {"op": "delete", "text": "court order.", "mark": "wording"},
                            {"op": "insert", "text": "warrant.", "mark": "wording"}]
    assert (pair["state"], pair["changed"], pair["changes"]) == ("changed", True, ["wording"])
    assert pair["stats"]["words_deleted"] == 2
    assert data["changed"] is True
    assert data["provisions"]["changed"] == 1
    assert data["only_in_a"] == []
    assert data["only_in_b"] == []


def test_compare_unknown_document_and_topic(bills):
    result = run(bills, "compare", "old", "ghost")
    assert result.exit_code == 2
    assert result.output.strip().startswith("Error: ")
    assert "unknown document 'ghost'" in result.output
    assert "known documents:" in result.output
    result = run(bills, "compare", "old", "new", "--topic", "nope")
    assert result.exit_code == 2
    assert "unknown topic 'nope'" in result.output


def test_compare_writes_out_file_and_refuses_to_overwrite(bills, tmp_path):
    out = tmp_path / "cmp.json"
    assert run(bills, "compare", "old", "new", "--format", "json", "--out", str(out)).exit_code == 1
    assert json.loads(out.read_text())["b"]["id"] == "new"
    again = run(bills, "compare", "old", "new", "--format", "json", "--out", str(out))
    assert again.exit_code == 2
    assert "already exists" in again.output


def test_missing_corpus_folder(tmp_path):
    result = run(tmp_path / "nowhere", "list")
    assert result.exit_code == 2
    assert "corpus folder does not exist" in result.output


def test_validate_clean_and_broken(bills):
    result = run(bills, "validate")
    assert result.exit_code == 0
    assert "OK (3 documents" in result.output
    (bills / "documents" / "bad.yaml").write_text("id: bad\nnumber: 1.10\n", encoding="utf-8")
    result = run(bills, "validate")
    assert result.exit_code == 1
    assert "documents/bad.yaml: kind: Field required (line 1)" in result.output


def test_commands_refuse_a_broken_corpus(bills):
    (bills / "documents" / "bad.yaml").write_text("id: [\n", encoding="utf-8")
    result = run(bills, "list")
    assert result.exit_code == 2
    assert "run `billdiff validate`" in result.output


def test_bills_env_variable(bills):
    result = CliRunner().invoke(cli, ["list"], env={"BILLDIFF_BILLS": str(bills)})
    assert result.exit_code == 0
    assert "old" in result.output


def test_no_traceback_for_a_user(tmp_path):
    """A real process: bad YAML in the corpus gives one line on stderr and exit code 2."""
    root = tmp_path / "c"
    (root / "documents").mkdir(parents=True)
    (root / "documents" / "x.yaml").write_bytes(b"!!python/object/apply:os.system ['true']\n")
    env = {k: v for k, v in os.environ.items() if k != "BILLDIFF_DEBUG"}
    proc = subprocess.run([sys.executable, "-m", "billdiff", "--bills", str(root), "list"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "x.yaml" in proc.stderr


def test_bills_option_after_the_command_name(bills):
    result = CliRunner().invoke(cli, ["validate", "--bills", str(bills)])
    assert result.exit_code == 0
    assert "OK (3 documents" in result.output
    result = CliRunner().invoke(cli, ["compare", "old", "new", "--bills", str(bills),
                                      "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["b"]["id"] == "new"


def test_written_files_get_the_usual_mode_and_unwritable_paths_name_the_real_file(bills,
                                                                                  tmp_path):
    import os
    import stat

    out = tmp_path / "cmp.json"
    run(bills, "compare", "old", "new", "--format", "json", "--out", str(out))
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root ignores the mode: nothing to test there
            return
        result = run(bills, "compare", "old", "new", "--out", str(locked / "x.txt"))
        assert result.exit_code == 2
        assert str(locked / "x.txt") in result.output
        assert ".tmp" not in result.output
    finally:
        locked.chmod(0o700)


def test_serve_rejects_an_impossible_port(bills):
    result = run(bills, "serve", "--port", "99999")
    assert result.exit_code == 2
    assert "99999" in result.output


# -- amend, and the commands that name the law as amended --------------------------------------

AMEND_LAW = """\
id: law
kind: statute
jurisdiction: Massachusetts
number: G.L. c. 6
title: Chapter 6 (written for the tests)
provenance:
  completeness: complete
  summary: Written for the tests.
  sources:
    - url: https://malegislature.gov/Laws/GeneralLaws
      description: test
sections:
  - id: sec_220
    number: "220"
    status: official
    text: "Section 220. The agency may use it."
"""
AMEND_BILL = """\
id: bill
kind: bill
jurisdiction: Massachusetts
number: S.1
title: An Act (written for the tests)
provenance:
  completeness: complete
  summary: Written for the tests.
  sources:
    - url: https://malegislature.gov/Bills
      description: test
relations:
  - type: amends
    target: law
sections:
  - id: sec_1
    number: SECTION 1
    status: official
    text: >-
      SECTION 1. Section 220 of chapter 6 of the General Laws is hereby amended by striking
      out the word "agency" and inserting in place thereof the word "department".
  - id: sec_2
    number: SECTION 2
    status: official
    text: >-
      SECTION 2. Said section 220 of said chapter 6 is hereby further amended by striking
      out the word "council" and inserting in place thereof the word "board".
"""


@pytest.fixture
def amend_bills(tmp_path: Path) -> Path:
    root = tmp_path / "amend"
    (root / "documents").mkdir(parents=True)
    (root / "documents" / "law.yaml").write_text(AMEND_LAW, encoding="utf-8")
    (root / "documents" / "bill.yaml").write_text(AMEND_BILL, encoding="utf-8")
    return root


def test_amend_reports_every_instruction_and_writes_the_document(amend_bills: Path,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "amended.yaml"
    result = run(amend_bills, "amend", "law", "S.1", "--out", str(out))
    assert result.exit_code == 1  # SECTION 2 does not apply
    assert "applied      SECTION 1 [bill:sec_1]" in result.stdout
    assert "NOT APPLIED  SECTION 2 [bill:sec_2]" in result.stdout
    assert "the words 'council' are not found" in result.stdout
    from billdiff.load import read_yaml
    from billdiff.model import Document

    doc = Document.model_validate(read_yaml(out)[0])
    assert doc.id == "law.as-amended-by.bill"
    assert doc.sections[0].text == "Section 220. The department may use it."
    assert doc.status == "Generated by billdiff: not an official text"
    # never over a file without --force; with it, replaced
    again = run(amend_bills, "amend", "law", "bill", "--out", str(out))
    assert again.exit_code == 2
    assert "already exists (pass --force" in again.output
    assert run(amend_bills, "amend", "law", "bill", "--out", str(out),
               "--force").exit_code == 1
    report = json.loads(run(amend_bills, "amend", "law", "bill", "--format", "json").stdout)
    assert [o["status"] for o in report["outcomes"]] == ["applied", "not-applied"]
    assert run(amend_bills, "amend", "law", "nope").exit_code == 2


def test_the_law_as_amended_compares_like_any_document(amend_bills: Path) -> None:
    result = run(amend_bills, "compare", "law", "law.as-amended-by.bill")
    assert result.exit_code == 1
    assert "[-agency-]{+department+}" in result.stdout.replace(" ", "")
    # a pair no relation names is unknown
    assert run(amend_bills, "compare", "law", "bill.as-amended-by.law").exit_code == 2


def test_a_closed_pipe_is_not_an_error(tmp_path: Path) -> None:
    root = tmp_path / "big"
    (root / "documents").mkdir(parents=True)
    text = " ".join(["word"] * 200)
    sections = "".join(f'  - id: sec_{i}\n    number: "{i}"\n    status: official\n'
                       f'    text: "{text}"\n' for i in range(400))
    (root / "documents" / "big.yaml").write_text(
        DOC.format(id="big", number="B.1", filed="2020", text="x").split("sections:")[0]
        + "sections:\n" + sections, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "billdiff", "--bills", str(root), "show",
                             "big"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.read(100)
    proc.stdout.close()  # what `| head -c 100` does
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0
    assert err == ""


def test_fetch_passes_the_hosts_a_redirect_may_go_to(monkeypatch, tmp_path: Path) -> None:
    import billdiff.fetch
    from billdiff.load import read_yaml
    from billdiff.model import Document

    seen: dict[str, object] = {}
    law = Document.model_validate(read_yaml_text(AMEND_LAW))

    def fake(chapter: str, section: str, **kwargs: object) -> Document:
        seen.update(kwargs, chapter=chapter, section=section)
        return law

    monkeypatch.setattr(billdiff.fetch, "fetch_mgl", fake)
    out = tmp_path / "law.yaml"
    result = CliRunner().invoke(cli, ["fetch", "mgl", "6", "220", "--allow-redirect-to",
                                      "mirror.example", "--allow-redirect-to", "b.example",
                                      "--timeout", "5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert seen["allow_redirect_to"] == ("mirror.example", "b.example")
    assert seen["timeout"] == 5.0
    assert read_yaml(out)[0]["id"] == "law"
    bad = CliRunner().invoke(cli, ["fetch", "mgl", "6", "220", "--timeout", "0"])
    assert bad.exit_code == 2
    assert "--timeout" in bad.output


def read_yaml_text(text: str) -> object:
    import yaml

    return yaml.safe_load(text)


def test_import_completeness_defaults_by_format(tmp_path: Path) -> None:
    from billdiff.importers import run_import

    text = tmp_path / "bill.txt"
    text.write_text("SECTION 1. Police need a warrant.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(text), "--format", "plain", "--id", "b",
                                      "--source-url", "https://example.org/b"])
    assert result.exit_code == 0, result.output
    assert "completeness: partial" in result.stdout
    told = CliRunner().invoke(cli, ["import", str(text), "--format", "plain", "--id", "b",
                                    "--source-url", "https://example.org/b",
                                    "--completeness", "complete"])
    assert "completeness: complete" in told.stdout
    law = Path(__file__).parent / "fixtures" / "amend" / "dc" / "L24-100__7-741.03" / "law.xml"
    dc = CliRunner().invoke(cli, ["import", str(law), "--format", "dc-law", "--id", "l"])
    assert dc.exit_code == 0, dc.output
    assert "completeness: complete" in dc.stdout
    assert run_import(law, "dc-law", "l").provenance.completeness.value == "complete"
