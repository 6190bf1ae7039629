"""Pages as data, and HTML outside Flask.

Every page of the web app renders from one frozen *context* dataclass built here from the corpus
(``home_page``, ``document_page``, ``compare_page``, ``topic_page``, ``guide_page``).  The views
only read the request, call one of these, and render a template: the same contexts feed the
standalone HTML of ``billdiff compare --format html`` and, later, the PDF.

HTML is made by Jinja templates with autoescaping on (:func:`environment`); nothing in Python
builds markup.  This module does not import Flask.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from billdiff import settings
from billdiff.compare import CompareOptions, Comparison, PairDiff, TopicView, cached_compare
from billdiff.diff import DiffStats, Granularity
from billdiff.errors import BilldiffError
from billdiff.load import Corpus
from billdiff.model import (
    Analysis,
    Cite,
    Document,
    DocumentKind,
    Section,
    Statement,
    TextStatus,
    Topic,
    iter_sections,
)
from billdiff.normalize import BIDI_CONTROLS, bidi_marker
from billdiff.wording import plural

# -- labels shared by every page --------------------------------------------------------------

STATUS_LABELS: dict[str, str] = {
    "official": "Official text",
    "excerpt": "Excerpt",
    "single-source": "Single source",
    "missing": "Text missing",
}
STATUS_HELP: dict[str, str] = {
    "official": "Verbatim from the official publisher, the whole provision.",
    "excerpt": "Verbatim, but only part of the provision, or from a copy of the official text.",
    "single-source": "Verbatim from one outside copy that could not be checked against another.",
    "missing": "We could not get this text. Read it at the official link.",
}
COMPLETENESS_LABELS: dict[str, str] = {
    "complete": "Full text",
    "partial": "Partial text",
    "none": "No text",
}
TEXT_STATE_LABELS: dict[str, str] = {
    "changed": "Wording changed",
    "unchanged": "Same wording",
    "lacking": "Wording cannot be compared",
    "absent": "Not in either text",
}
KIND_LABELS: dict[str, str] = {
    "statute": "Current law",
    "bill": "Bill",
    "amendment": "Amendment",
    "ordinance": "Ordinance",
}
RELATION_LABELS: dict[str, tuple[str, str]] = {
    # type: (outgoing wording, incoming wording)
    "amends": ("amends", "amended by"),
    "replaces": ("would replace", "would be replaced by"),
    "companion-of": ("companion bill of", "companion bill of"),
    "redraft-of": ("new draft of", "redrafted as"),
    "refiled-as": ("refiled as", "refiled from"),
}
VIEWS = ("side", "inline")
GRANULARITIES: tuple[Granularity, ...] = ("word", "char")

_BIDI_RE = re.compile(f"[{BIDI_CONTROLS}]")


class BadRequest(BilldiffError):
    """A request parameter that cannot be used (the web app answers 400)."""


# -- the Jinja environment ---------------------------------------------------------------------


def show_bidi(text: str | None) -> str:
    """Replace bidi control characters with visible markers (they could reorder what is shown)."""
    if not text:
        return ""
    return _BIDI_RE.sub(lambda m: bidi_marker(m.group()), text)


def finalize(value: Any) -> Any:
    """Every ``{{ }}`` output: plain text gets its bidi controls shown (titles, headings,
    anything a corpus holds), so no template can forget to.  Markup made by templates
    themselves passes through; its text was finalized where it was made."""
    if type(value) is str and _BIDI_RE.search(value):
        return show_bidi(value)
    return value


def percent(value: float) -> str:
    """``0.1234`` as ``12%`` (``<1%`` for a small non-zero share)."""
    if 0 < value < 0.005:
        return "<1%"
    return f"{value:.0%}"


def humanize(name: str) -> str:
    """``max_retention_days`` as ``Max retention days``."""
    text = name.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def section_number(section: Section | None) -> str:
    """What a reader calls a section: ``§ 220(a)`` for a number, else its heading or id."""
    if section is None:
        return "(no provision)"
    if section.number:
        return "§ " + section.number if section.number[:1].isdigit() else section.number
    return section.heading or section.id


def section_label(section: Section | None) -> str:
    """Number and heading: ``§ 220(a) Definitions``."""
    if section is None:
        return "(no provision)"
    number = section_number(section)
    if section.number and section.heading:
        return f"{number} {section.heading}"
    return number


def configure(env: Environment) -> Environment:
    """Add billdiff's filters and globals to a Jinja environment (Flask's or our own)."""
    env.filters.update(show_bidi=show_bidi, percent=percent, humanize=humanize,
                       section_number=section_number, section_label=section_label)
    env.globals.update(
        plural=plural, STATUS_LABELS=STATUS_LABELS, STATUS_HELP=STATUS_HELP,
        COMPLETENESS_LABELS=COMPLETENESS_LABELS, TEXT_STATE_LABELS=TEXT_STATE_LABELS,
        KIND_LABELS=KIND_LABELS,
    )
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.finalize = finalize
    return env


class _Loader(FileSystemLoader):
    """Templates by bare name from templates/, and ``static/<file>`` from billdiff/static."""

    def __init__(self) -> None:
        super().__init__(str(settings.TEMPLATES_DIR))
        self._static = FileSystemLoader(str(settings.STATIC_DIR))

    def get_source(self, environment: Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        if template.startswith("static/"):
            return self._static.get_source(environment, template.removeprefix("static/"))
        return super().get_source(environment, template)


@functools.cache
def environment() -> Environment:
    """The Jinja environment for rendering outside Flask: autoescape on for every template.

    Templates are compiled once and cached by the environment.  ``static/<file>`` names the CSS
    files so the standalone page can inline them (template *source* is never escaped; values
    always are).
    """
    env = Environment(loader=_Loader(), autoescape=True, undefined=StrictUndefined,
                      auto_reload=False)
    return configure(env)


def render(template: str, **context: Any) -> str:
    """Render one template with the non-Flask environment."""
    return environment().get_template(template).render(**context)


# -- small view models --------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A link a template can show: text, target, and whether it leaves the site."""

    text: str
    href: str | None
    external: bool = False


