"""The API fetcher, against recorded responses served by a local HTTP server (no network)."""

from __future__ import annotations

import json
import re
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


_H4359 = json.loads((API / "bill-193-H4359.json").read_bytes())
ROUTES.update({
    # a mirror's odd answers (issue 11, items 4, 8 and 11)
    "/api/GeneralCourts/193/Documents/H20": (
        200, "application/json", json.dumps({"BillNumber": "H20", "DocumentText": 12345}).encode()),
    "/api/GeneralCourts/194/Documents/H21": (
        200, "application/json", json.dumps({"BillNumber": "H21", "DocumentText": None}).encode()),
    "/Bills/194/H21.pdf": (200, "text/html", b"<html><body>Not here</body></html>"),
    "/api/GeneralCourts/193/Documents/H25": (
        200, "application/json", json.dumps({"BillNumber": "H25",
                                             "DocumentText": "SECTION 1.\u0000\u0001"}).encode()),
    "/api/GeneralCourts/193/Documents/H22": (
        200, "application/json", b"[" * 200_000 + b"]" * 200_000),
    "/api/GeneralCourts/193/Documents/H23": (
        200, "application/json", json.dumps({**_H4359, "BillNumber": "H23",
                                             "DocumentText": "SECTION 1. " + "word " * 1_300_000
                                             }).encode()),
    "/api/GeneralCourts/193/Documents/H24": (
        200, "application/json", json.dumps({**_H4359, "BillNumber": "H24",
                                             "Pinslip": "By Mr. Day, a report."}).encode()),
})
#: path -> Location (``{port}`` is the server's port): redirects a mirror might send.
REDIRECTS: dict[str, str] = {
    "/ftp/api/GeneralCourts/193/Documents/H4359": "ftp://127.0.0.1:{port}/bill.json",
    "/file/api/GeneralCourts/193/Documents/H4359": "file:///etc/passwd",
    "/other/api/GeneralCourts/193/Documents/H4359":
        "http://localhost:{port}/api/GeneralCourts/193/Documents/H4359",
    "/same/api/GeneralCourts/193/Documents/H4359":
        "http://127.0.0.1:{port}/api/GeneralCourts/193/Documents/H4359",
    "/same/api/Chapters/90/Sections/17": "/api/Chapters/90/Sections/17",
}


class Handler(BaseHTTPRequestHandler):
    """Serves ROUTES and REDIRECTS; records the headers of each request; ``/flaky`` fails once
    with 503."""

    seen: list[dict[str, str]] = []
    flaky = {"count": 0}

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        Handler.seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        path = self.path
        if path in REDIRECTS:
            self.send_response(302)
            self.send_header("Location", REDIRECTS[path].format(port=self.server.server_port))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
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


# --------------------------------------------------------------------------- redirects (11, 4)


@pytest.mark.parametrize(("prefix", "refusal"), [
    ("ftp", "redirect to a ftp: address is not followed"),
    ("file", "redirect to a file: address is not followed"),
    ("other", "redirect to another host (localhost) is not followed"),
])
def test_redirects_are_followed_only_to_http_on_the_same_host(server: str, prefix: str,
                                                              refusal: str) -> None:
    Handler.seen.clear()
    with pytest.raises(BilldiffError, match=re.escape(refusal)) as info:
        fetch_ma_bill(193, "H4359", api_base=f"{server}/{prefix}/api")
    message = str(info.value)
    assert message.startswith(f"{server}/{prefix}/api/GeneralCourts/193/Documents/H4359: ")
    assert "\n" not in message
    assert [r["path"] for r in Handler.seen] == [f"/{prefix}/api/GeneralCourts/193/Documents/H4359"]
    if prefix == "other":
        assert "--allow-redirect-to localhost" in message


def test_a_followed_redirect_is_recorded(server: str) -> None:
    doc = fetch_ma_bill(193, "H4359", api_base=f"{server}/same/api")
    (source,) = doc.provenance.sources
    asked = f"{server}/same/api/GeneralCourts/193/Documents/H4359"
    assert source.url == f"{server}/api/GeneralCourts/193/Documents/H4359"  # where it came from
    assert f"redirected from {asked}" in source.description
    assert not source.official
    section = fetch_mgl("90", "17", api_base=f"{server}/same/api")  # a relative Location
    assert section.provenance.sources[0].url == f"{server}/api/Chapters/90/Sections/17"
    # a host the user allows
    port = server.rsplit(":", 1)[1]
    allowed = fetch_ma_bill(193, "H4359", api_base=f"{server}/other/api",
                            allow_redirect_to=["LocalHost"])
    assert allowed.provenance.sources[0].url == (
        f"http://localhost:{port}/api/GeneralCourts/193/Documents/H4359")
    assert f"fetched from mirror localhost:{port}" in allowed.provenance.sources[0].description


