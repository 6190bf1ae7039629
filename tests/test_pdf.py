"""The locked-down PDF renderer: fetcher policy, payload corpus, PDF read-back, determinism,
bounded rendering, and a PNG of the sheet for a person to look at (tests/artifacts/)."""

from __future__ import annotations

import ast
import copy
import datetime as dt
import hashlib
import html
import http.server
import io
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader

from billdiff import factsheet as fs
from billdiff import pdf
from billdiff.errors import BilldiffError
from billdiff.load import load_corpus
from billdiff.settings import STATIC_DIR

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_CORPUS = Path(__file__).resolve().parent / "golden" / "corpus"
A, B = "mgl-c6-s220-2020", "ma-194-s1053"
DATE = dt.date(2025, 7, 9)
TOKEN = "CANARY-7f3c9a1e-SECRET"


# -- fixtures -----------------------------------------------------------------------------------


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []
    redirect_to = "file:///etc/passwd"

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        type(self).hits.append(self.path)
        if self.path.startswith("/redirect-to-file"):
            self.send_response(302)
            self.send_header("Location", type(self).redirect_to)
            self.end_headers()
            return
        body = f"{TOKEN} body{{background:url(file:///etc/passwd)}}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def canary_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "secret.env"
    path.write_text(f"SECRET_TOKEN={TOKEN}\n")
    return path


@pytest.fixture(scope="module")
def canary_server(canary_file: Path):
    """A loopback HTTP server that records every hit (127.0.0.1 only, short timeouts)."""
    _Canary.hits = []
    _Canary.redirect_to = canary_file.as_uri()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    server.timeout = 1
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def payloads(canary: Path, server: str) -> dict[str, str]:
    """The SSRF / local-file corpus (RELIABILITY.md §G item 3), plus data: URLs."""
    f = canary.as_uri()
    first = f'<link rel="attachment" href="{f}">'
    return {
        "link-attachment": first,
        "a-attachment": f'<a rel="attachment" href="{f}">x</a>',
        "img-passwd": '<img src="file:///etc/passwd">',
        "img-canary": f'<img src="{f}">',
        "object": f'<object data="{f}"></object>',
        "embed": f'<embed src="{f}">',
        "css-url": f'<div style="background:url({f})">x</div>',
        "css-import": f'<style>@import url({server}/import.css);</style>',
        "img-metadata": '<img src="http://169.254.169.254/latest/meta-data/">',
        "svg-image": f'<svg xmlns="http://www.w3.org/2000/svg"><image href="{f}"/></svg>',
        "img-redirect": f'<img src="{server}/redirect-to-file">',
        "img-urandom": '<img src="file:///dev/urandom">',
        "entity-encoded": html.escape(first).replace("file", "&#102;ile"),
        "img-loopback": f'<img src="{server}/img.png">',
        "data-png": '<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAf'
                    'FcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==">',
        "data-html": '<iframe src="data:text/html,<img src=file:///etc/passwd>"></iframe>',
        "base-href": f'<base href="{f}"><img src="secret.env">',
    }


def _check_pdf(data: bytes, server_hits: list[str]) -> PdfReader:
    reader = PdfReader(io.BytesIO(data))
    assert reader.attachments == {}
    assert b"/EmbeddedFile" not in data
    assert TOKEN.encode() not in data
    text = "".join(page.extract_text() or "" for page in reader.pages)
    assert TOKEN not in text
    assert server_hits == []
    return reader


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(GOLDEN_CORPUS).require_clean()


@pytest.fixture(scope="module")
def sample_pdf(corpus) -> tuple[bytes, fs.FactSheet]:
    request = fs.FactSheetRequest(A, B, date=DATE)
    return fs.make_pdf(corpus, request)


# -- the fetcher ----------------------------------------------------------------------------


