"""The web app: an app factory, blueprints for the pages, the JSON API, the fact sheets, the
health check and the status page.

Configuration is layered, each layer overriding the one before:

1. the settings registry (:data:`billdiff.settings.SETTINGS`): each setting with a ``config``
   key gives its default, or its ``BILLDIFF_*`` environment variable's value, parsed once by
   :func:`billdiff.settings.current` (a bad value stops the app with a one-line
   :class:`ConfigError` naming the variable);
2. the app's fixed keys (:data:`FIXED`: cookies, CSRF, form limits);
3. the *test_config* dict passed to :func:`create_app`.

:data:`DEFAULTS` and :data:`ENV_VARS` are derived from the registry (for reading, not editing).

``ENV = "production"`` (``BILLDIFF_ENV=production``) turns on the production checks: the app
refuses to start without a ``SECRET_KEY`` of at least 32 bytes, without a public ``https://``
``SITE_URL`` that fact sheets can print (not this computer), or on a corpus with errors; debug
is off, the session cookie is ``Secure``, responses carry ``Strict-Transport-Security``, and the
site URL's host is trusted.  In any environment an organisation file (``FACTSHEET_ORG``) is
checked at start, and the corpus is validated at start and watched while the site runs
(:mod:`billdiff.web.live`): the site keeps serving the last good corpus when its files break.
A development server started on a corpus with errors shows the status page (503) until the
files are fixed.
"""

from __future__ import annotations

import gc
import ipaddress
import logging
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request

from billdiff import settings
from billdiff.errors import BilldiffError
from billdiff.render import configure
from billdiff.settings import SETTINGS, SettingError
from billdiff.web import forms
from billdiff.web.live import LiveCorpus, Loaded, refreeze
from billdiff.web.state import RequestUrls, get_corpus

__all__ = ["DEFAULTS", "ENV_VARS", "ConfigError", "create_app", "get_corpus", "is_production",
           "start_pdf_worker"]

log = logging.getLogger("billdiff.web")

MIN_SECRET_BYTES = 32

#: The app's own keys, not settings a deployment changes.
FIXED: dict[str, Any] = {
    "MAX_FORM_PARTS": 200,
    "CSRF_ENABLED": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "HSTS_SECONDS": 31_536_000,
    "JSON_SORT_KEYS": False,
}

#: Every configuration key and its default: the registry's (derived) and the fixed ones.
DEFAULTS: dict[str, Any] = {
    **{s.config: s.default for s in SETTINGS if s.config}, **FIXED,
}
#: Environment variable -> (configuration key, parser), derived from the registry.
ENV_VARS: dict[str, tuple[str, Callable[[str], Any]]] = {
    s.env: (s.config, s.parse) for s in SETTINGS if s.config
}

#: The app cannot start with this configuration (one line: what, where, how to fix it).
ConfigError = SettingError

#: Endpoints that answer even when the app has no corpus to serve.
_WITHOUT_CORPUS = frozenset({"static", "factsheet.static", "health.healthz", "health.status"})


def _layered_config(test_config: Mapping[str, Any] | None) -> dict[str, Any]:
    config = dict(FIXED)
    config.update(settings.current().web_config())
    config.update(test_config or {})
    config.setdefault("MAX_FORM_MEMORY_SIZE", config["MAX_CONTENT_LENGTH"])
    if config.get("BILLS_DIR") is None:
        config["BILLS_DIR"] = str(settings.bills_dir())
    return config


