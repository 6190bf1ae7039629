"""Plain-text output for the terminal: documents, topics and redlines.

The redline marks deletions ``[-like this-]`` and insertions ``{+like this+}`` (the notation of
``git diff --word-diff=plain``), so it reads without colour, in a pipe and on paper; with colour
on, deletions are also red and struck and insertions green and underlined.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from billdiff.compare import Comparison, PairDiff
from billdiff.diff import Op
from billdiff.errors import NotFound
from billdiff.load import Corpus
from billdiff.model import Document, Section, TextStatus, iter_sections
from billdiff.normalize import has_bidi_controls
from billdiff.normalize import mark_bidi as normalize_bidi
from billdiff.wording import plural

_RED, _GREEN, _DIM, _BOLD, _RESET = "\x1b[31;9m", "\x1b[32;4m", "\x1b[2m", "\x1b[1m", "\x1b[0m"

STATUS_LABEL = {
    TextStatus.OFFICIAL: "official text",
    TextStatus.EXCERPT: "excerpt",
    TextStatus.SINGLE_SOURCE: "single source, not cross-checked",
    TextStatus.MISSING: "TEXT MISSING",
}


def terminal_text(text: str) -> str:
    """*text* made safe to print: control and bidi characters shown, not obeyed."""
    return _safe(text)


def _safe(text: str) -> str:
    """Make control characters visible so untrusted text cannot drive the terminal, and bidi
    controls visible so that they cannot reorder what the reader sees."""
    if has_bidi_controls(text):
        text = normalize_bidi(text)
    return "".join(
        c if c in "\n\t" or (ord(c) >= 32 and not 0x7F <= ord(c) < 0xA0) else f"\\x{ord(c):02x}"
        for c in text
    )


def redline(ops: tuple[Op, ...] | list[Op], color: bool = False) -> str:
    """One text with deletions and insertions marked inline."""
    parts = []
    for o in ops:
        text = _safe(o.text)
        if o.op == "equal":
            parts.append(text)
        elif o.op == "delete":
            parts.append(f"{_RED}[-{text}-]{_RESET}" if color else f"[-{text}-]")
        else:
            parts.append(f"{_GREEN}{{+{text}+}}{_RESET}" if color else f"{{+{text}+}}")
    return "".join(parts)


def _section_label(section: Section | None) -> str:
    if section is None:
        return "(none)"
    label = section.number or section.id
    if section.heading:
        label += f" {section.heading}"
    return _safe(label)


def format_pair(pair: PairDiff, a: Document, b: Document, color: bool = False) -> str:
    """The redline of one pair with its header."""
    head = f"{_section_label(pair.a_section)}  →  {_section_label(pair.b_section)}"
    if pair.topic:
        head = f"[{pair.topic}] " + head
    flags = []
    if pair.pair.suggested:
        flags.append(f"suggested pairing, similarity {pair.pair.similarity}")
    elif pair.pair.renumbered:
        flags.append("renumbered")
    lines = [(_BOLD + head + _RESET) if color else head]
    if flags:
        lines.append("  (" + "; ".join(flags) + ")")
    if pair.diff is None:
        for side, doc, sec in (("a", a, pair.a_section), ("b", b, pair.b_section)):
            if side in pair.lacking:
                where = sec.source_url if sec and sec.source_url else doc.official_url
                what = "no such provision" if sec is None else "text missing"
                lines.append(f"  {doc.number}: {what}" + (f"; official text: {where}"
                                                          if where else ""))
        lines.append("  Not compared: the analyses above say what is known.")
        return "\n".join(lines)
    d = pair.diff
    for side, doc, sec in (("a", a, pair.a_section), ("b", b, pair.b_section)):
        if side in pair.partial and sec is not None:
            lines.append(f"  caveat: {doc.number} {sec.number or sec.id} is "
                         f"{STATUS_LABEL[sec.status]}"
                         + (f" ({_safe(sec.note)})" if sec.note else "")
                         + "; a difference where it stops may not be a change in the law")
    if not pair.changed:
        lines.append("  (no change" + (" as far as both copies go)" if pair.tail_ops else ")"))
    st = pair.stats or d.stats
    lines.append(textwrap.indent(redline(pair.held_ops, color), "  "))
    if pair.tail_ops:
        cut = a if "a" in pair.truncated else b
        lines.append(f"  ✂ {_safe(cut.number)}'s copy stops here; past this point the texts "
                     "are not compared:")
        for _side, doc, kind in (("a", a, "delete"), ("b", b, "insert")):
            rest = "".join(o.text for o in pair.tail_ops if o.op == kind)
            if rest:
                lines.append(f"    {_safe(doc.number)}: {_safe(rest)}")
    lines.append(f"  -- {plural(st.words_deleted, 'word')} deleted, "
                 f"{st.words_inserted:,} inserted, {st.changed_share:.0%} changed"
                 + (" (approximate)" if d.approximate else ""))
    return "\n".join(lines)


def format_comparison(cmp: Comparison, color: bool = False, show_unchanged: bool = False) -> str:
    """The whole comparison as a terminal report."""
    head = [f"Comparing {cmp.a.number} ({cmp.a.id}) with {cmp.b.number} ({cmp.b.id})",
            "Legend: [-deleted-] {+inserted+}"]
    st = cmp.stats
    compared = sum(1 for p in cmp.pairs if p.diff is not None)
    line = (f"{plural(len(cmp.pairs), 'pair')} ({compared:,} with text on both sides); "
            f"{plural(st.words_deleted, 'word')} deleted, {st.words_inserted:,} inserted "
            f"({st.changed_share:.0%} of words changed); {len(cmp.only_a)} only in A, "
            f"{len(cmp.only_b)} only in B")
    if cmp.approximate:
        line += "; APPROXIMATE: some long runs were paired by position"
    if cmp.changed and not (st.words_deleted or st.words_inserted):
        line += " (the texts differ only in which provisions each has)"
    head.append(line)
    for view in cmp.topics:
        if view.topic.id not in {p.topic for p in cmp.pairs} and not (
                view.a_analysis or view.b_analysis):
            continue
        head.append("")
        head.append(f"## {view.topic.title} ({view.topic.id}): {view.text_state}")
        for label, doc, an in (("A", cmp.a, view.a_analysis), ("B", cmp.b, view.b_analysis)):
            if an is None:
                head.append(f"  {label} {doc.number}: no analysis")
                continue
            summary = " ".join(s.text for s in an.summary)
            head.append(textwrap.fill(f"{label} {doc.number} ({an.footing}): {summary}", 100,
                                      initial_indent="  ", subsequent_indent="    "))
        for k, va, vb in view.attribute_changes:
            head.append(f"  * {k.replace('_', ' ')}: {cmp.a.number}: {va or 'not in our summary'}"
                        f"; {cmp.b.number}: {vb or 'not in our summary'}")
    head.append("")
    head.append("Summaries are ours, not the law.")
    out = [_safe(x) for x in head]
    shown: dict[tuple[str, str], list[str]] = {}
    blocks: list[tuple[tuple[str, str], PairDiff]] = []
    for pair in cmp.pairs:
        if (not show_unchanged and pair.diff is not None and not pair.changed
                and not pair.tail_ops):
            continue
        key = (pair.a_section.id if pair.a_section else "", pair.b_section.id
               if pair.b_section else "")
        if pair.diff is None and key in shown:
            # the same pair of missing texts under several topics: print it once
            if pair.topic:
                shown[key].append(pair.topic)
            continue
        shown[key] = [pair.topic] if pair.topic else []
        blocks.append((key, pair))
    for key, pair in blocks:
        out.append("")
        text = format_pair(pair, cmp.a, cmp.b, color)
        topics = shown[key]
        if pair.diff is None and len(topics) > 1:
            text = text.replace(f"[{pair.topic}] ", f"[{', '.join(topics)}] ", 1)
        out.append(text)
    for label, doc, secs in (("removed (only in A)", cmp.a, cmp.only_a),
                             ("added (only in B)", cmp.b, cmp.only_b)):
        if secs:
            out.append("")
            out.append(_safe(f"Sections {label}, {doc.number}:"))
            out.extend(f"  {_section_label(s)} [{_safe(s.id)}]" for s in secs)
    return "\n".join(out)


def format_document(doc: Document, corpus: Corpus | None = None,
                    section_id: str | None = None) -> str:
    """A document (or one section and its children) as indented text with provenance."""
    out: list[str] = []
    if section_id is None:
        out.append(f"{doc.number}: {_safe(doc.title)}")
        meta = [("id", doc.id), ("kind", doc.kind.value), ("jurisdiction", doc.jurisdiction),
                ("session", doc.session), ("filed", doc.filed), ("status", doc.status),
                ("official text", doc.official_url),
                ("sponsors", ", ".join(s.name for s in doc.sponsors if s.role != "petitioner")),
                ("completeness", doc.provenance.completeness.value)]
        out.extend(f"  {k}: {_safe(v)}" for k, v in meta if v)
        out.append(textwrap.fill(_safe(doc.provenance.summary), 100, initial_indent="  ",
                                 subsequent_indent="  "))
        for rel in doc.relations:
            out.append(f"  {rel.type.value} {rel.target}" + (f" {rel.section}" if rel.section
                                                             else ""))
        out.append("")
        sections = list(iter_sections(doc.sections))
    else:
        found = (corpus.section(doc.id, section_id) if corpus is not None else
                 next((s for s, _ in iter_sections(doc.sections) if s.id == section_id), None))
        if found is None:
            raise NotFound(f"document {doc.id!r} has no section {section_id!r}")
        sections = list(iter_sections((found,)))
    for section, depth in sections:
        out.extend(_format_section(section, depth, doc))
    return "\n".join(out)


def _format_section(section: Section, depth: int, doc: Document) -> Iterator[str]:
    pad = "  " * depth
    label = f"{section.number or ''} {section.heading or ''}".strip() or section.id
    yield f"{pad}§ {_safe(label)}  [{section.id}; {STATUS_LABEL[section.status]}]"
    if section.status is TextStatus.MISSING:
        url = section.source_url or doc.official_url
        yield f"{pad}  (text missing{'; official text: ' + url if url else ''})"
    elif section.text:
        for para in section.text.split("\n"):
            yield textwrap.fill(_safe(para), 100, initial_indent=pad + "  ",
                                subsequent_indent=pad + "  ") or pad
    if section.note:
        yield f"{pad}  note: {_safe(section.note)}"
    if section.lines:
        yield f"{pad}  printed lines {section.lines.start}-{section.lines.end}"
    if section.topics:
        yield f"{pad}  topics: {', '.join(section.topics)}"
