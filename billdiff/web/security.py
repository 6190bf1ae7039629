"""Response headers, request size, and CSRF tokens for POST forms.

- Every response gets a strict Content Security Policy (no inline script or style), ``nosniff``,
  a ``Referrer-Policy`` and ``frame-ancestors 'none'``; production adds HSTS.
- A request body over ``MAX_CONTENT_LENGTH`` is refused with 413 before any view runs.
- POST forms carry ``<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">``; every
  unsafe request (POST, PUT, PATCH, DELETE) is checked by :func:`check_csrf` before its view
  runs (views may also call it themselves).  A missing or wrong token gives 400.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, Response, abort, current_app, request, session

CSP = ("default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
       "form-action 'self'")
SESSION_KEY = "_csrf_token"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
CSRF_MESSAGE = ("The form's security token is missing or out of date. "
                "Go back, reload the page and try again.")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def csrf_token() -> str:
    """The session's CSRF token (made on first use); put it in every POST form."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def check_csrf() -> None:
    """Abort with 400 unless the request carries the session's CSRF token (form or header)."""
    expected = session.get(SESSION_KEY)
    sent = request.form.get(FIELD) or request.headers.get(HEADER)
    if (not isinstance(expected, str) or not sent
            or not hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))):
        abort(400, description=CSRF_MESSAGE)


def _limit_request_size() -> None:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and request.content_length is not None and request.content_length > limit:
        abort(413)


def _csrf_guard() -> None:
    if request.method in UNSAFE_METHODS and current_app.config.get("CSRF_ENABLED", True):
        check_csrf()


def _headers(response: Response) -> Response:
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if str(current_app.config.get("ENV", "")).lower() == "production":
        seconds = int(current_app.config.get("HSTS_SECONDS", 31_536_000))
        h.setdefault("Strict-Transport-Security", f"max-age={seconds}; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    """Install the request-size limit, the CSRF guard, the headers and ``csrf_token()``."""
    app.before_request(_limit_request_size)
    app.before_request(_csrf_guard)
    app.after_request(_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
