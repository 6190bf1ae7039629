"""Settings: one registry that feeds the defaults, ``--help`` and the docs.

Each setting has a name, a default, an environment variable and a one-line description.
The web config and the CLI both read from here; ``docs/settings.md`` is checked against it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The bundled corpus (the Massachusetts face-recognition dossier).
DEFAULT_BILLS_DIR = PROJECT_ROOT / "bills"
TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "billdiff" / "static"


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
    Setting("secret_key", "BILLDIFF_SECRET_KEY", "(none)",
            "the web app's secret key; required in production (32 bytes or more)"),
    Setting("api_base", "BILLDIFF_API_BASE", "https://malegislature.gov/api",
            "base URL of the Massachusetts Legislature's API (or a mirror) for `billdiff fetch`"),
    Setting("assets", "BILLDIFF_ASSETS", "assets/ of the project",
            "the only folder a fact-sheet logo may come from"),
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
