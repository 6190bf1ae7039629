"""Fact-sheet pages of the web app (preview and PDF download).

Routes (the app factory registers :data:`bp`):

- ``GET /factsheet?a=<id>&b=<id>[&topic=<id>]...[&paper=letter|a4]``: the HTML preview of the
  one-page sheet (the same template as the PDF, showing exactly what the PDF shows) with a
  "Download PDF" link;
- ``GET /factsheet.pdf?...``: the PDF, cached by content, with an ``ETag`` (``If-None-Match``
  gives 304) and ``Content-Disposition: attachment``;
- ``GET /factsheet/theme.css?paper=...`` and ``GET /factsheet/logo.png``: the generated
  stylesheet and the organisation's (validated, re-encoded) logo, for the preview.

Bad parameters give 400, unknown documents or topics 404, a render over its time budget (or a
renderer busy for longer than that) 503 with ``Retry-After``, one that cannot fit or runs out
of memory 413.  A client that asks for more than ``FACTSHEET_RENDERS_PER_MINUTE`` new sheets in
a minute gets 429 with ``Retry-After`` (:mod:`billdiff.web.limits`).  Renders run in a bounded
worker process (:class:`billdiff.pdf.BoundedRenderer`) unless ``FACTSHEET_IN_PROCESS`` is set
(tests).

App config read here: the app's corpus (``app.extensions["billdiff.corpus"]``, else ``CORPUS``
or ``BILLS_DIR``), ``SITE_URL``, ``FACTSHEET_ORG``
(an org YAML file; none: neutral branding), ``FACTSHEET_RENDER_TIMEOUT`` (s),
``FACTSHEET_RENDER_MEMORY`` (bytes), ``FACTSHEET_IN_PROCESS``, ``FACTSHEET_CACHE_SIZE``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, current_app, request, url_for

from billdiff.errors import BilldiffError, NotFound
from billdiff.settings import STATIC_DIR
from billdiff.web.limits import RateLimiter, client_key
from billdiff.wording import plural

bp = Blueprint("factsheet", __name__, static_folder=str(STATIC_DIR),
               static_url_path="/factsheet/static")

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
_lock = threading.Lock()
#: Seconds a client is asked to wait (``Retry-After``) when the PDF maker is busy or slow.
RETRY_AFTER = 30


@dataclass
class _State:
    """Per-app state: corpus, organisation, renderer and the PDF cache."""

    corpus: Any
    org: Any
    renderer: Any
    cache: OrderedDict[str, tuple[bytes, int, str]]
    limiter: RateLimiter | None = None


def _state() -> _State:
    app = current_app
    with _lock:
        state = app.extensions.get("billdiff.factsheet")
        if state is None:
            from billdiff import factsheet, pdf
            from billdiff.load import load_corpus

            corpus = (app.config.get("CORPUS") or app.extensions.get("billdiff.corpus")
                      or load_corpus(app.config.get("BILLS_DIR")).require_clean())
            org_file = app.config.get("FACTSHEET_ORG")
            org = factsheet.load_org(org_file) if org_file else factsheet.DEFAULT_ORG
            renderer = None if app.config.get("FACTSHEET_IN_PROCESS") else pdf.BoundedRenderer(
                timeout=float(app.config.get("FACTSHEET_RENDER_TIMEOUT", pdf.RENDER_TIMEOUT)),
                memory=int(app.config.get("FACTSHEET_RENDER_MEMORY", pdf.RENDER_MEMORY)))
            per_minute = int(app.config.get("FACTSHEET_RENDERS_PER_MINUTE", 10) or 0)
            limiter = RateLimiter(per_minute, 60.0) if per_minute > 0 else None
            state = _State(corpus, org, renderer, OrderedDict(), limiter)
            app.extensions["billdiff.factsheet"] = state
    return state


def _params() -> Any:
    """The request's fact-sheet parameters, validated (400 on anything malformed)."""
    from billdiff.factsheet import DEFAULT_SITE_URL, MAX_TOPICS, FactSheetRequest

    args = request.args
    unknown = set(args) - {"a", "b", "topic", "paper"}
    if unknown:
        abort(400, description=f"unknown parameter {sorted(unknown)[0]!r}")
    a, b = args.get("a", ""), args.get("b", "")
    for name, value in (("a", a), ("b", b)):
        if not _ID.fullmatch(value):
            abort(400, description=f"parameter {name!r} must be a document id")
    topics = args.getlist("topic")
    if len(topics) > MAX_TOPICS:
        abort(400, description=f"at most {MAX_TOPICS} topics fit on one page")
    corpus = _state().corpus
    for t in topics:
        if not _ID.fullmatch(t):
            abort(400, description="each 'topic' must be a topic id")
        if t not in corpus.topics:  # a bad parameter, like /compare: 400, not 404
            abort(400, description=f"unknown topic {t!r}; known topics: "
                                   f"{', '.join(corpus.topics)}")
    paper = args.get("paper", "letter")
    if paper not in ("letter", "a4"):
        abort(400, description="'paper' must be letter or a4")
    site = current_app.config.get("SITE_URL") or DEFAULT_SITE_URL
    return FactSheetRequest(a, b, tuple(dict.fromkeys(topics)), paper, site, dt.date.today())