def _check_config(config: dict[str, Any]) -> None:
    """What every environment refuses: an unknown ENV, a size limit that is not a positive
    number, an organisation file that cannot be used, a corpus folder that does not exist."""
    env = config.get("ENV")
    if not isinstance(env, str) or env.strip().lower() not in settings.ENVIRONMENTS:
        raise ConfigError(f"unknown environment {env!r}", where="BILLDIFF_ENV",
                          fix="set it to production or development")
    config["ENV"] = env.strip().lower()
    limit = config.get("MAX_CONTENT_LENGTH")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ConfigError(f"the request size limit must be 1 byte or more, not {limit!r}",
                          where="BILLDIFF_MAX_CONTENT_LENGTH",
                          fix="set it to a size in bytes, such as 2097152")
    org_file = config.get("FACTSHEET_ORG")
    if org_file:
        from billdiff import factsheet

        try:
            factsheet.load_org(org_file)
        except BilldiffError as err:
            raise ConfigError(f"the organisation file cannot be used: {err.what}",
                              where=f"BILLDIFF_FACTSHEET_ORG={str(org_file)!r}",
                              fix="give an organisation file like examples/org.yaml, or "
                                  "unset the setting for neutral sheets") from None
    bills = Path(str(config["BILLS_DIR"]))
    if not bills.is_dir():
        raise ConfigError("corpus folder does not exist", where=str(bills),
                          fix="pass --bills DIR or set BILLDIFF_BILLS to a folder with a "
                              "documents/ folder (`billdiff init DIR` makes one)")


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
    example = "e.g. https://billdiff.example.org"
    if not site.startswith("https://"):
        raise ConfigError(
            "production needs SITE_URL, the site's public https:// address, for the links and "
            f"QR codes printed on fact sheets; set BILLDIFF_SITE_URL, {example}"
        )
    from billdiff import factsheet

    try:
        factsheet.check_site_url(site)
    except BilldiffError as err:
        raise ConfigError(f"every fact sheet would refuse this site URL: {err.what}",
                          where=f"BILLDIFF_SITE_URL={site!r}",
                          fix=f"set it to the site's public address, {example}") from None
    host = (urlsplit(site).hostname or "").lower()
    if _points_here(host):
        raise ConfigError("the site URL points at the computer that opens it, so the link "
                          "and QR code on every printed fact sheet would lead nowhere",
                          where=f"BILLDIFF_SITE_URL={site!r}",
                          fix=f"set it to the site's public address, {example}")
    hosts = list(config.get("TRUSTED_HOSTS") or [])
    if host not in (h.lower() for h in hosts):
        # The public host is the one clients send: trusted, or every request would be a 400.
        config["TRUSTED_HOSTS"] = [*hosts, host]
    config["DEBUG"] = False
    config["TESTING"] = bool(config.get("TESTING", False))
    config["SESSION_COOKIE_SECURE"] = True
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = "Lax"
    config["PREFERRED_URL_SCHEME"] = "https"


