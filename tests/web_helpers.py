"""Fixtures for the web, render, security and browser tests: a small corpus made on disk.

The corpus has what the real dossier has, in miniature: a statute with no text (status missing),
two bills with excerpts, defined terms, topics, analyses with cites to sections and sources, and
hostile text (markup, quotes, bidi controls) that must come out escaped.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

HOSTILE = '<script>alert("x")</script> & \'q\' \u202e'

STATUTE = {
    "id": "law-2020",
    "kind": "statute",
    "jurisdiction": "Testland",
    "number": "Code § 1",
    "title": "Test Code, section 1",
    "short_title": "Face scans (current law)",
    "filed": "2020-12-31",
    "status": "In force",
    "official_url": "https://example.org/law/1",
    "provenance": {
        "completeness": "none",
        "summary": "No text held; see the official link.",
        "sources": [{"url": "https://example.org/law/1", "description": "Official page",
                     "official": True}],
    },
    "sections": [
        {"id": "sec_1", "number": "1", "heading": "Face scans", "status": "missing",
         "text": "", "source_url": "https://example.org/law/1#s1",
         "note": "Not retrieved.", "topics": ["warrants", "definitions"]},
    ],
}

BILL_A = {
    "id": "bill-2021",
    "kind": "bill",
    "jurisdiction": "Testland",
    "session": "First session",
    "number": "H.1",
    "title": "An Act about face scans",
    "sponsors": [{"name": "Ann Rep"}, {"name": "Bo Sen"}],
    "filed": "2021-01-15",
    "status": "In committee",
    "official_url": "https://example.org/bills/h1",
    "relations": [{"type": "replaces", "target": "law-2020", "section": "sec_1"}],
    "provenance": {
        "completeness": "partial",
        "summary": "Excerpts from a copy of the bill.",
        "sources": [{"url": "https://example.org/bills/h1", "description": "Bill page",
                     "official": True}],
    },
    "sections": [
        {"id": "title", "heading": "Title", "status": "excerpt",
         "text": "An Act about face scans."},
        {"id": "sec_1", "number": "1", "heading": "Face scans", "status": "excerpt",
         "text": "The police may run a face scan only with a warrant.\nA judge decides.",
         "topics": ["warrants"]},
        {"id": "sec_1__def_face-scan", "number": "1(a) “Face scan”", "status": "official",
         "text": "“Face scan”, a search of photos by computer.", "topics": ["definitions"]},
        {"id": "sec_9", "number": "9", "heading": "Old rule", "status": "single-source",
         "text": "This rule goes away in the later bill entirely, with its words."},
        {"id": "sec_hostile", "number": "8", "heading": "Odd " + HOSTILE, "status": "excerpt",
         "text": "Text with " + HOSTILE + " inside."},
    ],
}

BILL_B = {
    "id": "bill-2023",
    "kind": "bill",
    "jurisdiction": "Testland",
    "session": "Second session",
    "number": "S.2",
    "title": "An Act about face scans, again",
    "sponsors": [{"name": "Cy Sen"}, {"name": "Judiciary", "role": "committee"}],
    "filed": "2023-02-01",
    "status": "Reported",
    "official_url": "https://example.org/bills/s2",
    "relations": [{"type": "redraft-of", "target": "bill-2021"}],
    "provenance": {
        "completeness": "partial",
        "summary": "Excerpts.",
        "sources": [{"url": "https://example.org/bills/s2", "description": "Bill page",
                     "official": True}],
    },
    "sections": [
        {"id": "title", "heading": "Title", "status": "excerpt",
         "text": "An Act about face scans, again."},
        {"id": "sec_1", "number": "1", "heading": "Face scans", "status": "excerpt",
         "text": "The police may run a face scan only with a signed warrant.\nA judge decides.",
         "topics": ["warrants"]},
        {"id": "sec_1__def_face-scan", "number": "1(a) “Face scan”", "status": "excerpt",
         "text": "“Face scan”, a search of photos or video by computer.",
         "topics": ["definitions"]},
        {"id": "sec_2", "number": "2", "heading": "Reports", "status": "missing", "text": "",
         "source_url": "https://example.org/bills/s2#sec2", "topics": ["reports"]},
        {"id": "sec_7", "number": "7", "heading": "New rule", "status": "excerpt",
         "text": "A brand new rule that did not exist before at all."},
        {"id": "sec_hostile", "number": "8", "heading": "Odd " + HOSTILE, "status": "excerpt",
         "text": "Text with " + HOSTILE + " inside, changed."},
    ],
}

TOPICS = {"topics": [
    {"id": "warrants", "title": "Warrants", "question": "Do police need a warrant?",
     "why_it_matters": "A warrant means a judge checks first."},
    {"id": "definitions", "title": "Definitions", "question": "What counts as a face scan?"},
    {"id": "reports", "title": "Reports", "question": "Must police report their scans?"},
]}

SOURCES = {"sources": [
    {"id": "news-1", "title": "News story on face scans", "url": "https://news.example/1",
     "kind": "press"},
]}

FACTS = {"facts": [{"id": "fact-1", "text": "Police ran many scans.", "sources": ["news-1"]}]}

ANALYSES = {
    "law-2020": {"document": "law-2020", "analyses": [
        {"topic": "warrants", "footing": "secondary-sources",
         "attributes": {"warrant_needed": "no"},
         "summary": [{"text": "Police need a court order, not a warrant.",
                      "cites": [{"source": "news-1"}]}]},
    ]},
    "bill-2023": {"document": "bill-2023", "analyses": [
        {"topic": "warrants", "footing": "official-text",
         "attributes": {"warrant_needed": "yes"},
         "summary": [{"text": "Police would need a signed warrant " + HOSTILE + ".",
                      "cites": [{"section": "sec_1"},
                                {"section": "sec_1", "document": "bill-2021"}]}]},
    ]},
}


def write_corpus(root: Path) -> Path:
    """Write the small corpus under *root* and return the folder."""
    (root / "documents").mkdir(parents=True, exist_ok=True)
    (root / "analyses").mkdir(exist_ok=True)
    for doc in (STATUTE, BILL_A, BILL_B):
        dump(root / "documents" / f"{doc['id']}.yaml", doc)
    for doc_id, data in ANALYSES.items():
        dump(root / "analyses" / f"{doc_id}.yaml", data)
    dump(root / "topics.yaml", TOPICS)
    dump(root / "sources.yaml", SOURCES)
    dump(root / "facts.yaml", FACTS)
    return root


def dump(path: Path, data: object) -> None:
    """Write YAML with every string quoted (so the strict loader keeps text as text)."""
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False,
                                   default_style=None), encoding="utf-8")


@pytest.fixture
def small_bills(tmp_path: Path) -> Path:
    """A small, clean corpus folder."""
    root = write_corpus(tmp_path / "bills")
    from billdiff.load import load_corpus

    problems = load_corpus(root).problems
    assert not problems, "\n".join(map(str, problems))
    return root


@pytest.fixture
def app(small_bills: Path):
    """The app on the small corpus."""
    from billdiff.web import create_app

    return create_app({"TESTING": True, "BILLS_DIR": str(small_bills)})


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


class TagCollector(HTMLParser):
    """Collects tags, attributes and text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        for k, v in attrs:
            if k == "id" and v:
                self.ids.append(v)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> TagCollector:
    """Parse *html* into a :class:`TagCollector`."""
    collector = TagCollector()
    collector.feed(html)
    collector.close()
    return collector
