"""Compare your own draft: paste or upload text and compare it with any stored document.

Nothing is stored: the draft lives in the request, the response is ``Cache-Control: private,
no-store``, and the form is protected by the app's CSRF token and request-size limit.

A draft comparison is bounded (issue 11, item 3): its size (:func:`billdiff.draft.
check_draft_size`: characters, lines, words; then provisions), the page it makes
(:data:`MAX_PAGE_BYTES`), how often one client may ask (``DRAFTS_PER_MINUTE`` per server
process, 429 with ``Retry-After``: a draft is never cached, so each one is computed), and how
many are compared at once (one per process; another meanwhile gets 503 with ``Retry-After``).
"""

from __future__ import annotations

import threading

from flask import Blueprint, Flask, Response, current_app, make_response, render_template, request

from billdiff import analysis, render
from billdiff.compare import CompareOptions
from billdiff.draft import MAX_DRAFT_WORDS, compare_draft
from billdiff.errors import BilldiffError, InputTooLarge, NotFound
from billdiff.load import Corpus
from billdiff.web.limits import app_gate, app_limiter, client_key
from billdiff.web.state import get_corpus, urls
from billdiff.wording import plural

bp = Blueprint("draft", __name__)
#: Largest uploaded file, in bytes (the request limit applies too).
MAX_UPLOAD_BYTES = 1_000_000
#: Largest page a draft comparison may answer with, in bytes (the size limits keep a draft's
#: own part of the page far below it; a very large stored document could still reach it).
MAX_PAGE_BYTES = 8_000_000
#: Drafts one client may compare per minute when the setting is absent from the config.
DRAFTS_PER_MINUTE = 20
#: Seconds a client is asked to wait (``Retry-After``) when this process is comparing another
#: draft: drafts are compared one at a time per process (the app's ``draft`` gate,
#: :func:`busy_gate`), and a draft at the limits takes well under a second.
BUSY_RETRY_AFTER = 2


def busy_gate(app: Flask) -> threading.BoundedSemaphore:
    """Held while this process compares a draft.  A compute-bound draft holds the interpreter
    most of the time; one at a time keeps the process's other threads answering the site."""
    return app_gate(app, "draft", 1)


def _form(status: int = 200, *, error: str | None = None, text: str = "",
          against: str | None = None, result: object = None) -> Response:
    corpus = get_corpus()
    documents = corpus.ordered_documents()
    chosen = against or (analysis.default_pair(corpus)[1] if documents else None)
    html = render_template("draft.html", documents=documents, against=chosen, error=error,
                           text=text, result=result, max_words=MAX_DRAFT_WORDS)
    response = make_response(html, status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/draft")
def draft_form() -> Response:
    """The form: paste or upload a draft and choose a document to compare it with."""
    return _form(against=request.args.get("against"))


@bp.post("/draft")
def draft_compare() -> Response:
    """Compare the posted draft with the chosen document (nothing is stored)."""
    corpus = get_corpus()
    refused = _over_limit()
    if refused is not None:
        return refused
    against = request.form.get("against", "")
    text = request.form.get("text", "")
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            return _form(413, error=f"The file is over the {MAX_UPLOAD_BYTES:,}-byte limit.",
                         against=against)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _form(400, error="The file is not UTF-8 text. Save it as plain text (UTF-8) "
                                    "and upload it again, or paste the text.", against=against)
    try:
        corpus.document(against)
    except NotFound:
        return _form(400, error="Choose a document to compare your draft with.", text=text)
    granularity = request.form.get("granularity", "word")
    if granularity not in render.GRANULARITIES:
        return _form(400, error="Choose whole words or single letters for “Mark changes by”.",
                     text=text, against=against)
    typography = "hide" if request.form.get("typography") == "hide" else "show"
    options = CompareOptions(granularity=granularity)
    gate = busy_gate(current_app)
    if not gate.acquire(blocking=False):
        # One draft at a time per server process, and no queue: a request waiting here would
        # hold one of the process's few threads, which the site's other pages need.
        current_app.logger.info("draft refused: this process is comparing another draft")
        response = _form(503, error=(
            "The server is comparing other drafts just now. Send yours again in "
            f"{plural(BUSY_RETRY_AFTER, 'second')}; your text is below."),
            text=text, against=against)
        response.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response
    try:
        return _compare(corpus, text, against, options, typography)
    finally:
        gate.release()


def _compare(corpus: Corpus, text: str, against: str, options: CompareOptions,
             typography: str) -> Response:
    try:
        result = compare_draft(corpus, text, against, options)
    except InputTooLarge as err:
        return _form(413, error=err.message, text="", against=against)
    except BilldiffError as err:
        return _form(400, error=err.message, text=text, against=against)
    reading = analysis.read_comparison(result.comparison)
    req = render.CompareRequest(against, result.draft.id, options, "side", typography)
    page = render.comparison_context(reading, None, req, urls())
    response = _form(text=text, against=against, result={"page": page, "draft": result})
    size = len(response.get_data())
    if size > MAX_PAGE_BYTES:
        return _form(413, error=f"The comparison makes a page of {size:,} bytes, over the "
                                f"{MAX_PAGE_BYTES:,}-byte limit. Compare your draft part by "
                                "part.", text="", against=against)
    return response


def _over_limit() -> Response | None:
    """The 429 page when this client has compared its drafts for the minute, else None."""
    limiter = app_limiter(current_app, "draft",
                          int(current_app.config.get("DRAFTS_PER_MINUTE", DRAFTS_PER_MINUTE)
                              or 0))
    wait = limiter.hit(client_key(request.remote_addr)) if limiter else 0
    if not limiter or not wait:
        return None
    response = _form(429, error=(
        f"This address has compared {plural(limiter.limit, 'draft')} in the last minute, the "
        f"most one address may. Compare again in {plural(wait, 'second')}; your text is "
        "below."), text=request.form.get("text", ""), against=request.form.get("against"))
    response.headers["Retry-After"] = str(wait)
    return response
