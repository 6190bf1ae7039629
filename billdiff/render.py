"""Pages as data, and HTML outside Flask.

Every page of the web app renders from one frozen *context* dataclass built here from the corpus
(``home_page``, ``document_page``, ``compare_page``, ``topic_page``, ``guide_page``); the fact
sheet's data comes from :mod:`billdiff.factsheet`.  The views only read the request, call one of
these, and render a template: the same contexts feed the standalone HTML of ``billdiff compare
--format html``.  What a comparison means (kinds of change, states, headline numbers, labels)
comes from :mod:`billdiff.analysis`; this module only arranges it for the page.

HTML is made by Jinja templates with autoescaping on (:func:`environment`, the one environment
outside Flask, for pages and fact sheets alike); nothing in Python builds markup.  This module
does not import Flask.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from billdiff import analysis, ids, settings
from billdiff.amend import corpus as amended
from billdiff.analysis import (
    CHANGE_HELP,
    CHANGE_LABELS,
    COMPLETENESS_LABELS,
    FOOTING_LABELS,
    KIND_LABELS,
    LACK_LABELS,
    PAIR_STATE_LABELS,
    RELATION_LABELS,
    STATUS_HELP,
    STATUS_LABELS,
    TOPIC_STATE_LABELS,
    TOPIC_STATE_SYMBOLS,
    Change,
    PairReading,
    PairState,
    Reading,
    TopicReading,
    Unpaired,
    official_link,
    read_comparison,
    section_label,
    section_number,
    sponsor_line,
    year_of,
)
from billdiff.compare import CompareOptions, Comparison, cached_compare
from billdiff.diff import Granularity
from billdiff.errors import BadRequest, NotFound
from billdiff.load import Corpus
from billdiff.model import Analysis, Cite, Document, DocumentKind, Section, Statement, Topic
from billdiff.model import iter_sections as _iter_sections
from billdiff.normalize import BIDI_CONTROLS, bidi_marker
from billdiff.urls import Urls
from billdiff.wording import plural

if TYPE_CHECKING:
    from billdiff.amend import AmendResult, Outcome
    from billdiff.amend.corpus import AsAmended

VIEWS = ("side", "inline")
GRANULARITIES: tuple[Granularity, ...] = ("word", "char")
TYPOGRAPHY = ("show", "hide")
SHOW = ("all", "changes")

_BIDI_RE = re.compile(f"[{BIDI_CONTROLS}]")
#: The URLs of a site served at ``/`` (the web app passes its own, with its base path).
SITE = Urls()

__all__ = ["BadRequest", "environment", "render"]


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


def verbatim(value: str) -> Markup:
    """*value* escaped and nothing else, for a form field that gives a user's text back to
    them (a ``<textarea>``): what is sent again must be what they sent, so its bidi controls
    are not shown as markers (:func:`finalize` would write ``⟦U+202E⟧`` in their place)."""
    return escape(value)


def percent(value: float) -> str:
    """``0.1234`` as ``12%`` (``<1%`` for a small non-zero share)."""
    if 0 < value < 0.005:
        return "<1%"
    return f"{value:.0%}"


def humanize(name: str) -> str:
    """``max_retention_days`` as ``Max retention days``."""
    text = name.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


#: Labels every template may use, from the one vocabulary in :mod:`billdiff.analysis`.
GLOBALS: Mapping[str, Any] = {
    "plural": plural, "STATUS_LABELS": STATUS_LABELS, "STATUS_HELP": STATUS_HELP,
    "COMPLETENESS_LABELS": COMPLETENESS_LABELS, "TOPIC_STATE_LABELS": TOPIC_STATE_LABELS,
    "TOPIC_STATE_SYMBOLS": TOPIC_STATE_SYMBOLS, "PAIR_STATE_LABELS": PAIR_STATE_LABELS,
    "CHANGE_LABELS": CHANGE_LABELS, "CHANGE_HELP": CHANGE_HELP, "LACK_LABELS": LACK_LABELS,
    "KIND_LABELS": KIND_LABELS, "FOOTING_LABELS": FOOTING_LABELS,
    "DRAFT_ID": analysis.DRAFT_ID,
}


def configure(env: Environment) -> Environment:
    """Add billdiff's filters and globals to a Jinja environment (Flask's or our own)."""
    env.filters.update(show_bidi=show_bidi, verbatim=verbatim, percent=percent, humanize=humanize,
                       section_number=section_number, section_label=section_label)
    env.globals.update(GLOBALS)
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.finalize = finalize
    return env


class _Loader(FileSystemLoader):
    """Templates by bare name from the package's templates, ``static/<file>`` from its static
    folder (so the standalone page can inline the CSS)."""

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
    env.globals["urls"] = SITE
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
        return FOOTING_LABELS.get(self.footing, self.footing)


def cite_link(corpus: Corpus, cite: Cite, own_doc: str, urls: Urls = SITE) -> Link:
    """Where one cite points: a section permalink on this site, or an outside source."""
    if cite.section is not None:
        doc_id = cite.document or own_doc
        doc = corpus.documents.get(doc_id)
        section = corpus.sections_of(doc_id).get(cite.section) if doc else None
        label = section_number(section) if section else cite.section
        if doc is not None and doc_id != own_doc:
            label = f"{doc.number}, {label}"
        return Link(label, urls.document(doc_id, cite.section))
    source = corpus.sources.get(cite.source or "")
    if source is None:
        return Link(cite.source or "source", None)
    return Link(source.title, source.url, external=True)


def analysis_view(corpus: Corpus, doc: Document, analysis_: Analysis | None,
                  urls: Urls = SITE) -> AnalysisView | None:
    """An analysis with its cites resolved (None stays None)."""
    if analysis_ is None:
        return None
    topic = corpus.topics.get(analysis_.topic) or Topic(
        id=analysis_.topic, title=humanize(analysis_.topic), question=humanize(analysis_.topic))
    return AnalysisView(
        doc, topic,
        tuple(_statement(corpus, s, doc.id, urls) for s in analysis_.summary),
        tuple(sorted(analysis_.attributes.items())),
        analysis_.footing,
    )


def _statement(corpus: Corpus, statement: Statement, own_doc: str, urls: Urls
               ) -> CitedStatement:
    return CitedStatement(statement.text,
                          tuple(cite_link(corpus, c, own_doc, urls) for c in statement.cites))


def _hedged(label: str, reported: bool) -> str:
    """A relation's label, with "reportedly" when only secondary sources say so ("would
    reportedly replace", "would reportedly be replaced by")."""
    if not reported:
        return label
    words = label.split(" ", 1)
    return f"{words[0]} reportedly {words[1]}" if len(words) == 2 else f"reportedly {label}"


