"""Read amending instructions written in English into data.

Two drafting styles are read, the ones billdiff has real text for:

- the **D.C. Council**'s (``Paragraph (5) is amended by striking the phrase "; and" and
  inserting a semicolon in its place.``, ``A new subsection (c-1) is added to read as follows:``,
  ``Section 5 (D.C. Official Code § 32-531.04) is amended as follows:``);
- the **Massachusetts** Legislature's (``Chapter 6 of the General Laws is hereby amended by
  striking section 220 and inserting in place thereof the following section:-``,
  ``moves to amend the bill in line 12, by striking out the figure "3" and inserting in place
  thereof the figure "4"``, ``by striking lines 209-240 and inserting in place thereof the
  following:-``).

:func:`read_instructions` walks an amendment :class:`~billdiff.model.Document`;
:func:`parse_instruction` reads one sentence.  Both return frozen :class:`Instruction` records
(what is amended, the action, the words struck and inserted, where, how many times) and never
edit any text: :mod:`billdiff.amend.apply` does that.  A sentence the reader does not
understand becomes an instruction with action ``unparsed`` and the reason; it is never guessed.

**How a sentence is read.**  A small hand-written reader, in four steps, because the phrasings
are a few dozen fixed templates around quoted words, and the one hard part, telling where a
quotation ends when quotations nest inside it with the same straight quote character
(``striking the phrase "and "intrafamily offense"" and inserting ...``), is not a context-free
question a grammar library answers better (see ``docs/amend.md``):

1. Words after ``:-`` (Massachusetts' colon-dash) are the new text, to the end.
2. Quotations are found by the side of each quote mark: a mark after a space (or at the start,
   or after a bracket or another mark) opens, a mark before a space or punctuation closes, and
   opening and closing marks nest.  Each outermost quotation becomes a placeholder, so the
   templates below see a short skeleton: ``Paragraph (5) is amended by striking «0» and
   inserting «1» in its place``.
3. The skeleton is split into the target (what is amended, before ``is amended`` / ``is
   repealed`` / ...) and the predicate; a predicate ``by ...`` is split into its clauses
   (``striking ... and inserting ..., and by adding ...``).
4. Each part is matched against the templates (anchored regular expressions on the skeleton,
   bounded, no nested quantifiers).

**Scope.**  A lead-in (``... is amended as follows:``) scopes the paragraphs under it: each
instruction carries the targets of its lead-ins, outermost first, in :attr:`Instruction.context`.

**Quoted text** that an instruction inserts comes, in order of preference, from the sections
:mod:`billdiff.importers.dc_law` makes of a D.C. law's quotations (``__quote_N``), from the
words after ``:-``, from child sections that are not instructions themselves, or (a
Massachusetts bill as imported, where ``Section 220.`` follows the ``SECTION 1.`` that inserts
it) from the sections that follow, up to the next instruction or bill section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Literal

from billdiff.amend.designations import BARE, CHAIN, PAREN, split_chain
from billdiff.model import Document, LineSpan, Section


class Action(StrEnum):
    """What an instruction does."""

    #: ``... is amended as follows:``: a lead-in that scopes the instructions under it.
    SCOPE = "scope"
    #: strike words and insert others in their place.
    STRIKE_INSERT = "strike-insert"
    #: strike words (or printed lines, or a whole provision) and insert nothing.
    STRIKE = "strike"
    #: insert words before or after other words, or at the end or beginning of a provision.
    INSERT = "insert"
    #: ``... is amended to read as follows:`` / strike a provision and insert another.
    REPLACE = "replace"
    #: add new provisions (``A new paragraph (7) is added to read as follows:``).
    ADD = "add"
    #: ``... is repealed``: the provision stays, reading ``Repealed.``.
    REPEAL = "repeal"
    #: ``Paragraphs (3) through (5) are redesignated as paragraphs (4) through (6)``.
    REDESIGNATE = "redesignate"
    #: ``The existing text is designated as subsection (a)``.
    DESIGNATE = "designate"
    #: a sentence the reader does not understand (see :attr:`Instruction.reason`).
    UNPARSED = "unparsed"


#: A part of a provision (``lead-in``, ``heading``), or of a code or an Act that no section
#: document holds (``table-of-contents``, ``title``: the long or short title).
Part = Literal["lead-in", "heading", "table-of-contents", "title"]


@dataclass(frozen=True)
class Target:
    """What an instruction (or a lead-in) names as amended.

    Absolute targets name a section of a code (``section`` with ``code``); relative ones
    (``relative``) a path of designations below the provision their lead-ins name.  A
    ``scope_only`` target names a container (a D.C. Code title, an Act, a chapter of the General
    Laws, "the bill") and selects no provision itself.
    """

    #: The instruction's own words for it.
    words: str
    #: ``dc`` (D.C. Official Code), ``dcmr`` (D.C. Municipal Regulations), ``ma``
    #: (Massachusetts General Laws), ``bill`` (the bill being amended), or None (relative).
    code: Literal["dc", "dcmr", "ma", "bill"] | None = None
    #: The section: ``7-741.03`` (D.C. Code), ``220`` (G.L.), ``SECTION 3`` (a bill's section).
    section: str | None = None
    #: The container: a D.C. Code title (``16``) or a General Laws chapter (``6``).
    chapter: str | None = None
    #: Designations below the section (or below the scope, when ``relative``).
    path: tuple[str, ...] = ()
    relative: bool = False
    #: A part of the provision rather than all of it.
    part: Part | None = None
    #: Printed lines of the document amended (Massachusetts bills), first and last.
    lines: tuple[int, int] | None = None
    #: A range: the last designation (``(3) through (5)`` has path ``("(3)",)``, through ``(5)``).
    through: str | None = None
    #: A container, not a provision.
    scope_only: bool = False
    #: Why this target cannot be located in a code (e.g. an Act's section with no D.C. Official
    #: Code citation); None when it can.
    unresolved: str | None = None
    #: The level words used (``paragraph``), a hint only.
    unit: str | None = None
    #: An Act (or an Act's provision) cited with no D.C. Official Code citation: D.C. drafting
    #: cites the Code for every codified provision, so this is not a part of the Code.
    uncodified: bool = False


@dataclass(frozen=True)
class CountRule:
    """How many places the struck (or anchor) words must be found in.

    ``once`` (the default: exactly one), ``twice`` (``both times it appears``: exactly two),
    ``each`` (``each time it appears``, ``wherever it appears``: every one, at least one),
    ``nth`` (``the second time it appears``: the *n*-th of several), ``last`` (``at the end``:
    the last one, which must end the provision).
    """

    kind: Literal["once", "twice", "each", "nth", "last"] = "once"
    n: int | None = None

    def describe(self) -> str:
        """Plain words: ``exactly once``, ``both times`` ..."""
        return {"once": "exactly once", "twice": "exactly twice (both times)",
                "each": "each time (at least once)",
                "nth": f"the occurrence number {self.n}",
                "last": "at the end"}[self.kind]


ONCE = CountRule()


@dataclass(frozen=True)
class Instruction:
    """One amending instruction, as data (the reader never edits text).

    ``id`` is ``<amendment id>:<section id>`` (``#2`` and on for the further clauses of one
    sentence: ``is amended by striking ..., and by adding ...``).
    """

    id: str
    #: The amendment document and the section of it the instruction is.
    amendment: str
    section_id: str
    #: The section's display number (``Sec. 2(a)``, ``SECTION 1``).
    number: str | None
    #: The instruction's own words.
    text: str
    action: Action
    #: What is amended; several for ``Paragraphs (1) and (2) are repealed``.  Empty: the
    #: provision the lead-ins name.
    targets: tuple[Target, ...] = ()
    #: The targets of the lead-ins above, outermost first.
    context: tuple[Target, ...] = ()
    #: Ids of those lead-ins.
    scope: tuple[str, ...] = ()
    #: The words struck (``strike``, ``strike-insert``); for ``insert``, the anchor words.
    old: str | None = None
    #: The words inserted.
    new: str | None = None
    #: Where new words or provisions go: ``before``/``after`` the anchor (words, or the
    #: provision in ``anchor_target``), ``end``, ``beginning``; None: in place of the old words,
    #: or (new provisions) in the order of their designations.
    position: Literal["before", "after", "end", "beginning"] | None = None
    anchor_target: Target | None = None
    count: CountRule = ONCE
    #: Provisions inserted (``add``, ``replace``): sections as the amendment holds them.
    content: tuple[Section, ...] = ()
    #: Designations of the provisions added or given (``add``, ``redesignate``, ``designate``).
    designations: tuple[str, ...] = ()
    #: ``redesignate ... (4) through (6)``: the designations are a range, first and last.
    designations_through: bool = False
    #: Level words of the provisions added (``paragraph``, ``section``).
    unit: str | None = None
    #: Why the instruction is ``unparsed``.
    reason: str | None = None
    #: The instruction's printed lines in the amendment (Massachusetts bills).
    lines: LineSpan | None = None
    #: Strike a whole provision (``by striking out subsection (b)``), not words.
    whole: bool = False
    #: ``old`` is a punctuation mark named in words (``the period``), not quoted: when it occurs
    #: several times, the one that ends the provision is meant (the drafting convention).
    old_is_mark: bool = False


# --------------------------------------------------------------------------------------------
# Quotations


class QuoteError(ValueError):
    """Quotation marks that cannot be paired."""


_OPENERS_BEFORE = "([{—–-/“\"‘"
_CLOSERS_AFTER = ".,;:)]}?!—–-\"”’'"


_QUOTE_MARKS = re.compile('[“”"]')


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """The outermost quotations of *text* as ``(start, end)`` including their marks.

    Curly marks pair as they are drawn; a straight mark opens when it follows a space, the
    start, a bracket or another mark, and closes when a space, punctuation or the end follows.
    Raises :class:`QuoteError` when the marks cannot be paired.
    """
    spans: list[tuple[int, int]] = []
    stack: list[int] = []
    n = len(text)
    for mark in _QUOTE_MARKS.finditer(text):
        i, ch = mark.start(), mark.group()
        if ch == "“":
            stack.append(i)
            continue
        if ch == "”":
            if not stack:
                raise QuoteError(f"a closing quotation mark at character {i} opens nothing")
            start = stack.pop()
            if not stack:
                spans.append((start, i + 1))
            continue
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < n else " "
        can_open = prev.isspace() or prev in _OPENERS_BEFORE
        can_close = nxt.isspace() or nxt in _CLOSERS_AFTER
        if can_close and stack and (not can_open or not nxt.isalnum()):
            start = stack.pop()
            if not stack:
                spans.append((start, i + 1))
        elif can_open:
            stack.append(i)
        else:
            raise QuoteError(f"cannot tell whether the quotation mark at character {i} opens "
                             "or closes a quotation")
    if stack:
        raise QuoteError("a quotation is never closed")
    return spans


def skeleton(text: str) -> tuple[str, list[str]]:
    """*text* with each outermost quotation replaced by ``«i»``, and the quoted words."""
    out: list[str] = []
    quotes: list[str] = []
    last = 0
    for start, end in quoted_spans(text):
        out.append(text[last:start])
        out.append(f"«{len(quotes)}»")
        quotes.append(text[start + 1:end - 1])
        last = end
    out.append(text[last:])
    return "".join(out), quotes


# --------------------------------------------------------------------------------------------
# Vocabulary

_UNIT_WORDS = (
    r"sub-sub-subparagraphs?|sub-subparagraphs?|sub-?paragraphs?|paragraphs?|sub-?sections?|"
    r"sections?|sub-clauses?|subclauses?|clauses?|sub-items?|subitems?|items?|subtitles?|"
    r"titles?|subchapters?|chapters?|subparts?|parts?|articles?|divisions?|definitions?"
)
UNIT = rf"(?:{_UNIT_WORDS})"
_WORDISH = (r"(?:phrases?|phases?|words?|figures?|numbers?|terms?|sentences?|dates?"
            r"|(?:dollar )?amounts?|text|language|citations?|references?|letters?|characters?"
            r"|symbols?|names?"
            r"|titles?|acronyms?|abbreviations?|designations?|numerals?|years?|times?)")
_PUNCT_NAMES = {
    "period": ".", "semicolon": ";", "semi-colon": ";", "comma": ",", "colon": ":",
    "dash": "—", "em dash": "—", "em-dash": "—", "hyphen": "-", "question mark": "?",
}
_PUNCT = r"(?:period|semi-?colon|comma|colon|em[ -]dash|dash|hyphen|question mark)"
_COUNT = (r"(?P<{name}>(?:both|all two) times (?:it|they) appears?|each time (?:it|they) appears?"
          r"|each place (?:it|they) appears?|wherever (?:it|they) appears?|every time (?:it|they)"
          r" appears?|in each (?:instance|place)(?: (?:it|they) appears?)?|each time"
          r"|(?:the )?(?:first|second|third|fourth|fifth|last) (?:time|place) (?:it|they)"
          r" appears?|where it appears)")
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
_IN_PLACE = r"(?:in (?:its|their) place|in place thereof|in lieu thereof)"
_FOLLOWING = (rf"the following(?: new)?(?: (?P<funit>{UNIT}|{_WORDISH}|text))?")


def _count_rule(words: str | None) -> CountRule:
    if not words:
        return ONCE
    w = words.lower()
    if w.startswith(("both", "all two")):
        return CountRule("twice")
    for name, n in _ORDINALS.items():
        if name in w.split():
            return CountRule("nth", n)
    if "last" in w.split():
        return CountRule("last")
    if w == "where it appears":
        return ONCE
    return CountRule("each")


def _words(quotes: list[str], index: str | None) -> str | None:
    return None if index is None else quotes[int(index)]


def _operand(kind: str, quotes: list[str], m: re.Match[str], prefix: str
             ) -> tuple[str | None, bool]:
    """(words, at_end) for an OLD or NEW operand matched by :func:`_operand_re`."""
    q = m.group(f"{prefix}q")
    if q is not None:
        return quotes[int(q)], False
    p = m.group(f"{prefix}p")
    if p is not None:
        mark = _PUNCT_NAMES[p.lower()]
        return mark, bool(m.group(f"{prefix}end"))
    return None, False


def _operand_re(prefix: str, *, punct_article: str = "the") -> str:
    """An operand: a quotation (``the phrase "X"``) or a named mark (``the period``)."""
    return (rf"(?:(?:the |a |an )?(?:{_WORDISH} )?«(?P<{prefix}q>\d+)»"
            rf"|(?:{punct_article}) (?P<{prefix}p>{_PUNCT})"
            rf"(?P<{prefix}end> at the end(?: thereof)?(?: of the (?:{_UNIT_WORDS}|sentence))?)?)")


_OLD = _operand_re("o", punct_article="the|a|an")
_NEW = _operand_re("n", punct_article="a|an|the")
_ANCHOR = _operand_re("a", punct_article="the")

# one clause of "is amended by <clause>, and by <clause>"; the groups say what it is
_STRIKE_INSERT = re.compile(
    rf"striking(?: out)? {_OLD}(?: at the end)?(?:,? {_COUNT.format(name='c1')})?,?"
    rf"(?: [Aa]nd|, [Aa]nd) (?:inserting|substituting|adding|insert)(?: {_IN_PLACE})? {_NEW}"
    rf"(?:,? {_COUNT.format(name='c2')})?(?: {_IN_PLACE})?$")
_STRIKE = re.compile(
    rf"striking(?: out)? {_OLD}(?P<oend2> at the end)?(?:,? {_COUNT.format(name='c1')})?$")
_STRIKE_FOLLOWING = re.compile(
    rf"striking(?: out)? {_OLD}(?:,? {_COUNT.format(name='c1')})?,? and inserting"
    rf"(?: {_IN_PLACE})? {_FOLLOWING}$")
_INSERT_ANCHOR = re.compile(
    rf"(?:inserting|adding) {_NEW} (?P<pos>(?:immediately )?(?:after|before|following)) "
    rf"{_ANCHOR}(?:,? {_COUNT.format(name='c1')})?$")
_INSERT_ANCHOR_FOLLOWING = re.compile(
    rf"(?:inserting|adding) (?P<pos>(?:immediately )?(?:after|before|following)) {_ANCHOR}"
    rf"(?:,? {_COUNT.format(name='c1')})?,? {_FOLLOWING}$")
_ADD_AT = re.compile(
    rf"(?:adding|inserting) {_NEW} at the (?P<pos>end|beginning)(?: thereof)?$")
#: "adding a new sentence at the end to read as follows: "X"": words added at the end.
_ADD_SENTENCE = re.compile(
    r"(?:adding|inserting) (?:a )?new sentences? at the (?P<pos>end|beginning)(?: thereof)?"
    r"(?: of the (?:paragraph|subsection|subparagraph|section|provision))?"
    r",? (?:to read|which reads?|that reads?) as follows:? «(?P<q>\d+)»$")
_ADD_AT_FOLLOWING = re.compile(
    rf"(?:adding|inserting)(?: at the (?P<pos>end|beginning)(?: thereof)?)? {_FOLLOWING}"
    rf"(?: at the (?P<pos2>end|beginning)(?: thereof)?)?$")
_ADD_NEW = re.compile(
    rf"(?:adding |inserting )?(?:(?:a|an) )?new (?:a )?(?P<unit>{UNIT}) (?P<desigs>.+?)"
    rf"(?: (?:to reads?|which reads?|that reads?) as follows?| as follows)?$")
_ADD_PROVISION_AT = re.compile(
    rf"(?:adding|inserting) (?P<pos>after|before) (?P<anchor>(?:{UNIT}) .+?|the definition"
    rf" of «\d+»),? {_FOLLOWING}$")
_STRIKE_PROVISION = re.compile(
    rf"striking(?: out)? (?P<prov>(?:{UNIT}) .+?|the definition of «\d+»)"
    rf"(?:,? and inserting(?: {_IN_PLACE})? {_FOLLOWING})?$")
_STRIKE_LINES = re.compile(
    r"striking(?: out)? lines? (?P<l1>\d{1,6})(?:\s*(?:-|–|to|through|and)\s*(?P<l2>\d{1,6}))?"
    rf"(?:,? inclusive)?(?:,? and inserting(?: {_IN_PLACE})? {_FOLLOWING})?$")

_PREDICATE = re.compile(
    r"(?:,\s*)?\b(?:(?:is|are)(?:,? respectively,)? (?:hereby )?(?:further )?"
    r"(?P<verb>amended|repealed|redesignated|designated|added|stricken|struck)"
    r"|(?P<as>as) amended as follows)\b")
_IMPERATIVE = re.compile(
    r"(?P<verb>Strike|Insert|Add|Designate|Redesignate|Amend|Repeal)\b", re.IGNORECASE)
_MOVES = re.compile(r"^(?:.{0,200}?\b)?moves? to amend (?P<what>the bill|[^,]{1,80}?)"
                    r"(?=,| by | in | as follows|$)", re.IGNORECASE)
_LINE_LOCATOR = re.compile(
    r"(?:,\s*)?\b[Ii]n lines? (?P<l1>\d{1,6})(?:\s*(?:-|–|to|through|and)\s*(?P<l2>\d{1,6}))?"
    r"(?:,? inclusive)?,?")
_SECTION_LOCATOR = re.compile(
    rf"(?:,\s*)?\bin (?P<unit>{UNIT}) (?P<desig>{BARE}(?:{CHAIN})?|{CHAIN})(?: of the bill)?,?"
    rf"(?= |$)", re.IGNORECASE)
_LABEL = re.compile(
    r"^(?:SECTION \d+[A-Za-z]*\.\s+|Sec\. \d+[A-Za-z]*\.\s+|\((?:[A-Za-z0-9-]{1,8})\)\s+)")

_AMENDING = re.compile(
    r"\b(?:is|are)(?:,? respectively,)? (?:hereby )?(?:further )?(?:amended|repealed|"
    r"redesignated|designated|added|stricken|struck)\b|\bmoves? to amend\b|\bas amended as "
    r"follows\b|^(?:\([A-Za-z0-9-]{1,8}\) )?(?:Strike|Insert|Add|Designate|Redesignate)\b"
    r"|\bby (?:striking|inserting|adding)\b")


def is_instruction(text: str) -> bool:
    """Does *text* read as an amending instruction (rather than a provision of the law)?"""
    return _AMENDING.search(" ".join(text.split())[:5000]) is not None


# --------------------------------------------------------------------------------------------
# Targets

_CODE_CITE = re.compile(
    r"D\.\s?C\.\s?(?:Official )?Code,?\s*(?:§§?\s*)?(?P<cite>\d+[A-Z]?(?::\d+[A-Z]?)?-"
    r"[0-9A-Za-z.:]*[0-9A-Za-z](?:\([A-Za-z0-9.\-]{1,15}\))*)(?P<seq>,? et seq\.?|,? passim\b)?")
_CODE_SECTION = re.compile(
    rf"^(?:the )?(?:(?P<part>lead[- ]in (?:language|text)|introductory (?:language|text)|"
    rf"section heading|heading) (?:of|for|to|in) )?[Ss]ection "
    rf"(?P<cite>\d+[A-Z]?(?::\d+[A-Z]?)?-[0-9A-Za-z.:]*[0-9A-Za-z])(?P<path>{CHAIN})?"
    rf"(?: of (?:the )?(?:District of Columbia|D\.C\.)(?: Official)? Code)?$")
_CODE_CONTAINER = re.compile(
    r"^(?:(?:Sub)?(?:[Cc]hapter|[Pp]art|[Ss]ubtitle|[Tt]itle|[Ss]ubchapter|[Aa]rticle) "
    r"[0-9A-Za-z.\-]+ of )*[Tt]itle (?P<title>\d+[A-Z]?) of (?:the )?(?:District of Columbia|"
    r"D\.C\.)(?: Official)? Code$")
_MA_SECTION = re.compile(
    r"^(?:(?P<unit>subsection|paragraph|clause|subparagraph) (?P<path>(?:\([A-Za-z0-9]+\))+)"
    r" of )?(?:said )?section (?P<section>\d+[A-Z]{0,3}(?:½)?) of (?:said )?chapter "
    r"(?P<chapter>\d+[A-Z]{0,3})(?: of the General Laws)?\b")
#: A chapter of the General Laws: said so, or "said chapter" (a bare "Chapter 7" is a
#: container of whatever code the lead-ins name).
_MA_CHAPTER = re.compile(r"^(?:said chapter (?P<said>\d+[A-Z]{0,3})\b|chapter (?P<chapter>"
                         r"\d+[A-Z]{0,3}) of the General Laws\b)", re.IGNORECASE)
_BILL = re.compile(r"^(?:the bill|(?:senate|house),? (?:bill )?no\. ?\d+|[SH]\.\s?\d+)\b",
                   re.IGNORECASE)
_BILL_SECTION = re.compile(r"^section (?P<section>\d+[A-Za-z]*) of the bill$", re.IGNORECASE)
_PARTS = {"lead-in": r"lead[- ]in(?: language| text)?|introductory (?:language|text|clause|matter)",
          "heading": r"section heading|heading|caption"}
_RELATIVE = re.compile(
    rf"^(?:the )?(?:newly (?:designated|redesignated) |existing |new )?"
    rf"(?P<unit>{UNIT}) (?P<desigs>.+)$", re.IGNORECASE)
_ACT = re.compile(r"\b(?:Act|Code|Initiative|Resolution|Amendment|Reorganization Plan)\b")


_DCMR = re.compile(r"\bDCMR\b|District of Columbia Municipal Regulations")
#: Parts of a code or an Act that no section document holds.
_SPECIAL = re.compile(r"^(?:the )?(table of contents|(?:new )?(?:section )?designations? (?:for|of)"
                      r"\b|long title|short title)", re.IGNORECASE)


def _special_part(words: str) -> Part:
    low = words.lower()
    if "title" in low:
        return "title"
    return "table-of-contents"


class TargetError(ValueError):
    """A target phrase the reader does not understand."""


_PARTS_RE = {name: re.compile(rf"^(?:the )?(?:{pattern})\b") for name, pattern in _PARTS.items()}
_PASSIM = re.compile(r"D\.\s?C\.\s?Official Code passim")
_EXISTING = re.compile(r"(?:the )?(?:existing )?(?:text|language)(?: of (?:the )?.+)?")
_TRAILING = re.compile(r"(?:;\s*(?:and|or)|[.;,:])\s*$")
_TO_READ = re.compile(r"to reads? as follows?:?")
_BY_SPLIT = re.compile(r",? and by |; and by |, by |; by ")
_QUOTE_AT_END = re.compile(r"«\d+» at the end")
_QUOTE_ID = re.compile(r"quote_\d+")
_CLOSING_ID = re.compile(r"aftertext_\d+|toc")


#: Levels whose designations are always in parentheses (a bare ``4020.1`` is not one).
_PARAGRAPH_LIKE = re.compile(r"(?:sub-?)+sections?$|(?:sub-?)*(?:paragraph|clause|item)s?$")


#: A section's caption in parentheses after its number ("Section 3001 (short title)"): words,
#: not a designation (a designation has no space and is not only letters of a roman numeral).
_CAPTION = re.compile(r"(?<=\d)\s+\((?=[^)]*(?: |[abefghjknopqrstuwyz]))[a-z][a-z ]{3,40}\)$")
_THROUGH = re.compile(rf"({CHAIN}|{BARE}) (?:through|to) (?:{UNIT} )?({CHAIN}|{BARE})")
_ITEMS_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
_CHAIN_RE = re.compile(CHAIN)
_BARE_CHAIN = re.compile(rf"{BARE}(?:{CHAIN})?")


def _designations(words: str, unit: str) -> tuple[list[str], str | None]:
    """``(1), (1A), and (1B)`` -> ([...], None); ``(3) through (5)`` -> (["(3)"], "(5)");
    chains ``(c)(1)(A)`` stay whole; section numbers (``11a, 11b, and 11c``) too."""
    w = _CAPTION.sub("", words.strip().rstrip(","))
    through = _THROUGH.fullmatch(w)
    if through:
        return [through.group(1)], through.group(2)
    items = _ITEMS_SPLIT.split(w)
    out = []
    for item in items:
        item = item.strip()
        if not item:
            continue
        if _CHAIN_RE.fullmatch(item):
            out.append(item)
        elif _BARE_CHAIN.fullmatch(item) and not _PARAGRAPH_LIKE.match(
                unit.lower()):
            out.append(item.lstrip("§").strip())
        else:
            raise TargetError(f"cannot read the designations {words!r}")
    if not out:
        raise TargetError(f"no designation in {words!r}")
    return out, None


def parse_target(phrase: str, quotes: list[str]) -> list[Target]:
    """Read the words naming what is amended (the part before ``is amended``).

    Raises :class:`TargetError` with the reason when they cannot be read.
    """
    words = phrase.strip().strip(",").strip()
    for name, quoted in enumerate(quotes):
        words = words.replace(f"«{name}»", f'"{quoted}"')
    raw = words
    if not words:
        raise TargetError("no target named")
    if _DCMR.search(words):
        return [Target(words=raw, code="dcmr", scope_only=True)]
    special = _SPECIAL.match(words)
    if special:
        return [Target(words=raw, part=_special_part(special.group(1)), scope_only=True)]
    # a D.C. Official Code citation locates the target absolutely, whatever else is said
    cites = list(_CODE_CITE.finditer(words))
    part = _part_of(words)
    if cites:
        targets = []
        for cite in cites:
            section, path = _split_cite(cite.group("cite"))
            if cite.group("seq"):
                title = section.split("-", 1)[0].split(":", 1)[0]
                targets.append(Target(words=raw, code="dc", chapter=title, scope_only=True))
            else:
                targets.append(Target(words=raw, code="dc", section=section, path=path,
                                      part=part))
        return targets
    if _PASSIM.search(words):
        return [Target(words=raw, code="dc", scope_only=True)]
    m = _CODE_SECTION.match(words)
    if m:
        return [Target(words=raw, code="dc", section=m.group("cite"),
                       path=split_chain(m.group("path") or ""),
                       part=_part_name(m.group("part")))]
    m = _CODE_CONTAINER.match(words)
    if m:
        return [Target(words=raw, code="dc", chapter=m.group("title"), scope_only=True)]
    low = words[0].lower() + words[1:]
    m = _MA_SECTION.match(low)
    if m:
        return [Target(words=raw, code="ma", chapter=m.group("chapter"),
                       section=m.group("section"),
                       path=split_chain(m.group("path") or ""), unit=m.group("unit"))]
    m = _MA_CHAPTER.match(low)
    if m:
        return [Target(words=raw, code="ma", chapter=m.group("chapter") or m.group("said"),
                       scope_only=True)]
    m = _BILL_SECTION.match(low)
    if m:
        return [Target(words=raw, code="bill", section=f"SECTION {m.group('section')}")]
    if _BILL.match(low):
        return [Target(words=raw, code="bill", scope_only=True)]
    return _relative(words, raw, part)


def _part_name(words: str | None) -> Part | None:
    if not words:
        return None
    return "heading" if "heading" in words.lower() else "lead-in"


def _part_of(words: str) -> Part | None:
    low = words.lower()
    for name, pattern in _PARTS_RE.items():
        if pattern.match(low):
            return "lead-in" if name == "lead-in" else "heading"
    return None


def _split_cite(cite: str) -> tuple[str, tuple[str, ...]]:
    m = re.match(rf"^(.*?)((?:{PAREN})*)$", cite)
    assert m is not None
    return m.group(1).rstrip("."), split_chain(m.group(2))


def _relative(words: str, raw: str, part: Part | None) -> list[Target]:
    low = words.lower()
    if part is not None:
        rest = re.sub(rf"^(?:the )?(?:{_PARTS[part]})\b\s*", "", low, count=1)
        if not rest:
            return [Target(words=raw, relative=True, part=part)]
        m = re.match(r"^(?:of|to|in|for) (?:the )?(.+)$", rest)
        if not m:
            raise TargetError(f"cannot read {words!r}")
        inner = parse_target(words[len(words) - len(m.group(1)):], [])
        return [Target(words=raw, code=t.code, section=t.section, chapter=t.chapter,
                       path=t.path, relative=t.relative, part=part, unit=t.unit)
                for t in inner]
    if _EXISTING.fullmatch(low) or \
            re.fullmatch(rf"the (?:{_UNIT_WORDS})", low):
        of = re.match(r"(?:the )?existing (?:text|language) of (?:the )?(.+)$", words,
                      re.IGNORECASE)
        if of:
            return _relative(of.group(1), raw, None)
        return [Target(words=raw, relative=True)]
    m = _RELATIVE.match(words)
    if m:
        unit = m.group("unit").lower()
        desigs = m.group("desigs")
        outer: list[Target] = []
        of = re.search(rf"\s+of (?:the )?(?:newly designated )?((?:{UNIT}) .+)$", desigs,
                       re.IGNORECASE)
        if of:
            outer = _relative(of.group(1), raw, None)
            desigs = desigs[:of.start()]
        elif " of " in desigs and _ACT.search(desigs):
            # "Section 5 of the Coronavirus Support Act ..." with no D.C. Code citation
            return [Target(words=raw, unresolved="it names a provision of an Act by the "
                           "Act's own numbering, with no D.C. Official Code citation",
                           uncodified=True)]
        items, through = _designations(desigs, unit)
        base = outer[0] if len(outer) == 1 else None
        if outer and base is None:
            raise TargetError(f"cannot read {words!r}")
        out = []
        for item in items:
            if item.startswith("("):
                path = split_chain(item)
            else:  # "104(b)": a section number and a path below it
                bare = re.match(rf"^(.*?)((?:{PAREN})*)$", item)
                assert bare is not None
                path = (bare.group(1), *split_chain(bare.group(2)))
            if unit.startswith("section") and not item.startswith("("):
                if re.fullmatch(r"\d+[A-Z]?(?::\d+[A-Z]?)?-[0-9A-Za-z.:]+", path[0]):
                    out.append(Target(words=raw, code="dc", section=path[0], path=path[1:],
                                      through=through))
                    continue
                # a bare section number: a bill's or a chapter's section (MA), or an Act's
                # own numbering (DC, which the applier cannot map to the Code)
                out.append(Target(words=raw, relative=True, path=path, unit=unit,
                                  through=through))
                continue
            if base is not None:
                out.append(Target(words=raw, code=base.code, section=base.section,
                                  chapter=base.chapter, path=base.path + path,
                                  relative=base.relative, unit=unit, through=through,
                                  unresolved=base.unresolved))
            else:
                out.append(Target(words=raw, relative=True, path=path, unit=unit,
                                  through=through))
        return out
    if _ACT.search(words):
        return [Target(words=raw, unresolved="it names an Act with no D.C. Official Code "
                       "citation", scope_only=True, uncodified=True)]
    raise TargetError(f"cannot read the target {words!r}")


# --------------------------------------------------------------------------------------------
# Sentences


@dataclass(frozen=True)
class Parsed:
    """One operation read from a sentence (before ids and context are attached)."""

    action: Action
    targets: tuple[Target, ...] = ()
    old: str | None = None
    new: str | None = None
    position: Literal["before", "after", "end", "beginning"] | None = None
    anchor_target: Target | None = None
    count: CountRule = ONCE
    designations: tuple[str, ...] = ()
    designations_through: bool = False
    unit: str | None = None
    #: The operation takes provisions (quoted text) rather than words.
    wants_content: bool = False
    whole: bool = False
    old_is_mark: bool = False
    reason: str | None = None


def _unparsed(reason: str) -> list[Parsed]:
    return [Parsed(Action.UNPARSED, reason=reason)]


def _normalize(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


_DASH = re.compile(r":\s?[-–—]\s?")


def _split_dash(text: str) -> tuple[str, str | None]:
    """Split at Massachusetts' ``:-`` (outside quotations): the words after it are new text."""
    if not _DASH.search(text):
        return text, None
    try:
        spans = quoted_spans(text)
    except QuoteError:
        spans = []
    for m in _DASH.finditer(text):
        if not any(s <= m.start() < e for s, e in spans):
            return text[:m.start()], text[m.end():]
    return text, None


