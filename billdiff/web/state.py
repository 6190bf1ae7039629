"""What every view reads from the app: its corpus and its URL builder (no blueprint imports,
so that the app factory and the blueprints import this module without a cycle)."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, request

from billdiff.amend import corpus as amended
from billdiff.load import Corpus
from billdiff.urls import Urls


def get_corpus(app: Flask | None = None) -> Corpus:
    """The corpus the app serves (loaded at start-up, or again when its files change), able
    to name the law "as amended" by its bills (:func:`billdiff.amend.corpus.enable`)."""
    target = app or current_app
    corpus: Corpus = target.extensions["billdiff.corpus"]
    return amended.enable(corpus)


def urls() -> Urls:
    """The URL builder for this request: the site's paths under its mount point (the
    ``SCRIPT_NAME`` a reverse proxy or WSGI server gives, else ``/``)."""
    return Urls(request.script_root or "/") if has_request_context() else Urls()


class RequestUrls:
    """The template global ``urls``: :func:`urls` of the request being rendered (templates
    imported as macros see globals, not the render context, so this resolves per call)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(urls(), name)
