"""Shared fixtures: the bundled corpus, paths, and the ../shared corpora (skipped when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BILLS = ROOT / "bills"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("BILLDIFF_SHARED", ROOT.parent / "shared"))
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with a clear reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the full corpora live in ../shared beside the project "
                    "(CI always has them; a user's clone does not)")
    return path


@pytest.fixture(scope="session")
def corpus():
    """The bundled dossier, loaded once."""
    from billdiff.load import load_corpus

    return load_corpus(BILLS)


@pytest.fixture
def artifacts() -> Path:
    """Folder for screenshots and PNGs a person can look at (not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """The suite never writes to the user's cache folder: a fresh one for the session."""
    folder = tmp_path_factory.mktemp("billdiff-cache")
    previous = os.environ.get("BILLDIFF_CACHE_DIR")
    os.environ["BILLDIFF_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("BILLDIFF_CACHE_DIR", None)
    else:
        os.environ["BILLDIFF_CACHE_DIR"] = previous
