"""The URL-encoded form reader (billdiff.web.forms): what the standard library's reader gives,
for every body, at C speed."""

from __future__ import annotations

import re
import urllib.parse

import werkzeug.urls  # noqa: F401  (the error handler Werkzeug reads form values with)
from hypothesis import example, given, settings
from hypothesis import strategies as st

from billdiff.web.forms import ERRORS, parse_qsl, unquote_plus


def stdlib(body: str) -> list[tuple[str, str]]:
    """What Werkzeug 3 reads a URL-encoded body with."""
    return urllib.parse.parse_qsl(body, keep_blank_values=True, errors=ERRORS)


# Bodies made of what a URL-encoded body is made of, escapes valid and not, raw and escaped
# non-ASCII, line breaks, and the characters quoted-printable gives meaning to.
PIECES = st.one_of(
    st.sampled_from(["%", "=", "&", "+", "%2", "%0A", "%0a", "%3D", "%25", "%C3", "%A9",
                     "%E2%82", "%AC", "%FF", "%zz", "=\n", "\r\n", "\n", "=3D", "==", "é", "€",
                     "\x00", " ", "a", "F", "9"]),
    st.text(max_size=6))
BODIES = st.lists(PIECES, max_size=40).map("".join)


@given(BODIES)
@settings(max_examples=1500, deadline=None)
@example("%%41")
@example("a=%")
@example("x=%2")
@example("%C3é%A9")
@example("%E2€")
@example("=%\n")
def test_parse_qsl_is_the_standard_librarys(body):
    assert parse_qsl(body) == stdlib(body)


@given(st.text())
@settings(max_examples=500, deadline=None)
def test_any_text_urlencoded_reads_back_as_itself(text):
    body = urllib.parse.urlencode({"csrf_token": "t", "text": text})
    assert parse_qsl(body) == [("csrf_token", "t"), ("text", text)]


def test_exact_small_cases():
    assert unquote_plus("a+b%20c%3d%3D") == "a b c=="
    assert unquote_plus("100%") == "100%"
    assert unquote_plus("%zz%41") == "%zzA"
    assert unquote_plus("caf%C3%A9") == "café"
    assert unquote_plus("%C3") == "%C3"  # not UTF-8: quoted again, as Werkzeug does
    assert parse_qsl("a=1&&b&c=") == [("a", "1"), ("b", ""), ("c", "")]
    assert parse_qsl("") == []


def test_the_app_reads_urlencoded_and_multipart_drafts_alike():
    from billdiff.web import create_app

    client = create_app({"TESTING": True}).test_client()
    page = client.get("/draft").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    text = "Section 1. Café & 100% = \"ok\"\n(a) An agency may search only with a warrant.\n"
    fields = {"csrf_token": token, "against": "ma-193-h4359", "text": text}
    urlencoded = client.post("/draft", data=urllib.parse.urlencode(fields),
                             content_type="application/x-www-form-urlencoded")
    multipart = client.post("/draft", data=fields)  # the test client sends multipart
    assert urlencoded.status_code == multipart.status_code == 200
    body = urlencoded.get_data(as_text=True)
    assert "Café &amp; 100% = &#34;ok&#34;" in body
    assert body == multipart.get_data(as_text=True)