@dataclass(frozen=True)
class CitedStatement:
    """One sentence of an analysis with the links to what it rests on."""

    text: str
    cites: tuple[Link, ...]


@dataclass(frozen=True)
class AnalysisView:
    """An analysis ready to show: its sentences with cite links, attributes and footing."""

    document: Document
    topic: Topic
    statements: tuple[CitedStatement, ...]
    attributes: tuple[tuple[str, str], ...]
    footing: str

    @property
    def footing_label(self) -> str:
        """What the analysis rests on, in words."""
        return {
            "official-text": "Based on the bill or law text",
            "secondary-sources": "Based on outside sources, not the text itself",
            "mixed": "Based partly on the text and partly on outside sources",
        }.get(self.footing, self.footing)


def section_href(doc_id: str, section_id: str) -> str:
    """The permalink of one section."""
    return f"/documents/{doc_id}#{section_id}"


def cite_link(corpus: Corpus, cite: Cite, own_doc: str) -> Link:
    """Where one cite points: a section permalink on this site, or an outside source."""
    if cite.section is not None:
        doc_id = cite.document or own_doc
        doc = corpus.documents.get(doc_id)
        section = corpus.sections_of(doc_id).get(cite.section) if doc else None
        label = section_number(section) if section else cite.section
        if doc is not None and doc_id != own_doc:
            label = f"{doc.number}, {label}"
        return Link(label, section_href(doc_id, cite.section))
    source = corpus.sources.get(cite.source or "")
    if source is None:
        return Link(cite.source or "source", None)
    return Link(source.title, source.url, external=True)


def analysis_view(corpus: Corpus, doc: Document, analysis: Analysis | None) -> AnalysisView | None:
    """An analysis with its cites resolved (None stays None)."""
    if analysis is None:
        return None
    topic = corpus.topics.get(analysis.topic) or Topic(
        id=analysis.topic, title=humanize(analysis.topic), question=humanize(analysis.topic))
    return AnalysisView(
        doc, topic,
        tuple(_statement(corpus, s, doc.id) for s in analysis.summary),
        tuple(sorted(analysis.attributes.items())),
        analysis.footing,
    )


def _statement(corpus: Corpus, statement: Statement, own_doc: str) -> CitedStatement:
    return CitedStatement(statement.text,
                          tuple(cite_link(corpus, c, own_doc) for c in statement.cites))


def official_link(doc: Document, section: Section | None = None) -> str | None:
    """The official text of a section (its own link, else the document's)."""
    if section is not None and section.source_url:
        return section.source_url
    return doc.official_url


