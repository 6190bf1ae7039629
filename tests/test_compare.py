"""billdiff.compare: pairs diffed after normalisation, what is diffed and what is not, cache.

What the pairs *mean* (kinds of change, states, headline numbers) is tested in
``test_analysis.py``.
"""

from __future__ import annotations

import pytest
from docs_helpers import doc, sec

from billdiff.compare import CompareOptions, cached_compare, compare_documents
from billdiff.errors import InputTooLarge, NotFound


def test_changed_pair_has_its_runs():
    a = doc("a", sec("sec_1", "Police need a court order.", "1"))
    b = doc("b", sec("sec_1", "Police need a warrant.", "1"))
    (pair,) = compare_documents(a, b).pairs
    assert [(o.op, o.text) for o in pair.diff.ops] == [
        ("equal", "Police need a "), ("delete", "court order."), ("insert", "warrant.")]
    assert not pair.same_text


def test_identical_sections_are_not_diffed_again():
    a = doc("a", sec("sec_1", "Same.", "1"))
    (pair,) = compare_documents(a, doc("b", sec("sec_1", "Same.", "1"))).pairs
    assert pair.same_text
    assert [(o.op, o.text) for o in pair.diff.ops] == [("equal", "Same.")]


def test_invisible_characters_are_normalised_and_quotes_are_kept():
    a = doc("a", sec("sec_1", "“Facial\u00a0recognition”", "1"))
    b = doc("b", sec("sec_1", '"Facial recognition"', "1"))
    (pair,) = compare_documents(a, b).pairs
    assert pair.a_text == "“Facial recognition”"  # NBSP gone, curly quotes kept as shown
    assert pair.b_text == '"Facial recognition"'
    assert [o.op for o in pair.diff.ops if o.op != "equal"] == ["delete", "insert"] * 2
    assert all(o.typography for o in pair.diff.ops if o.op != "equal")


def test_missing_text_is_not_diffed_but_a_held_section_with_no_words_is():
    a = doc("a", sec("sec_220", "", "220"))  # status missing: text not obtained
    b = doc("b", sec("sec_220", "Some text.", "220"))
    (pair,) = compare_documents(a, b).pairs
    assert pair.diff is None
    reserved = doc("c", sec("sec_220", "", "220", status="official", heading="[Reserved]"))
    (held,) = compare_documents(reserved, b).pairs
    assert held.diff is not None
    assert [(o.op, o.text) for o in held.diff.ops] == [("insert", "Some text.")]


def test_sections_on_one_side_only_are_listed():
    a = doc("a", sec("sec_1", "Kept.", "1"))
    b = doc("b", sec("sec_1", "Kept.", "1"), sec("sec_2", "New section text.", "2"))
    cmp = compare_documents(a, b)
    assert [s.id for s in cmp.only_b] == ["sec_2"]
    assert cmp.only_a == ()


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
    assert cached_compare(a, b, options=CompareOptions(granularity="char")) is not first


def test_bundled_dossier_topics_and_unknown_topic(corpus):
    if not corpus.documents or not corpus.topics:
        pytest.skip("bundled corpus not present")
    docs = corpus.ordered_documents()
    cmp = compare_documents(docs[0], docs[-1], corpus=corpus)
    assert [t.topic.id for t in cmp.topics] == list(corpus.topics)
    with pytest.raises(NotFound, match="unknown topic 'nope'"):
        compare_documents(docs[0], docs[-1], corpus=corpus,
                          options=CompareOptions(topics=("nope",)))


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


def test_the_comparison_cache_is_bounded_by_the_text_it_holds(monkeypatch):
    from billdiff import compare

    monkeypatch.setattr(compare, "_cache", type(compare._cache)())
    monkeypatch.setattr(compare, "_cached_chars", 0)
    monkeypatch.setattr(compare, "CACHE_CHARS", 40)
    pairs = [(doc(f"a{k}", sec("sec_1", f"alpha {k:04}", "1")),  # 10 characters a side
              doc(f"b{k}", sec("sec_1", f"gamma {k:04}", "1"))) for k in range(3)]
    kept = [cached_compare(a, b) for a, b in pairs[:2]]
    again = [cached_compare(a, b) for a, b in pairs[:2]]
    assert all(x is y for x, y in zip(kept, again, strict=True))  # both kept: 40 characters
    third = cached_compare(*pairs[2])
    assert compare._cached_chars == 40
    assert len(compare._cache) == 2
    assert cached_compare(*pairs[2]) is third  # kept, and the oldest pair let go
    assert cached_compare(*pairs[0]) is not kept[0]
    big = (doc("big-a", sec("sec_1", "x" * 41, "1")), doc("big-b", sec("sec_1", "y", "1")))
    assert cached_compare(*big) is not cached_compare(*big)  # over the whole budget: not kept
    assert compare._cached_chars <= 40
