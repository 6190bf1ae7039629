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
before any request.  Only ``https://malegislature.gov`` is the Legislature itself: a document
fetched from anywhere else (a mirror, a proxy, a test server) records its sources as
``official: false``, says "fetched from mirror HOST" in its provenance, and gives its sections
status ``single-source`` (one third-party copy, not checked against the publisher).
"""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import socket
import ssl
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Protocol

from billdiff import __version__ as _version
from billdiff.errors import BilldiffError, NotFound
from billdiff.importers import dump_document
from billdiff.importers.ma_bill import JURISDICTION, ordinal_suffix, parse_ma_bill, session_name
from billdiff.importers.pdf import Extractor, import_pdf
from billdiff.importers.plain import parse_plain, slug, text_checksum, today
from billdiff.model import Document, SourceRef, TextStatus

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


class Opener(Protocol):
    """What :func:`fetch_ma_bill` needs to make requests (``urllib.request.OpenerDirector``)."""

    def open(self, fullurl: urllib.request.Request, data: None = None,  # noqa: D102
             timeout: float = ...) -> Any: ...


def default_api_base() -> str:
    """``$BILLDIFF_API_BASE``, else the Legislature's own API."""
    return (os.environ.get("BILLDIFF_API_BASE") or DEFAULT_API_BASE).rstrip("/")


def check_api_base(value: str) -> str:
    """*value* without trailing ``/``; a :class:`BilldiffError` naming it unless it is an
    ``http://`` or ``https://`` address with a host (and no spaces, query or fragment)."""
    base = str(value).strip().rstrip("/")
    try:
        parts = urllib.parse.urlsplit(base)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if (parts is None or not port_ok or parts.scheme not in ("http", "https")
            or not parts.hostname or parts.query or parts.fragment
            or any(ch.isspace() for ch in base)):
        raise BilldiffError(
            f"invalid API base URL {value!r}: it must be an http:// or https:// address "
            "with a host", where="--api-base (or BILLDIFF_API_BASE)",
            fix="e.g. https://malegislature.gov/api, or a mirror's https://HOST/api")
    return base


def is_legislature(api_base: str) -> bool:
    """Is *api_base* the Legislature's own site (https, malegislature.gov, default port)?"""
    parts = urllib.parse.urlsplit(api_base)
    return (parts.scheme == "https" and (parts.hostname or "").lower() in LEGISLATURE_HOSTS
            and parts.port in (None, 443))


def _origin(api_base: str) -> tuple[bool, str, TextStatus]:
    """``(official, host, section status)`` of texts fetched from *api_base*."""
    official = is_legislature(api_base)
    host = urllib.parse.urlsplit(api_base).netloc
    return official, host, TextStatus.OFFICIAL if official else TextStatus.SINGLE_SOURCE


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
    bundle = os.environ.get("BILLDIFF_CA_BUNDLE")
    if bundle:
        try:
            context.load_verify_locations(cafile=bundle)
        except (OSError, ssl.SSLError) as err:
            raise BilldiffError(f"cannot load the CA bundle {bundle!r} ({err})",
                                where="BILLDIFF_CA_BUNDLE",
                                fix="point it at a PEM file of certificates") from err
    return context


def build_opener() -> urllib.request.OpenerDirector:
    """The default opener: verifying HTTPS, proxies from the environment, redirects followed."""
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=ssl_context()))


def _request(url: str, accept: str) -> urllib.request.Request:
    return urllib.request.Request(url, headers={"Accept": accept, "User-Agent": USER_AGENT})


def _http_get(url: str, *, accept: str, timeout: float, opener: Opener | None, limit: int,
              what: str, retries: int = 1) -> bytes:
    """GET *url*; every failure becomes a :class:`BilldiffError` naming *what* was asked for.

    HTTP 400 and 404 raise :class:`NotFound` (the caller words it); 5xx is retried *retries*
    times.
    """
    opener = opener or build_opener()
    for attempt in range(retries + 1):
        try:
            with opener.open(_request(url, accept), timeout=timeout) as response:
                body: bytes = response.read(limit + 1)
            if len(body) > limit:
                raise BilldiffError(f"the answer for {what} is over {limit:,} bytes", where=url,
                                    fix="check --api-base: this is not the bill API")
            return body
        except urllib.error.HTTPError as err:
            detail = _error_body(err)
            if err.code in (400, 404, 410):
                raise NotFound(f"{what}: HTTP {err.code} {detail}".strip(), where=url) from err
            if err.code == 403:
                raise BilldiffError(f"access to {what} refused (HTTP 403)", where=url,
                                    fix=_GEO_FIX) from err
            if err.code >= 500 and attempt < retries:
                continue
            raise BilldiffError(f"{what}: the server answered HTTP {err.code} {err.reason}",
                                where=url, fix="try again later, or use --api-base with a mirror"
                                ) from err
        except urllib.error.URLError as err:
            raise _network_error(err.reason, url, what, timeout) from err
        except (TimeoutError, OSError, http.client.HTTPException) as err:
            raise _network_error(err, url, what, timeout) from err
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