def year_of(doc: Document) -> str:
    """The year a document was filed or enacted ('' if unknown)."""
    return (doc.filed or "")[:4]


def sponsor_names(doc: Document, limit: int = 3) -> str:
    """``A, B and 3 more`` (petitioners left out, committees kept)."""
    names = [s.name for s in doc.sponsors if s.role != "petitioner"]
    if not names:
        return ""
    if len(names) <= limit:
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"


def default_pair(corpus: Corpus) -> tuple[str, str]:
    """The comparison people come for: current law (or the oldest text) against the latest bill."""
    docs = corpus.ordered_documents()
    if not docs:
        raise BadRequest("the corpus has no documents")
    statutes = [d for d in docs if d.kind is DocumentKind.STATUTE]
    a = statutes[-1] if statutes else docs[0]
    later = [d for d in docs if d.id != a.id]
    b = later[-1] if later else a
    return a.id, b.id


def _text_sections(doc: Document) -> list[Section]:
    return [s for s, _ in iter_sections(doc.sections)]


# -- home ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One document on the home page's timeline."""

    document: Document
    year: str
    sponsors: str
    relations: tuple[Link, ...]


@dataclass(frozen=True)
class TimelineStop:
    """One year on the timeline (companion bills filed the same year share a stop)."""

    year: str
    entries: tuple[TimelineEntry, ...]


@dataclass(frozen=True)
class HomePage:
    """The dossier in one screen."""

    heading: str
    lede: str
    current: Document | None
    latest: Document | None
    stops: tuple[TimelineStop, ...]
    topics: tuple[Topic, ...]
    default_a: str
    default_b: str
    problems: int
    documents: int


def _relation_links(corpus: Corpus, doc: Document) -> tuple[Link, ...]:
    links: list[Link] = []
    for rel in doc.relations:
        target = corpus.documents.get(rel.target)
        if target is None:
            continue
        links.append(Link(f"{RELATION_LABELS[rel.type.value][0]} {target.number}",
                          f"/documents/{target.id}"))
    return tuple(links)


def home_page(corpus: Corpus) -> HomePage:
    """The home page: current law, the bills on a timeline, the topics, and where to start."""
    docs = corpus.ordered_documents()
    a_id, b_id = default_pair(corpus) if docs else ("", "")
    current = corpus.documents.get(a_id)
    latest = corpus.documents.get(b_id)
    stops: dict[str, list[TimelineEntry]] = {}
    for doc in docs:
        stops.setdefault(year_of(doc) or "Undated", []).append(
            TimelineEntry(doc, year_of(doc), sponsor_names(doc), _relation_links(corpus, doc)))
    if current is not None and current.kind is DocumentKind.STATUTE:
        subject = current.short_title or current.title
        heading = f"{current.number}: {subject}"
        bills = plural(len(docs) - 1, "bill")
        lede = (f"What {current.jurisdiction} law says now, and how {bills} "
                "would change it, provision by provision.")
    else:
        heading = "Laws and bills, provision by provision"
        lede = f"{plural(len(docs), 'document')} compared provision by provision."
    return HomePage(
        heading, lede, current, latest,
        tuple(TimelineStop(y, tuple(e)) for y, e in stops.items()),
        tuple(corpus.topics.values()), a_id, b_id, len(corpus.problems), len(docs),
    )


# -- document -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionView:
    """One section of a document page."""

    section: Section
    depth: int
    official_url: str | None
    topics: tuple[Topic, ...]
    is_definition: bool


@dataclass(frozen=True)
class DocumentPage:
    """A document: metadata, provenance, relations, sections, and our analyses."""

    document: Document
    sponsors: str
    relations: tuple[Link, ...]
    related_from: tuple[Link, ...]
    sections: tuple[SectionView, ...]
    status_counts: tuple[tuple[str, int], ...]
    analyses: tuple[AnalysisView, ...]
    compare: tuple[str, str] | None