def test_fetcher_serves_our_static_files_and_generated_bytes() -> None:
    fetcher = pdf.make_fetcher({"theme.css": b"p{}", "logo.png": b"\x89PNG..."})
    response = fetcher.fetch(pdf.ORIGIN + "static/factsheet.css")
    assert response.read() == (STATIC_DIR / "factsheet.css").read_bytes()
    assert response.content_type == "text/css"
    assert fetcher.fetch(pdf.ORIGIN + "generated/theme.css").read() == b"p{}"
    assert fetcher.fetch(pdf.ORIGIN + "generated/logo.png").content_type == "image/png"


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "http://127.0.0.1:1/",
    "https://example.org/static/factsheet.css",
    "http://billdiff.invalid/static/factsheet.css",
    "https://billdiff.invalid:443/static/factsheet.css",
    "https://user@billdiff.invalid/static/factsheet.css",
    "https://billdiff.invalid.evil.example/static/factsheet.css",
    "https://billdiff.invalid/static/../../billdiff/settings.py",
    "https://billdiff.invalid/static/%2e%2e/%2e%2e/pyproject.toml",
    "https://billdiff.invalid/static/..%2f..%2fpyproject.toml",
    "https://billdiff.invalid/static/factsheet.css?x=1",
    "https://billdiff.invalid/static/nope.css",
    "https://billdiff.invalid/static/../factsheet.py",
    "https://billdiff.invalid/generated/other.css",
    "https://billdiff.invalid/generated/../static/factsheet.css/../../cli.py",
    "https://billdiff.invalid/etc/passwd",
    "http://169.254.169.254/latest/meta-data/",
    "data:image/png;base64,iVBORw0KGgo=",
    "data:text/css,body{}",
    "ftp://127.0.0.1/x",
    "file:///dev/urandom",
])
def test_fetcher_refuses_everything_else(url: str) -> None:
    from weasyprint.urls import FatalURLFetchingError

    fetcher = pdf.make_fetcher({"theme.css": b"p{}"})
    with pytest.raises(FatalURLFetchingError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_refuses_a_symlink_out_of_the_static_folder(tmp_path: Path) -> None:
    from weasyprint.urls import FatalURLFetchingError

    static = tmp_path / "static"
    static.mkdir()
    (tmp_path / "secret.css").write_text(TOKEN)
    (static / "link.css").symlink_to(tmp_path / "secret.css")
    (static / "ok.css").write_text("p{}")
    fetcher = pdf.make_fetcher({}, static_dir=static)
    assert fetcher.fetch(pdf.ORIGIN + "static/ok.css").read() == b"p{}"
    with pytest.raises(FatalURLFetchingError):
        fetcher.fetch(pdf.ORIGIN + "static/link.css")


# -- raw payloads straight into the renderer: fail closed ------------------------------------


def test_raw_payloads_fail_closed(canary_file: Path, canary_server: str) -> None:
    """Even unescaped markup (never produced by our templates) cannot fetch or attach: the
    render stops with FetchRefused, or (for markup with nothing to fetch) yields a clean PDF."""
    _Canary.hits.clear()
    for name, payload in payloads(canary_file, canary_server).items():
        page = f"<html lang=en><title>t</title><body><p>{payload}</p></body></html>"
        try:
            data = pdf.render_pdf(page)
        except pdf.FetchRefused:
            continue
        _check_pdf(data, _Canary.hits)
        assert name in {"entity-encoded", "data-html"}, f"{name} rendered without refusal"
    assert _Canary.hits == []


# -- escaped payloads through every field: clean PDFs ----------------------------------------


def _hostile_corpus(tmp_path: Path, payload: str) -> Path:
    import yaml

    root = tmp_path / "corpus"
    shutil.copytree(GOLDEN_CORPUS, root)
    path = root / "analyses" / f"{B}.yaml"
    data = yaml.safe_load(path.read_text())
    for analysis in data["analyses"]:
        analysis["summary"][0]["text"] = f"Before {payload} after."
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    facts_path = root / "facts.yaml"
    facts = yaml.safe_load(facts_path.read_text())
    for fact in facts["facts"]:
        fact["text"] = f"Fact {payload} end."
    facts_path.write_text(yaml.safe_dump(facts, sort_keys=False, allow_unicode=True))
    return root


def _hostile_org(tmp_path: Path, payload: str) -> Path:
    import yaml

    org = {
        "name": payload[:200], "logo_alt": payload[:200], "ask": payload[:80],
        "call_to_action": payload[:400],
        "contact": {"address": payload[:200]},
    }
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(org, allow_unicode=True))
    return path


