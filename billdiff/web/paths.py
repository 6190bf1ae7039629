"""The static site's addresses, answered by the web app too (``/compare/A/B/inline/``).

:class:`billdiff.urls.Urls` makes two styles of address (see :mod:`billdiff.urls`): the
server's, with the page's state in its query, and the static site's, with the state in the
path.  This WSGI middleware turns a static-site address back into the server's one
(:func:`billdiff.urls.route_of`) before Flask routes the request, so that the same views answer
both, with one implementation each: ``billdiff build`` asks the app for the static addresses,
and a static-site link works against a live server as well.

Only GET and HEAD are rewritten (no form posts to a static address); the query a client adds
(a tracking ``utm_source``) is kept after the one the path stands for.  An address that is not
a static one passes through untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from billdiff.urls import route_of

#: The environ key holding the address as asked for (before the rewrite).
ORIGINAL_PATH = "billdiff.static_path"


class StaticPaths:
    """WSGI middleware: static-site addresses rewritten to the server's (see the module
    docstring)."""

    def __init__(self, app: Callable[[dict[str, Any], Any], Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD", "GET") in ("GET", "HEAD"):
            path = environ.get("PATH_INFO", "")
            # PATH_INFO is bytes decoded as Latin-1 (PEP 3333); the URL builder works in UTF-8.
            try:
                decoded = path.encode("latin-1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                decoded = None
            route = route_of(decoded) if decoded else None
            if route is not None:
                target, query = route
                environ[ORIGINAL_PATH] = path
                environ["PATH_INFO"] = target.encode("utf-8").decode("latin-1")
                extra = environ.get("QUERY_STRING", "")
                own = urlencode(query)
                environ["QUERY_STRING"] = f"{own}&{extra}" if own and extra else own or extra
        return self.app(environ, start_response)


__all__ = ["ORIGINAL_PATH", "StaticPaths"]