def _relation_links(corpus: Corpus, doc: Document, urls: Urls) -> tuple[Link, ...]:
    links: list[Link] = []
    for rel in doc.relations:
        target = corpus.documents.get(rel.target)
        if target is None:
            continue
        label = _hedged(RELATION_LABELS[rel.type.value][0], rel.reported)
        links.append(Link(f"{label} {target.number}", urls.document(target.id)))
    return tuple(links)


# -- home ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One document on the home page's timeline."""

    document: Document
    year: str
    sponsors: str
    relations: tuple[Link, ...]
    #: A bill of a session that has ended (it can no longer pass).
    ended: bool = False


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
    #: Bills whose session has not ended, newest first.
    pending: tuple[TimelineEntry, ...] = ()


def home_page(corpus: Corpus, urls: Urls = SITE) -> HomePage:
    """The home page: current law, the bills on a timeline, the topics, and where to start."""
    docs = corpus.ordered_documents()
    law, bill = analysis.default_pair(corpus) if docs else ("", "")
    a_id, b_id = analysis.first_comparison(corpus) if docs else ("", "")
    current = corpus.documents.get(law)
    latest = corpus.documents.get(bill)
    today = dt.date.today()
    stops: dict[str, list[TimelineEntry]] = {}
    entries = []
    for doc in docs:
        entry = TimelineEntry(doc, year_of(doc), sponsor_line(doc),
                              _relation_links(corpus, doc, urls),
                              analysis.is_bill(doc) and analysis.session_ended(doc, today))
        entries.append(entry)
        stops.setdefault(year_of(doc) or "Undated", []).append(entry)
    pending = tuple(e for e in reversed(entries) if analysis.is_bill(e.document) and not e.ended)
    if corpus.about is not None:
        heading = corpus.about.title
        lede = corpus.about.summary or ""
    elif current is not None and current.kind is DocumentKind.STATUTE:
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
        tuple(corpus.topics.values()), a_id, b_id, len(corpus.problems), len(docs), pending,
    )


# -- document -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionView:
    """One section of a document page."""

    section: Section
    depth: int
    official_url: str | None
    topics: tuple[Topic, ...]

    @property
    def is_definition(self) -> bool:
        """True for a defined term."""
        return ids.is_definition(self.section.id)


def section_view(corpus: Corpus, doc: Document, section: Section, depth: int) -> SectionView:
    """One section with its official link and topics."""
    return SectionView(section, depth, official_link(doc, section),
                       tuple(corpus.topics[t] for t in section.topics if t in corpus.topics))


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
    #: The "as amended" views this page offers (see :func:`as_amended_links`).
    as_amended: tuple[tuple[AsAmended, str | None], ...] = ()
    #: For the law as amended (a generated document): the pair it was made from.
    generated_from: AsAmended | None = None


