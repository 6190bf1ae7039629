"""Per-client limits on what costs the server most: rendering fact-sheet PDFs, and comparing
pasted drafts.

A render takes a few hundred milliseconds of a worker process that renders one sheet at a
time, so one client asking for many different sheets could keep everyone else waiting
(RELIABILITY.md D2).  Only renders count: a sheet already in the cache costs nothing and is
never refused.  A draft is never cached (it is the client's own text), so every draft
comparison counts (``DRAFTS_PER_MINUTE``, :func:`app_limiter`).  A large comparison (two
long texts, :data:`LARGE_PAIR_CHARS`) and a draft are costly: a process makes one of them at a
time (:func:`costly_gate`, :func:`large_comparison`).

The counts live in this process.  With several server processes each keeps its own, so the
effective limit is the per-process limit times the number of processes; each process also has
its own renderer, so that is still a bound on the load each renderer sees.  A shared store
(Redis) would make the limit exact across processes; it is not needed for the bound.

Behind a reverse proxy, set ``BILLDIFF_PROXY_HOPS`` to the number of proxies in front of the
app so that clients are told apart by their own address, not the proxy's (the app then trusts
that many ``X-Forwarded-For`` entries and no more).
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import ServiceUnavailable

from billdiff.model import text_size

if TYPE_CHECKING:
    from billdiff.model import Document


class RateLimiter:
    """At most *limit* events per client in any *window* seconds (a sliding window).

    Thread-safe.  Remembers at most *max_clients* clients, forgetting the least recently
    seen first, so that memory stays bounded whatever the number of addresses.
    """

    def __init__(self, limit: int, window: float = 60.0, *, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs a positive count and window")
        self.limit = limit
        self.window = window
        self.max_clients = max_clients
        self._clock = clock
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, client: str) -> int:
        """Count one event for *client*: 0 if it is allowed, else the whole seconds to wait
        before the next one would be (the event is then not counted)."""
        with self._lock:
            now = self._clock()
            events = self._events.get(client)
            if events is None:
                events = self._events[client] = deque()
                while len(self._events) > self.max_clients:
                    self._events.popitem(last=False)
            else:
                self._events.move_to_end(client)
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return max(1, math.ceil(events[0] + self.window - now))
            events.append(now)
            return 0


def client_key(address: str | None) -> str:
    """Whom a request is counted against: its IPv4 address, or the /64 network of its IPv6
    address (one subscriber is usually given a whole /64, and could otherwise rotate through
    it)."""
    if not address:
        return "-"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        mapped = ip.ipv4_mapped
        if mapped is not None:
            return str(mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


_APP_LOCK = threading.Lock()


def app_limiter(app: Any, name: str, per_minute: int) -> RateLimiter | None:
    """The app's limiter called *name*: at most *per_minute* events per client a minute (made
    on first use, one per app and so per server process); None when *per_minute* is 0 (off)."""
    if per_minute <= 0:
        return None
    key = f"billdiff.limit.{name}"
    with _APP_LOCK:
        limiter: RateLimiter | None = app.extensions.get(key)
        if limiter is None or limiter.limit != per_minute:
            limiter = app.extensions[key] = RateLimiter(per_minute, 60.0)
    return limiter


def app_gate(app: Any, name: str, at_once: int) -> threading.BoundedSemaphore:
    """The app's gate called *name*: at most *at_once* holders (made on first use, one per app
    and so per server process).  Every gate is taken without waiting and what finds it full is
    refused at once: a waiting request would hold a thread the site's other pages need."""
    key = f"billdiff.gate.{name}"
    with _APP_LOCK:
        gate: threading.BoundedSemaphore | None = app.extensions.get(key)
        if gate is None:
            gate = app.extensions[key] = threading.BoundedSemaphore(at_once)
    return gate


#: A comparison whose two texts hold more characters than this between them is large: its work
#: (the diff, its reading, and a page as long as the texts) grows with them, and a burst of
#: large ones with different options (each a new page) held every thread of a process for
#: seconds (issue 11, item 1: the home page's p99 4 s while a 4,000-line pair was asked for
#: with varied options).  The bundled dossier's largest pair has some 5,600; the benchmarks'
#: 5,000-word pair some 75,000.
LARGE_PAIR_CHARS = 100_000
#: Costly computations (a large comparison, a pasted draft) one server process makes at once,
#: whichever kind they are: each holds the interpreter most of the time it runs, so a second
#: one in the same process halves what is left for the site's other pages (the home page's
#: p99, with a draft and a large comparison at once in each process, was 150 ms; with one at a
#: time, 80 ms: docs/benchmarks-load.md).  Another one meanwhile is refused with 503 and
#: :data:`COSTLY_RETRY_AFTER` (no queue: a waiting request would hold a thread the other pages
#: need).  Comparisons already made are served from the page cache and never reach this gate.
COSTLY_AT_ONCE = 1
COSTLY_RETRY_AFTER = 2


def costly_gate(app: Any) -> threading.BoundedSemaphore:
    """Held while this process makes a costly computation (:data:`COSTLY_AT_ONCE`); taken
    without waiting."""
    return app_gate(app, "costly", COSTLY_AT_ONCE)


@contextmanager
def large_comparison(app: Any, a: Document, b: Document) -> Iterator[None]:
    """Hold the process's :func:`costly_gate` while a large comparison of *a* and *b* is made
    (nothing for a small one); refuse with 503 and ``Retry-After`` when it is taken."""
    if text_size(a) + text_size(b) <= LARGE_PAIR_CHARS:
        yield
        return
    gate = costly_gate(app)
    if not gate.acquire(blocking=False):
        app.logger.info("large comparison refused: this process is making another costly one")
        raise ServiceUnavailable(
            "the server is comparing other long texts just now; try again in "
            f"{COSTLY_RETRY_AFTER} seconds", retry_after=COSTLY_RETRY_AFTER)
    try:
        yield
    finally:
        gate.release()


__all__ = ["COSTLY_AT_ONCE", "COSTLY_RETRY_AFTER", "LARGE_PAIR_CHARS", "RateLimiter", "app_gate",
           "app_limiter", "client_key", "costly_gate", "large_comparison", "text_size"]