def _strip_tail_quotes(tail: str) -> str:
    """MA new words, usually quoted and closed with the instruction's full stop."""
    t = tail.strip()
    t = re.sub(r"[.;]\s*$", "", t) if re.search(r"[\"”][.;]\s*$", t) else t
    if len(t) >= 2 and t[0] in "\"“" and t[-1] in "\"”":
        try:
            spans = quoted_spans(t)
        except QuoteError:
            spans = []
        if spans == [(0, len(t))]:
            return t[1:-1]
    return tail.strip()


def parse_instruction(text: str) -> list[Parsed]:
    """Read one instruction sentence into operations (usually one).

    Returns ``[Parsed(UNPARSED, reason=...)]`` when the sentence is not understood; its
    ``targets`` are what the sentence names as amended when that much could be read (so that an
    instruction for another document is reported as such, never applied).  Results are
    cached by sentence (they are frozen): amending many documents with one law reads it once.
    """
    return list(_parse_cached(text))


@lru_cache(maxsize=8192)
def _parse_cached(text: str) -> tuple[Parsed, ...]:
    result = _parse(text)
    if len(result) == 1 and result[0].action is Action.UNPARSED and not result[0].targets:
        named = _named_targets(text)
        if named:
            return (Parsed(Action.UNPARSED, targets=named, reason=result[0].reason),)
    return tuple(result)


