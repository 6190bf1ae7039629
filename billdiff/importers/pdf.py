"""PDF -> text -> :class:`~billdiff.model.Document`, and the format detector for ``--format auto``.

Text comes from poppler's ``pdftotext -layout`` when it is on PATH (run without a shell, with a
timeout), else from pypdf (a declared dependency).  Both give one line per printed line with the
page's lines in reading order and a form feed between pages, which is what the Massachusetts
bill parser expects.  The text then goes to :func:`~billdiff.importers.ma_bill.parse_ma_bill`
when it carries the Legislature's markers, else to :func:`~billdiff.importers.plain.parse_plain`.
"""

from __future__ import annotations

import hashlib
import io
import logging
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Literal

from billdiff.errors import BilldiffError
from billdiff.importers.ma_bill import looks_like_ma_bill, parse_ma_bill
from billdiff.importers.plain import (
    MAX_INPUT_BYTES,
    check_size,
    file_provenance,
    import_status,
    parse_plain,
    read_input,
)
from billdiff.model import Completeness, Document, TextStatus

#: Largest PDF file accepted, in bytes.
MAX_PDF_BYTES = 100_000_000
#: Seconds pdftotext may run.
PDFTOTEXT_TIMEOUT = 60.0
#: XML namespace of the DC Council's law XML (``dc-xml``).
DC_NAMESPACE = "https://code.dccouncil.us/schemas/dc-library"

Extractor = Literal["auto", "pdftotext", "pypdf"]


def _read_pdf(path: Path) -> bytes:
    """The PDF's bytes (read once, size-capped); a clear error if it is not a PDF."""
    data = read_input(path, MAX_PDF_BYTES)
    if b"%PDF-" not in data[:1024]:
        raise BilldiffError("not a PDF file (no %PDF- header)", where=str(path),
                            fix="pass a PDF, or choose --format plain or ma-bill for text")
    return data


def _tool(extractor: Extractor) -> str:
    """The extractor *extractor* stands for: ``pdftotext`` or ``pypdf``."""
    if extractor == "pdftotext" or (extractor == "auto" and shutil.which("pdftotext")):
        return "pdftotext"
    return "pypdf"


def extract_text(path: str | Path, *, extractor: Extractor = "auto",
                 timeout: float = PDFTOTEXT_TIMEOUT) -> str:
    """The text of a PDF, pages separated by form feeds.

    *extractor* ``auto`` uses ``pdftotext -layout`` when installed, else pypdf; ``pypdf`` and
    ``pdftotext`` force one (tests use this to cover both paths).  Raises
    :class:`BilldiffError` for a file that is not a PDF, is encrypted, is damaged, or has no
    text layer (a scanned image).
    """
    path = Path(path)
    return _extract(path, _read_pdf(path), _tool(extractor), timeout)


def _extract(path: Path, data: bytes, tool: str, timeout: float) -> str:
    text = _pdftotext(path, timeout) if tool == "pdftotext" else _pypdf(data, str(path))
    check_size(len(text.encode("utf-8", "surrogatepass")), str(path), MAX_INPUT_BYTES)
    if not text.replace("\f", "").strip():
        raise BilldiffError(
            "the PDF has no text layer (a scanned image?)", where=str(path),
            fix="find a version with text (for MA bills the API's DocumentText), or OCR it first",
        )
    return text


def _pdftotext(path: Path, timeout: float) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        raise BilldiffError("pdftotext is not installed", fix="install poppler-utils, or use pypdf")
    try:
        done = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [exe, "-layout", "-enc", "UTF-8", str(path), "-"],
            capture_output=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise BilldiffError(f"pdftotext took more than {timeout:g} s", where=str(path),
                            fix="the PDF may be damaged or very large") from err
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()[:500]
        if "password" in message.lower() or "encrypt" in message.lower():
            raise BilldiffError(f"the PDF is encrypted (pdftotext: {message})", where=str(path),
                                fix="save an unencrypted copy")
        raise BilldiffError(
            f"the PDF could not be read (pdftotext exit {done.returncode}: {message})",
            where=str(path), fix="check that the file is a complete PDF")
    return done.stdout.decode("utf-8", "replace")