def document_page(corpus: Corpus, doc_id: str, urls: Urls = SITE) -> DocumentPage:
    """The document page for *doc_id* (:class:`~billdiff.errors.NotFound` if unknown)."""
    doc = corpus.document(doc_id)
    views = []
    counts: dict[str, int] = {}
    for section, depth in _iter_sections(doc.sections):
        views.append(section_view(corpus, doc, section, depth))
        counts[section.status.value] = counts.get(section.status.value, 0) + 1
    outgoing = _relation_links(corpus, doc, urls)
    incoming: list[Link] = []
    for other in corpus.ordered_documents():
        for rel in other.relations:
            if rel.target == doc.id and other.id != doc.id:
                label = _hedged(RELATION_LABELS[rel.type.value][1], rel.reported)
                link = Link(f"{label} {other.number}", urls.document(other.id))
                if link not in outgoing and link not in incoming:  # companions name each other
                    incoming.append(link)
    analyses = tuple(
        v for t in corpus.topics
        if (v := analysis_view(corpus, doc, corpus.analysis(doc.id, t), urls)) is not None
    )
    a_id, b_id = analysis.default_pair(corpus)
    other_id = a_id if doc.id != a_id else b_id
    compare: tuple[str, str] | None = None
    generated_from = amended.of_document(corpus, doc)
    if generated_from is not None:
        compare = (generated_from.target.id, doc.id)
    elif other_id != doc.id:
        other = corpus.document(other_id)
        compare = ((other.id, doc.id) if (other.filed or "") <= (doc.filed or "")
                   else (doc.id, other.id))
    return DocumentPage(
        doc, sponsor_line(doc, limit=12), outgoing,
        tuple(dict.fromkeys(incoming)), tuple(views),
        tuple((k.value, counts[k.value]) for k in STATUS_LABELS if k.value in counts),
        analyses, compare, as_amended_links(corpus, doc, urls), generated_from,
    )


# -- compare ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompareRequest:
    """What the compare page (or the API) was asked for, checked."""

    a: str
    b: str
    options: CompareOptions
    view: str = "side"
    typography: str = "show"
    #: ``all`` or ``changes`` (leave out the pairs with the same wording).
    show: str = "all"

    @property
    def hide_typography(self) -> bool:
        """True when typography differences are not marked in the redline."""
        return self.typography == "hide"


@dataclass(frozen=True)
class PairView:
    """One aligned pair on a page: its reading and its two documents."""

    reading: PairReading
    a_doc: Document
    b_doc: Document

    @property
    def anchor(self) -> str:
        """Fragment id of this pair."""
        return "pair-" + self.reading.diff.anchor

    @property
    def title(self) -> str:
        """``§ 220(a) Definitions → § 220(a) Definitions``-style heading."""
        la, lb = section_label(self.reading.a), section_label(self.reading.b)
        if self.reading.a is None:
            return lb
        if self.reading.b is None:
            return la
        return la if la == lb else f"{la} → {lb}"

    @property
    def a_official(self) -> str | None:
        """The official text of side A's section."""
        return official_link(self.a_doc, self.reading.a)

    @property
    def b_official(self) -> str | None:
        """The official text of side B's section."""
        return official_link(self.b_doc, self.reading.b)

    @property
    def flags(self) -> tuple[Change, ...]:
        """The kinds of change to flag (wording is the pair's own state)."""
        return tuple(c for c in self.reading.changes if c is not Change.WORDING)

    @property
    def sides(self) -> tuple[tuple[str, Document, Section | None, str | None], ...]:
        """``(side, document, section, official link)`` for A then B."""
        return (("a", self.a_doc, self.reading.a, self.a_official),
                ("b", self.b_doc, self.reading.b, self.b_official))


@dataclass(frozen=True)
class TopicBlock:
    """One topic on the compare page: its reading, analyses and pairs."""

    reading: TopicReading
    a_analysis: AnalysisView | None
    b_analysis: AnalysisView | None
    pairs: tuple[PairView, ...]
    #: For each pair, the anchor of the topic block where it was shown in full already (a
    #: pair of texts we lack is the same under every topic it bears on: shown once).
    shown_at: tuple[str | None, ...] = ()

    @property
    def anchor(self) -> str:
        """Fragment id of this topic."""
        return f"topic-{self.reading.topic_id}"

    @property
    def entries(self) -> tuple[tuple[PairView, str | None], ...]:
        """``(pair, where it was shown already or None)`` in order."""
        return tuple(zip(self.pairs, self.shown_at or (None,) * len(self.pairs), strict=True))

    @property
    def topic(self) -> Topic:
        """The topic."""
        return self.reading.view.topic

    @property
    def state(self) -> str:
        """The topic's state (see :class:`~billdiff.analysis.TopicState`)."""
        return self.reading.state.value


