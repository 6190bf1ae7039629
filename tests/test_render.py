"""billdiff.render: autoescaping, the redline partial, page contexts and the standalone page."""

from __future__ import annotations

import pytest
from fuzz_pipeline import SPANS, ReadBack  # the redline read back (one reader for both)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billdiff.diff import Op, diff_texts
from billdiff.normalize import mark_bidi

pytest_plugins = ("web_helpers",)

HOSTILE_ALPHABET = st.sampled_from(
    ["<", ">", "&", '"', "'", "=", "/", "script", " ", "\u00a0", "\u200b", "\u202e", "\n",
     "a", "b", "word ", "§", ";", "&amp;", "<ins>", "</del>"])
texts = st.lists(HOSTILE_ALPHABET, max_size=30).map("".join)


def test_render_environment_escapes():
    from billdiff.render import environment

    env = environment()
    assert env.autoescape is True
    assert env.from_string('{{ "<b>" }}').render() == "&lt;b&gt;"
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_flask_environment_escapes(app):
    with app.test_request_context():
        env = app.jinja_env
        template = env.get_template("_redline.html")  # a file template, as every page is
        assert template.environment is env
        assert env.from_string('{{ "<b>" }}').render() == "&lt;b&gt;"
        from flask import render_template

        html = render_template("error.html", status=400, title="<b>", message="<b>",
                               hint="", incident=None)
        assert "&lt;b&gt;" in html
        assert "<b>" not in html


def test_templates_compile_once():
    from billdiff.render import environment

    env = environment()
    assert environment() is env
    assert env.get_template("_redline.html") is env.get_template("_redline.html")
    assert env.auto_reload is False


def _redline(ops, side="both", hide_typography=False) -> str:
    from billdiff.analysis import mark_runs
    from billdiff.render import environment

    runs = mark_runs(ops) if ops and isinstance(ops[0], Op) else ops
    return str(environment().get_template("_redline.html").module.redline(
        runs, side, hide_typography))


def _check_markup(markup: str, a: str, b: str) -> None:
    # bidi controls are shown as visible markers, never passed through
    a, b = mark_bidi(a), mark_bidi(b)
    parser = ReadBack()
    parser.feed(markup)
    parser.close()
    assert not parser.stack
    for tag, attrs in parser.tags:
        assert tag in ("ins", "del", "span"), tag
        if tag == "span":
            assert attrs["class"] in SPANS
            assert set(attrs) <= {"class", "title"}
        else:
            assert attrs == {}
    assert " style=" not in markup
    assert "".join(parser.old) == a
    assert "".join(parser.new) == b


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, texts)
def test_redline_markup_is_safe_and_lossless(a, b):
    ops = diff_texts(a, b).ops
    _check_markup(_redline(ops), a, b)
    # the side-by-side columns rebuild each side on its own
    side_a = ReadBack()
    side_a.feed(_redline(ops, "a"))
    assert "".join(side_a.old) == mark_bidi(a)
    side_b = ReadBack()
    side_b.feed(_redline(ops, "b"))
    assert "".join(side_b.new) == mark_bidi(b)


def test_redline_words_for_screen_readers():
    markup = _redline((Op("equal", "keep "), Op("delete", "old "), Op("insert", "new ")))
    assert markup == (
        'keep <del><span class="vh">[deleted: </span>old <span class="vh">, end deleted]</span>'
        '</del><ins><span class="vh">[inserted: </span>new <span class="vh">, end inserted]'
        "</span></ins>")


def test_redline_marks_typography_apart_and_can_hide_it():
    ops = diff_texts("“Face scan”, a search", '"Face scan", a search').ops
    shown = _redline(ops)
    assert "<del>" not in shown
    assert "<ins>" not in shown
    assert shown.count('class="typo typo--old"') == 2
    assert '<span class="vh">[typography, earlier style: </span>“' in shown
    _check_markup(shown, "“Face scan”, a search", '"Face scan", a search')
    assert _redline(ops, "b", hide_typography=True) == "&#34;Face scan&#34;, a search"
    assert _redline(ops, "a", hide_typography=True) == "“Face scan”, a search"
    assert _redline(ops, "both", hide_typography=True) == "&#34;Face scan&#34;, a search"


def test_redline_shows_words_a_copy_lacks_apart():
    from billdiff.analysis import mark_runs

    ops = diff_texts("Section 220. (a) As used", "(a) As used").ops
    runs = mark_runs(ops, b_lacks=("Section 220.",))
    a_side = _redline(runs, "a")
    assert a_side.startswith('<span class="gap gap--old" title=')
    b_side = _redline(runs, "b")
    assert b_side.startswith('<span class="gap gap--lacks">[this copy lacks “Section 220.”]')
    _check_markup(_redline(runs), "Section 220. (a) As used", "(a) As used")


