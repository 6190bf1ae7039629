"""Small documents built in code for exact tests of alignment and comparison."""

from __future__ import annotations

from typing import Any

from billdiff.model import Document, Section


def sec(id: str, text: str = "", number: str | None = None, status: str = "official",
        topics: tuple[str, ...] = (), children: tuple[Section, ...] = (),
        **extra: Any) -> Section:
    """A section; an empty text means status missing unless children are given."""
    if not text and not children:
        status = "missing"
    return Section.model_validate({"id": id, "number": number, "text": text, "status": status,
                                   "topics": topics, "children": children, **extra})


def doc(id: str, *sections: Section, number: str | None = None, filed: str | None = None,
        kind: str = "bill") -> Document:
    """A document with minimal provenance."""
    return Document.model_validate({
        "id": id, "kind": kind, "jurisdiction": "Testland", "number": number or id.upper(),
        "title": f"Test document {id}", "filed": filed,
        "official_url": f"https://example.org/{id}",
        "provenance": {"completeness": "complete", "summary": "Made in a test.",
                       "sources": [{"url": f"https://example.org/{id}",
                                    "description": "test"}]},
        "sections": sections,
    })
