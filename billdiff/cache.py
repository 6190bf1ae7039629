"""A cache of validated corpus files, so that a file that has not changed is not parsed again.

Reading a large document from YAML costs far more than the comparison that follows (a DC Code
title of 3.5 MB: about 0.15 s to parse and validate, against 0.03 s to validate the same
document from JSON in pydantic-core).  So once a file has been read and validated, the result
is kept as JSON, and the next process that meets a file with the same bytes validates the JSON
instead (``model_validate_json``: parsed and checked by pydantic-core in one pass).

What makes an entry trustworthy:

- it is found by the SHA-256 of the file's bytes, so an edited file never finds the entry of
  its earlier content (and copies of a file share one entry);
- its first line names the cache format, the billdiff version, a fingerprint of the schema
  (the source of the modules that define and read it, and the pydantic versions), the model,
  the content hash and the SHA-256 of the JSON that follows; an entry that does not match in
  every part, or whose JSON does not validate, is ignored and rebuilt;
- the JSON is validated like any input: an entry is data, never code (no pickle).

Only files that validated are cached; a file with problems is read from YAML every time, so
its problems (and their lines) are always the loader's own.  Entries are written atomically
(:func:`billdiff.files.write_atomically`), so two processes writing the same entry at once
leave one whole entry.  A cache that cannot be read or written (a read-only folder, a full
disk, no home folder) is skipped without a word: it only ever saves time.

The folder is ``BILLDIFF_CACHE_DIR`` (``off`` turns the cache off), by default the platform's
per-user cache folder (``$XDG_CACHE_HOME/billdiff``, else ``~/.cache/billdiff``; see
:func:`default_cache_dir`), not a folder beside the corpus: a corpus is often read-only (the
bundled dossier inside an installed package), under version control (a cache would show in
``git status``), or shared by several people (whoever can write a cache beside a shared corpus
could change what everyone else is shown, though the YAML is untouched).  Entries not used for
30 days are removed when an entry is written.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import time
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from billdiff import __version__, settings
from billdiff.errors import BilldiffError
from billdiff.files import open_regular, write_atomically

FORMAT = "billdiff-cache/1"
#: The environment variable that names the cache folder (``off``: no cache).
ENV_VAR = "BILLDIFF_CACHE_DIR"
OFF = "off"
#: Entries unused for this long are removed (when an entry is written).
MAX_AGE_SECONDS = 30 * 24 * 3600
#: Temporary files older than this are what a killed process left behind.
STALE_TMP_SECONDS = 3600
#: The modules whose code decides what a file validates to: any change to them invalidates.
_SOURCES = ("model.py", "load.py", "cache.py")

M = TypeVar("M", bound=BaseModel)


def default_cache_dir() -> Path | None:
    """The platform's per-user cache folder for billdiff (None if there is no home folder).

    ``%LOCALAPPDATA%\\billdiff\\Cache`` on Windows, ``~/Library/Caches/billdiff`` on macOS,
    else ``$XDG_CACHE_HOME/billdiff`` or ``~/.cache/billdiff`` (the XDG base directory rule).
    """
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "billdiff" / "Cache" if base else None
    try:
        home = Path.home()
    except (RuntimeError, KeyError):  # no HOME and no passwd entry
        home = None
    if sys.platform == "darwin" and home is not None:
        return home / "Library" / "Caches" / "billdiff"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):  # the XDG rule: a relative value is ignored
        return Path(xdg) / "billdiff"
    return home / ".cache" / "billdiff" if home is not None else None


def cache_dir() -> Path | None:
    """The cache folder in use: ``$BILLDIFF_CACHE_DIR``, else :func:`default_cache_dir`;
    None when the cache is off (``BILLDIFF_CACHE_DIR=off``)."""
    raw = (settings.current().cache_dir or "").strip()
    if raw.lower() == OFF:
        return None
    return Path(raw).expanduser() if raw else default_cache_dir()


@functools.cache
def schema_fingerprint() -> str:
    """A digest of everything that decides what a file validates to: billdiff's version, the
    pydantic versions, and the source of the schema and the loader (so that a change to a
    model or to the YAML rules invalidates every entry, even without a new version)."""
    import pydantic
    import pydantic_core

    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{pydantic.VERSION}\0"
                            f"{pydantic_core.__version__}".encode())
    here = Path(__file__).resolve().parent
    for name in _SOURCES:
        try:
            digest.update(b"\0" + (here / name).read_bytes())
        except OSError:
            # Installed without sources (a frozen application): the schema itself stands in
            # for them (it misses a change in a validator's code; the version then must not).
            from billdiff import model

            digest.update(b"\0" + str([cls.model_json_schema() for cls in (
                model.Document, model.TopicsFile, model.SourcesFile, model.FactsFile,
                model.AnalysisFile, model.GlossaryFile)]).encode())
            break
    return digest.hexdigest()[:32]


def content_digest(data: bytes) -> str:
    """The key of a file's entry: the SHA-256 of its bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


