"""Read and validate a corpus folder.

YAML is read with a locked-down loader, in one pass over the events of libyaml's parser (PyYAML's
own parser where it was built without libyaml): no tags (``!!python/...`` or any other), no
anchors or aliases (no alias bombs), no duplicate keys, nesting at most 64 deep, files of a
bounded size, regular files only (a FIFO or a device is refused before it is opened), UTF-8
only, and YAML 1.1's implicit typing cut back so that legal identifiers stay text (``1.10``,
``NO``, ``2025-01-13`` and ``1:20`` are strings; only plain decimal integers, ``true``/``false``
and ``null`` are typed).  The checks and the construction are the same pass, so a file is
parsed once; line numbers are collected only for a file that has problems (a second pass, on
the error path only).

Every problem in every file is collected as a :class:`Problem` (``file: field.path: message``)
so that ``billdiff validate`` can list them all.

A file that validated is kept in the cache (:mod:`billdiff.cache`) as JSON found by the hash of
its bytes; the next load of the same bytes validates that JSON instead of parsing YAML again.

``load_corpus(root)`` reads everything (``validate``, the web app);
``load_corpus(root, documents=(a, b))`` reads only documents *a* and *b* (with their analyses
and the small files: topics, sources, facts, glossary) and any other document the first time
it is asked for (:class:`Documents`).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from billdiff import settings
from billdiff.cache import Cache, content_digest
from billdiff.errors import BilldiffError, LoadError, NotFound, visible
from billdiff.files import read_limited
from billdiff.model import (
    AboutFile,
    Analysis,
    AnalysisFile,
    Cite,
    Document,
    Fact,
    FactsFile,
    GlossaryFile,
    Section,
    Source,
    SourcesFile,
    TermMeaning,
    Topic,
    TopicsFile,
    iter_sections,
)

MAX_DEPTH = 64
M = TypeVar("M", bound=BaseModel)

@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file.

    The fields hold the text as it is (a file name with a control character in it stays so);
    ``str()`` makes control characters visible (:func:`visible`).
    """

    file: str
    path: str
    message: str
    line: int | None = None
    #: ``warning``: a stale reference (an analysis citing a section the document no longer
    #: has, say after a fuller text was imported).  Reported by ``validate``; does not stop
    #: the other commands, which show the analysis with the reference unresolved.
    severity: str = "error"

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        tag = "warning: " if self.severity == "warning" else ""
        return visible(f"{self.file}: {self.path or '(file)'}: {tag}{self.message}{where}")


# -- YAML: one pass over the parser's events ----------------------------------------------------

#: libyaml's parser (C) where PyYAML has it; the events, marks and errors are the same.
_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {"true": True, "false": False}
_INT = re.compile(r"(?:0|-?[1-9][0-9]{0,17})\Z")
#: First characters of the plain scalars that may be typed; every other one is text at once.
_MAY_BE_TYPED = frozenset("~nN-0123456789tf")
#: "The next scalar of this mapping is a key."
_KEY: Any = object()

_ANCHORS = "YAML anchors and aliases are not allowed in billdiff files"


