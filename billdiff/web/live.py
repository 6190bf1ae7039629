"""The corpus a running site serves, kept live: a change to its files is picked up without a
restart, and a change that breaks them never takes the site down.

- At start the corpus is read and validated once (:meth:`LiveCorpus.load`).
- While the site runs, a request at most every ``CORPUS_CHECK_SECONDS`` starts a check in a
  background thread (:meth:`LiveCorpus.poll`: one comparison of two numbers on every other
  request, so requests never wait for it).  The check compares the files' stat signatures
  (name, size, modification time, inode of every corpus file); only when they differ is the
  corpus read again, which the loader's cache of validated files (:mod:`billdiff.cache`) makes
  cheap for the files that did not change.
- A corpus that reads with no error replaces the one served (:attr:`LiveCorpus.loaded`).  One
  with errors (a file edited into invalid YAML, a document removed that others cite, the
  folder gone) does not: the site keeps serving the last good corpus, the status page and
  ``/healthz`` show the problems (:attr:`LiveCorpus.trouble`) and the log says what happened,
  once per change.  The next valid change is served as usual.
- A corpus that changed while it was being read is not taken (its content may be half old,
  half new); the next check reads it again.

What pages are cached under (:mod:`billdiff.web.caching`) is :attr:`Loaded.fingerprint`, a
digest of the content of every file, so a page is never served from a corpus it was not made
from.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from billdiff.errors import BilldiffError
from billdiff.load import Corpus, load_corpus
from billdiff.wording import plural

log = logging.getLogger("billdiff.web")

#: Most problems kept for the status page (``billdiff validate`` lists them all).
MAX_SHOWN = 50
#: One file's stat signature: name, then (kind, size, mtime ns, ctime ns, inode), or the error.
Signature = tuple[tuple[str, tuple[int, ...] | str], ...]


def signature(root: Path) -> Signature:
    """The stat signature of every corpus file under *root* (the top-level YAML files and those
    of ``documents/`` and ``analyses/``), sorted; cheap (no file is opened)."""
    out: list[tuple[str, tuple[int, ...] | str]] = []
    for folder, prefix in ((root, ""), (root / "documents", "documents/"),
                           (root / "analyses", "analyses/")):
        try:
            names = sorted(os.listdir(folder))
        except OSError as err:
            out.append((prefix or ".", f"cannot list: {err.strerror or err}"))
            continue
        for name in names:
            if not name.endswith((".yaml", ".yml")):
                continue
            try:
                st = os.stat(folder / name)  # follows links, as the loader does
            except OSError as err:
                out.append((prefix + name, f"cannot stat: {err.strerror or err}"))
                continue
            out.append((prefix + name, (stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns,
                                        st.st_ctime_ns, st.st_ino)))
    return tuple(out)


def _changed(old: Signature, new: Signature) -> set[str]:
    """The names whose stat signature differs (added, removed or changed)."""
    return {name for name, _ in set(old) ^ set(new)}


def fingerprint(root: Path, sig: Signature) -> str:
    """A digest of the content of every regular file in *sig* (names and bytes)."""
    digest = hashlib.sha256()
    for name, info in sig:
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        if isinstance(info, tuple) and stat.S_ISREG(info[0]):
            try:
                with open(root / name, "rb") as handle:
                    digest.update(hashlib.file_digest(handle, "sha256").digest())
            except OSError as err:
                digest.update(f"!{err.errno}".encode())
        else:
            digest.update(repr(info).encode())
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class Loaded:
    """A corpus that read with no error, and what it was read from."""

    corpus: Corpus
    fingerprint: str
    signature: Signature
    #: When it was read (seconds since the epoch).
    at: float


@dataclass(frozen=True)
class Trouble:
    """The corpus files as they are now cannot be used (the site serves :class:`Loaded`)."""

    #: The first problems, as ``billdiff validate`` prints them.
    problems: tuple[str, ...]
    count: int
    signature: Signature
    #: When the problem was first seen (seconds since the epoch).
    since: float

    @property
    def summary(self) -> str:
        """One line: how many problems, and the first."""
        first = self.problems[0] if self.problems else "unknown problem"
        more = f" and {plural(self.count - 1, 'more problem')}" if self.count > 1 else ""
        return f"{first}{more}"


class LiveCorpus:
    """The corpus of one folder, as served (see the module docstring).

    *interval*: seconds between checks (0: every request).  *on_change* is called, in the
    checking thread, with each newly loaded corpus.
    """

    def __init__(self, root: str | os.PathLike[str], interval: float,
                 on_change: Callable[[Loaded], None] | None = None) -> None:
        self.root = Path(root)
        self.interval = interval
        self.on_change = on_change
        self.loaded: Loaded | None = None
        self.trouble: Trouble | None = None
        #: When the files were last checked (seconds since the epoch), and checks made.
        self.checked_at: float | None = None
        self.checks = 0
        self._due = 0.0
        self._running = False
        self._lock = threading.Lock()
        self._read_lock = threading.Lock()

    # -- reading ------------------------------------------------------------------------------

    def load(self) -> None:
        """Read the corpus now (at start); never raises for a corpus that cannot be used: see
        :attr:`trouble` (not logged: the app reports it, or refuses to start)."""
        self._read(self._signature(), initial=True)

    def _signature(self) -> Signature:
        return signature(self.root)

    def _read(self, before: Signature, *, initial: bool = False) -> bool:
        """Read the corpus whose files have signature *before*; True if it is now served."""
        with self._read_lock:
            print_problem = not initial and (self.trouble is None
                                             or self.trouble.signature != before)
            try:
                digest = fingerprint(self.root, before)
                corpus = load_corpus(self.root)
            except BilldiffError as err:  # the folder is gone or cannot be listed
                self._fail((err.message,), 1, before, print_problem)
                return False
            except Exception as err:  # noqa: BLE001 - a check must never end the site
                log.exception("corpus %s: reading it failed", self.root.name)
                self._fail((f"reading the corpus failed: {type(err).__name__}",), 1, before,
                           print_problem)
                return False
            after = self._signature()
            if after != before:
                # Changed while it was read: what was read may be half old, half new.
                log.info("corpus %s changed while it was read; reading it again at the next "
                         "check", self.root.name)
                return False
            errors = corpus.errors
            if errors:
                # The problems of the files that changed first: most likely the cause.
                changed = _changed(self.loaded.signature if self.loaded else (), before)
                errors.sort(key=lambda p: not any(p.file.endswith("/" + n) for n in changed))
                self._fail(tuple(str(p) for p in errors[:MAX_SHOWN]), len(errors), before,
                           print_problem)
                return False
            loaded = Loaded(corpus, digest, before, time.time())
            fixed = self.trouble is not None
            first = self.loaded is None
            self.loaded, self.trouble = loaded, None
            if corpus.warnings:
                log.warning("corpus %s: %s (run `billdiff validate`)", self.root.name,
                            plural(len(corpus.warnings), "stale reference"))
            if not first:
                log.warning("corpus %s reloaded%s: %s", self.root.name,
                            " (the problem is fixed)" if fixed else "",
                            plural(len(corpus.document_ids()), "document"))
            if self.on_change is not None:
                self.on_change(loaded)
            return True

    def _fail(self, problems: tuple[str, ...], count: int, sig: Signature,
              report: bool) -> None:
        self.trouble = Trouble(problems, count, sig, time.time() if report or self.trouble
                               is None else self.trouble.since)
        if report:
            serving = (f"still serving the corpus read at "
                       f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(self.loaded.at))}"
                       if self.loaded else "no corpus to serve")
            log.error("corpus %s has %s; %s: %s", self.root.name, plural(count, "problem"),
                      serving, self.trouble.summary)

    # -- checking ---------------------------------------------------------------------------

    def poll(self) -> None:
        """Start a check in the background if one is due (cheap; called on every request)."""
        now = time.monotonic()
        if now < self._due:
            return
        with self._lock:
            if now < self._due or self._running:
                return
            self._due = now + self.interval
            self._running = True
        threading.Thread(target=self._check_in_background, name="billdiff-corpus-check",
                         daemon=True).start()

    def _check_in_background(self) -> None:
        try:
            self.check()
        finally:
            with self._lock:
                self._running = False

    def check(self) -> bool:
        """Compare the files with what is served, and read them again if they changed; True
        if a new corpus is now served."""
        sig = self._signature()
        self.checks += 1
        self.checked_at = time.time()
        served = self.loaded.signature if self.loaded else None
        if sig == served or (self.trouble is not None and sig == self.trouble.signature):
            return False
        return self._read(sig)


def refreeze() -> None:
    """After a new corpus replaced the old one: let the collector free the old one (it was
    frozen out of the collector's generations at start), then freeze what lives on."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


__all__ = ["Loaded", "LiveCorpus", "Trouble", "fingerprint", "refreeze", "signature"]