class Cache:
    """Validated models as JSON files in *folder*, found by the SHA-256 of the file they were
    read from (*folder* None: no cache; every lookup misses and nothing is written).

    ``hits``, ``misses`` and ``stored`` count what happened (for tests and benchmarks).
    """

    def __init__(self, folder: str | os.PathLike[str] | None) -> None:
        self.folder = Path(folder) / "files" if folder is not None else None
        self.hits = 0
        self.misses = 0
        self.stored = 0
        self._pruned = False

    @classmethod
    def default(cls) -> Cache:
        """The cache the settings name (:func:`cache_dir`)."""
        return cls(cache_dir())

    @property
    def enabled(self) -> bool:
        """True when entries are looked up and written."""
        return self.folder is not None

    def entry(self, model: type[BaseModel], digest: str) -> Path | None:
        """The file of *model*'s entry for content *digest* (None when the cache is off)."""
        if self.folder is None:
            return None
        return self.folder / f"{digest}.{model.__name__.lower()}.json"

    @staticmethod
    def _header(model: type[BaseModel], digest: str) -> bytes:
        return (f"{FORMAT} {__version__} {schema_fingerprint()} {model.__module__}."
                f"{model.__qualname__} {digest} ").encode()

    def get(self, model: type[M], digest: str) -> M | None:
        """The model stored for content *digest*, validated again; None if there is none, or
        if the entry does not match in every part (it is then rebuilt by the next
        :meth:`put`)."""
        path = self.entry(model, digest)
        if path is None:
            return None
        expected = self._header(model, digest)
        try:
            # The header line, then the JSON read on its own (no second copy of an entry that
            # can be several MB).
            with open_regular(path) as handle:
                head = handle.readline(len(expected) + 80)
                if not head.startswith(expected) or not head.endswith(b"\n"):
                    self.misses += 1
                    return None
                payload = handle.read(8 * settings.max_file_bytes() + 1)
        except (BilldiffError, OSError):  # absent, unreadable, not a regular file
            self.misses += 1
            return None
        if (len(payload) > 8 * settings.max_file_bytes()
                or head[len(expected):-1] != hashlib.sha256(payload).hexdigest().encode()):
            self.misses += 1
            return None
        try:
            value = model.model_validate_json(payload)
        except (ValidationError, ValueError, RecursionError):
            self.misses += 1
            return None
        try:
            # Mark it used, so that pruning keeps it (a read-only cache simply stays as it is).
            os.utime(path)
        except OSError:
            pass
        self.hits += 1
        return value

    def put(self, value: BaseModel, digest: str) -> bool:
        """Store *value*, read from a file whose content has *digest*; False (and no error) if
        the cache is off or cannot be written."""
        model = type(value)
        path = self.entry(model, digest)
        if path is None:
            return False
        try:
            # Only the fields the file gave: the entry validates back to an equal model with the
            # same fields set.  Bytes straight from pydantic-core, no second copy as str.
            payload = model.__pydantic_serializer__.to_json(value, exclude_unset=True)
        except ValueError:  # text JSON cannot hold (a lone surrogate): not cached
            return False
        head = (self._header(model, digest) + hashlib.sha256(payload).hexdigest().encode()
                + b"\n")
        try:
            # Private: a corpus may not be public, and nobody else should write what we read.
            path.parent.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            path.parent.mkdir(mode=0o700, exist_ok=True)
            # Not flushed to the disk: after a crash a torn entry fails its checks and is
            # rebuilt, and an fsync per file would cost more than the cache saves.
            write_atomically(path, (head, payload), force=True, durable=False)
        except (OSError, BilldiffError):
            return False
        self.stored += 1
        if not self._pruned:
            self._pruned = True
            self.prune()
        return True

    def prune(self, now: float | None = None) -> int:
        """Remove entries unused for 30 days and temporary files left by killed processes;
        the number removed (errors are ignored: another process may be pruning too)."""
        if self.folder is None:
            return 0
        now = time.time() if now is None else now
        removed = 0
        try:
            with os.scandir(self.folder) as entries:
                for item in entries:
                    try:
                        if not item.is_file(follow_symlinks=False):
                            continue
                        age = now - item.stat(follow_symlinks=False).st_mtime
                        if ((item.name.endswith(".json") and age > MAX_AGE_SECONDS)
                                or (item.name.endswith(".tmp") and age > STALE_TMP_SECONDS)):
                            os.unlink(item.path)
                            removed += 1
                    except OSError:
                        continue
        except OSError:
            pass
        return removed
