"""Compare your own draft: core, command line and web page (nothing stored)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from billdiff.analysis import read_comparison
from billdiff.cli import cli
from billdiff.draft import MAX_DRAFT_WORDS, compare_draft, parse_draft
from billdiff.errors import BilldiffError, InputTooLarge

MA = Path(__file__).parent / "fixtures" / "ma"
H4359 = (MA / "ma-193-h4359.clean.txt").read_text(encoding="utf-8")
PLAIN = """Section 1. Definitions.
(a) "Agency", any public body.
(b) "Search", a face recognition search.
Section 2. Searches.
(a) An agency may run a search only with a warrant.
"""


def test_plain_draft_parses_into_sections():
    doc = parse_draft(PLAIN)
    assert doc.id == "your-draft"
    ids = [s.id for s in doc.sections]
    assert ids == ["sec_1", "sec_2"]
    assert doc.provenance.sources[0].url.endswith(".invalid/")


def test_empty_and_oversize_drafts_are_refused():
    with pytest.raises(BilldiffError, match="empty"):
        parse_draft("   \n")
    with pytest.raises(InputTooLarge, match=f"{MAX_DRAFT_WORDS:,}-word limit"):
        parse_draft("word " * (MAX_DRAFT_WORDS + 1))


def test_draft_of_a_stored_bill_pairs_its_provisions_and_suggests_topics(corpus):
    result = compare_draft(corpus, H4359, "ma-193-h4359")
    pairs = {(p.a_section.id if p.a_section else None): p for p in result.comparison.pairs}
    same = pairs["sec_220__subsec_a__def_biometric-surveillance-technology"]
    assert same.diff is not None
    assert not same.diff.changed
    assert result.suggestions["sec_220__subsec_a__def_facial-recognition"] == ("definitions",)
    # suggestions stay suggestions: the draft's sections carry no confirmed topics
    for pair in result.comparison.pairs:
        if pair.b_section is not None:
            assert pair.b_section.topics == ()


def test_draft_with_an_edit_shows_the_edit(corpus):
    edited = H4359.replace("any computer software", "any software or device")
    result = compare_draft(corpus, edited, "ma-193-h4359")
    reading = read_comparison(result.comparison)
    changed = [p for p in reading.pairs if p.changed and p.a and "biometric" in p.a.id]
    (pair,) = changed
    assert [(r.op, r.text) for r in pair.runs if r.op != "equal"] == [
        ("delete", "computer "), ("insert", "or device ")]
    assert result.draft.number == "Your draft (not official)"


def test_cli_compare_text(tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(H4359.replace("any computer software", "any software"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["compare-text", str(draft), "--against", "ma-193-h4359",
                                      "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["a"]["id"] == "ma-193-h4359"
    assert data["b"]["id"] == "your-draft"
    assert "sec_220__subsec_a__def_facial-recognition" in data["suggested_topics"]
    text = CliRunner().invoke(cli, ["compare-text", str(draft), "--against", "ma-193-h4359",
                                    "--color", "never"])
    assert "[-computer -]" in text.output
    assert "Suggested topics for your draft" in text.output


def test_cli_compare_text_errors(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9\n")
    result = CliRunner().invoke(cli, ["compare-text", str(bad), "--against", "ma-193-h4359"])
    assert result.exit_code == 2
    assert "UTF-8" in result.output
    ok = tmp_path / "ok.txt"
    ok.write_text(PLAIN, encoding="utf-8")
    result = CliRunner().invoke(cli, ["compare-text", str(ok), "--against", "nope"])
    assert result.exit_code == 2
    assert "unknown document 'nope'" in result.output


# -- the web page ------------------------------------------------------------------------------


@pytest.fixture
def client():
    from billdiff.web import create_app

    return create_app({"TESTING": True}).test_client()


def _token(client) -> str:
    page = client.get("/draft").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_draft_form_is_not_cached(client):
    response = client.get("/draft")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert 'enctype="multipart/form-data"' in response.get_data(as_text=True)


def test_draft_post_needs_the_csrf_token(client):
    response = client.post("/draft", data={"against": "ma-193-h4359", "text": PLAIN})
    assert response.status_code == 400


def test_draft_post_compares_pasted_text(client):
    edited = H4359.replace("any computer software", "any software")
    response = client.post("/draft", data={"csrf_token": _token(client),
                                           "against": "ma-193-h4359", "text": edited})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "<del><span class=\"vh\">[deleted: </span>computer " in body
    assert "Suggested topics" in body


def test_draft_upload_and_its_errors(client):
    import io

    token = _token(client)
    ok = client.post("/draft", data={"csrf_token": token, "against": "ma-193-h4359",
                                     "file": (io.BytesIO(PLAIN.encode()), "draft.txt")},
                     content_type="multipart/form-data")
    assert ok.status_code == 200
    bad = client.post("/draft", data={"csrf_token": token, "against": "ma-193-h4359",
                                      "file": (io.BytesIO(b"caf\xe9"), "draft.txt")},
                      content_type="multipart/form-data")
    assert bad.status_code == 400
    assert "not UTF-8" in bad.get_data(as_text=True)


def test_draft_over_the_word_limit_is_413_with_the_limit_named(client):
    response = client.post("/draft", data={"csrf_token": _token(client),
                                           "against": "ma-193-h4359",
                                           "text": "word " * (MAX_DRAFT_WORDS + 1)})
    assert response.status_code == 413
    assert f"{MAX_DRAFT_WORDS:,}-word limit" in response.get_data(as_text=True)


def test_draft_hostile_text_is_escaped(client):
    response = client.post("/draft", data={"csrf_token": _token(client),
                                           "against": "ma-193-h4359",
                                           "text": "Section 1. <script>alert(1)</script>\n"})
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
