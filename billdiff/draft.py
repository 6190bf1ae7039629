"""Compare your own draft with a stored document, provision by provision, storing nothing.

A draft is parsed like an imported text (Massachusetts bill layout when it looks like one, plain
enumerated text otherwise), its sections get topics *suggested* from the stored document, and it
is compared with that document through the same engine as stored documents.  The draft lives in
memory only: nothing is written, and the web page sends it back with ``Cache-Control: no-store``.
"""

from __future__ import annotations

from dataclasses import dataclass

from billdiff import analysis
from billdiff.compare import CompareOptions, Comparison, compare_documents
from billdiff.diff import count_words
from billdiff.errors import BilldiffError, InputTooLarge
from billdiff.load import Corpus
from billdiff.model import Document, iter_sections

#: Largest draft, in words (a whole omnibus bill is far below this).
MAX_DRAFT_WORDS = 60_000
#: Largest draft, in characters, checked before anything else.
MAX_DRAFT_CHARS = 1_000_000
#: Most lines in a draft.  The work and the page grow with the provisions a draft is read
#: into, and every line can be one: 59,000 one-word lines (under the word limit) took 3.3 s and
#: made a 22 MB page (issue 11, item 3).  A real bill has five words a line or more (a
#: 60,000-word Massachusetts bill is about 6,000 printed lines).
MAX_DRAFT_LINES = 10_000
#: Most provisions a draft may be read into (sections, subsections, paragraphs...).
MAX_DRAFT_PROVISIONS = 3_000
#: What ``str.splitlines`` ends a line at (the parsers split lines so; ``\r\n`` is one).
_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
DRAFT_ID = analysis.DRAFT_ID
#: How a draft is named wherever it is shown.
DRAFT_NUMBER = "Your draft (not official)"
#: A reserved address (RFC 2606 ``.invalid``): a draft has no published source.
DRAFT_SOURCE = "https://draft.billdiff.invalid/"


@dataclass(frozen=True)
class DraftComparison:
    """A stored document compared with a draft, and the draft as parsed."""

    comparison: Comparison
    draft: Document
    #: ``{draft section id: suggested topic ids}``
    suggestions: dict[str, tuple[str, ...]]


def count_lines(text: str) -> int:
    """``len(text.splitlines())``, without making the list (one C-speed scan per kind of line
    break; a regular expression's matches cost five times as much on a large draft)."""
    breaks = sum(text.count(c) for c in _BREAKS) - text.count("\r\n")
    return breaks + (bool(text) and text[-1] not in _BREAKS)


def check_draft_size(text: str) -> None:
    """Refuse a draft over the size limits with a message naming the limit."""
    if len(text) > MAX_DRAFT_CHARS:
        raise InputTooLarge(f"the draft has {len(text):,} characters, over the "
                            f"{MAX_DRAFT_CHARS:,}-character limit",
                            fix="compare it part by part")
    lines = count_lines(text)
    if lines > MAX_DRAFT_LINES:
        raise InputTooLarge(f"the draft has {lines:,} lines, over the {MAX_DRAFT_LINES:,}-line "
                            "limit", fix="compare it part by part, or join lines that belong "
                                         "to one provision")
    words = count_words(text)
    if words > MAX_DRAFT_WORDS:
        raise InputTooLarge(f"the draft has {words:,} words, over the {MAX_DRAFT_WORDS:,}-word "
                            "limit", fix="compare it part by part")


def check_draft_provisions(draft: Document) -> None:
    """Refuse a draft read into more provisions than :data:`MAX_DRAFT_PROVISIONS`."""
    provisions = len(iter_sections(draft.sections))
    if provisions > MAX_DRAFT_PROVISIONS:
        raise InputTooLarge(f"the draft has {provisions:,} provisions, over the "
                            f"{MAX_DRAFT_PROVISIONS:,}-provision limit",
                            fix="compare it part by part")


def parse_draft(text: str, *, title: str = "Your draft") -> Document:
    """Parse pasted or uploaded text into an in-memory document (never stored)."""
    from billdiff.importers.ma_bill import looks_like_ma_bill, parse_ma_bill
    from billdiff.importers.plain import parse_plain

    check_draft_size(text)
    if not text.strip():
        raise BilldiffError("the draft is empty", fix="paste or upload the text to compare")
    notes = ("A draft compared in memory; not stored.",)
    if looks_like_ma_bill(text):
        try:
            bill = parse_ma_bill(text, DRAFT_ID, source_url=DRAFT_SOURCE,
                                 source_description="your draft (not stored)", notes=notes)
            # a draft laid out like a bill still is not that bill: never show its number
            bill = bill.model_copy(update={"number": DRAFT_NUMBER})
            check_draft_provisions(bill)
            return bill
        except InputTooLarge:
            raise
        except BilldiffError:
            pass  # not quite a bill after all: read it as plain enumerated text
    draft = parse_plain(text, DRAFT_ID, source_url=DRAFT_SOURCE,
                        source_description="your draft (not stored)", title=title,
                        number=DRAFT_NUMBER, kind="bill", notes=notes)
    check_draft_provisions(draft)
    return draft


def compare_draft(corpus: Corpus, text: str, against: str,
                  options: CompareOptions | None = None) -> DraftComparison:
    """Compare the stored document *against* (left) with the draft *text* (right)."""
    options = options or CompareOptions()
    from billdiff.align import apply_topic_suggestions, suggest_topics

    stored = corpus.document(against)
    parsed = parse_draft(text)
    suggestions = suggest_topics(parsed, stored)  # one alignment, used twice
    draft = apply_topic_suggestions(parsed, stored, suggestions)
    # Pair by id, number and similarity: a draft has no confirmed topics to pair on.
    comparison = compare_documents(stored, draft, corpus=None,
                                   options=CompareOptions(granularity=options.granularity))
    return DraftComparison(comparison, draft, suggestions)
