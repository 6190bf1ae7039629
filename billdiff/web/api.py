"""The JSON API and its OpenAPI 3.1 description.

``/api/compare`` returns exactly :meth:`billdiff.compare.Comparison.to_json` (the shape of
``billdiff compare --format json``).  Errors are ``{"error": "..."}`` with the HTTP status.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from billdiff import render
from billdiff.compare import cached_compare
from billdiff.model import Document
from billdiff.web import get_corpus

bp = Blueprint("api", __name__, url_prefix="/api")


def _summary(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id, "kind": doc.kind.value, "number": doc.number, "title": doc.title,
        "jurisdiction": doc.jurisdiction, "session": doc.session, "filed": doc.filed,
        "status": doc.status, "completeness": doc.provenance.completeness.value,
        "official_url": doc.official_url, "url": f"/documents/{doc.id}",
    }


@bp.get("/documents")
def documents() -> Response:
    """Every document, oldest first."""
    return jsonify({"documents": [_summary(d) for d in get_corpus().ordered_documents()]})


@bp.get("/documents/<doc_id>")
def document(doc_id: str) -> Response:
    """One document in full (the stored schema) and our analyses of it."""
    corpus = get_corpus()
    doc = corpus.document(doc_id)
    analyses = [a.model_dump(mode="json") for t in corpus.topics
                if (a := corpus.analysis(doc.id, t)) is not None]
    return jsonify({"document": doc.model_dump(mode="json"), "analyses": analyses})


@bp.get("/topics")
def topics() -> Response:
    """The topics in display order."""
    return jsonify({"topics": [t.model_dump(mode="json") for t in get_corpus().topics.values()]})


@bp.get("/compare")
def compare() -> Response:
    """Two documents compared (same JSON as ``billdiff compare --format json``)."""
    corpus = get_corpus()
    a, b, options, _ = render.parse_compare_args(corpus, request.args.to_dict(flat=False))
    result = cached_compare(corpus.document(a), corpus.document(b), corpus=corpus,
                            options=options)
    return jsonify(result.to_json())


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(OPENAPI)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_ERROR = {"description": "Error", "content": {"application/json": {"schema": _ref("Error")}}}


def _ok(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ID_PARAM = {"name": "doc_id", "in": "path", "required": True,
             "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*$"}}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "billdiff API",
        "version": "0.1.0",
        "description": ("Laws and bills compared provision by provision. Analyses are "
                        "plain-language summaries, not the law. Texts may be excerpts: each "
                        "section carries its status (official, excerpt, single-source, "
                        "missing)."),
    },
    "paths": {
        "/api/documents": {"get": {
            "operationId": "listDocuments", "summary": "Every document, oldest first",
            "responses": {"200": _ok({"type": "object", "required": ["documents"],
                                      "properties": {"documents": {
                                          "type": "array", "items": _ref("DocumentSummary")}}},
                                     "The documents")},
        }},
        "/api/documents/{doc_id}": {"get": {
            "operationId": "getDocument", "summary": "One document and its analyses",
            "parameters": [_ID_PARAM],
            "responses": {
                "200": _ok({"type": "object", "required": ["document", "analyses"],
                            "properties": {
                                "document": {"type": "object",
                                             "description": "The stored document (see the "
                                                            "data format in the README)"},
                                "analyses": {"type": "array", "items": _ref("Analysis")}}},
                           "The document"),
                "404": _ERROR,
            },
        }},
        "/api/topics": {"get": {
            "operationId": "listTopics", "summary": "The topics in display order",
            "responses": {"200": _ok({"type": "object", "required": ["topics"],
                                      "properties": {"topics": {"type": "array",
                                                                "items": _ref("Topic")}}},
                                     "The topics")},
        }},
        "/api/compare": {"get": {
            "operationId": "compareDocuments",
            "summary": "Compare two documents (same JSON as `billdiff compare --format json`)",
            "parameters": [
                {"name": "a", "in": "query", "required": False, "schema": _STR,
                 "description": "Document on the left (default: current law, or the oldest)"},
                {"name": "b", "in": "query", "required": False, "schema": _STR,
                 "description": "Document on the right (default: the latest)"},
                {"name": "topic", "in": "query", "required": False, "explode": True,
                 "schema": {"type": "array", "items": _STR},
                 "description": "Compare only these topics (repeatable)"},
                {"name": "granularity", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": ["word", "char"], "default": "word"}},
                {"name": "quotes", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": ["0", "1"], "default": "0"},
                 "description": "1: treat curly and straight quotes as the same"},
            ],
            "responses": {"200": _ok(_ref("Comparison"), "The comparison"),
                          "400": _ERROR, "404": _ERROR, "413": _ERROR},
        }},
        "/api/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This description",
            "responses": {"200": _ok({"type": "object"}, "OpenAPI 3.1 document")},
        }},
    },
    "components": {"schemas": {
        "Error": {"type": "object", "required": ["error"],
                  "properties": {"error": _STR, "incident": _STR}},
        "DocumentSummary": {"type": "object", "required": ["id", "kind", "number", "title",
                                                           "completeness", "url"],
                            "properties": {
                                "id": _STR, "kind": {"enum": ["statute", "bill", "amendment",
                                                              "ordinance"]},
                                "number": _STR, "title": _STR, "jurisdiction": _STR,
                                "session": _NSTR, "filed": _NSTR, "status": _NSTR,
                                "completeness": {"enum": ["complete", "partial", "none"]},
                                "official_url": _NSTR, "url": _STR}},
        "Topic": {"type": "object", "required": ["id", "title", "question"],
                  "properties": {"id": _STR, "title": _STR, "question": _STR,
                                 "description": _NSTR, "why_it_matters": _NSTR}},
        "Statement": {"type": "object", "required": ["text", "cites"], "properties": {
            "text": _STR,
            "cites": {"type": "array", "items": {"type": "object", "properties": {
                "section": _NSTR, "document": _NSTR, "source": _NSTR}}}}},
        "Analysis": {"type": "object", "required": ["topic", "summary", "footing"],
                     "description": "Our plain-language summary: not the law.",
                     "properties": {
                         "topic": _STR,
                         "summary": {"type": "array", "items": _ref("Statement")},
                         "attributes": {"type": "object", "additionalProperties": _STR},
                         "sections": {"type": "array", "items": _STR},
                         "footing": {"enum": ["official-text", "secondary-sources", "mixed"]}}},
        "SectionRef": {"type": ["object", "null"], "properties": {
            "id": _STR, "number": _NSTR, "heading": _NSTR,
            "status": {"enum": ["official", "excerpt", "single-source", "missing"]},
            "source_url": _NSTR}},
        "Stats": {"type": "object", "properties": {
            "words_a": {"type": "integer"}, "words_b": {"type": "integer"},
            "words_inserted": {"type": "integer"}, "words_deleted": {"type": "integer"},
            "changed_share": {"type": "number"}, "regions": {"type": "integer"}}},
        "Op": {"type": "object", "required": ["op", "text"], "properties": {
            "op": {"enum": ["equal", "insert", "delete"]}, "text": _STR}},
        "ComparedDocument": {"type": "object", "properties": {
            "id": _STR, "number": _STR, "title": _STR, "kind": _STR, "session": _NSTR,
            "completeness": _STR, "official_url": _NSTR}},
        "Pair": {"type": "object", "properties": {
            "topic": _NSTR, "a_section": _ref("SectionRef"), "b_section": _ref("SectionRef"),
            "method": {"enum": ["topic", "id", "number", "similarity"]},
            "suggested": {"type": "boolean"}, "similarity": {"type": ["number", "null"]},
            "renumbered": {"type": "boolean"},
            "lacking_text": {"type": "array", "items": {"enum": ["a", "b"]},
                             "description": "Sides with no text to compare (missing)"},
            "partial_text": {"type": "array", "items": {"enum": ["a", "b"]},
                             "description": "Sides whose text is an excerpt or single-source: "
                                            "a difference may only show where a copy ends"},
            "truncated_text": {"type": "array", "items": {"enum": ["a", "b"]},
                               "description": "Sides whose copy stops before the provision "
                                              "ends"},
            "beyond_held_text": {"oneOf": [{"type": "null"}, {
                "type": "object", "properties": {"from_op": {"type": "integer"}, "note": _STR},
                "description": "ops from this index lie past the end of a cut-off copy: they "
                               "show where the copy stops, not a change (and are left out of "
                               "stats)"}]},
            "a_text": _STR, "b_text": _STR,
            "ops": {"type": "array", "items": _ref("Op")},
            "approximate": {"type": "boolean"},
            "stats": {"oneOf": [_ref("Stats"), {"type": "null"}]}}},
        "Comparison": {"type": "object", "required": ["a", "b", "pairs", "topics"],
                       "properties": {
                           "a": _ref("ComparedDocument"), "b": _ref("ComparedDocument"),
                           "options": {"type": "object", "properties": {
                               "granularity": {"enum": ["word", "char"]},
                               "normalize_quotes": {"type": "boolean"},
                               "topics": {"type": "array", "items": _STR}}},
                           "changed": {"type": "boolean"},
                           "approximate": {"type": "boolean"},
                           "stats": _ref("Stats"),
                           "pairs": {"type": "array", "items": _ref("Pair")},
                           "only_in_a": {"type": "array", "items": _ref("SectionRef")},
                           "only_in_b": {"type": "array", "items": _ref("SectionRef")},
                           "topics": {"type": "array", "items": {"type": "object", "properties": {
                               "topic": _STR, "title": _STR,
                               "text_state": {"enum": ["changed", "unchanged", "lacking",
                                                       "absent"]},
                               "a_analysis": {"oneOf": [_ref("Analysis"), {"type": "null"}]},
                               "b_analysis": {"oneOf": [_ref("Analysis"), {"type": "null"}]},
                               "attribute_changes": {"type": "array", "items": {
                                   "type": "object", "properties": {
                                       "name": _STR, "a": _NSTR, "b": _NSTR}}}}}}}},
    }},
}
