"""HTML to PDF with WeasyPrint, locked down.

Security policy (see ``../shared/RELIABILITY.md`` §A):

- Every render goes through :class:`AssetFetcher`, which serves only two things, both from
  memory or the project's static folder and never from the network:
  ``https://billdiff.invalid/static/<file>`` (a file of ``billdiff/static``, by real path, no
  symlinks out, CSS/fonts/PNG/JPEG only, size-capped) and ``https://billdiff.invalid/generated/
  <name>`` (bytes we generated for this render: the theme stylesheet and the re-encoded logo).
  ``.invalid`` is a reserved top-level domain: nothing under it resolves.  Everything else
  (``file:``, other ``http(s):`` hosts, ``data:``, ``ftp:``, traversal, unknown names) is
  refused, logged as a security event, and *stops the render* (fail closed): the caller gets
  :class:`FetchRefused`, never a PDF with a hole or a leak.
- ``presentational_hints`` stays off; ``write_pdf`` never gets ``attachments`` or
  ``xmp_metadata``; the document is ``pdf/ua-1`` (tagged, with title and language) and fonts
  are embedded (subset).
- Identical inputs give identical bytes: the creation and modification dates come from the
  HTML (``dcterms.created``), and no random file identifier is written.
- :class:`BoundedRenderer` runs renders in a long-lived worker process (forkserver) with
  ``RLIMIT_AS`` and a wall-clock timeout; on timeout or memory exhaustion the worker is killed
  and replaced, and the caller gets a clean :class:`RenderTimeout` / :class:`RenderTooLarge`.

WeasyPrint is imported lazily, and quickly: see :func:`load_weasyprint`.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import posixpath
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from billdiff.errors import BilldiffError
from billdiff.settings import STATIC_DIR

log = logging.getLogger("billdiff.security")

ORIGIN_SCHEME = "https"
ORIGIN_HOST = "billdiff.invalid"
ORIGIN = f"{ORIGIN_SCHEME}://{ORIGIN_HOST}/"
#: File types served from the static folder, with their MIME types.
STATIC_TYPES = {".css": "text/css", ".ttf": "font/ttf", ".otf": "font/otf",
                ".woff": "font/woff", ".woff2": "font/woff2", ".png": "image/png",
                ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
GENERATED_TYPES = {".css": "text/css", ".png": "image/png"}
MAX_ASSET_BYTES = 5_000_000
#: Default bounds of one render: seconds, and bytes of address space on top of what the worker
#: process starts with.
RENDER_TIMEOUT = 10.0
RENDER_MEMORY = 512 * 1024 * 1024
#: A worker is replaced after this many renders (memory creep, RELIABILITY.md A8).
WORKER_MAX_RENDERS = 200


class PdfError(BilldiffError):
    """The PDF could not be made."""


class FetchRefused(PdfError):
    """The document asked for a resource outside the allowlist; the render was stopped."""


class RenderTimeout(PdfError):
    """The render took longer than its time budget."""


class RendererBusy(PdfError):
    """The worker stayed busy with other renders for longer than a caller will wait."""


class RenderTooLarge(PdfError):
    """The render needed more memory than its budget (the worker was stopped)."""


class WorkerCrashed(PdfError):
    """The PDF worker died during a render (killed, or out of memory)."""


class PageOverflow(PdfError):
    """The content does not fit the pages allowed, even at its shortest."""


# -- importing WeasyPrint ---------------------------------------------------------------------
#
# WeasyPrint opens GLib, Pango, HarfBuzz and fontconfig through cffi at import time, trying
# several names per library (Windows and macOS names among them).  cffi resolves each name
# with ``ctypes.util.find_library``, which on Linux runs ``ldconfig -p`` for every name and,
# for every name it does not know, ``gcc`` and ``ld`` as well: some 25 subprocesses and about
# 0.17 s of a 0.45 s import (Kozea/WeasyPrint#1125, #2073).  :func:`load_weasyprint` answers
# those lookups from one read of the same ``ldconfig -p`` listing, with CPython's own
# pattern, for the duration of the import only.  Where that could answer differently (not
# Linux, no ldconfig, ``LD_LIBRARY_PATH`` set, a library WeasyPrint needs missing from the
# listing) the real function is used.

_WEASYPRINT_LOCK = threading.Lock()
_weasyprint_loaded = False
#: ``ldconfig -p`` ABI tags by machine, as in CPython's ``ctypes.util._findSoname_ldconfig``.
_LDCONFIG_ABI = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit",
                 "sparc64-64": "libc6,64bit", "s390x-64": "libc6,64bit",
                 "ia64-64": "libc6,IA-64"}
#: The libraries WeasyPrint cannot do without, by the names it asks for on Linux.
WEASYPRINT_LIBRARIES = ("gobject-2.0", "pango-1.0", "harfbuzz", "fontconfig", "pangoft2-1.0")


def ldconfig_finder() -> Callable[[str], str | None] | None:
    """A ``find_library`` that answers from one ``ldconfig -p`` listing, or None where it might
    not answer as ``ctypes.util.find_library`` would (see above)."""
    if not sys.platform.startswith("linux") or os.environ.get("LD_LIBRARY_PATH"):
        return None
    try:
        listing = subprocess.run(["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 env={"LC_ALL": "C", "LANG": "C"}, timeout=10,
                                 check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    bits = "-32" if sys.maxsize <= 2**32 else "-64"
    abi = re.escape(_LDCONFIG_ABI.get(os.uname().machine + bits, "libc6"))

    def find_library(name: str) -> str | None:
        pattern = os.fsencode(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({abi}")
        found = re.search(pattern, listing)
        return os.fsdecode(found.group(1)) if found else None

    if not all(find_library(name) for name in WEASYPRINT_LIBRARIES):
        return None
    return find_library


def load_weasyprint() -> None:
    """Import WeasyPrint (once per process), its library lookups answered by
    :func:`ldconfig_finder` where it can.  Should that import fail all the same, it is retried
    with the real lookups, so that a failure reads exactly as WeasyPrint's own."""
    global _weasyprint_loaded
    if _weasyprint_loaded:
        return
    with _WEASYPRINT_LOCK:
        if _weasyprint_loaded:
            return
        import ctypes.util

        finder = ldconfig_finder()
        real = ctypes.util.find_library
        if finder is not None:
            ctypes.util.find_library = finder  # type: ignore[assignment]
            try:
                import weasyprint  # noqa: F401
            except OSError:
                for name in [m for m in sys.modules if m.split(".")[0] == "weasyprint"]:
                    del sys.modules[name]
            finally:
                ctypes.util.find_library = real
        import weasyprint  # noqa: F401, F811 - a no-op unless the quick lookups failed
        _weasyprint_loaded = True


