"""Benchmark: apply D.C. laws' English amending instructions and compare with the official Code.

Run on demand (not in the tests)::

    .venv/bin/python benchmarks/amend.py            # dev set: counts, timings, every miss
    .venv/bin/python benchmarks/amend.py --set held-out
    .venv/bin/python benchmarks/amend.py --set all --quiet --markdown docs/benchmarks-amend.md

Input: ``../shared/corpora/dc-amendments`` (see its README): per case the section before
(``before.xml``), the law (``law.xml``) and the section as officially codified (``after.xml``).
Only clean cases are run.  billdiff sees the law's English only: the law is read by
:func:`billdiff.importers.dc_law.import_dc_law`, which never reads the codifiers' ``codify:*``
markup (the answer key).  Sections are read with :func:`billdiff.importers.dc_xml.import_dc_xml`.

- **amend / repeal-section** cases: the target is ``before.xml`` (a permanent version's
  ``<num>`` ``S(Perm)`` is read as ``S``: the suffix is the codifiers' file name, not the
  section's number), amended by the whole law.
- **new-section** cases: the target is an empty document of the section's title
  (``D.C. Code Title 8``); the official section is compared with the section billdiff added
  that has its number, else its heading, else the closest text (billdiff cannot know the Code
  number the codifiers give an Act's new "section 223a"; how each was matched is counted).

**Verdicts**, comparing text after the corpus README's normalisation (each provision flattened
to its designation below the section, heading and text; ``*NOTE:`` banners and annotations
dropped; runs of whitespace one space; curly quotes straight):

- ``exact``: the result equals the official section;
- ``applied-but-different``: billdiff reported every instruction that bears on the section as
  applied, yet the text differs (a silent error: the number that matters most);
- ``not-applied``: billdiff flagged an instruction bearing on the section (not applied,
  conflict) and the text differs; each flagged instruction is classified by
  :func:`classify_flag` from its reason and the answer key (a misquote, a reference the Code
  prints by number, a count, ...), and a case flagged only by instructions naming no section
  has its text difference classified as for applied-but-different.

An instruction *bears on the section* when billdiff did not report it as addressed to another
document and either named this section (its D.C. Code citation) or named no section billdiff
could tell (an unknown phrasing, an Act's section with no Code citation).

**Split.**  Cases are split by law family (the emergency, temporary and permanent versions of
one law stay together) with a stable hash: ``sha256("billdiff-amend:" + family)``, first 8 hex
digits mod 100 below 70 -> ``dev``, else ``held-out``.  The rule was fixed before any tuning;
the reader and applier were developed on dev only.

**Time** per case is ``amend_document`` (reading the instructions and applying them), median
of 3 runs, against importing the two sections (``before.xml`` + ``after.xml``).
"""

from __future__ import annotations

import argparse
import collections
import difflib
import hashlib
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BILLDIFF_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpora" / "dc-amendments"
sys.path.insert(0, str(ROOT))

from billdiff.amend import AmendResult, Outcome, amend_document  # noqa: E402
from billdiff.amend.instructions import _parse_cached  # noqa: E402
from billdiff.importers.dc_law import import_dc_law, import_dc_law_marked  # noqa: E402
from billdiff.importers.dc_xml import import_dc_xml  # noqa: E402
from billdiff.model import (  # noqa: E402
    Completeness,
    Document,
    DocumentKind,
    Provenance,
    Section,
    SourceRef,
    iter_sections,
)

SALT = "billdiff-amend:"
VERDICTS = ("exact", "applied-but-different", "not-applied")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " "})


def split_of(family: str) -> str:
    """``dev`` or ``held-out``: a stable hash of the law family (see the module docstring)."""
    value = int(hashlib.sha256((SALT + family).encode()).hexdigest()[:8], 16) % 100
    return "dev" if value < 70 else "held-out"


def normalize(text: str) -> str:
    """The corpus README's comparison: whitespace runs one space, curly quotes straight."""
    return " ".join(text.translate(_QUOTES).split())


def flatten(section: Section) -> list[str]:
    """One row per provision: its designation below the section, heading and text (NOTE
    banners dropped), normalized; provisions with none of the three are left out
    (undesignated wrappers).  Heading and text are one string: whether a paragraph's first
    words are marked as its heading is markup, not wording."""
    rows = []
    top = section.number or ""
    for node, _depth in iter_sections((section,)):
        number = node.number or ""
        rel = "" if node is section else (number[len(top):] if number.startswith(top)
                                          else number)
        text = "\n".join(line for line in node.text.split("\n")
                         if not line.strip().startswith("*NOTE:"))
        row = normalize(f"{rel} {node.heading or ''} {text}")
        if row:
            rows.append(row)
    return rows


