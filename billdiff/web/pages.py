"""The HTML pages: home, documents, compare, the law as amended, topics and the guide.

Each view reads the request, asks :mod:`billdiff.render` for the page's context, and renders.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from billdiff import render
from billdiff.urls import Urls
from billdiff.web.limits import large_comparison
from billdiff.web.state import get_corpus, urls

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    """The dossier in one screen."""
    return render_template("home.html", page=render.home_page(get_corpus(), urls()))


@bp.get("/documents/<doc_id>")
def document(doc_id: str) -> str:
    """One document, section by section, with provenance and our analyses."""
    return render_template("document.html",
                           page=render.document_page(get_corpus(), doc_id, urls()))


@bp.get("/compare")
def compare() -> str:
    """Two documents compared topic by topic (the URL holds the whole state)."""
    corpus = get_corpus()
    req = render.parse_compare_args(corpus, request.args.to_dict(flat=False))
    origin = current_app.config.get("SITE_URL") or request.host_url
    with large_comparison(current_app, corpus.document(req.a), corpus.document(req.b)):
        page = render.compare_page(corpus, req, urls(), Urls.origin_of(origin))
        return render_template("compare.html", page=page)


@bp.get("/as-amended/<target_id>/<amendment_id>")
def as_amended(target_id: str, amendment_id: str) -> str:
    """The law as a bill would make it: a comparative print and every instruction's fate."""
    origin = current_app.config.get("SITE_URL") or request.host_url
    page = render.as_amended_page(get_corpus(), target_id, amendment_id, urls(),
                                  Urls.origin_of(origin))
    return render_template("as_amended.html", page=page)


@bp.get("/topics/<topic_id>")
def topic(topic_id: str) -> str:
    """One provision across every version, oldest to newest."""
    return render_template("topic.html", page=render.topic_page(get_corpus(), topic_id, urls()))


@bp.get("/guide")
def guide() -> str:
    """The plain-language guide and glossary."""
    return render_template("guide.html", page=render.guide_page(get_corpus(), urls()))
