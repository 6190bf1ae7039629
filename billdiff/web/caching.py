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
change the session (a new CSRF token makes a page one user's); responses marked ``no-store`` or
``private`` (the draft page, whose text may be confidential); anything over an eighth of the
cache's size.  The cache is bounded in bytes (``PAGE_CACHE_BYTES``, 0 turns it off), per
process, least recently used first out.  Only the endpoints of :data:`CACHED_ENDPOINTS` are
considered; the status page and ``/healthz`` always show the present.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request, session

#: Endpoints whose GET answers depend only on the corpus, the address, the configuration and
#: the day (see the module docstring).
CACHED_ENDPOINTS = frozenset({
    "pages.home", "pages.document", "pages.compare", "pages.topic", "pages.guide",
    "api.documents", "api.document", "api.topics", "api.compare", "api.openapi",
    "factsheet.preview", "factsheet.pdf_file", "factsheet.theme", "factsheet.logo",
})
#: Response headers kept with a stored body (the app's own after-request hooks add the rest).
_KEPT = ("Content-Type", "Content-Disposition", "Cache-Control", "ETag",
         "X-Content-Type-Options")


@dataclass(frozen=True)
class Stored:
    """One finished response."""

    body: bytes
    headers: tuple[tuple[str, str], ...]


class PageCache:
    """Finished responses by key, at most *limit* bytes of bodies (thread-safe)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[str, Stored] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Stored | None:
        """The response stored under *key*, if any (it becomes the most recently used)."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item

    def put(self, key: str, item: Stored) -> bool:
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


def init_app(app: Flask, fingerprint: Callable[[], str | None]) -> PageCache:
    """Install the cache on *app*; *fingerprint* gives the served corpus's content digest
    (None: no corpus, nothing cached)."""
    cache = PageCache(int(app.config.get("PAGE_CACHE_BYTES") or 0))
    app.extensions["billdiff.page_cache"] = cache
    settings_digest = hashlib.sha256(repr(sorted(
        (k, repr(app.config.get(k))) for k in ("SITE_URL", "FACTSHEET_ORG", "ENV",
                                                "HSTS_SECONDS", "PREFERRED_URL_SCHEME")
    )).encode()).hexdigest()

    def key() -> str | None:
        if request.method not in ("GET", "HEAD") or request.endpoint not in CACHED_ENDPOINTS:
            return None
        corpus = fingerprint()
        if corpus is None:
            return None
        parts = (corpus, settings_digest, dt.date.today().isoformat(), request.host_url,
                 request.script_root, request.full_path)
        return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()

    def serve_stored() -> Response | None:
        k = key()
        g.billdiff_cache_key = k
        if k is None or cache.limit <= 0:
            return None
        item = cache.get(k)
        if item is None:
            return None
        g.billdiff_cache_hit = True
        response = Response(item.body, headers=list(item.headers))
        response.make_conditional(request)  # 304 when the client has it already
        return response

    def store_and_tag(response: Response) -> Response:
        k = g.get("billdiff_cache_key")
        if k is None or g.get("billdiff_cache_hit"):
            return response
        if response.status_code != 200 or response.direct_passthrough:
            return response
        control = response.headers.get("Cache-Control", "")
        # Flask marks the session "accessed" on every page it renders, so what is checked is
        # a change to it (a new CSRF token); no cached endpoint reads one (the draft page is
        # not cached: it holds a form with the token and is no-store).
        if ("no-store" in control or "private" in control or "Set-Cookie" in response.headers
                or session.modified):
            return response
        body = response.get_data()
        if "ETag" not in response.headers:
            response.set_etag(etag_of(body))
        response.headers.setdefault("Cache-Control", "no-cache")
        cache.put(k, Stored(body, tuple((h, response.headers[h]) for h in _KEPT
                                        if h in response.headers)))
        response.make_conditional(request)
        return response

    app.before_request(serve_stored)
    app.after_request(store_and_tag)
    return cache


def page_cache(app: Flask | None = None) -> PageCache | None:
    """The app's page cache (None before :func:`init_app`)."""
    target = app or current_app
    found: PageCache | None = target.extensions.get("billdiff.page_cache")
    return found


__all__ = ["CACHED_ENDPOINTS", "PageCache", "Stored", "etag_of", "init_app", "page_cache"]