def read_section(path: Path, doc_id: str) -> Document:
    """A section file, its ``S(Perm)`` number read as ``S``, its ``<codify:annotation>``
    elements left out (see the module docstring)."""
    raw = path.read_bytes()
    fixed = re.sub(rb"<num>([^<]+)\(Perm\)</num>", rb"<num>\1</num>", raw, count=1)
    fixed = _CODIFY_ANNOTATION.sub(b"", fixed)
    if fixed == raw:
        return import_dc_xml(path, doc_id)
    with tempfile.NamedTemporaryFile(suffix=".xml", delete=False) as handle:
        handle.write(fixed)
        temp = Path(handle.name)
    try:
        return import_dc_xml(temp, doc_id)
    finally:
        temp.unlink()


#: A codifiers' note left in a codified file outside ``<annotations>`` (the Applicability notes:
#: "... is subject to the inclusion of the law's fiscal effect in an approved budget ..."): an
#: annotation, dropped as the corpus README drops ``<annotations>``.
_CODIFY_ANNOTATION = re.compile(rb"<codify:annotation\b[^>]*?(?:/>|>.*?</codify:annotation>)",
                                re.S)


def empty_title(section: str) -> Document:
    """An empty document of the section's D.C. Code title, for a new section to go in."""
    title = section.split("-", 1)[0].split(":", 1)[0]
    url = f"https://code.dccouncil.gov/us/dc/council/code/titles/{title}"
    return Document(
        id=f"dc-title-{title.lower()}", kind=DocumentKind.STATUTE,
        jurisdiction="District of Columbia", number=f"D.C. Code Title {title}",
        title=f"D.C. Code Title {title} (empty: the benchmark's start for a new section)",
        provenance=Provenance(completeness=Completeness.NONE, summary="An empty title.",
                              sources=(SourceRef(url=url, description="D.C. Code"),)),
    )


def phrasing(text: str) -> str:
    """The corpus README's phrasing classes (first matching rule)."""
    t = text
    if re.search(r"\bstrik\w*\b.*\binsert\w*\b.*\bin (?:its|their) place", t, re.I):
        return 'strike "X" and insert "Y" in its place'
    if re.search(r"\bnew\b.*\badded\b|\badding\b.*\bnew\b|^(?:\(\w+\) )?Add a new", t, re.I):
        return "add a new ... to read as follows"
    if re.search(r"amended to reads? as follows?", t, re.I):
        return "is amended to read as follows"
    if re.search(r"\b(?:is|are) repealed", t, re.I):
        return "is repealed"
    if re.search(r"\bredesignat", t, re.I):
        return "is redesignated as"
    if re.search(r"\bdesignat", t, re.I):
        return "existing text is designated as (N)"
    if re.search(r"\bstrik\w*\b.*\binsert", t, re.I):
        return 'strike "X" and insert "Y" (no "in its place")'
    if re.search(r"\bstrik", t, re.I):
        return 'strike "X" (delete)'
    return "(other)"


@dataclass
class Case:
    id: str
    family: str
    kind: str
    op_types: list[str]
    phrasings: list[str]
    verdict: str = ""
    matched_by: str = ""
    ms: float = 0.0
    import_ms: float = 0.0
    law_ms: float = 0.0
    diff: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    #: For applied-but-different: ``editorial`` or ``unexplained`` (see :func:`classify`).
    hint: str = ""
    regions: list[str] = field(default_factory=list)
    #: For not-applied: the class of each flagged instruction (see :func:`classify_flag`), and
    #: whether one of them names this section (else the difference is classified as text).
    na_classes: list[str] = field(default_factory=list)
    names_section: bool = False
    na_primary: str = ""


def relevant(result: AmendResult, section: str) -> list[str]:
    """Outcomes that bear on *section* and were not applied (see the module docstring)."""
    return [f"{o.status} {o.instruction.id}: {o.why}" for o in bearing(result, section)]


def _names(o: Outcome, section: str) -> bool:
    """The outcome names *section*: its citation, or the section looked at."""
    return o.section == section or any(n == section or n.startswith(section + "(")
                                       for n in o.numbers)


