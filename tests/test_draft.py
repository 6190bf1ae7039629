"""Compare your own draft: core, command line and web page (nothing stored)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from billdiff.analysis import read_comparison
from billdiff.cli import cli
from billdiff.draft import MAX_DRAFT_WORDS, compare_draft, parse_draft
from billdiff.errors import BilldiffError, InputTooLarge
from billdiff.web.limits import COSTLY_RETRY_AFTER, costly_gate

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


# -- bounds on a draft comparison (issue 11, item 3) ------------------------------------------


def test_a_draft_over_the_line_limit_is_refused_before_it_is_read():
    from billdiff.draft import MAX_DRAFT_LINES

    lines = "\n".join(["word"] * (MAX_DRAFT_LINES + 1))
    with pytest.raises(InputTooLarge) as info:
        parse_draft(lines)
    assert info.value.message == (f"the draft has {MAX_DRAFT_LINES + 1:,} lines, over the "
                                  f"{MAX_DRAFT_LINES:,}-line limit (compare it part by part, "
                                  "or join lines that belong to one provision)")
    # every line break str.splitlines knows counts, \r\n as one
    for sep in ("\r\n", "\r", "\u2028", "\x85"):
        with pytest.raises(InputTooLarge, match="-line limit"):
            parse_draft(sep.join(["word"] * (MAX_DRAFT_LINES + 1)))
    assert parse_draft("\r\n".join(["Section 1. a"] * 3)).sections


def test_a_draft_read_into_too_many_provisions_is_refused():
    from billdiff.draft import MAX_DRAFT_PROVISIONS
    from billdiff.model import iter_sections

    at_limit = "".join(f"Section {k}. a\n" for k in range(1, MAX_DRAFT_PROVISIONS + 1))
    assert len(iter_sections(parse_draft(at_limit).sections)) == MAX_DRAFT_PROVISIONS
    over = at_limit + f"Section {MAX_DRAFT_PROVISIONS + 1}. a\n"
    with pytest.raises(InputTooLarge, match=f"the draft has {MAX_DRAFT_PROVISIONS + 1:,} "
                                            f"provisions, over the {MAX_DRAFT_PROVISIONS:,}-"
                                            "provision limit"):
        parse_draft(over)


def test_the_reported_draft_of_one_word_lines_gets_a_413_naming_the_limit(client):
    # issue 11, item 3: 843 KB of one-word lines made a 24.5 MB page
    text = "\n".join(["agency", "shall", "publish", "notice"] * 30_000)[:843_000]
    response = client.post("/draft", data={"csrf_token": _token(client),
                                           "against": "ma-193-h4359", "text": text})
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "10,000-line limit" in body
    assert len(response.data) < 100_000
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_page_over_the_page_limit_is_413(client, monkeypatch):
    from billdiff.web import draft as web_draft

    token = _token(client)
    ok = client.post("/draft", data={"csrf_token": token, "against": "ma-193-h4359",
                                     "text": PLAIN})
    assert ok.status_code == 200
    monkeypatch.setattr(web_draft, "MAX_PAGE_BYTES", len(ok.data) - 1)
    big = client.post("/draft", data={"csrf_token": token, "against": "ma-193-h4359",
                                      "text": PLAIN})
    assert big.status_code == 413
    assert f"over the {len(ok.data) - 1:,}-byte limit" in big.get_data(as_text=True)


def _draft_app(**config):
    from billdiff.web import create_app

    return create_app({"TESTING": True, "DRAFTS_PER_MINUTE": 2, **config})


def _post_draft(client, **environ):
    return client.post("/draft", data={"csrf_token": _token(client), "against": "ma-193-h4359",
                                       "text": PLAIN}, **environ)


def test_drafts_beyond_the_limit_get_429_with_retry_after_and_send_the_sender_back():
    client = _draft_app().test_client()
    assert [_post_draft(client).status_code for _ in range(2)] == [200, 200]
    third = _post_draft(client)
    assert third.status_code == 429
    assert 1 <= int(third.headers["Retry-After"]) <= 60
    assert third.headers["Cache-Control"] == "private, no-store"
    body = third.get_data(as_text=True)
    assert "This address has compared 2 drafts in the last minute" in body
    # refused before the body is read: the text is not sent back, the sender is sent back to
    # it (the browser test goes back and finds it in the form)
    assert "Go back to the form, where your browser keeps your text" in body
    assert "Section 2. Searches." not in body
    assert "draft-result" not in body  # and nothing was compared
    # the form itself is never limited; another address has its own count
    assert client.get("/draft").status_code == 200
    other = _post_draft(client, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_draft_clients_behind_one_proxy_are_told_apart_by_forwarded_for():
    def statuses(app, addresses):
        client = app.test_client()
        return [_post_draft(client, headers={"X-Forwarded-For": a}).status_code
                for a in addresses]

    spread = ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
    # behind one trusted proxy: three clients, one draft each
    assert statuses(_draft_app(PROXY_HOPS=1), spread) == [200, 200, 200]
    # the same address three times is one client
    assert statuses(_draft_app(PROXY_HOPS=1), ["198.51.100.9"] * 3) == [200, 200, 429]
    # no proxy configured: the header is the client's to forge, and is not trusted
    assert statuses(_draft_app(), spread) == [200, 200, 429]


def test_the_draft_limit_is_a_setting_and_can_be_turned_off(monkeypatch):
    from billdiff.web import ConfigError, create_app

    client = _draft_app(DRAFTS_PER_MINUTE=0).test_client()
    assert {_post_draft(client).status_code for _ in range(4)} == {200}
    monkeypatch.setenv("BILLDIFF_DRAFTS_PER_MINUTE", "1")
    app = create_app({"TESTING": True})
    assert app.config["DRAFTS_PER_MINUTE"] == 1
    client = app.test_client()
    assert [_post_draft(client).status_code for _ in range(2)] == [200, 429]
    monkeypatch.setenv("BILLDIFF_DRAFTS_PER_MINUTE", "-1")
    with pytest.raises(ConfigError, match="BILLDIFF_DRAFTS_PER_MINUTE"):
        create_app({"TESTING": True})


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["a", " ", "\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d",
                                 "\x1e", "\x85", "\u2028", "\u2029", "é"]),
                max_size=40).map("".join))
def test_lines_are_counted_as_the_parsers_split_them(text):
    from billdiff.draft import count_lines

    assert count_lines(text) == len(text.splitlines())


def test_a_draft_at_the_word_limit_is_compared(client):
    # 60,000 words in 3,000 provisions of 20 words: every limit reached, none passed
    from billdiff.draft import MAX_DRAFT_PROVISIONS

    words = MAX_DRAFT_WORDS // MAX_DRAFT_PROVISIONS
    text = "".join(f"Section {k}. " + "rule " * (words - 3) + "end.\n"
                   for k in range(1, MAX_DRAFT_PROVISIONS + 1))
    from billdiff.diff import count_words

    assert count_words(text) == MAX_DRAFT_WORDS
    response = client.post("/draft", data={"csrf_token": _token(client),
                                           "against": "ma-193-h4359", "text": text})
    assert response.status_code == 200
    assert "draft-result" in response.get_data(as_text=True)


def test_a_draft_sent_while_another_is_compared_gets_503_with_retry_after(client):

    token = _token(client)
    gate = costly_gate(client.application)
    assert gate.acquire(blocking=False)  # another request is comparing a draft
    try:
        busy = client.post("/draft", data={"csrf_token": token, "against": "ma-193-h4359",
                                           "text": PLAIN})
        # refused before the body is read: even a request without its token gets the 503
        # (nothing is done with it), and its body is neither parsed nor sent back
        tokenless = client.post("/draft", data={"text": PLAIN})
    finally:
        gate.release()
    assert busy.status_code == tokenless.status_code == 503
    assert busy.headers["Retry-After"] == str(COSTLY_RETRY_AFTER)
    assert busy.headers["Cache-Control"] == "private, no-store"
    body = busy.get_data(as_text=True)
    assert "The server is comparing other texts just now" in body
    assert "Go back to the form, where your browser keeps your text" in body
    assert "Section 2. Searches." not in body  # the body was thrown away, not echoed
    again = client.post("/draft", data={"csrf_token": token, "against": "ma-193-h4359",
                                        "text": PLAIN})
    assert again.status_code == 200
    assert gate.acquire(blocking=False)  # released after each comparison
    gate.release()


def test_a_large_comparison_and_a_draft_share_the_processs_one_costly_place(client):
    from billdiff.web import limits

    gate = limits.costly_gate(client.application)
    assert gate.acquire(blocking=False)  # a large comparison is being made
    try:
        refused = client.post("/draft", data={"csrf_token": _token(client),
                                              "against": "ma-193-h4359", "text": PLAIN})
    finally:
        gate.release()
    assert refused.status_code == 503


def test_a_refused_draft_body_is_read_to_its_end_and_never_parsed(client, monkeypatch):
    """The refusal reads the body (so the connection can carry the next request) without
    parsing it: the form parser is never called."""
    from billdiff.web import forms

    calls = []
    real = forms.FormParser.parse

    def counting(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(forms.FormParser, "parse", counting)
    gate = costly_gate(client.application)
    body = "text=" + "word%0A" * 100_000
    assert gate.acquire(blocking=False)
    try:
        response = client.post("/draft", data=body,
                               content_type="application/x-www-form-urlencoded")
    finally:
        gate.release()
    assert response.status_code == 503
    assert calls == []
    assert response.request.environ["wsgi.input"].read() == b""  # read to its end
    client.post("/draft", data=body, content_type="application/x-www-form-urlencoded")
    assert calls  # an admitted draft's body is parsed (here for its token, refused: 400)


def test_the_text_given_back_is_the_text_sent(client):
    """A form that gives a draft back (here a 400 for an unknown granularity) gives its exact
    text: bidi controls as they were, not shown as markers, and a leading line break kept
    (the HTML parser drops one line break after <textarea>; the page writes one first)."""
    text = "\nSection 1. abc \u202edef\u202c <b>ghi</b> & \"q\"\n"
    response = client.post("/draft", data={"csrf_token": _token(client),
                                           "against": "ma-193-h4359", "text": text,
                                           "granularity": "sentence"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    given = re.search(r'<textarea id="bd-text"[^>]*>\n(.*?)</textarea>', page, re.S).group(1)
    import html

    assert html.unescape(given) == text
    assert "&lt;b&gt;ghi&lt;/b&gt; &amp; &#34;q&#34;" in given
