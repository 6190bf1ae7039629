"""The API fetcher, against recorded responses served by a local HTTP server (no network)."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import urllib.error
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from billdiff.errors import BilldiffError, NotFound
from billdiff.fetch import (
    check_api_base,
    default_api_base,
    document_yaml,
    fetch_ma_bill,
    fetch_mgl,
    is_legislature,
    normalize_bill_number,
    site_base,
    write_document_atomically,
)
from billdiff.model import Document, iter_sections

API = Path(__file__).parent / "fixtures" / "api"
MA = Path(__file__).parent / "fixtures" / "ma"
NO_SECTIONS = b'{"Message":"No General Law Sections were found."}'

ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/api/GeneralCourts/193/Documents/H4359": (
        200, "application/json", (API / "bill-193-H4359.json").read_bytes()),
    "/api/GeneralCourts/194/Documents/S1053": (
        200, "application/json", (API / "bill-194-S1053-null-text.json").read_bytes()),
    "/Bills/194/S1053.pdf": (200, "application/pdf", (MA / "ma-194-s1053.pdf").read_bytes()),
    "/api/GeneralCourts/194/Documents/H18": (
        200, "application/json", json.dumps({"BillNumber": "H18", "DocumentText": None}).encode()),
    "/api/GeneralCourts/193/Documents/H9": (
        200, "text/xml", b"<Document><Title>x</Title></Document>"),
    "/api/Chapters/90/Sections/17": (
        200, "application/json", (API / "mgl-c90-s17.json").read_bytes()),
    "/api/Chapters/90/Sections/50A%20to%2050L": (
        200, "application/json", (API / "mgl-c90-s50a-to-50l-repealed.json").read_bytes()),
    "/api/Chapters/23A/Sections/1": (
        200, "application/json", (API / "mgl-c23a-s1-array.json").read_bytes()),
    "/api/Chapters/90": (200, "application/json", (API / "mgl-c90.json").read_bytes()),
    "/api/Chapters/90/Sections/999": (400, "application/json", NO_SECTIONS),
    "/api/Chapters/999/Sections/1": (400, "application/json", NO_SECTIONS),
    "/api/Chapters/999": (
        400, "application/json", b'{"Message":"No General Law Chapters were found."}'),
    "/api/Chapters/7/Sections/7D1~2": (
        200, "application/json",
        json.dumps({"Code": "7D1/2", "Name": "Half", "IsRepealed": False,
                    "Text": "Section 7D1/2. <p>A rule.</p>"}).encode()),
    "/forbidden/api/GeneralCourts/193/Documents/H4359": (403, "text/html", b"<h1>Forbidden</h1>"),
}


class Handler(BaseHTTPRequestHandler):
    """Serves ROUTES; records the headers of each request; ``/flaky`` fails once with 503."""

    seen: list[dict[str, str]] = []
    flaky = {"count": 0}

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        Handler.seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        path = self.path
        if path.startswith("/flaky/"):
            Handler.flaky["count"] += 1
            if Handler.flaky["count"] == 1:
                self._send(503, "text/plain", b"busy")
                return
            path = path[len("/flaky"):]
        status, kind, body = ROUTES.get(path, (404, "text/plain", b"Not Found"))
        self._send(status, kind, body)

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the log
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


# --------------------------------------------------------------------------- bills


def test_fetch_bill_with_document_text(server: str) -> None:
    Handler.seen.clear()
    doc = fetch_ma_bill(193, "H.4359", api_base=f"{server}/api", retrieved="2025-05-01")
    assert doc.id == "ma-193-h4359"
    assert doc.number == "H.4359"
    assert doc.title == ("An Act to implement the recommendations of the special commission on "
                         "facial recognition technology")
    assert doc.session == "193rd General Court (2023-2024)"
    assert doc.official_url == "https://malegislature.gov/Bills/193/H4359"
    assert [(s.name, s.role) for s in doc.sponsors] == [
        ("Joint Committee on the Judiciary", "committee")]
    clean = (MA / "ma-193-h4359.clean.txt").read_text(encoding="utf-8").splitlines()
    texts = {s.id: s.text for s, _ in iter_sections(doc.sections)}
    assert texts["sec_1"] == next(line for line in clean if line.startswith("SECTION 1."))
    assert texts["sec_220__subsec_a__def_facial-recognition"] == clean[-1]
    source = doc.provenance.sources[0]
    assert source.url == f"{server}/api/GeneralCourts/193/Documents/H4359"
    # the test server is not the Legislature: a mirror's copy is never recorded as official
    host = server.removeprefix("http://")
    assert not source.official
    assert f"fetched from mirror {host}" in source.description
    assert doc.provenance.summary.startswith(f"Fetched by billdiff from mirror {host}")
    assert {s.status.value for s, _ in iter_sections(doc.sections)} == {"single-source"}
    assert doc.provenance.retrieved == "2025-05-01"
    assert doc.provenance.checksum
    assert doc.provenance.checksum.startswith("sha256:")
    assert Handler.seen[0]["accept"] == "application/json"
    assert Handler.seen[0]["user-agent"].startswith("billdiff/")


@pytest.mark.parametrize("extractor", ["pypdf", "auto"])
def test_null_document_text_falls_back_to_the_pdf(server: str, extractor: str) -> None:
    doc = fetch_ma_bill(194, "S1053", api_base=f"{server}/api", extractor=extractor)  # type: ignore[arg-type]
    texts = {s.id: s.text for s, _ in iter_sections(doc.sections)}
    assert texts["sec_220__subsec_a__p_1"] == "“Biometric surveillance"
    assert doc.number == "S.1053"
    assert doc.filed == "2025-01-13"
    assert len(doc.sponsors) == 5  # the cover page's petitioner table, with districts
    urls = [s.url for s in doc.provenance.sources]
    assert urls == [f"{server}/api/GeneralCourts/194/Documents/S1053",
                    f"{server}/Bills/194/S1053.pdf"]
    assert not any(s.official for s in doc.provenance.sources)
    assert any("the PDF copy on mirror" in note for note in doc.notes)
    assert doc.provenance.retrieved  # the day of the fetch
    assert "fetched from mirror" in doc.provenance.sources[1].description
    assert (doc.provenance.notes or "").startswith("Repeated page headers were removed")


class RecordedOpener:
    """Answers requests for https://malegislature.gov from ROUTES (no network)."""

    def open(self, request: Any, data: Any = None, timeout: float = 0) -> Any:
        import io
        import urllib.parse

        parts = urllib.parse.urlsplit(request.full_url)
        assert parts.netloc == "malegislature.gov"
        status, _kind, body = ROUTES[parts.path]
        assert status == 200
        return io.BytesIO(body)


