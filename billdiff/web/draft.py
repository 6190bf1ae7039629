"""Compare your own draft: paste or upload text and compare it with any stored document.

Nothing is stored: the draft lives in the request, the response is ``Cache-Control: private,
no-store``, and the form is protected by the app's CSRF token and request-size limit.

A draft comparison is bounded (issue 11, item 3): its size (:func:`billdiff.draft.
check_draft_size`: characters, lines, words; then provisions), the page it makes
(:data:`MAX_PAGE_BYTES`), how often one client may ask (``DRAFTS_PER_MINUTE`` per server
process, 429 with ``Retry-After``: a draft is never cached, so each one is computed), and how
many are compared at once (a draft is costly work, :func:`billdiff.web.limits.costly_gate`:
one per process; another meanwhile gets 503 with ``Retry-After``).

Both limits are decided before the body is read, and a refused body is read only to be thrown
away, never parsed nor sent back: a crowd posting megabyte drafts had each refusal parse and
echo its megabyte, and the home page waited behind them (docs/benchmarks-load.md).  The
refusal page says to go back to the form, where the browser still holds the text (Chromium
does, even though the form page is ``no-store``: the browser test goes back and finds it).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, make_response, render_template, request

from billdiff import analysis, render
from billdiff.compare import CompareOptions
from billdiff.draft import MAX_DRAFT_WORDS, compare_draft
from billdiff.errors import BilldiffError, InputTooLarge, NotFound
from billdiff.load import Corpus
from billdiff.web.limits import COSTLY_RETRY_AFTER, app_limiter, client_key, costly_gate
from billdiff.web.security import check_csrf, csrf_in_view
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
#: Bytes read at a time from the body of a refused draft (read only to be thrown away).
_DISCARD_CHUNK = 64 * 1024
#: Where a refused sender finds their text.
_GO_BACK = "Go back to the form, where your browser keeps your text, and send it again"


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
@csrf_in_view
def draft_compare() -> Response:
    """Compare the posted draft with the chosen document (nothing is stored).  The limits come
    first, before the body is read (see the module docstring); the CSRF token is checked once
    the draft is admitted."""
    refused = _over_limit()
    if refused is not None:
        return _refused(refused)
    gate = costly_gate(current_app)
    if not gate.acquire(blocking=False):
        # One costly computation at a time per server process, and no queue: a request
        # waiting here would hold one of the process's few threads, which other pages need.
        current_app.logger.info("draft refused: this process is making another costly "
                                "computation")
        return _refused(_form(503, error=(
            "The server is comparing other texts just now. "
            f"{_GO_BACK} in {plural(COSTLY_RETRY_AFTER, 'second')}.")), COSTLY_RETRY_AFTER)
    try:
        check_csrf()
        return _admitted(get_corpus())
    finally:
        gate.release()


def _refused(response: Response, retry_after: int | None = None) -> Response:
    """*response*, a refusal, once the body it answers has been read and thrown away (so that
    the connection can carry the client's next request)."""
    stream = request.stream
    while stream.read(_DISCARD_CHUNK):
        pass
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _admitted(corpus: Corpus) -> Response:
    """The comparison of a draft that the limits let through."""
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
    return _compare(corpus, text, against, options, typography)


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
    """The 429 page when this client has compared its drafts for the minute, else None (the
    body is not read)."""
    limiter = app_limiter(current_app, "draft",
                          int(current_app.config.get("DRAFTS_PER_MINUTE", DRAFTS_PER_MINUTE)
                              or 0))
    wait = limiter.hit(client_key(request.remote_addr)) if limiter else 0
    if not limiter or not wait:
        return None
    response = _form(429, error=(
        f"This address has compared {plural(limiter.limit, 'draft')} in the last minute, the "
        f"most one address may. {_GO_BACK} in {plural(wait, 'second')}."))
    response.headers["Retry-After"] = str(wait)
    return response