class _Refused(Exception):
    """A YAML construct billdiff does not accept, at a line."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _number_key(number: str) -> str:
    """A document number for matching: letters and digits only, upper case."""
    return re.sub(r"[^0-9A-Za-z]", "", number).upper()


def _short(value: object, limit: int = 60) -> str:
    """``repr`` of a value for a message, cut short: ids and keys come from users and URLs."""
    text = value if isinstance(value, str) else str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _build(source: bytes, lines: dict[tuple[Any, ...], int] | None) -> Any:
    """The data of one YAML document, built from the parser's events, refusing what billdiff
    does not accept; with *lines*, also fill it with the 1-based line of every key path (the
    line of a mapping's key, of a sequence's item, ``()`` for the top)."""
    parser = _Parser(source)
    get = parser.get_event
    scalar, alias = yaml.ScalarEvent, yaml.AliasEvent
    map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    stack: list[Any] = []  # the open collections, innermost last
    keys: list[Any] = []  # for each open mapping: the key awaiting its value, or _KEY
    paths: list[tuple[Any, ...]] = []  # for each open collection, when lines are wanted
    root: Any = None
    opened: dict[Any, Any] | list[Any] | None
    documents = 0
    try:
        while True:
            event = get()
            kind = type(event)
            if kind is scalar:
                if event.anchor is not None:
                    raise _Refused(_ANCHORS, event.start_mark.line + 1)
                if event.tag is not None:
                    raise _Refused(f"YAML tags ({_short(event.tag)}) are not allowed in "
                                   "billdiff files", event.start_mark.line + 1)
                value = event.value
                # implicit[0]: a plain (unquoted) scalar, the only kind that may be typed
                if event.implicit[0] and (not value or value[0] in _MAY_BE_TYPED):
                    if value in _NULLS:
                        value = None
                    elif value in _BOOLS:
                        value = _BOOLS[value]
                    elif _INT.match(value):
                        value = int(value)
                opened = None
            elif kind is map_start or kind is seq_start:
                if event.anchor is not None:
                    raise _Refused(_ANCHORS, event.start_mark.line + 1)
                if event.tag is not None:
                    raise _Refused(f"YAML tags ({_short(event.tag)}) are not allowed in "
                                   "billdiff files", event.start_mark.line + 1)
                if len(stack) >= MAX_DEPTH:
                    raise _Refused(f"nesting deeper than {MAX_DEPTH} levels",
                                   event.start_mark.line + 1)
                opened = {} if kind is map_start else []
                value = opened
            elif kind is map_end or kind is seq_end:
                stack.pop()
                keys.pop()
                if lines is not None:
                    paths.pop()
                continue
            elif kind is alias:
                raise _Refused(_ANCHORS, event.start_mark.line + 1)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Refused("a second YAML document ('---') in the file: a billdiff "
                                   "file holds one", event.start_mark.line + 1)
                continue
            elif kind is yaml.StreamEndEvent:
                break
            else:  # stream start, document end
                continue

            path: tuple[Any, ...] = ()
            if not stack:
                root = value
                if lines is not None:
                    lines[()] = event.start_mark.line + 1
            else:
                parent = stack[-1]
                if type(parent) is list:
                    if lines is not None:
                        path = paths[-1] + (len(parent),)
                        lines[path] = event.start_mark.line + 1
                    parent.append(value)
                else:
                    key = keys[-1]
                    if key is _KEY:  # this is a key
                        if opened is not None:
                            raise _Refused("a mapping key must be plain text, not a list or a "
                                           "mapping", event.start_mark.line + 1)
                        if value in parent:
                            raise _Refused(f"duplicate key {_short(value)} (a key may appear "
                                           "once in a mapping; remove one)",
                                           event.start_mark.line + 1)
                        keys[-1] = value
                        if lines is not None:
                            lines[paths[-1] + (value,)] = event.start_mark.line + 1
                        continue
                    parent[key] = value
                    keys[-1] = _KEY
                    if lines is not None:
                        path = paths[-1] + (key,)
            if opened is not None:
                stack.append(opened)
                keys.append(_KEY)
                if lines is not None:
                    paths.append(path)
    finally:
        parser.dispose()
    return root


def _read_bytes(path: Path, name: str) -> bytes:
    """The bytes of a corpus file: a regular file, within the size limit."""
    try:
        return read_limited(path, settings.max_file_bytes(), where=name, read_fix=None,
                            size_fix="split it, or raise BILLDIFF_MAX_FILE_BYTES")
    except BilldiffError as err:
        raise LoadError(err.what, where=name, fix=err.fix) from err


def _check_text(raw: bytes, name: str) -> None:
    """Refuse bytes that are not UTF-8 text without NUL."""
    try:
        raw.decode("utf-8")  # checked here for a clear message; the parser reads the bytes
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise LoadError(f"not valid UTF-8 (byte {err.start})", where=f"{name}:{line}",
                        fix="save the file as UTF-8") from err
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw[:nul].count(b"\n") + 1
        raise LoadError(f"file contains a NUL character (byte {nul})", where=f"{name}:{line}",
                        fix="remove it")


def _read_source(path: Path, name: str) -> bytes:
    """The bytes of a corpus file, checked: size, regular file, UTF-8, no NUL."""
    raw = _read_bytes(path, name)
    _check_text(raw, name)
    return raw


def _parse(source: bytes, name: str,
           lines: dict[tuple[Any, ...], int] | None) -> Any:
    """:func:`_build` with every failure turned into a one-line :class:`LoadError`."""
    try:
        return _build(source, lines)
    except _Refused as err:
        raise LoadError(f"invalid YAML: {err.message}", where=f"{name}:{err.line}") from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"{name}:{mark.line + 1}" if mark else name
        problem = err.problem or err.context or "invalid YAML"
        raise LoadError(f"invalid YAML: {problem}", where=where) from err
    except yaml.YAMLError as err:
        raise LoadError(f"invalid YAML: {err}", where=name) from err
    except (ValueError, RecursionError, MemoryError) as err:
        raise LoadError(f"invalid YAML value: {type(err).__name__}", where=name) from err


def read_yaml(path: Path, display: str | None = None) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse one YAML file safely; return the data and a map of key paths to lines.

    Raises :class:`LoadError` with a one-line message for anything that is not clean YAML.
    """
    name = display or str(path)
    lines: dict[tuple[Any, ...], int] = {}
    data = _parse(_read_source(path, name), name, lines)
    return data, lines


