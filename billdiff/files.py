"""Writing files a user asked for: whole or not at all, never over a file without ``force``.

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

from billdiff.errors import BilldiffError


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