@dataclass(frozen=True)
class ComparePage:
    """The compare page: the form's state, the summary, the topics and the rest."""

    reading: Reading
    request: CompareRequest
    documents: tuple[Document, ...]
    topics: tuple[Topic, ...]
    blocks: tuple[TopicBlock, ...]
    other: tuple[PairView, ...]
    #: This page's own address (printed with the page), and the day it was made.
    permalink: str = ""
    made: str = ""
    #: Documents compared that the corpus does not list (the law as amended): choices on this
    #: page only.
    extra: tuple[Document, ...] = ()

    @property
    def choices(self) -> tuple[Document, ...]:
        """The documents the form offers: the corpus's, and those compared here."""
        return self.documents + self.extra

    @property
    def changes_only(self) -> bool:
        """True for the "changes only" view (and print): same-wording pairs left out."""
        return self.request.show == "changes"

    @property
    def comparison(self) -> Comparison:
        """The comparison read."""
        return self.reading.comparison

    @property
    def a(self) -> Document:
        """Side A."""
        return self.reading.a

    @property
    def b(self) -> Document:
        """Side B."""
        return self.reading.b

    @property
    def view(self) -> str:
        """``side`` or ``inline``."""
        return self.request.view

    @property
    def selected_topics(self) -> tuple[str, ...]:
        """The topics the comparison was limited to."""
        return self.request.options.topics

    @property
    def granularity(self) -> str:
        """``word`` or ``char``."""
        return self.request.options.granularity

    @property
    def hide_typography(self) -> bool:
        """True when typography differences are not marked."""
        return self.request.hide_typography

    def _other(self, *states: PairState, front: bool = False) -> tuple[PairView, ...]:
        return tuple(v for v in self.other if v.reading.state in states
                     and v.reading.front_matter is front)

    @property
    def other_changed(self) -> tuple[PairView, ...]:
        """Provisions under no topic that changed."""
        return self._other(PairState.CHANGED)

    @property
    def other_same(self) -> tuple[PairView, ...]:
        """Provisions under no topic with the same wording (typography aside)."""
        return self._other(PairState.UNCHANGED, PairState.TYPOGRAPHY)

    @property
    def other_lacking(self) -> tuple[PairView, ...]:
        """Provisions under no topic that could not be compared."""
        return self._other(PairState.NOT_COMPARED)

    @property
    def front_matter(self) -> tuple[PairView, ...]:
        """Front matter (cover pages, petitioners, enacting clauses): apart, not law."""
        return tuple(v for v in self.other if v.reading.front_matter)

    def _unpaired(self, items: tuple[Unpaired, ...], *, known: bool) -> tuple[Unpaired, ...]:
        return tuple(u for u in items if not u.front_matter and (u.change is not None) is known)

    @property
    def added(self) -> tuple[Unpaired, ...]:
        """Provisions only in B, added."""
        return self._unpaired(self.reading.only_b, known=True)

    @property
    def removed(self) -> tuple[Unpaired, ...]:
        """Provisions only in A, removed."""
        return self._unpaired(self.reading.only_a, known=True)

    @property
    def one_side_unknown(self) -> tuple[Unpaired, ...]:
        """Provisions on one side only that cannot be called added or removed."""
        return (*self._unpaired(self.reading.only_a, known=False),
                *self._unpaired(self.reading.only_b, known=False))

    @property
    def front_matter_unpaired(self) -> tuple[Unpaired, ...]:
        """Front matter on one side only."""
        return tuple(u for u in (*self.reading.only_a, *self.reading.only_b) if u.front_matter)

    @property
    def has_other(self) -> bool:
        """True if there is anything under "Other provisions"."""
        return bool(self.other or self.reading.only_a or self.reading.only_b)

    @property
    def attribute_notes(self) -> bool:
        """True if any topic has summary attributes that differ (shown in bold)."""
        return any(b.reading.attribute_changes for b in self.blocks)


def _one(args: Mapping[str, list[str]], name: str, default: str) -> str:
    values = args.get(name) or []
    if len(values) > 1:
        raise BadRequest(f"give {name!r} once (got {len(values)} values)")
    return values[0].strip() if values and values[0].strip() else default


def parse_compare_args(corpus: Corpus, args: Mapping[str, list[str]],
                       *, require_b: bool = False) -> CompareRequest:
    """Check the compare page's query parameters.

    Raises :class:`BadRequest` naming the parameter for anything that cannot be used, and
    :class:`~billdiff.errors.NotFound` for an unknown document.  Unknown parameters (a
    tracking ``utm_source`` on a shared link) are ignored.  ``quotes=1``, from older links,
    means ``typography=hide``.
    """
    if require_b and not (args.get("b") or [""])[0].strip():
        raise BadRequest("parameter 'b' is required", fix="give the document to compare with")
    da, db = analysis.first_comparison(corpus)
    # an id, or a bill number such as S.1053 (the page then uses the id)
    a, b = (corpus.document(_one(args, name, default)).id
            for name, default in (("a", da), ("b", db)))
    granularity = _one(args, "granularity", "word")
    if granularity not in GRANULARITIES:
        raise BadRequest(f"granularity must be 'word' or 'char', not {granularity!r}")
    view = _one(args, "view", "side")
    if view not in VIEWS:
        raise BadRequest(f"view must be 'side' or 'inline', not {view!r}")
    quotes = _one(args, "quotes", "0")
    if quotes not in ("0", "1"):
        raise BadRequest(f"quotes must be 0 or 1, not {quotes!r}")
    typography = _one(args, "typography", "hide" if quotes == "1" else "show")
    if typography not in TYPOGRAPHY:
        raise BadRequest(f"typography must be 'show' or 'hide', not {typography!r}")
    show = _one(args, "show", "all")
    if show not in SHOW:
        raise BadRequest(f"show must be 'all' or 'changes', not {show!r}")
    topics = [t.strip() for t in args.get("topic", []) if t.strip()]
    for t in topics:
        if t not in corpus.topics:
            known = ", ".join(corpus.topics) or "none"
            raise BadRequest(f"unknown topic {t!r} (known topics: {known})")
    options = CompareOptions(granularity=granularity,
                             topics=tuple(dict.fromkeys(topics)))
    return CompareRequest(a, b, options, view, typography, show)


