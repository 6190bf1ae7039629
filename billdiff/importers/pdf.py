"""PDF -> text -> :class:`~billdiff.model.Document`, and the format detector for ``--format auto``.

Text comes from poppler's ``pdftotext -layout`` when it is on PATH (run without a shell, with a
timeout), else from pypdf (a declared dependency).  Both give one line per printed line with the
page's lines in reading order and a form feed between pages, which is what the Massachusetts
bill parser expects.  The text then goes to :func:`~billdiff.importers.ma_bill.parse_ma_bill`
when it carries the Legislature's markers, else to :func:`~billdiff.importers.plain.parse_plain`.

The text is capped while it is made, not after: pdftotext's output is read as it comes and the
tool is stopped as soon as the text passes :data:`~billdiff.importers.plain.MAX_INPUT_BYTES`,
or its words (:func:`~billdiff.importers.plain.words_bytes`) pass the corpus file limit
(``BILLDIFF_MAX_FILE_BYTES``: such a text could never make a document file); pypdf's is checked
after each page.  A 2.4 MB PDF used to produce 96 MB of text before the check.  Errors are one
line (pdftotext's own several lines of complaints are summed up in one).

``--format auto`` (:func:`detect_format`) refuses XML with a DOCTYPE or entities, which no
format billdiff reads ever has, instead of importing its markup as plain text.
"""

from __future__ import annotations

import hashlib
import io
import logging
import shutil
import subprocess
import tempfile
import threading
import warnings
from pathlib import Path
from typing import IO, Literal

from billdiff import settings
from billdiff.errors import BilldiffError, InputTooLarge
from billdiff.importers.ma_bill import looks_like_ma_bill, parse_ma_bill
from billdiff.importers.plain import (
    LAYOUT_BYTES_PER_LINE,
    MAX_INPUT_BYTES,
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
    if not is_pdf(data):
        raise BilldiffError("not a PDF file (no %PDF- header)", where=str(path),
                            fix="pass a PDF, or choose --format plain or ma-bill for text")
    return data


def is_pdf(data: bytes) -> bool:
    """Do *data* start like a PDF (``%PDF-`` in the first KB)?"""
    return b"%PDF-" in data[:1024]


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
    return _extract(path, _read_pdf(path), _tool(extractor), timeout, str(path))


def _extract(path: Path | None, data: bytes, tool: str, timeout: float, where: str) -> str:
    """The PDF's text, capped as it is made; *path* is the file for pdftotext (a private
    temporary copy of *data* is made when there is none), *where* names it in errors."""
    if tool != "pdftotext":
        text = _pypdf(data, where)
    elif path is not None:
        text = _pdftotext(path, timeout, where)
    else:
        with tempfile.TemporaryDirectory(prefix="billdiff-") as folder:
            copy = Path(folder) / "input.pdf"
            copy.write_bytes(data)
            text = _pdftotext(copy, timeout, where)
    if not text.replace("\f", "").strip():
        raise BilldiffError(
            "the PDF has no text layer (a scanned image?)", where=where,
            fix="find a version with text (for MA bills the API's DocumentText), or OCR it first",
        )
    return text


class _TextCap:
    """Counts extracted text as it comes and says when it is over the import's limits."""

    _SPACE = (b" ", b"\t", b"\n", b"\r", b"\f", b"\v")

    def __init__(self, where: str) -> None:
        self.where = where
        self.size = self.words = self.lines = 0
        self.words_limit = settings.max_file_bytes()

    def add(self, chunk: bytes) -> InputTooLarge | None:
        """Count *chunk*; the error to raise if the text is now over a limit, else None."""
        self.size += len(chunk)
        self.words += len(chunk) - sum(chunk.count(ch) for ch in self._SPACE)
        self.lines += chunk.count(b"\n")
        if self.size > MAX_INPUT_BYTES:
            return InputTooLarge(
                f"the PDF's text is over the {MAX_INPUT_BYTES:,}-byte limit for imports "
                "(extraction stopped there)", where=self.where,
                fix="split the PDF, or import only the pages you need")
        if self.words - LAYOUT_BYTES_PER_LINE * (self.lines + 1) > self.words_limit:
            return InputTooLarge(
                f"the PDF's text has more than {self.words_limit:,} bytes of words, so its "
                "document would be over the limit for corpus files (extraction stopped there)",
                where=self.where,
                fix="import only the pages you need, or raise BILLDIFF_MAX_FILE_BYTES")
        return None


def one_line(message: str, limit: int = 300) -> str:
    """A tool's complaint as one line: its distinct lines, in order, joined by ``; ``."""
    lines = dict.fromkeys(" ".join(line.split()) for line in message.splitlines())
    text = "; ".join(line for line in lines if line)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _pdftotext(path: Path, timeout: float, where: str) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        raise BilldiffError("pdftotext is not installed", fix="install poppler-utils, or use pypdf")
    cap = _TextCap(where)
    parts: list[bytes] = []
    over: list[InputTooLarge] = []
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            [exe, "-layout", "-enc", "UTF-8", str(path), "-"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors)
        stdout: IO[bytes] = process.stdout  # type: ignore[assignment]

        def read() -> None:
            # read1: whatever the pipe holds, so the cap is checked as the text comes
            while chunk := stdout.read1(65536):  # type: ignore[attr-defined]
                parts.append(chunk)
                problem = cap.add(chunk)
                if problem is not None:
                    over.append(problem)
                    process.kill()
                    return

        reader = threading.Thread(target=read, name="pdftotext-reader", daemon=True)
        reader.start()
        reader.join(timeout)
        timed_out = reader.is_alive()
        if timed_out:
            process.kill()
            reader.join()
        code = process.wait()
        stdout.close()
        errors.seek(0)
        complaint = one_line(errors.read(20_000).decode("utf-8", "replace"))
    if over:
        raise over[0]
    if timed_out:
        raise BilldiffError(f"pdftotext took more than {timeout:g} s", where=where,
                            fix="the PDF may be damaged or very large")
    if code != 0:
        if "password" in complaint.lower() or "encrypt" in complaint.lower():
            raise BilldiffError(f"the PDF is encrypted (pdftotext: {complaint})", where=where,
                                fix="save an unencrypted copy")
        raise BilldiffError(
            f"the PDF could not be read (pdftotext exit {code}: {complaint or 'no message'})",
            where=where, fix="check that the file is a complete PDF")
    return b"".join(parts).decode("utf-8", "replace")


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
            cap = _TextCap(where)
            pages: list[str] = []
            for page in reader.pages:
                pages.append(page.extract_text() or "")
                problem = cap.add(pages[-1].encode("utf-8", "surrogatepass") + b"\f")
                if problem is not None:
                    raise problem
    except BilldiffError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, AssertionError, ZeroDivisionError) as err:
        raise BilldiffError(f"the PDF could not be read ({type(err).__name__}: "
                            f"{one_line(str(err), 200)})",
                            where=where, fix="check that the file is a complete PDF") from err
    return "\f".join(pages)