def _pydantic_problems(
    name: str, err: ValidationError, lines: dict[tuple[Any, ...], int]
) -> list[Problem]:
    out = []
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        msg = e["msg"]
        if e["type"] == "string_type" and isinstance(e.get("input"), int | float | bool):
            msg = f"expected text, got {e['input']!r}; put it in quotes, e.g. \"{e['input']}\""
        elif e["type"] == "extra_forbidden":
            msg = "unknown field (check its spelling against the data format in the README)"
        elif e["type"] == "enum":
            msg = msg.replace("Input should be", "must be")
        line = None
        for n in range(len(loc), -1, -1):
            if loc[:n] in lines:
                line = lines[loc[:n]]
                break
        out.append(Problem(name, ".".join(str(p) for p in loc), msg, line))
    return out


def _load_problem(display: str, err: LoadError) -> Problem:
    line = None
    if err.where and err.where.startswith(display + ":"):
        tail = err.where[len(display) + 1:]
        line = int(tail) if tail.isdigit() else None
    return Problem(display, "", err.what + (f" ({err.fix})" if err.fix else ""), line)


def parse_model(
    model: type[M], path: Path, display: str, *, cache: Cache | None = None,
    lines: bool = True,
) -> tuple[M | None, list[Problem], dict[tuple[Any, ...], int]]:
    """Read *path* and validate it as *model*; return the model (or None), its problems, and
    the map of key paths to lines.

    With a *cache*, a file whose bytes were validated before is validated from its cached
    JSON (no YAML parsed; the line map is then empty), and a file that validates is cached.
    With ``lines=False`` lines are collected only when the file has problems (a second pass
    over it, on the error path only); the map is then empty for a file that validated.
    """
    try:
        raw = _read_bytes(path, display)
    except LoadError as err:
        return None, [_load_problem(display, err)], {}
    digest = None
    if cache is not None and cache.enabled:
        digest = content_digest(raw)
        hit = cache.get(model, digest)
        if hit is not None:  # these very bytes passed every check below
            return hit, [], {}
    line_map: dict[tuple[Any, ...], int] = {}
    try:
        _check_text(raw, display)
        data = _parse(raw, display, line_map if lines else None)
    except LoadError as err:
        return None, [_load_problem(display, err)], {}
    if not isinstance(data, dict):
        return None, [Problem(display, "", "expected a mapping of fields at the top level")], \
            line_map
    try:
        value = model.model_validate(data)
    except ValidationError as err:
        del data
        if not lines:
            _parse(raw, display, line_map)
        return None, _pydantic_problems(display, err, line_map), line_map
    del data
    if digest is not None and cache is not None:
        cache.put(value, digest)
    return value, [], line_map


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file becomes models.

    Building a large document makes hundreds of thousands of objects, none of them garbage, and
    each batch of new objects set off a collection that walked the whole young heap again (a
    fifth of the load time); nothing a load makes is cyclic garbage.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# -- the corpus ---------------------------------------------------------------------------------


