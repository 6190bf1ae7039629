"""``billdiff init DIR``: a copy of the bundled dossier in a folder a user can edit.

The copy is whole or not at all: files are copied (and flushed to the disk) into a new folder
beside *DIR*, the copy is read back and validated like any corpus, and only then does the
folder take *DIR*'s name (one rename).  On any error (a full disk, a folder that cannot be
written, a path under a file) the temporary folder is removed, so nothing is left behind, and
the error is one line.  *DIR* must not exist, or be an empty folder; its parent must exist.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from billdiff import settings
from billdiff.errors import BilldiffError
from billdiff.load import load_corpus

#: The files of a corpus (what is copied): YAML, at the top and in these folders.
_FOLDERS = ("", "documents", "analyses")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def corpus_files(root: Path) -> list[Path]:
    """The corpus files under *root*, relative to it, sorted."""
    out: list[Path] = []
    for folder in _FOLDERS:
        base = root / folder if folder else root
        if base.is_dir():
            out += sorted(p.relative_to(root) for p in base.iterdir()
                          if p.suffix in (".yaml", ".yml") and p.is_file())
    return out


def _refuse(folder: Path) -> None:
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise BilldiffError("already exists", where=str(folder),
                            fix="choose a new folder; nothing was written")
    if folder.is_dir() and any(folder.iterdir()):
        raise BilldiffError("already exists and is not empty", where=str(folder),
                            fix="choose a new folder; nothing was written")
    parent = folder.parent
    if parent.exists() and not parent.is_dir():
        raise BilldiffError(f"{parent} is a file, not a folder", where=str(folder),
                            fix="choose a folder inside a folder; nothing was written")
    if not parent.is_dir():
        raise BilldiffError(f"the folder {parent} does not exist", where=str(folder),
                            fix="create it first; nothing was written")


def copy_dossier(folder: str | os.PathLike[str],
                 source: str | os.PathLike[str] | None = None) -> int:
    """Copy the bundled dossier (or the corpus *source*) to *folder*; the number of files
    copied.  :class:`BilldiffError` (nothing written) on any failure."""
    target = Path(os.path.abspath(folder))
    src = Path(source) if source is not None else settings.DEFAULT_BILLS_DIR
    _refuse(target)
    names = corpus_files(src)
    if not names:
        raise BilldiffError("no corpus files to copy", where=str(src),
                            fix="reinstall billdiff (the bundled dossier is missing)")
    tmp: Path | None = None
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.init-", dir=target.parent))
        for name in names:
            dest = tmp / name
            dest.parent.mkdir(exist_ok=True)
            with open(src / name, "rb") as reader, open(dest, "xb") as writer:
                shutil.copyfileobj(reader, writer)
                writer.flush()
                os.fsync(writer.fileno())
        for sub in (tmp, *(tmp / f for f in _FOLDERS if f and (tmp / f).is_dir())):
            os.chmod(sub, 0o777 & ~_umask())  # mkdtemp makes it private; a copy is not
        copied = load_corpus(tmp, cache=False)
        if copied.errors:
            raise BilldiffError(f"the copy does not validate: {copied.errors[0]}",
                                where=str(target), fix="nothing was written; please report it")
        os.rename(tmp, target)  # over an empty folder too
        tmp = None
    except OSError as err:
        raise BilldiffError(f"cannot write it ({err.strerror or err}); nothing written",
                            where=str(target),
                            fix="free some space or choose a folder you can write to") from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    _sync_folder(target.parent)
    return len(names)


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries to the disk (the rename), where the system allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not on this system (Windows); the files themselves were flushed
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


__all__ = ["copy_dossier", "corpus_files"]
