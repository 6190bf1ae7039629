"""Errors a person can act on: what went wrong, where, and how to fix it."""

from __future__ import annotations

import re

from billdiff.normalize import BIDI_CONTROLS

#: Characters that must not reach a terminal as they are: C0 and C1 controls (escape sequences
#: can move the cursor, retitle the window or hide text) and bidi controls (reorder text).
_CONTROLS = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


def visible(text: str) -> str:
    """*text* with control and bidi characters written as escapes (``\\x1b``, ``\\u202e``),
    so that a file name or a message can be printed without driving the terminal."""
    return _CONTROLS.sub(lambda m: (f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                    else f"\\u{ord(m.group()):04x}"), text)


class BilldiffError(Exception):
    """A user-facing error.  ``str(err)`` is one line: ``where: what (how to fix)``."""

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None) -> None:
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The one-line message shown to the user."""
        text = f"{self.where}: {self.what}" if self.where else self.what
        if self.fix:
            text += f" ({self.fix})"
        return text


class NotFound(BilldiffError):
    """An unknown document, section or topic."""


class InputTooLarge(BilldiffError):
    """Input over a size limit."""


class LoadError(BilldiffError):
    """A corpus file that cannot be read or parsed."""


class BadRequest(BilldiffError):
    """A request parameter or option that cannot be used (400 on the web, exit 2 on the
    command line)."""
