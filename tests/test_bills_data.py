"""Checks on the bundled Massachusetts face-recognition dossier in ``bills/``.

The legal text in ``bills/documents/`` must be copied verbatim from the source files, which are
kept (public-domain government text plus the fact notes) in ``tests/fixtures/sources/`` so this
test runs without ``../shared``.  A source file is header lines, a ``---`` line, then the body,
one paragraph a line; lines in ``[[ ... ]]`` are editorial markers, never text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from billdiff.load import load_corpus
from billdiff.model import Document, Section, TextStatus, iter_sections

ROOT = Path(__file__).resolve().parent.parent
BILLS = ROOT / "bills"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"

EXPECTED_DOCUMENTS = {
    "mgl-c6-s220-2020", "ma-192-h135", "ma-192-s3084", "ma-193-s927", "ma-193-h1728",
    "ma-193-h4359", "ma-194-s1053", "ma-194-h1946",
}
#: Documents with no source text file at all (metadata only).
NO_SOURCE_FILE = {"ma-192-h135"}
CORE_TOPICS = ("warrant-requirement", "surveillance-ban", "due-process")
#: Documents exempt from the core-topic rule, and why.  Everything else must have an analysis
#: of each core topic.
NO_SUBSTANCE = {
    "ma-192-h135": "metadata only: no text, and no source describes its provisions one by one",
    "ma-192-s3084": "only its definitions were retrieved, and no source describes the rest",
}
#: URLs we use that appear in no source file, and why.
CONSTRUCTED_URLS = {
    "https://malegislature.gov/Bills/192/H135":
        "official bill page built from the Legislature's documented bill-page address pattern",
}
MAX_WORDS = 30


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(BILLS)


def body_lines(doc_id: str) -> list[str]:
    lines = (FIXTURES / f"{doc_id}.txt").read_text(encoding="utf-8").split("\n")
    body = lines[lines.index("---") + 1:]
    while body and body[-1] == "":
        body.pop()
    return body


def single_source_lines(body: list[str]) -> set[int]:
    """Indexes of body lines inside a [[BEGIN SINGLE-SOURCE ...]] ... [[END ...]] block."""
    inside, out = False, set()
    for i, line in enumerate(body):
        if line.startswith("[[BEGIN SINGLE-SOURCE"):
            inside = True
        elif line.startswith("[[END"):
            inside = False
        elif inside:
            out.add(i)
    return out


def matches(body: list[str], text: str) -> list[range]:
    """Every place *text* occurs in *body* as one whole line or consecutive whole lines."""
    parts = text.split("\n")
    n = len(parts)
    return [range(i, i + n) for i in range(len(body) - n + 1) if body[i:i + n] == parts]


def sections(doc: Document) -> list[Section]:
    return [s for s, _ in iter_sections(doc.sections)]


# (1) ---------------------------------------------------------------------------------------
def test_corpus_loads_without_problems(corpus):
    assert [str(p) for p in corpus.problems] == []
    assert set(corpus.documents) == EXPECTED_DOCUMENTS
    for doc_id in EXPECTED_DOCUMENTS:
        assert (BILLS / "analyses" / f"{doc_id}.yaml").is_file(), doc_id
    assert [t for t in corpus.topics] == [
        "warrant-requirement", "surveillance-ban", "due-process", "who-may-search",
        "emergency-searches", "transparency-reporting", "technology-limits", "registry-use",
        "definitions",
    ]


# (2) ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("doc_id", sorted(EXPECTED_DOCUMENTS - NO_SOURCE_FILE))
def test_section_text_is_verbatim_from_the_source(corpus, doc_id):
    body = body_lines(doc_id)
    fenced = single_source_lines(body)
    covered: set[int] = set()
    for section in sections(corpus.document(doc_id)):
        if not section.text:
            continue
        found = matches(body, section.text)
        assert found, f"{doc_id} {section.id}: text is not whole source lines, verbatim"
        for span in found:
            assert not any(body[i].startswith("[[") for i in span), section.id
            inside = {i in fenced for i in span}
            assert len(inside) == 1, f"{section.id} straddles a single-source fence"
            is_single = inside.pop()
            assert is_single == (section.status is TextStatus.SINGLE_SOURCE), (
                f"{doc_id} {section.id}: status {section.status.value} but the text is "
                f"{'inside' if is_single else 'outside'} a single-source block")
            covered.update(span)
    # and nothing retrieved was left out
    left_out = [line for i, line in enumerate(body)
                if i not in covered and not line.startswith("[[")]
    assert left_out == [], f"{doc_id}: source lines in no section"


def test_yaml_keeps_quotes_and_truncations(corpus):
    fr = "sec_220__subsec_a__def_facial-recognition"
    assert corpus.section("ma-193-h4359", fr).text.endswith("uses characteristics of a")
    assert "individual’s" in corpus.section("ma-193-h4359", fr).text
    assert "individual's" in corpus.section("ma-193-h1728", fr).text
    assert corpus.section("ma-192-s3084", "report").text.startswith("SENATE  .  .  .")
    assert corpus.section("ma-194-s1053",
                          "sec_220__subsec_a__def_biometric-surveillance-technology"
                          ).text == "“Biometric surveillance"


# (3) ---------------------------------------------------------------------------------------
def test_missing_sections_are_empty_and_point_at_the_official_text(corpus):
    for doc in corpus.documents.values():
        for section in sections(doc):
            if section.status is TextStatus.MISSING:
                assert section.text == "", section.id
                assert section.source_url, f"{doc.id} {section.id}: no source_url"
                assert section.note, f"{doc.id} {section.id}: say what is missing"
            else:
                assert section.text or section.children, section.id


def test_truncated_or_copied_text_says_why(corpus):
    for doc in corpus.documents.values():
        for section in sections(doc):
            if section.status in (TextStatus.EXCERPT, TextStatus.SINGLE_SOURCE):
                assert section.note, f"{doc.id} {section.id}: give the reason in note"
            if section.status is TextStatus.OFFICIAL:
                assert doc.id == "ma-192-s3084", "only S.3084 text came from malegislature.gov"


def test_section_id_conventions(corpus):
    for doc in corpus.documents.values():
        ids = {s.id for s in sections(doc)}
        for sid in ids:
            if sid.startswith("sec_220__subsec_a__"):
                assert re.fullmatch(r"sec_220__subsec_a__def_[a-z-]+", sid), sid
        if doc.kind.value == "bill" and "sec_220" in ids:
            assert "sec_220__subsec_a" in ids, doc.id
            assert "sec_220__rest" in ids, doc.id
            assert corpus.section(doc.id, "sec_220__rest").status is TextStatus.MISSING
            assert corpus.section(doc.id, "sec_220__rest").topics, doc.id


# (4) ---------------------------------------------------------------------------------------
def test_statute_has_no_text(corpus):
    statute = corpus.document("mgl-c6-s220-2020")
    assert statute.provenance.completeness.value == "none"
    assert all(s.text == "" and s.status is TextStatus.MISSING for s in sections(statute))
    assert [s.id for s in statute.sections] == ["sec_220"]


def test_documents_without_text_hold_none(corpus):
    for doc in corpus.documents.values():
        if doc.provenance.completeness.value == "none":
            assert all(s.status is TextStatus.MISSING for s in sections(doc)), doc.id


# (5) ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("doc_id", sorted(EXPECTED_DOCUMENTS))
def test_core_topics_are_analysed(corpus, doc_id):
    have = {topic for (d, topic) in corpus.analyses if d == doc_id}
    if doc_id in NO_SUBSTANCE:
        assert not have & set(CORE_TOPICS), f"{doc_id}: {NO_SUBSTANCE[doc_id]}"
        return
    assert set(CORE_TOPICS) <= have, f"{doc_id} lacks {set(CORE_TOPICS) - have}"


def test_analyses_without_official_text_say_so(corpus):
    for (doc_id, topic), analysis in corpus.analyses.items():
        if topic != "definitions":
            assert analysis.footing == "secondary-sources", (doc_id, topic)
        else:
            assert analysis.footing in ("official-text", "mixed"), (doc_id, topic)


# (6) ---------------------------------------------------------------------------------------
def test_summary_sentences_are_short(corpus):
    for (doc_id, topic), analysis in corpus.analyses.items():
        for statement in analysis.summary:
            words = len(statement.text.split())
            assert words <= MAX_WORDS, f"{doc_id}/{topic}: {words} words: {statement.text}"
    for fact in corpus.facts:
        for sentence in re.split(r"(?<=\.)\s+(?=[A-Z])", fact.text):
            assert len(sentence.split()) <= MAX_WORDS, fact.id


def test_every_url_comes_from_the_sources(corpus):
    known = "\n".join(p.read_text(encoding="utf-8") for p in FIXTURES.iterdir())
    urls = {s.url for s in corpus.sources.values() if s.url}
    for doc in corpus.documents.values():
        urls |= {r.url for r in doc.provenance.sources}
        urls |= {s.source_url for s in sections(doc) if s.source_url}
        if doc.official_url:
            urls.add(doc.official_url)
    unknown = {u for u in urls if u not in known} - set(CONSTRUCTED_URLS)
    assert unknown == set()


def test_every_source_is_cited(corpus):
    cited = {s for f in corpus.facts for s in f.sources}
    for analysis in corpus.analyses.values():
        cited |= {c.source for st in analysis.summary for c in st.cites if c.source}
    official = {s.id for s in corpus.sources.values() if s.kind == "official"}
    assert set(corpus.sources) - cited - official == set()
