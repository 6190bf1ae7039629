"""Compare your own draft: paste or upload text and compare it with any stored document.

Nothing is stored: the draft lives in the request, the response is ``Cache-Control: private,
no-store``, and the form is protected by the app's CSRF token and request-size limit.
"""

from __future__ import annotations

from flask import Blueprint, Response, make_response, render_template, request

from billdiff import analysis, render
from billdiff.compare import CompareOptions
from billdiff.draft import MAX_DRAFT_WORDS, compare_draft
from billdiff.errors import BilldiffError, InputTooLarge, NotFound
from billdiff.web.state import get_corpus, urls

bp = Blueprint("draft", __name__)
#: Largest uploaded file, in bytes (the request limit applies too).
MAX_UPLOAD_BYTES = 1_000_000


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
    try:
        result = compare_draft(corpus, text, against, options)
    except InputTooLarge as err:
        return _form(413, error=err.message, text="", against=against)
    except BilldiffError as err:
        return _form(400, error=err.message, text=text, against=against)
    reading = analysis.read_comparison(result.comparison)
    req = render.CompareRequest(against, result.draft.id, options, "side", typography)
    page = render.comparison_context(reading, None, req, urls())
    return _form(text=text, against=against, result={"page": page, "draft": result})