def _named_targets(text: str) -> tuple[Target, ...]:
    """What a sentence not otherwise understood names before its verb, if readable."""
    try:
        skel, quotes = skeleton(_LABEL.sub("", _normalize(text), count=1))
    except QuoteError:
        return ()
    pred = _PREDICATE.search(skel)
    if pred is None or not skel[:pred.start()].strip():
        return ()
    try:
        return tuple(parse_target(skel[:pred.start()], quotes))
    except TargetError:
        return ()


def _parse(text: str) -> list[Parsed]:
    sentence = _normalize(text)
    sentence = _LABEL.sub("", sentence, count=1)
    head, tail = _split_dash(sentence)
    try:
        skel, quotes = skeleton(head)
    except QuoteError as err:
        return _unparsed(f"quotation marks: {err}")
    skel = _TRAILING.sub("", skel.strip()).strip()
    new_tail = _strip_tail_quotes(tail) if tail else None
    if tail is not None and not tail.strip():
        new_tail = None
    # Massachusetts floor amendments: "Mr. X moves to amend the bill ..."
    context: list[Target] = []
    moves = _MOVES.match(skel)
    if moves:
        what = moves.group("what")
        try:
            context.extend(parse_target(what, quotes))
        except TargetError as err:
            return _unparsed(str(err))
        skel = skel[moves.end():].lstrip(", ")
        if not skel:
            return _unparsed("'moves to amend' with no instruction after it")
        if re.match(r"^as follows$", skel):
            return [Parsed(Action.SCOPE, targets=tuple(context))]
    # locators written before the verb: "in section 3, in line 12, by striking out ..."
    lines: tuple[int, int] | None = None
    found = list(_LINE_LOCATOR.finditer(skel))
    if len(found) > 1:
        return _unparsed("more than one line locator")
    if found:
        m = found[0]
        first, last = int(m.group("l1")), int(m.group("l2") or m.group("l1"))
        if last < first:
            return _unparsed(f"lines {first}-{last} run backwards")
        lines = (first, last)
        skel = (skel[:m.start()] + " " + skel[m.end():]).strip()
        skel = " ".join(skel.split()).replace(" ,", ",")
    located: list[Target] = []
    while True:
        loc = _SECTION_LOCATOR.match(skel)
        if not loc or not skel.lower().startswith("in "):
            break
        try:
            located.extend(parse_target(f"{loc.group('unit')} {loc.group('desig')}", quotes))
        except TargetError as err:
            return _unparsed(str(err))
        skel = skel[loc.end():].lstrip(", ")
    if located or lines:
        if not skel.lower().startswith("by "):
            return _unparsed("a locator ('in line ...', 'in section ...') not followed by "
                             "'by ...'")
    if skel.lower().startswith("by "):
        own = _merge(context, located, lines)
        return _clauses(skel[3:], quotes, new_tail, own)
    pred = _PREDICATE.search(skel)
    imperative = _IMPERATIVE.match(skel)
    if imperative and (pred is None or pred.start() > 0 and imperative.start() == 0
                       and not _looks_like_target(skel[:pred.start()])):
        own = _merge(context, located, lines)
        return _imperative(skel, quotes, new_tail, own)
    if pred is None:
        return _unparsed("no 'is amended', 'is repealed', 'is added' or other amending verb "
                         "that billdiff reads")
    target_words = skel[:pred.start()]
    rest = skel[pred.end():].strip()
    verb = (pred.group("verb") or "amended").lower()
    if verb == "added":
        return _added(target_words, rest, quotes, new_tail)
    try:
        targets = parse_target(target_words, quotes) if target_words.strip() else []
    except TargetError as err:
        return _unparsed(str(err))
    targets = _merge_targets(context + located, targets, lines)
    if verb == "amended":
        if pred.group("as") or rest in ("as follows", "as follows:"):
            return [Parsed(Action.SCOPE, targets=tuple(targets))]
        if _TO_READ.fullmatch(rest):
            return [Parsed(Action.REPLACE, targets=tuple(targets), wants_content=True,
                           new=new_tail)]
        if rest.lower().startswith("by "):
            return _clauses(rest[3:], quotes, new_tail, targets)
        if rest.startswith("by"):
            return _clauses(rest[2:].strip(), quotes, new_tail, targets)
        if re.match(r"(?:striking|inserting|adding) ", rest):
            # "is amended striking ...": a slip of the drafting with one reading ("by" left out)
            return _clauses(rest, quotes, new_tail, targets)
        return _unparsed(f"cannot read what follows 'is amended': {rest[:80]!r}")
    if verb == "repealed":
        if rest:
            return _unparsed(f"cannot read what follows 'is repealed': {rest[:80]!r}")
        return [Parsed(Action.REPEAL, targets=tuple(targets))]
    if verb in ("stricken", "struck"):
        if rest:
            return _unparsed(f"cannot read what follows 'is stricken': {rest[:80]!r}")
        return [Parsed(Action.STRIKE, targets=tuple(targets), whole=True)]
    if verb == "redesignated":
        return _redesignate(targets, rest)
    if verb == "designated":
        des = re.fullmatch(rf"(?:as )?(?:(?P<unit>{UNIT}) )?(?P<d>{CHAIN}|{BARE})", rest)
        if not des:
            return _unparsed(f"cannot read the designation {rest!r}")
        return [Parsed(Action.DESIGNATE, targets=tuple(targets), designations=(des.group("d"),),
                       unit=des.group("unit"))]
    return _unparsed(f"the verb {verb!r} is not read")


