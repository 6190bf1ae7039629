"""Plain-text output for the terminal: documents, topics and redlines.

It formats the reading of :mod:`billdiff.analysis` and never re-derives it.  The redline marks
deletions ``[-like this-]`` and insertions ``{+like this+}`` (the notation of
``git diff --word-diff=plain``), typography ``{~~“~>"~~}`` (CriticMarkup's substitution: the
same words in another quote, dash or spacing style, not counted), and words one copy is known
to lack ``[?like this?]`` (not counted either), so it reads without colour, in a pipe and on
paper; with colour on, deletions are also red and struck and insertions green and underlined.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence

from billdiff.analysis import (
    CHANGE_LABELS,
    LACK_LABELS,
    STATUS_LABELS,
    TOPIC_STATE_LABELS,
    Change,
    Headline,
    Mark,
    PairReading,
    Reading,
    Run,
    Unpaired,
    official_link,
    section_label,
    sponsor_line,
)
from billdiff.errors import NotFound
from billdiff.load import Corpus
from billdiff.model import Document, Section, TextStatus, iter_sections
from billdiff.normalize import has_bidi_controls
from billdiff.normalize import mark_bidi as normalize_bidi
from billdiff.wording import plural

_RED, _GREEN, _DIM, _BOLD, _RESET = "\x1b[31;9m", "\x1b[32;4m", "\x1b[2m", "\x1b[1m", "\x1b[0m"
LEGEND = ("Legend: [-deleted-] {+inserted+}; {~~old~>new~~} typography only and [?words?] "
          "one copy is known to lack, neither counted as a change")


def terminal_text(text: str) -> str:
    """*text* made safe to print: control and bidi characters shown, not obeyed."""
    return _safe(text)


def _safe(text: str) -> str:
    """Make control characters visible so untrusted text cannot drive the terminal, and bidi
    controls visible so that they cannot reorder what the reader sees."""
    if has_bidi_controls(text):
        text = normalize_bidi(text)
    if text.isprintable() or all(c in "\n\t" or c.isprintable() for c in text):
        return text
    return "".join(
        c if c in "\n\t" or (ord(c) >= 32 and not 0x7F <= ord(c) < 0xA0) else f"\\x{ord(c):02x}"
        for c in text
    )


def redline(runs: Sequence[Run], color: bool = False, hide_typography: bool = False) -> str:
    """Marked runs as one text with deletions, insertions and typography marked inline."""
    parts = []
    i, n = 0, len(runs)
    while i < n:
        r = runs[i]
        if r.mark is Mark.TYPOGRAPHY:
            j = i
            while j < n and runs[j].mark is Mark.TYPOGRAPHY:
                j += 1
            old = _safe("".join(x.text for x in runs[i:j] if x.op == "delete"))
            new = _safe("".join(x.text for x in runs[i:j] if x.op == "insert"))
            parts.append(new if hide_typography else f"{{~~{old}~>{new}~~}}")
            i = j
            continue
        text = _safe(r.text)
        if r.op == "equal":
            parts.append(text)
        elif r.mark is Mark.GAP:
            parts.append(f"[?{text}?]")
        elif r.op == "delete":
            parts.append(f"{_RED}[-{text}-]{_RESET}" if color else f"[-{text}-]")
        else:
            parts.append(f"{_GREEN}{{+{text}+}}{_RESET}" if color else f"{{+{text}+}}")
        i += 1
    return "".join(parts)


def _label(section: Section | None) -> str:
    return _safe(section_label(section)) if section is not None else "(none)"


def format_pair(p: PairReading, a: Document, b: Document, color: bool = False,
                hide_typography: bool = False) -> str:
    """The redline of one pair with its header."""
    head = f"{_label(p.a)}  →  {_label(p.b)}"
    if p.topic:
        head = f"[{p.topic}] " + head
    if p.front_matter:
        head += "  (front matter, not law)"
    lines = [(_BOLD + head + _RESET) if color else head]
    flags = [CHANGE_LABELS[c] for c in p.changes]
    if p.diff.pair.suggested:
        flags.append(f"suggested pairing, similarity {p.diff.pair.similarity}: check it")
    if p.heading_change:
        flags.append("heading: " + " → ".join(_safe(h or "(none)") for h in p.heading_change))
    if p.number_change:
        flags.append("number: " + " → ".join(_safe(x or "(none)") for x in p.number_change))
    if flags:
        lines.append("  (" + "; ".join(flags) + ")")
    if not p.compared:
        for side, doc, sec in (("a", a, p.a), ("b", b, p.b)):
            why = p.lack(side)  # type: ignore[arg-type]
            if why is not None:
                where = official_link(doc, sec)
                lines.append(f"  {_safe(doc.number)}: {LACK_LABELS[why]}"
                             + (f"; official text: {where}" if where else ""))
        lines.append("  Not compared: the summaries above say what is known.")
        return "\n".join(lines)
    if Change.ADDED in p.changes or Change.REMOVED in p.changes:
        side_doc, sec = (b, p.b) if p.a is None else (a, p.a)
        lines.append(f"  Only in {_safe(side_doc.number)}.")
        if sec is not None and sec.text:
            lines.append(textwrap.indent(_safe(sec.text), "  "))
        return "\n".join(lines)
    for side, doc, sec in (("a", a, p.a), ("b", b, p.b)):
        if side in p.partial and sec is not None:
            lines.append(f"  caveat: {_safe(doc.number)} {_safe(sec.number or sec.id)} is "
                         f"{STATUS_LABELS[sec.status].lower()}"
                         + (f" ({_safe(sec.note)})" if sec.note else "")
                         + "; a difference where it stops may not be a change in the law")
    if not p.changed:
        lines.append("  (same wording" + (" as far as both copies go" if p.tail else "")
                     + ("; typography differs" if Change.TYPOGRAPHY in p.changes else "") + ")")
    lines.append(textwrap.indent(redline(p.runs, color, hide_typography), "  "))
    if p.tail:
        cut = a if p.stops == "a" else b
        lines.append(f"  ✂ {_safe(cut.number)}'s copy stops here; past this point the texts "
                     "are not compared:")
        for side, doc in (("a", a), ("b", b)):
            rest = p.tail_text(side)  # type: ignore[arg-type]
            if rest:
                lines.append(f"    {_safe(doc.number)}: {_safe(rest)}")
    st = p.stats
    if st is not None and p.changed and (st.words_deleted or st.words_inserted):
        lines.append(f"  -- {plural(st.words_deleted, 'word')} deleted, "
                     f"{st.words_inserted:,} inserted, {st.changed_share:.0%} changed"
                     + (" (approximate)" if p.diff.diff and p.diff.diff.approximate else ""))
    return "\n".join(lines)


def headline_line(h: Headline, what: str = "Provisions") -> str:
    """The numbers of one part of a comparison, in one sentence."""
    if not h.pairs and not (h.added or h.removed or h.unpaired_unknown):
        return f"{what}: none."
    parts = []
    if h.compared:
        detail = [f"{h.changed:,} changed" if h.changed else "none changed"]
        if h.typography:
            detail.append(f"{h.typography:,} with typography differences only")
        parts.append(f"{plural(h.compared, 'pair')} compared ({', '.join(detail)})")
        st = h.stats
        parts.append(f"{plural(st.words_deleted, 'word')} deleted and {st.words_inserted:,} "
                     f"inserted ({st.changed_share:.0%} of the words compared)")
    else:
        parts.append("no text could be compared (for each pair, at least one text is missing)")
    if h.not_compared:
        parts.append(f"{h.not_compared:,} not compared (text missing)")
    if h.added or h.removed:
        parts.append(f"{h.added:,} added, {h.removed:,} removed")
    if h.unpaired_unknown:
        parts.append(f"{h.unpaired_unknown:,} on one side only that we cannot call added or "
                     "removed (the other text is incomplete or missing)")
    return f"{what}: " + "; ".join(parts) + "."


def format_comparison(reading: Reading, color: bool = False, show_unchanged: bool = False,
                      hide_typography: bool = False) -> str:
    """The whole comparison as a terminal report."""
    a, b = reading.a, reading.b
    head = [f"Comparing {a.number} ({a.id}) with {b.number} ({b.id})", LEGEND,
            headline_line(reading.provisions)]
    if reading.front_matter.pairs or reading.front_matter.added or reading.front_matter.removed:
        head.append(headline_line(reading.front_matter, "Front matter (not law)"))
    if reading.same_document:
        head.append("This is one document compared with itself.")
    elif reading.typography_only:
        head.append("The provisions differ only in typography (quote, dash or spacing style): "
                    "no change in the law.")
    elif not reading.changed:
        head.append("No change in the law in the text compared.")
    if reading.approximate:
        head.append("APPROXIMATE: some long passages were matched in blocks, not word by word.")
    for t in reading.topics:
        view = t.view
        if not t.pairs and not (view.a_analysis or view.b_analysis):
            continue
        head.append("")
        head.append(f"## {view.topic.title} ({view.topic.id}): {TOPIC_STATE_LABELS[t.state]}")
        for label, doc, an in (("A", a, view.a_analysis), ("B", b, view.b_analysis)):
            if an is None:
                head.append(f"  {label} {doc.number}: no summary")
                continue
            summary = " ".join(s.text for s in an.summary)
            head.append(textwrap.fill(f"{label} {doc.number} ({an.footing}): {summary}", 100,
                                      initial_indent="  ", subsequent_indent="    "))
        for k, va, vb in t.attribute_changes:
            head.append(f"  * {k.replace('_', ' ')}: {a.number}: {va or 'not in our summary'}"
                        f"; {b.number}: {vb or 'not in our summary'}")
    head.append("")
    head.append("Summaries are ours, not the law.")
    out = [_safe(x) for x in head]
    shown: dict[tuple[str, str], list[str]] = {}
    blocks: list[tuple[tuple[str, str], PairReading]] = []
    for p in reading.pairs:
        if not show_unchanged and p.compared and not p.changed and not p.tail and \
                Change.TYPOGRAPHY not in p.changes:
            continue
        key = (p.a.id if p.a else "", p.b.id if p.b else "")
        if key in shown:
            # the same pair under several topics: print it once, naming every topic
            if p.topic:
                shown[key].append(p.topic)
            continue
        shown[key] = [p.topic] if p.topic else []
        blocks.append((key, p))
    for key, p in blocks:
        out.append("")
        text = format_pair(p, a, b, color, hide_typography)
        topics = shown[key]
        if len(topics) > 1:
            text = text.replace(f"[{p.topic}] ", f"[{', '.join(topics)}] ", 1)
        out.append(text)
    for label, doc, other, items in (("only in A", a, b, reading.only_a),
                                     ("only in B", b, a, reading.only_b)):
        if items:
            out.append("")
            out.append(_safe(f"Sections {label} ({doc.number}):"))
            out.extend(_unpaired_line(u, other) for u in items)
    return "\n".join(out)


def _unpaired_line(u: Unpaired, other: Document) -> str:
    if u.change is not None:
        what = CHANGE_LABELS[u.change].lower()
    elif u.lack is not None and u.section.held:
        what = f"{LACK_LABELS[u.lack]} of {other.number}: cannot tell if added or removed"
    else:
        what = "text not held"
    role = ", front matter" if u.front_matter else ""
    return f"  {_label(u.section)} [{_safe(u.section.id)}{role}]: {_safe(what)}"


def format_document(doc: Document, corpus: Corpus | None = None,
                    section_id: str | None = None) -> str:
    """A document (or one section and its children) as indented text with provenance."""
    out: list[str] = []
    if section_id is None:
        out.append(f"{doc.number}: {_safe(doc.title)}")
        meta = [("id", doc.id), ("kind", doc.kind.value), ("jurisdiction", doc.jurisdiction),
                ("session", doc.session), ("filed", doc.filed), ("status", doc.status),
                ("official text", doc.official_url),
                ("sponsors", sponsor_line(doc, limit=12)),
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
    role = "; front matter, not law" if section.role.value == "front-matter" else ""
    yield f"{pad}§ {_safe(label)}  [{section.id}; {STATUS_LABELS[section.status].lower()}{role}]"
    if section.status is TextStatus.MISSING:
        url = section.source_url or doc.official_url
        yield f"{pad}  (text missing{'; official text: ' + url if url else ''})"
    elif section.text:
        paras = section.text.split("\n")
        if section.truncated:  # as the web page says it: where the copy we have stops
            paras[-1] += " [the copy we have stops here]"
        for para in paras:
            yield textwrap.fill(_safe(para), 100, initial_indent=pad + "  ",
                                subsequent_indent=pad + "  ") or pad
    if section.note:
        yield f"{pad}  note: {_safe(section.note)}"
    if section.lines:
        yield f"{pad}  printed lines {section.lines.start}-{section.lines.end}"
    if section.topics:
        yield f"{pad}  topics: {', '.join(section.topics)}"