def _fatal(url: str, why: str) -> BaseException:
    from weasyprint.urls import FatalURLFetchingError

    shown = url if len(url) <= 120 else url[:117] + "..."
    log.warning("pdf_fetch_refused url=%r reason=%s", shown, why)
    error: BaseException = FatalURLFetchingError(f"refused to fetch {shown!r}: {why}")
    return error


def _fetcher_class() -> type:
    """The fetcher class (built on first use so that WeasyPrint is imported lazily)."""
    global _FETCHER_CLASS
    if _FETCHER_CLASS is not None:
        return _FETCHER_CLASS
    load_weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):  # type: ignore[misc]
        """Serves the project's static files and this render's generated bytes; refuses all
        else, fatally.  Never calls the network or ``URLFetcher.fetch``."""

        def __init__(self, generated: Mapping[str, bytes] | None = None,
                     static_dir: Path = STATIC_DIR) -> None:
            super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False,
                             fail_on_errors=True)
            self.generated = dict(generated or {})
            self.static_root = Path(os.path.realpath(static_dir))
            self.served: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            try:
                body, mime = self._resolve(url)
            except _Refuse as why:
                self.refused.append(url)
                raise _fatal(url, str(why)) from None
            self.served.append(url)
            return URLFetcherResponse(url, body, {"Content-Type": mime})

        def _resolve(self, url: str) -> tuple[bytes, str]:
            if not isinstance(url, str) or len(url) > 2000:
                raise _Refuse("not a short URL string")
            try:
                parts = urlsplit(url)
                port = parts.port
            except ValueError:
                raise _Refuse("malformed URL") from None
            if parts.scheme.lower() != ORIGIN_SCHEME or (parts.hostname or "") != ORIGIN_HOST \
                    or port is not None or parts.username or parts.password \
                    or parts.netloc != ORIGIN_HOST:
                raise _Refuse("not one of the fact sheet's own resources")
            if parts.query:
                raise _Refuse("query strings are not served")
            raw = unquote(parts.path)
            if "\\" in raw or "\x00" in raw or "/../" in raw + "/" or "/./" in raw + "/":
                raise _Refuse("path traversal")
            path = posixpath.normpath(raw)
            if path.startswith("/generated/"):
                name = path.removeprefix("/generated/")
                mime = GENERATED_TYPES.get(posixpath.splitext(name)[1].lower())
                if name not in self.generated or mime is None:
                    raise _Refuse("no such generated resource")
                return self.generated[name], mime
            if path.startswith("/static/"):
                rel = path.removeprefix("/static/")
                mime = STATIC_TYPES.get(posixpath.splitext(rel)[1].lower())
                if mime is None:
                    raise _Refuse("file type not served")
                candidate = self.static_root / rel
                real = Path(os.path.realpath(candidate))
                if not real.is_relative_to(self.static_root) or real != candidate:
                    raise _Refuse("outside the static folder (or a symlink)")
                if not real.is_file() or real.stat().st_size > MAX_ASSET_BYTES:
                    raise _Refuse("no such static file")
                return real.read_bytes(), mime
            raise _Refuse("unknown path")

    _FETCHER_CLASS = AssetFetcher
    return AssetFetcher