def _looks_like_target(words: str) -> bool:
    return bool(re.match(rf"^(?:the )?(?:{UNIT}|lead-in|existing|newly)\b", words.strip(),
                         re.IGNORECASE))


def _merge(context: list[Target], located: list[Target], lines: tuple[int, int] | None
           ) -> list[Target]:
    return _merge_targets(context + located, [], lines)


def _merge_targets(before: list[Target], targets: list[Target], lines: tuple[int, int] | None
                   ) -> list[Target]:
    """Locators said before the verb (``moves to amend the bill``, ``in section 3``) and the
    target named as subject combine: the subject narrows them; line numbers go on the last."""
    chain = [t for t in before if t.scope_only]
    narrowing = [t for t in before if not t.scope_only]
    combined = list(targets) or narrowing
    if targets and narrowing:
        base = narrowing[-1]
        combined = [Target(words=t.words, code=base.code, section=base.section,
                           chapter=base.chapter, path=base.path + t.path,
                           relative=base.relative, part=t.part, unit=t.unit, through=t.through)
                    if t.relative else t for t in targets]
    if lines is not None:
        if not combined:
            combined = [Target(words=f"lines {lines[0]}-{lines[1]}", relative=True)]
        combined = [Target(words=t.words, code=t.code, section=t.section, chapter=t.chapter,
                           path=t.path, relative=t.relative, part=t.part, lines=lines,
                           unit=t.unit, scope_only=False) for t in combined]
    return chain + combined


