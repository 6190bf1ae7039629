"""Fact-sheet pages of the web app (preview and PDF download)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("factsheet", __name__)
