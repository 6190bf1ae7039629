"""Settings: one registry that supplies every value, its type, its parser and its documentation.

Each :class:`Setting` has a name, an environment variable, a typed default, a parser and a
one-line description; the web app's configuration keys are derived from it (``config``), the
README's settings table is checked against it (``tests/test_docs.py``), and every value billdiff
reads comes from :func:`current`: a frozen :class:`Settings` made from the environment, read
once for a given environment (it is made again only if a ``BILLDIFF_*`` variable changes, as
tests do).

One policy for a bad value: :class:`SettingError`, a one-line error naming the variable, what
is wrong and how to fix it (exit code 2 on the command line; the web app refuses to start).
A bad value never silently becomes the default.  An empty variable counts as unset.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from billdiff.errors import BilldiffError

#: The package folder: templates, static files, the fact-sheet assets and the bundled dossier
#: ship inside it, so an installed billdiff (a wheel, ``pip install .``) finds them wherever it
#: runs.
PACKAGE_DIR = Path(__file__).resolve().parent
#: The checkout (only meaningful in a git clone; nothing the package needs lives there).
PROJECT_ROOT = PACKAGE_DIR.parent
#: The bundled corpus (the Massachusetts face-recognition dossier; ``bills/`` in a checkout
#: is a link to it).
DEFAULT_BILLS_DIR = PACKAGE_DIR / "dossier"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
#: The fact-sheet logo folder shipped with the package (``assets/`` in a checkout links here).
ASSETS_DIR = PACKAGE_DIR / "assets"

MIB = 1024 * 1024
T = TypeVar("T")


class SettingError(BilldiffError):
    """A setting (an environment variable, or a web app configuration value) that cannot be
    used.  ``str(err)`` is one line naming it, what is wrong and how to fix it."""


# -- parsers: each takes the text of a variable and returns the value, or raises ValueError
# -- with what is wrong (the registry adds the variable's name and the fix).


def _whole(raw: str) -> int:
    text = raw.strip().replace("_", "")
    if not re.fullmatch(r"[+-]?[0-9]{1,18}", text):
        raise ValueError("not a whole number")
    return int(text)


def positive_int(raw: str) -> int:
    """A whole number above 0."""
    value = _whole(raw)
    if value < 1:
        raise ValueError("must be 1 or more")
    return value


def count(raw: str) -> int:
    """A whole number, 0 or more."""
    value = _whole(raw)
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


def seconds(raw: str) -> float:
    """A number of seconds above 0."""
    value = _number(raw)
    if value <= 0:
        raise ValueError("must be more than 0 seconds")
    return value


def seconds_or_zero(raw: str) -> float:
    """A number of seconds, 0 or more."""
    value = _number(raw)
    if value < 0:
        raise ValueError("must be 0 or more seconds")
    return value


def _number(raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ValueError("not a number") from None
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def flag(raw: str) -> bool:
    """``1``/``true``/``yes``/``on`` or ``0``/``false``/``no``/``off``."""
    text = raw.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError("not 1 or 0 (true or false)")


def environment(raw: str) -> str:
    """``development`` or ``production`` (any other value is refused: ``prod`` would
    otherwise silently run without the production checks)."""
    text = raw.strip().lower()
    if text not in ENVIRONMENTS:
        raise ValueError(f"unknown environment {raw.strip()!r}")
    return text


ENVIRONMENTS = ("development", "production")


def path(raw: str) -> Path:
    """A file or folder path (``~`` is expanded)."""
    return Path(raw.strip()).expanduser()


def text(raw: str) -> str:
    """Any text (stripped)."""
    return raw.strip()


def secret(raw: str) -> str:
    """A secret, kept exactly as given (spaces included)."""
    return raw


_HOST = re.compile(r"\.?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?"
                   r"|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:]+:[0-9A-Fa-f:.]*")
DEFAULT_TRUSTED_HOSTS = ("localhost", "127.0.0.1")


def hosts(raw: str) -> tuple[str, ...]:
    """Comma-separated host names, added to the default ones (``localhost``, ``127.0.0.1``);
    a name that starts with a dot stands for its subdomains too."""
    names = [h.strip() for h in raw.split(",") if h.strip()]
    for name in names:
        if not _HOST.fullmatch(name):
            raise ValueError(f"{name!r} is not a host name (no scheme, path or port)")
    return tuple(dict.fromkeys((*DEFAULT_TRUSTED_HOSTS, *(n.lower() for n in names))))


def http_url(raw: str) -> str:
    """An ``http://`` or ``https://`` address with a host and no query, fragment or user."""
    value = raw.strip()
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http:// or https:// address with a host")
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError("must be a plain address, without a query, fragment or user name")
    try:
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        raise ValueError("has a port that is not a number from 1 to 65535") from None
    return value.rstrip("/")


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One setting: its name (an attribute of :class:`Settings`), environment variable, typed
    default, parser, one-line help, and how to fix a bad value.

    *shown* is the default as the docs show it when the value itself would not read well (a
    path inside the installed package, a value computed at run time).  *config* is the web
    app's configuration key for it, if the app reads it.  *secret* values are never printed.
    """

    name: str
    env: str
    default: T
    parse: Callable[[str], T]
    help: str
    fix: str
    shown: str | None = None
    config: str | None = None
    secret: bool = False

    @property
    def shown_default(self) -> str:
        """The default as the README's table shows it."""
        if self.shown is not None:
            return self.shown
        if isinstance(self.default, bool):
            return "1" if self.default else "0"
        if isinstance(self.default, tuple):
            return ", ".join(str(v) for v in self.default)
        return str(self.default)

    def read(self, environ: Mapping[str, str]) -> T:
        """The value in *environ* (the default when unset or empty); :class:`SettingError`
        naming the variable if it cannot be used."""
        raw = environ.get(self.env)
        if raw is None or raw.strip() == "":
            return self.default
        try:
            return self.parse(raw)
        except ValueError as err:
            shown = "" if self.secret else f"={_quote(raw)}"
            raise SettingError(str(err), where=f"{self.env}{shown}",
                               fix=f"{self.fix}, or unset it for the default") from None