def _added(subject: str, rest: str, quotes: list[str], new_tail: str | None) -> list[Parsed]:
    """``A new paragraph (7) is added to read as follows:`` / ``New sections 3a and 3b are
    added ...``: the subject names what is added; the target is the lead-ins' provision."""
    m = re.fullmatch(rf"(?:(?:a|an) )?new (?P<unit>{UNIT}) (?P<desigs>.+)", subject.strip(),
                     re.IGNORECASE)
    if not m:
        return _unparsed(f"cannot read what is added: {subject[:80]!r}")
    at_end = None
    rest_words = rest.strip()
    pos = re.match(r"^at the (end|beginning)(?: thereof)?\s*", rest_words)
    if pos:
        at_end = pos.group(1)
        rest_words = rest_words[pos.end():]
    if not re.fullmatch(r"(?:to reads?|which reads?|that reads?) as follows?:?|as follows:?|",
                        rest_words):
        return _unparsed(f"cannot read what follows 'is added': {rest[:80]!r}")
    unit = m.group("unit").lower()
    try:
        desigs, through = _designations(m.group("desigs"), unit)
    except TargetError as err:
        return _unparsed(str(err))
    if through:
        return _unparsed("a range of new provisions ('(3) through (5)') is not read")
    return [Parsed(Action.ADD, designations=tuple(desigs), unit=unit, wants_content=True,
                   new=new_tail, position="end" if at_end == "end" else None)]