def _get_json(url: str, *, timeout: float, opener: Opener | None, what: str) -> Any:
    body = _http_get(url, accept="application/json", timeout=timeout, opener=opener,
                     limit=MAX_JSON_BYTES, what=what)
    try:
        return json.loads(body.decode("utf-8-sig"))
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
                  extractor: Extractor = "auto", retrieved: str | None = None) -> Document:
    """Download a Massachusetts bill's text and metadata as a :class:`Document`.

    *court* is the General Court (194 for 2025-2026), *number* the bill or docket number
    (``H1728``, ``S.1053``).  The id defaults to ``ma-<court>-<number>`` (``ma-194-s1053``).
    Raises :class:`NotFound` for an unknown bill and :class:`BilldiffError` for network, TLS,
    geo-blocking and format problems.
    """
    base = check_api_base(api_base or default_api_base())
    court = _court(court)
    bill = normalize_bill_number(number)
    official, host, status = _origin(base)
    doc_id = doc_id or f"ma-{court}-{bill.lower()}"
    api_url = f"{base}/GeneralCourts/{court}/Documents/{bill}"
    what = f"bill {bill} of the {ordinal_suffix(court)} General Court"
    try:
        payload = _get_json(api_url, timeout=timeout, opener=opener, what=what)
    except NotFound as err:
        raise NotFound(f"no such bill: {bill} in the {ordinal_suffix(court)} General Court",
                       where=api_url, fix="check the number and the court (e.g. 194 for 2025-2026)"
                       ) from err
    if isinstance(payload, list):
        payload = payload[0] if payload else None
    if not isinstance(payload, dict):
        raise NotFound(f"no such bill: {bill} in the {ordinal_suffix(court)} General Court",
                       where=api_url)
    human_url = f"https://malegislature.gov/Bills/{court}/{bill}"
    text = payload.get("DocumentText")
    mirror = "" if official else f", fetched from mirror {host}"
    api_name = ("Massachusetts Legislature API" if official
                else f"copy of the Massachusetts Legislature API answer{mirror}")
    sources = [SourceRef(url=_http_url(api_url), description=api_name, official=official,
                         used_for="metadata" if not text else "text and metadata")]
    notes: list[str] = []
    if isinstance(text, str) and text.strip():
        if _TAG.search(text):
            text = html_to_text(text)
        document = parse_ma_bill(text, doc_id, source_url=_http_url(api_url), court=court,
                                 source_description=f"{api_name}, DocumentText",
                                 checksum=text_checksum(text), retrieved=retrieved,
                                 status=status, official=official)
    else:
        pdf_url = f"{site_base(base)}/Bills/{court}/{bill}.pdf"
        document = _fetch_pdf(pdf_url, doc_id, timeout=timeout, opener=opener, what=what,
                              extractor=extractor, retrieved=retrieved, official=official,
                              status=status)
        sources.append(SourceRef(
            url=_http_url(pdf_url), official=official, used_for="text",
            description="official bill PDF" if official else f"copy of the bill PDF{mirror}"))
        pdf_name = "the official PDF" if official else f"the PDF copy on mirror {host}"
        notes.append(f"The API gave no DocumentText; the text was extracted from {pdf_name}.")
    if official:
        summary = f"Fetched by billdiff from the Massachusetts Legislature ({human_url})"
    else:
        summary = (f"Fetched by billdiff from mirror {host}, not from the Massachusetts "
                   f"Legislature itself; not checked against the official text ({human_url})")
    return _merge_bill_metadata(document, payload, court=court, bill=bill, human_url=human_url,
                                sources=sources, notes=notes, summary=summary,
                                retrieved=retrieved or today(), status=status)


def _http_url(url: str) -> str:
    """A URL the schema accepts (http or https), quoting anything odd."""
    return urllib.parse.quote(url, safe=":/?&=%~#+,;@")