def _points_here(host: str) -> bool:
    """True for a host that always means the computer it is opened on (or no computer)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified or ip.is_link_local


def is_production(app: Flask) -> bool:
    """True when the app runs with the production checks."""
    return str(app.config.get("ENV", "")).lower() == "production"


def _start_corpus(config: dict[str, Any], production: bool) -> LiveCorpus:
    live = LiveCorpus(config["BILLS_DIR"], float(config.get("CORPUS_CHECK_SECONDS") or 0))
    for _ in range(3):  # a corpus being written to as we read it is read again
        live.load()
        if live.loaded is not None or live.trouble is not None:
            break
    if live.loaded is None:
        summary = live.trouble.summary if live.trouble else "it kept changing while read"
        if production:
            # An error-level corpus is never served (docs/decisions.md): production refuses
            # to start on one; a running site keeps its last good corpus instead.
            raise ConfigError(f"the corpus cannot be served: {summary}",
                              where=str(config["BILLS_DIR"]),
                              fix="run `billdiff validate` to list every problem")
        log.error("corpus %s cannot be served (%s); every page shows the status page until "
                  "the files are fixed", config["BILLS_DIR"], summary)
    return live


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web app (see the module docstring for the configuration layers);
    :class:`ConfigError` (one line) for a configuration it cannot start with."""
    config = _layered_config(test_config)
    _check_config(config)
    production = config["ENV"] == "production"
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
    app.request_class = forms.Request
    # No redirect that merges slashes: "/api/documents//0" names no document (its id would be
    # "/0"), and the API describes 200 and 404 for it, not a 308 to another document.
    app.url_map.merge_slashes = False
    app.config.update(config)
    if production:
        app.debug = False
    app.json.sort_keys = False  # type: ignore[attr-defined]
    configure(app.jinja_env)
    app.jinja_env.globals["urls"] = RequestUrls()
    app.jinja_env.auto_reload = bool(app.config.get("TEMPLATES_AUTO_RELOAD"))

    live = _start_corpus(config, production)
    app.extensions["billdiff.live"] = live
    if live.loaded is not None:
        app.extensions["billdiff.corpus"] = live.loaded.corpus
    # The corpus lives as long as the process: move it out of the garbage collector's
    # generations so that each collection does not walk the whole corpus again.
    gc.collect()
    gc.freeze()

    from billdiff.web import api, caching, draft, errors, health, pages, security
    from billdiff.web.factsheet import bp as factsheet_bp
    from billdiff.web.paths import StaticPaths

    security.init_app(app)
    errors.init_app(app)

    @app.before_request
    def _watch_corpus() -> Response | None:
        live.poll()
        if live.loaded is None and request.endpoint not in _WITHOUT_CORPUS:
            return health.status_response(503)
        return None

    def fingerprint() -> str | None:
        live.poll()  # a stored page is answered before _watch_corpus runs
        return live.loaded.fingerprint if live.loaded else None

    cache = caching.init_app(app, fingerprint)

    def _served(loaded: Loaded) -> None:
        app.extensions["billdiff.corpus"] = loaded.corpus
        cache.clear()
        refreeze()

    live.on_change = _served
    # The WSGI middlewares, the outermost last (caching.init_app put the stored pages' one
    # round the app): each sees the request as the next one and the app will.
    app.wsgi_app = security.HostCase(app.wsgi_app)  # type: ignore[method-assign]
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        # Behind *hops* reverse proxies: trust that many X-Forwarded-For/-Proto entries (and
        # no more), so that clients are told apart by their own address.  The Host header is
        # never taken from a proxy header (trusted hosts check the real one).
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.wsgi_app = StaticPaths(app.wsgi_app)  # type: ignore[method-assign]
    app.view_functions["static"] = _static_view(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(factsheet_bp)
    app.register_blueprint(draft.bp)
    app.register_blueprint(health.bp)
    return app


def _static_view(app: Flask) -> Callable[[str], Response]:
    """``/static/<path>`` under the PDF fetcher's rule (:mod:`billdiff.pdf`), one rule for
    both: a regular file whose real path is the path asked for, inside the static folder.  A
    symbolic link (even one to a file inside the folder) and anything that is not a regular
    file are 404, as the fetcher refuses them."""
    from flask import abort
    from werkzeug.security import safe_join

    root = os.path.realpath(str(app.static_folder))

    def static(filename: str) -> Response:
        joined = safe_join(root, filename)
        if joined is None or os.path.realpath(joined) != os.path.normpath(joined) \
                or not os.path.isfile(joined):
            abort(404)
        return app.send_static_file(filename)

    return static


def warm(app: object) -> None:
    """Do once, in the process that forks the server's workers, what each worker would
    otherwise do on its first requests: compile every page template and make the home page's
    data (choosing its first comparison diffs the latest bill against each earlier document,
    memoised on the corpus).  The workers inherit both, so a new worker (at start, or when
    gunicorn replaces one after ``max_requests``) answers at once rather than after a second or
    more of work, and they share the memory.  Nothing here is per request or per client.
    Anything but a Flask app (a server's other WSGI callable) is left alone."""
    if not isinstance(app, Flask):
        return
    from billdiff import render
    from billdiff.urls import Urls

    env = app.jinja_env
    for name in env.list_templates(filter_func=lambda n: n.endswith(".html")):
        env.get_template(name)
    if "billdiff.corpus" in app.extensions:
        render.home_page(get_corpus(app), Urls())
    refreeze()


def start_pdf_worker(app: object) -> None:
    """Start the app's PDF worker now (a server process calls this as it starts, so that
    ``/healthz`` and the first fact sheet find it answering).  Anything but a Flask app is
    left alone."""
    if not isinstance(app, Flask):
        return
    from billdiff.web import factsheet as sheets

    renderer = sheets.renderer(app)
    if renderer is not None:
        renderer.start()