def compare_page(corpus: Corpus, request: CompareRequest, urls: Urls = SITE,
                 origin: str = "") -> ComparePage:
    """The compare page for a checked request (comparison cached by content); *origin*
    (``https://example.org``) makes the printed permalink absolute."""
    a, b = corpus.document(request.a), corpus.document(request.b)
    comparison = cached_compare(a, b, corpus=corpus, options=request.options)
    return comparison_context(read_comparison(comparison), corpus, request, urls, origin)


def comparison_context(reading: Reading, corpus: Corpus | None,
                       request: CompareRequest | None = None,
                       urls: Urls = SITE, origin: str = "") -> ComparePage:
    """The compare page's context for a comparison already read (a draft has no corpus)."""
    a, b = reading.a, reading.b
    request = request or CompareRequest(a.id, b.id, reading.comparison.options)
    views = {id(p.diff): PairView(p, a, b) for p in reading.pairs}  # one view per pair
    first: dict[tuple[str | None, str | None], str] = {}
    blocks = []
    for t in reading.topics:
        pvs = tuple(views[id(p.diff)] for p in t.pairs)
        shown: list[str | None] = []
        for pv in pvs:
            key = (pv.reading.a.id if pv.reading.a else None,
                   pv.reading.b.id if pv.reading.b else None)
            if pv.reading.compared:
                shown.append(None)
                continue
            shown.append(first.get(key))
            first.setdefault(key, pv.anchor)
        blocks.append(TopicBlock(
            t, analysis_view(corpus, a, t.view.a_analysis, urls) if corpus else None,
            analysis_view(corpus, b, t.view.b_analysis, urls) if corpus else None,
            pvs, tuple(shown)))
    docs: list[Document] = corpus.ordered_documents() if corpus else [a, b]
    # a generated document (the law as amended) is a choice only where it is compared
    extra = tuple(d for d in dict.fromkeys((a, b)) if all(d.id != o.id for o in docs))
    return ComparePage(
        reading, request, tuple(docs), tuple(corpus.topics.values()) if corpus else (),
        tuple(blocks), tuple(views[id(p.diff)] for p in reading.other_pairs),
        origin.rstrip("/") + urls.compare(
            a.id, b.id, topics=request.options.topics, view=request.view,
            granularity=request.options.granularity, typography=request.typography,
            show=request.show) if corpus is not None else "",
        dt.date.today().isoformat(), extra,
    )


# -- the law as amended ---------------------------------------------------------------------------

#: What became of an instruction, in the page's words (see :class:`~billdiff.amend.Outcome`).
OUTCOME_LABELS = {
    "applied": "Applied",
    "not-applied": "Not applied",
    "conflict": "Not applied: conflict",
    "elsewhere": "For another text",
}


@dataclass(frozen=True)
class OutcomeView:
    """One instruction of the amendment and what became of it."""

    outcome: Outcome
    number: int
    #: The instruction's section in the amendment (its page's permalink).
    source: Link
    #: ``lines 1-12 (page 1)`` of the amendment's printing, when it was imported with lines.
    lines: str | None
    #: The provisions of the print it changed, each linked to its place in the print.
    changed: tuple[Link, ...]

    @property
    def anchor(self) -> str:
        """Fragment id of this instruction in the list."""
        return f"instruction-{self.number}"

    @property
    def label(self) -> str:
        """``Applied``, ``Not applied`` ..."""
        return OUTCOME_LABELS[self.outcome.status]


@dataclass(frozen=True)
class PrintEntry:
    """One provision of the comparative print: the law with struck and inserted text in place.

    ``state``: ``same`` (untouched), ``changed`` (in both, changed by an instruction: the
    redline), ``within`` (its own words stand; a provision under it was inserted or struck),
    ``inserted`` (only in the law as amended), ``struck`` (only in the law as it stands).
    """

    state: str
    section: Section
    depth: int
    #: The pair of the ordinary comparison (for ``changed``: its redline and what is lacking).
    pair: PairView | None
    #: The instructions that made the change.
    by: tuple[OutcomeView, ...]
    #: The official text of what is shown (the amendment's for inserted text, the law's else).
    official: str | None = None
    #: The law as it stands, for a changed provision: its section and official text.
    old: Section | None = None
    old_official: str | None = None

    @property
    def anchor(self) -> str:
        """Fragment id of this provision in the print."""
        return f"print-{self.section.id}" + ("-struck" if self.state == "struck" else "")


@dataclass(frozen=True)
class AsAmendedPage:
    """The law as a bill would make it: the comparative print and the instruction report."""

    found: AsAmended
    #: None when the amendment holds no instruction we can read (the page says so).
    result: AmendResult | None
    outcomes: tuple[OutcomeView, ...]
    entries: tuple[PrintEntry, ...]
    permalink: str = ""
    made: str = ""

    @property
    def target(self) -> Document:
        """The law as it stands."""
        return self.found.target

    @property
    def amendment(self) -> Document:
        """The bill whose instructions are applied."""
        return self.found.amendment

    @property
    def document(self) -> Document | None:
        """The law as amended (generated), if any instruction was read."""
        return self.result.document if self.result else None

    @property
    def counts(self) -> dict[str, int]:
        """Instructions by outcome."""
        return self.result.counts if self.result else {}

    @property
    def changed_entries(self) -> int:
        """How many provisions of the print changed (struck, inserted or changed)."""
        return sum(1 for e in self.entries if e.state not in ("same", "within"))


