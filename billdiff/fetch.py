"""Fetch official Massachusetts texts from the Legislature's public API (stdlib ``urllib`` only).

Endpoints and fields as working client code uses them (``../shared/sources/ma-legislature-api.md``):

- a bill: ``GET {api}/GeneralCourts/{court}/Documents/{H1728}`` -> ``Title``, ``BillNumber``,
  ``DocketNumber``, ``PrimarySponsor``, ``Cosponsors``, ``JointSponsor``, ``Pinslip``,
  ``LegislationTypeName`` and ``DocumentText`` (plain text, may be ``null``).  When the text is
  null the official PDF ``{site}/Bills/{court}/{H1728}.pdf`` is downloaded and read with the PDF
  importer (what MAPLE does).  ``{site}`` is *api_base* without its trailing ``/api``, so a
  mirror serves both.
- a General Laws section: ``GET {api}/Chapters/{chapter}/Sections/{section}`` -> ``Code``,
  ``Name``, ``IsRepealed``, ``Text`` (``\\r\\n`` paragraphs, a few HTML entities).  A ``/`` in a
  code is sent as ``~`` (``7D1~2``).  One object, though the Swagger spec says an array: both are
  accepted.  A repealed section has ``IsRepealed: true``, empty ``Text`` and the repeal note in
  ``Name``; "no such section" and "no such chapter" both answer HTTP 400, so the chapter is
  asked for to tell them apart.

Every request sends ``Accept: application/json`` (the API answers XML to browsers) and a
User-Agent.  TLS is always verified: malegislature.gov serves an incomplete chain, so the
context trusts the system store, certifi's bundle when installed, and ``$BILLDIFF_CA_BUNDLE``
(a PEM file, e.g. with the DigiCert Global G2 TLS RSA SHA256 2020 CA1 intermediate); a chain
failure says so, with that fix.  The site blocks networks outside the US (a TCP timeout or a
403); those errors suggest ``--api-base`` pointing at a mirror or ``HTTPS_PROXY``.

*api_base* must be an ``http://`` or ``https://`` address with a host; anything else is refused
before any request (scheme and host are case-insensitive and are written in lower case).  Only
``https://malegislature.gov`` is the Legislature itself: a document fetched from anywhere else
(a mirror, a proxy, a test server) records its sources as ``official: false``, says "fetched
from mirror HOST" in its provenance, and gives its sections status ``single-source`` (one
third-party copy, not checked against the publisher).

**Redirects** are followed only to ``http`` or ``https`` addresses, never from ``https`` to
``http``, and only to the host of *api_base* (``malegislature.gov`` and
``www.malegislature.gov`` count as one) or to a host the caller names in *allow_redirect_to*
(``billdiff fetch --allow-redirect-to HOST``).  Any other redirect is an error naming both
addresses.  Each source in the provenance is the address the text finally came from (with the
address asked for, when it was redirected), and a text is official only when that final address
is the Legislature's own (``https``, default port): a redirect away from it, even an allowed
one, makes the text a ``single-source`` copy.

**Time.** *timeout* is a deadline for the whole fetch, every request and retry included: a
server that sends one byte a second is cut off when it passes, not each time it goes quiet.
Each connection is watched by a timer that shuts its socket at the deadline, so no read can
outlast it.

**Size.** Answers are read in pieces and refused as soon as they pass their limit; a
``DocumentText`` whose words alone would make a document over the corpus file limit
(``BILLDIFF_MAX_FILE_BYTES``) is refused before it is parsed.  JSON nested too deeply to be a
bill is an error, not a crash.
"""

from __future__ import annotations

import functools
import html
import http.client
import json
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from billdiff import __version__ as _version
from billdiff import settings
from billdiff.errors import BilldiffError, InputTooLarge, NotFound
from billdiff.importers import dump_document
from billdiff.importers.ma_bill import JURISDICTION, ordinal_suffix, parse_ma_bill, session_name
from billdiff.importers.pdf import Extractor, parse_pdf
from billdiff.importers.plain import (
    check_document_bound,
    clip,
    parse_plain,
    slug,
    text_checksum,
    today,
)
from billdiff.model import Document, SectionRole, SourceRef, TextStatus

