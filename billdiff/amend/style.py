"""Codification style: the references a D.C. law marks up, printed as the D.C. Code prints them.

A D.C. law inserts text in its own words: "as provided in section 5 of the District of Columbia
Public Emergency Act of 1980, effective March 5, 1981 (D.C. Law 3-149; D.C. Official Code
§ 7-2304)", "the requirements of this act", "under Title I of the District of Columbia
Administrative Procedure Act, approved October 21, 1968 (82 Stat. 1204; D.C. Official Code
§ 2-501 et seq.)".  The D.C. Code prints the same text with the Code's references: "as provided in
§ 7-2304", "the requirements of this chapter", "under subchapter I of Chapter 5 of Title 2".
The law itself says which Code provision each reference means: its published XML marks the
words with ``<code-cite doc="D.C. Code" path="...">`` (or ``<cite>``), part of the law's own
markup in the dc-library namespace (not the codifiers' ``codify:*`` edit instructions, which
billdiff never reads; see :mod:`billdiff.importers.dc_law`).  This module is the step that
prints them: a function from the law's words and the path their markup gives to the Code's
wording (:func:`printed`), applied by :func:`billdiff.amend.amend_document` to inserted and
replacement text when the target is the D.C. Code and the law's markup is given.

**It never invents text.**  Every word it prints comes from the path (a section number, the
numbers of a title, chapter, subchapter, part) or from the law's XML (its effective date), and
each rule is one of the Code's printing conventions:

- a section: ``§ 7-2304``, ``§ 38-504(b)``; the whole marked reference is replaced, Act name,
  effective date and parenthetical citation included (the Code cites by its own number only),
  with the closing parenthesis the markup left just outside it; each marked section of a list
  is ``§ X``, but after the law's own ``sections`` outside the marks, ``§§ 38-504 and 38-505``
  (``Sections 38-504 and 38-505`` opening a sentence);
- a container that holds the provision the text goes into: ``this chapter``, ``this
  subchapter``, ``this part``;
- one that does not: named from the nearest container that holds it, ``part E of this
  subchapter``, ``Chapter 13 of this title``, or in full, ``subchapter I of Chapter 5 of Title
  2`` (``Title`` and ``Chapter`` capitalised, ``subchapter``, ``part`` and ``subpart`` not);
- "the effective date of <this law>" (its short title, with its "passed on 2nd reading ...
  (Enrolled version of Bill N)" citation if given) is that date, ``March 10, 2023``, when the
  law's XML carries it; so is "the effective date of this section" in a section the law adds.

The words an instruction quotes (``inserting the phrase "..."``) carry no markup in the law's
English (law-xml puts it only in the codifiers' copy of them), so there a full citation is read
from its own parenthetical ("section 5 of the ... Act ... (D.C. Law 3-149; D.C. Official Code
§ 7-2304)" is ``§ 7-2304``), and words naming an Act that the law marks elsewhere, always with
the same path, are read as it marks them (:func:`law_index`).  In quoted provisions, which carry
the law's markup, what it leaves unmarked stays.

Which containers hold the provision is known only from what the law says: a reference worded
"this act" (``this title``, ``this subtitle`` ...) in the text inserted names the container the
text is in (the drafting convention), and so does a reference naming the same Act as the
instruction's own citation; the section's number says which title it is in and which chapter it
is not in (a D.C. Code section number is its title, a hyphen, then its chapter's number followed
by two digits: § 38-502 is in chapter 5 of title 38).  A level is named from its number's form
(a chapter ``16B``, a subchapter ``IV`` or ``XII-A``, a part ``E``, a subpart ``1``).  When any
of this is not known the law's words are kept and nothing is printed in their place: the
result then shows the law's wording, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from billdiff.importers.dc_law import CodeCite, LawMarkup

#: How the Code prints each level's name before its number.
_LABEL = {"title": "Title", "subtitle": "subtitle", "chapter": "Chapter",
          "subchapter": "subchapter", "part": "part", "subpart": "subpart"}
_CHAPTER = re.compile(r"\d+[A-Z]{0,2}")
_SUBCHAPTER = re.compile(r"[IVXLC]+(?:-[A-Z])?")
_PART = re.compile(r"[A-Z]{1,2}(?:-[ivx]+)?")
_SUBPART = re.compile(r"\d+[A-Z]?")
#: The law's words for a container it is part of: "this act", "this title", "this Part" ...
_THIS = re.compile(r"^(?P<this>[Tt]his )?(?P<unit>[Aa]ct|[Tt]itle|[Ss]ubtitle|[Cc]hapter|"
                   r"[Ss]ubchapter|[Pp]art|[Ss]ubpart|[Aa]rticle|[Dd]ivision)$")
#: The law's words for a section: "section 5", "section 5(b) of the ... Act ...", "sections 5a".
_SECTION_WORDS = re.compile(
    r"^(?P<word>[Ss]ections?) (?P<num>\d+[A-Za-z]*(?:-\d+)?)(?P<chain>(?:\([A-Za-z0-9.\-]+\))*)"
    r"(?P<more>(?:,? (?:and|or|through) \([A-Za-z0-9.\-]+\))*)(?=$|[ ,;.])")
#: What may follow a section's number in one marked reference: nothing, or the Act it is of
#: and its citation ("section 5(b) of the ... Act ...", "section 5 (D.C. Law ...)").  Anything
#: else ("sections 1283 through 1295a": the end of a range) is not part of one section.
_REST_OF_SECTION = re.compile(r"^(?:$|,? of |,? \(|[,;.]?$)")
#: A bare number of an Act's section in a list ("section 1, 2, 11a, or 11c"): "2", "11a".
_BARE_NUMBER = re.compile(r"^\d+[A-Za-z]*(?:\([A-Za-z0-9.\-]+\))*$")
#: The law citing the Code itself: "D.C. Official Code § 47-2844(a-2)(1B)".
_CODE_WORDS = re.compile(r"^D\.\s?C\. Official Code,? §\s?\d")
#: Between two sections of one list.
_LIST_JOIN = re.compile(r"^(?:, (?:and |or )?| (?:and|or|through) )$")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


@dataclass(frozen=True)
class Place:
    """Where inserted text goes, as far as the law and the target document say.

    ``section``: the D.C. Code number of the section the text goes into (``38-502``), or None
    for a new section of an Act (its Code number is the codifiers' to give); ``title``: its
    D.C. Code title; ``inside``: container paths (``("38", "5")``) known to hold it.
    """

    section: str | None = None
    title: str | None = None
    inside: frozenset[tuple[str, ...]] = frozenset()

    def holds(self, path: tuple[str, ...]) -> bool | None:
        """True when the container *path* is known to hold the place, False when it is known
        not to, None when that is not known."""
        if not path:
            return True
        if self.title is not None and path[0] != self.title:
            return False
        if len(path) == 1:
            return True if self.title is not None else None
        if any(q[:len(path)] == path for q in self.inside):
            return True
        digits = chapter_digits(self.section) if self.section else None
        if digits is not None and re.sub(r"\D", "", path[1]) != digits:
            return False
        for q in self.inside:
            # containers of one level do not overlap: being in a sibling rules this one out
            for j in range(1, min(len(q), len(path))):
                if q[:j] == path[:j] and q[j] != path[j]:
                    return False
        return None

    def knowing(self, paths: Sequence[tuple[str, ...]]) -> Place:
        """This place, known also to lie in *paths* (those its number contradicts are left
        out: the law's "this act" in a section codified in another title is not its title)."""
        kept = {p for p in paths if self.holds(p) is not False}
        if not kept:
            return self
        return Place(self.section, self.title, self.inside | frozenset(kept))


@dataclass(frozen=True)
class Change:
    """One reference printed in the Code's style: the law's ``words``, what is ``printed``,
    and the ``rule`` (``section``, ``container``, ``date``)."""

    words: str
    printed: str
    rule: str


@dataclass(frozen=True)
class Rendered:
    """Text in the Code's style and the changes made to the law's words."""

    text: str
    changes: tuple[Change, ...] = field(default=())


def chapter_digits(section: str) -> str | None:
    """The digits of the chapter a D.C. Code section number is in: ``38-502.01`` -> ``5``,
    ``7-1671.03`` -> ``16`` (chapters ``16``, ``16A`` and ``16B`` share them); None for a
    number not of that form (``28:9-102``, an Act's ``3a``)."""
    m = re.fullmatch(r"\d+[A-Z]?-(\d{3,})(?:\.\d+[a-z]*)?[a-z]*", section)
    return m.group(1)[:-2] if m else None


def title_of(section: str) -> str | None:
    """The title of a D.C. Code section number: ``38-502`` -> ``38``; None otherwise."""
    m = re.fullmatch(r"(\d+[A-Z]?)[-:][0-9A-Za-z.:\-]+", section)
    return m.group(1) if m else None


def levels(path: tuple[str, ...]) -> list[str] | None:
    """The level names of a container path (``("47", "28", "IV", "E")`` -> title, chapter,
    subchapter, part), read from each number's form under its parent; None when a number is
    not of a form the Code's titles, chapters, subchapters, parts and subparts have (a title's
    subtitles, the Uniform Commercial Code's articles): such a path is not printed."""
    out = ["title"]
    if not re.fullmatch(r"\d+[A-Z]?", path[0]):
        return None
    for number in path[1:]:
        parent = out[-1]
        if parent == "title" and _CHAPTER.fullmatch(number):
            out.append("chapter")
        elif parent == "chapter" and _SUBCHAPTER.fullmatch(number):
            out.append("subchapter")
        elif parent in ("chapter", "subchapter") and _PART.fullmatch(number):
            out.append("part")
        elif parent == "part" and _SUBPART.fullmatch(number):
            out.append("subpart")
        else:
            return None
    return out


def container_path(path: str) -> tuple[str, ...] | None:
    """``"47|28|IV|E"`` -> ``("47", "28", "IV", "E")``; None for a section path (``§...``)."""
    if not path or path.startswith("§"):
        return None
    parts = tuple(p.strip() for p in path.split("|"))
    return parts if all(parts) else None


def section_citation(path: str) -> str | None:
    """``"§38-504|(b)|(2)"`` -> ``"38-504(b)(2)"``; None unless a section path."""
    if not path.startswith("§"):
        return None
    parts = [p.strip() for p in path[1:].split("|")]
    if not parts[0] or not re.fullmatch(r"\d+[A-Z]?[-:][0-9A-Za-z.:\-]+", parts[0]):
        return None
    if not all(re.fullmatch(r"\([A-Za-z0-9.\-]+\)", p) for p in parts[1:]):
        return None
    return "".join(parts)


def print_container(path: tuple[str, ...], place: Place) -> str | None:
    """How the Code refers to the container *path* from *place* (see the module docstring):
    ``this chapter``, ``part E of this subchapter``, ``subchapter I of Chapter 5 of Title 2``;
    None when it cannot be told."""
    names = levels(path)
    if names is None:
        return None
    if place.holds(path) is True:
        return f"this {names[-1]}"
    # the nearest container that holds the place, the one below it known not to
    for j in range(len(path) - 1, 0, -1):
        if place.holds(path[:j]) is True:
            if place.holds(path[:j + 1]) is not False:
                return None
            chain = [f"{_LABEL[names[i]]} {path[i]}" for i in range(len(path) - 1, j - 1, -1)]
            return " of ".join([*chain, f"this {names[j - 1]}"])
    if place.holds(path[:1]) is False:
        return " of ".join(f"{_LABEL[names[i]]} {path[i]}" for i in range(len(path) - 1, -1, -1))
    return None


def _act_name(words: str) -> str | None:
    """The name a reference gives an Act or a part of one: the words before its date or
    citation (``Title VI of the Department of Transportation Establishment Act of 2002``)."""
    m = re.match(r"^(?:the )?(.+?)(?:,? (?:effective|approved|passed|enacted)\b| \(|$)", words)
    name = m.group(1).strip() if m else ""
    return name if re.search(r"\bAct\b", name) and len(name) > 8 else None


def inside_from(refs: Sequence[CodeCite], text: str, context: Sequence[str]) -> list[tuple[str,
                                                                                           ...]]:
    """Containers the law says hold the text's place: those of its references worded "this
    act" (``this title`` ...), and those of references naming the Act (or the title of an Act)
    that the instruction's own citation (*context*: the words of its lead-ins and target)
    names."""
    out: list[tuple[str, ...]] = []
    said = " ".join(context).lower()
    for ref in refs:
        path = container_path(ref.path or "")
        if path is None or ref.doc not in (None, "D.C. Code"):
            continue
        if _is_this(ref, text):
            out.append(path)
            continue
        name = _act_name(ref.words)
        if name is not None and re.search(
                rf"(?:^|\b(?:of|to|in) )(?:the )?{re.escape(name.lower())}\b", said):
            out.append(path)
    return out


def _is_this(ref: CodeCite, text: str) -> bool:
    m = _THIS.match(ref.words)
    if not m:
        return False
    return bool(m.group("this")) or text[:ref.start].endswith(("this ", "This "))


def printed(ref: CodeCite, text: str, place: Place) -> tuple[str, str] | None:
    """The Code's wording for one reference (its words are ``text[ref.start:ref.end]``) and the
    rule used (``section`` or ``container``); None to keep the law's words."""
    if ref.doc not in (None, "D.C. Code") or not ref.path or not ref.words.strip():
        return None
    words = ref.words
    cite = section_citation(ref.path)
    if cite is not None:
        m = _SECTION_WORDS.match(words)
        if m and _REST_OF_SECTION.match(words[m.end():]):
            return f"§ {cite}{m.group('more')}", "section"
        if m:
            return None  # "sections 1283 through 1295a" marked with one path: not one section
        if _BARE_NUMBER.match(words) or _CODE_WORDS.match(words):
            return f"§ {cite}", "section"
        return None
    path = container_path(ref.path)
    if path is None:
        return None
    this = _THIS.match(words)
    if this and not this.group("this"):
        if not text[:ref.start].endswith(("this ", "This ")):
            return None
        out = print_container(path, place)
        if out is None or not out.startswith("this "):
            return None
        return out.removeprefix("this "), "container"
    if this is None and not _names_container(words):
        return None
    out = print_container(path, place)
    if out is None:
        return None
    if words[:1].isupper() and words[:1] != words[:1].lower() and this is not None:
        out = out[:1].upper() + out[1:]
    return out, "container"


#: Words naming a container by its level and number: "Title I of the ... Act", "subtitle E of
#: this title", "Chapter 20 of Title 47 of the D.C. Official Code".
_CONTAINER_WORDS = re.compile(
    r"^(?:[Ss]ub-?)?(?:[Tt]itle|[Cc]hapter|[Pp]art|[Aa]rticle|[Dd]ivision) "
    r"[0-9A-Za-z][0-9A-Za-z\-]*(?:$| of )")


def _names_container(words: str) -> bool:
    """Words that name a whole Act or a container of one (not "the definitions in ...")."""
    if _CONTAINER_WORDS.match(words):
        return True
    return bool(re.match(r"^(?:the |The )?[A-Z]", words)) and _act_name(words) is not None


def _long_date(iso: str) -> str | None:
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return None
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


@lru_cache(maxsize=64)
def _effective_pattern(short_title: str, new_section: bool) -> re.Pattern[str]:
    """"the effective date of <the law's short title> [, passed on 2nd reading ...]" (and,
    in a section the law adds, "of this section")."""
    title = re.escape(short_title)
    this = r"|this section\b" if new_section else ""
    return re.compile(
        rf"\bthe effective date of (?:(?:the )?{title}(?:, passed on (?:2nd|second) reading on "
        r"[A-Z][a-z]+\.? \d{1,2}, \d{4} \(Enrolled version of Bill (?P<bill>\d+-\d+)\))?"
        rf"{this})")


def _effective_dates(text: str, law: LawMarkup, new_section: bool = False
                     ) -> list[tuple[int, int, str]]:
    """Spans of "the effective date of <this law>" (and, in a section the law adds, of "this
    section") and the date to print for each."""
    if not law.effective or not law.short_title:
        return []
    when = _long_date(law.effective)
    if when is None:
        return []
    if "effective date of" not in text:
        return []
    pattern = _effective_pattern(" ".join(law.short_title.split()), new_section)
    out = []
    for m in pattern.finditer(text):
        if m.group("bill") and law.bill and m.group("bill") != law.bill:
            continue  # another version of the law (its emergency or temporary act)
        out.append((m.start(), m.end(), when))
    return out


#: "the effective date of the COVID Vaccination Leave Emergency Amendment Act of 2021,
#: effective November 18, 2021 (D.C. Act 24-209; 68 DCR 12355)": another act's effective date,
#: which the law's own citation of it gives.
_CITED_EFFECTIVE = re.compile(
    r"\bthe effective date of (?:the )?[A-Z][^,();\"“”]{2,200}? Act of \d{4}, effective "
    r"(?P<date>(?:" + "|".join(_MONTHS) + r") \d{1,2}, \d{4}) "
    r"\(D\.\s?C\. (?:Law|Act) \d+-\d+(?:[;,] [^()]{1,60})?\)")


def _cited_effective_dates(text: str) -> list[tuple[int, int, str]]:
    """Spans of "the effective date of <an act>, effective <date> (<its citation>)" and the
    date: the Code prints the date the law's own citation gives."""
    return [(m.start(), m.end(), m.group("date")) for m in _CITED_EFFECTIVE.finditer(text)]


def render(text: str, refs: Sequence[CodeCite], place: Place, law: LawMarkup, *,
           new_section: bool = False,
           index: Mapping[str, tuple[str, str | None]] | None = None) -> Rendered:
    """*text* (a law's words, with its references *refs*) as the D.C. Code prints it at
    *place*; the law's words are kept wherever a rule does not apply (see the module
    docstring).  *new_section*: the text is part of a section the law adds (its "the effective
    date of this section" is the law's).  *index*: for words the law's XML gives no markup at
    all (the words an instruction quotes), the law's references by their words
    (:func:`law_index`); full citations in them are read from their own parenthetical too.
    Without it, unmarked words are the law's choice not to mark them, and stay."""
    spans: list[tuple[int, int, str, Change]] = []
    usable = [_closed(r, text) for r in refs if 0 <= r.start <= r.end <= len(text)
              and text[r.start:r.end] == r.words]
    usable = sorted(usable + _implied(text, usable, index or {}), key=lambda r: r.start)
    # the text's own "this act" says where it is (the caller may know more: see inside_from)
    place = place.knowing(inside_from(usable, text, ()))
    i = 0
    while i < len(usable):
        ref = usable[i]
        group = _section_list(usable, i, text)
        if len(group) > 1 or (group and _plural_before(text, ref)):
            out = _print_list(group, text)
            if out is not None:
                start, end, words = out
                spans.append((start, end, words, Change(text[start:end], words, "section")))
                i += len(group)
                continue
        result = printed(ref, text, place)
        if result is not None:
            start, words = _section_word_before(text, ref, result[0])
            spans.append((start, ref.end, words, Change(text[start:ref.end], words,
                                                         result[1])))
        i += 1
    taken = [(a, b) for a, b, _, _ in spans]
    for start, end, words in (full_citations(text) if index is not None else ()):
        if not any(a < end and start < b for a, b in taken):
            spans.append((start, end, words, Change(text[start:end], words, "citation")))
            taken.append((start, end))
    for start, end, when in (*_effective_dates(text, law, new_section),
                             *_cited_effective_dates(text)):
        if not any(a < end and start < b for a, b in taken):
            spans.append((start, end, when, Change(text[start:end], when, "date")))
            taken.append((start, end))
    if not spans:
        return Rendered(text)
    spans.sort(key=lambda s: s[0])
    pieces: list[str] = []
    last = 0
    for start, end, words, _ in spans:
        pieces.append(text[last:start])
        pieces.append(words)
        last = end
    pieces.append(text[last:])
    return Rendered("".join(pieces), tuple(c for *_, c in spans))


#: A section cited in full by the law's own words, with its Code citation in the parenthetical:
#: "section 5 of the District of Columbia Public Emergency Act of 1980, effective March 5, 1981
#: (D.C. Law 3-149; D.C. Official Code § 7-2304)", "section 5(b) (D.C. Official Code
#: § 7-2304(b))".  The Act's name holds no parenthesis; the citation is the last one.
_FULL_CITATION = re.compile(
    r"\b[Ss]ection \d+[A-Za-z]*(?:-\d+)?(?:\([A-Za-z0-9.\-]+\))*"
    r"(?: of (?:the |An |an )?[^();\"“”]{3,300}?)?"
    r" \((?:[^();]{1,80}[;,] )*D\.\s?C\. Official Code,? §\s?"
    r"(?P<cite>\d+[A-Z]?[-:][0-9A-Za-z.:\-]*[0-9A-Za-z](?:\([A-Za-z0-9.\-]+\))*)\)")


def full_citations(text: str) -> list[tuple[int, int, str]]:
    """Spans of sections the law's words cite in full (see ``_FULL_CITATION``) and the Code's
    wording for each, ``§ 7-2304``: the law's own parenthetical gives the Code citation, so no
    markup is needed (the words an instruction quotes carry none)."""
    return [(m.start(), m.end(), f"§ {m.group('cite')}") for m in _FULL_CITATION.finditer(text)]


#: A member of the law's list of sections with its Code citation in parentheses ("sections
#: 497, 498 (D.C. Official Code § 42-101), and 499"): the Code's list (``§§ 42-602, 42-101,
#: and 42-306``) prints the bare Code number.
_LIST_MEMBER = re.compile(
    r"(?<![Ss]ection )(?<![\w§.-])(?P<num>\d+[A-Za-z]*) \((?:[^();]{1,80}[;,] )*D\.\s?C\. "
    r"Official Code,? §\s?(?P<cite>\d+[A-Z]?[-:][0-9A-Za-z.:\-]*[0-9A-Za-z]"
    r"(?:\([A-Za-z0-9.\-]+\))*)\)")


def printed_old(words: str) -> str | None:
    """The words an instruction strikes (or inserts after), as the Code prints them, when
    they cite sections in full: "section 5 of the ... Act ... (D.C. Law 3-149; D.C. Official
    Code § 7-2304)" is ``§ 7-2304``; a list member "498 (D.C. Official Code § 42-101)" is
    ``42-101`` (the Code's ``§§`` list prints bare numbers).  None when they cite none: the
    law's words are then the only form to look for."""
    spans = [(a, b, w) for a, b, w in full_citations(words)]
    for m in _LIST_MEMBER.finditer(words):
        if not any(a < m.end() and m.start() < b for a, b, _ in spans):
            spans.append((m.start(), m.end(), m.group("cite")))
    if not spans:
        return None
    spans.sort()
    out, last = [], 0
    for a, b, w in spans:
        out.append(words[last:a])
        out.append(w)
        last = b
    out.append(words[last:])
    return "".join(out)


def _closed(ref: CodeCite, text: str) -> CodeCite:
    """A reference whose citation's closing parenthesis the law's markup left just outside it
    (``... D.C. Official Code § 2-501 et seq.</code-cite>)``): the parenthesis is its own."""
    if ref.words.count("(") > ref.words.count(")") and text[ref.end:ref.end + 1] == ")":
        return CodeCite(ref.element, ref.start, ref.end + 1, ref.words + ")", ref.path, ref.doc)
    return ref


def law_index(law: LawMarkup) -> dict[str, tuple[str, str | None]]:
    """The references a law marks that name an Act, by their words: words -> (path, doc).
    Words the law marks with two different paths are left out.  The same words unmarked
    elsewhere in the law (an instruction's quoted words carry no markup) mean the same."""
    out: dict[str, tuple[str, str | None]] = {}
    clash: set[str] = set()
    for table in (law.text, law.heading):
        for refs in table.values():
            for ref in refs:
                words = ref.words.strip()
                if not ref.path or len(words) < 20 or _act_name(
                        re.sub(r"^[Ss]ections? \S+ of ", "", words)) is None:
                    continue
                if out.get(words, (ref.path, ref.doc)) != (ref.path, ref.doc):
                    clash.add(words)
                out[words] = (ref.path, ref.doc)
    return {k: v for k, v in out.items() if k not in clash}


def _implied(text: str, refs: list[CodeCite], index: Mapping[str, tuple[str, str | None]]
             ) -> list[CodeCite]:
    """Unmarked words of *text* that the law marks elsewhere (see :func:`law_index`)."""
    out: list[CodeCite] = []
    for words, (path, doc) in index.items():
        if words not in text:
            continue
        for m in re.finditer(re.escape(words), text):
            a, b = m.start(), m.end()
            if a and text[a - 1].isalnum() or b < len(text) and text[b].isalnum():
                continue
            if any(r.start < b and a < r.end for r in (*refs, *out)):
                continue
            out.append(_closed(CodeCite("code-cite", a, b, words, path, doc), text))
    return out


def _section_word_before(text: str, ref: CodeCite, words: str) -> tuple[int, str]:
    """The law's ``section`` standing outside the mark before a marked number ("section
    <code-cite>26b</code-cite>") is part of the reference: the start moves back over it, and
    opening a sentence it stays a word (``Section 6-227``)."""
    if not words.startswith("§ ") or not _BARE_NUMBER.match(ref.words):
        return ref.start, words
    before = text[:ref.start]
    if before.endswith("section "):
        return ref.start - len("section "), words
    if before.endswith("Section "):
        return ref.start - len("Section "), "Section " + words[2:]
    return ref.start, words


def _section_list(refs: list[CodeCite], i: int, text: str) -> list[CodeCite]:
    """The run of section references starting at ``refs[i]`` joined by ``, `` / ``and`` /
    ``or`` / ``through`` (a list: "sections 5 and 6", "section 1, 2, 11a, or 11c")."""
    group: list[CodeCite] = []
    for ref in refs[i:]:
        if section_citation(ref.path or "") is None or ref.doc not in (None, "D.C. Code"):
            break
        if group and not _LIST_JOIN.match(text[group[-1].end:ref.start]):
            break
        if group and not _BARE_NUMBER.match(ref.words) and not _SECTION_WORDS.match(ref.words):
            break
        group.append(ref)
    return group


def _plural_before(text: str, ref: CodeCite) -> bool:
    """The law's "sections" stands before the list, outside its references (only the
    numbers are marked: "sections 5 and 6")."""
    return text[:ref.start].endswith(("sections ", "Sections "))


def _print_list(group: list[CodeCite], text: str) -> tuple[int, int, str] | None:
    """A list of sections: after the law's ``sections`` (outside the references) the Code
    prints ``§§ 38-504 and 38-505`` (``Sections 38-504 and 38-505`` opening a sentence, which
    never opens with a symbol); otherwise each is ``§ X``.  Returns the span replaced and its
    words; None when a member's words are not a section's."""
    first = group[0]
    plural = _plural_before(text, first)
    cites: list[str] = []
    for k, ref in enumerate(group):
        cite = section_citation(ref.path or "")
        words = ref.words
        if k == 0:
            words = re.sub(r"^[Ss]ections? ", "", words)
        if cite is None or not (_BARE_NUMBER.match(words) or (k == 0 and _SECTION_WORDS.match(
                ref.words))):
            return None
        m = _SECTION_WORDS.match(ref.words)
        more = m.group("more") if m else ""
        cites.append(cite + more)
    start = first.start - len("sections ") if plural else first.start
    pieces: list[str] = []
    for k, (ref, cite) in enumerate(zip(group, cites, strict=True)):
        if k:
            pieces.append(text[group[k - 1].end:ref.start])
        pieces.append(cite if plural else f"§ {cite}")
    if plural:
        lead = "Sections " if text[start:start + 1] == "S" else "§§ "
        return start, group[-1].end, lead + "".join(pieces)
    start, head = _section_word_before(text, first, pieces[0])
    return start, group[-1].end, head + "".join(pieces[1:])