def bearing(result: AmendResult, section: str) -> list[Outcome]:
    """The outcomes :func:`relevant` describes."""
    return [o for o in result.report if o.status not in ("applied", "elsewhere")
            and (o.section is None or o.section == section)]


#: The classes of a flagged instruction (see :func:`classify_flag`), each a reason billdiff
#: rightly does not apply it, except ``unexplained`` (to be looked at).
NA_CLASSES = {
    "misquote": "the law misquotes the Code (the codifiers applied the Code's words)",
    "reference": "the law quotes a reference the Code prints by its own number, with no "
                 "markup in the law's English",
    "other-version": "the law quotes the text of another version of the section (temporary "
                     "legislation); the codifiers applied it to this one",
    "count": "the words are found more (or fewer) times than the instruction allows",
    "exists-renumbered": "it adds a subdivision that exists (the codifiers gave the new one "
                         "another number, in brackets)",
    "exists": "it adds a subdivision that exists (the codifiers put the new text in its "
              "place)",
    "emergency": "it re-enacts a section the Code holds from emergency legislation, with no "
                 "annotation of the Code naming the same law",
    "uncodified": "it names provisions by an uncodified Act's own numbering",
    "whole-act": "it repeals a whole Act without naming its sections",
    "phrasing": "a phrasing billdiff does not read",
    "elsewhere": "flagged only by instructions that name no section of the document (an "
                 "Act's own numbering, a whole Act repealed): the difference is classified as "
                 "text in the table",
    "unexplained": "unexplained",
}


def classify_flag(o: Outcome, info: dict[str, object], before: str) -> str:
    """Why billdiff did not apply a flagged instruction, from its reason and the answer key
    (the codifiers' ops for the same instruction, which billdiff never reads)."""
    why = o.why or ""
    if o.reason == "exists":
        if "emergency or temporary legislation" in why:
            return "emergency"
        ops = info["gold_ops"]
        assert isinstance(ops, list)
        renumbered = any(str((op.get("attributes") or {}).get("num-value") or "").startswith("[")
                         for op in ops)
        return "exists-renumbered" if renumbered else "exists"
    if o.reason == "target-not-found":
        if "own numbering" in why or "no D.C. Official Code citation" in why:
            return "uncodified"
        if "repeals a whole Act" in why:
            return "whole-act"
        return "unexplained"
    if o.reason == "unparsed":
        return "phrasing"
    if o.reason == "too-many" or (o.reason == "no-match" and o.matches):
        return "count"
    if o.reason != "no-match":
        return "unexplained"
    text = normalize(o.instruction.text)
    instructions = info["instructions"]
    ops = info["gold_ops"]
    assert isinstance(instructions, list)
    assert isinstance(ops, list)
    finds = [normalize(ops[k].get("find") or "") for i in instructions
             if normalize(i["text"]) == text for k in i["ops"]]
    old = normalize(o.instruction.old or "")
    xmls = [str(ops[k].get("xml") or "") for i in instructions
            if normalize(i["text"]) == text for k in i["ops"]]
    if any(re.search(r"<find>(?:(?!</find>).)*<(?:code-)?cite\b", x, re.S) for x in xmls) or (
            re.search(r"\bsections? \d|\bact\b", old) and any(
                re.search(r"<find>(?:(?!</find>).)*(?:§|\bchapter\b)", x, re.S)
                for x in xmls)):
        return "reference"  # the codifiers found the words as the Code prints a reference
    for find in (f for f in finds if f and f in before):
        words = difflib.SequenceMatcher(None, old.split(), find.split(), autojunk=False)
        differ = sum(max(a2 - a1, b2 - b1) for op, a1, a2, b1, b2 in words.get_opcodes()
                     if op != "equal")
        if differ <= 2:
            return "misquote"
        if "temporary-context" in (info.get("flags") or []):
            return "other-version"
    return "unexplained"


def _median_ms(fn: object, reps: int = 3) -> float:
    """Median wall time of *fn* in ms over *reps* runs (0: not timed, 0.0)."""
    assert callable(fn)
    if reps <= 0:
        return 0.0
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def _marked_phrases(folder: Path) -> tuple[str, set[str]]:
    """The law's words the codifiers marked for rendering (``<code-cite>``, ``<span
    codify:value>``) and the renderings they give (``codify:value``).  The benchmark may read
    the answer key; billdiff never does."""
    raw = (folder / "law.xml").read_text(encoding="utf-8")
    marked = []
    for m in re.finditer(r"<(code-cite|span)\b[^>]*>(.*?)</\1>", raw, re.S):
        marked.append(normalize(re.sub(r"<[^>]+>", "", m.group(2))))
    values = {normalize(v) for v in re.findall(r'codify:value="([^"]*)"', raw)}
    return " ¶ ".join(marked), {v for v in values if v}