DEFAULT_API_BASE = "https://malegislature.gov/api"
#: Hosts that are the Legislature itself (over https only).
LEGISLATURE_HOSTS = ("malegislature.gov", "www.malegislature.gov")
USER_AGENT = f"billdiff/{_version} (Python urllib; bill comparison toolkit)"
#: Largest JSON answer read, in bytes (a bill with its text is well under 1 MB).
MAX_JSON_BYTES = 20_000_000
#: Largest PDF downloaded, in bytes.
MAX_PDF_BYTES = 100_000_000
_BILL_NUMBER = re.compile(r"(HD|SD|H|S)([0-9]{1,6})")
_TAG = re.compile(r"<[^<>]{0,2000}>")
_BREAK_TAG = re.compile(r"<(?:br|BR)\s{0,5}/?>|</(?:p|P|div|DIV)>")
_GEO_FIX = ("malegislature.gov blocks networks outside the US: run from a US network, set "
            "HTTPS_PROXY to a US proxy, or point --api-base (BILLDIFF_API_BASE) at a mirror")
#: Bytes read at a time from an answer.
_READ_SIZE = 64 * 1024


class Opener(Protocol):
    """What :func:`fetch_ma_bill` needs to make requests (``urllib.request.OpenerDirector``)."""

    def open(self, fullurl: urllib.request.Request, data: None = None,  # noqa: D102
             timeout: float = ...) -> Any: ...


def default_api_base() -> str:
    """``$BILLDIFF_API_BASE``, else the Legislature's own API."""
    return (settings.current().api_base or DEFAULT_API_BASE).rstrip("/")


def check_api_base(value: str) -> str:
    """*value* without trailing ``/``, its scheme and host in lower case; a
    :class:`BilldiffError` naming it unless it is an ``http://`` or ``https://`` address with a
    host (and no spaces, user name, query or fragment)."""
    base = str(value).strip().rstrip("/")
    try:
        parts = urllib.parse.urlsplit(base)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if (parts is None or not port_ok or parts.scheme.lower() not in ("http", "https")
            or not parts.hostname or parts.query or parts.fragment or "@" in parts.netloc
            or any(ch.isspace() for ch in base) or not base.isascii()):
        raise BilldiffError(
            f"invalid API base URL {value!r}: it must be an http:// or https:// address "
            "with a host", where="--api-base (or BILLDIFF_API_BASE)",
            fix="e.g. https://malegislature.gov/api, or a mirror's https://HOST/api")
    # HTTP://Mirror.Example/api is http://mirror.example/api (both parts are case-insensitive)
    return urllib.parse.urlunsplit(parts._replace(scheme=parts.scheme.lower(),
                                                  netloc=parts.netloc.lower()))


def is_legislature(api_base: str) -> bool:
    """Is *api_base* (or any address) the Legislature's own site (https, malegislature.gov,
    default port)?"""
    try:
        parts = urllib.parse.urlsplit(api_base)
        port = parts.port
    except ValueError:
        return False
    return (parts.scheme.lower() == "https"
            and (parts.hostname or "").lower() in LEGISLATURE_HOSTS and port in (None, 443))


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc


def site_base(api_base: str) -> str:
    """The site that serves bill PDFs: *api_base* without a trailing ``/api``."""
    base = api_base.rstrip("/")
    return base[: -len("/api")] if base.endswith("/api") else base


def ssl_context() -> ssl.SSLContext:
    """A verifying TLS context: system store + certifi (if installed) + ``$BILLDIFF_CA_BUNDLE``."""
    context = ssl.create_default_context()
    try:
        import certifi  # optional: not a dependency
    except ImportError:
        pass
    else:
        context.load_verify_locations(certifi.where())
    bundle = settings.current().ca_bundle
    if bundle:
        try:
            context.load_verify_locations(cafile=bundle)
        except (OSError, ssl.SSLError) as err:
            raise BilldiffError(f"cannot load the CA bundle {str(bundle)!r} ({err})",
                                where="BILLDIFF_CA_BUNDLE",
                                fix="point it at a PEM file of certificates") from err
    return context


class Deadline:
    """The moment a fetch must be over; watches each connection so that none outlasts it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False
        self._timers: list[threading.Timer] = []

    def left(self) -> float:
        """Seconds left (never below a millisecond: a socket timeout of 0 means "no wait")."""
        return max(0.001, self.at - time.monotonic())

    def passed(self) -> bool:
        """True once the deadline has passed (or a watched socket was shut for it)."""
        if time.monotonic() >= self.at:
            self.expired = True
        return self.expired

    def watch(self, sock: socket.socket) -> None:
        """Shut *sock* at the deadline: a blocked read then returns at once."""
        timer = threading.Timer(self.at - time.monotonic(), self._shut, (sock,))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def _shut(self, sock: socket.socket) -> None:
        self.expired = True
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed

    def close(self) -> None:
        """Stop watching (the fetch is over)."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()


