"""``/healthz`` for load balancers and containers, and ``/status`` for people.

``GET /healthz`` answers JSON, never cached::

    {"status": "ok", "corpus": {"loaded": true, "documents": 8, "fingerprint": "...",
     "stale": false, "problems": 0}, "pdf": "idle"}

with 200 while the site can serve (the process is up, a corpus is loaded, the PDF worker
answers or is busy rendering), else 503.  A corpus whose files broke while the site runs is
``"stale": true`` with its problem count, still 200: the site serves the last good data, and
taking it out of a load balancer would only make things worse.  The answer never waits for a
render: a worker busy with a fact sheet is reported ``"busy"`` (it is answering someone), and
an idle one is asked for its process id (``"idle"``), at most every :data:`PROBE_SECONDS`.

``GET /status`` is the same for a person (HTML): what is served, since when, and the problems
of the corpus files as they are now, if any.  When the app has no corpus to serve at all (a
development server started on a corpus with errors), every page answers with this page (503)
until the files are fixed, which the app notices by itself.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template

from billdiff import pdf
from billdiff.web.live import LiveCorpus

bp = Blueprint("health", __name__)

#: Seconds an idle PDF worker's answer is reused (health checks come from several balancers).
PROBE_SECONDS = 5.0
_probe_lock = threading.Lock()


def live_corpus(app: Flask | None = None) -> LiveCorpus:
    """The app's :class:`~billdiff.web.live.LiveCorpus`."""
    live: LiveCorpus = (app or current_app).extensions["billdiff.live"]
    return live


def _renderer(app: Flask) -> tuple[bool, pdf.BoundedRenderer | None]:
    """Whether the app's fact-sheet state exists, and its PDF renderer (None: in process)."""
    state: Any = app.extensions.get("billdiff.factsheet")
    if state is None:
        return False, None
    return True, state.renderer


def _pdf(app: Flask) -> str:
    made, renderer = _renderer(app)
    if not made:
        return "not started"
    if renderer is None:
        return "in-process"
    with _probe_lock:
        last: float | None = app.extensions.get("billdiff.pdf_answered")
        now = time.monotonic()
        # Asked at most every PROBE_SECONDS: a worker that answered just now still does.
        ask = last is None or now - last >= PROBE_SECONDS
        state = renderer.probe(ask=ask)
        if ask and state == "idle":
            app.extensions["billdiff.pdf_answered"] = now
    return state


def health(app: Flask) -> tuple[dict[str, Any], bool]:
    """The health document and whether the site can serve."""
    live = live_corpus(app)
    loaded, trouble = live.loaded, live.trouble
    corpus: dict[str, Any] = {"loaded": loaded is not None}
    if loaded is not None:
        corpus.update(documents=len(loaded.corpus.document_ids()),
                      fingerprint=loaded.fingerprint)
    corpus.update(stale=trouble is not None and loaded is not None,
                  problems=trouble.count if trouble else 0)
    state = _pdf(app)
    ok = loaded is not None and state != "down"
    return {"status": "ok" if ok else "down", "corpus": corpus, "pdf": state}, ok


@bp.get("/healthz")
def healthz() -> Response:
    """Whether this process can serve (200) or not (503), as JSON."""
    body, ok = health(current_app)
    response = jsonify(body)
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def status_response(status: int | None = None) -> Response:
    """The status page (HTML), 200 while a corpus is served, else 503."""
    live = live_corpus()
    body, ok = health(current_app)
    code = status if status is not None else (200 if live.loaded is not None else 503)
    html = render_template("status.html", live=live, health=body, ok=ok,
                           folder=live.root.name, when=_when)
    response = Response(html, status=code, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    if code == 503:
        response.headers["Retry-After"] = "10"
    return response


@bp.get("/status")
def status() -> Response:
    """What the site serves, and the problems of its corpus files, if any."""
    return status_response()


def _when(seconds: float | None) -> str:
    """A time for the status page (UTC, to the second)."""
    if seconds is None:
        return "never"
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(seconds))


__all__ = ["bp", "health", "live_corpus", "status_response"]
