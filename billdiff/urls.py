"""One URL builder for Python and every template (after datasette's ``Urls``).

Every link billdiff makes, in a page, a JSON document, a fact sheet's QR code or the static
site, comes from :class:`Urls`; no module or template writes a path by hand, so a route is
renamed in one place.  ``base`` is where the site lives (``/`` or ``/billdiff/`` behind a
proxy or on a project page); :meth:`Urls.absolute` adds the public origin for links that leave
the site (a printed fact sheet).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

Query = list[tuple[str, str]]


@dataclass(frozen=True)
class Urls:
    """Builds the site's URLs under *base* (a path that starts and ends with ``/``)."""

    base: str = "/"

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

    # -- pages --------------------------------------------------------------------------------

    def home(self) -> str:
        """The dossier."""
        return self.path("")

    def document(self, doc_id: str, section_id: str | None = None) -> str:
        """A document page, or the permalink of one of its sections."""
        return self.path(f"documents/{quote(doc_id, safe='')}", fragment=section_id)

    def compare(self, a: str | None = None, b: str | None = None, *,
                topics: Iterable[str] = (), view: str = "side", granularity: str = "word",
                typography: str = "show", fragment: str | None = None) -> str:
        """The compare page (only non-default options go into the address)."""
        return self.path("compare", compare_query(a, b, topics=topics, view=view,
                                                  granularity=granularity,
                                                  typography=typography), fragment)

    def topic(self, topic_id: str, fragment: str | None = None) -> str:
        """One topic across every version."""
        return self.path(f"topics/{quote(topic_id, safe='')}", fragment=fragment)

    def guide(self, fragment: str | None = None) -> str:
        """The plain-language guide."""
        return self.path("guide", fragment=fragment)

    def draft(self, against: str | None = None) -> str:
        """The draft form."""
        return self.path("draft", [("against", against)] if against else None)

    def factsheet(self, a: str, b: str, topics: Iterable[str] = (), paper: str = "letter",
                  *, pdf: bool = False) -> str:
        """The fact-sheet preview (or, with *pdf*, the PDF itself)."""
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
        return self.path("api/documents")

    def api_document(self, doc_id: str) -> str:
        """One document (JSON)."""
        return self.path(f"api/documents/{quote(doc_id, safe='')}")

    def api_topics(self) -> str:
        """The topics (JSON)."""
        return self.path("api/topics")

    def api_compare(self, a: str, b: str, *, topics: Iterable[str] = (),
                    granularity: str = "word") -> str:
        """A comparison (JSON)."""
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
        """The builder for a public site address (``https://example.org/billdiff``)."""
        return Urls(urlsplit(site_url).path or "/")

    @staticmethod
    def absolute(site_url: str, url: str) -> str:
        """*url* (a path this builder made for *site_url*) with the site's origin."""
        parts = urlsplit(site_url)
        return f"{parts.scheme}://{parts.netloc}{url}"


def compare_query(a: str | None, b: str | None, *, topics: Iterable[str] = (),
                  view: str = "side", granularity: str = "word",
                  typography: str = "show") -> Query:
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
    return query