def test_fetch_from_the_legislature_itself_is_official() -> None:
    doc = fetch_ma_bill(193, "H4359", api_base="https://malegislature.gov/api",
                        opener=RecordedOpener(), retrieved="2025-05-01")
    assert [s.official for s in doc.provenance.sources] == [True]
    assert doc.provenance.sources[0].description == "Massachusetts Legislature API"
    assert doc.provenance.summary == ("Fetched by billdiff from the Massachusetts Legislature "
                                      "(https://malegislature.gov/Bills/193/H4359)")
    assert {s.status.value for s, _ in iter_sections(doc.sections)} == {"official"}
    pdf = fetch_ma_bill(194, "S1053", api_base="https://malegislature.gov/api/",
                        opener=RecordedOpener(), extractor="pypdf")
    assert [s.official for s in pdf.provenance.sources] == [True, True]
    assert any("official PDF" in note for note in pdf.notes)
    mgl = fetch_mgl("90", "17", api_base="https://malegislature.gov/api",
                    opener=RecordedOpener())
    assert mgl.provenance.sources[0].official
    assert {s.status.value for s, _ in iter_sections(mgl.sections)} == {"official"}


def test_api_base_is_checked_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    opener = FailingOpener(AssertionError("no request may be made"))
    for bad in ("ftp://x", "ftp://mirror.example/api", "malegislature.gov/api", "https://",
                "http:///api", "https://host/api?x=1", "https://ho st/api", "file:///etc",
                "https://host:99999/api"):
        with pytest.raises(BilldiffError, match="invalid API base URL") as info:
            fetch_ma_bill(193, "H4359", api_base=bad, opener=opener)
        assert repr(bad) in str(info.value)
        with pytest.raises(BilldiffError, match="invalid API base URL"):
            fetch_mgl("90", "17", api_base=bad, opener=opener)
    monkeypatch.setenv("BILLDIFF_API_BASE", "gopher://old.example/api")
    with pytest.raises(BilldiffError, match="gopher://old.example/api"):
        fetch_ma_bill(193, "H4359", opener=opener)
    assert check_api_base("https://mirror.example/api/") == "https://mirror.example/api"
    assert is_legislature("https://malegislature.gov/api")
    assert is_legislature("https://www.malegislature.gov/api")
    for other in ("http://malegislature.gov/api", "https://malegislature.gov.evil.example/api",
                  "https://malegislature.gov:8443/api", "https://mirror.example/api"):
        assert not is_legislature(other), other