def test_payload_corpus_through_every_field(tmp_path: Path, canary_file: Path,
                                            canary_server: str) -> None:
    _Canary.hits.clear()
    for i, (name, payload) in enumerate(payloads(canary_file, canary_server).items()):
        work = tmp_path / str(i)
        work.mkdir()
        corpus = load_corpus(_hostile_corpus(work, payload)).require_clean()
        try:
            org = fs.load_org(_hostile_org(work, payload))
        except BilldiffError as err:  # a clean, one-line refusal is fine too
            refusal = err.message
            org = fs.DEFAULT_ORG
        else:
            refusal = ""
        assert "\n" not in refusal
        sheet = fs.build_factsheet(corpus, A, B, org=org, date=DATE)
        page = fs.render_html(sheet)
        assert payload not in page, name  # escaped, never markup
        data, shown = fs.make_pdf(corpus, fs.FactSheetRequest(A, B, date=DATE), org)
        reader = _check_pdf(data, _Canary.hits)
        assert len(reader.pages) == 1, name
        assert "Before" in (reader.pages[0].extract_text() or ""), name
    assert _Canary.hits == []


@pytest.mark.parametrize(("field", "value"), [
    ("colors", {"primary": "red;background:url(http://127.0.0.1/)"}),
    ("colors", {"primary": "#123"}),
    ("contact", {"website": "javascript:alert(1)"}),
    ("contact", {"website": "file:///etc/passwd"}),
    ("contact", {"website": "https://ok.example/\"><img src=x>"}),
    ("contact", {"email": "a@b.example<img>"}),
    ("logo", "../../etc/passwd.png"),
    ("logo", "logo.svg"),
    ("logo", "/etc/passwd"),
    ("name", "two\nlines"),
    ("unknown", "x"),
])
def test_org_fields_that_could_carry_css_or_urls_are_validated(tmp_path: Path, field: str,
                                                               value: object) -> None:
    import yaml

    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump({"name": "Org", field: value}))
    with pytest.raises(BilldiffError) as info:
        fs.load_org(path, assets=tmp_path)
    assert f"{path}: " in info.value.message
    assert "\n" not in info.value.message


# -- the PDF itself -------------------------------------------------------------------------


def test_pdf_is_one_tagged_page_with_fonts_embedded(sample_pdf) -> None:
    data, sheet = sample_pdf
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    assert reader.attachments == {}
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert str(root["/Lang"]) == "en"
    assert "S.1053" in str(reader.metadata.title)
    fonts = 0
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font
            fonts += 1
    assert fonts >= 2
    text = reader.pages[0].extract_text()
    for needle in ("S.1053", "H.1946", "G.L. c. 6, § 220", "Summaries, not the law"):
        assert needle in text
    for provision in sheet.provisions:
        assert provision.heading in text


def test_pdf_text_with_pdftotext(sample_pdf, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    data, sheet = sample_pdf
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True, timeout=30).stdout
    assert text.count("\f") <= 1
    for needle in ("G.L. c. 6, § 220 and S.1053 compared", "WHAT WOULD CHANGE", "KEY FACTS",
                   "READ MORE", "The texts, word for word:",
                   *(p.heading for p in sheet.provisions)):
        assert needle in text
    assert "TAKE ACTION" not in text  # no organisation file: neutral, no call to action


def test_identical_inputs_give_identical_bytes(corpus) -> None:
    request = fs.FactSheetRequest(A, B, date=DATE, paper="a4")
    first, _ = fs.make_pdf(corpus, request)
    second, _ = fs.make_pdf(corpus, request)
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    other, _ = fs.make_pdf(corpus, fs.FactSheetRequest(A, B, date=dt.date(2025, 7, 10),
                                                       paper="a4"))
    assert other != first


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_png_for_a_person_to_look_at(corpus, artifacts: Path, paper: str) -> None:
    org = fs.load_org(ROOT / "examples" / "org.yaml", assets=ROOT / "assets")
    data, _ = fs.make_pdf(corpus, fs.FactSheetRequest(A, B, date=DATE, paper=paper), org)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    width = float(reader.pages[0].mediabox.width)
    assert round(width) == (612 if paper == "letter" else 595)
    (artifacts / f"factsheet-{paper}.pdf").write_bytes(data)
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile",
                    str(artifacts / f"factsheet-{paper}.pdf"),
                    str(artifacts / f"factsheet-{paper}")], check=True, timeout=60)
    assert (artifacts / f"factsheet-{paper}.png").stat().st_size > 10_000