def _quote(raw: str) -> str:
    cut = raw if len(raw) <= 60 else raw[:60] + "…"
    return repr(cut)


SETTINGS: tuple[Setting[Any], ...] = (
    Setting("bills", "BILLDIFF_BILLS", DEFAULT_BILLS_DIR, path,
            "the corpus folder (documents/, analyses/, topics.yaml, sources.yaml, facts.yaml)",
            "set it to a corpus folder (`billdiff init DIR` makes one)",
            shown="the bundled dossier", config="BILLS_DIR"),
    Setting("max_file_bytes", "BILLDIFF_MAX_FILE_BYTES", 5_000_000, positive_int,
            "largest corpus YAML file that will be read, in bytes",
            "set it to a size in bytes, such as 5000000"),
    Setting("max_text_words", "BILLDIFF_MAX_TEXT_WORDS", 400_000, positive_int,
            "largest text, in words, on one side of a comparison",
            "set it to a number of words, such as 400000"),
    Setting("env", "BILLDIFF_ENV", "development", environment,
            "`production` turns on the web app's production checks (secret key, site URL, "
            "HSTS, secure cookies; a corpus with errors is refused)",
            "set it to production or development", config="ENV"),
    Setting("secret_key", "BILLDIFF_SECRET_KEY", None, secret,
            "the web app's secret key; required in production (32 bytes or more)",
            "set it to a long random value, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`",
            shown="(random per process in development)", config="SECRET_KEY", secret=True),
    Setting("trusted_hosts", "BILLDIFF_TRUSTED_HOSTS", DEFAULT_TRUSTED_HOSTS, hosts,
            "extra host names the web app answers to, comma-separated (the site URL's host is "
            "added in production)",
            "set it to host names separated by commas, such as bills.example.org",
            config="TRUSTED_HOSTS"),
    Setting("max_content_length", "BILLDIFF_MAX_CONTENT_LENGTH", 2 * MIB, positive_int,
            "largest request body the web app accepts, in bytes",
            "set it to a size in bytes, such as 2097152", shown="2097152 (2 MiB)",
            config="MAX_CONTENT_LENGTH"),
    Setting("site_url", "BILLDIFF_SITE_URL", None, http_url,
            "public https:// address of the site, for links and QR codes on fact sheets; "
            "required in production",
            "set it to the site's public address, such as https://bills.example.org",
            shown="(the address a request came to; http://127.0.0.1:5000 for the command "
                  "line)", config="SITE_URL"),
    Setting("factsheet_org", "BILLDIFF_FACTSHEET_ORG", None, path,
            "organisation YAML file for the web app's fact sheets (checked at start)",
            "set it to an organisation file like examples/org.yaml",
            shown="(none: neutral branding)", config="FACTSHEET_ORG"),
    Setting("pdf_renders_per_minute", "BILLDIFF_PDF_RENDERS_PER_MINUTE", 10, count,
            "new fact-sheet PDFs one client address may have made per minute, per server "
            "process (cached ones always download; 0 turns the limit off)",
            "set it to a whole number, 0 or more", config="FACTSHEET_RENDERS_PER_MINUTE"),
    Setting("drafts_per_minute", "BILLDIFF_DRAFTS_PER_MINUTE", 20, count,
            "drafts one client address may have compared per minute on /draft, per server "
            "process (0 turns the limit off)",
            "set it to a whole number, 0 or more", config="DRAFTS_PER_MINUTE"),
    Setting("pdf_render_timeout", "BILLDIFF_PDF_RENDER_TIMEOUT", 10.0, seconds,
            "time limit of one fact-sheet render in the web app, in seconds",
            "set it to a number of seconds, such as 10", config="FACTSHEET_RENDER_TIMEOUT"),
    Setting("pdf_render_memory", "BILLDIFF_PDF_RENDER_MEMORY", 512 * MIB, positive_int,
            "memory one fact-sheet render may use on top of the PDF worker's own, in bytes",
            "set it to a size in bytes, such as 536870912", shown="536870912 (512 MiB)",
            config="FACTSHEET_RENDER_MEMORY"),
    Setting("pdf_cache_size", "BILLDIFF_PDF_CACHE_SIZE", 32, positive_int,
            "fact-sheet PDFs kept in memory per server process (by content)",
            "set it to a whole number, 1 or more", config="FACTSHEET_CACHE_SIZE"),
    Setting("page_cache_bytes", "BILLDIFF_PAGE_CACHE_BYTES", 64 * MIB, count,
            "memory per server process for finished pages, API answers and PDFs, found by "
            "the content of what they show (0 turns it off)",
            "set it to a size in bytes, 0 or more", shown="67108864 (64 MiB)",
            config="PAGE_CACHE_BYTES"),
    Setting("corpus_check_seconds", "BILLDIFF_CORPUS_CHECK_SECONDS", 2.0, seconds_or_zero,
            "how often the web app looks for changed corpus files, in seconds (a valid change "
            "is served without a restart; 0: on every request)",
            "set it to a number of seconds, 0 or more", config="CORPUS_CHECK_SECONDS"),
    Setting("proxy_hops", "BILLDIFF_PROXY_HOPS", 0, count,
            "number of reverse proxies in front of the web app, whose X-Forwarded-For and "
            "X-Forwarded-Proto it trusts (to tell clients apart)",
            "set it to the number of proxies, 0 or more", config="PROXY_HOPS"),
    Setting("workers", "BILLDIFF_WORKERS", 0, count,
            "server processes for `billdiff serve --production` (0: two per CPU, plus one)",
            "set it to a whole number, 0 or more"),
    Setting("threads", "BILLDIFF_THREADS", 4, positive_int,
            "threads per server process for `billdiff serve --production`",
            "set it to a whole number, 1 or more"),
    Setting("connections", "BILLDIFF_CONNECTIONS", 0, count,
            "connections each server process holds at once for `billdiff serve --production` "
            "(0: twelve per thread); more wait for a process with room",
            "set it to a whole number, 0 or more"),
    Setting("assets", "BILLDIFF_ASSETS", ASSETS_DIR, path,
            "the only folder a fact-sheet logo may come from",
            "set it to a folder of PNG or JPEG logos", shown="the bundled assets folder"),
    Setting("api_base", "BILLDIFF_API_BASE", "https://malegislature.gov/api", text,
            "base URL of the Massachusetts Legislature's API (or a mirror) for `billdiff fetch`",
            "set it to the API's https:// address"),
    Setting("ca_bundle", "BILLDIFF_CA_BUNDLE", None, path,
            "extra CA certificates (PEM) for `billdiff fetch`; verification is never turned off",
            "set it to a PEM file", shown="(none)"),
    Setting("cache_dir", "BILLDIFF_CACHE_DIR", None, text,
            "folder for the cache of validated corpus files (JSON, found by content hash); "
            "`off` turns it off; a folder that cannot be written is skipped",
            "set it to a folder, or to off",
            shown="$XDG_CACHE_HOME/billdiff or ~/.cache/billdiff"),
    Setting("debug", "BILLDIFF_DEBUG", False, flag,
            "`1` shows a traceback instead of the one-line error (for developers)",
            "set it to 1 or 0"),
)

