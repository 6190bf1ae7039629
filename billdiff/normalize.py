"""Canonical text for comparison: remove what a reader would not call a change.

- line endings (CRLF, CR) become LF; Unicode is put in NFC form;
- non-breaking and other fixed-width spaces become a plain space;
- zero-width characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM) and soft hyphens are removed;
- optionally, curly quotes and apostrophes become straight ones (``quotes=True``; the
  comparison itself no longer uses this: it matches words on :func:`fold_typography` and keeps
  the original characters, so that a quote-style difference is shown as typography and never
  counted as a change of wording);
- bidi controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) are *not* removed: each
  is replaced by a visible marker such as ``⟦U+202E⟧`` so that a reader sees text that could
  otherwise display in a misleading order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2000\u2001\u2002\u2003\u2004\u2005"
                                 "\u2006\u2008\u2009\u200a\u205f\u3000"), " ")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_QUOTES = {
    ord("\u2018"): "'", ord("\u2019"): "'", ord("\u201a"): "'", ord("\u201b"): "'",
    ord("\u2032"): "'", ord("\u201c"): '"', ord("\u201d"): '"', ord("\u201e"): '"',
    ord("\u201f"): '"', ord("\u2033"): '"',
}
#: Typography that is not wording: every curly or other quote mark to its straight form, and
#: every dash to a hyphen.  One character for one, so a folded text keeps its length and a
#: position in it is a position in the original.
_TYPOGRAPHY = {**_QUOTES, **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015"
                                                  "\u2212\ufe58\ufe63\uff0d"), "-")}
_TYPOGRAPHY_RE = re.compile("[" + "".join(map(chr, _TYPOGRAPHY)) + "]")
#: The same folding as (mark, plain) pairs: ``str.replace`` runs at C speed over a text whatever
#: its characters, where a character-class pattern over non-ASCII text, or a substitution with
#: a function (a Python call per mark), made the paragraph matching of a 1 MB text 60 % slower.
_FOLDS = tuple((chr(c), plain) for c, plain in _TYPOGRAPHY.items())
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_BIDI_RE = re.compile(f"[{BIDI_CONTROLS}]")


def bidi_marker(char: str) -> str:
    """The visible stand-in for one bidi control character."""
    return f"⟦U+{ord(char):04X}⟧"


@dataclass(frozen=True)
class NormalizeOptions:
    """Which equivalences the comparison applies."""

    quotes: bool = False


_SPECIAL_RE = re.compile("[" + "".join(map(chr, _SPACES)) + "".join(map(chr, _INVISIBLE))
                         + "\r" + BIDI_CONTROLS + "]")
_QUOTE_RE = re.compile("[" + "".join(map(chr, _QUOTES)) + "]")
_SPACE_RE = re.compile("[" + "".join(map(chr, _SPACES)) + "]")
_INVISIBLE_RE = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")


def normalize(text: str, options: NormalizeOptions = NormalizeOptions()) -> str:
    """Return *text* in the canonical form used for comparison (see the module docstring)."""
    # Most legal text needs none of this: check first with one C-speed scan each, because a
    # per-character translate of every section of a whole code costs more than diffing it.
    if text.isascii():
        # every character this module changes is outside ASCII, but for the carriage return
        return text if "\r" not in text else text.replace("\r\n", "\n").replace("\r", "\n")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _SPECIAL_RE.search(text):
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        # regex substitution runs in C; str.translate with a dict looks up every character
        text = _SPACE_RE.sub(" ", _INVISIBLE_RE.sub("", text))
        if _BIDI_RE.search(text):
            text = _BIDI_RE.sub(lambda m: bidi_marker(m.group()), text)
    if options.quotes and _QUOTE_RE.search(text):
        text = text.translate(_QUOTES)
    return text


def fold_typography(text: str) -> str:
    """*text* with quote style and dash style folded away (see :data:`_TYPOGRAPHY`).

    Comparisons match words on their folded form, so ``“Facial”`` and ``"Facial"`` are the same
    word whose typography differs; what is shown is always the original characters.
    """
    if text.isascii():
        return text
    # translate would look every character up in a dictionary, a regular expression's class is
    # slow over wide characters: twenty C-speed replaces are the fastest (a 1 MB text, 3.7 ms)
    for mark, plain in _FOLDS:
        text = text.replace(mark, plain)
    return text


def mark_bidi(text: str) -> str:
    """Replace each bidi control with its visible marker (nothing else changes)."""
    return _BIDI_RE.sub(lambda m: bidi_marker(m.group()), text)


def has_bidi_controls(text: str) -> bool:
    """True if *text* holds a bidi control character."""
    return _BIDI_RE.search(text) is not None
