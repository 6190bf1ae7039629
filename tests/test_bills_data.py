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

from billdiff.load import load_corpus, parse_model
from billdiff.model import (
    Analysis,
    Document,
    GlossaryFile,
    Section,
    Statement,
    TextStatus,
    iter_sections,
)

ROOT = Path(__file__).resolve().parent.parent
BILLS = ROOT / "bills"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"

EXPECTED_DOCUMENTS = {
    "mgl-c6-s220-2020", "ma-192-h135", "ma-192-s3084", "ma-193-s927", "ma-193-h1728",
    "ma-193-h4359", "ma-194-s1053", "ma-194-h1946",
}
#: Documents with no source text file at all (metadata only).
NO_SOURCE_FILE = {"ma-192-h135"}
#: (document, topic) pairs allowed to have no analysis, and why.  Empty on purpose: where the
#: text was not retrieved and no source says anything, the analysis says exactly that (one
#: sentence citing the missing section and its official link), so the guide never shows a blank.
MISSING_ANALYSES: dict[tuple[str, str], str] = {}
#: The one value an attribute takes when the text that would settle it was not obtained.
UNKNOWN = "not known (we don't have this part of the text)"
#: Reading level limits (Flesch-Kincaid grade, as computed by textstat 0.7.8).
MAX_GRADE_ANALYSIS = 8.0
MAX_GRADE_WHY = 8.0
MAX_GRADE_FACT = 8.0
#: Dale-Chall limits (textstat 0.7.8 ``dale_chall_readability_score``, which counts every word
#: not on the easy-word list as hard, bill numbers and plurals included): each analysis at most
#: 9.9 (grades 9-10), and half of them at most 8.4 (grades 7-8).
MAX_DALE_CHALL_ANALYSIS = 9.9
MAX_DALE_CHALL_MEDIAN = 8.4
TEXTSTAT_VERSION = "0.7.8"
#: The source with no author and no address: a sentence resting on it alone says so in words.
UNSIGNED_NOTES = "third-party-reading"
#: How such a sentence names it: the first time in an analysis in full, then as "the notes".
UNSIGNED_NOTES_FULL = "unofficial notes by an unknown author"
#: Words that must not appear in public text (data-gathering jargon readers do not know).
JARGON = re.compile(r"third-party reading|pinslip|not retrieved", re.IGNORECASE)
#: The sections whose text is cut off in the only copy obtained (cross-checks the rule below).
TRUNCATED = {
    ("ma-192-s3084", "sec_220__subsec_a__def_facial-recognition"),
    ("ma-193-h4359", "sec_220__subsec_a__def_facial-recognition"),
    ("ma-194-s1053", "sec_220__subsec_a__def_biometric-surveillance-technology"),
    ("ma-193-h1728", "pinslip"),
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


@pytest.fixture(scope="module")
def glossary() -> GlossaryFile:
    """``glossary.yaml``, parsed on its own (independent of whether the loader reads it)."""
    parsed, problems, _ = parse_model(GlossaryFile, BILLS / "glossary.yaml", "glossary.yaml")
    assert problems == [], [str(p) for p in problems]
    assert parsed is not None
    return parsed


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


def has_words(section: Section) -> bool:
    """True if we hold words of this section (its status is not ``missing``)."""
    return section.status is not TextStatus.MISSING and bool(section.text.strip())


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


_ENDS_A_SENTENCE = re.compile(r"[.:;!?][\"”’)\]]*$")


def cut_off_here(body: list[str], i: int) -> bool:
    """True if body line *i* is where the copy stops: the next line is a [[TRUNCATED ...]] marker,
    the [[END ...]] of a single-source block, or another marker saying the text "ends here"."""
    if i + 1 >= len(body):
        return False
    nxt = body[i + 1]
    return nxt.startswith("[[") and (nxt.startswith(("[[TRUNCATED", "[[END")) or "ends here" in nxt)


@pytest.mark.parametrize("doc_id", sorted(EXPECTED_DOCUMENTS - NO_SOURCE_FILE))
def test_truncated_flags_follow_the_source_markers(corpus, doc_id):
    """The rule: a section is ``truncated`` exactly when its last source line is a cut-off point
    (see :func:`cut_off_here`) and that line does not end a sentence (it does not end with
    . : ; ! or ?, optionally followed by a closing quote or bracket).  A copy that stops after a
    complete sentence (S.927's pinslip, the single-source definitions) is not flagged: nothing
    shows that the provision goes on."""
    body = body_lines(doc_id)
    for section in sections(corpus.document(doc_id)):
        expected = False
        if section.text:
            for span in matches(body, section.text):
                last = span[-1]
                if cut_off_here(body, last) and not _ENDS_A_SENTENCE.search(body[last]):
                    expected = True
        assert section.truncated == expected, (
            f"{doc_id} {section.id}: truncated should be {expected}")
        assert section.truncated == ((doc_id, section.id) in TRUNCATED), (doc_id, section.id)
        if section.truncated:
            assert "runcated" in (section.note or ""), (
                f"{doc_id} {section.id}: say in note where the copy stops")


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
def test_every_topic_is_analysed(corpus, doc_id):
    have = {topic for (d, topic) in corpus.analyses if d == doc_id}
    allowed = {t for (d, t) in MISSING_ANALYSES if d == doc_id}
    missing = set(corpus.topics) - have - allowed
    assert missing == set(), f"{doc_id} has no analysis of {sorted(missing)}"
    assert not have & allowed, f"{doc_id}: remove {sorted(have & allowed)} from MISSING_ANALYSES"


def test_analyses_without_official_text_say_so(corpus):
    for (doc_id, topic), analysis in corpus.analyses.items():
        has_definitions_text = any(
            s.text and "definitions" in s.topics for s in sections(corpus.document(doc_id)))
        if topic == "definitions" and has_definitions_text:
            assert analysis.footing in ("official-text", "mixed"), (doc_id, topic)
        else:
            assert analysis.footing == "secondary-sources", (doc_id, topic)


_SAYS_WE_LACK = re.compile(r"\bwe (don't|do not) have\b|\bnot retrieved\b", re.IGNORECASE)


def test_not_held_statements_cite_the_missing_text(corpus, glossary):
    """A sentence saying we don't have a text links to the missing section (and so to the
    official text)."""
    statements = [(f"{d}/{t}", d, st) for (d, t), a in corpus.analyses.items() for st in a.summary]
    statements += [(f"glossary/{term.term}", None, st) for term in glossary.terms
                   for st in term.meaning]
    for where, doc_id, statement in statements:
        if not _SAYS_WE_LACK.search(statement.text):
            continue
        cited = [corpus.section(c.document or doc_id, c.section)
                 for c in statement.cites if c.section]
        assert any(s.status is TextStatus.MISSING and s.source_url for s in cited), (
            f"{where}: {statement.text!r} cites no missing section")


def test_attributes_use_the_same_keys_across_versions(corpus):
    keys: dict[str, dict[str, set[str]]] = {}
    for (doc_id, topic), analysis in corpus.analyses.items():
        keys.setdefault(topic, {})[doc_id] = set(analysis.attributes)
    for topic, by_doc in keys.items():
        distinct = {frozenset(k) for k in by_doc.values()}
        assert len(distinct) == 1, f"{topic}: attribute names differ: {by_doc}"


def test_unknown_attribute_values_say_not_known(corpus):
    """An unknown is always exactly UNKNOWN, never a value that reads as a change in the law
    ("not stated", "none reported", ...)."""
    vague = re.compile(r"\b(not stated|unknown|not established|not known|none reported|"
                       r"n/a|tbd|unclear|unspecified|not specified|not retrieved)\b|\?",
                       re.IGNORECASE)
    for (doc_id, topic), analysis in corpus.analyses.items():
        for name, value in analysis.attributes.items():
            if value != UNKNOWN:
                assert not vague.search(value), (
                    f"{doc_id}/{topic}: {name}={value!r}; write {UNKNOWN!r} for an unknown")


# (5b) reading level ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fk_grade():
    textstat = pytest.importorskip(
        "textstat", reason="textstat is not installed; the reading-level checks need textstat "
        f"{TEXTSTAT_VERSION} (pip install textstat=={TEXTSTAT_VERSION})")
    from importlib.metadata import version
    if version("textstat") != TEXTSTAT_VERSION:
        pytest.skip(f"textstat {version('textstat')} is installed; the grade limits are "
                    f"calibrated on textstat {TEXTSTAT_VERSION}")
    return textstat.flesch_kincaid_grade


@pytest.fixture(scope="module")
def dale_chall(fk_grade):
    import textstat
    return textstat.dale_chall_readability_score


def analysis_text(analysis: Analysis) -> str:
    """What the reading-level checks measure: an analysis's summary sentences, joined."""
    return " ".join(s.text for s in analysis.summary)


def test_analyses_read_at_grade_8_or_below(corpus, fk_grade):
    too_hard = {}
    for (doc_id, topic), analysis in corpus.analyses.items():
        grade = fk_grade(analysis_text(analysis))
        if grade > MAX_GRADE_ANALYSIS:
            too_hard[f"{doc_id}/{topic}"] = round(grade, 1)
    assert too_hard == {}


def test_analyses_pass_the_dale_chall_floors(corpus, dale_chall):
    """Short sentences pass Flesch-Kincaid while the hard words stay; Dale-Chall counts the hard
    words (every word not on its easy list, bill numbers included), so both are checked."""
    import statistics
    scores = {f"{d}/{t}": dale_chall(analysis_text(a)) for (d, t), a in corpus.analyses.items()}
    too_hard = {k: round(v, 2) for k, v in scores.items() if v > MAX_DALE_CHALL_ANALYSIS}
    assert too_hard == {}
    median = statistics.median(scores.values())
    assert median <= MAX_DALE_CHALL_MEDIAN, f"median Dale-Chall {median:.2f}"


def test_why_it_matters_reads_at_grade_8_or_below(corpus, fk_grade):
    for topic in corpus.topics.values():
        assert topic.why_it_matters, topic.id
        grade = fk_grade(topic.why_it_matters)
        assert grade <= MAX_GRADE_WHY, f"{topic.id}: grade {grade:.1f}"


def test_facts_read_at_grade_8_or_below(corpus, fk_grade):
    for fact in corpus.facts:
        grade = fk_grade(fact.text)
        assert grade <= MAX_GRADE_FACT, f"{fact.id}: grade {grade:.1f}"


def test_why_it_matters_is_cited(corpus):
    for topic in corpus.topics.values():
        assert topic.why_cites, f"{topic.id}: give why_cites for why_it_matters"


def test_facts_stand_alone(corpus):
    """A fact sheet may show any fact on its own, so none may open with a word that points back
    at an earlier sentence."""
    dangling = re.compile(r"^(It|Its|They|Their|This|These|That|Those|Both|The same|In the same|"
                          r"The records|The commission|The law|The bill)\b")
    for fact in corpus.facts:
        assert not dangling.match(fact.text), f"{fact.id}: {fact.text}"


def test_analyses_open_without_a_dangling_pronoun(corpus):
    dangling = re.compile(r"^(It|Its|They|Their|This|These|That|Those|He|She)\b")
    for (doc_id, topic), analysis in corpus.analyses.items():
        first = analysis.summary[0].text
        assert not dangling.match(first), f"{doc_id}/{topic}: {first}"


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


# (7) the glossary ------------------------------------------------------------------------------
def defined_terms(corpus) -> dict[str, list[tuple[Document, Section]]]:
    """Every defined term (a section id holding ``__def_<slug>``), with where it is defined."""
    out: dict[str, list[tuple[Document, Section]]] = {}
    for doc in corpus.documents.values():
        for section in sections(doc):
            if "__def_" in section.id:
                out.setdefault(section.id.split("__def_", 1)[1], []).append((doc, section))
    return out


def test_every_defined_term_has_a_cited_plain_meaning(corpus, glossary):
    terms = {t.term: t for t in glossary.terms}
    assert len(terms) == len(glossary.terms), "a term has two meanings"
    defined = defined_terms(corpus)
    assert set(defined) - set(terms) == set(), "defined terms with no plain meaning"
    assert set(terms) - set(defined) == set(), "meanings of terms no document defines"
    for slug, where in defined.items():
        term = terms[slug]
        assert term.meaning, slug
        assert all(st.cites for st in term.meaning), slug
        # the plain meaning comes first and rests on the defining words themselves
        first = term.meaning[0]
        defining = {(doc.id, s.id) for doc, s in where if has_words(s)}
        cited = {(c.document, c.section) for c in first.cites if c.section}
        assert cited & defining, f"{slug}: the first sentence cites no defining section"
        text = " ".join(st.text for st in term.meaning)
        if all(doc.kind.value == "bill" for doc, _ in where):
            assert "bill definition, not law" in text, f"{slug}: say it is a bill definition"
            assert re.search(r"\bnone of these bills is law\b", text, re.IGNORECASE), slug


def test_glossary_cites_resolve(corpus, glossary):
    for term in glossary.terms:
        for statement in term.meaning:
            for cite in statement.cites:
                if cite.source is not None:
                    assert cite.source in corpus.sources, (term.term, cite.source)
                else:
                    assert cite.document, f"{term.term}: a section cite needs its document"
                    corpus.section(cite.document, cite.section)  # NotFound if stale


# (8) plain, honest public text -----------------------------------------------------------------
def public_texts(corpus, glossary) -> list[tuple[str, str]]:
    """Every text field a reader sees, with where it is."""
    out: list[tuple[str, str]] = []
    for (d, t), analysis in corpus.analyses.items():
        out += [(f"analyses/{d}/{t}", st.text) for st in analysis.summary]
        out += [(f"analyses/{d}/{t}.{k}", v) for k, v in analysis.attributes.items()]
    for topic in corpus.topics.values():
        out += [(f"topics/{topic.id}", v) for v in (topic.title, topic.question,
                                                    topic.description, topic.why_it_matters) if v]
        out += [(f"topics/{topic.id}.other_views", st.text) for st in topic.other_views]
    out += [(f"facts/{f.id}", f.text) for f in corpus.facts]
    out += [(f"glossary/{t.term}", st.text) for t in glossary.terms for st in t.meaning]
    for source in corpus.sources.values():
        out += [(f"sources/{source.id}", v) for v in (source.title, source.publisher, source.note)
                if v]
    return out


def test_public_text_has_no_jargon(corpus, glossary):
    found = [(where, text) for where, text in public_texts(corpus, glossary) if JARGON.search(text)]
    assert found == []


def _rests_only_on_unsigned_notes(corpus, doc_id: str | None, statement: Statement) -> bool:
    """True when the only source a sentence cites is the unsigned notes and every section it
    cites is one we do not hold (so no text backs it either)."""
    sources = {c.source for c in statement.cites if c.source}
    held = [c for c in statement.cites if c.section
            and has_words(corpus.section(c.document or doc_id, c.section))]
    return sources == {UNSIGNED_NOTES} and not held


def test_sentences_resting_on_the_unsigned_notes_say_so(corpus, glossary):
    """Each such sentence names the notes ("the notes say ..."), and the first of them in an
    analysis (or glossary entry) names them in full, as unofficial and unsigned: the guide and
    the fact sheet show each sentence as its own point."""
    groups = [(f"{d}/{t}", d, a.summary) for (d, t), a in corpus.analyses.items()]
    groups += [(f"glossary/{t.term}", None, t.meaning) for t in glossary.terms]
    groups += [(f"topics/{t.id}.other_views", None, t.other_views)
               for t in corpus.topics.values()]
    for where, doc_id, statements in groups:
        named_in_full = False
        for statement in statements:
            if not _rests_only_on_unsigned_notes(corpus, doc_id, statement):
                continue
            text = statement.text.lower()
            named_in_full = named_in_full or UNSIGNED_NOTES_FULL in text
            assert named_in_full, f"{where}: name the notes in full first: {statement.text!r}"
            assert re.search(r"\bnotes\b", text), (
                f"{where}: say it is the notes: {statement.text!r}")
    for topic in corpus.topics.values():
        if any(c.source == UNSIGNED_NOTES for c in topic.why_cites):
            assert UNSIGNED_NOTES_FULL in (topic.why_it_matters or "").lower(), topic.id


_WHOSE_WORD = re.compile(
    r"\b(say|says|said|report|reports|reported|describes?|asked|hints?|treat|name)\b|"
    r"\bwe (don't|do not|can't|cannot)\b|\bnothing we have\b|\bour (copy|sources)\b",
    re.IGNORECASE)


def test_sentences_resting_on_outside_sources_say_whose_word_it_is(corpus):
    """Current law and the bills are hedged alike: a sentence that no held text backs says who
    says it ("The ACLU and NPR say ..."), or that we lack the text."""
    for (doc_id, topic), analysis in corpus.analyses.items():
        for statement in analysis.summary:
            held = [c for c in statement.cites if c.section
                    and has_words(corpus.section(c.document or doc_id, c.section))]
            if held:
                continue
            assert _WHOSE_WORD.search(statement.text), (
                f"{doc_id}/{topic}: say whose word this is: {statement.text!r}")


def test_attributes_from_secondary_sources_are_marked_reported(corpus):
    """A bold attribute never states as settled what only secondary sources report."""
    for (doc_id, topic), analysis in corpus.analyses.items():
        if analysis.footing != "secondary-sources":
            continue
        for name, value in analysis.attributes.items():
            assert value == UNKNOWN or "(reported" in value, (
                f"{doc_id}/{topic}: {name}={value!r} rests on secondary sources; "
                "add '(reported)'")


def test_emergency_exception_is_the_same_under_both_topics(corpus):
    for doc_id in corpus.documents:
        a = corpus.analysis(doc_id, "warrant-requirement")
        b = corpus.analysis(doc_id, "emergency-searches")
        if a and b:
            assert a.attributes.get("emergency_exception") == \
                b.attributes.get("emergency_exception"), doc_id


# (9) whose case "why it matters" makes, and the other views ---------------------------------------
def test_other_views_cite_held_sources(corpus):
    for topic in corpus.topics.values():
        for statement in topic.other_views:
            assert statement.cites, topic.id
            for cite in statement.cites:
                if cite.source is not None:
                    assert cite.source in corpus.sources, (topic.id, cite.source)
                else:
                    assert cite.document, topic.id
                    assert has_words(corpus.section(cite.document, cite.section)), topic.id


def test_a_neutral_why_it_matters_rests_on_no_advocacy(corpus):
    """``why_from: neutral`` claims every side accepts the reason: it may not rest on advocacy."""
    for topic in corpus.topics.values():
        if topic.why_from == "neutral":
            kinds = {corpus.sources[c.source].kind for c in topic.why_cites if c.source}
            assert "advocacy" not in kinds, topic.id