def _render(req: Any) -> tuple[bytes, Any, str]:
    """The PDF, the sheet it shows and its ETag (cached by content)."""
    from billdiff import factsheet, pdf

    state = _state()
    try:
        sheets = factsheet.candidates(state.corpus, req, state.org)
    except NotFound as err:
        abort(404, description=err.what)  # never the server's corpus path
    except BilldiffError as err:
        abort(400, description=err.what)
    job = factsheet.fit_job(sheets)
    key = job.fingerprint()  # by content: every candidate page and every generated resource
    with _lock:
        hit = state.cache.get(key)
        if hit is not None:
            state.cache.move_to_end(key)
    if hit is None:
        # Only renders count against a client's limit; cached sheets are always served.
        limiter = state.limiter
        wait = limiter.hit(client_key(request.remote_addr)) if limiter else 0
        if limiter and wait:
            abort(429, retry_after=wait, description=(
                f"this address has asked for {plural(limiter.limit, 'new fact sheet')} in "
                f"the last minute; new ones can be made again in {plural(wait, 'second')}"))
        try:
            if state.renderer is None:
                data, index = pdf.render_fitting(job)
            else:
                data, index = state.renderer.run(pdf.render_fitting, job)
        except (pdf.RenderTimeout, pdf.RendererBusy) as err:
            current_app.logger.warning("fact sheet not made (%s): %s", type(err).__name__,
                                       err.message)
            abort(503, description=err.message, retry_after=RETRY_AFTER)
        except pdf.RenderTooLarge as err:
            abort(413, description=err.message)
        except pdf.PdfError:
            current_app.logger.exception("fact sheet render failed")
            abort(500, description="the fact sheet could not be made")
        hit = (data, index, hashlib.sha256(data).hexdigest()[:32])
        with _lock:
            state.cache[key] = hit
            while len(state.cache) > int(current_app.config.get("FACTSHEET_CACHE_SIZE", 32)):
                state.cache.popitem(last=False)
    data, index, etag = hit
    return data, sheets[index], etag


def _pdf_query(req: Any) -> dict[str, Any]:
    query: dict[str, Any] = {"a": req.a, "b": req.b}
    if req.topics:
        query["topic"] = list(req.topics)
    if req.paper != "letter":
        query["paper"] = req.paper
    return query


@bp.get("/factsheet")
def preview() -> Response:
    """The HTML preview, with a "Download PDF" link."""
    from billdiff.factsheet import render_html

    req = _params()
    _, sheet, _ = _render(req)
    urls = {
        "css": url_for("factsheet.static", filename="factsheet.css"),
        "theme": url_for("factsheet.theme", paper=req.paper),
        "logo": url_for("factsheet.logo"),
        "pdf": url_for("factsheet.pdf", **_pdf_query(req)),
    }
    html = render_html(sheet, mode="preview", urls=urls)
    return Response(html, mimetype="text/html")


@bp.get("/factsheet.pdf")
def pdf() -> Response:
    """The one-page PDF (attachment), cached and conditional on its ETag."""
    req = _params()
    data, _, etag = _render(req)
    response = Response(data, mimetype="application/pdf")
    response.set_etag(etag)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="factsheet-{req.a}-vs-{req.b}.pdf"')
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.make_conditional(request)
    return response


@bp.get("/factsheet/theme.css")
def theme() -> Response:
    """The generated stylesheet (page size and the organisation's validated colours)."""
    from billdiff.factsheet import theme_css

    paper = request.args.get("paper", "letter")
    if paper not in ("letter", "a4"):
        abort(400, description="'paper' must be letter or a4")
    return Response(theme_css(_state().org, paper), mimetype="text/css")


@bp.get("/factsheet/logo.png")
def logo() -> Response:
    """The organisation's logo, as the re-encoded PNG the PDF embeds."""
    org = _state().org
    if not org.logo_png:
        abort(404, description="no logo is configured")
    response = Response(org.logo_png, mimetype="image/png")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
