"""The JSON API and its OpenAPI 3.1 description (generated from the output shapes).

``/api/compare`` returns exactly :func:`billdiff.jsonout.comparison_json` (the shape of
``billdiff compare --format json``).  Errors are ``{"error": "..."}`` with the HTTP status.
"""

from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint, Response, current_app, request

from billdiff import __version__, jsonout, render
from billdiff.analysis import read_comparison
from billdiff.compare import cached_compare
from billdiff.ids import DOCUMENT_ID_PATTERN
from billdiff.web.limits import large_comparison
from billdiff.web.state import get_corpus, urls

bp = Blueprint("api", __name__, url_prefix="/api")


def _json(data: Any) -> Response:
    return Response(jsonout.dumps(data, indent=False), mimetype="application/json")


@bp.get("/documents")
def documents() -> Response:
    """Every document, oldest first."""
    return _json(jsonout.documents_json(get_corpus(), urls()))


@bp.get("/documents/<doc_id>")
def document(doc_id: str) -> Response:
    """One document in full (the stored schema) and our analyses of it."""
    return _json(jsonout.document_json(get_corpus(), doc_id))


@bp.get("/topics")
def topics() -> Response:
    """The topics in display order."""
    return _json(jsonout.topics_json(get_corpus()))


@bp.get("/compare")
def compare() -> Response:
    """Two documents compared (same JSON as ``billdiff compare --format json``)."""
    corpus = get_corpus()
    req = render.parse_compare_args(corpus, request.args.to_dict(flat=False), require_b=True)
    a, b = corpus.document(req.a), corpus.document(req.b)
    with large_comparison(current_app, a, b):
        comparison = cached_compare(a, b, corpus=corpus, options=req.options)
        return _json(jsonout.comparison_json(read_comparison(comparison), urls()))


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return _json(openapi_document())


def _ok(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description, generated from :data:`billdiff.jsonout.SHAPES` and the
    stored models (nothing here repeats a shape by hand)."""
    refs, schemas = jsonout.json_schemas()
    error = _ok(refs["Error"], "Error")
    string = {"type": "string"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "billdiff API",
            "version": __version__,
            "description": ("Laws and bills compared provision by provision. Analyses are "
                            "plain-language summaries, not the law. Texts may be excerpts: "
                            "each section carries its status (official, excerpt, "
                            "single-source, missing) and its role (provision or front "
                            "matter)."),
        },
        "paths": {
            "/api/documents": {"get": {
                "operationId": "listDocuments", "summary": "Every document, oldest first",
                "responses": {"200": _ok(refs["Documents"], "The documents")},
            }},
            "/api/documents/{doc_id}": {"get": {
                "operationId": "getDocument", "summary": "One document and its analyses",
                "parameters": [{"name": "doc_id", "in": "path", "required": True,
                                "schema": {"type": "string", "pattern": DOCUMENT_ID_PATTERN}}],
                "responses": {"200": _ok(refs["DocumentDetail"], "The document"),
                              "404": error},
            }},
            "/api/topics": {"get": {
                "operationId": "listTopics", "summary": "The topics in display order",
                "responses": {"200": _ok(refs["Topics"], "The topics")},
            }},
            "/api/compare": {"get": {
                "operationId": "compareDocuments",
                "summary": "Compare two documents (the JSON of `billdiff compare --format "
                           "json`)",
                "parameters": [
                    {"name": "a", "in": "query", "required": False, "schema": string,
                     "description": "Document on the left (default: current law, or the "
                                    "oldest)"},
                    {"name": "b", "in": "query", "required": True, "schema": string,
                     "description": "Document on the right"},
                    {"name": "topic", "in": "query", "required": False, "explode": True,
                     "schema": {"type": "array", "items": string},
                     "description": "Compare only these topics (repeatable)"},
                    {"name": "granularity", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": list(render.GRANULARITIES),
                                "default": "word"}},
                ],
                "responses": {"200": _ok(refs["Comparison"], "The comparison"),
                              "400": error, "404": error, "413": error,
                              "503": error},
            }},
            "/api/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This description",
                "responses": {"200": _ok({"type": "object"}, "OpenAPI 3.1 document")},
            }},
        },
        "components": {"schemas": schemas},
    }