_EDGE = ".,;:()[]\"'"


def classify(folder: Path, official: list[str], ours: list[str], *, unchanged: bool = True
             ) -> tuple[str, list[str]]:
    """Why billdiff's text differs from the official one.  Rows are paired (difflib on rows),
    then each pair is compared word by word; each differing region is:

    - ``codifier's rendering``: billdiff's words are ones the law marks for the codifiers to
      render (``<code-cite>``, ``<span codify:value>``), or the official words are such a
      rendering (a ``codify:value``);
    - ``codifier's note``: the official text adds an applicability or not-funded note;
    - ``codifier's brackets``: the official words differ by a bracketed insertion (``[sic]``,
      ``[Repealed]``, ``[§ 2-1461.01(a)]``);
    - ``unexplained`` otherwise (a billdiff error until shown otherwise).

    Two whole-case explanations come first, from the answer key: the law's own citation names
    another section than the one the codifiers applied it to (``citation corrected``), or the
    law creates this section anew as a section of an Act and billdiff left the section as it
    was (*unchanged*; ``section created anew``: billdiff cannot know the Code number the
    codifiers give it).  Returns the overall class (``editorial`` when everything is explained)
    and the explanations.
    """
    info = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    section = str(info["section"])
    ops = [o for o in info["gold_ops"] if "editorial" not in (o.get("flags") or [])]
    if unchanged and info["kind"] == "amend" and ops and all(
            o["type"] == "insert" and (o.get("attributes") or {}).get("num-value") == section
            for o in ops):
        return "editorial", ["section created anew: the law adds it as a new section of an "
                             "Act, whose Code number is the codifiers' to give"]
    cited = set()
    for ins in info["instructions"]:
        words = ins["rendered"].split("\n    ")[0]
        for m in re.finditer(r"D\.C\. (?:Official )?Code,? §+ ?([0-9A-Za-z:.\-]+?)(?=[(),;\s]|$)"
                             r"(?!\S*,? (?:et seq|passim))", words):
            cited.add(m.group(1).rstrip("."))
        for m in re.finditer(r"\bSection (\d+[A-Z]?(?::\d+[A-Z]?)?-[0-9A-Za-z.:]*[0-9A-Za-z])",
                             words):
            cited.add(m.group(1))
    names_it = any(c == section or c.startswith(section + "(")
                   or section.startswith(c.split("(")[0]) for c in cited)
    if info["kind"] != "new-section" and cited and not names_it:
        return "editorial", [f"citation corrected: the law cites {', '.join(sorted(cited))}; "
                             f"the codifiers applied it to {section}"]
    if official[1:] == ["Repealed."] or (len(official) == 1 and official[0].endswith(
            " Repealed.")):
        if ops and all(o["type"] == "repeal" and o["path"] == f"§{section}" for o in ops) and \
                not any("repeal" in str(i["text"]).lower() for i in info["instructions"]):
            return "editorial", ["codifier's op differs from the English: they repealed the "
                                 "section the law rewrites"]
    marked, values = _marked_phrases(folder)
    english, gold = _texts(folder, info)
    before = ""
    if (folder / "before.xml").exists():
        before = " ".join(" ".join(flatten(s)) for s in read_section(
            folder / "before.xml", "before").sections)
    regions: list[str] = []
    unexplained = False
    rows = difflib.SequenceMatcher(None, official, ours, autojunk=False)
    left: list[str] = []
    right: list[str] = []
    for op, i1, i2, j1, j2 in rows.get_opcodes():
        if op != "equal":
            left.extend(official[i1:i2])
            right.extend(ours[j1:j2])
    # rows pair by their designation (the first word), then in order
    pairs: list[tuple[str, str]] = []
    for row in list(left):
        key = row.split(" ", 1)[0]
        match = next((r for r in right if r.split(" ", 1)[0] == key), None)
        if match is not None:
            pairs.append((row, match))
            left.remove(row)
            right.remove(match)
    pairs += list(zip(left, right, strict=False))
    pairs += [(r, "") for r in left[len(right):]] + [("", r) for r in right[len(left):]]
    if True:
        for off_row, our_row in pairs:
            if not our_row and _inserted_under(off_row, ours):
                regions.append("codifier's op differs from the English: they inserted the text "
                               f"under the provision the law rewrites: [{off_row[:100]}]")
                continue
            a, b = off_row.split(), our_row.split()
            words = difflib.SequenceMatcher(None, a, b, autojunk=False)
            for wop, a1, a2, b1, b2 in words.get_opcodes():
                if wop == "equal":
                    continue
                off = " ".join(a[a1:a2])
                mine = " ".join(b[b1:b2])
                why = _explain(off, mine, marked, values, english, gold, before)
                unexplained = unexplained or why == "unexplained"
                regions.append(f"{why}: [{off[:100]}] -> [{mine[:100]}]")
    return ("unexplained" if unexplained else "editorial"), regions


