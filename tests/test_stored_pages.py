"""Stored pages answered in front of Flask (billdiff.web.caching.StoredPages): exactly what the
app would have answered from its cache, and nothing the app would not have answered."""

from __future__ import annotations

import pytest

pytest_plugins = ("web_helpers",)

COMPARE = "/compare?a=bill-2021&b=bill-2023"
HOST = "bills.example.org"


@pytest.fixture
def served(small_bills):
    """A production app and the number of requests that reached Flask's hooks."""
    from billdiff.web import create_app

    app = create_app({"ENV": "production", "SECRET_KEY": "k" * 32,
                      "SITE_URL": f"https://{HOST}", "BILLS_DIR": str(small_bills),
                      "TRUSTED_HOSTS": [HOST]})
    seen: list[str] = []

    @app.before_request
    def count() -> None:
        from flask import request

        seen.append(request.full_path)

    return app, Client(app.test_client()), seen


class Client:
    """The test client, asking for https://bills.example.org/... unless told otherwise."""

    def __init__(self, client) -> None:  # type: ignore[no-untyped-def]
        self.client = client

    def get(self, path: str, **kw):  # type: ignore[no-untyped-def]
        kw.setdefault("base_url", f"https://{HOST}")
        return self.client.get(path, **kw)

    def head(self, path: str, **kw):  # type: ignore[no-untyped-def]
        kw.setdefault("base_url", f"https://{HOST}")
        return self.client.head(path, **kw)


def test_a_stored_page_is_what_the_app_answered_byte_for_byte(served):
    _app, client, seen = served
    first = client.get(COMPARE)
    assert first.status_code == 200
    assert len(seen) == 1  # rendered by the app, and stored
    again = client.get(COMPARE)
    assert len(seen) == 1  # answered in front of Flask
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    # the Date is the server's (gunicorn and Werkzeug's server add it, test_serve checks it
    # comes once); the app's answer has one only because make_conditional adds it
    assert "Date" not in again.headers
    assert sorted(again.headers.items()) == sorted(
        (k, v) for k, v in first.headers.items() if k != "Date")
    assert again.headers["Content-Length"] == str(len(first.get_data()))
    # the headers every response gets are there (production: HSTS too)
    assert again.headers["Strict-Transport-Security"].startswith("max-age=")
    assert again.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert again.headers["ETag"]
    assert again.headers["Cache-Control"] == "no-cache"
    assert "Set-Cookie" not in again.headers
    # no page but one that shows a CSRF token depends on the session: none says it does
    assert "Vary" not in first.headers
    assert "Cookie" in client.get("/draft").headers["Vary"]


def test_a_stored_page_answers_304_and_head(served):
    _app, client, seen = served
    etag = client.get(COMPARE).headers["ETag"]
    assert len(seen) == 1
    not_modified = client.get(COMPARE, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.get_data() == b""
    assert not_modified.headers["ETag"] == etag
    head = client.head(COMPARE)
    assert head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["ETag"] == etag
    assert int(head.headers["Content-Length"]) > 1000
    changed = client.get(COMPARE, headers={"If-None-Match": '"another"'})
    assert changed.status_code == 200
    assert changed.get_data()
    assert len(seen) == 1


def test_what_the_app_must_judge_goes_to_the_app(served):
    _app, client, seen = served
    client.get(COMPARE)
    assert len(seen) == 1
    # an untrusted host, even for an address that is stored: the app's 400
    assert client.get(COMPARE, headers={"Host": "evil.example"}).status_code == 400
    assert len(seen) == 2
    # a GET with a body: the app (which applies its size limit) answers it
    assert client.get(COMPARE, data=b"x" * 10).status_code == 200
    assert len(seen) == 3
    # another address (a tracking parameter): rendered, then stored under its own key
    tracked = COMPARE + "&utm_source=mail"
    assert client.get(tracked).status_code == 200
    assert client.get(tracked).status_code == 200
    assert seen[3:] == ["/compare?a=bill-2021&b=bill-2023&utm_source=mail"]
    # never stored: a POST, the health check, the draft form
    for _ in range(2):
        client.get("/healthz")
        client.get("/draft")
    assert [p.split("?")[0] for p in seen[4:]] == ["/healthz", "/draft"] * 2


def test_host_case_and_scheme_are_seen_as_the_app_sees_them(served):
    _app, client, seen = served
    body = client.get(COMPARE).get_data()
    # the same host in capitals is the same address (the host-case middleware runs first)
    assert client.get(COMPARE, headers={"Host": HOST.upper()}).get_data() == body
    assert len(seen) == 1
    # another scheme is another page (its links are http://): rendered by the app
    plain = client.get(COMPARE, base_url=f"http://{HOST}")
    assert plain.status_code == 200
    assert len(seen) == 2


def test_a_changed_corpus_is_never_answered_from_the_store(served, small_bills):
    app, client, seen = served
    assert b"An Act about face scans, again" in client.get(COMPARE).get_data()
    doc = small_bills / "documents" / "bill-2023.yaml"
    doc.write_text(doc.read_text(encoding="utf-8").replace(
        "An Act about face scans, again", "An Act about face scans, once more"),
        encoding="utf-8")
    assert app.extensions["billdiff.live"].check()
    page = client.get(COMPARE).get_data()
    assert b"once more" in page
    assert len(seen) == 2


def test_no_store_when_the_cache_is_off(small_bills):
    from billdiff.web import create_app

    app = create_app({"TESTING": True, "BILLS_DIR": str(small_bills), "PAGE_CACHE_BYTES": 0})
    seen = []
    app.before_request(lambda: seen.append(1))
    client = app.test_client()
    assert client.get(COMPARE).get_data() == client.get(COMPARE).get_data()
    assert len(seen) == 2
