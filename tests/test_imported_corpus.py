"""An imported Massachusetts bill used end to end: import, validate, compare, pages, --lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from billdiff.cli import cli

MA = Path(__file__).parent / "fixtures" / "ma"


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    """A corpus of two imported versions: the laid-out S.1053 fixture and an edited copy."""
    root = tmp_path / "corpus"
    (root / "documents").mkdir(parents=True)
    original = (MA / "ma-194-s1053.txt").read_text(encoding="utf-8")
    edited = tmp_path / "edited.txt"
    edited.write_text(original.replace("the 2022 Official", "the 2024 Official"),
                      encoding="utf-8")
    for source, doc_id in ((MA / "ma-194-s1053.txt", "s1053-filed"), (edited, "s1053-edited")):
        result = CliRunner().invoke(cli, ["import", str(source), "--id", doc_id, "--out",
                                          str(root / "documents" / f"{doc_id}.yaml")])
        assert result.exit_code == 0, result.output
    return root


def test_imported_documents_validate_and_compare(imported):
    runner = CliRunner()
    assert runner.invoke(cli, ["validate", "--bills", str(imported)]).exit_code == 0
    result = runner.invoke(cli, ["compare", "s1053-filed", "s1053-edited", "--bills",
                                 str(imported), "--color", "never"])
    assert result.exit_code == 1
    assert "[-2022 -]{+2024 +}" in result.output


def test_show_lines_prints_exactly_those_printed_lines(imported):
    result = CliRunner().invoke(cli, ["show", "s1053-filed", "--lines", "1-2", "--bills",
                                      str(imported)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "1  SECTION 1. Chapter 6 of the General Laws, as appearing in the 2022 Official\n"
        "2  Edition, is hereby amended by striking section 220 and inserting in place\n")
    bad = CliRunner().invoke(cli, ["show", "s1053-filed", "--lines", "9000-9001", "--bills",
                                   str(imported)])
    assert bad.exit_code == 2
    assert "outside s1053-filed" in bad.output


def test_pages_show_printed_lines(imported):
    from billdiff.web import create_app

    client = create_app({"TESTING": True, "BILLS_DIR": str(imported)}).test_client()
    doc = client.get("/documents/s1053-filed").get_data(as_text=True)
    assert "printed lines 1–" in doc
    cmp = client.get("/compare?a=s1053-filed&b=s1053-edited").get_data(as_text=True)
    assert "Printed lines: S.1053 1–" in cmp


def test_importing_a_fuller_text_over_a_bundled_document_keeps_the_corpus_usable(tmp_path):
    """The README's way to complete a text: the analyses' old references become warnings."""
    import shutil

    from conftest import BILLS

    root = tmp_path / "bills"
    shutil.copytree(BILLS, root)
    out = root / "documents" / "ma-194-s1053.yaml"
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(MA / "ma-194-s1053.txt"), "--id", "ma-194-s1053",
                                 "--out", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert "update its `sections` and `cites`" in result.output
    validate = runner.invoke(cli, ["validate", "--bills", str(root)])
    assert validate.exit_code == 1
    assert "warning: document 'ma-194-s1053' has no section 'sec_220__rest'" in validate.output
    assert "0 errors" in validate.output
    listing = runner.invoke(cli, ["list", "--bills", str(root)])
    assert listing.exit_code == 0
    assert "stale reference" in listing.output
    from billdiff.web import create_app

    client = create_app({"TESTING": True, "BILLS_DIR": str(root)}).test_client()
    assert client.get("/documents/ma-194-s1053").status_code == 200
    assert client.get("/guide").status_code == 200


def test_import_refuses_a_document_over_the_corpus_file_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("BILLDIFF_MAX_FILE_BYTES", "2000")
    out = tmp_path / "big.yaml"
    result = CliRunner().invoke(cli, ["import", str(MA / "ma-194-s1053.txt"), "--id", "big",
                                      "--out", str(out)])
    assert result.exit_code == 2
    assert "over the 2,000-byte limit" in result.output
    assert not out.exists()


def test_import_records_what_the_user_knows_about_the_file(tmp_path):
    import yaml

    out = tmp_path / "copy.yaml"
    result = CliRunner().invoke(cli, ["import", str(MA / "ma-194-s1053.txt"), "--id", "copy",
                                      "--unofficial", "--completeness", "partial",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["provenance"]["completeness"] == "partial"
    assert all(not s.get("official") for s in data["provenance"]["sources"])
    assert {s["status"] for s in data["sections"]} == {"single-source"}
