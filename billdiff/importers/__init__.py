"""Importers: turn an outside format into a :class:`~billdiff.model.Document`.

``IMPORTERS`` maps a format name (as given to ``billdiff import --format``) to a function
``(path, doc_id) -> Document``.  Add a format by adding an entry here.  No web imports.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from billdiff.errors import BilldiffError
from billdiff.importers.dc_xml import import_dc_xml
from billdiff.model import Document

Importer = Callable[..., Document]


def _importers() -> dict[str, Importer]:
    from billdiff.importers.dc_law import import_dc_law
    from billdiff.importers.ma_bill import import_ma_bill
    from billdiff.importers.pdf import import_pdf
    from billdiff.importers.plain import import_plain

    return {"dc-xml": import_dc_xml, "dc-law": import_dc_law, "ma-bill": import_ma_bill,
            "plain": import_plain, "pdf": import_pdf}


#: Format name (``billdiff import --format``) -> ``importer(path, doc_id, **options)``.
IMPORTERS: dict[str, Importer] = _importers()
FORMATS = ("auto", *IMPORTERS)


def detect(path: Path) -> str:
    """The format of *path*: a folder is a DC Code title; files are sniffed by their content."""
    if Path(path).is_dir():
        return "dc-xml"
    from billdiff.importers.pdf import detect_format

    return detect_format(Path(path))


def _as_told(doc: Document, *, official: bool, status: str | None,
             completeness: str | None) -> Document:
    """*doc* (read as the official text it says it is) with what the user told: without
    *official*, its sources are not official and its official sections ``single-source`` (or
    *status*), as every importer records a file not stated to be official."""
    from billdiff.importers.dc_xml import _restatus
    from billdiff.importers.plain import import_completeness, import_status
    from billdiff.model import TextStatus

    value = import_status(status, official)
    provenance = doc.provenance
    if completeness is not None:
        provenance = provenance.model_copy(update={
            "completeness": import_completeness(completeness)})
    if official and value is TextStatus.OFFICIAL:
        return doc.model_copy(update={"provenance": provenance})
    if not official:
        provenance = provenance.model_copy(update={
            "summary": provenance.summary + " Not stated to be the official text.",
            "sources": tuple(s.model_copy(update={"official": False})
                             for s in provenance.sources)})
    return doc.model_copy(update={"provenance": provenance,
                                  "sections": _restatus(doc.sections, value)})


def run_import(path: Path, fmt: str, doc_id: str, *, source_url: str | None = None,
               official: bool = False, completeness: str | None = None,
               status: str | None = None) -> Document:
    """Import *path* with the importer registered as *fmt* (``auto`` detects it).

    *source_url* is where the text was published: required for plain text (the document's
    provenance must name its source), optional for the other formats.  *official*,
    *completeness* and *status* record what the user knows about the file, and nothing is
    claimed that the user does not say:

    - *official* (default False): the user's word that the file is the official text.  Without
      it every source is recorded ``official: false`` and every section ``single-source``
      (or *status*), whatever the format.
    - *completeness*: ``complete`` or ``partial``.  Default: ``partial`` for plain text, MA
      bills and PDFs (a file may hold part of a document); ``complete`` for DC Code XML (a
      section file, or a title folder, read whole) and a D.C. law (``dc-law``: its English
      text, read whole, never the codifiers' markup).
    - *status*: every section's status (``official`` needs *official*; ``excerpt`` or
      ``single-source``).
    """
    if fmt != "auto" and fmt not in IMPORTERS:
        raise BilldiffError(f"unknown import format {fmt!r}",
                            fix=f"use one of: {', '.join(FORMATS)}")
    path = Path(path)
    if not path.exists():
        raise BilldiffError("no such file or folder", where=str(path),
                            fix="check the path to import")
    if fmt == "auto":
        fmt = detect(path)
    importer = IMPORTERS[fmt]
    from billdiff.model import Completeness

    if fmt == "dc-xml":
        return importer(path, doc_id, official=official, status=status,
                        completeness=completeness)
    if fmt == "dc-law":
        return _as_told(importer(path, doc_id), official=official, status=status,
                        completeness=completeness)
    return importer(path, doc_id, source_url=source_url, official=official,
                    completeness=completeness or Completeness.PARTIAL, status=status)


def dump_document(doc: Document) -> str:
    """The YAML text of a document file (``documents/<id>.yaml``), defaults left out.

    Strings that YAML 1.1 would read as something else (``1.10``, ``220``, ``NO``,
    ``2025-01-13``) are quoted by ``safe_dump``, so the file loads back identical through
    :func:`billdiff.load.read_yaml`.  A string holding one of YAML's other line breaks (NEL
    U+0085, LS U+2028, PS U+2029) is written double-quoted, where they are escapes
    (``\\N``, ``\\L``, ``\\P``): written raw, PyYAML's single-quoted style folds a NEL into a
    space on reading.
    """
    data = doc.model_dump(mode="json", exclude_defaults=True)
    return yaml.dump(data, Dumper=_DocumentDumper, sort_keys=False, allow_unicode=True,
                     width=100)


class _DocumentDumper(yaml.SafeDumper):
    """``safe_dump``'s dumper, with YAML's non-ASCII line breaks always escaped."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if any(c in value for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_DocumentDumper.add_representer(str, _represent_str)