def import_pdf(path: Path, doc_id: str, *, extractor: Extractor = "auto",
               source_url: str | None = None, retrieved: str | None = None,
               official: bool = False, completeness: Completeness | str = Completeness.PARTIAL,
               status: TextStatus | str | None = None) -> Document:
    """Import a PDF: extract its text, then parse it as an MA bill or as plain text.

    The checksum is of the PDF's bytes.  *source_url* is needed for non-MA PDFs (and for MA
    bills whose cover page does not name the bill).  *official* (default False),
    *completeness* (default ``partial``) and *status* are as for
    :func:`~billdiff.importers.ma_bill.import_ma_bill`: the provenance names the local file
    (and the extractor), and is official only with *official*.
    """
    path = Path(path)
    value = import_status(status, official)
    data = _read_pdf(path)
    tool = _tool(extractor)
    text = _extract(path, data, tool, PDFTOTEXT_TIMEOUT, str(path))
    document, detail = _parse_pdf_text(text, data, doc_id, tool, f"PDF file {path.name}",
                                       source_url=source_url, retrieved=retrieved,
                                       status=value, official=official)
    return file_provenance(document, path.name, official=official, completeness=completeness,
                           retrieved=retrieved, detail=detail)


def parse_pdf(data: bytes, doc_id: str, *, where: str, source_url: str | None = None,
              source_description: str = "PDF", extractor: Extractor = "auto",
              retrieved: str | None = None, official: bool = False,
              status: TextStatus | str | None = None) -> Document:
    """A PDF given as bytes (a download) as a :class:`Document`, errors naming *where* (its
    address: never a temporary file).  The provenance is the parser's (one source,
    *source_url*, complete); *official* and *status* are as for :func:`import_pdf`."""
    value = import_status(status, official)
    if not is_pdf(data):
        raise BilldiffError("not a PDF (no %PDF- header)", where=where,
                            fix="the address must serve a PDF file")
    tool = _tool(extractor)
    text = _extract(None, data, tool, PDFTOTEXT_TIMEOUT, where)
    document, _detail = _parse_pdf_text(text, data, doc_id, tool, source_description,
                                        source_url=source_url, retrieved=retrieved,
                                        status=value, official=official)
    return document


def _parse_pdf_text(text: str, data: bytes, doc_id: str, tool: str, what: str, *,
                    source_url: str | None, retrieved: str | None, status: TextStatus,
                    official: bool) -> tuple[Document, str]:
    checksum = "sha256:" + hashlib.sha256(data).hexdigest()
    detail = f"text extracted with {tool}"
    description = f"{what}, {detail}"
    if looks_like_ma_bill(text):
        document = parse_ma_bill(text, doc_id, source_url=source_url, checksum=checksum,
                                 source_description=f"Massachusetts bill {description}",
                                 retrieved=retrieved, status=status, official=official)
    else:
        document = parse_plain(text, doc_id, source_url=source_url, checksum=checksum,
                               source_description=description, retrieved=retrieved,
                               status=status, official=official)
    return document, detail


def detect_format(path: Path) -> str:
    """``pdf``, ``dc-xml``, ``ma-bill`` or ``plain``, from the file's first bytes.

    ``pdf`` by the ``%PDF-`` magic; ``dc-xml`` when the XML root element is in the DC Council's
    namespace; ``ma-bill`` when the text has the Legislature's cover-page or enacting-clause
    markers; anything else ``plain``.
    """
    from billdiff.files import open_regular

    path = Path(path)
    # open_regular: a FIFO or a device is refused ("not a regular file"), never waited on
    handle = open_regular(path, where=str(path))
    try:
        with handle:
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
    """The namespace of the root element of an XML file (None: not XML, or no namespace).

    XML that declares a DOCTYPE or entities is refused (:class:`BilldiffError`): no format
    billdiff imports has one, and its markup must not be imported as plain text either.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    try:
        with path.open("rb") as handle:
            for _event, element in iterparse(handle, events=("start",), forbid_dtd=True):
                tag = element.tag
                return tag[1:].split("}", 1)[0] if tag.startswith("{") else None
    except DefusedXmlException as err:
        raise BilldiffError(
            f"refused unsafe XML ({type(err).__name__}: a DOCTYPE, entities or external "
            "references, which billdiff never reads)", where=str(path),
            fix="DC Code XML never has a DOCTYPE: use the file as published by the DC Council"
        ) from err
    except (SyntaxError, ValueError, OSError):
        return None
    return None