class _WatchedHTTP(http.client.HTTPConnection):
    def __init__(self, *args: Any, deadline: Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def connect(self) -> None:
        super().connect()
        self._deadline.watch(self.sock)


class _WatchedHTTPS(http.client.HTTPSConnection):
    def __init__(self, *args: Any, deadline: Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def connect(self) -> None:
        super().connect()
        self._deadline.watch(self.sock)


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_WatchedHTTP, deadline=self._deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline, context: ssl.SSLContext) -> None:
        super().__init__(context=context)
        self._deadline = deadline
        self._verifying = context

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_WatchedHTTPS, deadline=self._deadline), req,
                            context=self._verifying)


class RedirectRefused(BilldiffError):
    """A redirect billdiff does not follow (see the module docstring)."""


@dataclass(frozen=True)
class RedirectRule:
    """Where redirects may lead: http(s) only, never https to http, these hosts only."""

    hosts: frozenset[str]

    @classmethod
    def for_base(cls, api_base: str, allow: Iterable[str] = ()) -> RedirectRule:
        """The hosts of *api_base* (both Legislature names for it) and those in *allow*."""
        own = (urllib.parse.urlsplit(api_base).hostname or "").lower()
        hosts = {own, *(h.strip().lower().rstrip(".") for h in allow if h.strip())}
        if own in LEGISLATURE_HOSTS:
            hosts |= set(LEGISLATURE_HOSTS)
        return cls(frozenset(hosts))

    def check(self, source: str, target: str) -> None:
        """Raise :class:`RedirectRefused` unless a redirect from *source* to *target* is
        allowed."""
        old, new = urllib.parse.urlsplit(source), urllib.parse.urlsplit(target)
        scheme = new.scheme.lower()
        what = None
        if scheme not in ("http", "https"):
            what = f"a redirect to a {scheme or 'relative'}: address is not followed"
            fix = "only http and https redirects are followed; check --api-base"
        elif old.scheme.lower() == "https" and scheme == "http":
            what = "a redirect from https to plain http is not followed"
            fix = "use the https address of the mirror, or one that does not downgrade"
        elif (new.hostname or "").lower() not in self.hosts:
            what = f"a redirect to another host ({new.hostname}) is not followed"
            fix = (f"if you trust {new.hostname}, pass --allow-redirect-to {new.hostname}")
        if what is not None:
            raise RedirectRefused(f"{what} (to {clip(target, 300)})", where=source, fix=fix)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """urllib's redirect handler, asking :class:`RedirectRule` first (urllib alone follows
    ``ftp:`` and any host)."""

    def __init__(self, rule: RedirectRule) -> None:
        super().__init__()
        self._rule = rule

    def http_error_302(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                       headers: Any) -> Any:
        # checked before urllib's own test, which lets ftp: through and words a file: refusal
        # as a bare HTTP error
        location = headers.get("location") or headers.get("uri")
        if location:
            try:
                self._rule.check(req.full_url, urllib.parse.urljoin(req.full_url, location))
            except RedirectRefused:
                fp.close()  # the redirect's own answer, never read
                raise
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def build_opener(deadline: Deadline | None = None,
                 redirects: RedirectRule | None = None) -> urllib.request.OpenerDirector:
    """The default opener: verifying HTTPS, proxies from the environment, every connection
    watched by *deadline*, and only the redirects *redirects* allows (none to another host
    when not given)."""
    deadline = deadline or Deadline(30)
    return urllib.request.build_opener(
        _HTTPHandler(deadline), _HTTPSHandler(deadline, ssl_context()),
        _Redirects(redirects or RedirectRule(frozenset())))


def _request(url: str, accept: str) -> urllib.request.Request:
    return urllib.request.Request(url, headers={"Accept": accept, "User-Agent": USER_AGENT})


@dataclass(frozen=True)
class Answer:
    """An answer's body and the address it finally came from (after redirects)."""

    body: bytes
    url: str


@dataclass
class _Session:
    """What every request of one fetch shares: the deadline, the redirect rule, the opener."""

    deadline: Deadline
    rule: RedirectRule
    opener: Opener

    @classmethod
    def start(cls, base: str, timeout: float, opener: Opener | None,
              allow_redirect_to: Iterable[str]) -> _Session:
        if isinstance(timeout, bool) or not timeout > 0:
            raise BilldiffError(f"invalid timeout {timeout!r}", where="--timeout",
                                fix="give a number of seconds above 0, e.g. 30")
        deadline = Deadline(float(timeout))
        rule = RedirectRule.for_base(base, allow_redirect_to)
        return cls(deadline, rule, opener or build_opener(deadline, rule))