def test_redline_escapes_hostile_ops():
    from web_helpers import HOSTILE

    markup = _redline((Op("insert", HOSTILE),))
    assert "<script>" not in markup
    from markupsafe import escape

    assert str(escape(mark_bidi(HOSTILE))) in markup
    assert "\u202e" not in markup  # shown as a visible marker instead


def test_page_contexts(small_bills):
    from billdiff import render
    from billdiff.load import load_corpus

    corpus = load_corpus(small_bills)
    home = render.home_page(corpus)
    assert [s.year for s in home.stops] == ["2020", "2021", "2023"]
    assert (home.default_a, home.default_b) == ("bill-2021", "bill-2023")  # text on both sides
    assert [e.document.id for e in home.pending] == ["bill-2023", "bill-2021"]
    doc = render.document_page(corpus, "bill-2023")
    assert doc.compare == ("law-2020", "bill-2023")
    assert any(v.is_definition for v in doc.sections)
    req = render.parse_compare_args(corpus, {"a": ["bill-2021"], "b": ["bill-2023"]})
    page = render.compare_page(corpus, req)
    assert [b.anchor for b in page.blocks] == ["topic-warrants", "topic-definitions",
                                               "topic-reports"]
    assert page.reading.provisions.compared >= 1
    assert not page.reading.reversed_order
    back = render.parse_compare_args(corpus, {"a": ["bill-2023"], "b": ["bill-2021"]})
    assert render.compare_page(corpus, back).reading.reversed_order
    topic = render.topic_page(corpus, "warrants")
    assert [v.document.id for v in topic.versions] == ["law-2020", "bill-2021", "bill-2023"]
    assert len(topic.steps) == 2
    guide = render.guide_page(corpus)
    assert [t.term for t in guide.terms] == ["Face scan"]
    assert len(guide.terms[0].versions) == 2


def test_cite_links(small_bills):
    from billdiff import render
    from billdiff.load import load_corpus
    from billdiff.model import Cite

    corpus = load_corpus(small_bills)
    own = render.cite_link(corpus, Cite(section="sec_1"), "bill-2023")
    assert own == render.Link("§ 1", "/documents/bill-2023#sec_1")
    other = render.cite_link(corpus, Cite(section="sec_1", document="bill-2021"), "bill-2023")
    assert other.text == "H.1, § 1"
    source = render.cite_link(corpus, Cite(source="news-1"), "bill-2023")
    assert source.external
    assert source.href == "https://news.example/1"


def test_standalone_comparison_is_self_contained_and_escaped(small_bills):
    from billdiff.analysis import read_comparison
    from billdiff.compare import cached_compare
    from billdiff.load import load_corpus
    from billdiff.render import standalone_comparison

    corpus = load_corpus(small_bills)
    cmp = read_comparison(cached_compare(corpus.document("bill-2021"),
                                         corpus.document("bill-2023"), corpus=corpus))
    page = standalone_comparison(cmp, corpus)
    assert page.startswith("<!doctype html>")
    assert "<style>" in page
    assert "@media print" in page
    assert "ins {" in page
    assert "<link" not in page
    assert "<script" not in page
    assert " style=" not in page
    assert "&lt;script&gt;" in page
    assert "<ins>" in page
    assert "<del>" in page
    assert 'href="/' not in page  # no links into a site the file does not come with
    assert page.count("<h1") == 1
    # without a corpus it still works (no analyses)
    bare = standalone_comparison(read_comparison(cached_compare(
        corpus.document("bill-2021"), corpus.document("bill-2023"))), None)
    assert "<ins>" in bare


def test_cli_compare_html(small_bills, tmp_path):
    from click.testing import CliRunner

    from billdiff.cli import cli

    out = tmp_path / "cmp.html"
    result = CliRunner().invoke(cli, ["--bills", str(small_bills), "compare", "bill-2021",
                                      "bill-2023", "--format", "html", "--out", str(out)])
    assert result.exit_code == 1, result.output
    page = out.read_text(encoding="utf-8")
    assert "<del>" in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize(("value", "expected"), [(0.0, "0%"), (0.001, "<1%"), (0.5, "50%")])
def test_percent(value, expected):
    from billdiff.render import percent

    assert percent(value) == expected


def test_show_bidi():
    from billdiff.render import show_bidi

    assert show_bidi("a\u202eb") == "a⟦U+202E⟧b"
    assert show_bidi(None) == ""


def test_relations_only_secondary_sources_give_are_hedged_both_ways(corpus):
    from billdiff import render

    bill = render.document_page(corpus, "ma-192-h135")
    law = render.document_page(corpus, "mgl-c6-s220-2020")
    assert "would reportedly replace G.L. c. 6, § 220" in {link.text for link in bill.relations}
    incoming = {link.text for link in law.related_from}
    assert "would reportedly be replaced by H.135" in incoming
    assert "would be replaced by S.3084" in incoming  # its own lead-in says so
