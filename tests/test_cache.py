"""billdiff.cache: a warm load gives exactly what a cold load gives, and a bad cache is never
trusted, never an error."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import BILLS, shared_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import billdiff.load as load
from billdiff.cache import Cache, cache_dir, content_digest, default_cache_dir
from billdiff.importers import dump_document
from billdiff.load import load_corpus
from billdiff.model import Completeness, Document, Provenance, Section, SourceRef, TextStatus


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "cache")


def _no_yaml(monkeypatch) -> None:
    """Make any YAML parse fail the test: a warm load must not parse."""
    def refuse(*_args, **_kw):
        raise AssertionError("a warm load parsed YAML")

    monkeypatch.setattr(load, "_build", refuse)


def assert_same(cold, warm) -> None:
    """Two loads of one corpus hold equal models with the same fields set, and one problem list."""
    assert warm.problems == cold.problems
    assert list(warm.documents) == list(cold.documents)
    for doc_id, doc in cold.documents.items():
        other = warm.documents[doc_id]
        assert other == doc
        # the same fields given: what exclude_unset / model_fields_set readers see
        assert other.model_dump_json(exclude_unset=True) == doc.model_dump_json(exclude_unset=True)
        assert other.model_dump_json() == doc.model_dump_json()
    for attr in ("topics", "analyses", "sources", "facts", "glossary"):
        assert getattr(warm, attr) == getattr(cold, attr), attr


def _copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, symlinks=False)
    return dest


def test_the_bundled_corpus_cold_and_warm_are_the_same(tmp_path, cache, monkeypatch):
    root = _copy(BILLS, tmp_path / "bills")
    cold = load_corpus(root, cache=False)
    first = load_corpus(root, cache=cache)
    n_files = sum(1 for _ in root.rglob("*.yaml"))
    assert cache.stored == n_files
    assert cache.hits == 0
    _no_yaml(monkeypatch)
    warm = load_corpus(root, cache=cache)
    assert cache.hits == n_files
    assert_same(cold, first)
    assert_same(cold, warm)


@pytest.mark.corpus
@pytest.mark.slow
def test_a_whole_dc_title_cold_and_warm_are_the_same(tmp_path, cache, monkeypatch):
    from billdiff.importers.dc_xml import import_dc_xml

    title = shared_path("corpora", "dc-code", "2019-01-04", "2")
    root = tmp_path / "dc"
    (root / "documents").mkdir(parents=True)
    doc = import_dc_xml(title, "dc-2-2019")
    (root / "documents" / "dc-2-2019.yaml").write_text(dump_document(doc), encoding="utf-8")
    cold = load_corpus(root, cache=False)
    assert cold.problems == []
    assert cold.document("dc-2-2019") == doc  # and YAML gives back what was imported
    load_corpus(root, cache=cache)
    _no_yaml(monkeypatch)
    warm = load_corpus(root, documents=["dc-2-2019"], cache=cache)
    assert cache.hits == 1
    assert_same(cold, warm)


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@st.composite
def documents(draw) -> Document:
    n = draw(st.integers(1, 4))
    sections = tuple(Section(
        id=f"sec_{i}", number=draw(st.none() | _text), heading=draw(st.none() | _text),
        text=draw(_text.filter(str.strip)), status=TextStatus.OFFICIAL,
        notes=tuple(draw(st.lists(_text, max_size=2))),
    ) for i in range(n))
    return Document(
        id="d", kind="bill", jurisdiction=draw(_text.filter(str.strip)),
        number=draw(_text.filter(str.strip)), title="T", filed=draw(st.none() | st.just("2024")),
        provenance=Provenance(completeness=Completeness.COMPLETE, summary="s",
                              sources=(SourceRef(url="https://example.org/", description="x"),)),
        sections=sections)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=documents())
def test_any_text_survives_the_cache_exactly(tmp_path_factory, doc):
    root = tmp_path_factory.mktemp("c")
    (root / "documents").mkdir()
    text = dump_document(doc)
    (root / "documents" / "d.yaml").write_text(text, encoding="utf-8")
    mine = Cache(root / "cache")
    cold = load_corpus(root, cache=mine)
    warm = load_corpus(root, cache=mine)
    assert mine.hits == 1
    assert cold.problems == warm.problems == []
    assert warm.document("d") == cold.document("d")
    if "\x85" not in text:  # PyYAML's dumper folds a NEL in a quoted scalar (not the cache)
        assert cold.document("d") == doc


GOOD = """\
id: h1
kind: bill
jurisdiction: Testland
number: "H.1"
title: An Act for testing
provenance:
  completeness: complete
  summary: Written for the tests.
  sources:
    - url: https://example.org/h1
      description: test
sections:
  - id: sec_1
    status: official
    text: The first text.