def test_cli_fetch_rejects_a_bad_api_base() -> None:
    from click.testing import CliRunner

    from billdiff.cli import cli

    result = CliRunner().invoke(cli, ["fetch", "ma-bill", "193", "H4359", "--api-base",
                                      "ftp://x"])
    assert result.exit_code == 2
    assert "ftp://x" in result.output
    assert "resolve" not in result.output


def test_image_only_or_missing_pdf(server: str) -> None:
    with pytest.raises(NotFound, match="no DocumentText and no PDF"):
        fetch_ma_bill(194, "H18", api_base=f"{server}/api")


def test_unknown_bill_is_not_found(server: str) -> None:
    with pytest.raises(NotFound, match="no such bill: H9999 in the 193rd General Court"):
        fetch_ma_bill(193, "H9999", api_base=f"{server}/api")


def test_geo_block_403_suggests_a_mirror(server: str) -> None:
    with pytest.raises(BilldiffError, match="403") as info:
        fetch_ma_bill(193, "H4359", api_base=f"{server}/forbidden/api")
    assert "--api-base" in str(info.value)
    assert "outside the US" in str(info.value)


def test_xml_answer_is_reported(server: str) -> None:
    with pytest.raises(BilldiffError, match="XML or HTML"):
        fetch_ma_bill(193, "H9", api_base=f"{server}/api")


def test_server_errors_are_retried_once(server: str) -> None:
    Handler.flaky["count"] = 0
    doc = fetch_ma_bill(193, "H4359", api_base=f"{server}/flaky/api")
    assert doc.number == "H.4359"
    assert Handler.flaky["count"] == 2


def test_timeout_against_a_server_that_never_answers() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # connections complete in the backlog; nothing is ever sent
        port = listener.getsockname()[1]
        with pytest.raises(BilldiffError, match=r"no answer .* within 0\.5 s") as info:
            fetch_ma_bill(193, "H4359", api_base=f"http://127.0.0.1:{port}/api", timeout=0.5)
    assert "outside the US" in str(info.value)


def test_refused_connection() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(BilldiffError, match="refused"):
        fetch_ma_bill(193, "H4359", api_base=f"http://127.0.0.1:{port}/api", timeout=2)