def _inserted_under(row: str, ours: list[str]) -> bool:
    """The official *row* ``X(1) text`` is billdiff's row ``X text`` one level down: the
    codifiers inserted the law's new text under the provision it replaces."""
    designation, _, text = row.partition(" ")
    for mine in ours:
        d, _, t = mine.partition(" ")
        if t == text and d != designation and designation.startswith(d) and \
                re.fullmatch(r"\([0-9A-Za-z-]+\)", designation[len(d):]):
            return True
    return False


def _texts(folder: Path, info: dict[str, object]) -> tuple[str, str]:
    """The law's English as billdiff reads it, and the words of the codifiers' ops."""
    law = import_dc_law(folder / "law.xml", "law")
    english = " ".join(normalize(s.text) for s, _ in iter_sections(law.sections))
    ops = info["gold_ops"]
    assert isinstance(ops, list)
    parts = []
    for op in ops:
        for key in ("replace", "content_xml", "xml"):
            value = op.get(key) or ""
            parts.append(normalize(re.sub(r"<[^>]+>", " ", value)))
    return english, " ".join(parts)


def _explain(off: str, mine: str, marked: str, values: set[str], english: str,
             gold: str, before: str) -> str:
    core_mine = mine.strip(_EDGE).strip()
    core_off = off.strip(_EDGE).strip()
    if core_mine and core_mine in marked:
        return "codifier's rendering"
    for phrase in (p for p in marked.split(" ¶ ") if len(p) > 3):
        if phrase in core_mine and re.fullmatch(r"[\s(),.;:A-Za-z0-9-]{0,12}",
                                                core_mine.replace(phrase, "")):
            return "codifier's rendering"
    parts = [p.strip(_EDGE).strip() for p in re.split(r",|\bor\b|\band\b", core_mine)]
    if core_mine and all(p and p in marked for p in parts):
        return "codifier's rendering"
    if any(v in off or (core_off and (core_off == v.strip(_EDGE) or core_off in v))
           for v in values if len(v) > 2):
        return "codifier's rendering"
    # "§§" for "§" (or a "§" they left out): the codifiers' override of a list's sign, given as
    # codify:value="§§" and bare numbers
    if {core_off, core_mine} <= {"", "§", "§§"} and "§§" in values:
        return "codifier's rendering"
    if "[" in off and (off.replace("[", "").replace("]", "") == mine or any(
            inner.strip() and inner.strip() in mine
            for inner in re.findall(r"\[([^\]]*)\]", off))):
        return "codifier's brackets"
    if core_off and core_off in gold and core_off not in english:
        return "codifier's op differs from the English"
    if core_off and core_off in before and core_mine and core_mine in english:
        return "codifier kept words the law replaces"
    if re.sub(r"([,;:.])\1+", r"\1", off) == re.sub(r"([,;:.])\1+", r"\1", mine):
        return "doubled punctuation (the literal text or the codifiers' op)"
    if off.replace(" ", "") == mine.replace(" ", "") and off != mine:
        return "spacing the codifiers added (the law's words join without a space)"
    if re.match(r"For temporary \(\d+ days?\) (?:creation|amendment)", off) and not mine:
        return "codifier's note"
    if re.search(r"Applicability of D\.C\. Law|is subject to the inclusion of the law's "
                 r"fiscal effect|Not Funded", off) and not mine:
        return "codifier's note"
    if "[" in off and re.sub(r"\s*\[[^\]]*\]", "", off).strip() == mine.strip():
        return "codifier's brackets"
    if re.fullmatch(r"\[[^\]]*\][.,;:]?", core_off or "-"):
        return "codifier's brackets"
    return "unexplained"


