"""Gunicorn's configuration for billdiff in production (shipped in the package).

``billdiff serve --production`` runs gunicorn with this file; to run gunicorn yourself::

    gunicorn -c python:billdiff.gunicorn_conf 'billdiff.web:create_app()'

What it sets, and why (gunicorn's design notes and RELIABILITY.md D1):

- ``workers``: ``BILLDIFF_WORKERS``, by default two per CPU plus one; each has ``threads``
  (``BILLDIFF_THREADS``, 4) so that a request waiting for its fact sheet in the PDF worker, or a
  slow client, does not hold a whole process, and ``/healthz`` answers while a PDF renders
  (gunicorn's ``gthread`` workers, which a busy worker makes way in: :class:`Worker`).  Each
  process renders one PDF at a time in its own worker process.
- ``worker_connections``: a worker holds at most ``BILLDIFF_CONNECTIONS`` connections (by
  default twelve per thread, 48); the next ones wait in the kernel's queue for a worker with
  room.  The workers share one listening socket, and a client that keeps its connections
  open (a proxy's pool, the load generator) stays on the worker that took them; with
  gunicorn's 1,000, one worker now and then took all 64 of the load run's connections (at the
  start of a run, or when the other was replaced) and answered a quarter of what two do,
  while the other stood idle (docs/benchmarks-load.md).  Past ``worker_connections`` minus
  ``threads`` kept-alive connections, a worker closes each connection after its answer, so
  idle ones do not fill it.  Not ``reuse_port`` (a socket per worker, which the kernel
  balances): the connections waiting on a worker's socket as it is replaced are reset (12
  read errors on one restart under load).
- ``preload_app``: the app (and its corpus) is made once, in the master, before the workers are
  forked: a configuration or corpus that cannot work stops the server at start with one
  message, and the workers share the corpus's memory.
- ``timeout``: a worker silent this long is killed and replaced; it is above the longest a
  request can take (a wait for the renderer, then a render, each bounded by
  ``BILLDIFF_PDF_RENDER_TIMEOUT``).  ``graceful_timeout``: on SIGTERM or SIGHUP, workers finish
  their requests for up to 30 s (graceful restarts: ``kill -HUP`` starts new workers first).
- ``max_requests`` with ``max_requests_jitter``: each worker is replaced after 1,000,000 to
  1,200,000 requests (jittered so that they do not all restart at once), against slow memory
  leaks.  Not 1,000 (RELIABILITY.md D1's figure, for sync workers at PDF rates), nor 100,000:
  a stored page is answered some 4,000 times a second per worker, so 100,000 replaced a
  worker every half minute under load.  A new worker starts a PDF worker (WeasyPrint loaded
  again) and begins with empty page and fact-sheet caches, and the clients that had kept
  their connections open to the old one all reconnect to the other: the load run's 64
  connections then sat on one worker, which answered a third of what two do (a sticky
  imbalance, measured in docs/benchmarks-load.md).  Memory over 500 renders is flat
  (docs/benchmarks-memory.md).
- ``when_ready``: the master warms the app before forking (:func:`billdiff.web.warm`).
- ``post_worker_init``: each worker starts its PDF maker, and hands the interpreter lock from
  thread to thread every millisecond (:data:`SWITCH_INTERVAL`) instead of every 5 ms.
- ``accesslog`` to standard output, with the time each request took, written in batches
  (:class:`Logger`); errors to standard error, at once.
- ``forwarded_allow_ips`` empty: gunicorn itself trusts no proxy header; the app trusts exactly
  ``BILLDIFF_PROXY_HOPS`` proxies (``X-Forwarded-For``, ``X-Forwarded-Proto``).
- ``bind``: ``127.0.0.1:8000`` (behind a reverse proxy on the same machine);
  ``billdiff serve --production --host --port`` changes it, as gunicorn's ``-b`` does.
"""

from __future__ import annotations

import collections
import multiprocessing
import os
import threading
import time
import traceback
from typing import Any

from gunicorn import glogging
from gunicorn.workers.gthread import ThreadWorker

from billdiff import settings

_settings = settings.current()
#: Connections a worker holds at once, per thread, unless ``BILLDIFF_CONNECTIONS`` says.
CONNECTIONS_PER_THREAD = 12

bind = ["127.0.0.1:8000"]
workers = _settings.workers or 2 * (multiprocessing.cpu_count() or 1) + 1
worker_class = "billdiff.gunicorn_conf.Worker"
threads = _settings.threads
worker_connections = _settings.connections or CONNECTIONS_PER_THREAD * threads
preload_app = True
# A request may wait one render's time for the renderer, then render (the first render of a
# new PDF worker gets 5 s more to load WeasyPrint); the rest is margin.
timeout = int(2 * _settings.pdf_render_timeout + 20)
graceful_timeout = 30
keepalive = 5
max_requests = 1_000_000
max_requests_jitter = 200_000
accesslog = "-"
logger_class = "billdiff.gunicorn_conf.Logger"
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
    log = getattr(worker, "log", None)
    if isinstance(log, Logger):
        log.start_flushing()