class FailingOpener:
    """An opener that raises what urllib raises for a given network failure."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def open(self, request: Any, data: Any = None, timeout: float = 0) -> Any:
        raise self.error


def test_incomplete_certificate_chain_is_explained() -> None:
    error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    error.verify_message = "unable to get local issuer certificate"
    opener = FailingOpener(urllib.error.URLError(error))
    with pytest.raises(BilldiffError, match="could not be verified") as info:
        fetch_ma_bill(193, "H4359", api_base="https://malegislature.gov/api", opener=opener)
    message = str(info.value)
    assert "BILLDIFF_CA_BUNDLE" in message
    assert "intermediate" in message


def test_connection_reset_suggests_a_mirror() -> None:
    opener = FailingOpener(urllib.error.URLError(ConnectionResetError(104, "reset")))
    with pytest.raises(BilldiffError, match="cut") as info:
        fetch_ma_bill(193, "H4359", api_base="https://malegislature.gov/api", opener=opener)
    assert "--api-base" in str(info.value)


def test_bad_ca_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BILLDIFF_CA_BUNDLE", str(tmp_path / "missing.pem"))
    with pytest.raises(BilldiffError, match="CA bundle"):
        fetch_ma_bill(193, "H4359", api_base="https://malegislature.gov/api", timeout=1)


def test_bill_numbers_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    assert [normalize_bill_number(x) for x in ("H.1728", "h 1728", "House, No. 1728", "SD169",
                                               "S.01053")] == ["H1728", "H1728", "H1728",
                                                               "SD169", "S1053"]
    for bad in ("X1", "H", "1728", "H1728; rm"):
        with pytest.raises(BilldiffError, match="invalid bill number"):
            normalize_bill_number(bad)
    with pytest.raises(BilldiffError, match="General Court"):
        fetch_ma_bill(0, "H1")
    monkeypatch.delenv("BILLDIFF_API_BASE", raising=False)
    assert default_api_base() == "https://malegislature.gov/api"
    monkeypatch.setenv("BILLDIFF_API_BASE", "http://mirror.example/api/")
    assert default_api_base() == "http://mirror.example/api"
    assert site_base("http://mirror.example/api") == "http://mirror.example"


# --------------------------------------------------------------------------- General Laws


def test_fetch_mgl_section(server: str) -> None:
    doc = fetch_mgl("90", "17", api_base=f"{server}/api")
    assert doc.id == "mgl-c90-s17"
    assert doc.kind.value == "statute"
    assert doc.title == "G.L. c. 90, § 17: Speed limits"
    assert doc.citation == "G.L. c. 90, § 17"
    assert [(s.id, s.text) for s, _ in iter_sections(doc.sections)] == [
        ("sec_17", "Section 17. No person operating a motor vehicle on any way shall run it at a "
                   "rate of speed greater than is reasonable and proper."),
        ("sec_17__p_1", "Unless a way is otherwise posted—it shall be prima facie evidence."),
    ]


def test_fetch_mgl_array_answer_and_encoded_codes(server: str) -> None:
    doc = fetch_mgl("23A", "1", api_base=f"{server}/api")
    assert [s.id for s, _ in iter_sections(doc.sections)] == [
        "sec_1", "sec_1__subsec_a", "sec_1__subsec_b"]
    half = fetch_mgl("7", "7D1/2", api_base=f"{server}/api")
    assert half.id == "mgl-c7-s7d1-2"
    assert half.sections[0].text == "Section 7D1/2. A rule."  # tags stripped, entities decoded


def test_repealed_section_is_reported(server: str) -> None:
    with pytest.raises(BilldiffError, match="repealed: Inoperative February 17, 1959"):
        fetch_mgl("90", "50A to 50L", api_base=f"{server}/api")


def test_missing_section_and_chapter_are_told_apart(server: str) -> None:
    with pytest.raises(NotFound, match="no such section: G.L. c. 90, § 999") as info:
        fetch_mgl("90", "999", api_base=f"{server}/api")
    assert "1, 1A, 17, 50A to 50L" in str(info.value)
    with pytest.raises(NotFound, match="no such chapter: G.L. c. 999"):
        fetch_mgl("999", "1", api_base=f"{server}/api")


# --------------------------------------------------------------------------- writing


def test_write_document_atomically(tmp_path: Path, server: str) -> None:
    doc = fetch_mgl("90", "17", api_base=f"{server}/api")
    target = tmp_path / "mgl-c90-s17.yaml"
    write_document_atomically(doc, target, force=False)
    loaded = Document.model_validate(yaml.safe_load(target.read_text(encoding="utf-8")))
    assert loaded == doc
    assert target.read_text(encoding="utf-8") == document_yaml(doc)
    target.write_text("keep me", encoding="utf-8")
    with pytest.raises(BilldiffError, match="already exists") as info:
        write_document_atomically(doc, target, force=False)
    assert "--force" in str(info.value)
    assert target.read_text(encoding="utf-8") == "keep me"
    write_document_atomically(doc, target, force=True)
    assert target.read_text(encoding="utf-8") == document_yaml(doc)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mgl-c90-s17.yaml"]  # no temp files
    with pytest.raises(BilldiffError, match="folder does not exist"):
        write_document_atomically(doc, tmp_path / "nope" / "x.yaml", force=True)


# --------------------------------------------------------------------------- the CLI


def test_cli_fetch_bill_writes_a_valid_document_and_never_overwrites(server: str,
                                                                     tmp_path: Path) -> None:
    from click.testing import CliRunner

    from billdiff.cli import cli

    out = tmp_path / "ma-193-h4359.yaml"
    args = ["fetch", "ma-bill", "193", "H4359", "--api-base", f"{server}/api", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    doc = Document.model_validate(yaml.safe_load(out.read_text(encoding="utf-8")))
    assert doc.number == "H.4359"
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 2
    assert "already exists" in again.output
    assert CliRunner().invoke(cli, [*args, "--force"]).exit_code == 0


def test_cli_fetch_unknown_bill_is_one_line_exit_2(server: str) -> None:
    from click.testing import CliRunner

    from billdiff.cli import cli

    result = CliRunner().invoke(cli, ["fetch", "ma-bill", "193", "H99999", "--api-base",
                                      f"{server}/api"])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1


def test_cli_fetch_mgl_to_stdout(server: str) -> None:
    from click.testing import CliRunner

    from billdiff.cli import cli

    result = CliRunner().invoke(cli, ["fetch", "mgl", "90", "17", "--api-base", f"{server}/api"])
    assert result.exit_code == 0, result.output
    assert Document.model_validate(yaml.safe_load(result.output)).id == "mgl-c90-s17"