def run_case(folder: Path, meta: dict[str, object], reps: int) -> Case:
    info = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    case = Case(id=str(meta["id"]), family=str(meta["family"]), kind=str(meta["kind"]),
                op_types=list(info["op_types"]),
                phrasings=sorted({phrasing(i["text"]) for i in info["instructions"]}))
    section = str(info["section"])
    t = time.perf_counter()
    law, markup = import_dc_law_marked(folder / "law.xml", "law")
    case.law_ms = (time.perf_counter() - t) * 1000
    before_path = folder / "before.xml"

    def imports() -> tuple[Document | None, Document]:
        before = read_section(before_path, "before") if before_path.exists() else None
        after = read_section(folder / "after.xml", "after")
        return before, after

    before, after = imports()
    case.import_ms = _median_ms(imports, reps)
    target = before if before is not None else empty_title(section)
    result = amend_document(target, law, new_id="amended", markup=markup)

    def cold() -> None:  # the reader's cache of parsed sentences is emptied: a cold read
        _parse_cached.cache_clear()
        amend_document(target, law, new_id="amended", markup=markup)

    case.ms = _median_ms(cold, reps)
    official = flatten(after.sections[0])
    if before is not None:
        wanted = before.sections[0].id
        mine = [s for s in result.document.sections if s.id == wanted]
        ours = flatten(mine[0]) if mine else []
        case.matched_by = "section"
    else:
        ours, case.matched_by = _match_new(result.document.sections, after.sections[0])
    case.flagged = relevant(result, section)
    if ours == official:
        case.verdict = "exact"
    elif case.flagged:
        case.verdict = "not-applied"
    else:
        case.verdict = "applied-but-different"
    if ours != official:
        case.diff = [line for line in difflib.unified_diff(official, ours, "official",
                                                           "billdiff", n=0, lineterm="")
                     if line[:1] in "+-" and not line.startswith(("---", "+++"))][:12]
        if case.verdict == "applied-but-different":
            unchanged = before is not None and ours == flatten(before.sections[0])
            case.hint, case.regions = classify(folder, official, ours, unchanged=unchanged)
        if case.verdict == "not-applied":
            flags = bearing(result, section)
            text = "" if before is None else normalize(" ".join(
                node.text for node, _ in iter_sections(before.sections)))
            case.na_classes = [classify_flag(o, info, text) for o in flags]
            case.names_section = any(_names(o, section) for o in flags)
            case.na_primary = next((k for o, k in zip(flags, case.na_classes, strict=True)
                                    if _names(o, section)), "elsewhere")
            if not case.names_section:
                unchanged = before is not None and ours == flatten(before.sections[0])
                case.hint, case.regions = classify(folder, official, ours, unchanged=unchanged)
    return case


def _match_new(sections: tuple[Section, ...], official: Section) -> tuple[list[str], str]:
    """The section billdiff added that stands for the official new section."""
    if not sections:
        return [], "none added"
    number = official.number or ""
    for s in sections:
        if s.number == number:
            return flatten(s), "number"
    for s in sections:
        if s.heading and official.heading and normalize(s.heading) == normalize(
                official.heading):
            return flatten(s), "heading"
    target = " ".join(flatten(official))
    best = max(sections, key=lambda s: difflib.SequenceMatcher(
        None, " ".join(flatten(s)), target, autojunk=False).quick_ratio())
    return flatten(best), "closest text"


def evaluate(which: str, reps: int = 0) -> list[Case]:
    """Every clean case of one set (``dev``, ``held-out``, ``all``), judged (the tests call
    this with ``reps=0``: verdicts only, no timing)."""
    return [run_case(folder, meta, reps) for folder, meta in load_cases(which)]


def load_cases(which: str) -> list[tuple[Path, dict[str, object]]]:
    index = json.loads((CORPUS / "index.json").read_text(encoding="utf-8"))
    out = []
    for row in index:
        if row["noisy"]:
            continue
        if which != "all" and split_of(row["family"]) != which:
            continue
        out.append((CORPUS / "cases" / row["id"], row))
    return out


