"""Error pages (HTML) and error bodies (JSON under ``/api/``), never a traceback."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from billdiff.errors import BadRequest, BilldiffError, InputTooLarge, NotFound

log = logging.getLogger("billdiff.web")

TITLES = {
    400: "There is a problem with the request",
    404: "Page not found",
    405: "That method is not allowed here",
    413: "The request is too large",
    422: "The fact sheet does not fit on one page",
    429: "Too many new fact sheets at once",
    500: "Sorry, something went wrong",
    503: "Please try again in a minute",
}
HINTS = {
    400: "Check the address, or start again from the comparison form.",
    404: "Check the address. The list of documents is on the home page.",
    405: "This page only answers ordinary links and forms.",
    413: "Send less than {limit} at a time.",
    422: "Choose fewer topics for the sheet.",
    429: "Fact sheets made before still download. The comparison pages still work.",
    500: "The error has been logged. Try again, or go back to the home page.",
    503: "The fact sheet maker is busy or was slow. The comparison pages still work.",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _can_build_urls() -> bool:
    from flask.globals import request_ctx

    return request_ctx.url_adapter is not None


def error_response(status: int, message: str, incident: str | None = None) -> Response:
    """A JSON error under /api/, else the HTML error page."""
    if _wants_json():
        body: dict[str, str] = {"error": message}
        if incident:
            body["incident"] = incident
        response = jsonify(body)
        response.status_code = status
        return response
    if not _can_build_urls():
        # No URL adapter (e.g. an untrusted Host header): no page that needs links.
        return Response(f"{status} {TITLES.get(status, 'Error')}: {message}\n", status=status,
                        mimetype="text/plain")
    limit = request.max_content_length or 0
    hint = HINTS.get(status, "").format(limit=f"{limit / 1024 / 1024:.0f} MiB")
    html = render_template("error.html", status=status,
                           title=TITLES.get(status, "Error"), message=message, hint=hint,
                           incident=incident)
    return Response(html, status=status, mimetype="text/html")


def _http_error(err: HTTPException) -> Response:
    status = err.code or 500
    if status >= 500 and status != 503:
        return _server_error(err)
    message = err.description or TITLES.get(status, "Error")
    if status == 413:
        limit = request.max_content_length or 0
        message = f"The request body is over the {limit:,}-byte limit."
    response = error_response(status, message)
    if status == 405 and hasattr(err, "valid_methods") and err.valid_methods:
        response.headers["Allow"] = ", ".join(err.valid_methods)
    if status in (429, 503):  # a clear "try again", never an incident (RELIABILITY.md D4)
        retry_after = getattr(err, "retry_after", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        response.headers["Cache-Control"] = "no-store"
    return response


def _billdiff_error(err: BilldiffError) -> Response:
    if isinstance(err, NotFound):
        return error_response(404, err.what)
    if isinstance(err, BadRequest):
        return error_response(400, err.message)
    if isinstance(err, InputTooLarge):
        return error_response(413, err.what)
    return _server_error(err)


def _server_error(err: BaseException) -> Response:
    incident = secrets.token_hex(6)
    original = getattr(err, "original_exception", None) or err
    log.error("incident %s: %s", incident, type(original).__name__, exc_info=original)
    return error_response(500, "An unexpected error stopped this page.", incident)


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(BilldiffError, _billdiff_error)
    app.register_error_handler(InternalServerError, _server_error)
    app.register_error_handler(Exception, _server_error)
