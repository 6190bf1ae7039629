"""Designations of provisions: ``(a)``, ``(1A)``, ``(b-1)``, ``(iv)``, ``220``, ``16-318``.

Reading them (a list such as ``(1), (1A), and (1B)``, a range ``(3) through (5)``), ordering
them (a new ``(1A)`` goes after ``(1)`` and before ``(2)``) and counting on from them (the
range ``(4) through (6)``).  Plain functions on strings; no project imports.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: One parenthesised designation: ``(a)``, ``(12A-i)``, ``(b-1)``.
PAREN = r"\([A-Za-z0-9][A-Za-z0-9.\-]{0,15}\)"
#: A chain of them: ``(c)(1)(A)``.
CHAIN = rf"(?:{PAREN})+"
#: A section or container designation: ``220``, ``16-318``, ``28:2A-222``, ``223a``, ``VI``.
BARE = r"§?\s?[0-9A-Za-z][0-9A-Za-z:.\-]{0,30}"

_PAREN_RE = re.compile(PAREN)
_ROMAN = re.compile(r"(?=[ivxlc]+$)c{0,3}(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_TOKEN = re.compile(r"[0-9]+|[A-Za-z]+|[.\-:]")


def split_chain(chain: str) -> tuple[str, ...]:
    """``"(c)(1)(A)"`` -> ``("(c)", "(1)", "(A)")``."""
    return tuple(_PAREN_RE.findall(chain))


def roman_value(word: str) -> int | None:
    """``"iv"`` -> 4 (lower-case roman numerals only), else None."""
    if not word or not _ROMAN.match(word):
        return None
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
    total = 0
    for i, ch in enumerate(word):
        value = values[ch]
        if i + 1 < len(word) and values[word[i + 1]] > value:
            total -= value
        else:
            total += value
    return total


def _letters_value(word: str) -> int:
    """``a`` 1 ... ``z`` 26, ``aa`` 27 (the Code's doubled letters) ... case ignored."""
    low = word.lower()
    if len(set(low)) == 1:  # "aa", "zz": doubled letters come after z
        return (len(low) - 1) * 26 + ord(low[0]) - 96
    value = 0
    for ch in low:
        value = value * 26 + ord(ch) - 96
    return value


def sort_key(designation: str, *, roman: bool) -> tuple[tuple[int, int | str], ...]:
    """A key that orders designations of one series (``roman``: read ``i``, ``v``, ``x`` as
    roman numerals).  ``(1)`` < ``(1A)`` < ``(1B)`` < ``(2)``; ``(b)`` < ``(b-1)`` < ``(c)``."""
    inner = designation.strip()
    if inner.startswith("(") and inner.endswith(")"):
        inner = inner[1:-1]
    inner = inner.lstrip("§ ").strip()
    out: list[tuple[int, int | str]] = []
    for token in _TOKEN.findall(inner):
        if token.isdigit():
            out.append((1, int(token)))
        elif token in ".-:":
            out.append((0, 0))  # a separator sorts before any further part: (b) < (b-1)
        elif roman and token.islower() and roman_value(token) is not None:
            out.append((2, roman_value(token) or 0))
        else:
            out.append((2, _letters_value(token)))
    return tuple(out)


def is_roman_series(designations: list[str]) -> bool:
    """Do these sibling designations read as roman numerals (``(i)``, ``(ii)``, ``(iv)``)?

    ``(i)`` alone is ambiguous; siblings decide: ``(ii)`` or ``(iv)`` say roman, ``(h)`` or
    ``(j)`` say letters.
    """
    words = [d.strip("()") for d in designations]
    lowers = [w for w in words if w.isalpha() and w.islower()]
    if not lowers:
        return False
    if any(roman_value(w) is None for w in lowers):
        return False
    return any(len(w) > 1 or w in ("v", "x") for w in lowers) or lowers == ["i"]


def next_designation(designation: str) -> str | None:
    """The designation after this one in its series: ``(4)`` -> ``(5)``, ``(d)`` -> ``(e)``,
    ``(iv)`` -> ``(v)``, ``(1B)`` -> ``(1C)``.  None when it cannot be counted on."""
    inner = designation.strip()
    wrapped = inner.startswith("(") and inner.endswith(")")
    core = inner[1:-1] if wrapped else inner

    def wrap(value: str) -> str:
        return f"({value})" if wrapped else value

    match = re.fullmatch(r"(.*?)([0-9]+)", core)
    if match:
        return wrap(f"{match.group(1)}{int(match.group(2)) + 1}")
    roman = roman_value(core) if core.islower() else None
    if roman is not None and len(core) > 1:
        return wrap(_to_roman(roman + 1))
    match = re.fullmatch(r"(.*?)([A-Za-z])", core)
    if match and match.group(2) not in "zZ":
        return wrap(f"{match.group(1)}{chr(ord(match.group(2)) + 1)}")
    return None


def _to_roman(value: int) -> str:
    out = ""
    for number, glyph in ((100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"),
                          (5, "v"), (4, "iv"), (1, "i")):
        while value >= number:
            out += glyph
            value -= number
    return out


def series(first: str, last: str, count: int) -> list[str] | None:
    """``count`` designations from *first* counting on; None unless the last one is *last*."""
    out = [first]
    while len(out) < count:
        following = next_designation(out[-1])
        if following is None:
            return None
        out.append(following)
    return out if out[-1] == last else None


@lru_cache(maxsize=4096)
def _norm(value: str) -> str:
    return "".join(value.split()).lstrip("§").rstrip(".")


def same(a: str, b: str) -> bool:
    """Do two designations name the same thing (spacing, ``§`` and a trailing period aside)?"""
    return a == b or _norm(a) == _norm(b)