_FETCHER_CLASS: type | None = None


class _Refuse(Exception):
    pass


def make_fetcher(generated: Mapping[str, bytes] | None = None,
                 static_dir: Path = STATIC_DIR) -> Any:
    """A new :class:`AssetFetcher` for one render (serving *generated* under
    ``https://billdiff.invalid/generated/``)."""
    return _fetcher_class()(generated, static_dir)


_font_config: Any = None


def _render_document(html: str, generated: Mapping[str, bytes]) -> tuple[Any, Any]:
    """Lay out *html*; returns (document, fetcher).  Raises :class:`FetchRefused`."""
    load_weasyprint()
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    global _font_config
    if _font_config is None:
        _font_config = FontConfiguration()
    fetcher = make_fetcher(generated)
    try:
        document = weasyprint.HTML(string=html, base_url=ORIGIN, url_fetcher=fetcher).render(
            font_config=_font_config, presentational_hints=False, pdf_variant="pdf/ua-1",
            pdf_tags=True)
    except FatalURLFetchingError as err:
        raise FetchRefused(f"the fact sheet asked for an outside resource and was not made "
                           f"({err})") from None
    if fetcher.refused:  # belt and braces: a refusal must never be swallowed
        raise FetchRefused(f"refused to fetch {fetcher.refused[0]!r}")
    return document, fetcher


def _write(document: Any, fetcher: Any) -> bytes:
    from weasyprint.urls import FatalURLFetchingError

    try:
        pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True,
                                        pdf_identifier=False, presentational_hints=False)
    except FatalURLFetchingError as err:
        raise FetchRefused(f"the PDF asked for an outside resource ({err})") from None
    if fetcher.refused:  # some drawing code (SVG images) swallows even fatal fetch errors
        raise FetchRefused(f"refused to fetch {fetcher.refused[0]!r}; the PDF was discarded")
    return pdf


def render_pdf(html: str, generated: Mapping[str, bytes] | None = None) -> bytes:
    """*html* as PDF bytes (any number of pages), in this process."""
    document, fetcher = _render_document(html, generated or {})
    return _write(document, fetcher)