def summarize(cases: list[Case]) -> dict[str, object]:
    counts = collections.Counter(c.verdict for c in cases)
    n = len(cases)
    editorial = sum(1 for c in cases if c.verdict == "applied-but-different"
                    and c.hint == "editorial")
    return {"cases": n, **{v: counts.get(v, 0) for v in VERDICTS}, "editorial": editorial,
            "unexplained": counts.get("applied-but-different", 0) - editorial,
            "exact_share": counts.get("exact", 0) / n if n else 0.0,
            "abd_share": counts.get("applied-but-different", 0) / n if n else 0.0}


def table(title: str, groups: dict[str, list[Case]]) -> list[str]:
    out = [f"| {title} | cases | exact | applied-but-different | not applied |",
           "|---|---:|---:|---:|---:|"]
    for name, group in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        s = summarize(group)
        out.append(f"| {name} | {s['cases']} | {s['exact']} | {s['applied-but-different']} | "
                   f"{s['not-applied']} |")
    return out


def report(which: str, cases: list[Case]) -> list[str]:
    s = summarize(cases)
    n = int(str(s["cases"]))
    ms = [c.ms for c in cases]
    imp = [c.import_ms for c in cases]
    law = [c.law_ms for c in cases]
    out = [f"### {which}: {n} clean cases", "",
           f"- exact: **{s['exact']}** ({float(str(s['exact_share'])):.1%})",
           f"- applied-but-different: **{s['applied-but-different']}** "
           f"({float(str(s['abd_share'])):.1%}): {s['editorial']} editorial (every "
           f"difference is the codifiers' rendering of words the law marks, a note or a "
           f"bracket they add), **{s['unexplained']} unexplained** "
           f"({int(str(s['unexplained'])) / n if n else 0:.1%})",
           f"- not applied (flagged): **{s['not-applied']}**", "",
           f"Time per case (parse + apply): median {statistics.median(ms):.2f} ms, "
           f"95th percentile {sorted(ms)[int(0.95 * (n - 1))]:.2f} ms, max {max(ms):.2f} ms; "
           f"importing the two sections: median {statistics.median(imp):.2f} ms "
           f"(max {max(imp):.2f} ms); importing the law: median {statistics.median(law):.2f} ms "
           f"(max {max(law):.2f} ms).", ""]
    out += table("kind", _group(cases, lambda c: [c.kind])) + [""]
    out += table("op type (a case counts once for each)", _group(cases, lambda c: c.op_types))
    out += [""]
    out += table("phrasing (a case counts once for each)", _group(cases, lambda c: c.phrasings))
    matched = collections.Counter(c.matched_by for c in cases if c.kind == "new-section")
    if matched:
        out += ["", "New sections matched by: " + ", ".join(
            f"{k} {v}" for k, v in sorted(matched.items()))]
    return out


def _group(cases: list[Case], keys: object) -> dict[str, list[Case]]:
    assert callable(keys)
    out: dict[str, list[Case]] = collections.defaultdict(list)
    for c in cases:
        for k in keys(c):
            out[k].append(c)
    return out


def details(cases: list[Case], verdicts: tuple[str, ...]) -> list[str]:
    out = []
    for c in cases:
        if c.verdict not in verdicts:
            continue
        out.append(f"{c.verdict}  {c.id}  ({c.kind}; {', '.join(c.op_types)})"
                   + (f"  hint: {c.hint}" if c.hint else ""))
        for f in c.flagged[:4]:
            out.append(f"    ! {f[:300]}")
        if c.na_classes:
            out.append(f"    class: {primary_class(c)} ({', '.join(c.na_classes)})")
        for r in c.regions[:8]:
            out.append(f"    ~ {r[:300]}")
        for d in c.diff[:8]:
            out.append(f"    {d[:300]}")
    return out


def abd_table(cases: list[Case]) -> list[str]:
    """Every applied-but-different case with its classification (see :func:`classify`)."""
    out = ["| case | kind | class | what differs (regions by explanation) |",
           "|---|---|---|---|"]
    for c in cases:
        if c.verdict != "applied-but-different":
            continue
        kinds = collections.Counter(r.split(":", 1)[0] for r in c.regions)
        what = "; ".join(f"{k} ×{v}" if v > 1 else k for k, v in sorted(kinds.items()))
        out.append(f"| `{c.id}` | {c.kind} | {c.hint} | {what} |")
    return out