class Documents(Mapping[str, Document]):
    """A corpus's documents by id, each read (from the cache or its file) the first time it is
    asked for.

    It behaves as the dict of the documents that loaded cleanly: a document whose file has an
    error is not in it (its problems are in :attr:`Corpus.problems`), and iteration follows
    the order of the file names.  Iterating or asking for the length reads every document.
    """

    def __init__(self, files: dict[str, Path],
                 load: Callable[[str], Document | None]) -> None:
        self._files = files
        self._load = load  # (doc_id) -> Document | None
        self._docs: dict[str, Document] = {}
        self._failed: set[str] = set()

    def _get(self, doc_id: str) -> Document | None:
        doc = self._docs.get(doc_id)
        if doc is None and doc_id in self._files and doc_id not in self._failed:
            doc = self._load(doc_id)
            if doc is None:
                self._failed.add(doc_id)
            else:
                self._docs[doc_id] = doc
        return doc

    def __getitem__(self, doc_id: str) -> Document:
        doc = self._get(doc_id) if isinstance(doc_id, str) else None
        if doc is None:
            raise KeyError(doc_id)
        return doc

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self._get(doc_id) is not None

    def __iter__(self) -> Iterator[str]:
        self.load_all()
        return iter([d for d in self._files if d in self._docs])

    def __len__(self) -> int:
        self.load_all()
        return len(self._docs)

    def __repr__(self) -> str:
        return f"<Documents: {len(self._docs)} of {len(self._files)} loaded>"

    def load_all(self) -> None:
        """Read every document not read yet."""
        for doc_id in self._files:
            self._get(doc_id)

    def known(self) -> list[str]:
        """The ids that have a file, without reading any (in file-name order)."""
        return list(self._files)

    def is_loaded(self, doc_id: str) -> bool:
        """True if *doc_id* has been read and is clean."""
        return doc_id in self._docs

    def failed(self, doc_id: str) -> bool:
        """True if *doc_id*'s file was read and has an error."""
        return doc_id in self._failed

    def file(self, doc_id: str) -> Path | None:
        """The file of *doc_id*, if it has one."""
        return self._files.get(doc_id)