def as_amended_links(corpus: Corpus, doc: Document, urls: Urls = SITE) -> tuple[
        tuple[AsAmended, str | None], ...]:
    """The "as amended" views a document page offers: for a bill, the stored texts it amends;
    for a stored text, the bills that amend it; each with its page's address, or None when
    the bill holds no instruction we can read."""
    pairs = amended.amending(corpus, doc) + (
        () if amended.of_document(corpus, doc) else amended.amended_by(corpus, doc))
    return tuple((p, urls.as_amended(p.target.id, p.amendment.id) if p.readable else None)
                 for p in dict.fromkeys(pairs))


def as_amended_page(corpus: Corpus, target_id: str, amendment_id: str, urls: Urls = SITE,
                    origin: str = "") -> AsAmendedPage:
    """The "as amended" page (:class:`~billdiff.errors.NotFound` when no relation of the
    amendment names the target)."""
    found = amended.pair(corpus, target_id, amendment_id)
    if found is None:
        raise NotFound(f"{amendment_id!r} does not amend {target_id!r} in this dossier",
                       where=str(corpus.root),
                       fix="open the bill's page: it links to the texts it amends")
    permalink = origin.rstrip("/") + urls.as_amended(found.target.id, found.amendment.id)
    made = dt.date.today().isoformat()
    if not found.readable:
        return AsAmendedPage(found, None, (), (), permalink, made)
    result = amended.result(corpus, found)
    new = result.document
    reading = read_comparison(cached_compare(found.target, new))
    by_b = {p.b.id: PairView(p, found.target, new) for p in reading.pairs if p.b is not None}
    print_anchor = {s.id: f"print-{s.id}" for s, _ in _iter_sections(new.sections)}
    old = {s.id for s, _ in _iter_sections(found.target.sections)}
    outcomes = []
    views: dict[str, OutcomeView] = {}
    for n, outcome in enumerate(result.report, 1):
        ins = outcome.instruction
        lines = None
        if ins.lines is not None:
            lines = (f"line {ins.lines.start}" if ins.lines.start == ins.lines.end
                     else f"lines {ins.lines.start}–{ins.lines.end}")
            if ins.lines.page:
                lines += f" (page {ins.lines.page})"
        changed = tuple(
            Link(num or sid, "#" + print_anchor.get(sid, f"print-{sid}-struck"))
            for sid, num in zip(outcome.where, outcome.numbers, strict=False)
            if outcome.status == "applied" and (sid in print_anchor or sid in old))
        view = OutcomeView(outcome, n, Link(ins.number or ins.section_id,
                                            urls.document(found.amendment.id, ins.section_id)),
                           lines, changed)
        outcomes.append(view)
        views[ins.id] = view
    entries: list[PrintEntry] = []
    # what the amendment struck, placed after what came before it in the law as it stands
    struck_after: dict[str | None, list[tuple[Section, int]]] = {}
    previous: str | None = None
    for section, depth in _iter_sections(found.target.sections):
        if section.id in print_anchor:
            previous = section.id
        else:
            struck_after.setdefault(previous, []).append((section, depth))

    def struck(after: str | None) -> None:
        for section, depth in struck_after.get(after, ()):
            entries.append(PrintEntry("struck", section, depth, None, (),
                                      official_link(found.target, section)))

    struck(None)
    for section, depth in _iter_sections(new.sections):
        by = tuple(views[i] for i in result.changes.get(section.id, ()) if i in views)
        pv = by_b.get(section.id)
        if section.id not in old:
            state = "inserted"
        elif not by:
            state = "same"
        elif pv is not None and pv.reading.state in (PairState.UNCHANGED, PairState.TYPOGRAPHY):
            state = "within"  # its own words stand; a provision under it changed
        else:
            state = "changed"
        before = pv.reading.a if pv is not None else None
        entries.append(PrintEntry(
            state, section, depth, pv, by,
            official_link(found.amendment if state in ("inserted", "changed") else found.target,
                          section),
            before, official_link(found.target, before) if before is not None else None))
        struck(section.id)
    return AsAmendedPage(found, result, tuple(outcomes), tuple(entries), permalink, made)


# -- topic --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionView:
    """One version of one provision on the topic page."""

    document: Document
    analysis: AnalysisView | None
    sections: tuple[SectionView, ...]


@dataclass(frozen=True)
class StepView:
    """The change from one version to the next."""

    reading: TopicReading | None
    a: Document
    b: Document
    pairs: tuple[PairView, ...]

    @property
    def anchor(self) -> str:
        """Fragment id of this step."""
        return f"change-{self.a.id}--{self.b.id}"

    @property
    def state(self) -> str:
        """The topic's state in this step."""
        return self.reading.state.value if self.reading else "absent"

    @property
    def attribute_changes(self) -> tuple[tuple[str, str | None, str | None], ...]:
        """Summary attributes that differ (ours, not the law)."""
        return self.reading.attribute_changes if self.reading else ()

    @property
    def compared(self) -> tuple[PairView, ...]:
        """Its pairs that could be compared."""
        return tuple(p for p in self.pairs if p.reading.compared)


