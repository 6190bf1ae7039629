"""Response headers, request size, trusted hosts, and CSRF tokens for POST forms.

- Every response gets a strict Content Security Policy (no inline script or style), ``nosniff``,
  a ``Referrer-Policy`` and ``frame-ancestors 'none'``; production adds HSTS.
- A request body over ``MAX_CONTENT_LENGTH`` is refused with 413 before any view runs, whatever
  its framing.  With a ``Content-Length`` the header says it; a chunked body (no length) is
  read here, at most one byte past the limit, and refused if it goes past: Werkzeug would
  otherwise stop reading at the limit and hand the view the first 2 MiB as if that were all.
  A body under the limit is kept whole, for the view, with its length now known.  A chunked
  body on a server that cannot end one (no ``wsgi.input_terminated``), which Werkzeug would
  read as empty, is refused with 411 (send a Content-Length).
- Host names are case-insensitive (RFC 3986, section 3.2.2) but Werkzeug compares the Host
  header with ``TRUSTED_HOSTS`` as given (``werkzeug.sansio.utils.host_is_trusted``, which
  Flask calls while it builds the URL adapter, before any ``before_request``): ``LOCALHOST``
  was refused with 400.  So both the header (a WSGI middleware, the only place that runs
  before that check) and the trusted names are put in lower case.
- POST forms carry ``<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">``; every
  unsafe request (POST, PUT, PATCH, DELETE) to a route that takes it is checked by
  :func:`check_csrf` before its view runs, unless the view is marked :func:`csrf_in_view`: it
  then calls :func:`check_csrf` itself, after what it can refuse without reading the body (the
  draft form's limits: a refusal should cost nothing that grows with what was sent).  A
  missing or wrong token gives 400.  A request that matches no route, or no method of its
  route, is left to routing: 404, or 405 with ``Allow``, not a complaint about a token.
"""

from __future__ import annotations

import hmac
import io
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, abort, current_app, g, request, session

CSP = ("default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
       "form-action 'self'")
SESSION_KEY = "_csrf_token"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
CSRF_MESSAGE = ("The form's security token is missing or out of date. "
                "Go back, reload the page and try again.")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


#: Set on ``flask.g`` by :func:`csrf_token`: the response is one session's (never stored).
PRIVATE = "billdiff_private"


def csrf_token() -> str:
    """The session's CSRF token (made on first use); put it in every POST form.  The
    response that shows it is marked :data:`PRIVATE`."""
    setattr(g, PRIVATE, True)
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def check_csrf() -> None:
    """Abort with 400 unless the request carries the session's CSRF token (form or header)."""
    if not current_app.config.get("CSRF_ENABLED", True):
        return
    expected = session.get(SESSION_KEY)
    sent = request.form.get(FIELD) or request.headers.get(HEADER)
    if (not isinstance(expected, str) or not sent
            or not hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))):
        abort(400, description=CSRF_MESSAGE)


#: Bytes read at a time from a chunked body.
_READ_SIZE = 64 * 1024


def _limit_request_size() -> None:
    """413 for a body over the limit, whatever its framing (see the module docstring)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is None:
        return
    length = request.content_length
    if length is not None:
        if length > limit:
            abort(413)
        return
    environ = request.environ
    if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return  # neither a length nor chunks: there is no body
    if not environ.get("wsgi.input_terminated"):
        abort(411, description="A chunked request body cannot be read by this server. "
                               "Send the request with a Content-Length.")
    body = _read_at_most(environ["wsgi.input"], limit)
    if body is None:
        abort(413)
    # From here on the body is an ordinary one of known length.
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    del environ["HTTP_TRANSFER_ENCODING"]
    environ.pop("wsgi.input_terminated", None)


def _read_at_most(stream: Any, limit: int) -> bytes | None:
    """All of *stream* if it holds at most *limit* bytes, else None (having read limit + 1)."""
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(_READ_SIZE, limit + 1 - size))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        size += len(chunk)
    return None


_IN_VIEW = "_billdiff_csrf_in_view"


def csrf_in_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark *view* as one that calls :func:`check_csrf` itself, before it reads the body for
    anything else (the guard then leaves it to the view)."""
    setattr(view, _IN_VIEW, True)
    return view


def _csrf_guard() -> None:
    if request.routing_exception is not None:
        return  # no route or no such method here: the view never runs, routing answers
    if getattr(current_app.view_functions.get(request.endpoint or ""), _IN_VIEW, False):
        return
    if request.method in UNSAFE_METHODS and current_app.config.get("CSRF_ENABLED", True):
        check_csrf()


class HostCase:
    """WSGI middleware: the ``Host`` header in lower case, so that trusted host names match
    whatever case a client writes them in (see the module docstring)."""

    def __init__(self, app: Callable[[dict[str, Any], Any], Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST")
        if isinstance(host, str) and host.isascii():
            environ["HTTP_HOST"] = host.lower()
        return self.app(environ, start_response)


def response_headers(config: Any) -> tuple[tuple[str, str], ...]:
    """The headers every response of an app with *config* gets (see the module docstring)."""
    headers = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if str(config.get("ENV", "")).lower() == "production":
        seconds = int(config.get("HSTS_SECONDS", 31_536_000))
        headers.append(("Strict-Transport-Security", f"max-age={seconds}; includeSubDomains"))
    return tuple(headers)


def _headers(response: Response) -> Response:
    for name, value in response_headers(current_app.config):
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Install the request-size limit, the CSRF guard, the headers and ``csrf_token()``, and
    put the trusted host names in lower case (:class:`HostCase` is one of the WSGI
    middlewares that :func:`billdiff.web.create_app` puts in front of the app)."""
    hosts = app.config.get("TRUSTED_HOSTS")
    if hosts:
        app.config["TRUSTED_HOSTS"] = [str(h).lower() for h in hosts]
    app.before_request(_limit_request_size)
    app.before_request(_csrf_guard)
    app.after_request(_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
