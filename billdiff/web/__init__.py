"""The web app: an app factory, blueprints for the pages, the JSON API and the fact sheets.

Configuration is layered, each layer overriding the one before:

1. defaults (:data:`DEFAULTS`);
2. ``BILLDIFF_*`` environment variables (:data:`ENV_VARS`);
3. the *test_config* dict passed to :func:`create_app`.

``ENV = "production"`` (``BILLDIFF_ENV=production``) turns on the production checks: the app
refuses to start without a ``SECRET_KEY`` of at least 32 bytes, debug is off, the session cookie
is ``Secure``, and responses carry ``Strict-Transport-Security``.
"""

from __future__ import annotations

import gc
import logging
import os
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask

from billdiff import settings
from billdiff.load import load_corpus
from billdiff.render import configure
from billdiff.web.state import RequestUrls, get_corpus

__all__ = ["ConfigError", "create_app", "get_corpus", "is_production"]

log = logging.getLogger("billdiff.web")

MIB = 1024 * 1024
MIN_SECRET_BYTES = 32

DEFAULTS: dict[str, Any] = {
    "ENV": "development",
    "BILLS_DIR": None,  # None: settings.bills_dir() (BILLDIFF_BILLS or the bundled dossier)
    "SECRET_KEY": None,
    "MAX_CONTENT_LENGTH": 2 * MIB,
    "MAX_FORM_MEMORY_SIZE": 2 * MIB,
    "MAX_FORM_PARTS": 200,
    "TRUSTED_HOSTS": ["localhost", "127.0.0.1"],
    "CSRF_ENABLED": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "HSTS_SECONDS": 31_536_000,
    "JSON_SORT_KEYS": False,
    "FACTSHEET_RENDERS_PER_MINUTE": 10,
    "PROXY_HOPS": 0,
}

#: Environment variable -> (config key, parser).
ENV_VARS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "BILLDIFF_ENV": ("ENV", str.strip),
    "BILLDIFF_BILLS": ("BILLS_DIR", str),
    "BILLDIFF_SECRET_KEY": ("SECRET_KEY", str),
    "BILLDIFF_TRUSTED_HOSTS": ("TRUSTED_HOSTS", lambda v: [h.strip() for h in v.split(",")
                                                          if h.strip()]),
    "BILLDIFF_MAX_CONTENT_LENGTH": ("MAX_CONTENT_LENGTH", int),
    "BILLDIFF_SITE_URL": ("SITE_URL", str.strip),
    "BILLDIFF_FACTSHEET_ORG": ("FACTSHEET_ORG", str),
    "BILLDIFF_PDF_RENDERS_PER_MINUTE": ("FACTSHEET_RENDERS_PER_MINUTE", lambda v: _count(v)),
    "BILLDIFF_PROXY_HOPS": ("PROXY_HOPS", lambda v: _count(v)),
}


def _count(raw: str) -> int:
    """A whole number, 0 or more."""
    value = int(raw)
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


class ConfigError(RuntimeError):
    """The app cannot start with this configuration (the message says how to fix it)."""


def _layered_config(test_config: Mapping[str, Any] | None) -> dict[str, Any]:
    config = dict(DEFAULTS)
    config["TRUSTED_HOSTS"] = list(DEFAULTS["TRUSTED_HOSTS"])
    for var, (key, parse) in ENV_VARS.items():
        raw = os.environ.get(var)
        if raw is None or raw.strip() == "":
            continue
        try:
            value = parse(raw)
        except ValueError as err:
            raise ConfigError(f"{var}={raw!r}: {err}") from err
        if key == "TRUSTED_HOSTS":  # the variable adds hosts to the defaults
            value = config["TRUSTED_HOSTS"] + [h for h in value if h not in config[key]]
        config[key] = value
    config.update(test_config or {})
    if config.get("BILLS_DIR") is None:
        config["BILLS_DIR"] = str(settings.bills_dir())
    return config


def _check_production(config: dict[str, Any]) -> None:
    key = config.get("SECRET_KEY")
    size = len(key.encode("utf-8") if isinstance(key, str) else (key or b""))
    if size < MIN_SECRET_BYTES:
        raise ConfigError(
            f"production needs a SECRET_KEY of at least {MIN_SECRET_BYTES} bytes "
            f"(got {size}); set BILLDIFF_SECRET_KEY, e.g. to the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    site = str(config.get("SITE_URL") or "")
    if not site.startswith("https://"):
        raise ConfigError(
            "production needs SITE_URL, the site's public https:// address, for the links and "
            "QR codes printed on fact sheets; set BILLDIFF_SITE_URL, e.g. "
            "https://billdiff.example.org"
        )
    config["DEBUG"] = False
    config["TESTING"] = bool(config.get("TESTING", False))
    config["SESSION_COOKIE_SECURE"] = True
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = "Lax"
    config["PREFERRED_URL_SCHEME"] = "https"


def is_production(app: Flask) -> bool:
    """True when the app runs with the production checks."""
    return str(app.config.get("ENV", "")).lower() == "production"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web app (see the module docstring for the configuration layers)."""
    config = _layered_config(test_config)
    production = str(config.get("ENV", "")).lower() == "production"
    if production:
        _check_production(config)
    elif not config.get("SECRET_KEY"):
        # Development only: a fresh random key per process (sessions end on restart).
        config["SECRET_KEY"] = secrets.token_hex(32)

    app = Flask(
        "billdiff.web",
        template_folder=str(settings.TEMPLATES_DIR),
        static_folder=str(settings.STATIC_DIR),
        static_url_path="/static",
    )
    app.config.update(config)
    if production:
        app.debug = False
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        # Behind *hops* reverse proxies: trust that many X-Forwarded-For/-Proto entries (and
        # no more), so that clients are told apart by their own address.  The Host header is
        # never taken from a proxy header (trusted hosts check the real one).
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    configure(app.jinja_env)
    app.jinja_env.globals["urls"] = RequestUrls()
    app.jinja_env.auto_reload = bool(app.config.get("TEMPLATES_AUTO_RELOAD"))

    corpus = load_corpus(app.config["BILLS_DIR"])
    if corpus.problems:
        log.warning("corpus %s has %d problem(s); run `billdiff validate`", corpus.root,
                    len(corpus.problems))
    app.extensions["billdiff.corpus"] = corpus
    # The corpus lives as long as the process: move it out of the garbage collector's
    # generations so that each collection does not walk the whole corpus again.
    gc.collect()
    gc.freeze()

    from billdiff.web import api, draft, errors, pages, security
    from billdiff.web.factsheet import bp as factsheet_bp

    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(factsheet_bp)
    app.register_blueprint(draft.bp)
    return app