"""


@pytest.fixture
def one(tmp_path: Path) -> Path:
    root = tmp_path / "one"
    (root / "documents").mkdir(parents=True)
    (root / "documents" / "h1.yaml").write_text(GOOD, encoding="utf-8")
    return root


def test_an_edited_file_is_read_again(one, cache):
    assert load_corpus(one, cache=cache).document("h1").sections[0].text == "The first text."
    path = one / "documents" / "h1.yaml"
    path.write_text(GOOD.replace("The first text.", "The second text."), encoding="utf-8")
    corpus = load_corpus(one, cache=cache)
    assert corpus.document("h1").sections[0].text == "The second text."
    assert (cache.hits, cache.misses, cache.stored) == (0, 2, 2)
    # an edit that breaks the file is reported, never hidden by the entry of the good bytes
    path.write_text(GOOD.replace("kind: bill", "kind: law"), encoding="utf-8")
    assert [p.path for p in load_corpus(one, cache=cache).problems] == ["kind"]
    path.write_text(GOOD, encoding="utf-8")  # back to the first bytes: that entry again
    assert load_corpus(one, cache=cache).document("h1").sections[0].text == "The first text."
    assert cache.hits == 1


def _entry(one: Path, cache: Cache) -> Path:
    digest = content_digest((one / "documents" / "h1.yaml").read_bytes())
    path = cache.entry(Document, digest)
    assert path is not None
    return path


def _tamper(kind: str, data: bytes, other: bytes) -> bytes:
    head, _, payload = data.partition(b"\n")
    if kind == "truncated":
        return data[: len(data) // 2]
    if kind == "empty":
        return b""
    if kind == "garbage":
        return b"\x00\xff not a cache entry"
    if kind == "payload-edited":  # valid JSON, valid document, but not what the header hashed
        return head + b"\n" + payload.replace(b"The first text.", b"Forged text here")
    if kind == "other-version":
        return data.replace(b"billdiff-cache/1 ", b"billdiff-cache/1 0.0.0-", 1)
    if kind == "other-document":  # a whole, valid entry, of another file's bytes
        return other
    if kind == "no-header":
        return payload
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["truncated", "empty", "garbage", "payload-edited",
                                  "other-version", "other-document", "no-header"])
def test_a_corrupted_or_foreign_entry_is_ignored_and_rebuilt(one, cache, tmp_path, kind):
    load_corpus(one, cache=cache)
    entry = _entry(one, cache)
    good = entry.read_bytes()
    other_root = tmp_path / "other"
    (other_root / "documents").mkdir(parents=True)
    (other_root / "documents" / "h1.yaml").write_text(
        GOOD.replace("The first text.", "Another file's text."), encoding="utf-8")
    load_corpus(other_root, cache=cache)
    other = _entry(other_root, cache).read_bytes()

    entry.write_bytes(_tamper(kind, good, other))
    corpus = load_corpus(one, cache=cache)
    assert corpus.problems == []
    assert corpus.document("h1").sections[0].text == "The first text."
    assert entry.read_bytes() == good  # rebuilt, whole
    hits = cache.hits
    load_corpus(one, cache=cache)
    assert cache.hits == hits + 1


def test_an_entry_is_json_data_with_its_header(one, cache):
    import json

    load_corpus(one, cache=cache)
    head, _, payload = _entry(one, cache).read_bytes().partition(b"\n")
    fields = head.decode("ascii").split(" ")
    assert fields[0] == "billdiff-cache/1"
    assert fields[3] == "billdiff.model.Document"
    assert fields[4] == content_digest((one / "documents" / "h1.yaml").read_bytes())
    assert json.loads(payload)["id"] == "h1"


def test_a_cache_that_cannot_be_created_is_skipped(one, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    mine = Cache(blocker / "cache")  # under a regular file: no one can create it, not even root
    for _ in range(2):
        corpus = load_corpus(one, cache=mine)
        assert corpus.problems == []
        assert corpus.document("h1").id == "h1"
    assert (mine.hits, mine.stored) == (0, 0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_a_cache_in_a_read_only_file_system_is_skipped(one):
    mine = Cache("/proc/self/billdiff-cache")  # /proc: read-only for root too
    assert load_corpus(one, cache=mine).problems == []
    assert mine.stored == 0


def test_a_read_only_cache_folder_serves_what_it_has_and_writes_nothing(one, tmp_path):
    if getattr(os, "geteuid", lambda: 1)() == 0:
        pytest.skip("running as root, which writes through read-only permissions: the "
                    "read-only cases are covered by the two tests before")
    folder = tmp_path / "ro"
    mine = Cache(folder)
    load_corpus(one, cache=mine)
    files = mine.folder
    assert files is not None
    (one / "documents" / "h2.yaml").write_text(GOOD.replace("id: h1", "id: h2"),
                                               encoding="utf-8")
    files.chmod(0o500)
    try:
        again = Cache(folder)
        corpus = load_corpus(one, cache=again)
        assert corpus.problems == []
        assert set(corpus.documents) == {"h1", "h2"}
        assert (again.hits, again.stored) == (1, 0)
    finally:
        files.chmod(0o700)


_WRITER = """
import sys
from billdiff.cache import Cache
from billdiff.load import parse_model
from billdiff.model import Document
from pathlib import Path
path, folder, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
doc, problems, _ = parse_model(Document, path, path.name)
assert doc is not None, problems
digest = sys.argv[4]
cache = Cache(folder)
sys.stdout.write("ready\\n"); sys.stdout.flush()
sys.stdin.readline()
for _ in range(rounds):
    assert cache.put(doc, digest)