def document_page(corpus: Corpus, doc_id: str) -> DocumentPage:
    """The document page for *doc_id* (:class:`~billdiff.errors.NotFound` if unknown)."""
    doc = corpus.document(doc_id)
    views = []
    counts: dict[str, int] = {}
    for section, depth in iter_sections(doc.sections):
        topics = tuple(corpus.topics[t] for t in section.topics if t in corpus.topics)
        views.append(SectionView(section, depth, official_link(doc, section), topics,
                                 "__def_" in section.id))
        counts[section.status.value] = counts.get(section.status.value, 0) + 1
    outgoing = _relation_links(corpus, doc)
    incoming: list[Link] = []
    for other in corpus.ordered_documents():
        for rel in other.relations:
            if rel.target == doc.id and other.id != doc.id:
                link = Link(f"{RELATION_LABELS[rel.type.value][1]} {other.number}",
                            f"/documents/{other.id}")
                if link not in outgoing and link not in incoming:  # companions name each other
                    incoming.append(link)
    analyses = tuple(
        v for t in corpus.topics
        if (v := analysis_view(corpus, doc, corpus.analysis(doc.id, t))) is not None
    )
    a_id, b_id = default_pair(corpus)
    other_id = a_id if doc.id != a_id else b_id
    compare: tuple[str, str] | None = None
    if other_id != doc.id:
        other = corpus.document(other_id)
        compare = ((other.id, doc.id) if (other.filed or "") <= (doc.filed or "")
                   else (doc.id, other.id))
    return DocumentPage(
        doc, sponsor_names(doc, limit=12), outgoing,
        tuple(dict.fromkeys(incoming)), tuple(views),
        tuple((k, counts[k]) for k in STATUS_LABELS if k in counts), analyses, compare,
    )


# -- compare ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairView:
    """One aligned pair on the compare page."""

    pair: PairDiff
    a_official: str | None
    b_official: str | None

    @property
    def anchor(self) -> str:
        """Fragment id of this pair."""
        return "pair-" + self.pair.anchor

    @property
    def title(self) -> str:
        """``§ 220(a) Definitions → § 220(a) Definitions``-style heading."""
        la = section_label(self.pair.a_section)
        lb = section_label(self.pair.b_section)
        return la if la == lb else f"{la} → {lb}"

    @property
    def caution(self) -> bool:
        """True when a change may only mean that words were not retrieved (an excerpt side)."""
        return self.pair.changed and bool(self.pair.partial)


@dataclass(frozen=True)
class TopicBlock:
    """One topic on the compare page: the summary line and the pairs."""

    view: TopicView
    anchor: str
    a_analysis: AnalysisView | None
    b_analysis: AnalysisView | None
    pairs: tuple[PairView, ...]
    stats: DiffStats

    @property
    def state(self) -> str:
        """The topic's text state (see :attr:`TopicView.text_state`)."""
        return self.view.text_state


@dataclass(frozen=True)
class ComparePage:
    """The compare page: the form's state, the summary, the topics and the rest."""

    comparison: Comparison
    documents: tuple[Document, ...]
    topics: tuple[Topic, ...]
    selected_topics: tuple[str, ...]
    view: str
    granularity: str
    quotes: bool
    blocks: tuple[TopicBlock, ...]
    other_changed: tuple[PairView, ...]
    other_unchanged: tuple[PairView, ...]
    other_lacking: tuple[PairView, ...]
    reversed_order: bool
    query: str

    @property
    def a(self) -> Document:
        """Side A."""
        return self.comparison.a

    @property
    def b(self) -> Document:
        """Side B."""
        return self.comparison.b

    @property
    def compared(self) -> int:
        """How many aligned pairs had text on both sides (and so a diff)."""
        return sum(1 for p in self.comparison.pairs if p.diff is not None)


def parse_compare_args(corpus: Corpus,
                       args: dict[str, list[str]]) -> tuple[str, str, CompareOptions, str]:
    """Check the compare page's query parameters; return ``(a, b, options, view)``.

    Raises :class:`BadRequest` naming the parameter for anything that cannot be used, and
    :class:`~billdiff.errors.NotFound` for an unknown document.
    """
    da, db = default_pair(corpus)

    def one(name: str, default: str) -> str:
        values = args.get(name) or []
        if len(values) > 1:
            raise BadRequest(f"give {name!r} once (got {len(values)} values)")
        return values[0].strip() if values and values[0].strip() else default

    a, b = one("a", da), one("b", db)
    for value in (a, b):
        corpus.document(value)
    granularity = one("granularity", "word")
    if granularity not in GRANULARITIES:
        raise BadRequest(f"granularity must be 'word' or 'char', not {granularity!r}")
    view = one("view", "side")
    if view not in VIEWS:
        raise BadRequest(f"view must be 'side' or 'inline', not {view!r}")
    quotes_raw = one("quotes", "0")
    if quotes_raw not in ("0", "1"):
        raise BadRequest(f"quotes must be 0 or 1, not {quotes_raw!r}")
    topics = [t.strip() for t in args.get("topic", []) if t.strip()]
    for t in topics:
        if t not in corpus.topics:
            known = ", ".join(corpus.topics) or "none"
            raise BadRequest(f"unknown topic {t!r} (known topics: {known})")
    options = CompareOptions(granularity=granularity,
                             quotes=quotes_raw == "1", topics=tuple(dict.fromkeys(topics)))
    return a, b, options, view


