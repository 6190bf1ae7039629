"""Small documents built in code for exact tests of alignment and comparison."""

from __future__ import annotations

from typing import Any

from billdiff.model import Document, Section


def sec(id: str, text: str = "", number: str | None = None, status: str | None = None,
        topics: tuple[str, ...] = (), children: tuple[Section, ...] = (),
        **extra: Any) -> Section:
    """A section: official, or missing when it has no text and no children (unless a
    *status* is given, as for a held section with a heading and no words)."""
    if status is None:
        status = "official" if text or children else "missing"
    return Section.model_validate({"id": id, "number": number, "text": text, "status": status,
                                   "topics": topics, "children": children, **extra})


def doc(id: str, *sections: Section, number: str | None = None, filed: str | None = None,
        kind: str = "bill", completeness: str = "complete") -> Document:
    """A document with minimal provenance."""
    return Document.model_validate({
        "id": id, "kind": kind, "jurisdiction": "Testland", "number": number or id.upper(),
        "title": f"Test document {id}", "filed": filed,
        "official_url": f"https://example.org/{id}",
        "provenance": {"completeness": completeness, "summary": "Made in a test.",
                       "sources": [{"url": f"https://example.org/{id}",
                                    "description": "test"}]},
        "sections": sections,
    })