def _read_body(response: Any, limit: int, what: str, url: str, session: _Session) -> bytes:
    """The body of *response*, read in pieces: refused past *limit*, cut off at the deadline."""
    read = getattr(response, "read1", None) or response.read
    parts: list[bytes] = []
    size = 0
    while chunk := read(_READ_SIZE):
        size += len(chunk)
        if size > limit:
            raise BilldiffError(f"the answer for {what} is over {limit:,} bytes", where=url,
                                fix="check --api-base: this is not the bill API")
        parts.append(chunk)
        if session.deadline.passed():
            break
    if session.deadline.passed():
        # a socket shut at the deadline ends like a finished answer: never take it as one
        raise TimeoutError("deadline")
    return b"".join(parts)


def _http_get(url: str, *, accept: str, session: _Session, limit: int, what: str,
              retries: int = 1) -> Answer:
    """GET *url*; every failure becomes a :class:`BilldiffError` naming *what* was asked for.

    HTTP 400 and 404 raise :class:`NotFound` (the caller words it); 5xx is retried *retries*
    times while the deadline allows.  The answer records the final address (after redirects,
    each checked by the session's rule; also when a caller's own opener followed them).
    """
    timeout = session.deadline.seconds
    for attempt in range(retries + 1):
        try:
            if session.deadline.passed():
                raise TimeoutError("deadline")
            with session.opener.open(_request(url, accept),
                                     timeout=session.deadline.left()) as response:
                final = getattr(response, "geturl", lambda: url)() or url
                if final != url:
                    session.rule.check(url, final)
                body = _read_body(response, limit, what, url, session)
            return Answer(body, final)
        except urllib.error.HTTPError as err:
            detail = _error_body(err)
            if err.code in (400, 404, 410):
                raise NotFound(f"{what}: HTTP {err.code} {detail}".strip(), where=url) from err
            if err.code == 403:
                raise BilldiffError(f"access to {what} refused (HTTP 403)", where=url,
                                    fix=_GEO_FIX) from err
            if err.code >= 500 and attempt < retries and not session.deadline.passed():
                continue
            if 300 <= err.code < 400:
                raise BilldiffError(f"{what}: the server answered HTTP {err.code} with a "
                                    "redirect that cannot be followed", where=url,
                                    fix="check --api-base") from err
            raise BilldiffError(f"{what}: the server answered HTTP {err.code} {err.reason}",
                                where=url, fix="try again later, or use --api-base with a mirror"
                                ) from err
        except urllib.error.URLError as err:
            reason = err.reason
            if session.deadline.passed():
                reason = TimeoutError("deadline")
            raise _network_error(reason, url, what, timeout) from err
        except (TimeoutError, OSError, http.client.HTTPException, ValueError) as err:
            reason = TimeoutError("deadline") if session.deadline.passed() else err
            raise _network_error(reason, url, what, timeout) from err
    raise AssertionError("unreachable")  # pragma: no cover


def _error_body(err: urllib.error.HTTPError) -> str:
    try:
        raw = err.read(2000) if err.fp is not None else b""
    except (OSError, http.client.HTTPException):
        raw = b""
    finally:
        err.close()
    text = raw.decode("utf-8", "replace").strip()
    try:
        value = json.loads(text)
        if isinstance(value, dict):
            text = str(value.get("Message") or value.get("message") or text)
        elif isinstance(value, str):
            text = value
    except ValueError:
        pass
    return " ".join(_TAG.sub(" ", text).split())[:300]


def _network_error(reason: object, url: str, what: str, timeout: float) -> BilldiffError:
    if isinstance(reason, ssl.SSLCertVerificationError):
        return BilldiffError(
            f"the server's TLS certificate for {what} could not be verified "
            f"({reason.verify_message})",
            where=url,
            fix="malegislature.gov sends an incomplete certificate chain: save the DigiCert Global "
                "G2 TLS RSA SHA256 2020 CA1 intermediate certificate (from DigiCert) as PEM and "
                "set BILLDIFF_CA_BUNDLE to that file; verification is never turned off")
    if isinstance(reason, ssl.SSLError):
        return BilldiffError(f"TLS failed for {what} ({reason})", where=url,
                             fix="check --api-base and BILLDIFF_CA_BUNDLE")
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return BilldiffError(f"no answer for {what} within {timeout:g} s", where=url,
                             fix=f"try a longer --timeout; {_GEO_FIX}")
    if isinstance(reason, (ConnectionResetError, ConnectionAbortedError,
                           http.client.RemoteDisconnected)):
        return BilldiffError(f"the connection for {what} was cut ({reason})", where=url,
                             fix=_GEO_FIX)
    if isinstance(reason, ConnectionRefusedError):
        return BilldiffError(f"the connection for {what} was refused", where=url,
                             fix="check --api-base (is the mirror running?)")
    if isinstance(reason, socket.gaierror):
        return BilldiffError(f"cannot resolve the host for {what} ({reason})", where=url,
                             fix="check your network and --api-base")
    return BilldiffError(f"cannot fetch {what} ({reason})", where=url,
                         fix="check your network and --api-base")


