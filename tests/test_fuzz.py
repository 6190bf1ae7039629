"""Fuzzing (RELIABILITY.md §G item 17), in CI.

- **The pipeline**: tests/fuzz_pipeline.py's harness (``bytes -> decode -> normalize -> diff ->
  render HTML`` with §G item 4's invariants) under Hypothesis for ``BILLDIFF_FUZZ_SECONDS``
  (60 by default: the CI smoke run; 600 is the release run, see docs/reliability.md).
- **The API, driven by its own OpenAPI description**, as schemathesis would do it: every
  operation and parameter of ``/api/openapi.json`` gets requests generated from its schema
  (valid values, the corpus's real ids and topics, and hostile ones: markup, traversal,
  control and bidi characters, very long strings, a required parameter left out, parameters
  the description does not name).  Every answer must be no server error, a status the
  description documents, JSON, and a body that validates against the response's schema
  (:func:`billdiff.jsonout.check` on the shape the schema was generated from).
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fuzz_pipeline import check_pipeline, run_hypothesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ_SECONDS = float(os.environ.get("BILLDIFF_FUZZ_SECONDS") or 60)


def test_pipeline_fuzz_smoke():
    tried = run_hypothesis(FUZZ_SECONDS)
    assert tried >= 500  # §G 4: at least 500 examples, in fact thousands


@pytest.mark.parametrize("data", [
    b"", b"\x00", b"\x01\x1e", b"\x02<script>\x1e</script>", b"\x00\xff\xfe\x1e\xef\xbb\xbf",
    b"\x07" + "“a” – b\u202e".encode() + b"\x1e" + b'"a" - b',
    b"\x00" + b"[Reserved]\n" * 50 + b"\x1e" + b"[Reserved]\nx\n" * 50,
])
def test_pipeline_harness_on_known_awkward_inputs(data):
    check_pipeline(data)


def test_the_harness_catches_what_it_must():
    """The invariants are not vacuous: unescaped markup, a style attribute, a raw bidi control
    and a lost word are each caught."""
    from fuzz_pipeline import check_markup

    for bad in ('<img src=x onerror="alert(1)">', '<span class="vh" style="x">a</span>',
                "a\u202eb", "<ins>a</ins"):
        with pytest.raises(AssertionError):
            check_markup(bad, None, None)
    with pytest.raises(AssertionError):
        check_markup("<del>old </del>", "old new", None)


# -- the API from its OpenAPI description ------------------------------------------------------

ABSENT = object()
HOSTILE_TEXT = st.one_of(
    st.sampled_from(["", " ", "..", "../../etc/passwd", "%00", "\x00", "<script>", "'\"",
                     "\u202e", "nope", "S.", "A" * 5000, "ma-194-s1053/../x", "\ud7ff",
                     "word", "char", "sentence", "NaN", "-1", "{}", "[]", "a,b"]),
    st.text(max_size=40),
)


def _valid(name: str, schema: dict[str, Any], corpus) -> st.SearchStrategy[Any]:
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if name in ("a", "b", "doc_id"):
        return st.sampled_from([*corpus.documents, *(d.number for d in
                                                     corpus.documents.values())])
    if name == "topic":
        return st.sampled_from(list(corpus.topics))
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True)
    return st.text(max_size=20)


def _value(param: dict[str, Any], corpus) -> st.SearchStrategy[Any]:
    schema = param["schema"]
    name = param["name"]
    if schema.get("type") == "array":
        item = st.one_of(_valid(name, schema["items"], corpus), HOSTILE_TEXT)
        value: st.SearchStrategy[Any] = st.lists(item, max_size=6)
    else:
        value = st.one_of(_valid(name, schema, corpus), _valid(name, schema, corpus),
                          HOSTILE_TEXT)
    # a required parameter is left out now and then (an invalid request, never a 5xx)
    return st.one_of(value, st.just(ABSENT)) if param["in"] != "path" else value


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in spec["paths"].items()
            for method, op in ops.items()]


@pytest.fixture(scope="module")
def api():
    from billdiff.web import create_app

    app = create_app({"TESTING": True})
    client = app.test_client()
    spec = client.get("/api/openapi.json").get_json()
    from billdiff.web.state import get_corpus

    with app.app_context():
        corpus = get_corpus()
    return client, spec, corpus


def test_the_description_names_every_operation_and_parameter(api):
    _, spec, _ = api
    ops = {op["operationId"] for _, _, op in _operations(spec)}
    assert ops == {"listDocuments", "getDocument", "listTopics", "compareDocuments", "openapi"}
    compare = spec["paths"]["/api/compare"]["get"]
    assert [p["name"] for p in compare["parameters"]] == ["a", "b", "topic", "granularity"]


def _shape_of(schema: dict[str, Any]) -> Any:
    from billdiff import jsonout

    refs, _ = jsonout.json_schemas()
    for name, ref in refs.items():
        if ref == schema:
            return jsonout.SHAPES[name]
    return None


def _check_response(op: dict[str, Any], url: str, response) -> None:
    status = response.status_code
    assert status < 500, f"{url}: {status} {response.get_data(as_text=True)[:300]}"
    documented = op["responses"]
    assert str(status) in documented, f"{url}: {status} is not in the description " \
                                      f"({', '.join(documented)})"
    assert response.mimetype == "application/json", f"{url}: {response.mimetype}"
    body = json.loads(response.get_data(as_text=True))
    schema = documented[str(status)]["content"]["application/json"]["schema"]
    shape = _shape_of(schema)
    if shape is not None:
        from billdiff import jsonout

        jsonout.check(shape, body)
    else:
        assert schema == {"type": "object"}
        assert isinstance(body, dict)
        assert body["openapi"].startswith("3.1")


@pytest.mark.parametrize("operation", ["listDocuments", "getDocument", "listTopics",
                                       "compareDocuments", "openapi"])
def test_every_operation_answers_every_generated_request_within_its_description(api,
                                                                                operation):
    client, spec, corpus = api
    (path, method, op), = [(p, m, o) for p, m, o in _operations(spec)
                           if o["operationId"] == operation]
    params = op.get("parameters", [])
    strategy = st.fixed_dictionaries({p["name"]: _value(p, corpus) for p in params})
    extra = st.dictionaries(st.sampled_from(["utm_source", "x", "A", "topic[]", "a ", "view"]),
                            HOSTILE_TEXT, max_size=2)
    seen: set[int] = set()

    @settings(max_examples=150 if params else 25, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(values=strategy, unknown=extra)
    def call(values: dict[str, Any], unknown: dict[str, str]) -> None:
        url = path
        query: list[tuple[str, str]] = []
        for p in params:
            value = values[p["name"]]
            if value is ABSENT:
                continue
            if p["in"] == "path":
                url = url.replace("{" + p["name"] + "}", quote(str(value), safe="") or "%20")
            elif isinstance(value, list):
                query += [(p["name"], v) for v in value]
            else:
                query.append((p["name"], value))
        query += [(k, v) for k, v in unknown.items() if k not in values]
        full = url + ("?" + urlencode(query) if query else "")
        response = getattr(client, method)(full)
        seen.add(response.status_code)
        _check_response(op, full, response)

    call()
    assert 200 in seen  # the generated requests reached the operation's real answer
    if any(p.get("required") for p in params):
        assert seen - {200}, "no invalid request was generated"


def test_methods_the_description_does_not_name_are_405_not_errors(api):
    client, spec, _ = api
    for path, ops in spec["paths"].items():
        url = path.replace("{doc_id}", "ma-194-s1053")
        for method in ("post", "put", "delete", "patch"):
            if method in ops:
                continue
            response = getattr(client, method)(url, data={"x": "1"})
            assert response.status_code == 405, (method, url, response.status_code)
            assert response.mimetype == "application/json"
            assert "GET" in response.headers["Allow"]