def _pypdf(data: bytes, where: str) -> str:
    import pypdf  # lazily: only this path needs it
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                try:
                    ok = reader.decrypt("")
                except Exception as err:  # noqa: BLE001 - pypdf raises assorted errors
                    raise BilldiffError("the PDF is encrypted", where=where,
                                        fix="save an unencrypted copy") from err
                if not ok:
                    raise BilldiffError("the PDF is encrypted", where=where,
                                        fix="save an unencrypted copy")
            pages = [page.extract_text() or "" for page in reader.pages]
    except BilldiffError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, AssertionError, ZeroDivisionError) as err:
        raise BilldiffError(f"the PDF could not be read ({type(err).__name__}: {err})",
                            where=where, fix="check that the file is a complete PDF") from err
    return "\f".join(pages)


def import_pdf(path: Path, doc_id: str, *, extractor: Extractor = "auto",
               source_url: str | None = None, retrieved: str | None = None,
               official: bool = True, completeness: Completeness | str = Completeness.COMPLETE,
               status: TextStatus | str | None = None) -> Document:
    """Import a PDF: extract its text, then parse it as an MA bill or as plain text.

    The checksum is of the PDF's bytes.  *source_url* is needed for non-MA PDFs (and for MA
    bills whose cover page does not name the bill).  *official*, *completeness* and *status*
    are as for :func:`~billdiff.importers.ma_bill.import_ma_bill`: the provenance names the
    local file (and the extractor), and is official only with *official*.
    """
    path = Path(path)
    value = import_status(status, official)
    data = _read_pdf(path)
    checksum = "sha256:" + hashlib.sha256(data).hexdigest()
    tool = _tool(extractor)
    text = _extract(path, data, tool, PDFTOTEXT_TIMEOUT)
    detail = f"text extracted with {tool}"
    description = f"PDF file {path.name}, {detail}"
    if looks_like_ma_bill(text):
        document = parse_ma_bill(text, doc_id, source_url=source_url, checksum=checksum,
                                 source_description=f"Massachusetts bill {description}",
                                 retrieved=retrieved, status=value, official=official)
    else:
        document = parse_plain(text, doc_id, source_url=source_url, checksum=checksum,
                               source_description=description, retrieved=retrieved,
                               status=value, official=official)
    return file_provenance(document, path.name, official=official, completeness=completeness,
                           retrieved=retrieved, detail=detail)


def detect_format(path: Path) -> str:
    """``pdf``, ``dc-xml``, ``ma-bill`` or ``plain``, from the file's first bytes.

    ``pdf`` by the ``%PDF-`` magic; ``dc-xml`` when the XML root element is in the DC Council's
    namespace; ``ma-bill`` when the text has the Legislature's cover-page or enacting-clause
    markers; anything else ``plain``.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(256_000)
    except OSError as err:
        raise BilldiffError(f"cannot read the file ({err.strerror})", where=str(path),
                            fix="check the path") from err
    if b"%PDF-" in head[:1024]:
        return "pdf"
    text = head.decode("utf-8-sig", "replace")
    stripped = text.lstrip()
    if stripped.startswith("<") and _xml_root_namespace(path) == DC_NAMESPACE:
        return "dc-xml"
    if looks_like_ma_bill(text):
        return "ma-bill"
    return "plain"


def _xml_root_namespace(path: Path) -> str | None:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    try:
        with path.open("rb") as handle:
            for _event, element in iterparse(handle, events=("start",)):
                tag = element.tag
                return tag[1:].split("}", 1)[0] if tag.startswith("{") else None
    except (DefusedXmlException, SyntaxError, ValueError, OSError):
        return None
    return None