def _first_fitting(candidates: Sequence[str], generated: Mapping[str, bytes], start: int,
                   max_pages: int) -> tuple[bytes, int]:
    if not candidates:
        raise PdfError("nothing to render")
    pages = 0
    for index in range(start, len(candidates)):
        document, fetcher = _render_document(candidates[index], generated)
        pages = len(document.pages)
        if pages <= max_pages:
            return _write(document, fetcher), index
    raise PageOverflow(f"the content does not fit on {max_pages} page"
                       f"{'s' if max_pages != 1 else ''} even at its shortest ({pages} pages)",
                       fix="choose fewer topics")


@dataclass(frozen=True)
class Measured:
    """Heights of one layout on a very tall page, in CSS px.

    ``total`` is the height of the ``<main>`` element; ``marks`` is every element carrying a
    ``data-fit`` attribute, in document order, as ``(its data-* attributes, its height)``.
    """

    total: float
    marks: tuple[tuple[tuple[tuple[str, str], ...], float], ...]


#: ``planner(measured, hints) -> index of the first candidate to lay out`` (a module-level
#: function, so that a job can be sent to the worker).
Planner = Callable[[Measured, Any], int]


@dataclass(frozen=True)
class FitJob:
    """Candidate pages fullest first: the PDF is the first that fits on ``max_pages`` pages.

    Laying out every candidate in turn is always right but slow.  A *planner* may look at one
    measuring layout of the fullest candidate (on a very tall page made with the ``measure``
    resources) and say which candidate to try first; if that one does not fit, the next ones
    are laid out in turn.  The PDF layer knows nothing of what the candidates hold: the
    planner and its *hints* come from the caller (the fact sheet's are in
    :mod:`billdiff.factsheet`).
    """

    candidates: tuple[str, ...]
    generated: Mapping[str, bytes]
    measure: Mapping[str, bytes] | None = None
    planner: Planner | None = None
    hints: Any = None
    max_pages: int = 1

    def fingerprint(self) -> str:
        """SHA-256 over everything that decides the result."""
        h = hashlib.sha256()
        for html in self.candidates:
            h.update(hashlib.sha256(html.encode("utf-8")).digest())
        for name in sorted(self.generated):
            h.update(name.encode() + b"\0" + hashlib.sha256(self.generated[name]).digest())
        h.update(repr((self.hints, self.max_pages)).encode())
        return h.hexdigest()


def measure(html: str, generated: Mapping[str, bytes]) -> Measured:
    """Lay out *html* once and measure its ``<main>`` and its ``data-fit`` elements."""
    document, _ = _render_document(html, generated)
    page_box = document.pages[0]._page_box  # WeasyPrint keeps the box tree here
    marks: list[tuple[tuple[tuple[str, str], ...], float]] = []
    top: float | None = None
    bottom = 0.0
    seen: set[int] = set()
    for box in page_box.descendants():
        element = getattr(box, "element", None)
        if element is None or id(element) in seen:
            continue
        seen.add(id(element))
        if element.tag == "main" and top is None:
            top = box.position_y
            bottom = box.position_y + box.margin_height()
        if element.get("data-fit"):
            attrs = tuple(sorted((k, v) for k, v in element.attrib.items()
                                 if k.startswith("data-")))
            marks.append((attrs, float(box.margin_height())))
    return Measured(float(bottom - (top or 0.0)), tuple(marks))


def render_fitting(job: FitJob) -> tuple[bytes, int]:
    """The PDF of the first candidate that fits, and its index (see :class:`FitJob`)."""
    key = job.fingerprint()
    known = _FIT_MEMO.get(key)
    if known is not None:
        # The same job was fitted before in this process: lay out only the candidate that
        # fitted (the result is the same bytes; fitting is deterministic).
        return _first_fitting(job.candidates, job.generated, known, job.max_pages)
    start = 0
    if job.planner is not None and job.measure is not None and len(job.candidates) > 1:
        start = max(0, min(job.planner(measure(job.candidates[0], job.measure), job.hints),
                           len(job.candidates) - 1))
    data, index = _first_fitting(job.candidates, job.generated, start, job.max_pages)
    with _FIT_LOCK:
        if len(_FIT_MEMO) >= 256:
            _FIT_MEMO.clear()
        _FIT_MEMO[key] = index
    return data, index