class RedirectingOpener:
    """Answers for the Legislature's address as if it had been redirected to *final*."""

    def __init__(self, final: str) -> None:
        self.final = final

    def open(self, request: Any, data: Any = None, timeout: float = 0) -> Any:
        import io
        import urllib.parse

        path = urllib.parse.urlsplit(request.full_url).path
        status, _kind, body = ROUTES[path]
        answer = io.BytesIO(body)
        answer.geturl = lambda: self.final + path  # type: ignore[attr-defined]
        return answer


def test_only_text_from_the_official_host_is_official() -> None:
    official = "https://malegislature.gov/api"
    # the Legislature's two host names are one site
    www = fetch_ma_bill(193, "H4359", api_base=official,
                        opener=RedirectingOpener("https://www.malegislature.gov"))
    assert [s.official for s in www.provenance.sources] == [True]
    assert {s.status.value for s, _ in iter_sections(www.sections)} == {"official"}
    # an allowed redirect away from it gives a copy, never an official text
    copy = fetch_ma_bill(193, "H4359", api_base=official, allow_redirect_to=["cdn.example"],
                         opener=RedirectingOpener("https://cdn.example"))
    assert [s.official for s in copy.provenance.sources] == [False]
    assert {s.status.value for s, _ in iter_sections(copy.sections)} == {"single-source"}
    assert copy.provenance.summary.startswith("Fetched by billdiff from mirror cdn.example")
    # https to http is never taken, whatever opener followed it
    with pytest.raises(BilldiffError, match="from https to plain http"):
        fetch_ma_bill(193, "H4359", api_base=official,
                      opener=RedirectingOpener("http://malegislature.gov"))
    with pytest.raises(BilldiffError, match=r"another host \(cdn.example\)"):
        fetch_mgl("90", "17", api_base=official, opener=RedirectingOpener("https://cdn.example"))


def test_redirect_rule() -> None:
    from billdiff.fetch import RedirectRefused, RedirectRule

    rule = RedirectRule.for_base("https://mirror.example/api", ["Extra.Example."])
    rule.check("https://mirror.example/a", "https://MIRROR.example:8443/b")
    rule.check("https://mirror.example/a", "https://extra.example/b")
    rule.check("http://mirror.example/a", "https://mirror.example/b")  # an upgrade is fine
    for target in ("http://mirror.example/b", "ftp://mirror.example/b", "gopher://x/",
                   "https://evil.example/b", "https://mirror.example.evil/b"):
        with pytest.raises(RedirectRefused):
            rule.check("https://mirror.example/a", target)


# --------------------------------------------------------------------------- deadline (11, 5)


def _trickle_server(head: bytes, body: bytes, delay: float, *, slow_head: bool) -> tuple[Any, int]:
    """A server that sends its answer one byte every *delay* seconds (the head too, if
    *slow_head*), until the client goes away."""
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                try:
                    if not slow_head:
                        conn.sendall(head)
                    for byte in (head if slow_head else b"") + body:
                        if stop.is_set():
                            return
                        conn.sendall(bytes([byte]))
                        time.sleep(delay)
                except OSError:
                    continue  # the client hung up

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    class Stopper:
        def close(self) -> None:
            stop.set()
            listener.close()
            thread.join(5)

    return Stopper(), listener.getsockname()[1]


@pytest.mark.parametrize("slow_head", [False, True])
def test_timeout_is_a_deadline_for_the_whole_fetch(slow_head: bool) -> None:
    # the reported case: a server trickling a byte a second kept `fetch --timeout 3` going 40 s
    body = json.dumps({"Code": "17", "Name": "Speed", "IsRepealed": False,
                       "Text": "Section 17. A rule."}).encode()
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    stopper, port = _trickle_server(head, body, 0.1, slow_head=slow_head)
    try:
        # whole, the answer takes 8 s or more to arrive; each byte comes well within 1 s
        with pytest.raises(BilldiffError, match=r"no answer for G\.L\. c\. 90, § 17 within 1 s"):
            fetch_mgl("90", "17", api_base=f"http://127.0.0.1:{port}/api", timeout=1)
    finally:
        stopper.close()


