"""``billdiff build``: the whole site as static files, checked as a reader would get it.

The bundled dossier is built once (a real ``billdiff build`` process) for a sub-folder,
``http://127.0.0.1:PORT/site/``, and served by a plain static file server (``python -m
http.server`` from the parent folder).  A link checker then follows every link and asset of
every page over HTTP, fragments included; every JSON file must parse and every PDF be one page.
Frozen-Flask has skipped files silently in the past, so its output is checked, not trusted.

The faults (a full disk, a folder that cannot be written, a path under a file, a folder of
other files) run on the small golden corpus, in process where the writer must be made to fail.
"""

from __future__ import annotations

import errno
import hashlib
import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from click.testing import CliRunner
from conftest import ROOT

from billdiff.cli import cli

GOLDEN_CORPUS = ROOT / "tests" / "golden" / "corpus"
LINK = re.compile(r"<(a|link|img|script|form|iframe|source)\b[^>]*?\s(href|src|action)"
                  r'="([^"]*)"', re.IGNORECASE)
IDS = re.compile(r'\sid="([^"]+)"')


def free_port() -> int:
    """A TCP port free on the loopback interface now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float = 30.0) -> None:
    """Wait until *url* answers (a server just started), or fail."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def env_without_settings(**extra: str) -> dict[str, str]:
    """The environment minus every BILLDIFF_ setting (plus *extra*)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BILLDIFF_")}
    env["BILLDIFF_CACHE_DIR"] = os.environ.get("BILLDIFF_CACHE_DIR", "off")
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def served_site(tmp_path_factory):
    """The bundled dossier built for /site/ and served from the parent folder."""
    parent = tmp_path_factory.mktemp("published")
    port = free_port()
    base = f"http://127.0.0.1:{port}/site/"
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "billdiff", "build", str(parent / "site"),
                           "--base-url", base], capture_output=True, text=True,
                          env=env_without_settings(), cwd=parent, timeout=600)
    seconds = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                               "127.0.0.1"], cwd=parent, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_for(base)
        yield {"root": parent / "site", "base": base, "seconds": seconds,
               "stderr": proc.stderr}
    finally:
        server.terminate()
        server.wait(timeout=10)


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as err:
        return err.code, "", b""


def test_every_link_and_asset_of_every_page_resolves(served_site):
    root, base = served_site["root"], served_site["base"]
    pages = sorted(root.rglob("*.html"))
    links: dict[str, set[str]] = {}  # target (no fragment) -> fragments asked for
    queried: list[str] = []
    count = 0
    for page in pages:
        page_url = urljoin(base, page.relative_to(root).as_posix().removesuffix("index.html"))
        for tag, _, raw in LINK.findall(page.read_text(encoding="utf-8")):
            count += 1
            target = urljoin(page_url, html.unescape(raw))
            if not target.startswith(base):
                assert not target.startswith(f"http://127.0.0.1:{urlsplit(base).port}/"), \
                    f"{page}: {raw} leaves the sub-folder"
                continue
            no_fragment, _, fragment = target.partition("#")
            if "?" in no_fragment:
                if tag.lower() == "a":
                    queried.append(f"{page}: {raw}")
                no_fragment = no_fragment.split("?", 1)[0]  # a file server ignores it
            links.setdefault(no_fragment, set())
            if fragment:
                links[no_fragment].add(fragment)
    assert not queried, f"links with a query on a static site: {queried[:5]}"

    def check(item: tuple[str, set[str]]) -> str | None:
        url, fragments = item
        status, kind, body = _get(url)
        if status != 200:
            return f"{url}: {status}"
        if fragments and kind == "text/html":
            ids = set(IDS.findall(body.decode("utf-8")))
            missing = sorted(f for f in fragments if f not in ids)
            if missing:
                return f"{url}: no element with id {missing[:3]}"
        return None

    with ThreadPoolExecutor(8) as pool:
        problems = [p for p in pool.map(check, links.items()) if p]
    assert not problems, f"{len(problems)} broken links, e.g. {problems[:5]}"
    assert count > 100_000  # link occurrences checked, fragments included
    assert len(links) > 2000  # distinct files fetched over HTTP


def test_the_site_has_every_page_pair_topic_and_api_file(served_site):
    from billdiff.load import load_corpus
    from billdiff.urls import Urls

    root = served_site["root"]
    corpus = load_corpus(ROOT / "bills")
    ids, topics = corpus.document_ids(), list(corpus.topics)
    urls = Urls("/", paths=True)

    def exists(url: str) -> bool:
        path = root / url.lstrip("/")
        return (path / "index.html").is_file() if url.endswith("/") else path.is_file()

    expected = [urls.home(), urls.guide(), urls.compare(), urls.draft(), urls.openapi(),
                urls.api_documents(), urls.api_topics(), urls.static("app.css")]
    expected += [urls.document(d) for d in ids] + [urls.topic(t) for t in topics]
    expected += [urls.api_document(d) for d in ids]
    for a in ids:
        for b in ids:
            if a != b:
                for chosen in [(), *((t,) for t in topics)]:
                    expected += [urls.compare(a, b, topics=chosen),
                                 urls.compare(a, b, topics=chosen, view="inline"),
                                 urls.api_compare(a, b, topics=chosen)]
                expected += [urls.factsheet(a, b), urls.factsheet(a, b, pdf=True)]
    missing = [u for u in expected if not exists(u)]
    assert not missing, missing[:10]
    marker = json.loads((root / ".billdiff-site.json").read_text(encoding="utf-8"))
    assert marker["base_url"] == served_site["base"]
    assert marker["files"] == sum(1 for p in root.rglob("*") if p.is_file()) - 2


def test_every_json_file_parses_and_matches_the_api(served_site):
    from billdiff.web import create_app

    root = served_site["root"]
    files = sorted(root.rglob("*.json"))
    assert len(files) > 500
    for path in files:
        json.loads(path.read_text(encoding="utf-8"))
    compared = json.loads((root / "api/compare/mgl-c6-s220-2020/ma-194-s1053.json")
                          .read_text(encoding="utf-8"))
    client = create_app({"TESTING": True}).test_client()
    live = client.get("/api/compare?a=mgl-c6-s220-2020&b=ma-194-s1053").get_json()
    # the same comparison; only the documents' own links differ (each site's addresses)
    for side in ("a", "b"):
        assert compared[side].pop("url").startswith("/site/documents/")
        live[side].pop("url")
    assert compared == live
    openapi = json.loads((root / "api/openapi.json").read_text(encoding="utf-8"))
    assert openapi["openapi"].startswith("3.1")


def test_every_pdf_is_one_page_and_links_to_the_published_site(served_site):
    from pypdf import PdfReader

    root, base = served_site["root"], served_site["base"]
    pdfs = sorted(root.rglob("*.pdf"))
    assert len(pdfs) >= 56  # one per ordered pair of the 8 documents, and more linked
    for path in pdfs:
        reader = PdfReader(path)
        assert len(reader.pages) == 1, path
    text = PdfReader(pdfs[0]).pages[0].extract_text()
    assert urlsplit(base).netloc in text.replace("\n", "")


def test_pages_that_need_a_server_say_so(served_site):
    root = served_site["root"]
    forms = [p for p in root.rglob("*.html") if "<form" in p.read_text(encoding="utf-8")]
    assert not forms, f"a form cannot work on a static site: {forms[:3]}"
    draft = (root / "draft/index.html").read_text(encoding="utf-8")
    assert "This needs the billdiff server" in draft
    assert "billdiff compare-text" in draft
    chooser = (root / "compare/index.html").read_text(encoding="utf-8")
    assert chooser.count('href="/site/compare/') >= 56


# -- atomic, and one line when it fails ---------------------------------------------------------


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _build(out: Path, corpus: Path, *extra: str):
    return CliRunner().invoke(cli, ["--bills", str(corpus), "build", str(out),
                                    "--base-url", "https://example.org/billdiff/", *extra])


@pytest.fixture
def golden(tmp_path: Path) -> Path:
    """A copy of the small golden corpus (3 documents, 9 topics)."""
    return Path(shutil.copytree(GOLDEN_CORPUS, tmp_path / "corpus"))


def test_a_new_build_replaces_the_previous_one_whole(golden, tmp_path):
    out = tmp_path / "site"
    first = _build(out, golden)
    assert first.exit_code == 0, first.output
    doc = golden / "documents" / "ma-194-s1053.yaml"
    doc.write_text(doc.read_text(encoding="utf-8").replace(
        "title: ", "title: Renamed ", 1), encoding="utf-8")
    second = _build(out, golden)
    assert second.exit_code == 0, second.output
    assert "Renamed" in (out / "documents/ma-194-s1053/index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "site"]  # no leftovers


def test_a_full_disk_during_a_build_leaves_the_previous_site_intact(golden, tmp_path,
                                                                     monkeypatch):
    out = tmp_path / "site"
    assert _build(out, golden).exit_code == 0
    before = _tree(out)
    real = Path.write_bytes
    writes = {"n": 0}

    def full_disk(self: Path, data: bytes) -> int:
        writes["n"] += 1
        if writes["n"] > 40:  # well into the build: pages and files already written
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    result = _build(out, golden)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "No space left on device" in lines[0]
    assert "previous site is unchanged" in lines[0]
    assert writes["n"] > 40
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "site"]


@pytest.mark.parametrize("case", ["under a file", "not writable", "other files", "a file"])
def test_a_build_that_cannot_be_written_is_one_line_and_writes_nothing(golden, tmp_path,
                                                                      case):
    if case == "under a file":
        (tmp_path / "file").write_text("x", encoding="utf-8")
        out = tmp_path / "file" / "site"
    elif case == "not writable":
        out = Path("/sys/billdiff-site")  # sysfs: not even root may make a folder there
        if _can_mkdir("/sys"):
            pytest.skip("/sys can be written here: no folder to test with")
    elif case == "other files":
        out = tmp_path / "docs"
        out.mkdir()
        (out / "notes.txt").write_text("mine", encoding="utf-8")
    else:
        out = tmp_path / "site"
        out.write_text("a file", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = _build(out, golden)
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert str(out) in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def _can_mkdir(folder: str) -> bool:
    """Whether this process can make a folder in *folder* (root can almost anywhere)."""
    try:
        os.rmdir(tempfile.mkdtemp(dir=folder))
    except OSError:
        return False
    return True


@pytest.mark.parametrize(("url", "fixes"), [
    ("example.org/billdiff", "--base-url"),
    ("ftp://example.org/", "--base-url"),
    ("https://example.org/?x=1", "--base-url"),
])
def test_a_bad_base_url_is_one_line(golden, tmp_path, url, fixes):
    result = CliRunner().invoke(cli, ["--bills", str(golden), "build", str(tmp_path / "s"),
                                      "--base-url", url])
    assert result.exit_code == 2
    assert fixes in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "s").exists()


def test_a_corpus_with_errors_is_not_built(golden, tmp_path):
    (golden / "documents" / "ma-194-h1946.yaml").write_text("id: [\n", encoding="utf-8")
    result = _build(tmp_path / "site", golden)
    assert result.exit_code == 2
    assert "the corpus has problems" in result.output
    assert "ma-194-h1946.yaml" in result.output
    assert not (tmp_path / "site").exists()


# -- billdiff init -------------------------------------------------------------------------------


def test_init_copies_the_bundled_dossier_and_the_copy_works(tmp_path):
    out = tmp_path / "mine"
    result = CliRunner().invoke(cli, ["init", str(out)])
    assert result.exit_code == 0, result.output
    from billdiff.scaffold import corpus_files

    assert corpus_files(out) == corpus_files(ROOT / "bills")
    checked = CliRunner().invoke(cli, ["--bills", str(out), "validate"])
    assert checked.exit_code == 0, checked.output
    again = CliRunner().invoke(cli, ["init", str(out)])
    assert again.exit_code == 2
    assert "already exists" in again.output


def test_init_on_a_full_disk_leaves_nothing_behind(tmp_path, monkeypatch):
    import shutil as shutil_module

    real = shutil_module.copyfileobj
    copies = {"n": 0}

    def full_disk(src, dst, *args):
        copies["n"] += 1
        if copies["n"] > 5:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(src, dst, *args)

    monkeypatch.setattr(shutil_module, "copyfileobj", full_disk)
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "mine")])
    assert result.exit_code == 2
    assert "No space left on device" in result.output
    assert "nothing written" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("case", ["under a file", "not writable", "a file", "not empty"])
def test_init_where_it_cannot_write_is_one_line(tmp_path, case):
    if case == "under a file":
        (tmp_path / "file").write_text("x", encoding="utf-8")
        out = tmp_path / "file" / "mine"
    elif case == "not writable":
        out = Path("/sys/billdiff-init")
        if _can_mkdir("/sys"):
            pytest.skip("/sys can be written here: no folder to test with")
    elif case == "a file":
        out = tmp_path / "mine"
        out.write_text("x", encoding="utf-8")
    else:
        out = tmp_path / "mine"
        out.mkdir()
        (out / "keep.txt").write_text("mine", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(cli, ["init", str(out)])
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_relative_out_folder_is_the_one_in_the_current_folder(golden, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--bills", str(golden), "build", "site"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "index.html").is_file()
    assert "this computer" in result.output  # the default base URL, said so
