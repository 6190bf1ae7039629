"""Reading files with a size cap, and writing files a user asked for: whole or not at all,
never over a file without ``force``, and never over anything that is not a regular file.

:func:`read_limited` is the one way billdiff reads a file it was given (corpus YAML, DC Code
XML, plain text and PDF imports, cache entries): the path is checked to be a regular file
before it is opened (a FIFO would block the open until some other process writes to it, a
device could be read forever), opened without blocking, checked again on the open handle (the
path can be swapped meanwhile), its size checked before reading and again on what was read (a
file can grow meanwhile), with errors that name the file and the limit.  :func:`open_regular`
is the same check for code that reads only the start of a file (format detection).

One implementation for every command that writes (``compare --out``, ``import``, ``fetch``,
``factsheet``, the corpus cache): the data goes to a temporary file in the same folder, is
flushed to disk, gets the mode any new file would get (``mkstemp`` makes it private), then
takes the place of the target (``os.replace`` with *force*; without it a hard link, which fails
if the target appeared meanwhile).  An existing target is replaced only if it is a regular file:
a symbolic link, a FIFO, a device or a folder is refused, even with *force*.  Errors name the
target, never the temporary file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from billdiff.errors import BilldiffError, InputTooLarge

#: Open flags for reading a file given by a user: never block on a FIFO, never make a terminal
#: our controlling terminal.  (Windows has neither flag, nor FIFOs in its file system.)
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | \
    getattr(os, "O_BINARY", 0)


def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words (``a FIFO``, ``a folder``...)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def _not_regular(mode: int, where: str) -> BilldiffError:
    return BilldiffError(f"not a regular file ({kind_of(mode)})", where=where,
                         fix="give the path of a regular file")


def open_regular(path: str | os.PathLike[str], *, where: str | None = None,
                 read_fix: str | None = "check the path") -> BinaryIO:
    """Open *path* for reading in binary mode if it is a regular file (symbolic links to one
    are followed); :class:`BilldiffError` ("not a regular file (a FIFO)", "cannot read file:
    ...") otherwise.  Never blocks on a FIFO and never opens a device."""
    where = where or os.fspath(path)
    try:
        # stat first, so that a device is never opened at all (opening one can have effects)
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(mode, where)
        fd = os.open(path, _READ_FLAGS)
    except OSError as err:
        raise BilldiffError(f"cannot read file: {err.strerror or err}", where=where,
                            fix=read_fix) from err
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # swapped between the stat and the open
            raise _not_regular(mode, where)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(path: str | os.PathLike[str], limit: int, *, where: str | None = None,
                 limit_for: str = "", size_fix: str | None = None,
                 read_fix: str | None = "check the path") -> bytes:
    """The bytes of *path*, never more than *limit* of them.

    :class:`InputTooLarge` ("file is N bytes, over the L-byte limit" + *limit_for*, with
    *size_fix*) if it is larger; :class:`BilldiffError` ("not a regular file (a FIFO)", or
    "cannot read file: ...", with *read_fix*) if it is not a regular file or cannot be opened
    or read.  *where* names the file in errors (default: the path).
    """
    where = where or os.fspath(path)
    data = b""
    handle = open_regular(path, where=where, read_fix=read_fix)
    try:
        with handle:
            size = os.fstat(handle.fileno()).st_size
            if size <= limit:
                # One more byte than the file has shows whether it grew meanwhile (without a
                # buffer of the whole limit for every small file).
                data = handle.read(size + 1)
                if len(data) > size:
                    data += handle.read(limit + 1 - len(data))
    except OSError as err:
        raise BilldiffError(f"cannot read file: {err.strerror or err}", where=where,
                            fix=read_fix) from err
    if size > limit or len(data) > limit:
        amount = f"{size:,} bytes" if size > limit else f"more than {limit:,} bytes"
        raise InputTooLarge(f"file is {amount}, over the {limit:,}-byte limit{limit_for}",
                            where=where, fix=size_fix)
    return data


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _exists(path: Path) -> BilldiffError:
    return BilldiffError("already exists", where=str(path),
                         fix="pass --force to replace it, or choose another --out")


def _existing_mode(path: Path) -> int | None:
    """``st_mode`` of what is at *path* itself (a link is not followed), or None."""
    try:
        return os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as err:
        raise BilldiffError(f"cannot write it ({err.strerror or err}); nothing written",
                            where=str(path)) from err


def write_atomically(path: str | os.PathLike[str], data: bytes | Sequence[bytes], *,
                     force: bool, durable: bool = True) -> None:
    """Write *data* (bytes, or chunks of bytes written one after the other, so that a caller
    need not join them into a second copy) to *path* (see the module docstring);
    :class:`BilldiffError` otherwise.

    *durable* (the default) flushes the data to the disk before the file takes its place, so
    that a crash never leaves an empty file behind; a cache, which validates what it reads
    back, can do without it.
    """
    path = Path(path)
    mode = _existing_mode(path)
    if mode is not None:
        if not force:
            raise _exists(path)
        if not stat.S_ISREG(mode):
            raise BilldiffError(f"not a regular file ({kind_of(mode)}); only a regular file is "
                                "ever replaced, nothing written", where=str(path),
                                fix="remove it first, or choose another --out")
    folder = path.parent
    if not folder.is_dir():
        raise BilldiffError(f"the folder does not exist ({folder})", where=str(path),
                            fix="create it first")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise BilldiffError(f"cannot write here ({err.strerror or err}); nothing written",
                            where=str(path)) from err
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            for chunk in (data,) if isinstance(data, bytes) else data:
                handle.write(chunk)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if force:
            # Checked again just before: what took the target's place since the first check
            # must be a regular file too (a narrower window; rename cannot check for us).
            again = _existing_mode(path)
            if again is not None and not stat.S_ISREG(again):
                raise BilldiffError(f"not a regular file ({kind_of(again)}); only a regular "
                                    "file is ever replaced, nothing written", where=str(path),
                                    fix="remove it first, or choose another --out")
            os.replace(tmp, path)
            return
        try:
            os.link(tmp, path)
        except FileExistsError as err:
            raise _exists(path) from err
        except OSError:  # no hard links on this file system
            if _existing_mode(path) is not None:
                raise _exists(path) from None
            os.replace(tmp, path)
    except OSError as err:
        raise BilldiffError(f"cannot write it ({err.strerror or err}); nothing written",
                            where=str(path)) from err
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
