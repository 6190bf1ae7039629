"""The load run's ceiling (benchmarks/load.py): a WSGI function that answers every request
with the same bytes, as many as ``BARE_BYTES`` says (the stored comparison page's size),
served by gunicorn with billdiff's worker (``billdiff.gunicorn_conf.Worker``), as many
workers, threads and connections as billdiff's production configuration, and no access log.
What gunicorn itself can do on this machine, with no app at all: no run of billdiff's can be
expected to beat it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

BODY = b"x" * int(os.environ.get("BARE_BYTES", "72280"))
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", HEADERS)
    return [BODY]