@dataclass
class Corpus:
    """Everything in one corpus folder, validated and cross-checked.

    ``documents`` is a :class:`Documents` mapping when the corpus was loaded by
    :func:`load_corpus`: documents not read at load time are read when first asked for.
    """

    root: Path
    documents: Mapping[str, Document] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    analyses: dict[tuple[str, str], Analysis] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    #: Plain meanings of defined terms (``glossary.yaml``), by term slug.
    glossary: dict[str, TermMeaning] = field(default_factory=dict)
    #: What the dossier is about (``about.yaml``), if it says.
    about: AboutFile | None = None
    #: What layers above derive from the whole corpus (the default comparison, say), kept with
    #: it so that it is derived once per loaded corpus.
    memo: dict[str, object] = field(default_factory=dict, repr=False)
    problems: list[Problem] = field(default_factory=list)
    #: Makers of documents derived from stored ones, asked in turn by :meth:`document` for an
    #: id no file holds: each returns the document, or None for an id it does not make (the
    #: law "as amended" by a stored bill: :func:`billdiff.amend.corpus.enable`).  A derived
    #: document is never listed by :meth:`document_ids`; it is named by the pages that offer it.
    derivers: list[Callable[[Corpus, str], Document | None]] = field(default_factory=list,
                                                                      repr=False)
    #: True when only some documents were read at load time (``load_corpus(documents=...)``):
    #: references to documents not read are checked against the file names only.
    partial: bool = False
    _section_index: dict[str, dict[str, Section]] = field(default_factory=dict, repr=False)
    _reader: _Reader | None = field(default=None, repr=False)

    def document_ids(self) -> list[str]:
        """Ids of the documents, without reading any that has not been read (sorted)."""
        docs = self.documents
        if isinstance(docs, Documents):
            return sorted(d for d in docs.known() if not docs.failed(d))
        return sorted(docs)

    def document(self, doc_id: str) -> Document:
        """The document *doc_id* (read now if it was not), or :class:`NotFound` naming the
        known ids (:class:`LoadError` if its file has an error)."""
        doc = self.documents.get(doc_id)
        if doc is not None:
            return doc
        docs = self.documents
        if isinstance(docs, Documents) and docs.failed(doc_id):
            file = docs.file(doc_id)
            found = [p for p in self.errors if file is not None and self._reader is not None
                     and p.file == self._reader.rel(file)]
            first = f": {found[0]}" if found else ""
            raise LoadError(f"document {_short(doc_id)} has problems{first}",
                            where=str(self.root), fix="run `billdiff validate` to list them all")
        for derive in self.derivers:
            derived = derive(self, doc_id)
            if derived is not None:
                return derived
        by_number = self._by_number(doc_id)
        if len(by_number) == 1:
            return by_number[0]
        if by_number:
            ids = ", ".join(d.id for d in by_number)
            raise NotFound(f"{_short(doc_id)} is the number of {len(by_number)} documents",
                           where=str(self.root), fix=f"give one of their ids: {ids}")
        close = self._close_to(doc_id)
        known = ", ".join(self.document_ids()[:12]) or "none"
        raise NotFound(
            f"unknown document {_short(doc_id)}", where=str(self.root),
            fix=(f"did you mean {' or '.join(close)}? " if close else "")
            + f"known documents: {known}",
        )

    def _by_number(self, query: str) -> list[Document]:
        """Documents whose number is *query* (``S.1053``, ``s1053``, ``S 1053``: case, dots and
        spaces aside).  Reads every document, so only an id that is not a file name pays."""
        key = _number_key(query)
        if not key:
            return []
        return [d for d in (self.documents.get(i) for i in self.document_ids())
                if d is not None and _number_key(d.number) == key]

    def _close_to(self, query: str) -> list[str]:
        """Ids and numbers that look like a mistyped *query* (at most three)."""
        import difflib

        names = {i: i for i in self.document_ids()}
        for i in list(names):
            doc = self.documents.get(i)
            if doc is not None:
                names[doc.number] = i
        hits = difflib.get_close_matches(query, list(names), n=3, cutoff=0.8)
        return list(dict.fromkeys(f"{names[h]} ({h})" if h != names[h] else h for h in hits))

    def topic(self, topic_id: str) -> Topic:
        """The topic *topic_id*, or :class:`NotFound` naming the known ids."""
        try:
            return self.topics[topic_id]
        except KeyError:
            known = ", ".join(self.topics) or "none"
            raise NotFound(
                f"unknown topic {_short(topic_id)}", where=str(self.root),
                fix=f"known topics: {known}",
            ) from None

    def sections_of(self, doc_id: str) -> dict[str, Section]:
        """Index of a document's sections by id (cached)."""
        if doc_id not in self._section_index:
            doc = self.document(doc_id)
            self._section_index[doc_id] = {s.id: s for s, _ in iter_sections(doc.sections)}
        return self._section_index[doc_id]

    def section(self, doc_id: str, section_id: str) -> Section:
        """One section of one document, or :class:`NotFound`."""
        try:
            return self.sections_of(doc_id)[section_id]
        except KeyError:
            raise NotFound(
                f"document {_short(doc_id)} has no section {_short(section_id)}",
                fix=f"run `billdiff show {doc_id}` to list its sections",
            ) from None

    def analysis(self, doc_id: str, topic_id: str) -> Analysis | None:
        """Our analysis of *doc_id* on *topic_id*, if there is one (its file read now if it
        was not)."""
        if self._reader is not None:
            self._reader.analyses_of(doc_id)
        return self.analyses.get((doc_id, topic_id))

    @property
    def errors(self) -> list[Problem]:
        """Problems that stop the corpus from being used."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Stale references: reported, but the corpus is usable."""
        return [p for p in self.problems if p.severity == "warning"]

    def require_clean(self) -> Corpus:
        """Raise :class:`LoadError` if any file read had an error (warnings are allowed)."""
        errors = self.errors
        if errors:
            first = errors[0]
            more = f" and {len(errors) - 1} more" if len(errors) > 1 else ""
            raise LoadError(
                f"the corpus has problems: {first}{more}",
                where=str(self.root), fix="run `billdiff validate` to list them all",
            )
        return self

    def ordered_documents(self) -> list[Document]:
        """Documents oldest first (by filed date, then id); reads every document."""
        return sorted(self.documents.values(), key=lambda d: (d.filed or "9999", d.id))

    # -- what reference checks may assume (see _Reader) --

    def _reference(self, doc_id: str) -> tuple[bool, dict[str, Section] | None]:
        """Whether a reference to document *doc_id* resolves, and its sections when they can be
        checked: always in a whole corpus; in a partial one only for documents read (the
        others are checked against their file names, without reading them)."""
        docs = self.documents
        if self.partial and isinstance(docs, Documents) and not docs.is_loaded(doc_id):
            return docs.file(doc_id) is not None and not docs.failed(doc_id), None
        if doc_id not in docs:
            return False, None
        return True, self.sections_of(doc_id)


