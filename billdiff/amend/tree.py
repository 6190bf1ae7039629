"""The working copy the applier edits: a mutable tree of the target document's sections.

A :class:`Node` holds what a :class:`~billdiff.model.Section` holds that an amendment can
change (its designation, heading, text, children, status), the section it came from (for every
other field), and what happened to it: which instructions changed it, the text before each
change (to tell a conflict from a plain miss), and the edits made to its text (to carry the
printed line numbers of a Massachusetts bill through earlier changes).

Display numbers are not stored: a node keeps its *designation*, the part of the number it adds
to its parent's (``(5)`` under ``7-741.03(a)``), and numbers are rebuilt from the chain when
the document is written out.  So a redesignation of ``(a)`` renumbers everything below it, while
every id stays as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from billdiff.amend.designations import same
from billdiff.model import Document, Section, TextStatus

_QUOTES = {"“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "‘": "'", "’": "'", "‚": "'",
           "‛": "'", "′": "'"}
_SPACES = "\u00a0\u2002\u2003\u2009\u202f\u2007\u2008\u200a"


@dataclass
class Edit:
    """One change to a node's text: at *pos*, *old_len* characters became *new_len*
    (positions in the text as it was just before this edit)."""

    pos: int
    old_len: int
    new_len: int
    instruction: str


@dataclass
class Mark:
    """A run of a node's current text that an instruction inserted."""

    start: int
    end: int
    instruction: str
    amendment: str


@dataclass(eq=False)  # compared by identity: nodes are places in one tree
class Node:
    """One provision of the working copy (see the module docstring)."""

    id: str
    #: What this node adds to its parent's number: ``(5)``, `` Article I``, `` "Term"``, or
    #: ``""`` (an undesignated paragraph); for a top-level node, its whole number.
    own: str
    #: Its number is its parent's number followed by ``own`` (else ``own`` alone).
    derived: bool
    heading: str | None
    text: str
    status: TextStatus
    source: Section | None = None
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    #: Instructions that changed this node, in order.
    changed_by: list[str] = field(default_factory=list)
    #: ``(instruction, text before it)`` for every change of ``text``.
    history: list[tuple[str, str]] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    #: Set when the node was struck out (it is not written out), or repealed, or replaced.
    removed_by: str | None = None
    repealed_by: str | None = None
    replaced_by: str | None = None
    #: The instruction that added this node (None: it was in the target).
    added_by: str | None = None
    #: Notes to add to the written section.
    notes: list[str] = field(default_factory=list)
    #: Whether the printed line positions of the source (MA bills) still hold.
    lines_valid: bool = True
    #: The section had no number (closing text after subdivisions): it is written out
    #: without one.
    unnumbered: bool = False

    # structure ----------------------------------------------------------------------------
    @property
    def designation(self) -> str:
        """The designation a reader uses for it: ``(5)``, ``220``, ``7-741.03``."""
        value = self.own.strip()
        return value.removeprefix("§").strip()

    @property
    def transparent(self) -> bool:
        """An undesignated wrapper (the Code's ``<num undesignated>``): looked through."""
        return self.derived and not self.own.strip() and self.parent is not None

    def live_children(self) -> list[Node]:
        """Children that have not been struck out."""
        return [c for c in self.children if c.removed_by is None]

    def number(self) -> str:
        """The display number, rebuilt from the chain of designations."""
        if not self.derived:
            return self.own
        base = self.parent.number() if self.parent is not None else ""
        return base + self.own

    def walk(self) -> list[Node]:
        """This node and its live descendants, in document order."""
        out: list[Node] = []
        stack = [self]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.live_children()))
        return out

    def ancestors(self) -> list[Node]:
        """Parents up to the root, nearest first."""
        out = []
        node = self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out

    def find_children(self, designation: str) -> list[Node]:
        """Live children (looking through undesignated wrappers) with this designation."""
        out: list[Node] = []
        for child in self.live_children():
            if child.transparent:
                out.extend(child.find_children(designation))
            elif matches_designation(child, designation):
                out.append(child)
        return out

    def find_descendants(self, designation: str) -> list[Node]:
        """Every live descendant with this designation (for a loose path)."""
        return [n for n in self.walk()[1:] if not n.transparent
                and matches_designation(n, designation)]

    # text ---------------------------------------------------------------------------------
    def set_text(self, text: str, instruction: str, edit: Edit | None = None) -> None:
        """Change the text, keeping the history and the edit log."""
        self.history.append((instruction, self.text))
        self.text = text
        if edit is not None:
            self.edits.append(edit)
        else:  # a whole new text: old positions no longer map
            self.edits.append(Edit(0, len(self.history[-1][1]), len(text), instruction))
        self.touch(instruction)

    def touch(self, instruction: str) -> None:
        """Record that *instruction* changed this node."""
        if instruction not in self.changed_by:
            self.changed_by.append(instruction)

    def map_offset(self, offset: int) -> tuple[int | None, str | None]:
        """Where an offset of the original text is now, or (None, the instruction whose edit
        swallowed it)."""
        x = offset
        for edit in self.edits:
            if x <= edit.pos:
                continue
            if x >= edit.pos + edit.old_len:
                x += edit.new_len - edit.old_len
                continue
            return None, edit.instruction
        return x, None


