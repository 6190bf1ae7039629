"""billdiff.files: read only regular files (never wait on a FIFO), write whole files, and
replace only regular files."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from billdiff.cli import cli
from billdiff.errors import BilldiffError, InputTooLarge
from billdiff.files import open_regular, read_limited, write_atomically

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


def within(fn, timeout: float = 20.0) -> dict[str, object]:
    """Run *fn* in a thread and fail, instead of hanging the suite, if it blocks."""
    out: dict[str, object] = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as err:  # noqa: BLE001 - handed back to the test
            out["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), "blocked instead of refusing"
    return out


@pytest.fixture
def fifo(tmp_path: Path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    yield path
    # a regression left a reader waiting: a writer that opens and closes lets it go
    if path.exists():
        os.close(os.open(path, os.O_RDWR | os.O_NONBLOCK))


def test_reads_a_regular_file_and_a_link_to_one(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello")
    link = tmp_path / "link.txt"
    link.symlink_to(path)
    assert read_limited(path, 10) == b"hello"
    assert read_limited(link, 10) == b"hello"
    with open_regular(link) as handle:
        assert handle.read() == b"hello"


def test_size_limit(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 11)
    with pytest.raises(InputTooLarge, match="file is 11 bytes, over the 10-byte limit for x"):
        read_limited(path, 10, limit_for=" for x", size_fix="split it")


def test_a_fifo_is_refused_at_once(fifo):
    out = within(lambda: read_limited(fifo, 100))
    err = out.get("error")
    assert isinstance(err, BilldiffError)
    assert err.what == "not a regular file (a FIFO)"
    assert err.where == str(fifo)
    assert isinstance(within(lambda: open_regular(fifo)).get("error"), BilldiffError)


def test_a_link_to_a_fifo_is_refused(fifo, tmp_path):
    link = tmp_path / "link.yaml"
    link.symlink_to(fifo)
    assert "a FIFO" in str(within(lambda: read_limited(link, 100))["error"])


@pytest.mark.parametrize(("make", "kind"), [
    (lambda p: p.mkdir(), "a folder"),
    (lambda p: p.symlink_to("/dev/null"), "a character device"),
])
def test_other_things_that_are_not_files_are_refused(tmp_path, make, kind):
    if kind == "a character device" and not Path("/dev/null").exists():
        pytest.skip("no /dev/null here")
    path = tmp_path / "x"
    make(path)
    with pytest.raises(BilldiffError, match=f"not a regular file \\({kind}\\)"):
        read_limited(path, 100)


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(BilldiffError, match="cannot read file: No such file"):
        read_limited(tmp_path / "nope", 100)


@needs_fifo
@pytest.mark.parametrize("fmt", ["plain", "dc-xml", "ma-bill"])
def test_import_of_a_fifo_is_refused(fifo, fmt):
    out = within(lambda: CliRunner().invoke(cli, [
        "import", str(fifo), "--format", fmt, "--id", "x",
        "--source-url", "https://example.org/x"]))
    result = out["value"]
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert "not a regular file (a FIFO)" in result.output  # type: ignore[attr-defined]


# -- writing --------------------------------------------------------------------------------------


def test_writes_a_new_file_and_refuses_an_existing_one_without_force(tmp_path):
    path = tmp_path / "out.txt"
    write_atomically(path, b"one", force=False)
    assert path.read_bytes() == b"one"
    with pytest.raises(BilldiffError, match="already exists"):
        write_atomically(path, b"two", force=False)
    write_atomically(path, b"two", force=True)
    assert path.read_bytes() == b"two"
    write_atomically(path, b"three", force=True, durable=False)
    assert path.read_bytes() == b"three"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]  # no temporary left


def test_force_never_replaces_a_symlink(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_bytes(b"keep me")
    link = tmp_path / "out.txt"
    link.symlink_to(target)
    with pytest.raises(BilldiffError, match=r"not a regular file \(a symbolic link\)"):
        write_atomically(link, b"new", force=True)
    assert link.is_symlink()
    assert target.read_bytes() == b"keep me"
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(BilldiffError, match="already exists"):
        write_atomically(dangling, b"new", force=False)
    with pytest.raises(BilldiffError, match="symbolic link"):
        write_atomically(dangling, b"new", force=True)
    assert dangling.is_symlink()
    assert not (tmp_path / "nowhere").exists()


@needs_fifo
def test_force_never_replaces_a_fifo(fifo):
    out = within(lambda: write_atomically(fifo, b"new", force=True))
    assert "not a regular file (a FIFO)" in str(out["error"])
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_force_never_replaces_a_device_node(tmp_path):
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # /dev/null's numbers
    except (OSError, AttributeError) as err:
        pytest.skip(f"cannot make a device node here ({err}); needs root on Linux")
    with pytest.raises(BilldiffError, match=r"not a regular file \(a character device\)"):
        write_atomically(node, b"new", force=True)
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_force_never_replaces_a_folder(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "inside").write_bytes(b"x")
    with pytest.raises(BilldiffError, match=r"not a regular file \(a folder\)"):
        write_atomically(folder, b"new", force=True)
    assert (folder / "inside").read_bytes() == b"x"


def test_the_cli_refuses_to_replace_a_symlink_with_force(tmp_path):
    bills = Path(__file__).resolve().parent.parent / "bills"
    target = tmp_path / "precious.txt"
    target.write_bytes(b"keep me")
    link = tmp_path / "out.yaml"
    link.symlink_to(target)
    source = tmp_path / "law.txt"
    source.write_text("Section 1. A law.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--bills", str(bills), "import", str(source), "--format",
                                      "plain", "--id", "x", "--source-url",
                                      "https://example.org/x", "--out", str(link), "--force"])
    assert result.exit_code == 2
    assert "not a regular file (a symbolic link)" in result.output
    assert target.read_bytes() == b"keep me"
    assert link.is_symlink()


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(BilldiffError, match="the folder does not exist"):
        write_atomically(tmp_path / "no" / "out.txt", b"x", force=True)
