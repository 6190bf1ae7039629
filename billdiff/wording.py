"""Small wording helpers shared by the terminal report, the CLI and the pages."""

from __future__ import annotations


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 word`` / ``2 words`` (thousands separated)."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