def _walk(sections: tuple[Section, ...]) -> Iterator[Section]:
    """Every section in document order (:func:`~billdiff.model.iter_sections` without the
    depths and the list: the checks of a whole code walk tens of thousands)."""
    stack = list(reversed(sections))
    while stack:
        section = stack.pop()
        yield section
        if section.children:
            stack.extend(reversed(section.children))


def _yaml_files(folder: Path) -> Iterator[Path]:
    """The ``*.yaml`` and ``*.yml`` names in *folder*, sorted; anything so named that is not a
    regular file is listed too, and refused when read (never opened: see read_limited)."""
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix in (".yaml", ".yml"):
                yield path


class _Reader:
    """Reads the files of one corpus into its :class:`Corpus`, now or on demand."""

    def __init__(self, corpus: Corpus, cache: Cache | None) -> None:
        self.corpus = corpus
        self.cache = cache
        self.root = corpus.root
        self.analysis_files: dict[str, Path] = {}
        self.analyses_read: set[str] = set()
        #: Set once the small files are read: from then on a document read on demand has its
        #: references checked as it is read.
        self.open = False

    def rel(self, path: Path) -> str:
        """A file's name as problems show it (from the corpus folder's parent)."""
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def read(self, model: type[M], path: Path) -> M | None:
        """One file as *model*, its problems recorded."""
        with _collector_paused():
            value, found, _ = parse_model(model, path, self.rel(path), cache=self.cache,
                                          lines=False)
        self.corpus.problems.extend(found)
        return value

    def document(self, doc_id: str) -> Document | None:
        """Read document *doc_id* (for :class:`Documents`): None if its file has an error."""
        docs = self.corpus.documents
        assert isinstance(docs, Documents)
        path = docs.file(doc_id)
        assert path is not None
        name = self.rel(path)
        doc = self.read(Document, path)
        problems = self.corpus.problems
        if doc is None:
            self._sort_if_open()
            return None
        if doc.id != doc_id:
            try:
                line = read_yaml(path, name)[1].get(("id",))
            except LoadError:
                line = None
            problems.append(Problem(name, "id", f"id {doc.id!r} does not match the file "
                                    f"name (expected {doc_id!r})", line))
            self._sort_if_open()
            return None
        # The index sections_of() would build, made here once with the duplicate check.
        index: dict[str, Section] = {}
        for section in _walk(doc.sections):
            if section.id in index:
                problems.append(Problem(name, "sections", f"duplicate section id {section.id!r}"))
            index[section.id] = section
        self.corpus._section_index[doc_id] = index
        if self.open:
            # Read on demand: the topics it names are known by now.  Checked before the
            # document is in the mapping, as a whole load does (there the mapping holds it
            # already; the checks only ask about other documents).
            _check_document_refs(self.corpus, doc, name)
            self._sort_if_open()
        return doc

    def analyses_of(self, doc_id: str) -> None:
        """Read ``analyses/<doc_id>.yaml`` if it exists and has not been read."""
        # Only ids with a file are remembered: the web app asks about drafts' ids too, and
        # nothing a request names may make this set grow.
        path = self.analysis_files.get(doc_id)
        if path is None or doc_id in self.analyses_read:
            return
        self.analyses_read.add(doc_id)
        parsed = self.read(AnalysisFile, path)
        if parsed is not None:
            _check_analysis_file(self.corpus, parsed, doc_id, self.rel(path))
        self._sort_if_open()

    def _sort_if_open(self) -> None:
        if self.open:
            _sort(self.corpus.problems)


def _sort(problems: list[Problem]) -> None:
    problems.sort(key=lambda p: (p.file, p.line or 0, p.path))