def test_deadline_watch_shuts_a_blocked_read() -> None:
    from billdiff.fetch import Deadline

    left, right = socket.socketpair()
    with left, right:
        deadline = Deadline(0.2)
        deadline.watch(left)
        assert left.recv(10) == b""  # returns once the deadline shuts the socket
        assert deadline.passed()
        deadline.close()


def test_timeout_must_be_positive() -> None:
    with pytest.raises(BilldiffError, match="invalid timeout"):
        fetch_mgl("90", "17", api_base="https://malegislature.gov/api", timeout=0)


# --------------------------------------------------------------------------- odd answers (11, 11)


def test_deeply_nested_json_is_one_line(server: str) -> None:
    with pytest.raises(BilldiffError, match="nested too deeply") as info:
        fetch_ma_bill(193, "H22", api_base=f"{server}/api")
    assert "RecursionError" not in str(info.value)
    assert "\n" not in str(info.value)


def test_api_base_in_capitals_is_the_same_address(server: str) -> None:
    from click.testing import CliRunner

    from billdiff.cli import cli

    shouting = server.replace("http://", "HTTP://") + "/api"
    assert check_api_base(shouting) == f"{server}/api"
    doc = fetch_mgl("90", "17", api_base=shouting)
    assert doc.provenance.sources[0].url.startswith("http://127.0.0.1:")
    result = CliRunner().invoke(cli, ["fetch", "mgl", "90", "17", "--api-base", shouting])
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output


def test_document_text_that_is_not_text(server: str) -> None:
    with pytest.raises(BilldiffError, match="DocumentText that is a number, not text") as info:
        fetch_ma_bill(193, "H20", api_base=f"{server}/api")
    message = str(info.value)
    assert message.startswith(f"{server}/api/GeneralCourts/193/Documents/H20: ")
    assert "--format" not in message
    assert "/tmp" not in message


def test_document_text_that_is_binary(server: str) -> None:
    with pytest.raises(BilldiffError, match="DocumentText of bill H25 .*NUL") as info:
        fetch_ma_bill(193, "H25", api_base=f"{server}/api")
    message = str(info.value)
    assert message.startswith(f"{server}/api/GeneralCourts/193/Documents/H25: ")
    assert "import a text" not in message  # advice for a local file, not for a fetch


def test_a_pdf_that_is_not_a_pdf_names_its_address(server: str) -> None:
    with pytest.raises(BilldiffError, match="not a PDF") as info:
        fetch_ma_bill(194, "H21", api_base=f"{server}/api")
    message = str(info.value)
    assert message.startswith(f"{server}/Bills/194/H21.pdf: ")
    assert "billdiff-" not in message  # no temporary file
    assert "--format" not in message  # an import option, not a fetch one


def test_document_text_too_big_is_refused_before_parsing(server: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # the reported case: a 16.6 MB DocumentText ran past 90 s before any limit applied
    import billdiff.fetch as fetch

    def boom(*_args: object, **_kwargs: object) -> Document:
        raise AssertionError("parsed before the size check")

    monkeypatch.setattr(fetch, "parse_ma_bill", boom)
    monkeypatch.setattr(fetch, "html_to_text", boom)
    with pytest.raises(BilldiffError, match="over the 5,000,000-byte limit") as info:
        fetch_ma_bill(193, "H23", api_base=f"{server}/api")
    assert str(info.value).startswith(f"{server}/api/GeneralCourts/193/Documents/H23: ")


def test_an_answer_is_refused_as_soon_as_it_passes_its_limit(
        server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import billdiff.fetch as fetch

    monkeypatch.setattr(fetch, "MAX_JSON_BYTES", 1000)
    with pytest.raises(BilldiffError, match="over 1,000 bytes"):
        fetch_ma_bill(193, "H4359", api_base=f"{server}/api")


# --------------------------------------------------------------------------- roles (9, 5)


def test_fetched_front_matter_has_its_role(server: str) -> None:
    doc = fetch_ma_bill(193, "H24", api_base=f"{server}/api")
    pinslip = next(s for s in doc.sections if s.id == "pinslip")
    assert pinslip.role.value == "front-matter"
    assert {s.role.value for s in doc.sections if s.id.startswith("sec_")} == {"provision"}
    pdf = fetch_ma_bill(194, "S1053", api_base=f"{server}/api", extractor="pypdf")
    assert {s.id for s in pdf.sections if s.role.value == "front-matter"} == {
        "cover", "petition", "pinslip", "court", "title", "enacting"}
