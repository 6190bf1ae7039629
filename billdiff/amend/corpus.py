"""The law "as amended" inside a corpus: which stored documents amend which, and the generated
documents every door (pages, API, fact sheets, the command line) can name by id.

A bill whose relations say it ``amends`` or ``replaces`` a stored document has an "as
amended" view: the stored document with the bill's instructions applied
(:func:`~billdiff.amend.amend_document`).  Its id is the applier's,
``<target>.as-amended-by.<bill>``, so comparing ``mgl-c6-s220-2020`` with
``mgl-c6-s220-2020.as-amended-by.ma-192-s3084`` is an ordinary comparison: topics, fact sheets
and the API work on it unchanged.

Only pairs a relation names are made (an id naming two documents that no relation ties is
unknown, like any other): what a page offers is what the dossier says, and no address makes
the server apply arbitrary pairs.  Each pair is applied once per loaded corpus (kept in
:attr:`~billdiff.load.Corpus.memo`).

A bill may amend a document and yet hold no instruction we can read: its lead-in is not in
the copy we hold (H.1728's, say).  :attr:`AsAmended.readable` is then False and the pages
say so rather than offer a view that would only repeat the law as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from billdiff.errors import NotFound
from billdiff.model import Document, Relation, RelationType

if TYPE_CHECKING:
    from billdiff.amend.apply import AmendResult
    from billdiff.amend.instructions import Instruction
    from billdiff.load import Corpus

# The reader and the applier are imported where they are used: a command that loads a corpus
# (and so enables the deriver) pays for them only if it names a document "as amended".

#: What joins the two ids of a generated document's id (the applier's default id).
AS_AMENDED_BY = ".as-amended-by."
#: The relations that carry amending instructions.
AMENDING = frozenset({RelationType.AMENDS, RelationType.REPLACES})


@dataclass(frozen=True)
class AsAmended:
    """A stored bill that amends a stored document: the pair the "as amended" view shows."""

    target: Document
    amendment: Document
    relation: Relation
    #: Every instruction read from the amendment (lead-ins included); empty when we hold none.
    instructions: tuple[Instruction, ...]

    @property
    def id(self) -> str:
        """The generated document's id, ``<target>.as-amended-by.<amendment>``."""
        return f"{self.target.id}{AS_AMENDED_BY}{self.amendment.id}"

    @property
    def readable(self) -> bool:
        """True if the amendment holds at least one instruction that is more than a lead-in."""
        from billdiff.amend.instructions import Action

        return any(i.action is not Action.SCOPE for i in self.instructions)


def _memo(corpus: Corpus) -> dict[tuple[str, str], object]:
    memo = corpus.memo.setdefault("as-amended", {})
    assert isinstance(memo, dict)
    return memo


def pair(corpus: Corpus, target_id: str, amendment_id: str) -> AsAmended | None:
    """The pair *amendment_id* amending *target_id*, if a relation of the amendment names the
    target and both are stored (ids or bill numbers); None otherwise."""
    try:
        amendment = corpus.document(amendment_id)
        target = corpus.document(target_id)
    except NotFound:
        return None
    key = ("pair", f"{target.id}{AS_AMENDED_BY}{amendment.id}")
    memo = _memo(corpus)
    if key not in memo:
        from billdiff.amend.instructions import read_instructions

        relation = next((r for r in amendment.relations
                         if r.type in AMENDING and r.target == target.id), None)
        memo[key] = (AsAmended(target, amendment, relation, read_instructions(amendment))
                     if relation is not None and target.id != amendment.id else None)
    found = memo[key]
    assert found is None or isinstance(found, AsAmended)
    return found


def amending(corpus: Corpus, doc: Document) -> tuple[AsAmended, ...]:
    """The stored documents *doc* amends or replaces, as pairs (in its relations' order)."""
    known = set(corpus.document_ids())
    out = []
    for relation in doc.relations:
        if relation.type in AMENDING and relation.target in known:
            found = pair(corpus, relation.target, doc.id)
            if found is not None:
                out.append(found)
    return tuple(dict.fromkeys(out))


def amended_by(corpus: Corpus, target: Document) -> tuple[AsAmended, ...]:
    """The stored documents that amend or replace *target*, oldest first (reads every
    document)."""
    out: list[AsAmended] = []
    for doc in corpus.ordered_documents():
        out += [p for p in amending(corpus, doc) if p.target.id == target.id]
    return tuple(out)


def of_document(corpus: Corpus, doc: Document) -> AsAmended | None:
    """The pair whose generated document *doc* is, or None for a stored document."""
    target_id, sep, amendment_id = doc.id.partition(AS_AMENDED_BY)
    found = pair(corpus, target_id, amendment_id) if sep else None
    return found if found is not None and found.id == doc.id else None


def result(corpus: Corpus, found: AsAmended) -> AmendResult:
    """The instructions of *found* applied (once per loaded corpus)."""
    key = ("result", found.id)
    memo = _memo(corpus)
    if key not in memo:
        from billdiff.amend.apply import amend_document

        memo[key] = amend_document(found.target, found.amendment, new_id=found.id)
    made = memo[key]
    from billdiff.amend.apply import AmendResult

    assert isinstance(made, AmendResult)
    return made


def derive(corpus: Corpus, doc_id: str) -> Document | None:
    """The generated document *doc_id* names (``<target>.as-amended-by.<bill>``), or None if
    it names none: the deriver :func:`enable` gives a corpus."""
    target_id, sep, amendment_id = doc_id.partition(AS_AMENDED_BY)
    if not sep or not target_id or not amendment_id:
        return None
    found = pair(corpus, target_id, amendment_id)
    if found is None or found.id != doc_id:
        return None
    return result(corpus, found).document


def enable(corpus: Corpus) -> Corpus:
    """Let *corpus* resolve the ids of the law "as amended" (idempotent); returns it."""
    if derive not in corpus.derivers:
        corpus.derivers.append(derive)
    return corpus