def test_too_much_content_is_cut_to_one_page_not_overflowed(tmp_path: Path) -> None:
    import yaml

    root = tmp_path / "corpus"
    shutil.copytree(GOLDEN_CORPUS, root)
    for doc in (A, B):
        path = root / "analyses" / f"{doc}.yaml"
        data = yaml.safe_load(path.read_text())
        for analysis in data["analyses"]:
            cites = analysis["summary"][0]["cites"]
            analysis["summary"] = [{"text": "A long plain-language sentence about the rule " * 4
                                    + f"number {i}.", "cites": copy.deepcopy(cites)}
                                   for i in range(5)]
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    corpus = load_corpus(root).require_clean()
    data, sheet = fs.make_pdf(corpus, fs.FactSheetRequest(A, B, date=DATE))
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    assert max(len(p.bill.sentences) for p in sheet.provisions) < 5


# -- bounded rendering ----------------------------------------------------------------------


def test_bounded_renderer_renders_and_stops_a_bomb() -> None:
    renderer = pdf.BoundedRenderer(timeout=3.0, memory=768 * 1024 * 1024)
    try:
        data = renderer.run(pdf.render_pdf, "<html lang=en><title>t</title><p>hello</p>")
        assert data.startswith(b"%PDF")
        bomb = "<html lang=en><title>t</title>" + "<p>x</p>" * 40_000
        with pytest.raises((pdf.RenderTimeout, pdf.RenderTooLarge)):
            renderer.run(pdf.render_pdf, bomb)
        again = renderer.run(pdf.render_pdf, "<html lang=en><title>t</title><p>again</p>")
        assert again.startswith(b"%PDF")
        with pytest.raises(pdf.FetchRefused):
            renderer.run(pdf.render_pdf, '<img src="file:///etc/passwd">')
    finally:
        renderer.close()


def test_bounded_renderer_with_fork_starts_early_and_renders() -> None:
    renderer = pdf.BoundedRenderer(timeout=30.0, start_method="fork")
    assert renderer.start_method == "fork"
    try:
        renderer.start()
        renderer.start()  # a no-op while the worker runs
        first = renderer._proc
        assert first is not None
        assert first.is_alive()
        data = renderer.run(pdf.render_pdf, "<html lang=en><title>t</title><p>early</p>")
        assert data.startswith(b"%PDF")
        assert renderer._proc is first
    finally:
        renderer.close()
    assert pdf.BoundedRenderer(start_method="no-such-method").start_method == "spawn"


# -- importing WeasyPrint quickly -------------------------------------------------------------