def _fetch_pdf(url: str, doc_id: str, *, timeout: float, opener: Opener | None, what: str,
               extractor: Extractor, retrieved: str | None, official: bool,
               status: TextStatus) -> Document:
    try:
        data = _http_get(url, accept="application/pdf", timeout=timeout, opener=opener,
                         limit=MAX_PDF_BYTES, what=f"the PDF of {what}")
    except NotFound as err:
        raise NotFound(f"{what} has no DocumentText and no PDF", where=url,
                       fix="the bill may not be printed yet; try again later") from err
    with tempfile.TemporaryDirectory(prefix="billdiff-") as folder:
        path = Path(folder) / "bill.pdf"
        path.write_bytes(data)
        document = import_pdf(path, doc_id, extractor=extractor, source_url=_http_url(url),
                              retrieved=retrieved, official=official, status=status)
    return document


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
                            "text": " ".join(pinslip.split()), "status": status.value})
        data["sections"] = sections
    provenance = data["provenance"]
    provenance["sources"] = [s.model_dump(mode="json", exclude_defaults=True) for s in sources]
    provenance["summary"] = summary
    provenance["retrieved"] = retrieved
    data["notes"] = [*data.get("notes", []), *notes]
    try:
        return Document.model_validate(data)
    except ValueError as err:
        raise BilldiffError(f"the API's answer for {bill} does not make a valid document ({err})",
                            where=human_url, fix="report this bill as an importer bug") from err


# --------------------------------------------------------------------------- General Laws


def _code(code: str) -> str:
    """A chapter or section code in an API path: ``/`` is spelled ``~``; spaces percent-encode."""
    return urllib.parse.quote(str(code).strip().replace("/", "~"), safe="~")


def fetch_mgl(chapter: str, section: str, *, api_base: str | None = None, timeout: float = 30,
              opener: Opener | None = None, doc_id: str | None = None,
              retrieved: str | None = None) -> Document:
    """Download a section of the Massachusetts General Laws as a :class:`Document`.

    The id defaults to ``mgl-c<chapter>-s<section>`` (``mgl-c6-s220``).  Raises
    :class:`NotFound` for an unknown chapter or section and :class:`BilldiffError` for a repealed
    section (the repeal note is in the message), network, TLS and format problems.
    """
    base = check_api_base(api_base or default_api_base())
    chapter, section = str(chapter).strip(), str(section).strip()
    if not chapter or not section or len(chapter) > 40 or len(section) > 40:
        raise BilldiffError("give a chapter and a section, e.g. 6 220")
    official, host, status = _origin(base)
    cite = f"G.L. c. {chapter}, § {section}"
    doc_id = doc_id or f"mgl-c{slug(chapter)}-s{slug(section)}"
    url = f"{base}/Chapters/{_code(chapter)}/Sections/{_code(section)}"
    try:
        payload = _get_json(url, timeout=timeout, opener=opener, what=cite)
    except NotFound as err:
        raise _which_missing(base, chapter, section, timeout=timeout, opener=opener) from err
    if isinstance(payload, list):
        payload = payload[0] if payload else None
    if not isinstance(payload, dict):
        raise NotFound(f"no such section: {cite}", where=url)
    name = " ".join(str(payload.get("Name") or "").split())
    if payload.get("IsRepealed") is True:
        raise BilldiffError(f"{cite} is repealed: {name or 'no repeal note given'}", where=url,
                            fix="fetch the section that replaced it, or cite the repeal")
    raw = payload.get("Text")
    text = html_to_text(raw) if isinstance(raw, str) else ""
    if not text.strip():
        raise BilldiffError(f"the API gives no text for {cite}", where=url,
                            fix="check the section on malegislature.gov")
    if official:
        description = "Massachusetts Legislature API, General Laws section text"
        summary = None
    else:
        description = f"General Laws section text, fetched from mirror {host}"
        summary = (f"Fetched by billdiff from mirror {host}, not from the Massachusetts "
                   "Legislature itself; not checked against the official text")
    return parse_plain(
        text, doc_id, source_url=_http_url(url), kind="statute", jurisdiction=JURISDICTION,
        source_description=description, title=f"{cite}: {name}" if name else cite, number=cite,
        checksum=text_checksum(text), retrieved=retrieved, status=status, official=official,
        summary=summary,
    ).model_copy(update={"citation": cite})


def _which_missing(base: str, chapter: str, section: str, *, timeout: float,
                   opener: Opener | None) -> NotFound:
    url = f"{base}/Chapters/{_code(chapter)}"
    try:
        payload = _get_json(url, timeout=timeout, opener=opener, what=f"G.L. c. {chapter}")
    except NotFound:
        return NotFound(f"no such chapter: G.L. c. {chapter}", where=url,
                        fix="check the chapter (e.g. 6, 90, 23A)")
    codes: list[str] = []
    if isinstance(payload, list):
        payload = payload[0] if payload else {}
    if isinstance(payload, dict) and isinstance(payload.get("Sections"), list):
        codes = [str(s.get("Code")) for s in payload["Sections"] if isinstance(s, dict)]
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