def worker_exit(server: Any, worker: Any) -> None:
    """Write the access log's last lines as the worker ends."""
    log = getattr(worker, "log", None)
    if isinstance(log, Logger):
        log.flush_access()


#: Seconds an access-log line may wait to be written, and the most lines that wait.
ACCESS_LOG_FLUSH = 1.0
ACCESS_LOG_BATCH = 10_000


class Logger(glogging.Logger):  # type: ignore[misc]
    """Gunicorn's logger, but a worker writes its access-log lines in batches, at most
    :data:`ACCESS_LOG_FLUSH` seconds (or :data:`ACCESS_LOG_BATCH` lines) after the request,
    as nginx's ``access_log ... buffer= flush=`` does.

    Gunicorn writes and flushes each line under the handler's lock, in the thread that
    answered the request: with four threads answering stored pages, they queued on that lock
    (a worker's threads were seen all waiting in ``Handler.acquire``), and turning the access
    log off raised the stored page's throughput by about a third (docs/benchmarks-load.md).
    Here the line gunicorn would write is made (:meth:`line`) and queued; a thread of the
    worker writes what is queued once a second, through the same handlers (so a log file is
    reopened on ``USR1`` as before).  Errors are written at once, as before.
    Lines of a worker killed outright (``SIGKILL``, a timeout) in its last second are lost;
    a worker that stops as asked writes them (:func:`worker_exit`).
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self._lines: collections.deque[str] = collections.deque()
        self._writing = threading.Lock()

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        try:
            self._lines.append(self.line(resp, req, environ, request_time))
        except Exception:  # noqa: BLE001 - as gunicorn's own access() does
            self.error(traceback.format_exc())
        if len(self._lines) >= ACCESS_LOG_BATCH:
            self.flush_access()

    def line(self, resp: Any, req: Any, environ: Any, request_time: Any) -> str:
        """The access-log line gunicorn would write.  For :data:`access_log_format`, only the
        atoms it names are made (gunicorn makes every header and environ entry an atom, and
        escapes each: 6 of the 21 µs its ``access()`` took, a quarter of a stored page's
        time in a worker); for any other format, gunicorn's own atoms."""
        if self.cfg.access_log_format != access_log_format:
            return str(self.cfg.access_log_format
                       % self.atoms_wrapper_class(self.atoms(resp, req, environ, request_time)))
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        sent = getattr(resp, "sent", None)
        atoms = {
            "h": environ.get("REMOTE_ADDR", "-"),
            "l": "-",
            "u": self._get_user(environ) or "-",
            "t": self.now(),
            "r": f"{environ['REQUEST_METHOD']} {environ['RAW_URI']} "
                 f"{environ['SERVER_PROTOCOL']}",
            "s": status,
            "b": sent is not None and str(sent) or "-",
            "f": environ.get("HTTP_REFERER", "-"),
            "a": environ.get("HTTP_USER_AGENT", "-"),
            "M": request_time.seconds * 1000 + int(request_time.microseconds / 1000),
        }
        return access_log_format % {k: v.replace('"', '\\"') if isinstance(v, str) else v
                                    for k, v in atoms.items()}

    def flush_access(self) -> None:
        """Write every queued line, in order, as one record."""
        with self._writing:
            lines = []
            while self._lines:
                lines.append(self._lines.popleft())
            if lines:
                self.access_log.info("%s", "\n".join(lines))

    def start_flushing(self) -> None:
        """Start the worker's thread that writes the queued lines every second."""
        def flush_forever() -> None:
            while True:
                time.sleep(ACCESS_LOG_FLUSH)
                self.flush_access()

        threading.Thread(target=flush_forever, name="billdiff-access-log", daemon=True).start()


class Worker(ThreadWorker):  # type: ignore[misc]
    """Gunicorn's ``gthread`` worker, but one that holds a connection for each of its threads
    gives the processor up after it takes another (``sched_yield``), so that an idle worker
    woken by the same burst of connections takes the next ones.

    The workers share one listening socket and take connections as they come: the one
    already running (a busy one) takes the next before an idle one has woken, and a client
    that keeps its connections open (a proxy's pool, the load generator) stays where they
    landed.  In the load run, all 16 connections now and then landed on one worker, which
    answered a quarter of what two do while the other stood idle: 2,400 requests/s against
    10,000 (docs/benchmarks-load.md).  With the yield, 32 runs of 16 connections split no
    worse than 13 to 3, at 7,900-8,700 requests/s.  It costs a system call for each
    connection taken by a busy worker: with a new connection for every request
    (``Connection: close``) the home page did 4,600-5,200 requests/s at 16 connections (4,500
    without) and 4,750-4,900 at 64 (5,700-6,100 without), a price paid for never falling to a
    quarter.  A timed pause instead balanced as well but capped how fast a busy worker takes
    connections, which a proxy that opens one per request would hit.
    """

    def accept(self, listener: Any) -> None:
        super().accept(listener)
        if self.nr_conns >= self.cfg.threads:
            os.sched_yield()