@dataclass(frozen=True)
class TopicPage:
    """One provision across every version, oldest to newest."""

    topic: Topic
    versions: tuple[VersionView, ...]
    steps: tuple[StepView, ...]
    others: tuple[Topic, ...]
    why_cites: tuple[Link, ...] = ()
    other_views: tuple[CitedStatement, ...] = ()


def topic_page(corpus: Corpus, topic_id: str, urls: Urls = SITE) -> TopicPage:
    """The topic page (:class:`~billdiff.errors.NotFound` for an unknown topic)."""
    topic = corpus.topic(topic_id)
    docs = [d for d in corpus.ordered_documents()
            if corpus.analysis(d.id, topic_id) is not None
            or any(topic_id in s.topics for s, _ in _iter_sections(d.sections))]
    versions = []
    for doc in docs:
        secs = tuple(section_view(corpus, doc, s, depth)
                     for s, depth in _iter_sections(doc.sections) if topic_id in s.topics)
        versions.append(VersionView(doc, analysis_view(
            corpus, doc, corpus.analysis(doc.id, topic_id), urls), secs))
    steps = []
    options = CompareOptions(topics=(topic_id,))
    for prev, nxt in zip(docs, docs[1:], strict=False):
        reading = read_comparison(cached_compare(prev, nxt, corpus=corpus, options=options))
        tr = reading.topics[0] if reading.topics else None
        steps.append(StepView(tr, prev, nxt,
                              tuple(PairView(p, prev, nxt) for p in reading.pairs)))
    return TopicPage(topic, tuple(versions), tuple(steps),
                     tuple(t for t in corpus.topics.values() if t.id != topic_id),
                     why_links(corpus, topic, urls),
                     tuple(_statement(corpus, v, "", urls) for v in topic.other_views))


# -- guide --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """A numbered note of a public page: what one or more sentences rest on."""

    number: int
    link: Link


class NoteBook:
    """Numbers what sentences rest on, in order of first use, one number per target, so that
    a page can print short note numbers after each sentence and the sources once, below (a
    screen reader then reads a number, not a list of sources, after every sentence)."""

    def __init__(self, corpus: Corpus, urls: Urls) -> None:
        self.corpus, self.urls = corpus, urls
        self.notes: list[Note] = []
        self._index: dict[tuple[str | None, str | None, str | None], int] = {}

    def numbers(self, cites: Sequence[Cite], own_doc: str) -> tuple[int, ...]:
        """The note numbers of *cites* (new targets get the next numbers)."""
        out = []
        for cite in cites:
            key = (cite.source, cite.document or (own_doc if cite.section else None),
                   cite.section)
            if key not in self._index:
                self._index[key] = len(self.notes) + 1
                self.notes.append(Note(len(self.notes) + 1,
                                       cite_link(self.corpus, cite, own_doc, self.urls)))
            out.append(self._index[key])
        return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class NotedSentence:
    """One plain-language sentence and its note numbers."""

    text: str
    notes: tuple[int, ...]


def _noted(book: NoteBook, statements: Sequence[Statement], own_doc: str
           ) -> tuple[NotedSentence, ...]:
    return tuple(NotedSentence(s.text, book.numbers(s.cites, own_doc)) for s in statements)


def _source_kinds(corpus: Corpus, statements: Sequence[Statement]) -> str:
    kinds = [corpus.sources[c.source].kind for s in statements for c in s.cites
             if c.source and c.source in corpus.sources]
    return analysis.sources_in_words(kinds)


@dataclass(frozen=True)
class GuideSide:
    """One card of the guide: what a text says on a topic, in plain words, with notes."""

    document: Document
    sentences: tuple[NotedSentence, ...]
    #: Said first when we lack the words themselves (what the points rest on instead).
    intro: str | None
    attributes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class GuideTopic:
    """One topic of the plain-language guide."""

    reading: TopicReading
    now: GuideSide | None
    bill: GuideSide | None
    why: tuple[NotedSentence, ...]
    other_views: tuple[NotedSentence, ...]

    @property
    def topic(self) -> Topic:
        """The topic."""
        return self.reading.view.topic

    @property
    def changes(self) -> tuple[tuple[str, str | None, str | None], ...]:
        """Summary attributes that differ (ours, not the law)."""
        return self.reading.attribute_changes

    @property
    def why_heading(self) -> str:
        """Whose case "why it matters" makes, in its heading."""
        return ("Why supporters say it matters" if self.topic.why_from == "supporters"
                else "Why it matters")

    @property
    def has_words(self) -> bool:
        """True when the topic has text on both sides to show word for word."""
        return any(p.compared for p in self.reading.pairs)


def why_links(corpus: Corpus, topic: Topic, urls: Urls = SITE) -> tuple[Link, ...]:
    """Links for what a topic's "why it matters" rests on."""
    return tuple(cite_link(corpus, c, c.document or "", urls) for c in topic.why_cites)


@dataclass(frozen=True)
class TermVersion:
    """One document's wording of a defined term."""

    document: Document
    section: Section
    official_url: str | None


