"""Fact-sheet pages of the web app (preview and PDF download): thin views over
:mod:`billdiff.factsheet` and :mod:`billdiff.pdf`.

Routes (the app factory registers :data:`bp`):

- ``GET /factsheet?a=<id>&b=<id>[&topic=<id>]...[&paper=letter|a4]``: the HTML preview of the
  one-page sheet (the same template as the PDF, showing exactly what the PDF shows) with a
  "Download PDF" link;
- ``GET /factsheet.pdf?...``: the PDF, cached by content, with an ``ETag`` (``If-None-Match``
  gives 304) and ``Content-Disposition: attachment``;
- ``GET /factsheet/theme.css?paper=...`` and ``GET /factsheet/logo.png``: the generated
  stylesheet and the organisation's (validated, re-encoded) logo, for the preview.

Bad parameters give 400 (unknown ones, such as a tracking ``utm_source`` on a shared link,
are ignored, as on ``/compare``), unknown documents 404, a sheet that cannot fit one page
422 naming the fix, a render over its time budget (or a renderer busy for longer) 503 with
``Retry-After``, and a crashed or exhausted PDF worker 503 with ``Retry-After`` and a logged
incident.  A client that asks for more than ``FACTSHEET_RENDERS_PER_MINUTE`` new sheets in a
minute gets 429 with ``Retry-After`` (:mod:`billdiff.web.limits`); a process takes on at most
:data:`MAX_IN_LINE` new sheets at once, and answers any more with 503 and ``Retry-After`` at
once, so that a crowd of new sheets never holds every thread the site's pages need.  Renders
run in a bounded worker process (:class:`billdiff.pdf.BoundedRenderer`) unless
``FACTSHEET_IN_PROCESS`` is set (tests).

App config read here: ``SITE_URL``, ``FACTSHEET_ORG`` (an org YAML file; none: neutral),
``FACTSHEET_RENDER_TIMEOUT`` (s), ``FACTSHEET_RENDER_MEMORY`` (bytes),
``FACTSHEET_IN_PROCESS``, ``FACTSHEET_CACHE_SIZE``, ``FACTSHEET_RENDERS_PER_MINUTE``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from flask import Blueprint, Flask, Response, abort, current_app, request, url_for

from billdiff import factsheet, pdf
from billdiff.errors import BadRequest
from billdiff.factsheet import FactSheet, FactSheetRequest, Org
from billdiff.ids import is_document_id
from billdiff.settings import STATIC_DIR
from billdiff.web.limits import RateLimiter, app_gate, client_key
from billdiff.web.state import get_corpus, urls
from billdiff.wording import plural

bp = Blueprint("factsheet", __name__, static_folder=str(STATIC_DIR),
               static_url_path="/factsheet/static")

_lock = threading.Lock()
#: What a document parameter may look like: an id (``ma-194-s1053``) or a number (``S.1053``).
_ID_OR_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]*")
#: Seconds a client is asked to wait (``Retry-After``) when the PDF maker is busy or slow.
RETRY_AFTER = 30
#: New sheets one server process takes on at once: the one rendering and the next, waiting
#: for the renderer.  Any more are refused at once (503, :data:`IN_LINE_RETRY_AFTER`) rather
#: than queued: each waiting request holds one of the process's few threads, and a crowd of
#: new-sheet requests would otherwise hold them all, leaving none for the site's other pages
#: (measured: docs/benchmarks-load.md).
MAX_IN_LINE = 2
#: ``Retry-After`` when :data:`MAX_IN_LINE` sheets are already in hand (a render takes about a
#: second at most).
IN_LINE_RETRY_AFTER = 5


@dataclass
class _State:
    """Per-app state: organisation, renderer, the PDF cache and the rate limiter."""

    org: Org
    renderer: pdf.BoundedRenderer | None
    limiter: RateLimiter | None
    cache: OrderedDict[str, tuple[bytes, int, str]] = field(default_factory=OrderedDict)


def renderer(app: Flask) -> pdf.BoundedRenderer | None:
    """The app's PDF renderer (made with the fact-sheet state on first use; None when sheets
    are rendered in process)."""
    with app.app_context():
        return _state().renderer


def _state() -> _State:
    app = current_app
    with _lock:
        state: _State | None = app.extensions.get("billdiff.factsheet")
        if state is None:
            org_file = app.config.get("FACTSHEET_ORG")
            org = factsheet.load_org(org_file) if org_file else factsheet.DEFAULT_ORG
            renderer = None if app.config.get("FACTSHEET_IN_PROCESS") else pdf.BoundedRenderer(
                timeout=float(app.config.get("FACTSHEET_RENDER_TIMEOUT", pdf.RENDER_TIMEOUT)),
                memory=int(app.config.get("FACTSHEET_RENDER_MEMORY", pdf.RENDER_MEMORY)))
            per_minute = int(app.config.get("FACTSHEET_RENDERS_PER_MINUTE", 10) or 0)
            state = _State(org, renderer, RateLimiter(per_minute, 60.0) if per_minute else None)
            app.extensions["billdiff.factsheet"] = state
    return state


def parse_factsheet_args() -> FactSheetRequest:
    """The request's fact-sheet parameters, checked (:class:`BadRequest` names the one that
    cannot be used; unknown parameters are ignored)."""
    args = request.args
    corpus = get_corpus()
    ids = []
    for name in ("a", "b"):
        value = args.get(name, "").strip()
        if not value or len(value) > 120 or not _ID_OR_NUMBER.fullmatch(value):
            raise BadRequest(f"parameter {name!r} must be a document id or number")
        # an id, or a bill number such as S.1053 (resolved to its id; unknown: 404)
        ids.append(value if is_document_id(value) and value in corpus.documents
                   else corpus.document(value).id)
    a, b = ids
    topics = args.getlist("topic")
    if len(topics) > factsheet.MAX_TOPICS:
        raise BadRequest(f"at most {factsheet.MAX_TOPICS} topics fit on one page")
    for t in topics:
        if t not in corpus.topics:  # a bad parameter, like /compare: 400, not 404
            raise BadRequest(f"unknown topic {t!r}; known topics: {', '.join(corpus.topics)}")
    paper = _paper()
    site = current_app.config.get("SITE_URL") or request.host_url
    return FactSheetRequest(a, b, tuple(dict.fromkeys(topics)), paper, site.rstrip("/"),
                            dt.date.today())


def _branded() -> bool:
    """Whether this request's sheet carries the organisation's branding (``brand=none``: a
    neutral sheet; the default is the configured organisation, if any)."""
    brand = request.args.get("brand", "org")
    if brand not in ("org", "none"):
        raise BadRequest(f"'brand' must be org or none, not {brand!r}")
    return brand == "org" and _state().org is not factsheet.DEFAULT_ORG


def _org() -> Org:
    return _state().org if _branded() else factsheet.DEFAULT_ORG


def _paper() -> str:
    paper = request.args.get("paper", "letter")
    if paper not in factsheet.PAPERS:
        raise BadRequest(f"'paper' must be {' or '.join(factsheet.PAPERS)}, not {paper!r}")
    return paper


def _render(req: FactSheetRequest) -> tuple[bytes, FactSheet, str]:
    """The PDF, the sheet it shows and its ETag (cached by content)."""
    state = _state()
    sheets = factsheet.candidates(get_corpus(), req, _org())
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
        hit = _make(state, job)
        with _lock:
            state.cache[key] = hit
            while len(state.cache) > int(current_app.config.get("FACTSHEET_CACHE_SIZE", 32)):
                state.cache.popitem(last=False)
    data, index, etag = hit
    return data, sheets[index], etag


def _make(state: _State, job: pdf.FitJob) -> tuple[bytes, int, str]:
    """Render one job, each failure answered as what it is (RELIABILITY.md D4)."""
    gate = app_gate(current_app, "factsheet", MAX_IN_LINE)
    if not gate.acquire(blocking=False):
        current_app.logger.info("fact sheet refused: %d already in hand in this process",
                                MAX_IN_LINE)
        abort(503, retry_after=IN_LINE_RETRY_AFTER, description=(
            "the PDF maker is busy with other new fact sheets; try again in "
            f"{plural(IN_LINE_RETRY_AFTER, 'second')}"))
    try:
        return _make_in_line(state, job)
    finally:
        gate.release()


def _make_in_line(state: _State, job: pdf.FitJob) -> tuple[bytes, int, str]:
    try:
        if state.renderer is None:
            data, index = pdf.render_fitting(job)
        else:
            data, index = state.renderer.run(pdf.render_fitting, job)
    except (pdf.RenderTimeout, pdf.RendererBusy) as err:
        current_app.logger.warning("fact sheet not made (%s): %s", type(err).__name__,
                                   err.message)
        abort(503, description=err.message, retry_after=RETRY_AFTER)
    except pdf.PageOverflow as err:
        abort(422, description=err.message)
    except (pdf.WorkerCrashed, pdf.RenderTooLarge) as err:
        incident = secrets.token_hex(6)
        current_app.logger.error("incident %s: fact sheet worker failed (%s): %s", incident,
                                 type(err).__name__, err.message)
        abort(503, description=f"the PDF maker stopped (reference {incident}); it has been "
                               "restarted", retry_after=RETRY_AFTER)
    except pdf.PdfError:
        current_app.logger.exception("fact sheet render failed")
        abort(500, description="the fact sheet could not be made")
    return data, index, hashlib.sha256(data).hexdigest()[:32]


@bp.get("/factsheet")
def preview() -> Response:
    """The HTML preview, with a "Download PDF" link."""
    req = parse_factsheet_args()
    _, sheet, _ = _render(req)
    branded = _branded()
    pdf_url = urls().factsheet(req.a, req.b, req.topics, req.paper, pdf=True)
    if not branded and _state().org is not factsheet.DEFAULT_ORG:
        pdf_url += "&brand=none"
    assets = {
        "css": url_for("factsheet.static", filename="factsheet.css"),
        "theme": url_for("factsheet.theme", paper=req.paper, brand=None if branded else "none"),
        "logo": url_for("factsheet.logo"),
        "pdf": pdf_url,
    }
    corpus = get_corpus()
    form = factsheet.PreviewForm(urls().path("factsheet"),
                                 tuple((t.id, t.title) for t in corpus.topics.values()),
                                 sheet.topics, req.paper,
                                 _state().org is not factsheet.DEFAULT_ORG, branded)
    return Response(factsheet.render_html(sheet, mode="preview", assets=assets, form=form),
                    mimetype="text/html")


@bp.get("/factsheet.pdf")
def pdf_file() -> Response:
    """The one-page PDF (attachment), cached and conditional on its ETag."""
    req = parse_factsheet_args()
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
    return Response(factsheet.theme_css(_org(), _paper()), mimetype="text/css")


@bp.get("/factsheet/logo.png")
def logo() -> Response:
    """The organisation's logo, as the re-encoded PNG the PDF embeds."""
    org = _state().org
    if not org.logo_png:
        abort(404, description="no logo is configured")
    response = Response(org.logo_png, mimetype="image/png")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
