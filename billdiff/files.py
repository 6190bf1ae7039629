"""Reading files with a size cap, and writing files a user asked for: whole or not at all,
never over a file without ``force``.

:func:`read_limited` is the one way billdiff reads a file it was given (corpus YAML, DC Code
XML, plain text and PDF imports): one open, the size checked before reading and again on what
was read (a file can grow meanwhile), errors that name the file and the limit.

One implementation for every command that writes (``compare --out``, ``import``, ``fetch``,
``factsheet``): the data goes to a temporary file in the same folder, is flushed to disk, gets
the mode any new file would get (``mkstemp`` makes it private), then takes the place of the
target (``os.replace`` with *force*; without it a hard link, which fails if the target appeared
meanwhile).  Errors name the target, never the temporary file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from billdiff.errors import BilldiffError, InputTooLarge


def read_limited(path: str | os.PathLike[str], limit: int, *, where: str | None = None,
                 limit_for: str = "", size_fix: str | None = None,
                 read_fix: str | None = "check the path") -> bytes:
    """The bytes of *path*, never more than *limit* of them.

    :class:`InputTooLarge` ("file is N bytes, over the L-byte limit" + *limit_for*, with
    *size_fix*) if it is larger; :class:`BilldiffError` ("cannot read file: ...", with
    *read_fix*) if it cannot be opened or read.  *where* names the file in errors (default:
    the path).
    """
    where = where or os.fspath(path)
    data = b""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size <= limit:
                data = handle.read(limit + 1)
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


def write_atomically(path: str | os.PathLike[str], data: bytes, *, force: bool) -> None:
    """Write *data* to *path* (see the module docstring); :class:`BilldiffError` otherwise."""
    path = Path(path)
    if path.exists() and not force:
        raise _exists(path)
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
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            os.replace(tmp, path)
            return
        try:
            os.link(tmp, path)
        except FileExistsError as err:
            raise _exists(path) from err
        except OSError:  # no hard links on this file system
            if path.exists():
                raise _exists(path) from None
            os.replace(tmp, path)
    except OSError as err:
        raise BilldiffError(f"cannot write it ({err.strerror or err}); nothing written",
                            where=str(path)) from err
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