"""


def test_two_processes_writing_one_entry_at_once_leave_it_whole(tmp_path):
    """Two writers race on one entry while this process reads it: every read finds a whole
    entry (or, before the first write, none); at the end the entry is whole."""
    from billdiff.importers.dc_xml import import_dc_xml  # noqa: F401 - warm the imports

    root = tmp_path / "big"
    (root / "documents").mkdir(parents=True)
    # a large entry (about 2 MB), so that a torn write would be seen
    big = GOOD.replace("    text: The first text.\n", "    text: " + "word " * 400_000 + "\n")
    path = root / "documents" / "h1.yaml"
    path.write_text(big, encoding="utf-8")
    digest = content_digest(path.read_bytes())
    folder = tmp_path / "cache"
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(folder), "15",
                                 digest], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True) for _ in range(2)]
    try:
        for w in writers:
            assert w.stdout is not None
            assert w.stdout.readline() == "ready\n"
        for w in writers:  # start both at once
            assert w.stdin is not None
            w.stdin.write("go\n")
            w.stdin.flush()
        reader = Cache(folder)
        seen = 0
        while any(w.poll() is None for w in writers):
            got = reader.get(Document, digest)
            if got is not None:
                seen += 1
                assert got.sections[0].text.startswith("word word")
            elif seen:
                raise AssertionError("a reader found a torn entry after a whole one")
        assert [w.wait(timeout=120) for w in writers] == [0, 0]
    finally:
        for w in writers:
            if w.poll() is None:
                w.kill()
                w.wait()
            for pipe in (w.stdin, w.stdout):
                if pipe is not None:
                    pipe.close()
    final = Cache(folder)
    assert final.get(Document, digest) is not None
    assert final.folder is not None
    assert [p.name for p in final.folder.iterdir()] == [f"{digest}.document.json"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_an_entry_that_is_a_fifo_is_neither_read_nor_replaced(one, cache):
    load_corpus(one, cache=cache)
    entry = _entry(one, cache)
    entry.unlink()
    os.mkfifo(entry)
    try:
        result: dict[str, object] = {}
        thread = threading.Thread(target=lambda: result.update(c=load_corpus(one, cache=cache)),
                                  daemon=True)
        thread.start()
        thread.join(20)
        assert not thread.is_alive(), "the cache blocked on a FIFO"
        corpus = result["c"]
        assert corpus.problems == []  # type: ignore[attr-defined]
        assert entry.is_fifo()  # left alone: only regular files are replaced
    finally:
        os.close(os.open(entry, os.O_RDWR | os.O_NONBLOCK))


def test_the_folder_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("BILLDIFF_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
    assert Cache.default().folder == tmp_path / "mine" / "files"
    monkeypatch.setenv("BILLDIFF_CACHE_DIR", "off")
    assert cache_dir() is None
    assert not Cache.default().enabled
    monkeypatch.setenv("BILLDIFF_CACHE_DIR", "")
    assert cache_dir() == default_cache_dir()


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the XDG rule is for the others")
def test_the_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "billdiff"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "billdiff"


def test_old_entries_and_stale_temporary_files_are_pruned(one, cache):
    import time

    load_corpus(one, cache=cache)
    entry = _entry(one, cache)
    assert cache.folder is not None
    old = cache.folder / ("0" * 64 + ".document.json")
    old.write_bytes(b"x")
    tmp = cache.folder / ".x.json.123.tmp"
    tmp.write_bytes(b"x")
    long_ago = time.time() - 31 * 24 * 3600
    os.utime(old, (long_ago, long_ago))
    os.utime(tmp, (long_ago, long_ago))
    assert cache.prune() == 2
    assert sorted(p.name for p in cache.folder.iterdir()) == [entry.name]
    os.utime(entry, (long_ago, long_ago))
    Cache(cache.folder.parent).get(Document, entry.name.split(".")[0])  # a hit marks it used
    assert cache.prune() == 0