def _get_json(url: str, *, session: _Session, what: str) -> tuple[Any, str]:
    """The JSON answer at *url* and the address it finally came from."""
    answer = _http_get(url, accept="application/json", session=session, limit=MAX_JSON_BYTES,
                       what=what)
    body = answer.body
    try:
        return json.loads(body.decode("utf-8-sig")), answer.url
    except RecursionError as err:
        raise BilldiffError(f"the answer for {what} is JSON nested too deeply to be a bill",
                            where=url, fix="check --api-base: this is not the bill API") from err
    except (UnicodeDecodeError, ValueError) as err:
        start = body[:200].decode("utf-8", "replace").lstrip()
        kind = "XML or HTML" if start.startswith("<") else "not JSON"
        raise BilldiffError(f"the answer for {what} is {kind}", where=url,
                            fix="check --api-base; the API must answer Accept: application/json"
                            ) from err


def html_to_text(text: str) -> str:
    """Strip tags (``<br>`` and ``</p>`` become line breaks), then decode entities."""
    text = _BREAK_TAG.sub("\n", text)
    text = _TAG.sub("", text)
    return html.unescape(text)


def normalize_bill_number(number: str) -> str:
    """``H.1728``, ``h 1728``, ``House 1728``, ``SD169`` -> ``H1728`` / ``SD169``."""
    compact = re.sub(r"[\s.,]+", "", str(number)).upper()
    compact = compact.replace("HOUSE", "H").replace("SENATE", "S").replace("NO", "")
    match = _BILL_NUMBER.fullmatch(compact)
    if not match:
        raise BilldiffError(f"invalid bill number {number!r}",
                            fix="write it like H1728, S.1053 or HD2304")
    return f"{match.group(1)}{int(match.group(2))}"


def _court(court: int) -> int:
    if isinstance(court, bool) or not isinstance(court, int) or not 1 <= court <= 999:
        raise BilldiffError(f"invalid General Court {court!r}", fix="give a number like 194")
    return court


# --------------------------------------------------------------------------- bills


def fetch_ma_bill(court: int, number: str, *, api_base: str | None = None, timeout: float = 30,
                  opener: Opener | None = None, doc_id: str | None = None,
                  extractor: Extractor = "auto", retrieved: str | None = None,
                  allow_redirect_to: Iterable[str] = ()) -> Document:
    """Download a Massachusetts bill's text and metadata as a :class:`Document`.

    *court* is the General Court (194 for 2025-2026), *number* the bill or docket number
    (``H1728``, ``S.1053``).  The id defaults to ``ma-<court>-<number>`` (``ma-194-s1053``).
    *timeout* is the whole fetch's deadline in seconds; *allow_redirect_to* names hosts other
    than *api_base*'s that a redirect may lead to (see the module docstring).  Raises
    :class:`NotFound` for an unknown bill and :class:`BilldiffError` for network, TLS,
    geo-blocking, redirect, size and format problems.
    """
    base = check_api_base(api_base or default_api_base())
    court = _court(court)
    bill = normalize_bill_number(number)
    session = _Session.start(base, timeout, opener, allow_redirect_to)
    try:
        return _fetch_bill(base, court, bill, session, doc_id=doc_id, extractor=extractor,
                           retrieved=retrieved)
    finally:
        session.deadline.close()


@dataclass(frozen=True)
class _Origin:
    """Where one fetched resource came from, and what that makes it."""

    asked: str  #: the address requested
    final: str  #: the address the answer came from (after redirects)

    @property
    def official(self) -> bool:
        """Only an answer from the Legislature itself (https, its host) is official."""
        return is_legislature(self.final)

    @property
    def host(self) -> str:
        return _host(self.final)

    @property
    def status(self) -> TextStatus:
        return TextStatus.OFFICIAL if self.official else TextStatus.SINGLE_SOURCE

    @property
    def redirect_note(self) -> str:
        """`` (redirected from ASKED)`` when the answer came from elsewhere, else ``""``."""
        return f" (redirected from {clip(self.asked, 500)})" if self.final != self.asked else ""

    def mirror(self) -> str:
        """``""`` for the Legislature, else ``, fetched from mirror HOST``."""
        return "" if self.official else f", fetched from mirror {self.host}"