def _pair_view(pair: PairDiff, a: Document, b: Document) -> PairView:
    return PairView(pair, official_link(a, pair.a_section), official_link(b, pair.b_section))


def compare_page(corpus: Corpus, a_id: str, b_id: str, options: CompareOptions | None = None,
                 view: str = "side") -> ComparePage:
    """The compare page for documents *a_id* and *b_id* (comparison cached by content)."""
    a, b = corpus.document(a_id), corpus.document(b_id)
    options = options or CompareOptions()
    return comparison_context(cached_compare(a, b, corpus=corpus, options=options), corpus, view)


def comparison_context(comparison: Comparison, corpus: Corpus | None,
                       view: str = "side") -> ComparePage:
    """The compare page's context for a comparison already made."""
    a, b = comparison.a, comparison.b
    blocks = []
    for tv in comparison.topics:
        stats = DiffStats()
        for p in tv.pairs:
            if p.stats is not None:
                stats = stats + p.stats
        blocks.append(TopicBlock(
            tv, f"topic-{tv.topic.id}",
            analysis_view(corpus, a, tv.a_analysis) if corpus else None,
            analysis_view(corpus, b, tv.b_analysis) if corpus else None,
            tuple(_pair_view(p, a, b) for p in tv.pairs), stats))
    rest = [_pair_view(p, a, b) for p in comparison.pairs if p.topic is None]
    docs: Sequence[Document] = corpus.ordered_documents() if corpus else (a, b)
    options = comparison.options
    return ComparePage(
        comparison, tuple(docs), tuple(corpus.topics.values()) if corpus else (),
        options.topics, view, options.granularity, options.quotes, tuple(blocks),
        tuple(p for p in rest if p.pair.changed),
        tuple(p for p in rest if p.pair.diff is not None and not p.pair.changed),
        tuple(p for p in rest if p.pair.diff is None),
        bool(b.filed) and (a.filed or "") > (b.filed or ""),
        _query(a.id, b.id, options, view),
    )


def _query(a: str, b: str, options: CompareOptions, view: str) -> str:
    params: list[tuple[str, str]] = [("a", a), ("b", b)]
    params += [("topic", t) for t in options.topics]
    if view != "side":
        params.append(("view", view))
    if options.granularity != "word":
        params.append(("granularity", options.granularity))
    if options.quotes:
        params.append(("quotes", "1"))
    return urlencode(params)


# -- topic --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionView:
    """One version of one provision on the topic page."""

    document: Document
    analysis: AnalysisView | None
    sections: tuple[SectionView, ...]

    @property
    def has_text(self) -> bool:
        """True if any of its sections on this topic has text."""
        return any(v.section.text.strip() and v.section.status is not TextStatus.MISSING
                   for v in self.sections)


@dataclass(frozen=True)
class StepView:
    """The change from one version to the next."""

    a: Document
    b: Document
    pairs: tuple[PairView, ...]
    attribute_changes: tuple[tuple[str, str | None, str | None], ...]
    state: str

    @property
    def anchor(self) -> str:
        """Fragment id of this step."""
        return f"change-{self.a.id}--{self.b.id}"


@dataclass(frozen=True)
class TopicPage:
    """One provision across every version, oldest to newest."""

    topic: Topic
    versions: tuple[VersionView, ...]
    steps: tuple[StepView, ...]
    others: tuple[Topic, ...]
    why_cites: tuple[Link, ...] = ()