def load_corpus(root: str | Path | None = None, *, documents: Iterable[str] | None = None,
                cache: Cache | bool = True) -> Corpus:
    """Load a corpus folder, collecting every problem instead of stopping at the first.

    *documents* None (the default) reads and checks every file, as ``billdiff validate`` and
    the web app need.  A list of ids reads only those documents and their analyses (with
    ``topics.yaml``, ``sources.yaml``, ``facts.yaml`` and ``glossary.yaml``, which are small):
    what a command that works on one or two documents needs, whatever the corpus's size.  Any
    other document (and its analyses) is read when first asked for, and its problems are added
    then; its references to documents not read are checked against their file names only.
    An id with no file is left for :meth:`Corpus.document` to report.

    *cache*: True (the default) uses the cache the settings name (:mod:`billdiff.cache`),
    False none, or the :class:`~billdiff.cache.Cache` given.
    """
    root_path = settings.bills_dir(root)
    if not root_path.is_dir():
        raise LoadError(
            "corpus folder does not exist", where=str(root_path),
            fix="pass --bills DIR or set BILLDIFF_BILLS to a folder with a documents/ folder",
        )
    wanted = None if documents is None else list(dict.fromkeys(documents))
    corpus = Corpus(root=root_path, partial=wanted is not None)
    reader = _Reader(corpus, cache if isinstance(cache, Cache) else
                     Cache.default() if cache else None)
    corpus._reader = reader
    rel = reader.rel
    problems = corpus.problems

    doc_dir = root_path / "documents"
    if not doc_dir.is_dir():
        problems.append(Problem(rel(doc_dir), "", "missing folder: a corpus keeps its documents "
                                "in documents/<id>.yaml"))
    files: dict[str, Path] = {}
    for path in _yaml_files(doc_dir):
        if path.stem in files:
            problems.append(Problem(rel(path), "", f"a second file for document "
                                    f"{path.stem!r} ({files[path.stem].name} is read; remove "
                                    "one of them)"))
            continue
        files[path.stem] = path
    store = Documents(files, reader.document)
    corpus.documents = store
    for path in _yaml_files(root_path / "analyses"):
        if path.stem in reader.analysis_files:
            problems.append(Problem(rel(path), "", f"a second analyses file for document "
                                    f"{path.stem!r} ({reader.analysis_files[path.stem].name} "
                                    "is read; remove one of them)"))
            continue
        reader.analysis_files[path.stem] = path

    with _collector_paused():
        for doc_id in files if wanted is None else [d for d in files if d in wanted]:
            store._get(doc_id)

        for single, model, attr in (("topics.yaml", TopicsFile, "topics"),
                                    ("sources.yaml", SourcesFile, "sources")):
            path = root_path / single
            if not path.exists() and not path.is_symlink():
                continue
            parsed = reader.read(model, path)
            if parsed is None:
                continue
            for i, item in enumerate(getattr(parsed, attr)):
                target: dict[str, Any] = getattr(corpus, attr)
                if item.id in target:
                    problems.append(Problem(rel(path), f"{attr}.{i}.id",
                                            f"duplicate id {item.id!r}"))
                target[item.id] = item

        facts_path = root_path / "facts.yaml"
        if facts_path.exists() or facts_path.is_symlink():
            facts = reader.read(FactsFile, facts_path)
            if facts is not None:
                corpus.facts = list(facts.facts)
                for i, fact in enumerate(facts.facts):
                    problems.extend(_check_refs(rel(facts_path), f"facts.{i}", corpus,
                                                sources=fact.sources, topics=fact.topics))

        # analyses of every document (a whole corpus: every file, even one naming no document)
        # or of the documents read
        for stem in (reader.analysis_files if wanted is None
                     else [s for s in reader.analysis_files if store.is_loaded(s)]):
            reader.analyses_of(stem)

        for doc_id in files:
            if store.is_loaded(doc_id):
                _check_document_refs(corpus, store[doc_id], rel(files[doc_id]))
        for i, topic in enumerate(corpus.topics.values()):
            problems.extend(_check_cites(corpus, rel(root_path / "topics.yaml"),
                                         f"topics.{i}.why_cites", topic.why_cites, None))
            for j, view in enumerate(topic.other_views):
                problems.extend(_check_cites(corpus, rel(root_path / "topics.yaml"),
                                             f"topics.{i}.other_views.{j}.cites", view.cites,
                                             None))
        about_path = root_path / "about.yaml"
        if about_path.exists() or about_path.is_symlink():
            corpus.about = reader.read(AboutFile, about_path)
        glossary_path = root_path / "glossary.yaml"
        if glossary_path.exists() or glossary_path.is_symlink():
            _load_glossary(corpus, reader, glossary_path)
    reader.open = True
    _sort(problems)
    return corpus


