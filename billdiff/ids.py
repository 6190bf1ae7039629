"""The id scheme: one home for document and section ids (no project imports).

A **document id** is its file name: lower-case letters, digits, ``.``, ``_`` and ``-``
(``ma-194-s1053``).  A **section id** is stable and hierarchical, in the style of Akoma Ntoso
(``sec_220__subsec_a__def_facial-recognition``): parts joined by ``__``, each naming one level.
It stays the same when a provision is renumbered; the *display number* (``220(a)``) is kept
apart, on the section itself.

A definition is a section whose id has a ``def_<slug>`` part; the slug names the term across
documents, so that the glossary can set the versions of one term side by side.
"""

from __future__ import annotations

import re
import unicodedata

DOCUMENT_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
SECTION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
DOCUMENT_ID_MAX = 120
SECTION_ID_MAX = 300
#: Between the levels of a section id.
SEPARATOR = "__"
#: The level that marks a definition: ``…__def_<term slug>``.
DEFINITION = "def_"

_DOCUMENT_ID = re.compile(DOCUMENT_ID_PATTERN.removeprefix("^").removesuffix("$"))
_SECTION_ID = re.compile(SECTION_ID_PATTERN.removeprefix("^").removesuffix("$"))


def is_document_id(value: str) -> bool:
    """True if *value* is a well-formed document id."""
    return len(value) <= DOCUMENT_ID_MAX and _DOCUMENT_ID.fullmatch(value) is not None


def is_section_id(value: str) -> bool:
    """True if *value* is a well-formed section id."""
    return len(value) <= SECTION_ID_MAX and _SECTION_ID.fullmatch(value) is not None


def is_definition(section_id: str) -> bool:
    """True for the id of a definition (a ``def_<slug>`` level)."""
    return term_slug(section_id) is not None


def term_slug(section_id: str) -> str | None:
    """The term a definition's id names (``facial-recognition``), or None."""
    marker = SEPARATOR + DEFINITION
    if marker in section_id:
        return section_id.rsplit(marker, 1)[1].split(SEPARATOR, 1)[0] or None
    if section_id.startswith(DEFINITION):
        return section_id.removeprefix(DEFINITION).split(SEPARATOR, 1)[0] or None
    return None


def definition_id(parent_id: str, term: str) -> str:
    """The id of the definition of *term* under the section *parent_id*."""
    return f"{parent_id}{SEPARATOR}{DEFINITION}{slug(term)}"


def top_level(section_id: str) -> str:
    """The first level of a section id (``sec_220`` for ``sec_220__subsec_a``)."""
    return section_id.split(SEPARATOR, 1)[0]


def parent(section_id: str) -> str | None:
    """The id one level up, or None for a top-level id."""
    head, sep, _ = section_id.rpartition(SEPARATOR)
    return head if sep else None


def join(*parts: str) -> str:
    """Levels joined into one section id."""
    return SEPARATOR.join(p for p in parts if p)


def part(label: str) -> str:
    """One level of a section id made from a display label (``(a-1)`` -> ``a-1``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-") or "x"


def slug(text: str, limit: int = 60) -> str:
    """Lower case, every run of non-alphanumerics one hyphen: ``biometric-surveillance``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return out[:limit].strip("-") or "term"