def _weasyprint_library_names() -> list[str]:
    """Every library name WeasyPrint's ``_dlopen`` calls try, read from its source."""
    import importlib.util

    spec = importlib.util.find_spec("weasyprint.text.ffi")
    assert spec is not None
    assert spec.origin
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    names = [arg.value for node in ast.walk(tree) if isinstance(node, ast.Call)
             and getattr(node.func, "id", "") == "_dlopen" for arg in node.args
             if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    assert len(names) >= 20
    return names


def test_ldconfig_finder_answers_as_ctypes_does() -> None:
    import ctypes.util
    import sys

    finder = pdf.ldconfig_finder()
    if not sys.platform.startswith("linux"):
        assert finder is None
        pytest.skip("the quick lookups are for Linux only")
    assert finder is not None, "ldconfig lists WeasyPrint's libraries on this machine"
    names = _weasyprint_library_names()
    found = {name: finder(name) for name in names}
    assert found == {name: ctypes.util.find_library(name) for name in names}
    assert found["pango-1.0"] == "libpango-1.0.so.0"
    assert found["libpango-1.0-0"] is None


def test_ldconfig_finder_steps_aside_when_it_could_differ(monkeypatch) -> None:
    monkeypatch.setenv("LD_LIBRARY_PATH", "/opt/somewhere")
    assert pdf.ldconfig_finder() is None
    monkeypatch.delenv("LD_LIBRARY_PATH")
    monkeypatch.setattr(pdf, "WEASYPRINT_LIBRARIES", ("no-such-library-at-all",))
    assert pdf.ldconfig_finder() is None


def _fresh_python(code: str) -> str:
    """What *code* prints in a new interpreter (the quick lookups are tried on Linux only)."""
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("the quick lookups are for Linux only")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_weasyprint_import_is_retried_with_the_real_lookups_if_the_quick_one_fails() -> None:
    # The first import of WeasyPrint's library module fails as a missing library would.
    code = ("import sys, ctypes.util, billdiff.pdf as p\n"
            "real, seen = ctypes.util.find_library, []\n"
            "class FailOnce:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'weasyprint.text.ffi' and not seen:\n"
            "            seen.append(ctypes.util.find_library is real)\n"
            "            raise OSError('cannot load library libpango-1.0-0')\n"
            "sys.meta_path.insert(0, FailOnce())\n"
            "p.load_weasyprint()\n"
            "import weasyprint, weasyprint.text.ffi as f\n"
            "print(seen, f.pango is not None, ctypes.util.find_library is real,\n"
            "      weasyprint.HTML is not None)\n")
    # the quick attempt (lookups swapped) failed; the retry with the real ones loaded it all
    assert _fresh_python(code) == "[False] True True True"


def test_weasyprint_is_loaded_with_the_quick_lookups() -> None:
    code = ("import ctypes.util, billdiff.pdf as p\n"
            "real, quick, asked = ctypes.util.find_library, p.ldconfig_finder, []\n"
            "def counting():\n"
            "    find = quick()\n"
            "    return lambda name: asked.append(name) or find(name)\n"
            "p.ldconfig_finder = counting\n"
            "p.load_weasyprint()\n"
            "print(len(asked), ctypes.util.find_library is real)\n")
    asked, restored = _fresh_python(code).split()
    assert int(asked) >= 5  # WeasyPrint's lookups went to the quick finder
    assert restored == "True"  # and only while it was being imported


# -- static checks (RELIABILITY.md §G items 1-2) ----------------------------------------------


def test_security_floor_and_call_sites() -> None:
    from importlib.metadata import version

    assert int(version("weasyprint").split(".")[0]) >= 70
    for path in (ROOT / "billdiff").rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            keywords = {k.arg: k.value for k in node.keywords}
            if name == "write_pdf":
                assert not {"attachments", "xmp_metadata"} & set(keywords), path
            if "presentational_hints" in keywords:
                value = keywords["presentational_hints"]
                assert isinstance(value, ast.Constant), path
                assert value.value is False, path
            if name in ("HTML", "CSS"):
                assert "url_fetcher" in keywords, f"{path}: {name}( without url_fetcher"


def allocate(size: int) -> int:
    """A job for the worker that needs *size* bytes."""
    return len(bytearray(size))


def test_forked_worker_memory_budget_is_enforced() -> None:
    renderer = pdf.BoundedRenderer(timeout=30.0, memory=300 * 1024 * 1024, start_method="fork")
    try:
        assert renderer.run(allocate, 100 * 1024 * 1024) == 100 * 1024 * 1024
        with pytest.raises(pdf.RenderTooLarge, match="memory"):
            renderer.run(allocate, 400 * 1024 * 1024)
        assert renderer.run(allocate, 1024) == 1024  # a fresh worker took over
    finally:
        renderer.close()


def test_worker_reports_why_weasyprint_could_not_be_loaded(monkeypatch) -> None:
    def broken() -> None:
        raise OSError("cannot load library 'libpango-1.0-0': no such file")

    monkeypatch.setattr(pdf, "load_weasyprint", broken)  # the forked worker inherits it
    renderer = pdf.BoundedRenderer(timeout=30.0, start_method="fork")
    try:
        with pytest.raises(pdf.PdfError, match="WeasyPrint could not be loaded: cannot load "
                                               "library 'libpango-1.0-0'"):
            renderer.run(pdf.render_pdf, "<p>x</p>")
    finally:
        renderer.close()


def test_bounded_renderer_turns_away_a_caller_after_waiting_one_time_limit() -> None:
    renderer = pdf.BoundedRenderer(timeout=0.2)
    renderer._lock.acquire()  # another render holds the worker
    try:
        with pytest.raises(pdf.RendererBusy, match="busy"):
            renderer.run(pdf.render_pdf, "<html lang=en><title>t</title><p>x</p>")
    finally:
        renderer._lock.release()
    assert renderer._proc is None  # nothing was started for the turned-away caller


def test_the_renderer_probe_never_waits_for_a_render() -> None:
    renderer = pdf.BoundedRenderer(timeout=30.0, start_method="fork")
    try:
        assert renderer.probe(ask=False) == "idle"  # not asked: nothing started
        assert renderer._proc is None
        assert renderer.probe() == "idle"  # asked: the worker started and answered
        pid = renderer._proc.pid
        renderer._lock.acquire()  # a render in progress
        try:
            assert renderer.probe() == "busy"
        finally:
            renderer._lock.release()
        renderer._proc.kill()
        renderer._proc.join(5)
        assert renderer.probe() == "idle"  # a dead worker is replaced, then answers
        assert renderer._proc.pid != pid
    finally:
        renderer.close()