@dataclass(frozen=True)
class Term:
    """A defined term: its plain meaning (ours, cited) and its wording in each document."""

    slug: str
    term: str
    versions: tuple[TermVersion, ...]
    meaning: tuple[NotedSentence, ...] = ()


@dataclass(frozen=True)
class GuidePage:
    """The plain-language guide: each topic now and under the bill, a glossary, the notes."""

    current: Document
    bill: Document
    topics: tuple[GuideTopic, ...]
    terms: tuple[Term, ...]
    #: One plain sentence first: what the guide rests on.
    rests_on: str
    notes: tuple[Note, ...] = ()


def glossary(corpus: Corpus, book: NoteBook | None = None) -> tuple[Term, ...]:
    """Defined terms, each with its plain meaning (when ``glossary.yaml`` gives one) and every
    version's wording (see :func:`billdiff.analysis.glossary_terms`)."""
    out = []
    for t in analysis.glossary_terms(corpus):
        meaning = corpus.glossary.get(t.slug)
        own = t.versions[-1].document.id
        out.append(Term(t.slug, t.term, tuple(
            TermVersion(v.document, v.section, official_link(v.document, v.section))
            for v in t.versions),
            _noted(book, meaning.meaning, own) if (meaning and book) else ()))
    return tuple(out)


def _guide_side(corpus: Corpus, book: NoteBook, doc: Document, an: Analysis | None,
                held: bool) -> GuideSide | None:
    if an is None:
        return None
    intro = None
    if not held:
        # the first sentence of an analysis of text we lack already says so, in its words
        says_so = bool(an.summary) and an.summary[0].text.lower().startswith("we don't have")
        kinds = _source_kinds(corpus, an.summary)
        where = ("the text of the current law" if doc.kind is DocumentKind.STATUTE
                 else f"this part of {doc.number}")
        parts = [] if says_so else [f"We don't have {where}."]
        if kinds:
            parts.append(f"These points come from {kinds}.")
        if doc.kind is not DocumentKind.STATUTE:
            parts.append("None has been checked against the bill's own text.")
        intro = " ".join(parts) or None
    return GuideSide(doc, _noted(book, an.summary, doc.id), intro,
                     tuple(sorted(an.attributes.items())))


def guide_page(corpus: Corpus, urls: Urls = SITE) -> GuidePage:
    """The guide: what the law says now (A), what the latest bill would change (B), and why."""
    a_id, b_id = analysis.default_pair(corpus)
    a, b = corpus.document(a_id), corpus.document(b_id)
    reading = read_comparison(cached_compare(a, b, corpus=corpus))
    book = NoteBook(corpus, urls)
    topics = []
    lacking_a = lacking_b = False
    kinds: list[str] = []
    for t in reading.topics:
        held_a = any(p.a is not None and p.a.held for p in t.pairs)
        held_b = any(p.b is not None and p.b.held for p in t.pairs)
        lacking_a |= not held_a
        lacking_b |= not held_b
        for an in (t.view.a_analysis, t.view.b_analysis):
            if an is not None:
                kinds += [corpus.sources[c.source].kind for s in an.summary for c in s.cites
                          if c.source and c.source in corpus.sources]
        topic = t.view.topic
        topics.append(GuideTopic(
            t, _guide_side(corpus, book, a, t.view.a_analysis, held_a),
            _guide_side(corpus, book, b, t.view.b_analysis, held_b),
            (NotedSentence(topic.why_it_matters, book.numbers(topic.why_cites, "")),)
            if topic.why_it_matters else (),
            _noted(book, topic.other_views, "")))
    terms = glossary(corpus, book)
    return GuidePage(a, b, tuple(topics), terms,
                     _rests_on(a, b, lacking_a, lacking_b, analysis.sources_in_words(kinds)),
                     tuple(book.notes))


def _rests_on(a: Document, b: Document, lacking_a: bool, lacking_b: bool, kinds: str) -> str:
    """The guide's first sentence: what it rests on."""
    lacks = []
    if lacking_a:
        lacks.append("the text of the current law" if a.kind is DocumentKind.STATUTE
                     else f"the text of {a.number}")
    if lacking_b:
        lacks.append(f"these parts of {b.number}")
    if not lacks:
        return (f"These points summarise the texts of {a.number} and {b.number}, which we "
                "hold; the words themselves are a link away.")
    sentence = "We do not have " + " or of ".join(lacks)
    return sentence + (f"; these points come from {kinds}." if kinds else ".")


# -- the standalone comparison (``billdiff compare --format html``) -----------------------------


def standalone_comparison(reading: Reading, corpus: Corpus | None,
                          request: CompareRequest | None = None) -> str:
    """A self-contained HTML page of a comparison: its CSS inline, every text escaped."""
    return render("standalone_comparison.html",
                  page=comparison_context(reading, corpus, request))


__all__ += ["ComparePage", "CompareRequest", "DocumentPage", "GuidePage", "HomePage",
            "PairView", "TopicPage", "compare_page", "comparison_context", "document_page",
            "guide_page", "home_page", "parse_compare_args", "standalone_comparison",
            "topic_page"]
