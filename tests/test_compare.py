"""billdiff.compare: pairs diffed after normalisation, sides lacking text, JSON shape, cache."""

from __future__ import annotations

import json

import pytest
from docs_helpers import doc, sec

from billdiff.compare import CompareOptions, cached_compare, compare_documents
from billdiff.errors import InputTooLarge, NotFound


def test_changed_pair_has_ops_and_stats():
    a = doc("a", sec("sec_1", "Police need a court order.", "1"))
    b = doc("b", sec("sec_1", "Police need a warrant.", "1"))
    cmp = compare_documents(a, b)
    assert cmp.changed
    (pair,) = cmp.pairs
    assert [(o.op, o.text) for o in pair.diff.ops] == [
        ("equal", "Police need a "), ("delete", "court order."), ("insert", "warrant.")]
    assert cmp.stats.words_deleted == 2
    assert cmp.stats.words_inserted == 1


def test_identical_documents_are_unchanged():
    a = doc("a", sec("sec_1", "Same.", "1"))
    assert not compare_documents(a, doc("b", sec("sec_1", "Same.", "1"))).changed


def test_nbsp_is_not_a_change_and_quotes_are_an_option():
    a = doc("a", sec("sec_1", "“Facial\u00a0recognition”", "1"))
    b = doc("b", sec("sec_1", '"Facial recognition"', "1"))
    assert compare_documents(a, b).changed
    assert not compare_documents(a, b, options=CompareOptions(quotes=True)).changed
    strict = compare_documents(a, b).pairs[0]
    assert strict.a_text == "“Facial recognition”"  # the text as compared, after normalising


def test_side_lacking_text_is_not_diffed_but_reported():
    a = doc("a", sec("sec_220", "", "220"))
    b = doc("b", sec("sec_220", "Some text.", "220"))
    (pair,) = compare_documents(a, b).pairs
    assert pair.diff is None
    assert pair.lacking == ("a",)
    data = pair.to_json()
    assert data["ops"] == []
    assert data["lacking_text"] == ["a"]
    assert data["stats"] is None


def test_only_one_side_is_a_change_and_listed():
    a = doc("a", sec("sec_1", "Kept.", "1"))
    b = doc("b", sec("sec_1", "Kept.", "1"), sec("sec_2", "New section text.", "2"))
    cmp = compare_documents(a, b)
    assert cmp.changed
    assert [s.id for s in cmp.only_b] == ["sec_2"]


def test_json_shape(corpus):
    a = doc("a", sec("sec_1", "one two", "1"))
    b = doc("b", sec("sec_1", "one three", "1"))
    data = json.loads(json.dumps(compare_documents(a, b).to_json()))
    assert set(data) >= {"a", "b", "pairs", "only_in_a", "only_in_b", "stats", "topics"}
    pair = data["pairs"][0]
    assert set(pair) >= {"topic", "a_section", "b_section", "a_text", "b_text", "ops", "stats"}
    assert pair["ops"] == [{"op": "equal", "text": "one "}, {"op": "delete", "text": "two"},
                           {"op": "insert", "text": "three"}]
    assert pair["a_section"]["id"] == "sec_1"


def test_text_over_the_word_limit_is_refused(monkeypatch):
    monkeypatch.setenv("BILLDIFF_MAX_TEXT_WORDS", "3")
    a = doc("a", sec("sec_1", "one two three four", "1"))
    with pytest.raises(InputTooLarge, match="over the 3-word limit"):
        compare_documents(a, doc("b", sec("sec_1", "x", "1")))


def test_cache_returns_the_same_result_for_the_same_content():
    a = doc("a", sec("sec_1", "alpha", "1"))
    b = doc("b", sec("sec_1", "beta", "1"))
    first = cached_compare(a, b)
    again = cached_compare(doc("a", sec("sec_1", "alpha", "1")),
                           doc("b", sec("sec_1", "beta", "1")))
    assert again is first
    other = cached_compare(a, doc("b", sec("sec_1", "gamma", "1")))
    assert other is not first


def test_bundled_dossier_topics_and_unknown_topic(corpus):
    if not corpus.documents or not corpus.topics:
        pytest.skip("bundled corpus not present")
    docs = corpus.ordered_documents()
    cmp = compare_documents(docs[0], docs[-1], corpus=corpus)
    assert [t.topic.id for t in cmp.topics] == list(corpus.topics)
    with pytest.raises(NotFound, match="unknown topic 'nope'"):
        compare_documents(docs[0], docs[-1], corpus=corpus,
                          options=CompareOptions(topics=("nope",)))


def test_where_a_cut_off_copy_stops_is_not_a_change():
    full = "an automated process that uses characteristics of an individual's face to derive"
    cut = "an automated process that uses characteristics of a"
    a = doc("a", sec("sec_1", full, "1"))
    b = doc("b", sec("sec_1", cut, "1", status="excerpt", truncated=True))
    cmp = compare_documents(a, b)
    (pair,) = cmp.pairs
    assert pair.truncated == ("b",)
    assert [o.op for o in pair.tail_ops] == ["delete", "insert"]
    held = "".join(o.text for o in pair.held_ops)
    assert held == "an automated process that uses characteristics of "
    assert not pair.changed
    assert not cmp.changed
    assert cmp.stats.words_deleted == cmp.stats.words_inserted == 0
    data = pair.to_json()
    assert data["beyond_held_text"]["from_op"] == 1
    assert data["truncated_text"] == ["b"]
    # a real change before the cut still counts
    b2 = doc("b", sec("sec_1", cut.replace("automated", "automatic"), "1", status="excerpt",
                      truncated=True))
    (pair2,) = compare_documents(a, b2).pairs
    assert pair2.changed
    assert pair2.stats.words_deleted == 1
    assert pair2.stats.words_inserted == 1


def test_bidi_controls_in_titles_are_shown_on_pages_and_in_the_terminal(tmp_path):
    from click.testing import CliRunner

    from billdiff.cli import cli
    from billdiff.web import create_app

    root = tmp_path / "c"
    (root / "documents").mkdir(parents=True)
    (root / "documents" / "x.yaml").write_text(
        'id: x\nkind: bill\njurisdiction: T\nnumber: "H.1"\ntitle: "An Act \\u202eevil"\n'
        "provenance: {completeness: complete, summary: s, sources: [{url: 'https://e.org', "
        "description: d}]}\nsections:\n  - {id: s1, status: official, text: hi}\n",
        encoding="utf-8")
    page = create_app({"TESTING": True, "BILLS_DIR": str(root)}).test_client().get(
        "/documents/x").get_data(as_text=True)
    assert "\u202e" not in page
    assert "⟦U+202E⟧" in page
    listing = CliRunner().invoke(cli, ["list", "--bills", str(root)]).output
    assert "\u202e" not in listing
    assert "⟦U+202E⟧" in listing