def _fetch_bill(base: str, court: int, bill: str, session: _Session, *, doc_id: str | None,
                extractor: Extractor, retrieved: str | None) -> Document:
    doc_id = doc_id or f"ma-{court}-{bill.lower()}"
    api_url = f"{base}/GeneralCourts/{court}/Documents/{bill}"
    what = f"bill {bill} of the {ordinal_suffix(court)} General Court"
    try:
        payload, final = _get_json(api_url, session=session, what=what)
    except NotFound as err:
        raise NotFound(f"no such bill: {bill} in the {ordinal_suffix(court)} General Court",
                       where=api_url, fix="check the number and the court (e.g. 194 for 2025-2026)"
                       ) from err
    if isinstance(payload, list):
        payload = payload[0] if payload else None
    if not isinstance(payload, dict):
        raise NotFound(f"no such bill: {bill} in the {ordinal_suffix(court)} General Court",
                       where=api_url)
    meta = _Origin(api_url, final)
    human_url = f"https://malegislature.gov/Bills/{court}/{bill}"
    text = payload.get("DocumentText")
    if text is not None and not isinstance(text, str):
        raise BilldiffError(
            f"the answer for {what} has a DocumentText that is {_json_kind(text)}, not text",
            where=api_url, fix="check --api-base: the bill API gives DocumentText as text or null")
    api_name = ("Massachusetts Legislature API" if meta.official
                else f"copy of the Massachusetts Legislature API answer{meta.mirror()}")
    sources = [SourceRef(url=_http_url(final), official=meta.official,
                         description=clip(api_name + meta.redirect_note),
                         used_for="metadata" if not (text or "").strip() else "text and metadata")]
    notes: list[str] = []
    text_origin = meta
    if isinstance(text, str) and text.strip():
        check_document_bound(text, api_url)
        if _TAG.search(text):
            text = html_to_text(text)
        try:
            document = parse_ma_bill(text, doc_id, source_url=_http_url(final), court=court,
                                     source_description=f"{api_name}, DocumentText",
                                     checksum=text_checksum(text), retrieved=retrieved,
                                     status=meta.status, official=meta.official)
        except BilldiffError as err:
            # the parser names the document id and gives advice for importing a file
            raise type(err)(f"the DocumentText of {what}: {err.what}", where=api_url,
                            fix="check --api-base: this is not the bill's text") from err
    else:
        pdf_url = f"{site_base(base)}/Bills/{court}/{bill}.pdf"
        document, text_origin = _fetch_pdf(pdf_url, doc_id, session=session, what=what,
                                           extractor=extractor, retrieved=retrieved)
        sources.append(SourceRef(
            url=_http_url(text_origin.final), official=text_origin.official, used_for="text",
            description=clip(("official bill PDF" if text_origin.official
                              else f"copy of the bill PDF{text_origin.mirror()}")
                             + text_origin.redirect_note)))
        pdf_name = ("the official PDF" if text_origin.official
                    else f"the PDF copy on mirror {text_origin.host}")
        notes.append(f"The API gave no DocumentText; the text was extracted from {pdf_name}.")
    if text_origin.official and meta.official:
        summary = f"Fetched by billdiff from the Massachusetts Legislature ({human_url})"
    else:
        hosts = ", ".join(dict.fromkeys(o.host for o in (meta, text_origin) if not o.official))
        summary = (f"Fetched by billdiff from mirror {hosts}, not from the Massachusetts "
                   f"Legislature itself; not checked against the official text ({human_url})")
    return _merge_bill_metadata(document, payload, court=court, bill=bill, human_url=human_url,
                                sources=sources, notes=notes, summary=summary,
                                retrieved=retrieved or today(), status=text_origin.status)


