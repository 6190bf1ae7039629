"""Read and validate a corpus folder.

YAML is read with a locked-down loader: safe constructors only, no anchors or aliases (no alias
bombs), bounded nesting, bounded file size, UTF-8 only, and YAML 1.1's implicit typing cut back so
that legal identifiers stay text (``1.10``, ``NO``, ``2025-01-13`` and ``1:20`` are strings; only
plain decimal integers become numbers).  Every problem in every file is collected as a
:class:`Problem` (``file: field.path: message``) so that ``billdiff validate`` can list them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from billdiff import settings
from billdiff.errors import BilldiffError, LoadError, NotFound
from billdiff.files import read_limited
from billdiff.model import (
    Analysis,
    AnalysisFile,
    Cite,
    Document,
    Fact,
    FactsFile,
    Section,
    Source,
    SourcesFile,
    Topic,
    TopicsFile,
    iter_sections,
)

MAX_DEPTH = 64
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file."""

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
        return f"{self.file}: {self.path or '(file)'}: {tag}{self.message}{where}"


class _Loader(yaml.SafeLoader):
    """SafeLoader without aliases, with bounded depth and conservative implicit typing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102 - PyYAML hook
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(
                None, None, "YAML anchors and aliases are not allowed in billdiff files",
                event.start_mark,
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(
                None, None, "YAML anchors and aliases are not allowed in billdiff files",
                event.start_mark,
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise yaml.MarkedYAMLError(
                None, None, f"nesting deeper than {MAX_DEPTH} levels", event.start_mark
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# Keep only null and plain decimal integers as implicit types; everything else stays a string.
_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:0|-?[1-9][0-9]{0,17})$"), list("-0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), ["t", "f"]
)


_FastBase: Any = getattr(yaml, "CSafeLoader", None)

if _FastBase is not None:
    class _FastLoader(_FastBase):  # type: ignore[misc]
        """libyaml's parser with the same conservative implicit typing as :class:`_Loader`.

        Anchors, aliases and depth are checked on the event stream first (see
        :func:`_check_events`), because libyaml composes nodes in C where no hook can refuse
        them.
        """

    _FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def _check_events(text: str) -> None:
    """Refuse anchors, aliases and deep nesting before anything is composed."""
    depth = 0
    for event in yaml.parse(text, Loader=_FastBase):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(
                None, None, "YAML anchors and aliases are not allowed in billdiff files",
                event.start_mark,  # type: ignore[arg-type]
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise yaml.MarkedYAMLError(
                    None, None, f"nesting deeper than {MAX_DEPTH} levels",
                    event.start_mark,  # type: ignore[arg-type]
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _line_map(node: yaml.Node, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """Map every key path in a composed YAML tree to its 1-based line."""
    lines: dict[tuple[Any, ...], int] = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = path + (key.value,)
            lines[sub] = key.start_mark.line + 1
            lines.update({k: v for k, v in _line_map(value, sub).items() if k != sub})
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.update(_line_map(item, path + (i,)))
    return lines


def read_yaml(path: Path, display: str | None = None) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse one YAML file safely; return the data and a map of key paths to lines.

    Raises :class:`LoadError` with a one-line message for anything that is not clean YAML.
    """
    name = display or str(path)
    try:
        raw = read_limited(path, settings.max_file_bytes(), where=name, read_fix=None,
                           size_fix="split it, or raise BILLDIFF_MAX_FILE_BYTES")
    except BilldiffError as err:
        raise LoadError(err.what, where=name, fix=err.fix) from err
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise LoadError(
            f"not valid UTF-8 (byte {err.start}, line {line})",
            where=name, fix="save the file as UTF-8",
        ) from err
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise LoadError("file contains a NUL character", where=name, fix="remove it")
    loader: Any
    try:
        if _FastBase is not None:
            _check_events(text)
            loader = _FastLoader(text)
        else:  # pragma: no cover - PyYAML built without libyaml
            loader = _Loader(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"{name}:{mark.line + 1}" if mark else name
        raise LoadError(f"invalid YAML: {err.problem or 'invalid YAML'}", where=where) from err
    except yaml.YAMLError as err:
        raise LoadError(f"invalid YAML: {err}", where=name) from err
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"{name}:{mark.line + 1}" if mark else name
        problem = err.problem or err.context or "invalid YAML"
        raise LoadError(f"invalid YAML: {problem}", where=where) from err
    except yaml.YAMLError as err:
        raise LoadError(f"invalid YAML: {err}", where=name) from err
    except (ValueError, RecursionError) as err:
        raise LoadError(f"invalid YAML value: {err}", where=name) from err
    finally:
        loader.dispose()
    return data, _line_map(node)


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


def parse_model(
    model: type[M], path: Path, display: str
) -> tuple[M | None, list[Problem], dict[tuple[Any, ...], int]]:
    """Read *path* and validate it as *model*; return the model (or None) and its problems."""
    try:
        data, lines = read_yaml(path, display)
    except LoadError as err:
        line = None
        if err.where and err.where.startswith(display + ":"):
            tail = err.where[len(display) + 1:]
            line = int(tail) if tail.isdigit() else None
        return None, [Problem(display, "", err.what + (f" ({err.fix})" if err.fix else ""),
                              line)], {}
    if not isinstance(data, dict):
        return None, [Problem(display, "", "expected a mapping of fields at the top level")], lines
    try:
        return model.model_validate(data), [], lines
    except ValidationError as err:
        return None, _pydantic_problems(display, err, lines), lines


def _short(value: str, limit: int = 60) -> str:
    """``repr`` of an id for a message, cut short: ids come from users and URLs."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


@dataclass
class Corpus:
    """Everything in one corpus folder, validated and cross-checked."""

    root: Path
    documents: dict[str, Document] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    analyses: dict[tuple[str, str], Analysis] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    _section_index: dict[str, dict[str, Section]] = field(default_factory=dict, repr=False)

    def document(self, doc_id: str) -> Document:
        """The document *doc_id*, or :class:`NotFound` naming the known ids."""
        try:
            return self.documents[doc_id]
        except KeyError:
            known = ", ".join(sorted(self.documents)[:12]) or "none"
            raise NotFound(
                f"unknown document {_short(doc_id)}", where=str(self.root),
                fix=f"known documents: {known}",
            ) from None

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
        """Our analysis of *doc_id* on *topic_id*, if there is one."""
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
        """Raise :class:`LoadError` if any file had an error (warnings are allowed)."""
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
        """Documents oldest first (by filed date, then id)."""
        return sorted(self.documents.values(), key=lambda d: (d.filed or "9999", d.id))


def _yaml_files(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix in (".yaml", ".yml") and path.is_file():
                yield path
            elif path.suffix in (".yaml", ".yml"):
                yield path  # a directory or broken link named *.yaml: read_yaml reports it


def load_corpus(root: str | Path | None = None) -> Corpus:
    """Load a corpus folder, collecting every problem instead of stopping at the first."""
    root_path = settings.bills_dir(root)
    if not root_path.is_dir():
        raise LoadError(
            "corpus folder does not exist", where=str(root_path),
            fix="pass --bills DIR or set BILLDIFF_BILLS to a folder with a documents/ folder",
        )
    corpus = Corpus(root=root_path)

    def rel(path: Path) -> str:
        try:
            return str(path.relative_to(root_path.parent))
        except ValueError:
            return str(path)

    problems = corpus.problems
    doc_dir = root_path / "documents"
    if not doc_dir.is_dir():
        problems.append(Problem(rel(doc_dir), "", "missing folder: a corpus keeps its documents "
                                "in documents/<id>.yaml"))
    for path in _yaml_files(doc_dir):
        doc, found, lines = parse_model(Document, path, rel(path))
        problems.extend(found)
        if doc is None:
            continue
        if doc.id != path.stem:
            problems.append(Problem(rel(path), "id", f"id {doc.id!r} does not match the file "
                                    f"name (expected {path.stem!r})", lines.get(("id",))))
            continue
        seen: set[str] = set()
        for section, _ in iter_sections(doc.sections):
            if section.id in seen:
                problems.append(Problem(rel(path), "sections",
                                        f"duplicate section id {section.id!r}"))
            seen.add(section.id)
        corpus.documents[doc.id] = doc

    for single, model, attr in (("topics.yaml", TopicsFile, "topics"),
                                ("sources.yaml", SourcesFile, "sources")):
        path = root_path / single
        if not path.exists():
            continue
        parsed, found, _ = parse_model(model, path, rel(path))
        problems.extend(found)
        if parsed is None:
            continue
        for i, item in enumerate(getattr(parsed, attr)):
            target: dict[str, Any] = getattr(corpus, attr)
            if item.id in target:
                problems.append(Problem(rel(path), f"{attr}.{i}.id", f"duplicate id {item.id!r}"))
            target[item.id] = item

    facts_path = root_path / "facts.yaml"
    if facts_path.exists():
        facts, found, _ = parse_model(FactsFile, facts_path, rel(facts_path))
        problems.extend(found)
        if facts is not None:
            corpus.facts = list(facts.facts)
            for i, fact in enumerate(facts.facts):
                problems.extend(_check_refs(rel(facts_path), f"facts.{i}", corpus,
                                            sources=fact.sources, topics=fact.topics))

    for path in _yaml_files(root_path / "analyses"):
        parsed_a, found, _ = parse_model(AnalysisFile, path, rel(path))
        problems.extend(found)
        if parsed_a is None:
            continue
        _check_analysis_file(corpus, parsed_a, path.stem, rel(path))

    for doc in corpus.documents.values():
        _check_document_refs(corpus, doc, rel(doc_dir / f"{doc.id}.yaml"))
    for i, topic in enumerate(corpus.topics.values()):
        problems.extend(_check_cites(corpus, rel(root_path / "topics.yaml"),
                                     f"topics.{i}.why_cites", topic.why_cites, None))
    problems.sort(key=lambda p: (p.file, p.line or 0, p.path))
    return corpus


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
        if relation.target not in corpus.documents:
            problems.append(Problem(name, where + ".target",
                                    f"unknown document {relation.target!r}"))
        elif relation.section and relation.section not in corpus.sections_of(relation.target):
            problems.append(Problem(name, where + ".section", f"document {relation.target!r} "
                                    f"has no section {relation.section!r}"))
    for section, _ in iter_sections(doc.sections):
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
            elif target not in corpus.documents:
                out.append(Problem(name, cw, f"unknown document {target!r}"))
            elif cite.section not in corpus.sections_of(target):
                out.append(Problem(name, cw, f"document {target!r} has no section "
                                   f"{cite.section!r}", severity="warning"))
    return out
