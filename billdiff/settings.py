"""Settings: one registry that feeds the defaults, ``--help`` and the docs.

Each setting has a name, a default, an environment variable and a one-line description.
The web config and the CLI both read from here; ``docs/settings.md`` is checked against it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: The package folder: templates, static files and the bundled dossier ship inside it, so an
#: installed billdiff (a wheel, ``pip install .``) finds them wherever it runs.
PACKAGE_DIR = Path(__file__).resolve().parent
#: The checkout (only meaningful in a git clone; nothing the package needs lives there).
PROJECT_ROOT = PACKAGE_DIR.parent
#: The bundled corpus (the Massachusetts face-recognition dossier; ``bills/`` in a checkout
#: is a link to it).
DEFAULT_BILLS_DIR = PACKAGE_DIR / "dossier"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"


@dataclass(frozen=True)
class Setting:
    """One documented setting."""

    name: str
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("bills", "BILLDIFF_BILLS", "bills/ of the project",
            "the corpus folder (documents/, analyses/, topics.yaml, sources.yaml, facts.yaml)"),
    Setting("max_file_bytes", "BILLDIFF_MAX_FILE_BYTES", "5000000",
            "largest corpus YAML file that will be read, in bytes"),
    Setting("max_text_words", "BILLDIFF_MAX_TEXT_WORDS", "400000",
            "largest text, in words, on one side of a comparison"),
    Setting("env", "BILLDIFF_ENV", "development",
            "`production` turns on the web app's production checks (secret key, HSTS, "
            "secure cookies)"),
    Setting("secret_key", "BILLDIFF_SECRET_KEY", "(random per process in development)",
            "the web app's secret key; required in production (32 bytes or more)"),
    Setting("trusted_hosts", "BILLDIFF_TRUSTED_HOSTS", "localhost, 127.0.0.1",
            "extra host names the web app answers to, comma-separated"),
    Setting("max_content_length", "BILLDIFF_MAX_CONTENT_LENGTH", "2097152",
            "largest request body the web app accepts, in bytes"),
    Setting("site_url", "BILLDIFF_SITE_URL", "http://127.0.0.1:5000",
            "public https:// address of the site, for links and QR codes on fact sheets; "
            "required in production"),
    Setting("factsheet_org", "BILLDIFF_FACTSHEET_ORG", "(none: neutral branding)",
            "organisation YAML file for the web app's fact sheets"),
    Setting("pdf_renders_per_minute", "BILLDIFF_PDF_RENDERS_PER_MINUTE", "10",
            "new fact-sheet PDFs one client address may have made per minute, per server "
            "process (cached ones always download; 0 turns the limit off)"),
    Setting("proxy_hops", "BILLDIFF_PROXY_HOPS", "0",
            "number of reverse proxies in front of the web app, whose X-Forwarded-For and "
            "X-Forwarded-Proto it trusts (to tell clients apart)"),
    Setting("assets", "BILLDIFF_ASSETS", "assets/ of the project",
            "the only folder a fact-sheet logo may come from"),
    Setting("api_base", "BILLDIFF_API_BASE", "https://malegislature.gov/api",
            "base URL of the Massachusetts Legislature's API (or a mirror) for `billdiff fetch`"),
    Setting("ca_bundle", "BILLDIFF_CA_BUNDLE", "(none)",
            "extra CA certificates (PEM) for `billdiff fetch`; verification is never turned off"),
    Setting("cache_dir", "BILLDIFF_CACHE_DIR", "$XDG_CACHE_HOME/billdiff or ~/.cache/billdiff",
            "folder for the cache of validated corpus files (JSON, found by content hash); "
            "`off` turns it off; a folder that cannot be written is skipped"),
    Setting("debug", "BILLDIFF_DEBUG", "(unset)",
            "show a traceback instead of the one-line error (for developers)"),
)


def env_int(name: str, default: int) -> int:
    """Read a positive integer from the environment, falling back to *default*."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if value > 0 else default


def bills_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The corpus folder: the explicit argument, else ``$BILLDIFF_BILLS``, else the bundled one."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("BILLDIFF_BILLS")
    return Path(env) if env else DEFAULT_BILLS_DIR


def max_file_bytes() -> int:
    """Largest YAML file the loader reads."""
    return env_int("BILLDIFF_MAX_FILE_BYTES", 5_000_000)


def max_text_words() -> int:
    """Largest text, in words, on one side of a comparison."""
    return env_int("BILLDIFF_MAX_TEXT_WORDS", 400_000)
