"""One URL builder for Python and every template (after datasette's ``Urls``).

Every link billdiff makes, in a page, a JSON document, a fact sheet's QR code or the static
site, comes from :class:`Urls`; no module or template writes a path by hand, so a route is
renamed in one place.  ``base`` is where the site lives (``/`` or ``/billdiff/`` behind a
proxy or on a project page); :meth:`Urls.absolute` adds the public origin for links that leave
the site (a printed fact sheet).

Two styles of address, from the same methods:

- the server's (the default): a page's state in its query, ``compare?a=X&b=Y&view=inline``,
  so that a form can make any address and a link holds the whole state;
- the static site's (``Urls(base, paths=True)``, or any builder inside :func:`static_site`):
  every address a file path a plain file server can answer, ``compare/X/Y/inline/`` (a folder
  with its ``index.html``), ``api/documents.json``, since a file server ignores the query.  The
  web app answers these addresses too (:func:`route_of` turns one back into the server's
  address), so that one builder and one set of views serve both, and ``billdiff build`` writes
  what these addresses name.  A static site holds one fact sheet per pair of documents, so the
  static style leaves a sheet's topic choice out (per-topic sheets need the server, or
  ``billdiff factsheet --topic``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlencode, urlsplit

Query = list[tuple[str, str]]

#: True inside :func:`static_site`: every builder makes static-site addresses.
_STATIC_SITE: ContextVar[bool] = ContextVar("billdiff_static_site", default=False)


@contextmanager
def static_site() -> Iterator[None]:
    """Within this block (one thread or task), every :class:`Urls` makes static-site
    addresses, whoever built it: the pages, the JSON and the fact sheets' printed links of a
    ``billdiff build`` all follow the site they are written for."""
    token = _STATIC_SITE.set(True)
    try:
        yield
    finally:
        _STATIC_SITE.reset(token)


def _seg(value: str) -> str:
    return quote(value, safe="")


@dataclass(frozen=True)
class Urls:
    """Builds the site's URLs under *base* (a path that starts and ends with ``/``); with
    *paths*, in the static site's style (see the module docstring)."""

    base: str = "/"
    paths: bool = False

    def __post_init__(self) -> None:
        base = "/" + self.base.strip("/") + "/" if self.base.strip("/") else "/"
        object.__setattr__(self, "base", base)

    def path(self, path: str, query: Query | None = None, fragment: str | None = None) -> str:
        """*path* under the base, with its query and fragment encoded."""
        url = self.base + path.lstrip("/")
        if query:
            url += "?" + urlencode(query)
        if fragment:
            url += "#" + quote(fragment, safe="-._~")
        return url

    @property
    def is_static(self) -> bool:
        """True when this builder makes static-site addresses (for templates: a page that
        needs the server says so on the static site)."""
        return self.paths or _STATIC_SITE.get()

    # -- pages --------------------------------------------------------------------------------

    def home(self) -> str:
        """The dossier."""
        return self.path("")

    def document(self, doc_id: str, section_id: str | None = None) -> str:
        """A document page, or the permalink of one of its sections."""
        if self.is_static:
            return self.path(f"documents/{_seg(doc_id)}/", fragment=section_id)
        return self.path(f"documents/{quote(doc_id, safe='')}", fragment=section_id)

    def compare(self, a: str | None = None, b: str | None = None, *,
                topics: Iterable[str] = (), view: str = "side", granularity: str = "word",
                typography: str = "show", show: str = "all",
                fragment: str | None = None) -> str:
        """The compare page (only non-default options go into the address)."""
        if self.is_static:
            return self.path(compare_path(a, b, topics=topics, view=view,
                                          granularity=granularity, typography=typography,
                                          show=show), fragment=fragment)
        return self.path("compare", compare_query(a, b, topics=topics, view=view,
                                                  granularity=granularity,
                                                  typography=typography, show=show), fragment)

    def topic(self, topic_id: str, fragment: str | None = None) -> str:
        """One topic across every version."""
        if self.is_static:
            return self.path(f"topics/{_seg(topic_id)}/", fragment=fragment)
        return self.path(f"topics/{quote(topic_id, safe='')}", fragment=fragment)

    def as_amended(self, target: str, amendment: str, fragment: str | None = None) -> str:
        """The law *target* as the bill *amendment* would make it (the comparative print)."""
        path = f"as-amended/{_seg(target)}/{_seg(amendment)}"
        return self.path(path + "/" if self.is_static else path, fragment=fragment)

    def guide(self, fragment: str | None = None) -> str:
        """The plain-language guide."""
        return self.path("guide/" if self.is_static else "guide", fragment=fragment)

    def draft(self, against: str | None = None) -> str:
        """The draft form (on the static site, the page saying it needs the server)."""
        if self.is_static:
            return self.path("draft/")
        return self.path("draft", [("against", against)] if against else None)

    def factsheet(self, a: str, b: str, topics: Iterable[str] = (), paper: str = "letter",
                  *, pdf: bool = False) -> str:
        """The fact-sheet preview (or, with *pdf*, the PDF itself)."""
        if self.is_static:
            # One sheet per pair on a static site (its default provisions): see the module
            # docstring.
            folder = f"factsheet/{_seg(a)}/{_seg(b)}/" + ("a4/" if paper == "a4" else "")
            return self.path(folder + (f"factsheet-{_seg(a)}-vs-{_seg(b)}.pdf" if pdf else ""))
        query: Query = [("a", a), ("b", b), *(("topic", t) for t in topics)]
        if paper != "letter":
            query.append(("paper", paper))
        return self.path("factsheet.pdf" if pdf else "factsheet", query)

    def static(self, filename: str) -> str:
        """A file of ``billdiff/static``."""
        return self.path(f"static/{filename}")

    # -- the API --------------------------------------------------------------------------------

    def api_documents(self) -> str:
        """Every document (JSON)."""
        return self.path("api/documents.json" if self.is_static else "api/documents")

    def api_document(self, doc_id: str) -> str:
        """One document (JSON)."""
        suffix = ".json" if self.is_static else ""
        return self.path(f"api/documents/{quote(doc_id, safe='')}{suffix}")

    def api_topics(self) -> str:
        """The topics (JSON)."""
        return self.path("api/topics.json" if self.is_static else "api/topics")

    def api_compare(self, a: str, b: str, *, topics: Iterable[str] = (),
                    granularity: str = "word") -> str:
        """A comparison (JSON)."""
        if self.is_static:
            topic_part = f"/topic/{','.join(_seg(t) for t in topics)}" if topics else ""
            char = "/char" if granularity != "word" else ""
            return self.path(f"api/compare/{_seg(a)}/{_seg(b)}{topic_part}{char}.json")
        return self.path("api/compare", compare_query(a, b, topics=topics,
                                                      granularity=granularity))

    def openapi(self) -> str:
        """The OpenAPI description."""
        return self.path("api/openapi.json")

    def healthz(self) -> str:
        """The health check."""
        return self.path("healthz")

    # -- leaving the site ---------------------------------------------------------------------

    @staticmethod
    def for_site(site_url: str) -> Urls:
        """The builder for a public site address (``https://example.org/billdiff``); inside
        :func:`static_site` it makes the static site's addresses."""
        return Urls(urlsplit(site_url).path or "/")

    @staticmethod
    def origin_of(site_url: str) -> str:
        """``https://example.org`` of a site address (scheme and host, no path)."""
        parts = urlsplit(site_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""

    @staticmethod
    def absolute(site_url: str, url: str) -> str:
        """*url* (a path this builder made for *site_url*) with the site's origin."""
        parts = urlsplit(site_url)
        return f"{parts.scheme}://{parts.netloc}{url}"


def compare_query(a: str | None, b: str | None, *, topics: Iterable[str] = (),
                  view: str = "side", granularity: str = "word",
                  typography: str = "show", show: str = "all") -> Query:
    """The compare page's query, in one order, defaults left out (stable permalinks)."""
    query: Query = []
    if a:
        query.append(("a", a))
    if b:
        query.append(("b", b))
    query += [("topic", t) for t in topics]
    if view != "side":
        query.append(("view", view))
    if granularity != "word":
        query.append(("granularity", granularity))
    if typography != "show":
        query.append(("typography", typography))
    if show != "all":
        query.append(("show", show))
    return query


def compare_path(a: str | None, b: str | None, *, topics: Iterable[str] = (),
                 view: str = "side", granularity: str = "word", typography: str = "show",
                 show: str = "all") -> str:
    """The compare page's static-site address (no base): ``compare/A/B/`` then, for options
    that are not the default, ``topic/T1,T2/``, ``inline/``, ``char/``,
    ``typography-hidden/`` and ``changes/``, always in this order.  Without both documents:
    ``compare/``, the page that lists every pair."""
    if not (a and b):
        return "compare/"
    out = f"compare/{_seg(a)}/{_seg(b)}/"
    topics = tuple(topics)
    if topics:
        out += "topic/" + ",".join(_seg(t) for t in topics) + "/"
    if view != "side":
        out += f"{_seg(view)}/"
    if granularity != "word":
        out += f"{_seg(granularity)}/"
    if typography != "show":
        out += "typography-hidden/"
    if show != "all":
        out += f"{_seg(show)}/"
    return out


# -- static-site addresses back to the server's ------------------------------------------------

_SEG = r"([^/]+)"
_OPTIONS = r"(?:topic/([^/]+)/)?(inline/)?(char/)?(typography-hidden/)?(changes/)?"
_STATIC_ROUTES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), kind) for pattern, kind in (
        (r"/documents/" + _SEG + r"/", "document"),
        (r"/topics/" + _SEG + r"/", "topic"),
        (r"/as-amended/" + _SEG + "/" + _SEG + r"/", "as-amended"),
        (r"/(guide|draft|compare)/", "plain"),
        (r"/compare/" + _SEG + "/" + _SEG + "/" + _OPTIONS, "compare"),
        (r"/factsheet/" + _SEG + "/" + _SEG + r"/(a4/)?", "factsheet"),
        (r"/factsheet/" + _SEG + "/" + _SEG + r"/(a4/)?factsheet-[^/]+\.pdf", "factsheet.pdf"),
        (r"/api/(documents|topics)\.json", "api-list"),
        (r"/api/documents/([^/]+)\.json", "api-document"),
        (r"/api/compare/" + _SEG + "/" + _SEG + r"(?:/topic/([^/]+))?(/char)?\.json",
         "api-compare"),
    ))