def _redesignate(targets: list[Target], rest: str) -> list[Parsed]:
    m = re.fullmatch(rf"(?:as )?(?:(?P<unit>{UNIT}) )?(?P<desigs>.+?)(?:,? respectively)?",
                     rest.strip())
    if not m:
        return _unparsed(f"cannot read the new designations {rest!r}")
    try:
        desigs, through = _designations(m.group("desigs"), m.group("unit") or "paragraph")
    except TargetError as err:
        return _unparsed(str(err))
    if through:
        desigs = [desigs[0], through]
    return [Parsed(Action.REDESIGNATE, targets=tuple(targets), designations=tuple(desigs),
                   designations_through=through is not None, unit=m.group("unit"))]


def _imperative(skel: str, quotes: list[str], new_tail: str | None, context: list[Target]
                ) -> list[Parsed]:
    """``Strike the phrase "X" and insert ...``, ``Add a new paragraph (2) ...``,
    ``Designate the existing text as paragraph (1).``: the target is the lead-ins'."""
    words = skel
    m = re.match(r"^(?:Designate|designate) (?P<what>.+?) as (?:(?P<unit>" + UNIT +
                 r") )?(?P<d>" + CHAIN + r")$", words)
    if m:
        try:
            targets = parse_target(m.group("what"), quotes)
        except TargetError as err:
            return _unparsed(str(err))
        return [Parsed(Action.DESIGNATE, targets=tuple(_merge_targets(context, targets, None)),
                       designations=(m.group("d"),), unit=m.group("unit"))]
    m = re.match(r"^(?:Redesignate|redesignate) (?P<what>.+?) as (?P<rest>.+)$", words)
    if m:
        try:
            targets = parse_target(m.group("what"), quotes)
        except TargetError as err:
            return _unparsed(str(err))
        return _redesignate(_merge_targets(context, targets, None), m.group("rest"))
    verb = words.split(" ", 1)[0].lower()
    gerund = {"strike": "striking", "insert": "inserting", "add": "adding"}.get(verb)
    if gerund is None:
        return _unparsed(f"the imperative {verb!r} is not read")
    body = gerund + words[len(verb):]
    body = re.sub(r"\band (insert|add|substitute)\b", lambda x: "and " + {
        "insert": "inserting", "add": "adding", "substitute": "substituting"}[x.group(1)], body)
    return _clauses(body, quotes, new_tail, context)


def _split_clauses(words: str) -> list[str]:
    """``striking ... in its place, and by adding ...`` -> the clauses."""
    parts = _BY_SPLIT.split(words)
    return [p.strip().strip(",") for p in parts if p.strip()]


