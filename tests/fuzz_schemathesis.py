"""schemathesis over the app's own OpenAPI description (RELIABILITY.md §G item 17), on demand.

Not collected by ``make test`` (the file name does not start with ``test_``, and schemathesis is
not a dependency of the project): tests/test_fuzz.py is the CI equivalent, in Hypothesis alone.
Run it where schemathesis is installed (it is on the configured index: ``pip install
schemathesis==4.32.5``), from the checkout::

    python -m pytest -p no:cacheprovider tests/fuzz_schemathesis.py --hypothesis-show-statistics

Every operation is called with generated requests (positive and negative data) through the
WSGI app, and ``call_and_validate`` runs schemathesis's checks: no server error, a documented
status code and content type, and a body that validates against the response's schema.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

schemathesis = pytest.importorskip("schemathesis")

from billdiff.web import create_app  # noqa: E402

app = create_app({"TESTING": True})
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
#: Examples per operation (``BILLDIFF_SCHEMATHESIS_EXAMPLES``, default 1000).
EXAMPLES = settings(max_examples=int(os.environ.get("BILLDIFF_SCHEMATHESIS_EXAMPLES") or 1000),
                    deadline=None, suppress_health_check=list(HealthCheck))


#: §G item 17's bar: no server error, no schema violation (status, content type, headers and
#: body as the description says).
BAR = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
       "response_headers_conformance", "response_schema_conformance"]


def _checks(names: list[str]) -> list[object]:
    from schemathesis import checks as common
    from schemathesis.specs.openapi import checks as openapi

    return [getattr(openapi, n, None) or getattr(common, n) for n in names]


@schema.parametrize()
@EXAMPLES
def test_api_meets_the_bar(case) -> None:  # noqa: ANN001 - schemathesis's Case
    case.call_and_validate(checks=_checks(BAR))


@schema.parametrize()
@EXAMPLES
def test_api_with_every_default_check(case) -> None:  # noqa: ANN001 - schemathesis's Case
    """Also that requests the description calls valid are accepted and invalid ones refused
    (a finding here is the description being looser or stricter than the app)."""
    case.call_and_validate()
