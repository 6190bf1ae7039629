"""billdiff.analysis: the one reading of a comparison.

Exact small cases for every kind of change, read the same way by every output (JSON, the
terminal, the web page, the fact sheet); cut-off copies, words a copy lacks, front matter and
partial documents; Hypothesis properties for cut-off copies and typography.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from docs_helpers import doc, sec
from hypothesis import given, settings
from hypothesis import strategies as st

from billdiff import analysis, factsheet
from billdiff.analysis import Change, Mark, PairState, TopicState, read_comparison
from billdiff.cli import cli
from billdiff.compare import CompareOptions, compare_documents
from billdiff.load import load_corpus


def read(a, b, **kw):
    return read_comparison(compare_documents(a, b, **kw))


def only_pair(a, b):
    (pair,) = read(a, b).pairs
    return pair


# -- each kind of change, exactly ---------------------------------------------------------------

HEADING = {"heading": "Definitions"}

#: kind -> (A's sections, B's sections); every document complete.
CASES = {
    "wording": ([sec("sec_1", "Police need a court order.", "1")],
                [sec("sec_1", "Police need a warrant.", "1")]),
    "typography": ([sec("sec_1", "“Face scan”, a search by computer.", "1")],
                   [sec("sec_1", '"Face scan", a search by computer.', "1")]),
    "heading": ([sec("sec_1", "Words.", "1", heading="Definitions")],
                [sec("sec_1", "Words.", "1", heading="Definitions.")]),
    "renumbered": ([sec("sec_1", "Words.", "1")], [sec("sec_1", "Words.", "2")]),
    "moved": ([sec("sec_1", "One.", "1"), sec("sec_2", "Two.", "2"), sec("sec_3", "Three.", "3")],
              [sec("sec_2", "Two.", "2"), sec("sec_3", "Three.", "3"), sec("sec_1", "One.", "1")]),
    "structure": ([sec("sec_1", "Police may search with a warrant.", "1")],
                  [sec("sec_1", "", "1", status="official", children=(
                      sec("sec_1__a", "Police may search with a warrant.", "1(a)"),
                      sec("sec_1__b", "Police may search in an emergency.", "1(b)")))]),
    "repealed": ([sec("sec_1", "Official expenses are paid.", "1", heading="[Reserved]")],
                 [sec("sec_1", "", "1", status="official", heading="[Reserved]")]),
    "enacted": ([sec("sec_1", "", "1", status="official", heading="[Reserved]")],
                [sec("sec_1", "Official expenses are paid.", "1", heading="[Reserved]")]),
    "added": ([sec("sec_1", "Kept.", "1")],
              [sec("sec_1", "Kept.", "1"), sec("sec_2", "New rule.", "2")]),
    "removed": ([sec("sec_1", "Kept.", "1"), sec("sec_2", "Old rule.", "2")],
                [sec("sec_1", "Kept.", "1")]),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_each_kind_is_read_exactly(kind):
    a_secs, b_secs = CASES[kind]
    r = read(doc("a", *a_secs), doc("b", *b_secs))
    found = {c for p in r.pairs for c in p.changes}
    found |= {u.change for u in (*r.only_a, *r.only_b) if u.change}
    if kind == "structure":  # the new sub-paragraphs are added provisions of their own
        assert found == {Change.STRUCTURE, Change.ADDED}
    else:
        assert found == {Change(kind)}
    assert r.changed is (kind != "typography")
    assert r.typography_only is (kind == "typography")


def test_wording_runs_and_counts():
    a_secs, b_secs = CASES["wording"]
    p = only_pair(doc("a", *a_secs), doc("b", *b_secs))
    assert p.state is PairState.CHANGED
    assert [(r.op, r.text, r.mark.value) for r in p.runs] == [
        ("equal", "Police need a ", "same"), ("delete", "court order.", "wording"),
        ("insert", "warrant.", "wording")]
    assert (p.stats.words_deleted, p.stats.words_inserted, p.stats.regions) == (2, 1, 1)


def test_typography_is_shown_but_never_counted():
    a_secs, b_secs = CASES["typography"]
    p = only_pair(doc("a", *a_secs), doc("b", *b_secs))
    assert p.state is PairState.TYPOGRAPHY
    assert not p.changed
    assert [r.text for r in p.runs if r.mark is Mark.TYPOGRAPHY] == ["“", '"', "”", '"']
    assert p.stats.words_deleted == p.stats.words_inserted == p.stats.regions == 0
    assert p.stats.typography == 2


def test_heading_and_number_that_differ_only_in_quote_style_are_typography():
    a = doc("a", sec("sec_1__def_x", "Words.", "1(a) “X”"))
    b = doc("b", sec("sec_1__def_x", "Words.", '1(a) "X"'))
    p = only_pair(a, b)
    assert p.changes == (Change.TYPOGRAPHY,)
    assert p.number_change is None


def test_renumbering_only_for_the_same_provision():
    p = only_pair(doc("a", sec("sec_1", "Words.", "1")), doc("b", sec("sec_1", "Words.", "2")))
    assert p.number_change == ("1", "2")
    # paired by number with different ids: the numbers are equal by design
    q = read(doc("a", sec("x_1", "Other words here.", "5")),
             doc("b", sec("y_1", "Other words here.", "5"))).pairs[0]
    assert Change.RENUMBERED not in q.changes


def test_moved_marks_only_the_provision_that_moved():
    a_secs, b_secs = CASES["moved"]
    r = read(doc("a", *a_secs), doc("b", *b_secs))
    moved = [p.a.id for p in r.pairs if Change.MOVED in p.changes]
    assert moved == ["sec_1"]


def test_a_provision_emptied_is_a_repeal_not_missing_text():
    a_secs = [sec("sec_1", "Official expenses are paid.", "1", heading="Expenses")]
    b_secs = CASES["repealed"][1]
    p = only_pair(doc("a", *a_secs), doc("b", *b_secs))
    assert p.compared
    assert p.changes == (Change.HEADING, Change.REPEALED)
    assert p.heading_change == ("Expenses", "[Reserved]")
    assert p.stats.words_deleted == 4
    # text not obtained is another thing: not compared, never a repeal
    missing = only_pair(doc("a", *a_secs), doc("b", sec("sec_1", "", "1")))
    assert missing.state is PairState.NOT_COMPARED
    assert missing.lacking == (("b", analysis.Lack.NOT_HELD),)


def test_a_missing_section_is_never_added_or_removed_nor_is_one_in_a_partial_text():
    a = doc("a", sec("sec_1", "Kept.", "1"))
    b = doc("b", sec("sec_1", "Kept.", "1"), sec("sec_2", "", "2"))  # sec_2 not obtained
    (u,) = read(a, b).only_b
    assert u.change is None
    assert u.lack is analysis.Lack.NOT_HELD
    partial_a = doc("a", sec("sec_1", "Kept.", "1"), completeness="partial")
    (v,) = read(partial_a, doc("b", sec("sec_1", "Kept.", "1"), sec("sec_2", "New.", "2"))).only_b
    assert v.change is None
    assert v.lack is analysis.Lack.NOT_IN_HELD_TEXT
    r = read(partial_a, doc("b", sec("sec_1", "Kept.", "1"), sec("sec_2", "New.", "2")))
    assert not r.changed
    assert r.provisions.unpaired_unknown == 1


# -- cut-off copies -------------------------------------------------------------------------

FULL = ("“Facial recognition”, an automated or semi-automated process that assists in "
        "identifying or verifying an individual based on the physical characteristics of an "
        "individual’s face, head or body, or that uses characteristics of an individual’s face")
CUT = FULL[:FULL.index("characteristics of an individual’s face", 150)] + "characteristics of a"


def _cut_doc(text: str, **kw) -> object:
    return doc("h4359", sec("sec_1", text, "1", status="excerpt", truncated=True), **kw)


def test_past_the_cut_is_set_apart_and_before_it_is_counted():
    draft = FULL.replace("face, head or body", "face or body")
    p = only_pair(_cut_doc(CUT), doc("draft", sec("sec_1", draft, "1")))
    assert p.changed
    assert p.changes == (Change.WORDING,)
    # punctuation belongs to its word: "face, head " became "face "
    assert [(r.op, r.text) for r in p.runs if r.mark is Mark.WORDING] == [
        ("delete", "face, head "), ("insert", "face ")]
    assert p.stats.words_deleted == 2
    assert p.stats.words_inserted == 1
    assert p.cut == ("a",)
    assert p.stops == "a"
    assert p.tail_text("a") == "a"
    assert p.tail_text("b").startswith("an individual’s face")


def test_when_both_copies_stop_the_tail_begins_where_the_first_one_does():
    longer = doc("s3084", sec("sec_1", CUT + "n individual’s face", "1", status="excerpt",
                              truncated=True))
    p = only_pair(longer, _cut_doc(CUT))
    assert p.cut == ("a", "b")
    assert p.stops == "b"
    assert p.tail_text("b") == "a"


def test_a_copy_that_stops_is_not_a_change_where_it_stops():
    p = only_pair(_cut_doc(CUT), doc("full", sec("sec_1", FULL, "1")))
    assert p.state is PairState.UNCHANGED
    assert p.tail
    assert p.cut == ("a",)
    assert p.stats.words_deleted == p.stats.words_inserted == 0


def test_words_a_copy_is_known_to_lack_are_set_apart():
    official = doc("s3084", sec("sec_1", "Section 220. (a) As used in this section:", "1"))
    copy = doc("h1728", sec("sec_1", "(a) As used in this section:", "1",
                            lacks=("Section 220.",)))
    p = only_pair(official, copy)
    assert p.state is PairState.UNCHANGED
    assert p.gaps
    assert [(r.op, r.text, r.mark.value) for r in p.runs][0] == ("delete", "Section 220. ", "gap")
    assert p.stats.words_deleted == 0
    # without the note, the same words are a change of wording
    bare = doc("h1728", sec("sec_1", "(a) As used in this section:", "1"))
    assert only_pair(official, bare).changes == (Change.WORDING,)


WORDS = st.sampled_from(["police", "may", "search", "a", "the", "warrant", "court", "order,",
                         "with", "judge", "face", "“data”", "of", "in", "emergency.", "shall",
                         "not", "use", "any", "system", "record", "public", "agency", "means"])


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, min_size=4, max_size=24, unique=True), st.data())
def test_any_edit_inside_the_held_part_of_a_cut_off_copy_is_that_change(words, data):
    """A draft made by deleting or replacing any word inside the held part of a cut-off text
    is always reported as that change.  (The held words are distinct, so that "that change"
    is one: with a word repeated, here or past the cut, a deletion may be read at either copy
    of it.)"""
    cut_at = data.draw(st.integers(min_value=3, max_value=len(words)))
    held = words[:cut_at]
    tail = data.draw(st.lists(WORDS.filter(lambda w: w not in held), max_size=8))
    i = data.draw(st.integers(min_value=0, max_value=len(held) - 2))  # not the last, cut word
    replace = data.draw(st.booleans())
    new_word = "NEWWORD"
    draft = held[:i] + ([new_word] if replace else []) + held[i + 1:] + tail
    p = only_pair(_cut_doc(" ".join(held)), doc("d", sec("sec_1", " ".join(draft), "1")))
    assert p.changed, p.runs
    assert Change.WORDING in p.changes
    assert p.stats.words_deleted >= 1
    deleted = " ".join(r.text for r in p.runs if r.op == "delete" and r.mark is Mark.WORDING)
    assert held[i] in deleted.split()
    if replace:
        inserted = " ".join(r.text for r in p.runs
                            if r.op == "insert" and r.mark is Mark.WORDING)
        assert new_word in inserted.split()


_STYLES = {'"': "“”\"", "'": "‘’'", "-": "-–—"}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["police", " ", '"', "'", "-", "search", ".", "\n", "a"]),
                min_size=1, max_size=40).map("".join).filter(str.strip),
       st.randoms(use_true_random=False))
def test_a_copy_in_other_quote_style_is_never_changed(text, rng):
    copy = "".join(rng.choice(_STYLES[c]) if c in _STYLES else c for c in text)
    r = read(doc("a", sec("sec_1", text, "1")), doc("b", sec("sec_1", copy, "1")))
    assert not r.changed
    assert all(p.state in (PairState.UNCHANGED, PairState.TYPOGRAPHY) for p in r.pairs)


# -- front matter, topics, headline -----------------------------------------------------------


def test_front_matter_is_read_apart_from_provisions():
    a = doc("a", sec("cover", "PRESENTED BY: Ann", role="front-matter"),
            sec("sec_1", "Police need a court order.", "1"))
    b = doc("b", sec("cover", "PRESENTED BY: Bo and Cy", role="front-matter"),
            sec("sec_1", "Police need a court order.", "1"))
    r = read(a, b)
    assert not r.changed  # only the cover differs
    assert r.provisions.compared == 1
    assert r.provisions.changed == 0
    assert r.front_matter.changed == 1
    assert r.front_matter.stats.words_inserted == 3


def test_bundled_s927_to_s1053_headline_counts_no_cover_or_petitioner_word(corpus):
    a, b = corpus.document("ma-193-s927"), corpus.document("ma-194-s1053")
    r = read_comparison(compare_documents(a, b, corpus=corpus))
    front = {s.id for d in (a, b) for s in d.sections if s.role.value == "front-matter"}
    assert {"cover", "petition", "pinslip"} <= front
    counted = [p for p in r.pairs if not p.front_matter and p.compared]
    assert counted
    assert not {p.a.id for p in counted} & front
    petition = next(p for p in r.pairs if p.a and p.a.id == "petition")
    assert petition.front_matter
    assert r.front_matter.stats.words_deleted >= petition.stats.words_deleted > 100
    assert r.provisions.stats.words_deleted < 10  # the held provisions barely differ


def test_topic_states():
    P = PairState

    def reading(*states):
        return [type("R", (), {"changed": s is P.CHANGED, "compared": s is not P.NOT_COMPARED,
                               "state": s, "cut": ()})() for s in states]

    assert analysis.topic_state([]) is TopicState.ABSENT
    assert analysis.topic_state(reading(P.NOT_COMPARED)) is TopicState.LACKING
    assert analysis.topic_state(reading(P.UNCHANGED, P.NOT_COMPARED)) is TopicState.PARTIAL
    assert analysis.topic_state(reading(P.UNCHANGED, P.TYPOGRAPHY)) is TopicState.TYPOGRAPHY
    assert analysis.topic_state(reading(P.UNCHANGED)) is TopicState.UNCHANGED
    assert analysis.topic_state(reading(P.NOT_COMPARED, P.CHANGED)) is TopicState.CHANGED


def test_reading_is_cached_per_comparison():
    cmp = compare_documents(doc("a", sec("s", "x", "1")), doc("b", sec("s", "y", "1")))
    assert read_comparison(cmp) is read_comparison(cmp)


def test_sponsors_never_include_petitioners(corpus):
    s927 = corpus.document("ma-193-s927")
    assert analysis.sponsors(s927) == ("Cynthia Stone Creem",)
    h4359 = corpus.document("ma-193-h4359")
    assert analysis.sponsors(h4359) == ("Joint Committee on the Judiciary", "Michael S. Day")


# -- every output reads the same -------------------------------------------------------------


def _write_case(root: Path, kind: str) -> Path:
    a_secs, b_secs = CASES[kind]
    (root / "documents").mkdir(parents=True)
    for d in (doc("a", *a_secs, filed="2020-01-01"), doc("b", *b_secs, filed="2021-01-01")):
        data = json.loads(d.model_dump_json(exclude_defaults=True))
        for s in data.get("sections", []):
            s.setdefault("topics", ["t"])
        (root / "documents" / f"{d.id}.yaml").write_text(yaml.safe_dump(data), "utf-8")
    (root / "topics.yaml").write_text(yaml.safe_dump({"topics": [
        {"id": "t", "title": "The rule", "question": "What is the rule?"}]}), "utf-8")
    return root


@pytest.mark.parametrize("kind", list(CASES))
def test_every_output_reports_the_kind(tmp_path, kind):
    root = _write_case(tmp_path / "c", kind)
    label = analysis.CHANGE_LABELS[Change(kind)]
    runner = CliRunner()
    js = runner.invoke(cli, ["--bills", str(root), "compare", "a", "b", "--format", "json"])
    assert js.exit_code == (0 if kind == "typography" else 1), js.output
    data = json.loads(js.output)
    kinds = {c for p in data["pairs"] for c in p["changes"]}
    kinds |= {u["change"] for u in (*data["only_in_a"], *data["only_in_b"]) if u["change"]}
    assert kind in kinds
    assert data["changed"] is (kind != "typography")
    text = runner.invoke(cli, ["--bills", str(root), "compare", "a", "b"]).output
    assert label.lower() in text.lower(), text
    from billdiff.web import create_app

    page = create_app({"TESTING": True, "BILLS_DIR": str(root)}).test_client().get(
        "/compare?a=a&b=b").get_data(as_text=True)
    page_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert label in page_text
    sheet = factsheet.build_factsheet(load_corpus(root), "a", "b", topics=("t",))
    (provision,) = sheet.provisions
    plain = analysis.CHANGE_PLAIN[Change(kind)]
    if kind == "typography":
        assert provision.text_note == "The words are the same in the text we have."
    else:
        assert plain in provision.text_note, provision.text_note


def test_typography_alone_exits_0_and_says_so(tmp_path):
    root = _write_case(tmp_path / "c", "typography")
    r = CliRunner().invoke(cli, ["--bills", str(root), "compare", "a", "b"])
    assert r.exit_code == 0
    assert "differ only in typography" in r.output
    assert "{~~“~>\"~~}" in r.output
    hidden = CliRunner().invoke(cli, ["--bills", str(root), "compare", "a", "b",
                                      "--hide-typography"])
    assert "{~~“~>" not in hidden.output
    assert '"Face scan"' in hidden.output


def test_same_options_for_json_and_api(tmp_path):
    root = _write_case(tmp_path / "c", "wording")
    corpus = load_corpus(root)
    r = read_comparison(compare_documents(corpus.document("a"), corpus.document("b"),
                                          corpus=corpus, options=CompareOptions()))
    assert [t.state for t in r.topics] == [TopicState.CHANGED]


def test_the_json_of_plain_pairs_is_the_json_of_their_readings(corpus) -> None:  # type: ignore[no-untyped-def]
    """jsonout.plain_pair_json skips the reading of a pair that is plainly the same: over
    every ordered pair of the dossier, it says exactly what pair_json of the reading says."""
    from billdiff.compare import compare_documents
    from billdiff.jsonout import pair_json, pairs_json

    docs = corpus.ordered_documents()
    plain = 0
    for a in docs:
        for b in docs:
            if a.id == b.id:
                continue
            reading = read_comparison(compare_documents(a, b, corpus=corpus))
            assert pairs_json(reading) == [pair_json(p) for p in reading.pairs]
            plain += len(reading.comparison.pairs) - len(reading.read)
    assert plain > 0