def matches_designation(node: Node, designation: str) -> bool:
    """Does *node* carry *designation* (``(5)``, ``220``, ``SECTION 3``, ``"Term"``)?"""
    want = designation.strip()
    have = node.designation
    if not have:
        return False
    if want.startswith('"') or want.startswith("“"):  # a definition, by its term
        return normalize_quotes(have).lower().strip() == normalize_quotes(want).lower()
    if same(have, want):
        return True
    if not have[0].isalpha():
        return False  # a number or a parenthesis: no label before it
    # "SECTION 3" / "Section 3." / "Part G": a label before the designation
    tail = _LABEL.sub("", have)
    return tail != have and same(tail, want)


_LABEL = re.compile(r"^(?:SECTION|Section|Sec\.|Part|Title|Chapter|Subchapter|Subtitle|"
                    r"Article|Division|TITLE|PART|CHAPTER)\s+")


def normalize_quotes(text: str) -> str:
    """Curly quotes and primes as straight ones, fixed-width spaces as spaces (one for one)."""
    return "".join(_QUOTES.get(ch, " " if ch in _SPACES else ch) for ch in text)


def phrase_pattern(needle: str) -> re.Pattern[str]:
    """A pattern finding *needle* as words: quotes of either kind, any run of spaces for a
    space, and whole words at the ends (``and`` never matches inside ``band``)."""
    parts: list[str] = []
    for ch in needle:
        norm = _QUOTES.get(ch, ch)
        if ch.isspace() or ch in _SPACES:
            if not parts or parts[-1] != r"\s+":
                parts.append(r"\s+")
        elif norm == '"':
            parts.append("[\"“”„‟″]")
        elif norm == "'":
            parts.append("['‘’‚‛′]")
        else:
            parts.append(re.escape(ch))
    body = "".join(parts)
    stripped = needle.strip()
    if stripped and (stripped[0].isalnum() or stripped[0] == "_"):
        body = r"(?<![\w])" + body
    if stripped and (stripped[-1].isalnum() or stripped[-1] == "_"):
        body = body + r"(?![\w])"
    return re.compile(body)


def labels_in_text(document: Document) -> bool:
    """Does this document keep a provision's label in its text (``(a) As used ...``, as the
    Massachusetts and plain-text importers do) rather than only in its number (the D.C.
    Code)?  Read from the document itself; an empty one follows its jurisdiction."""
    votes = [0, 0]
    stack: list[tuple[Section, str]] = [(s, "") for s in document.sections]
    while stack and sum(votes) < 50:
        section, parent_number = stack.pop()
        number = section.number or ""
        own = number[len(parent_number):] if number.startswith(parent_number) else ""
        if own.startswith("(") and section.text:
            votes[section.text.startswith(own)] += 1
        stack.extend((c, number) for c in section.children)
    if sum(votes) >= 3:
        return votes[1] > votes[0]
    return "massachusetts" in document.jurisdiction.lower()


def build(document: Document) -> Node:
    """The working tree of *document* under a root node (id ``""``)."""
    root = Node(id="", own="", derived=False, heading=None, text="", status=TextStatus.OFFICIAL)

    def make(section: Section, parent: Node, parent_number: str) -> Node:
        number = section.number or ""
        if parent is root:
            own, derived = number, False
        elif number and parent_number and number.startswith(parent_number):
            own, derived = number[len(parent_number):], True
        elif not number:
            own, derived = "", True
        else:
            own, derived = number, False
        node = Node(id=section.id, own=own, derived=derived, heading=section.heading,
                    text=section.text, status=section.status, source=section, parent=parent,
                    unnumbered=section.number is None)
        node.children = [make(c, node, number) for c in section.children]
        return node

    root.children = [make(s, root, "") for s in document.sections]
    return root


def all_ids(root: Node) -> set[str]:
    """Every id in the tree, struck-out nodes included (an id is never reused)."""
    out: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        out.add(node.id)
        stack.extend(node.children)
    return out
