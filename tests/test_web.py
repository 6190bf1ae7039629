"""Every route and every error of the web app, through Flask's test client."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytest_plugins = ("web_helpers",)

ROOT = Path(__file__).resolve().parent.parent

HTML_ROUTES = [
    "/", "/documents/law-2020", "/documents/bill-2021", "/documents/bill-2023", "/compare",
    "/compare?a=bill-2021&b=bill-2023&view=inline", "/topics/warrants", "/topics/reports",
    "/guide",
]


def text_of(html: str) -> str:
    """Visible text, whitespace collapsed."""
    from web_helpers import parse

    return re.sub(r"\s+", " ", "".join(parse(html).text))


@pytest.mark.parametrize("url", HTML_ROUTES)
def test_html_pages_render(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.data[:500]
    assert r.content_type == "text/html; charset=utf-8"
    html = r.get_data(as_text=True)
    assert html.count("<h1") == 1
    assert 'class="skip-link" href="#bd-main"' in html
    assert 'id="bd-main"' in html
    assert "<script" not in html.replace("&lt;script", "")
    assert " style=" not in html
    from web_helpers import parse

    ids = parse(html).ids
    assert len(ids) == len(set(ids)), "duplicate ids"
    # every in-page link points at an id that exists
    for target in re.findall(r'href="#([^"]+)"', html):
        assert target in ids, f"{url}: #{target} has no target"


def test_home_tells_the_dossier(client):
    html = client.get("/").get_data(as_text=True)
    text = text_of(html)
    # pending bills first, newest first; then every text, oldest to newest, with sponsors,
    # status and how complete each text is
    pending = text[text.index("Bills now pending"):text.index("The texts, oldest to newest")]
    assert pending.index("S.2") < pending.index("H.1")
    timeline = text[text.index("The texts, oldest to newest"):]
    assert timeline.index("Code § 1") < timeline.index("H.1") < timeline.index("S.2")
    assert "Ann Rep and Bo Sen" in text
    assert "In committee" in text
    assert "Partial text" in text
    assert "No text" in text
    for topic in ("Warrants", "Definitions", "Reports"):
        assert topic in text
    assert 'href="/topics/warrants"' in html
    # the comparison offered first has text on both sides (the statute's is missing)
    assert 'href="/compare?a=bill-2021&amp;b=bill-2023"' in html
    assert 'href="/guide"' in html
    assert 'href="/factsheet?a=bill-2021&amp;b=bill-2023"' in html


def test_document_page_has_permalinks_and_provenance(client):
    html = client.get("/documents/bill-2023").get_data(as_text=True)
    for sid in ("title", "sec_1", "sec_1__def_face-scan", "sec_2", "sec_7"):
        assert f'id="{sid}"' in html
        assert f'href="#{sid}"' in html
    text = text_of(html)
    assert "Excerpt" in text
    assert "Text missing" in text
    # the missing section says so and links to its official text, never shows as empty
    assert 'href="https://example.org/bills/s2#sec2"' in html
    assert "not the same as an empty provision" in text
    assert "New draft of H.1" in text
    assert "Our summary, not the law" in text
    # hostile text is escaped and bidi controls made visible
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "\u202e" not in html
    assert "⟦U+202E⟧" in html
    # cites link to sections
    assert 'href="/documents/bill-2023#sec_1"' in html
    assert 'href="/documents/bill-2021#sec_1"' in html


def test_statute_without_text_shows_missing_with_official_link(client):
    html = client.get("/documents/law-2020").get_data(as_text=True)
    text = text_of(html)
    assert "No text" in text
    assert "Text missing" in text
    assert 'href="https://example.org/law/1#s1"' in html
    assert "Would be replaced by H.1" in text


def test_compare_offers_first_a_pair_with_text_on_both_sides(client):
    first = client.get("/compare").get_data(as_text=True)
    assert re.search(r'<option value="bill-2021" selected>', first)
    assert re.search(r'<option value="bill-2023" selected>', first)
    assert "<ins>" in first
    html = client.get("/compare?a=law-2020&b=bill-2023").get_data(as_text=True)
    assert re.search(r'<option value="law-2020" selected>', html)
    assert re.search(r'<option value="bill-2023" selected>', html)
    text = text_of(html)
    assert "What changed" in text
    assert "No wording could be compared" in text
    # the statute lacks text: say so, link the official text, show the analyses side by side
    assert 'href="https://example.org/law/1#s1"' in html
    assert "Police need a court order, not a warrant." in text
    assert "Warrant needed — Code § 1: no; S.2: yes" in text
    assert 'href="/factsheet?a=law-2020&amp;b=bill-2023"' in html


def test_compare_form_is_plain_and_labelled(client):
    html = client.get("/compare").get_data(as_text=True)
    assert '<form class="compare-form" method="get" action="/compare"' in html
    for control in ("bd-a", "bd-b", "bd-view-side", "bd-view-inline", "bd-gran-word",
                    "bd-gran-char", "bd-typography", "bd-topic-warrants"):
        assert f'for="{control}"' in html
        assert f'id="{control}"' in html
    assert '<button type="submit"' in html


def test_compare_redline_side_by_side_and_inline(client):
    side = client.get("/compare?a=bill-2021&b=bill-2023").get_data(as_text=True)
    # what changed links to the pairs below
    assert 'href="#topic-warrants"' in side
    assert 'id="topic-warrants"' in side
    assert "<ins><span class=\"vh\">[inserted: </span>signed " in side
    assert "<del>" in side
    text = text_of(side)
    # both bills are partial: a provision on one side only is not called added or removed
    assert "Added in S.2" not in text
    assert "On one side only, but the other text is incomplete (2)" in text
    assert "§ 7 New rule" in text
    assert "§ 9 Old rule" in text
    assert "At least one side is an excerpt" in text
    inline = client.get("/compare?a=bill-2021&b=bill-2023&view=inline").get_data(as_text=True)
    assert "Show side by side" in inline
    assert 'class="text redline"' in inline
    assert "Show in one column" in side
    # the toggle keeps the rest of the state
    toggle = re.search(r'href="(/compare\?[^"]*view=inline[^"]*)"', side)
    assert toggle
    assert "a=bill-2021" in toggle.group(1)
    assert "b=bill-2023" in toggle.group(1)


@pytest.mark.parametrize("hide", ["typography=hide", "quotes=1"])  # quotes=1: older links
def test_compare_state_lives_in_the_url(client, hide):
    r = client.get(f"/compare?a=bill-2021&b=bill-2023&topic=warrants&granularity=char&{hide}"
                   "&view=inline")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="bd-topic-warrants" name="topic" value="warrants" checked' in html
    assert 'id="bd-gran-char" name="granularity" value="char" checked' in html
    assert 'id="bd-typography" name="typography" value="hide" checked' in html
    assert 'id="bd-view-inline" name="view" value="inline" checked' in html
    assert 'id="topic-definitions"' not in html
    # the toggle keeps every option; the JSON link keeps what changes the data
    assert "/compare?a=bill-2021&amp;b=bill-2023&amp;topic=warrants&amp;granularity=char" \
           "&amp;typography=hide" in html
    assert "/api/compare?a=bill-2021&amp;b=bill-2023&amp;topic=warrants" \
           "&amp;granularity=char" in html


def test_compare_same_document_says_so(client):
    r = client.get("/compare?a=bill-2023&b=bill-2023")
    assert r.status_code == 200
    text = text_of(r.get_data(as_text=True))
    assert "This is one text compared with itself." in text
    assert "Same wording" in text


def test_compare_suggested_pairings_are_marked(tmp_path):
    from web_helpers import BILL_A, BILL_B, write_corpus

    from billdiff.web import create_app

    root = write_corpus(tmp_path / "bills")
    import yaml

    b = dict(BILL_B)
    b["sections"] = [*BILL_B["sections"],
                     {"id": "sec_99", "number": "99", "status": "excerpt",
                      "text": "This rule goes away in the later bill entirely, with its words!"}]
    (root / "documents" / "bill-2023.yaml").write_text(yaml.safe_dump(b, allow_unicode=True))
    assert BILL_A["sections"][3]["id"] == "sec_9"
    c = create_app({"TESTING": True, "BILLS_DIR": str(root)}).test_client()
    text = text_of(c.get("/compare?a=bill-2021&b=bill-2023").get_data(as_text=True))
    assert "Suggested pairing" in text


@pytest.mark.parametrize(("query", "message"), [
    ("topic=nope", "unknown topic 'nope'"),
    ("granularity=sentence", "granularity must be 'word' or 'char'"),
    ("view=wide", "view must be 'side' or 'inline'"),
    ("quotes=yes", "quotes must be 0 or 1"),
    ("typography=bold", "typography must be 'show' or 'hide'"),
    ("a=bill-2021&a=bill-2023", "give 'a' once"),
])
def test_compare_bad_parameters_give_400_saying_what(client, query, message):
    r = client.get("/compare?" + query)
    assert r.status_code == 400
    assert message[1:] in r.get_data(as_text=True).replace("&#39;", "'")
    j = client.get("/api/compare?b=bill-2023&" + query)
    assert j.status_code == 400
    assert message in j.get_json()["error"]


def test_api_compare_needs_b_and_ignores_unknown_parameters(client):
    r = client.get("/api/compare?a=bill-2021")
    assert r.status_code == 400
    assert "parameter 'b' is required" in r.get_json()["error"]
    ok = client.get("/api/compare?a=bill-2021&b=bill-2023&utm_source=newsletter")
    assert ok.status_code == 200
    page = client.get("/compare?a=bill-2021&b=bill-2023&utm_source=newsletter")
    assert page.status_code == 200


@pytest.mark.parametrize("url", ["/documents/nope", "/topics/nope", "/compare?a=nope",
                                 "/no/such/page"])
def test_unknown_ids_give_404_page(client, url):
    r = client.get(url)
    assert r.status_code == 404
    assert r.content_type.startswith("text/html")
    html = r.get_data(as_text=True)
    assert "<h1>" in html
    assert "Traceback" not in html


def test_topic_page_walks_every_version(client):
    html = client.get("/topics/warrants").get_data(as_text=True)
    text = text_of(html)
    # oldest to newest, each with its analysis and text, and the change between them
    assert text.index("Code § 1 (2020)") < text.index("H.1 (2021)") < text.index("S.2 (2023)")
    assert 'id="change-law-2020--bill-2021"' in html
    assert 'id="change-bill-2021--bill-2023"' in html
    assert "What changed from H.1 to S.2" in text
    assert "<ins>" in html
    assert "Police need a court order, not a warrant." in text
    assert "A warrant means a judge checks first." in text


def test_guide_is_plain_cited_and_marked_as_summary(client):
    import textstat

    html = client.get("/guide").get_data(as_text=True)
    text = text_of(html)
    assert "A summary, not the law." in text
    assert "The law now" in text
    assert "What S.2 would change" in text
    # whose case "why it matters" makes, and other views (none held: said so)
    assert "Why supporters say it matters" in text
    assert "We hold no source that records another view on this." in text
    # what the guide rests on, first, in one plain sentence
    assert "We do not have the text of the current law" in text
    # each sentence has note numbers; the sources are listed once, below
    assert 'href="#note-1"' in html
    assert '<li id="note-1">' in html
    assert 'href="https://news.example/1"' in html
    assert 'href="/documents/bill-2023#sec_1"' in html
    assert "based on:" not in html
    # glossary from defined terms, verbatim, with status
    assert 'id="term-face-scan"' in html
    assert "“Face scan”, a search of photos or video by computer." in text
    assert "“Face scan”, a search of photos by computer." in text
    # reading grade of the guide's own words
    plain = _plain_text(html)
    assert plain
    assert textstat.flesch_kincaid_grade(plain) <= 8, plain


def _plain_text(html: str) -> str:
    from html.parser import HTMLParser

    class P(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.depth = 0
            self.out: list[str] = []

        def handle_starttag(self, tag, attrs):
            if self.depth or "guide-plain" in (dict(attrs).get("class") or ""):
                self.depth += 1

        def handle_endtag(self, tag):
            if self.depth:
                self.depth -= 1
                if not self.depth:
                    self.out.append(" ")

        def handle_data(self, data):
            if self.depth:
                self.out.append(data)

    p = P()
    p.feed(html)
    return re.sub(r"\s+", " ", "".join(p.out)).strip()


def test_guide_on_bundled_dossier_reads_at_grade_8(corpus):
    import textstat

    from billdiff.web import create_app

    if not corpus.analyses:
        pytest.skip("the bundled dossier has no analyses yet")
    c = create_app({"TESTING": True, "BILLS_DIR": str(ROOT / "bills")}).test_client()
    html = c.get("/guide").get_data(as_text=True)
    statements = re.findall(r"<li>([^<]*)<sup class=\"note-refs\">", html)
    summary_text = " ".join(re.sub(r"<[^>]+>", "", s) for s in statements)
    assert summary_text
    grade = textstat.flesch_kincaid_grade(summary_text + " " + _plain_text(html))
    assert grade <= 8, f"guide reads at grade {grade:.1f}"


# -- the API ---------------------------------------------------------------------------------


def test_api_documents(client):
    data = client.get("/api/documents").get_json()
    assert [d["id"] for d in data["documents"]] == ["law-2020", "bill-2021", "bill-2023"]
    assert data["documents"][0]["completeness"] == "none"
    one = client.get("/api/documents/bill-2023").get_json()
    assert one["document"]["id"] == "bill-2023"
    assert one["analyses"][0]["topic"] == "warrants"


def test_api_errors_are_json(client):
    r = client.get("/api/documents/nope")
    assert r.status_code == 404
    assert r.content_type == "application/json"
    assert "unknown document 'nope'" in r.get_json()["error"]
    r = client.get("/api/nope")
    assert r.status_code == 404
    assert "error" in r.get_json()


def test_api_topics(client):
    data = client.get("/api/topics").get_json()
    assert [t["id"] for t in data["topics"]] == ["warrants", "definitions", "reports"]


def test_api_compare_is_the_cli_json(client, small_bills):
    from billdiff.analysis import read_comparison
    from billdiff.compare import CompareOptions, cached_compare
    from billdiff.jsonout import comparison_json
    from billdiff.load import load_corpus

    corpus = load_corpus(small_bills)
    expected = comparison_json(read_comparison(cached_compare(
        corpus.document("bill-2021"), corpus.document("bill-2023"), corpus=corpus,
        options=CompareOptions())))
    got = client.get("/api/compare?a=bill-2021&b=bill-2023").get_json()
    assert got == json.loads(json.dumps(expected))
    topic_only = client.get("/api/compare?a=bill-2021&b=bill-2023&topic=warrants").get_json()
    assert topic_only["options"]["topics"] == ["warrants"]


def test_openapi_describes_every_api_route(app, client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    api_rules = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule) for r in app.url_map.iter_rules()
                 if r.rule.startswith("/api/")}
    assert api_rules == set(spec["paths"])
    # every $ref resolves
    schemas = spec["components"]["schemas"]
    for ref in re.findall(r'"\$ref": "#/components/schemas/(\w+)"',
                          __import__("json").dumps(spec)):
        assert ref in schemas
    # the responses match their schemas exactly (generated from the same shapes)
    from pydantic import TypeAdapter

    from billdiff import jsonout

    got = client.get("/api/compare?a=bill-2021&b=bill-2023").get_json()
    assert set(got) == set(schemas["ComparisonOut"]["properties"])
    assert set(got["pairs"][0]) == set(schemas["PairOut"]["properties"])
    jsonout.check(jsonout.ComparisonOut, got)
    docs = client.get("/api/documents").get_json()
    jsonout.check(jsonout.DocumentsOut, docs)
    TypeAdapter(jsonout.DocumentDetailOut).validate_python(
        client.get("/api/documents/bill-2021").get_json())
    assert spec["info"]["version"] == __import__("billdiff").__version__


def test_factsheet_blueprint_is_registered(app):
    assert "factsheet" in app.blueprints


def test_static_css_is_served(client):
    with client.get("/static/app.css") as r:
        assert r.status_code == 200
        assert r.content_type.startswith("text/css")
        css = r.get_data(as_text=True)
    assert "@media print" in css
    assert "text-decoration: line-through" in css


# -- the bundled dossier -----------------------------------------------------------------------


def test_bundled_dossier_pages(corpus):
    from billdiff.web import create_app

    c = create_app({"TESTING": True, "BILLS_DIR": str(ROOT / "bills")}).test_client()
    for url in ["/", "/compare", "/guide", *(f"/documents/{d}" for d in corpus.documents),
                *(f"/topics/{t}" for t in corpus.topics)]:
        r = c.get(url)
        assert r.status_code == 200, url
    if "mgl-c6-s220-2020" in corpus.documents:
        html = c.get("/documents/mgl-c6-s220-2020").get_data(as_text=True)
        assert "Text missing" in html
        assert "https://malegislature.gov/Laws/GeneralLaws/PartI/TitleII/Chapter6/Section220" \
               in html




@pytest.mark.parametrize("url", ["/api/documents/%2F0", "/api/documents//mgl-c6-s220-2020",
                                 "/documents//mgl-c6-s220-2020", "/compare//x"])
def test_a_doubled_slash_names_nothing_and_is_never_redirected(client, url):
    """An id with a slash in it names no document: 404, not a 308 to another address (the
    API describes 200 and 404 for these; found by the fuzzing of tests/test_fuzz.py)."""
    response = client.get(url)
    assert response.status_code == 404, (url, response.status_code)
    assert "Location" not in response.headers