def _load_glossary(corpus: Corpus, reader: _Reader, path: Path) -> None:
    """``glossary.yaml``: each term once, its cites checked, and (in a whole corpus) a term no
    document defines (no section id ending in ``__def_<term>``) is a warning."""
    parsed = reader.read(GlossaryFile, path)
    if parsed is None:
        return
    name = reader.rel(path)
    problems = corpus.problems
    defined: set[str] | None = None
    if not corpus.partial:
        defined = {s.id.split("__def_", 1)[1] for doc in corpus.documents.values()
                   for s in _walk(doc.sections) if "__def_" in s.id}
    for i, term in enumerate(parsed.terms):
        where = f"terms.{i}"
        if term.term in corpus.glossary:
            problems.append(Problem(name, where + ".term",
                                    f"second meaning of term {term.term!r}"))
        corpus.glossary[term.term] = term
        for j, statement in enumerate(term.meaning):
            problems.extend(_check_cites(corpus, name, f"{where}.meaning.{j}.cites",
                                         statement.cites, None))
        if defined is not None and term.term not in defined:
            problems.append(Problem(name, where + ".term",
                                    f"no document defines term {term.term!r} (no section id "
                                    f"ends in __def_{term.term})", severity="warning"))


def _check_refs(name: str, where: str, corpus: Corpus, *, sources: Iterable[str] = (),
                topics: Iterable[str] = ()) -> list[Problem]:
    out = []
    for s in sources:
        if s not in corpus.sources:
            out.append(Problem(name, where, f"unknown source {s!r} (add it to sources.yaml)"))
    for t in topics:
        if t not in corpus.topics:
            out.append(Problem(name, where, f"unknown topic {t!r} (add it to topics.yaml)"))
    return out


def _check_document_refs(corpus: Corpus, doc: Document, name: str) -> None:
    problems = corpus.problems
    for i, relation in enumerate(doc.relations):
        where = f"relations.{i}"
        known, sections = corpus._reference(relation.target)
        if not known:
            problems.append(Problem(name, where + ".target",
                                    f"unknown document {relation.target!r}"))
        elif relation.section and sections is not None and relation.section not in sections:
            problems.append(Problem(name, where + ".section", f"document {relation.target!r} "
                                    f"has no section {relation.section!r}"))
    for section in _walk(doc.sections):
        if section.topics or section.suggested_topics:
            for t in (*section.topics, *section.suggested_topics):
                if t not in corpus.topics:
                    problems.append(Problem(name, f"sections[{section.id}].topics",
                                            f"unknown topic {t!r} (add it to topics.yaml)"))


def _check_analysis_file(corpus: Corpus, parsed: AnalysisFile, stem: str, name: str) -> None:
    problems = corpus.problems
    if parsed.document != stem:
        problems.append(Problem(name, "document", f"document {parsed.document!r} does not match "
                                f"the file name (expected {stem!r})"))
        return
    if parsed.document not in corpus.documents:
        problems.append(Problem(name, "document", f"unknown document {parsed.document!r}"))
        return
    own = corpus.sections_of(parsed.document)
    for i, analysis in enumerate(parsed.analyses):
        where = f"analyses.{i}"
        if analysis.topic not in corpus.topics:
            problems.append(Problem(name, where + ".topic", f"unknown topic {analysis.topic!r}"))
        if (parsed.document, analysis.topic) in corpus.analyses:
            problems.append(Problem(name, where + ".topic",
                                    f"second analysis of topic {analysis.topic!r}"))
        for sid in analysis.sections:
            if sid not in own:
                problems.append(Problem(name, where + ".sections",
                                        f"document {parsed.document!r} has no section {sid!r}",
                                        severity="warning"))
        for j, statement in enumerate(analysis.summary):
            problems.extend(_check_cites(corpus, name, f"{where}.summary.{j}.cites",
                                         statement.cites, parsed.document))
        corpus.analyses[(parsed.document, analysis.topic)] = analysis


def _check_cites(corpus: Corpus, name: str, where: str, cites: Iterable[Cite],
                 own_doc: str | None) -> list[Problem]:
    """Problems with cites: unknown sources, documents or sections."""
    out = []
    for k, cite in enumerate(cites):
        cw = f"{where}.{k}"
        if cite.source is not None and cite.source not in corpus.sources:
            out.append(Problem(name, cw, f"unknown source {cite.source!r}"))
        if cite.section is not None:
            target = cite.document or own_doc
            if target is None:
                out.append(Problem(name, cw, "a section cite here needs a 'document'"))
                continue
            known, sections = corpus._reference(target)
            if not known:
                out.append(Problem(name, cw, f"unknown document {target!r}"))
            elif sections is not None and cite.section not in sections:
                out.append(Problem(name, cw, f"document {target!r} has no section "
                                   f"{cite.section!r}", severity="warning"))
    return out