#: How every static-site address ends (each pattern of :data:`_STATIC_ROUTES` does).
_ENDINGS = ("/", ".json", ".pdf")


def route_of(path: str) -> tuple[str, Query] | None:
    """The server's path and query for a static-site *path* (a WSGI ``PATH_INFO``, decoded,
    without the base), or None if it is not one: ``/compare/A/B/inline/`` gives
    ``("/compare", [("a", "A"), ("b", "B"), ("view", "inline")])``.  The inverse of the static
    style of :class:`Urls` (tested both ways)."""
    if not path.endswith(_ENDINGS):
        return None  # the server's own addresses (``/compare?...``) go no further
    for pattern, kind in _STATIC_ROUTES:
        m = pattern.fullmatch(path)
        if m is None:
            continue
        g = [unquote(x) if x is not None else None for x in m.groups()]
        if kind == "document":
            return f"/documents/{g[0]}", []
        if kind == "topic":
            return f"/topics/{g[0]}", []
        if kind == "as-amended":
            return f"/as-amended/{g[0]}/{g[1]}", []
        if kind == "plain":
            return f"/{g[0]}", []
        if kind == "compare":
            a, b, topic_list, inline, char, hidden, changes = g
            query: Query = [("a", a or ""), ("b", b or "")]
            query += [("topic", t) for t in (topic_list or "").split(",") if t]
            query += [("view", "inline")] if inline else []
            query += [("granularity", "char")] if char else []
            query += [("typography", "hide")] if hidden else []
            query += [("show", "changes")] if changes else []
            return "/compare", query
        if kind in ("factsheet", "factsheet.pdf"):
            query = [("a", g[0] or ""), ("b", g[1] or "")] + ([("paper", "a4")] if g[2] else [])
            return ("/factsheet.pdf" if kind == "factsheet.pdf" else "/factsheet"), query
        if kind == "api-list":
            return f"/api/{g[0]}", []
        if kind == "api-document":
            return f"/api/documents/{g[0]}", []
        a, b, topic_list, char = g
        query = [("a", a or ""), ("b", b or "")]
        query += [("topic", t) for t in (topic_list or "").split(",") if t]
        query += [("granularity", "char")] if char else []
        return "/api/compare", query
    return None
