"""Gunicorn's configuration for billdiff in production (shipped in the package).

``billdiff serve --production`` runs gunicorn with this file; to run gunicorn yourself::

    gunicorn -c python:billdiff.gunicorn_conf 'billdiff.web:create_app()'

What it sets, and why (gunicorn's design notes and RELIABILITY.md D1):

- ``workers``: ``BILLDIFF_WORKERS``, by default two per CPU plus one; each has ``threads``
  (``BILLDIFF_THREADS``, 4) so that a request waiting for its fact sheet in the PDF worker, or a
  slow client, does not hold a whole process, and ``/healthz`` answers while a PDF renders
  (``gthread`` workers).  Each process renders one PDF at a time in its own worker process.
- ``preload_app``: the app (and its corpus) is made once, in the master, before the workers are
  forked: a configuration or corpus that cannot work stops the server at start with one
  message, and the workers share the corpus's memory.
- ``timeout``: a worker silent this long is killed and replaced; it is above the longest a
  request can take (a wait for the renderer, then a render, each bounded by
  ``BILLDIFF_PDF_RENDER_TIMEOUT``).  ``graceful_timeout``: on SIGTERM or SIGHUP, workers finish
  their requests for up to 30 s (graceful restarts: ``kill -HUP`` starts new workers first).
- ``max_requests`` with ``max_requests_jitter``: each worker is replaced after 100,000 to
  120,000 requests (jittered so that they do not all restart at once), against slow memory
  leaks.  Not 1,000 (RELIABILITY.md D1's figure, for sync workers at PDF rates): at the stored
  pages' 1,000+ requests/s a worker was replaced about every second, and a new worker starts
  a PDF worker (WeasyPrint loaded again) and begins with empty page and fact-sheet caches (a
  cached sheet is then rendered again, and counts against its client's limit); measured in
  docs/benchmarks-load.md.  Memory over 500 renders is flat (docs/benchmarks-memory.md).
- ``when_ready``: the master warms the app before forking (:func:`billdiff.web.warm`).
- ``post_worker_init``: each worker starts its PDF maker, and hands the interpreter lock from
  thread to thread every millisecond (:data:`SWITCH_INTERVAL`) instead of every 5 ms.
- ``accesslog`` to standard output, with the time each request took; errors to standard error.
- ``forwarded_allow_ips`` empty: gunicorn itself trusts no proxy header; the app trusts exactly
  ``BILLDIFF_PROXY_HOPS`` proxies (``X-Forwarded-For``, ``X-Forwarded-Proto``).
- ``bind``: ``127.0.0.1:8000`` (behind a reverse proxy on the same machine);
  ``billdiff serve --production --host --port`` changes it, as gunicorn's ``-b`` does.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from billdiff import settings

_settings = settings.current()

bind = ["127.0.0.1:8000"]
workers = _settings.workers or 2 * (multiprocessing.cpu_count() or 1) + 1
worker_class = "gthread"
threads = _settings.threads
preload_app = True
# A request may wait one render's time for the renderer, then render (the first render of a
# new PDF worker gets 5 s more to load WeasyPrint); the rest is margin.
timeout = int(2 * _settings.pdf_render_timeout + 20)
graceful_timeout = 30
keepalive = 5
max_requests = 100_000
max_requests_jitter = 20_000
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
forwarded_allow_ips = ""
proxy_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
# The heartbeat file on a memory file system where there is one (a container's /tmp may be a
# slow overlay, which gunicorn's docs warn can make workers look dead).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No control socket in the home folder (a container's user may have none it can write).
control_socket_disable = True


def when_ready(server: Any) -> None:
    """In the master, the app made (``preload_app``) and before the first worker is forked:
    warm it (:func:`billdiff.web.warm`), so that every worker, the first ones and each one that
    replaces another, answers its first request at once."""
    from billdiff.web import warm

    warm(server.app.wsgi())


#: Seconds a thread may hold the interpreter lock while another waits for it (Python's default
#: is 0.005).  A worker's threads share one lock; while one of them computes (a large
#: comparison or a draft, one at a time per process), a page's thread waits up to this long
#: each time it takes the lock back after reading or writing its socket, several times a
#: request.  With every attack of issue 11 items 1 and 3 at once (32 connections), the home
#: page's p99 was 304-348 ms at 5 ms and 148-168 ms at 1 ms, with 8 connections 49-60 ms and
#: 31-34 ms; the throughput of ordinary pages was the same within the machine's noise
#: (docs/benchmarks-load.md).
SWITCH_INTERVAL = 0.001


def post_worker_init(worker: Any) -> None:
    """Start the worker's PDF maker as the worker starts, so that ``/healthz`` and the first
    fact sheet find it answering; set :data:`SWITCH_INTERVAL`."""
    import sys

    from billdiff.web import start_pdf_worker

    sys.setswitchinterval(SWITCH_INTERVAL)
    start_pdf_worker(getattr(worker, "wsgi", None))