def _json_kind(value: object) -> str:
    """How a JSON value reads in a message: ``a number``, ``an object`` ..."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "not text"


def _http_url(url: str) -> str:
    """A URL the schema accepts (http or https), quoting anything odd."""
    return urllib.parse.quote(url, safe=":/?&=%~#+,;@")


def _fetch_pdf(url: str, doc_id: str, *, session: _Session, what: str, extractor: Extractor,
               retrieved: str | None) -> tuple[Document, _Origin]:
    """The bill's PDF as a document (read in memory: errors name its address, never a
    temporary file), and where it came from."""
    try:
        answer = _http_get(url, accept="application/pdf", session=session, limit=MAX_PDF_BYTES,
                           what=f"the PDF of {what}")
    except NotFound as err:
        raise NotFound(f"{what} has no DocumentText and no PDF", where=url,
                       fix="the bill may not be printed yet; try again later") from err
    origin = _Origin(url, answer.url)
    try:
        document = parse_pdf(answer.body, doc_id, where=url, extractor=extractor,
                             source_url=_http_url(answer.url),
                             source_description=f"the PDF of {what}", retrieved=retrieved,
                             official=origin.official, status=origin.status)
    except BilldiffError as err:
        # the importer's advice is for a local file; say what applies to a download
        fix = ("the bill's text is too large to store as one document (BILLDIFF_MAX_FILE_BYTES)"
               if isinstance(err, InputTooLarge) else err.fix)
        raise type(err)(f"the PDF of {what}: {err.what}", where=url, fix=fix) from err
    return document, origin


def _sponsor(entry: Any, role: str) -> dict[str, Any] | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("Name"), str):
        return None
    name = " ".join(entry["Name"].split())[:2000]
    if not name:
        return None
    if entry.get("Type") == 2:
        role = "committee"
    return {"name": name, "role": role}


def _api_sponsors(payload: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    entries = [(payload.get("PrimarySponsor"), "sponsor"), (payload.get("JointSponsor"), "sponsor")]
    cosponsors = payload.get("Cosponsors")
    if isinstance(cosponsors, list):
        entries += [(entry, "petitioner") for entry in cosponsors]
    for entry, role in entries:
        sponsor = _sponsor(entry, role)
        if sponsor and sponsor["name"] not in seen:
            seen.add(sponsor["name"])
            out.append(sponsor)
    return out


def _merge_bill_metadata(document: Document, payload: dict[str, Any], *, court: int, bill: str,
                         human_url: str, sources: list[SourceRef], notes: list[str],
                         summary: str, retrieved: str, status: TextStatus) -> Document:
    data = document.model_dump(mode="json", exclude_defaults=True)
    try:
        number = normalize_bill_number(str(payload.get("BillNumber") or bill))
    except BilldiffError:
        number = bill
    match = _BILL_NUMBER.fullmatch(number)
    assert match is not None
    chamber, digits = match.group(1), match.group(2)
    data["number"] = f"{chamber}.{digits}"
    title = payload.get("Title")
    if isinstance(title, str) and title.strip():
        data["title"] = " ".join(title.split()).rstrip(".")[:2000]
    data["session"] = data.get("session") or session_name(court)
    data["official_url"] = human_url
    data["jurisdiction"] = JURISDICTION
    if payload.get("LegislationTypeName") == "Amendment":
        data["kind"] = "amendment"
    if not data.get("sponsors"):
        data["sponsors"] = _api_sponsors(payload)
    if not data.get("citation"):
        house = {"H": "House", "S": "Senate", "HD": "House Docket", "SD": "Senate Docket"}
        citation = (f"{house.get(chamber, chamber)}, No. {digits} "
                    f"({ordinal_suffix(court)} General Court)")
        docket = _BILL_NUMBER.fullmatch(str(payload.get("DocketNumber") or ""))
        if docket and docket.group(1) in ("HD", "SD"):
            citation += f"; {house[docket.group(1)]} No. {docket.group(2)}"
        data["citation"] = citation
    pinslip = payload.get("Pinslip")
    sections = data.get("sections", [])
    if isinstance(pinslip, str) and pinslip.strip() and not any(
            s.get("id") == "pinslip" for s in sections):
        sections.insert(0, {"id": "pinslip", "heading": "Pinslip",
                            "text": " ".join(pinslip.split()), "status": status.value,
                            "role": SectionRole.FRONT_MATTER.value})
        data["sections"] = sections
    provenance = data["provenance"]
    provenance["sources"] = [s.model_dump(mode="json", exclude_defaults=True) for s in sources]
    provenance["summary"] = summary
    provenance["retrieved"] = retrieved
    data["notes"] = [*data.get("notes", []), *notes]
    try:
        return Document.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(part) for part in first["loc"])
        raise BilldiffError(f"the API's answer for {bill} does not make a valid document "
                            f"({loc}: {first['msg']})", where=human_url,
                            fix="report this bill as an importer bug") from err


# --------------------------------------------------------------------------- General Laws


def _code(code: str) -> str:
    """A chapter or section code in an API path: ``/`` is spelled ``~``; spaces percent-encode."""
    return urllib.parse.quote(str(code).strip().replace("/", "~"), safe="~")


def fetch_mgl(chapter: str, section: str, *, api_base: str | None = None, timeout: float = 30,
              opener: Opener | None = None, doc_id: str | None = None,
              retrieved: str | None = None, allow_redirect_to: Iterable[str] = ()) -> Document:
    """Download a section of the Massachusetts General Laws as a :class:`Document`.

    The id defaults to ``mgl-c<chapter>-s<section>`` (``mgl-c6-s220``).  *timeout* and
    *allow_redirect_to* are as for :func:`fetch_ma_bill`.  Raises :class:`NotFound` for an
    unknown chapter or section and :class:`BilldiffError` for a repealed section (the repeal
    note is in the message), network, TLS, redirect, size and format problems.
    """
    base = check_api_base(api_base or default_api_base())
    chapter, section = str(chapter).strip(), str(section).strip()
    if not chapter or not section or len(chapter) > 40 or len(section) > 40:
        raise BilldiffError("give a chapter and a section, e.g. 6 220")
    session = _Session.start(base, timeout, opener, allow_redirect_to)
    try:
        return _fetch_section(base, chapter, section, session, doc_id=doc_id,
                              retrieved=retrieved)
    finally:
        session.deadline.close()


def _fetch_section(base: str, chapter: str, section: str, session: _Session, *,
                   doc_id: str | None, retrieved: str | None) -> Document:
    cite = f"G.L. c. {chapter}, § {section}"
    doc_id = doc_id or f"mgl-c{slug(chapter)}-s{slug(section)}"
    url = f"{base}/Chapters/{_code(chapter)}/Sections/{_code(section)}"
    try:
        payload, final = _get_json(url, session=session, what=cite)
    except NotFound as err:
        raise _which_missing(base, chapter, section, session=session) from err
    if isinstance(payload, list):
        payload = payload[0] if payload else None
    if not isinstance(payload, dict):
        raise NotFound(f"no such section: {cite}", where=url)
    origin = _Origin(url, final)
    name = " ".join(str(payload.get("Name") or "").split())
    if payload.get("IsRepealed") is True:
        raise BilldiffError(f"{cite} is repealed: {clip(name, 500) or 'no repeal note given'}",
                            where=url, fix="fetch the section that replaced it, or cite the repeal")
    raw = payload.get("Text")
    if raw is not None and not isinstance(raw, str):
        raise BilldiffError(f"the answer for {cite} has a Text that is {_json_kind(raw)}, "
                            "not text", where=url,
                            fix="check --api-base: the API gives a section's Text as text")
    if isinstance(raw, str):
        check_document_bound(raw, url)
    text = html_to_text(raw) if isinstance(raw, str) else ""
    if not text.strip():
        raise BilldiffError(f"the API gives no text for {cite}", where=url,
                            fix="check the section on malegislature.gov")
    if origin.official:
        description = "Massachusetts Legislature API, General Laws section text"
        summary = None
    else:
        description = f"General Laws section text, fetched from mirror {origin.host}"
        summary = (f"Fetched by billdiff from mirror {origin.host}, not from the Massachusetts "
                   "Legislature itself; not checked against the official text")
    try:
        document = parse_plain(
            text, doc_id, source_url=_http_url(final), kind="statute",
            jurisdiction=JURISDICTION, source_description=description + origin.redirect_note,
            title=f"{cite}: {clip(name, 1500)}" if name else cite, number=cite,
            checksum=text_checksum(text), retrieved=retrieved, status=origin.status,
            official=origin.official, summary=summary)
    except BilldiffError as err:
        raise type(err)(f"the text of {cite}: {err.what}", where=url,
                        fix="check --api-base: this is not the section's text") from err
    return document.model_copy(update={"citation": cite})


def _which_missing(base: str, chapter: str, section: str, *, session: _Session) -> NotFound:
    url = f"{base}/Chapters/{_code(chapter)}"
    try:
        payload, _final = _get_json(url, session=session, what=f"G.L. c. {chapter}")
    except NotFound:
        return NotFound(f"no such chapter: G.L. c. {chapter}", where=url,
                        fix="check the chapter (e.g. 6, 90, 23A)")
    codes: list[str] = []
    if isinstance(payload, list):
        payload = payload[0] if payload else {}
    if isinstance(payload, dict) and isinstance(payload.get("Sections"), list):
        codes = [" ".join(str(s.get("Code")).split())[:40] for s in payload["Sections"]
                 if isinstance(s, dict)]
    hint = f"it has sections {', '.join(codes[:8])}{' ...' if len(codes) > 8 else ''}" \
        if codes else "check the section number"
    return NotFound(f"no such section: G.L. c. {chapter}, § {section}", where=url, fix=hint)


# --------------------------------------------------------------------------- writing


def document_yaml(document: Document) -> str:
    """The YAML billdiff stores for *document* (the project's one document dump)."""
    return dump_document(document)


def write_document_atomically(doc: Document, path: Path, *, force: bool) -> None:
    """Write *doc* as YAML to *path*: whole or not at all, never over a file unless *force*
    (:func:`billdiff.files.write_atomically`)."""
    from billdiff.files import write_atomically

    write_atomically(path, document_yaml(doc).encode("utf-8"), force=force)


__all__ = [
    "DEFAULT_API_BASE",
    "Deadline",
    "RedirectRefused",
    "RedirectRule",
    "check_api_base",
    "is_legislature",
    "default_api_base",
    "document_yaml",
    "fetch_ma_bill",
    "fetch_mgl",
    "normalize_bill_number",
    "ssl_context",
    "write_document_atomically",
]