def _clauses(words: str, quotes: list[str], new_tail: str | None, targets: list[Target]
             ) -> list[Parsed]:
    clauses = _split_clauses(words)
    if not clauses:
        return [Parsed(Action.UNPARSED, targets=tuple(targets),
                       reason="'by' with no instruction after it")]
    out: list[Parsed] = []
    for i, clause in enumerate(clauses):
        last = i == len(clauses) - 1
        out.extend(_clause(clause, quotes, new_tail if last else None, targets))
    if any(p.action is Action.UNPARSED for p in out):
        reasons = "; ".join(p.reason or "" for p in out if p.action is Action.UNPARSED)
        return [Parsed(Action.UNPARSED, targets=tuple(targets), reason=reasons)]
    return out


def _target_of_words(words: str, quotes: list[str]) -> Target:
    found = parse_target(words, quotes)
    if len(found) != 1:
        raise TargetError(f"{words!r} names {len(found)} provisions, not one")
    return found[0]


_INNER_LOCATOR = re.compile(rf",?\s*\bin (?P<unit>{UNIT}) (?P<d>{CHAIN}),?(?=\s)",
                            re.IGNORECASE)


def _clause(clause: str, quotes: list[str], new_tail: str | None, targets: list[Target]
            ) -> list[Parsed]:
    """One ``by ...`` clause."""
    c = clause.strip()
    # "by striking out, in subsection (a), the words ...": the locator narrows the target
    inner = _INNER_LOCATOR.search(c)
    if inner and inner.start() > 0:
        c = (c[:inner.start()] + " " + c[inner.end():]).strip()
        c = " ".join(c.split())
        narrower = Target(words=inner.group(0).strip(" ,"), relative=True,
                          path=split_chain(inner.group("d")), unit=inner.group("unit").lower())
        targets = _merge_targets(targets, [narrower], None)
    tt = tuple(targets)
    m = _STRIKE_LINES.fullmatch(c)
    if m:
        first, last = int(m.group("l1")), int(m.group("l2") or m.group("l1"))
        if last < first:
            return _unparsed(f"lines {first}-{last} run backwards")
        lined = tuple(_with_lines(t, (first, last)) for t in (tt or (Target(
            words=f"lines {first}-{last}", relative=True),)))
        if "following" in c:
            if new_tail is None:
                return [Parsed(Action.REPLACE, targets=lined, wants_content=True)]
            return [Parsed(Action.STRIKE_INSERT, targets=lined, new=new_tail)]
        return [Parsed(Action.STRIKE, targets=lined)]
    m = _STRIKE_INSERT.fullmatch(c)
    if m and m.group("nq") is not None or m and m.group("np") is not None:
        assert m is not None
        old, at_end = _operand("o", quotes, m, "o")
        new, _ = _operand("n", quotes, m, "n")
        count = _count_rule(m.group("c1") or m.group("c2"))
        if at_end or _QUOTE_AT_END.search(c):
            count = CountRule("last")
        return [Parsed(Action.STRIKE_INSERT, targets=tt, old=old, new=new, count=count,
                       old_is_mark=m.group("op") is not None)]
    m = _STRIKE_FOLLOWING.fullmatch(c)
    if m:
        old, at_end = _operand("o", quotes, m, "o")
        if new_tail is None:
            return _unparsed("'the following' with no words after ':-'")
        count = CountRule("last") if at_end else _count_rule(m.group("c1"))
        return [Parsed(Action.STRIKE_INSERT, targets=tt, old=old, new=new_tail, count=count,
                       old_is_mark=m.group("op") is not None)]
    m = _STRIKE.fullmatch(c)
    if m:
        old, at_end = _operand("o", quotes, m, "o")
        count = CountRule("last") if at_end or m.group("oend2") else _count_rule(m.group("c1"))
        return [Parsed(Action.STRIKE, targets=tt, old=old, count=count,
                       old_is_mark=m.group("op") is not None)]
    m = _INSERT_ANCHOR.fullmatch(c)
    if m:
        new, _ = _operand("n", quotes, m, "n")
        anchor, at_end = _operand("a", quotes, m, "a")
        count = CountRule("last") if at_end else _count_rule(m.group("c1"))
        return [Parsed(Action.INSERT, targets=tt, old=anchor, new=new,
                       position="before" if "before" in m.group("pos") else "after",
                       count=count, old_is_mark=m.group("ap") is not None)]
    m = _INSERT_ANCHOR_FOLLOWING.fullmatch(c)
    if m:
        anchor, at_end = _operand("a", quotes, m, "a")
        if new_tail is None:
            return _unparsed("'the following' with no words after ':-'")
        count = CountRule("last") if at_end else _count_rule(m.group("c1"))
        return [Parsed(Action.INSERT, targets=tt, old=anchor, new=new_tail,
                       position="before" if "before" in m.group("pos") else "after",
                       count=count, old_is_mark=m.group("ap") is not None)]
    m = _ADD_AT.fullmatch(c)
    if m:
        new, _ = _operand("n", quotes, m, "n")
        return [Parsed(Action.INSERT, targets=tt, new=new,
                       position="end" if m.group("pos") == "end" else "beginning")]
    m = _ADD_SENTENCE.fullmatch(c)
    if m:
        return [Parsed(Action.INSERT, targets=tt, new=quotes[int(m.group("q"))],
                       position="end" if m.group("pos") == "end" else "beginning")]
    m = _ADD_PROVISION_AT.fullmatch(c)
    if m:
        try:
            anchor_target = _target_of_words(m.group("anchor"), quotes)
        except TargetError as err:
            return _unparsed(str(err))
        return [Parsed(Action.ADD, targets=tt, position="before" if m.group("pos") == "before"
                       else "after", anchor_target=anchor_target, wants_content=True,
                       new=new_tail, unit=m.group("funit"))]
    m = _ADD_AT_FOLLOWING.fullmatch(c)
    if m:
        unit = (m.group("funit") or "").lower()
        pos = m.group("pos") or m.group("pos2")
        if re.fullmatch(_WORDISH, unit) or unit == "text":
            if new_tail is None:
                return _unparsed("'the following' with no words after ':-'")
            return [Parsed(Action.INSERT, targets=tt, new=new_tail,
                           position="beginning" if pos == "beginning" else "end")]
        return [Parsed(Action.ADD, targets=tt, wants_content=True, new=new_tail,
                       unit=unit or None, position="end")]
    m = _ADD_NEW.fullmatch(c)
    if m:
        unit = m.group("unit").lower()
        try:
            desigs, through = _designations(m.group("desigs"), unit)
        except TargetError as err:
            return _unparsed(str(err))
        if through:
            return _unparsed("a range of new provisions ('(3) through (5)') is not read")
        return [Parsed(Action.ADD, targets=tt, designations=tuple(desigs), unit=unit,
                       wants_content=True, new=new_tail)]
    m = _STRIKE_PROVISION.fullmatch(c)
    if m:
        try:
            provs = parse_target(m.group("prov"), quotes)
        except TargetError as err:
            return _unparsed(str(err))
        merged = tuple(_merge_targets(list(targets), provs, None))
        if "following" in c:
            return [Parsed(Action.REPLACE, targets=merged, wants_content=True, new=new_tail)]
        return [Parsed(Action.STRIKE, targets=merged, whole=True)]
    return _unparsed(f"the phrasing {c[:100]!r} is not one billdiff reads")


def _with_lines(t: Target, lines: tuple[int, int]) -> Target:
    return Target(words=t.words, code=t.code, section=t.section, chapter=t.chapter,
                  path=t.path, relative=t.relative, part=t.part, lines=lines, unit=t.unit,
                  scope_only=False)


# --------------------------------------------------------------------------------------------
# Documents