#: Which candidate fitted, by the fingerprint of the whole job (bounded; per process).
_FIT_MEMO: dict[str, int] = {}
_FIT_LOCK = threading.Lock()


# -- bounded rendering in a worker process ---------------------------------------------------


def _address_space() -> int:
    """This process's virtual memory size in bytes (0 where ``/proc`` does not tell)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _worker_main(conn: Any, memory: int) -> None:  # pragma: no cover - runs in the child
    import signal

    try:
        import resource
    except ImportError:  # Windows: no address-space limit there; the time limit still holds
        memory = 0
    # Ctrl-C reaches the whole process group; the parent decides, and stops this worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory:
        # *memory* is the render's budget on top of what the worker starts with: a worker
        # forked from a large process begins with that process's address space.
        limit = _address_space() + memory
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    # Load WeasyPrint before the first job arrives: the parent prepares that job meanwhile.
    # Its modules live as long as the worker; frozen, later collections skip them.
    load_error = None
    try:
        load_weasyprint()
    except (ImportError, OSError) as err:
        load_error = f"WeasyPrint could not be loaded: {err}"
    gc.freeze()
    if load_error is None:
        _warm_up()
    # A worker must not outlive its parent (killed, say, by SIGTERM or the OOM killer): a
    # forked one holds both ends of the pipe, so it would never see the pipe close.
    parent = multiprocessing.parent_process()
    watched = [conn] + ([parent.sentinel] if parent is not None else [])
    while True:
        try:
            ready = multiprocessing.connection.wait(watched)
            if conn not in ready:
                return  # the parent is gone
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        if load_error is not None:
            conn.send(("error", ("PdfError", load_error)))
            continue
        func, args = job
        try:
            conn.send(("ok", func(*args)))
        except MemoryError:
            conn.send(("memory", "the fact sheet needed more memory than allowed"))
            return
        except BilldiffError as err:
            conn.send(("error", (type(err).__name__, err.message)))
        except Exception as err:  # noqa: BLE001 - reported to the parent, never to users raw
            conn.send(("error", ("PdfError", f"render failed: {type(err).__name__}")))


#: A tiny page in the fact sheet's typeface (regular, bold, italic): laying it out loads the
#: font map and the fonts, once per worker, while the first job is still being prepared.
_WARM_UP_HTML = ('<html lang="en"><head><title>-</title></head><body style="font-family: '
                 '&quot;Liberation Sans&quot;, &quot;DejaVu Sans&quot;, sans-serif">'
                 '<p>a <b>b</b> <i>c</i></p></body></html>')


def _warm_up() -> None:  # pragma: no cover - runs in the child
    try:
        _render_document(_WARM_UP_HTML, {})
    except Exception:  # noqa: BLE001 - only a head start; a real job reports real errors
        pass


class BoundedRenderer:
    """Renders in a long-lived worker process with a memory cap and a time limit.

    One worker per instance (renders are serialised by a lock); it is started on first use
    (or by :meth:`start`), loads WeasyPrint as soon as it starts, is replaced after
    :data:`WORKER_MAX_RENDERS` renders, and is killed and replaced when a render overruns.
    The calling process never runs WeasyPrint itself.

    *start_method* is a :mod:`multiprocessing` start method: ``forkserver`` by default (safe in
    a threaded server); the command line passes ``fork``, which is instant and safe in its
    single thread, so that the worker loads WeasyPrint while the command loads the corpus.
    """

    def __init__(self, *, timeout: float = RENDER_TIMEOUT, memory: int = RENDER_MEMORY,
                 max_renders: int = WORKER_MAX_RENDERS, start_method: str | None = None
                 ) -> None:
        methods = multiprocessing.get_all_start_methods()
        if start_method is None:
            start_method = "forkserver" if "forkserver" in methods else "spawn"
        elif start_method not in methods:
            start_method = "spawn"
        self.timeout = timeout
        self.memory = memory
        self.max_renders = max_renders
        self.start_method = start_method
        self._lock = threading.Lock()
        self._proc: Any = None
        self._conn: Any = None
        self._renders = 0

    def start(self) -> None:
        """Start the worker now, so that it loads WeasyPrint while the caller does other work
        (a no-op if it is running)."""
        with self._lock:
            if self._proc is None or not self._proc.is_alive():
                self._stop()
                self._start()

    def _start(self) -> None:
        ctx: Any = multiprocessing.get_context(self.start_method)
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker_main, args=(child, self.memory), daemon=True,
                           name="billdiff-pdf")
        if self.start_method == "fork":
            # The child's collector never visits (and so never copies) what it inherits.
            gc.freeze()
            try:
                proc.start()
            finally:
                gc.unfreeze()
        else:
            proc.start()
        child.close()
        self._proc, self._conn, self._renders = proc, parent, 0

    def _stop(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass
        if proc is not None:
            if proc.is_alive():
                proc.kill()
            proc.join(timeout=2)

    def close(self) -> None:
        """Stop the worker (it is restarted on the next render)."""
        with self._lock:
            self._stop()

    def run(self, func: Callable[..., Any], *args: Any) -> Any:
        """``func(*args)`` in the worker (*func* a module-level function of billdiff, e.g.
        :func:`render_fitting`); raises :class:`RenderTimeout`, :class:`RenderTooLarge`,
        :class:`FetchRefused`, :class:`RendererBusy` or :class:`PdfError`.

        Renders take turns; a caller waits for its turn at most one render's time limit, so
        that requests cannot pile up behind a slow render (RELIABILITY.md D1).
        """
        if not self._lock.acquire(timeout=self.timeout):
            raise RendererBusy("the PDF maker is busy with other fact sheets; try again in "
                               "half a minute")
        try:
            return self._run_locked(func, args)
        finally:
            self._lock.release()

    def probe(self, *, ask: bool = True) -> Literal["busy", "idle", "down"]:
        """The worker's state, never waiting for a render: ``busy`` (rendering, so answering
        someone), ``idle`` (it answered a ping now, or, without *ask*, was not asked), or
        ``down`` (it could not be started or did not answer)."""
        if not self._lock.acquire(blocking=False):
            return "busy"
        try:
            if not ask:
                return "idle"
            answer = self._run_locked(os.getpid, ())
        except PdfError:
            return "down"
        finally:
            self._lock.release()
        return "idle" if isinstance(answer, int) else "down"

    def _run_locked(self, func: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        if self._proc is None or not self._proc.is_alive() \
                or self._renders >= self.max_renders:
            self._stop()
            self._start()
        self._renders += 1
        start = time.monotonic()
        try:
            self._conn.send((func, args))
            # The first render in a new worker pays WeasyPrint's import as well.
            budget = self.timeout + (5.0 if self._renders == 1 else 0.0)
            ready = self._conn.poll(budget)
        except (OSError, EOFError):
            self._stop()
            raise WorkerCrashed("the PDF worker stopped unexpectedly") from None
        if not ready:
            self._stop()
            raise RenderTimeout(f"the PDF took longer than {self.timeout:g} s and was "
                                "stopped")
        try:
            status, payload = self._conn.recv()
        except (OSError, EOFError):
            self._stop()
            if time.monotonic() - start >= self.timeout:
                raise RenderTimeout("the PDF took too long and was stopped") from None
            raise WorkerCrashed("the PDF worker stopped during the render (it was killed or "
                                "ran out of memory)") from None
        if status == "ok":
            return payload
        if status == "memory":
            self._stop()
            raise RenderTooLarge(payload)
        name, message = payload
        cls = {"FetchRefused": FetchRefused, "RenderTooLarge": RenderTooLarge,
               "PageOverflow": PageOverflow}.get(name, PdfError)
        raise cls(message)