def na_table(cases: list[Case]) -> list[str]:
    """Every not-applied case with the class of each instruction flagged (see
    :func:`classify_flag`); when none of them names the section (an Act's own numbering, a
    whole Act repealed), the text difference is classified too, as for applied-but-different."""
    out = ["| case | kind | instructions flagged (class) | the difference, when no flagged "
           "instruction names the section |", "|---|---|---|---|"]
    for c in cases:
        if c.verdict != "not-applied":
            continue
        kinds = collections.Counter(c.na_classes)
        flagged = "; ".join(f"{k} ×{v}" if v > 1 else k for k, v in sorted(kinds.items()))
        other = ""
        if not c.names_section:
            regions = collections.Counter(r.split(":", 1)[0] for r in c.regions)
            other = f"{c.hint}: " + "; ".join(f"{k} ×{v}" if v > 1 else k
                                              for k, v in sorted(regions.items()))
        out.append(f"| `{c.id}` | {c.kind} | {flagged} | {other} |")
    counts = collections.Counter(primary_class(c) for c in cases if c.verdict == "not-applied")
    out += ["", "By class (a case counted once, by the first instruction flagged that names the "
            "section; `elsewhere` when none does):", ""]
    out += ["| class | cases |", "|---|---:|"]
    out += [f"| {k}: {NA_CLASSES.get(k, k)} | {v} |" for k, v in
            sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return out


def primary_class(c: Case) -> str:
    """A not-applied case's class: that of its first flagged instruction naming the section
    (``elsewhere`` when none does)."""
    return c.na_primary or "unexplained"


def recorded_line(which: str, cases: list[Case]) -> str:
    """The machine-readable counts the corpus test holds the code to."""
    s = summarize(cases)
    return (f"<!-- amend-recorded {which}: exact={s['exact']} "
            f"applied-but-different={s['applied-but-different']} "
            f"unexplained={s['unexplained']} not-applied={s['not-applied']} "
            f"not-applied-unexplained={len(na_unexplained(cases))} -->")


def na_unexplained(cases: list[Case]) -> list[str]:
    """Not-applied cases with an instruction flagged for no reason :func:`classify_flag` gives
    (or, flagged only by instructions naming no section, a difference not explained)."""
    return [c.id for c in cases if c.verdict == "not-applied" and (
        "unexplained" in c.na_classes or (not c.names_section and c.hint == "unexplained"))]


START = "<!-- results start (written by benchmarks/amend.py --markdown) -->"
END = "<!-- results end -->"


def write_markdown(path: Path, sets: dict[str, list[Case]], lines: list[str]) -> None:
    """Put the results between the markers of *path*, keeping the text around them."""
    block = [START, ""] + lines
    for which, cases in sets.items():
        block += [f"#### Every applied-but-different case ({which})", ""] + abd_table(cases)
        block += ["", recorded_line(which, cases), ""]
        block += [f"#### Every not-applied case ({which})", ""] + na_table(cases) + [""]
    block += [f"Measured with Python {platform.python_version()} on {platform.machine()}.", END]
    old = path.read_text(encoding="utf-8") if path.exists() else f"{START}\n{END}\n"
    head, _, rest = old.partition(START)
    _, _, tail = rest.partition(END)
    path.write_text(head + "\n".join(block) + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--set", choices=("dev", "held-out", "all"), default="dev")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--only", help="run the cases whose id contains this")
    parser.add_argument("--quiet", action="store_true", help="counts only, no case list")
    parser.add_argument("--json", type=Path, help="write per-case verdicts as JSON")
    parser.add_argument("--markdown", type=Path, help="write the results as Markdown")
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"{CORPUS} is absent: the benchmark needs ../shared/corpora/dc-amendments")
        return 2
    sets = ("dev", "held-out") if args.set == "all" else (args.set,)
    lines: list[str] = []
    all_cases: dict[str, list[Case]] = {}
    for which in sets:
        cases = []
        for folder, meta in load_cases(which):
            if args.only and args.only not in str(meta["id"]):
                continue
            cases.append(run_case(folder, meta, args.reps))
        all_cases[which] = cases
        lines += report(which, cases) + [""]
        if not args.quiet:
            print("\n".join(details(cases, ("applied-but-different", "not-applied"))))
    print("\n".join(lines))
    print(f"python {platform.python_version()} on {platform.machine()}")
    if args.json:
        args.json.write_text(json.dumps({k: [c.__dict__ for c in v]
                                         for k, v in all_cases.items()}, indent=1))
    if args.markdown:
        write_markdown(args.markdown, all_cases, lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