def _last_segment(section_id: str) -> str:
    return section_id.rsplit("__", 1)[-1]


def is_quote(section: Section) -> bool:
    """Is *section* a quotation block made by the D.C. law importer (``__quote_N``)?"""
    return bool(_QUOTE_ID.fullmatch(_last_segment(section.id)))


def _is_aside(section: Section) -> bool:
    last = _last_segment(section.id)
    return bool(_CLOSING_ID.fullmatch(last))


def _opens_bill_section(section: Section) -> bool:
    return bool(section.number and re.fullmatch(r"SECTION \d+[A-Za-z]*", section.number))


def _words_of(section: Section) -> str:
    """The instruction a section holds: its text, or (a law's markup slip) a heading that is
    itself an amending sentence; ``""`` when it holds none."""
    if section.text.strip():
        return section.text if is_instruction(section.text) else ""
    heading = section.heading or ""
    if len(heading) > 40 and is_instruction(heading):
        return heading
    return ""


@dataclass
class _Walker:
    amendment: Document
    out: list[Instruction] = field(default_factory=list)

    def walk(self, sections: tuple[Section, ...], context: tuple[Target, ...],
             scope: tuple[str, ...]) -> None:
        skip_until = -1
        for i, section in enumerate(sections):
            if i <= skip_until or is_quote(section) or _is_aside(section):
                continue
            words = _words_of(section)
            if not words:
                self.walk(section.children, context, scope)
                continue
            parsed = parse_instruction(words)
            run_on = _run_on(section, words) if parsed[0].action is Action.UNPARSED else None
            if run_on is not None:
                sentence, provisions = run_on
                again = parse_instruction(sentence)
                if len(again) == 1 and again[0].action in (Action.STRIKE_INSERT,
                                                            Action.INSERT) and again[0].new:
                    self.out.append(self._make(section, again[0], context, scope, 0,
                                               provisions, text=sentence))
                    continue
            if parsed[0].action is Action.UNPARSED:
                instruction = self._make(section, parsed[0], context, scope, 0)
                self.out.append(instruction)
                # what it names still scopes the paragraphs under it, which are never applied
                # without it: the marker stops them
                marker = Target(words=" ".join(section.text.split())[:200], scope_only=True,
                                unresolved="the lead-in above it is not understood")
                self.walk(section.children, context + parsed[0].targets + (marker,),
                          scope + (instruction.id,))
                continue
            lead = [p for p in parsed if p.action is Action.SCOPE]
            if lead:
                instruction = self._make(section, lead[0], context, scope, 0)
                self.out.append(instruction)
                self.walk(section.children, context + lead[0].targets,
                          scope + (instruction.id,))
                continue
            content: tuple[Section, ...] = ()
            if any(p.wants_content for p in parsed):
                content, used = self._content(section, sections, i)
                skip_until = used
                lead_in = [c for c in section.children if _words_of(c)]
                if not content and lead_in and len(parsed) == 1 and not parsed[0].new:
                    # "... is amended to read as follows:" followed by instructions, not by
                    # quoted text: a lead-in in all but name (a drafting slip); said so
                    p0 = parsed[0]
                    as_scope = Parsed(Action.SCOPE, targets=p0.targets,
                                      reason="read as a lead-in: what follows it are "
                                      "instructions, not quoted text")
                    instruction = self._make(section, as_scope, context, scope, 0)
                    self.out.append(instruction)
                    self.walk(section.children, context + p0.targets, scope + (instruction.id,))
                    skip_until = i
                    continue
            for k, p in enumerate(parsed):
                self.out.append(self._make(section, p, context, scope, k,
                                           content if p.wants_content else ()))
            # an instruction's children that are instructions themselves are read too
            if not content or not any(c in content for c in section.children):
                self.walk(tuple(c for c in section.children if c not in content), context,
                          scope)

    def _content(self, section: Section, siblings: tuple[Section, ...], index: int
                 ) -> tuple[tuple[Section, ...], int]:
        """The quoted provisions an instruction inserts, and the last sibling they use."""
        quotes = [c for c in section.children if is_quote(c)]
        if quotes:
            out: list[Section] = []
            for q in quotes:
                out.extend(q.children)
                if q.text.strip() and not q.children:
                    out.append(q.model_copy(update={"heading": None}))
            return tuple(out), index
        kids = tuple(c for c in section.children
                     if not _is_aside(c) and not is_instruction(c.text))
        if kids:
            return kids, index
        following: list[Section] = []
        last = index
        if not re.search(r":\s?[-–—]\s*$", section.text.strip()):
            return (), index  # only Massachusetts' colon-dash runs on into the next sections
        for j in range(index + 1, len(siblings)):
            nxt = siblings[j]
            if _opens_bill_section(nxt) or _words_of(nxt):
                break
            following.append(nxt)
            last = j
        return tuple(following), last

    def _make(self, section: Section, p: Parsed, context: tuple[Target, ...],
              scope: tuple[str, ...], k: int, content: tuple[Section, ...] = (),
              text: str | None = None) -> Instruction:
        ident = f"{self.amendment.id}:{section.id}" + (f"#{k + 1}" if k else "")
        return Instruction(
            id=ident, amendment=self.amendment.id, section_id=section.id,
            number=section.number, text=text or _words_of(section) or section.text,
            action=p.action,
            targets=p.targets,
            context=context, scope=scope, old=p.old, new=p.new, position=p.position,
            anchor_target=p.anchor_target, count=p.count, content=content,
            designations=p.designations, designations_through=p.designations_through,
            unit=p.unit, reason=p.reason, lines=section.lines, whole=p.whole,
            old_is_mark=p.old_is_mark)


def _run_on(section: Section, words: str) -> tuple[str, tuple[Section, ...]] | None:
    """An inserted phrase whose quotation runs on into quoted provisions: ``... inserting the
    phrase "government; provided further, that ... procurements that:`` then the quoted
    subparagraphs, the last of them ending ``... identified." in its place.`` (or the closing
    ``" in its place.`` after them).  Returns the sentence with its quotation closed where the
    words end, and the quoted provisions (which follow the inserted words as subdivisions),
    the closing words taken off the last one; None for anything else."""
    quotes = [c for c in section.children if is_quote(c)]
    if len(quotes) != 1 or not quotes[0].children or quotes[0].text.strip():
        return None
    closing = [c for c in section.children if re.fullmatch(r"aftertext_\d+",
                                                             _last_segment(c.id))]
    provisions = quotes[0].children
    tail = closing[0].text.strip() if len(closing) == 1 else ""
    if tail[:1] not in ('"', "”"):
        # the closing mark ends the last quoted provision's text
        path: list[Section] = [provisions[-1]]
        while path[-1].children:
            path.append(path[-1].children[-1])
        m = re.fullmatch(r"(?s)(.*?)[\"”]\s*(in (?:its|their) place\.?)", path[-1].text.strip())
        if m is None or not m.group(1).strip():
            return None
        tail = f'" {m.group(2)}'
        fixed = path[-1].model_copy(update={"text": m.group(1).rstrip()})
        for parent in reversed(path[:-1]):
            fixed = parent.model_copy(update={"children": (*parent.children[:-1], fixed)})
        provisions = (*provisions[:-1], fixed)
    sentence = f"{words.rstrip()}{tail}"
    try:
        quoted_spans(_normalize(sentence))
    except QuoteError:
        return None
    return sentence, tuple(provisions)


def read_instructions(amendment: Document) -> tuple[Instruction, ...]:
    """Every amending instruction of *amendment*, in document order, with its lead-ins'
    targets as context and its quoted text as content.

    Sections that do not read as instructions (a law's effective-date section, a bill's title)
    are passed over; their children are still read.  Lead-ins are returned too (action
    ``scope``) so a report can name them.
    """
    walker = _Walker(amendment)
    walker.walk(amendment.sections, (), ())
    return tuple(walker.out)
