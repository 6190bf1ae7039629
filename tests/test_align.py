"""billdiff.align: pairing by topic, id, number and similarity; added, removed, renumbered."""

from __future__ import annotations

from docs_helpers import doc, sec

from billdiff.align import align, similarity, suggest_topics


def summary(alignment):
    return [(p.a.id if p.a else None, p.b.id if p.b else None, p.method, p.topic, p.suggested)
            for p in alignment.pairs]


def test_pairs_by_id_and_reports_renumbering():
    a = doc("a", sec("sec_1", "One.", "1"), sec("sec_2", "Two.", "2"))
    b = doc("b", sec("sec_1", "One.", "1"), sec("sec_2", "Two.", "3"))
    result = align(a, b)
    assert summary(result) == [("sec_1", "sec_1", "id", None, False),
                               ("sec_2", "sec_2", "id", None, False)]
    assert [p.renumbered for p in result.pairs] == [False, True]
    assert result.only_a == ()
    assert result.only_b == ()


def test_pairs_by_number_when_ids_differ():
    a = doc("a", sec("s-one", "One.", "220(a)"))
    b = doc("b", sec("sec_220__subsec_a", "One!", "220(a)"))
    assert summary(align(a, b)) == [("s-one", "sec_220__subsec_a", "number", None, False)]


def test_added_and_removed_sections():
    a = doc("a", sec("sec_1", "Kept.", "1"), sec("sec_2", "Repealed text here.", "2"))
    b = doc("b", sec("sec_1", "Kept.", "1"), sec("sec_9", "Brand new words entirely.", "9"))
    result = align(a, b)
    assert summary(result) == [("sec_1", "sec_1", "id", None, False)]
    assert [s.id for s in result.only_a] == ["sec_2"]
    assert [s.id for s in result.only_b] == ["sec_9"]


def test_similarity_suggestions_are_marked():
    text = "the state police may perform a facial recognition search with a warrant"
    a = doc("a", sec("x_1", text, "4"))
    b = doc("b", sec("y_7", text + " or in an emergency", "5"))
    result = align(a, b)
    assert summary(result) == [("x_1", "y_7", "similarity", None, True)]
    assert result.pairs[0].similarity is not None
    assert result.pairs[0].similarity > 0.5


def test_topic_pairs_come_first_and_one_sided_topics_are_kept():
    a = doc("a", sec("sec_220", "", "220", topics=("warrant", "ban")))
    b = doc("b", sec("sec_220__subsec_d", "Warrant on probable cause.", "220(d)",
                     topics=("warrant",)),
            sec("sec_220__subsec_b", "It is unlawful to use it.", "220(b)", topics=("ban",)),
            sec("sec_220__subsec_c", "The registrar may use it.", "220(c)", topics=("rmv",)))
    result = align(a, b, ["warrant", "ban", "rmv"])
    assert summary(result) == [
        ("sec_220", "sec_220__subsec_d", "topic", "warrant", False),
        ("sec_220", "sec_220__subsec_b", "topic", "ban", False),
        (None, "sec_220__subsec_c", "topic", "rmv", False),
    ]
    assert result.only_a == ()
    assert result.only_b == ()


def test_only_topics_leaves_out_untagged_sections():
    a = doc("a", sec("sec_1", "Cover.", "1"), sec("sec_2", "Ban.", "2", topics=("ban",)))
    b = doc("b", sec("sec_1", "Cover!", "1"), sec("sec_2", "Ban!", "2", topics=("ban",)))
    result = align(a, b, ["ban"], only_topics=True)
    assert summary(result) == [("sec_2", "sec_2", "topic", "ban", False)]


def test_nested_sections_are_paired_at_every_level():
    child_a = sec("sec_1__subsec_a", "Alpha.", "1(a)")
    child_b = sec("sec_1__subsec_a", "Alpha!", "1(a)")
    a = doc("a", sec("sec_1", "Lead.", "1", children=(child_a,)))
    b = doc("b", sec("sec_1", "Lead.", "1", children=(child_b,)))
    assert summary(align(a, b)) == [("sec_1", "sec_1", "id", None, False),
                                    ("sec_1__subsec_a", "sec_1__subsec_a", "id", None, False)]


def test_similarity_measure():
    assert similarity("a b c", "a b c") == 1.0
    assert similarity("a b", "c d") == 0.0
    assert similarity("", "a") == 0.0


def test_suggest_topics_from_a_tagged_version():
    tagged = doc("old", sec("sec_220__subsec_d", "Only the state police may search.", "220(d)",
                            topics=("who-may-search",)))
    new = doc("new", sec("sec_220__subsec_e", "Only the state police may search, again.",
                         "220(e)"))
    assert suggest_topics(new, tagged) == {"sec_220__subsec_e": ("who-may-search",)}


def test_apply_topic_suggestions_marks_them_as_suggestions():
    from billdiff.align import apply_topic_suggestions

    tagged = doc("old", sec("sec_220__subsec_d", "Only the state police may search.", "220(d)",
                            topics=("who-may-search",)))
    new = doc("new", sec("sec_220__subsec_e", "Only the state police may search, again.",
                         "220(e)"), sec("sec_9", "Unrelated words entirely here.", "9"))
    result = apply_topic_suggestions(new, tagged)
    assert result.sections[0].topics == ()
    assert result.sections[0].suggested_topics == ("who-may-search",)
    assert result.sections[1].suggested_topics == ()


def test_tagged_section_without_a_tagged_partner_is_paired_by_id_under_its_topic():
    """An imported version has no topics yet: its sections still pair with the tagged ones."""
    a = doc("a", sec("sec_220__subsec_a", "As used in this section.", "220(a)",
                     topics=("definitions",)),
            sec("sec_220__rest", "", "220 (rest)", topics=("warrant",)))
    b = doc("b", sec("sec_220__subsec_a", "As used in this section.", "220(a)"),
            sec("sec_220__subsec_d", "A warrant is needed.", "220(d)"))
    result = align(a, b, ["definitions", "warrant"])
    assert summary(result) == [
        ("sec_220__subsec_a", "sec_220__subsec_a", "id", "definitions", False),
        ("sec_220__rest", None, "topic", "warrant", False),
    ]
    assert result.only_a == ()
    assert [s.id for s in result.only_b] == ["sec_220__subsec_d"]


def test_renumbered_only_for_the_same_provision():
    a = doc("a", sec("x", "Text.", "1", topics=("t",)))
    b = doc("b", sec("y", "Text.", "2", topics=("t",)))
    (pair,) = align(a, b, ["t"]).pairs
    assert not pair.renumbered