def topic_page(corpus: Corpus, topic_id: str) -> TopicPage:
    """The topic page (:class:`~billdiff.errors.NotFound` for an unknown topic)."""
    topic = corpus.topic(topic_id)
    docs = [d for d in corpus.ordered_documents()
            if corpus.analysis(d.id, topic_id) is not None
            or any(topic_id in s.topics for s in _text_sections(d))]
    versions = []
    for doc in docs:
        secs = tuple(
            SectionView(s, depth, official_link(doc, s),
                        tuple(corpus.topics[t] for t in s.topics if t in corpus.topics),
                        "__def_" in s.id)
            for s, depth in iter_sections(doc.sections) if topic_id in s.topics)
        versions.append(VersionView(doc, analysis_view(corpus, doc,
                                                       corpus.analysis(doc.id, topic_id)), secs))
    steps = []
    options = CompareOptions(topics=(topic_id,))
    for prev, nxt in zip(docs, docs[1:], strict=False):
        cmp = cached_compare(prev, nxt, corpus=corpus, options=options)
        tv = cmp.topics[0] if cmp.topics else None
        steps.append(StepView(
            prev, nxt, tuple(_pair_view(p, prev, nxt) for p in cmp.pairs),
            tv.attribute_changes if tv else (), tv.text_state if tv else "absent"))
    return TopicPage(topic, tuple(versions), tuple(steps),
                     tuple(t for t in corpus.topics.values() if t.id != topic_id),
                     why_links(corpus, topic))


# -- guide --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuideTopic:
    """One topic of the plain-language guide."""

    topic: Topic
    now: AnalysisView | None
    bill: AnalysisView | None
    changes: tuple[tuple[str, str | None, str | None], ...]
    text_state: str
    why_cites: tuple[Link, ...] = ()


def why_links(corpus: Corpus, topic: Topic) -> tuple[Link, ...]:
    """Links for what a topic's "why it matters" rests on."""
    return tuple(cite_link(corpus, c, c.document or "") for c in topic.why_cites)


@dataclass(frozen=True)
class TermVersion:
    """One document's wording of a defined term."""

    document: Document
    section: Section
    official_url: str | None


@dataclass(frozen=True)
class Term:
    """A defined term and its wording in each document that defines it."""

    slug: str
    term: str
    versions: tuple[TermVersion, ...]


@dataclass(frozen=True)
class GuidePage:
    """The plain-language guide: each topic now and under the bill, and a glossary."""

    current: Document
    bill: Document
    topics: tuple[GuideTopic, ...]
    terms: tuple[Term, ...]
    sources: tuple[Link, ...] = field(default=())


_QUOTED = re.compile(r"[“\"]([^”\"]{1,80})[”\"]")


def _term_name(section: Section) -> str:
    for candidate in (section.number or "", section.heading or "", section.text):
        m = _QUOTED.search(candidate)
        if m:
            return m.group(1)
    slug = section.id.split("__def_", 1)[1]
    return humanize(slug)


def glossary(corpus: Corpus) -> tuple[Term, ...]:
    """Defined terms (sections whose id contains ``__def_``), each with every version's wording."""
    terms: dict[str, list[TermVersion]] = {}
    names: dict[str, str] = {}
    for doc in corpus.ordered_documents():
        for section, _ in iter_sections(doc.sections):
            if "__def_" not in section.id:
                continue
            slug = section.id.split("__def_", 1)[1]
            names.setdefault(slug, _term_name(section))
            terms.setdefault(slug, []).append(
                TermVersion(doc, section, official_link(doc, section)))
    return tuple(Term(slug, names[slug], tuple(v))
                 for slug, v in sorted(terms.items(), key=lambda kv: names[kv[0]].lower()))


def guide_page(corpus: Corpus) -> GuidePage:
    """The guide: what the law says now (A), what the latest bill would change (B), and why."""
    a_id, b_id = default_pair(corpus)
    a, b = corpus.document(a_id), corpus.document(b_id)
    cmp = cached_compare(a, b, corpus=corpus)
    topics = tuple(
        GuideTopic(tv.topic, analysis_view(corpus, a, tv.a_analysis),
                   analysis_view(corpus, b, tv.b_analysis), tv.attribute_changes, tv.text_state,
                   why_links(corpus, tv.topic))
        for tv in cmp.topics)
    return GuidePage(a, b, topics, glossary(corpus))


# -- the standalone comparison (``billdiff compare --format html``) -----------------------------


def standalone_comparison(comparison: Comparison, corpus: Corpus | None) -> str:
    """A self-contained HTML page of *comparison*: its CSS inline, every text escaped."""
    return render("standalone_comparison.html", page=comparison_context(comparison, corpus))
