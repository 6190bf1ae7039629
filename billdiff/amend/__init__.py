"""The law as the amendment would make it: read amending instructions and apply them.

Public API (see ``docs/amend.md``):

- :func:`amend_document` (``target``, ``amendment`` or several, ``new_id=``) ->
  :class:`AmendResult` (``.document``, ``.report``, ``.changes``, ``.all_applied``,
  ``.report_text()``, ``.report_json()``);
- :func:`read_instructions` (an amendment document -> its :class:`Instruction` records) and
  :func:`parse_instruction` (one sentence), for tools that only read;
- :mod:`billdiff.amend.style`: the codification style step (a D.C. law's marked references
  printed as the D.C. Code prints them), on when ``amend_document`` gets ``markup=``.

Framework-free: nothing here imports Flask or click.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from billdiff.amend.apply import AmendResult, Outcome, amend_document
    from billdiff.amend.instructions import (
        Action,
        CountRule,
        Instruction,
        Parsed,
        Target,
        parse_instruction,
        read_instructions,
    )
    from billdiff.amend.report import report_json, report_text
    from billdiff.amend.style import Change

#: Where each public name lives.  The submodules are imported on first use (PEP 562): the
#: reader compiles its grammar of phrasings, and a command that only names a document "as
#: amended" (``billdiff.amend.corpus``) should not pay for it.
_HOMES = {
    "AmendResult": "apply", "Outcome": "apply", "amend_document": "apply",
    "Action": "instructions", "CountRule": "instructions", "Instruction": "instructions",
    "Parsed": "instructions", "Target": "instructions", "parse_instruction": "instructions",
    "read_instructions": "instructions", "report_json": "report", "report_text": "report",
    "Change": "style",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Action",
    "AmendResult",
    "Change",
    "CountRule",
    "Instruction",
    "Outcome",
    "Parsed",
    "Target",
    "amend_document",
    "parse_instruction",
    "read_instructions",
    "report_json",
    "report_text",
]
