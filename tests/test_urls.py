"""The two styles of address (:mod:`billdiff.urls`): every static-site address the builder
makes is turned back by :func:`route_of` into the server's address for the same page, and
nothing else is taken for a static-site address."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from billdiff.ids import DOCUMENT_ID_PATTERN
from billdiff.urls import Urls, route_of

SERVER, STATIC = Urls("/"), Urls("/", paths=True)

# Every id a corpus may hold (documents and topics have the same scheme).
ids = st.from_regex(DOCUMENT_ID_PATTERN, fullmatch=True).filter(lambda x: len(x) <= 40)
topics = st.lists(ids, max_size=3, unique=True)


def _server(url: str) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(url)
    return unquote(parts.path), parse_qsl(parts.query)


def _path_info(url: str) -> str:
    """The ``PATH_INFO`` a server gives the app for *url* (percent-decoded)."""
    return unquote(urlsplit(url).path)


@given(a=ids, b=ids, chosen=topics, view=st.sampled_from(["side", "inline"]),
       granularity=st.sampled_from(["word", "char"]),
       typography=st.sampled_from(["show", "hide"]), show=st.sampled_from(["all", "changes"]))
def test_a_static_compare_address_is_the_server_s_compare_page(a, b, chosen, view, granularity,
                                                                typography, show):
    options = dict(topics=chosen, view=view, granularity=granularity, typography=typography,
                   show=show)
    assert route_of(_path_info(STATIC.compare(a, b, **options))) == _server(
        SERVER.compare(a, b, **options))


@given(doc=ids, other=ids)
def test_every_other_static_address_is_the_server_s_page(doc, other):
    pairs = [
        (STATIC.document(doc), SERVER.document(doc)),
        (STATIC.topic(doc), SERVER.topic(doc)),
        (STATIC.as_amended(doc, other), SERVER.as_amended(doc, other)),
        (STATIC.guide(), SERVER.guide()),
        (STATIC.api_documents(), SERVER.api_documents()),
        (STATIC.api_topics(), SERVER.api_topics()),
        (STATIC.api_document(doc), SERVER.api_document(doc)),
        (STATIC.api_compare(doc, other), SERVER.api_compare(doc, other)),
        (STATIC.factsheet(doc, other), SERVER.factsheet(doc, other)),
        (STATIC.factsheet(doc, other, pdf=True), SERVER.factsheet(doc, other, pdf=True)),
        (STATIC.factsheet(doc, other, paper="a4"), SERVER.factsheet(doc, other, paper="a4")),
    ]
    for static, server in pairs:
        assert route_of(_path_info(static)) == _server(server), static


def test_the_server_s_own_addresses_are_left_alone():
    for url in ("/", "/compare", "/documents/x", "/api/documents", "/factsheet.pdf",
                "/static/app.css", "/healthz", "/draft", "/compare/a", "/api/compare/a/b"):
        assert route_of(url) is None, url
