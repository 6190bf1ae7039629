"""Finished responses cached by the content of what they show, with ``ETag`` and 304.

A page, an API answer, a fact-sheet preview or its PDF is a function of the corpus (its
content fingerprint, :attr:`billdiff.web.live.Loaded.fingerprint`), the address asked for,
the app's configuration, and the day (fact sheets print the date).  So the finished response is
kept under the digest of those inputs, and the next request for the same address is answered
without rendering anything (a stored comparison page in well under a millisecond).  A change to
any corpus file changes the fingerprint, so no response outlives the data it was made from.

Every cacheable response gets a strong ``ETag`` (the SHA-256 of its body, unless its view set
one) and ``Cache-Control: no-cache`` unless its view chose otherwise: browsers and proxies keep
it, ask again each time, and get ``304 Not Modified`` when nothing changed (``If-None-Match``).

What is never stored: anything but a 200 answer to GET or HEAD; responses that set a cookie or
show a CSRF token (:data:`billdiff.web.security.PRIVATE`: the page is one session's);
responses marked ``no-store`` or ``private`` (the draft page, whose text may be
confidential); anything over an eighth of the
cache's size.  The cache is bounded in bytes (``PAGE_CACHE_BYTES``, 0 turns it off), per
process, least recently used first out.  Only the endpoints of :data:`CACHED_ENDPOINTS` are
considered; the status page and ``/healthz`` always show the present.

A stored response is answered by :class:`StoredPages`, in front of Flask; the app stores what
it answers (the ``after_request`` hook of :func:`init_app`).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g, request

from billdiff.web.security import PRIVATE, response_headers

#: Endpoints whose GET answers depend only on the corpus, the address, the configuration and
#: the day (see the module docstring).
CACHED_ENDPOINTS = frozenset({
    "pages.home", "pages.document", "pages.compare", "pages.topic", "pages.guide",
    "api.documents", "api.document", "api.topics", "api.compare", "api.openapi",
    "factsheet.preview", "factsheet.pdf_file", "factsheet.theme", "factsheet.logo",
})
#: Response headers kept with a stored body, with those every response gets and its length.
_KEPT = ("Content-Type", "Content-Disposition", "Cache-Control", "ETag",
         "X-Content-Type-Options")


@dataclass(frozen=True)
class Stored:
    """One finished response."""

    body: bytes
    headers: tuple[tuple[str, str], ...]


#: A stored response's key: the corpus's fingerprint, the settings' digest, the day and the
#: address (:data:`_ADDRESS`), as :func:`init_app` makes it.
Key = tuple[Any, ...]


class PageCache:
    """Finished responses by key, at most *limit* bytes of bodies (thread-safe)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[Key, Stored] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> Stored | None:
        """The response stored under *key*, if any (it becomes the most recently used)."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item

    def put(self, key: Key, item: Stored) -> bool:
        """Keep *item* under *key* unless it is over an eighth of the limit; True if kept."""
        size = len(item.body)
        if self.limit <= 0 or size > self.limit // 8:
            return False
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self._items[key] = item
            self.size += size
            while self.size > self.limit and self._items:
                _, dropped = self._items.popitem(last=False)
                self.size -= len(dropped.body)
        return True

    def clear(self) -> None:
        """Forget everything (after the corpus changed: nothing stored can be asked for)."""
        with self._lock:
            self._items.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._items)


def etag_of(body: bytes) -> str:
    """The strong ETag of a body: its SHA-256, shortened."""
    return hashlib.sha256(body).hexdigest()[:32]


#: The environ key under which :class:`StoredPages` leaves the request's cache key.
KEY = "billdiff.cache_key"
#: What a page's address is made of, as the app sees it (after the middlewares in front of
#: it: the proxy's scheme, the host in lower case, a static-site path rewritten).
_ADDRESS = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME",
            "PATH_INFO", "QUERY_STRING")
#: Request headers that may make the answer a 304 or a part: such a request is answered by
#: Werkzeug's own conditional handling (``make_conditional``).
_CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE",
                "HTTP_IF_UNMODIFIED_SINCE", "HTTP_RANGE", "HTTP_IF_RANGE")


def _has_body(environ: dict[str, Any]) -> bool:
    return environ.get("CONTENT_LENGTH", "") not in ("", "0") \
        or "HTTP_TRANSFER_ENCODING" in environ


class StoredPages:
    """WSGI middleware: a stored response is answered here, before Flask makes a request
    context, opens the session or routes the address; everything else goes on to the app.

    A hit through Flask cost some 0.25 ms of a worker's time (its request context, session,
    routing and hooks), several times the lookup itself, and held the stored comparison page to
    about 3,500 requests/s on this machine's 2 cores (docs/benchmarks-load.md).

    What is answered here is what the app answered when it stored the page: the same body and
    headers (:class:`Stored` keeps the headers every response gets; the ``Date`` is the
    server's: gunicorn drops an app's own and writes its own, and Werkzeug's development server
    writes its own to every response), and a conditional request (``If-None-Match``...) is
    answered by Werkzeug's ``make_conditional``, as in the app. The key is made here, once,
    from the address as the app will see it (:data:`_ADDRESS`, with the corpus, the settings
    and the day), and left in the environ (:data:`KEY`) for the app to store its answer under.
    Nothing is judged here: a host the app does not trust, or an address no cached endpoint
    answers, has its key like any other, and nothing is ever stored under it. Only a GET or
    HEAD without a body is looked up (one with a body goes to the app, which applies its
    limit).
    """

    def __init__(self, app: Flask, cache: PageCache,
                 key_of: Callable[[dict[str, Any]], Key | None]) -> None:
        self.next = app.wsgi_app
        self.cache = cache
        self.key_of = key_of

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if self.cache.limit > 0 and method in ("GET", "HEAD") and not _has_body(environ):
            key = environ[KEY] = self.key_of(environ)
            item = self.cache.get(key) if key is not None else None
            if item is not None:
                if any(h in environ for h in _CONDITIONAL):
                    response = Response(item.body, headers=list(item.headers))
                    response.make_conditional(environ)  # 304 when the client has it already
                    return response(environ, start_response)
                start_response("200 OK", list(item.headers))
                return [] if method == "HEAD" else [item.body]
        return self.next(environ, start_response)


def init_app(app: Flask, fingerprint: Callable[[], str | None]) -> PageCache:
    """Install the cache on *app*: it stores what the app answers, and :class:`StoredPages`
    (wrapped round ``app.wsgi_app`` here, so that the middlewares put in front of it later
    see the request first) answers what is stored.  *fingerprint* gives the served corpus's
    content digest (None: no corpus, nothing cached)."""
    cache = PageCache(int(app.config.get("PAGE_CACHE_BYTES") or 0))
    app.extensions["billdiff.page_cache"] = cache
    settings_digest = hashlib.sha256(repr(sorted(
        (k, repr(app.config.get(k))) for k in ("SITE_URL", "FACTSHEET_ORG", "ENV",
                                                "HSTS_SECONDS", "PREFERRED_URL_SCHEME")
    )).encode()).hexdigest()
    every = response_headers(app.config)

    def key_of(environ: dict[str, Any]) -> Key | None:
        corpus = fingerprint()
        if corpus is None:
            return None
        get = environ.get
        return (corpus, settings_digest, time.localtime()[:3],
                *(str(get(k, "")) for k in _ADDRESS))

    def store(response: Response) -> Response:
        k = request.environ.get(KEY)
        if k is None or request.endpoint not in CACHED_ENDPOINTS:
            return response
        if response.status_code != 200 or response.direct_passthrough:
            return response
        control = response.headers.get("Cache-Control", "")
        # A page that shows a CSRF token is its session's (the draft form, no-store as well).
        # The session itself is not looked at: Flask would mark the page "Vary: Cookie".
        if ("no-store" in control or "private" in control or "Set-Cookie" in response.headers
                or g.get(PRIVATE)):
            return response
        body = response.get_data()
        if "ETag" not in response.headers:
            response.set_etag(etag_of(body))
        response.headers.setdefault("Cache-Control", "no-cache")
        kept = [(h, response.headers[h]) for h in _KEPT if h in response.headers]
        kept += [(h, v) for h, v in every if h not in response.headers]
        cache.put(k, Stored(body, (*kept, ("Content-Length", str(len(body))))))
        response.make_conditional(request)
        return response

    app.after_request(store)
    app.wsgi_app = StoredPages(app, cache, key_of)  # type: ignore[method-assign]
    return cache


def page_cache(app: Flask | None = None) -> PageCache | None:
    """The app's page cache (None before :func:`init_app`)."""
    target = app or current_app
    found: PageCache | None = target.extensions.get("billdiff.page_cache")
    return found


__all__ = ["CACHED_ENDPOINTS", "KEY", "Key", "PageCache", "Stored", "StoredPages", "etag_of",
           "init_app", "page_cache"]