BY_NAME: dict[str, Setting[Any]] = {s.name: s for s in SETTINGS}
BY_ENV: dict[str, Setting[Any]] = {s.env: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """Every setting's value, typed (see :data:`SETTINGS` for what each one means)."""

    bills: Path
    max_file_bytes: int
    max_text_words: int
    env: str
    secret_key: str | None
    trusted_hosts: tuple[str, ...]
    max_content_length: int
    site_url: str | None
    factsheet_org: Path | None
    pdf_renders_per_minute: int
    drafts_per_minute: int
    pdf_render_timeout: float
    pdf_render_memory: int
    pdf_cache_size: int
    page_cache_bytes: int
    corpus_check_seconds: float
    proxy_hops: int
    workers: int
    threads: int
    connections: int
    assets: Path
    api_base: str
    ca_bundle: Path | None
    cache_dir: str | None
    debug: bool

    @property
    def production(self) -> bool:
        """True with ``BILLDIFF_ENV=production``."""
        return self.env == "production"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Every setting read from *environ* (default: the process environment);
        :class:`SettingError` for the first one that cannot be used."""
        env = os.environ if environ is None else environ
        return cls(**{s.name: s.read(env) for s in SETTINGS})

    def web_config(self) -> dict[str, Any]:
        """The web app's configuration keys (``config`` of each setting) and their values."""
        out: dict[str, Any] = {}
        for setting in SETTINGS:
            if setting.config:
                value = getattr(self, setting.name)
                if isinstance(value, Path):
                    value = str(value)
                elif isinstance(value, tuple):
                    value = list(value)
                out[setting.config] = value
        return out


assert [f.name for f in fields(Settings)] == [s.name for s in SETTINGS], \
    "Settings and SETTINGS must list the same names in the same order"

_cached: tuple[tuple[str | None, ...], Settings] | None = None


def current() -> Settings:
    """The settings of this process, read from the environment once (and again only if a
    ``BILLDIFF_*`` variable has changed since); :class:`SettingError` for a bad value."""
    global _cached
    key = tuple(os.environ.get(s.env) for s in SETTINGS)
    cached = _cached
    if cached is not None and cached[0] == key:
        return cached[1]
    value = Settings.from_environ()
    _cached = (key, value)
    return value


def markdown_table() -> str:
    """The README's settings table, made from the registry (the docs test compares them)."""
    rows = ["| setting | environment variable | default | what it does |",
            "|---|---|---|---|"]
    rows += [f"| {s.name} | `{s.env}` | {s.shown_default} | {s.help} |" for s in SETTINGS]
    return "\n".join(rows)


# -- the readers the library uses (kept for the modules that call them) ------------------------


def bills_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The corpus folder: the explicit argument, else ``$BILLDIFF_BILLS``, else the bundled one."""
    if explicit:
        return Path(explicit)
    return current().bills


def max_file_bytes() -> int:
    """Largest YAML file the loader reads."""
    return current().max_file_bytes


def max_text_words() -> int:
    """Largest text, in words, on one side of a comparison."""
    return current().max_text_words
