"""Fact sheets: what they hold, the organisation file, the CLI command, the web routes and
the golden HTML (regenerate with BILLDIFF_UPDATE_GOLDEN=1)."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from billdiff import factsheet as fs
from billdiff.cli import cli
from billdiff.errors import BilldiffError, NotFound
from billdiff.load import load_corpus

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
GOLDEN_CORPUS = GOLDEN / "corpus"
A, B = "mgl-c6-s220-2020", "ma-194-s1053"
DATE = dt.date(2025, 7, 9)


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(GOLDEN_CORPUS).require_clean()


def _png(path: Path, size: tuple[int, int] = (40, 20)) -> Path:
    Image.new("RGB", size, (10, 20, 30)).save(path, format="PNG")
    return path


# -- what a fact sheet holds ---------------------------------------------------------------


def test_default_sheet_is_neutral_with_bills_provisions_facts_and_provenance(corpus) -> None:
    sheet = fs.build_factsheet(corpus, A, B, date=DATE)
    assert sheet.ask == ""  # no organisation file: a comparison, no call to action
    assert sheet.title == "G.L. c. 6, § 220 and S.1053 compared"
    assert [b.number for b in sheet.bills] == ["S.1053", "H.1946"]
    assert sheet.bills[0].sponsors == ("Cynthia Stone Creem",)
    assert "194th General Court" in (sheet.session or "")
    assert [p.topic_id for p in sheet.provisions] == list(fs.DEFAULT_TOPICS)
    for p in sheet.provisions:
        assert p.current.sentences
        assert p.bill.sentences
        assert all(s.notes for s in (*p.current.sentences, *p.bill.sentences))
    assert 1 <= len(sheet.facts) <= fs.MAX_FACTS
    assert all(f.notes for f in sheet.facts)
    assert [n.number for n in sheet.notes] == list(range(1, len(sheet.notes) + 1))
    assert "secondary sources" in sheet.provenance
    assert "G.L. c. 6, § 220: none" in sheet.provenance
    assert "S.1053: partial" in sheet.provenance
    assert "could not be obtained in full" in sheet.provenance
    assert sheet.link == f"{fs.DEFAULT_SITE_URL}/compare?a={A}&b={B}"
    # what the word-by-word comparison found, in plain words, for each provision
    assert {p.text_note for p in sheet.provisions} == {
        "We don't have the words of both texts to compare."}
    assert sheet.qr.size > 20
    assert sheet.qr.path.startswith("M")
    assert sheet.date_label == "July 9, 2025"


def test_chosen_topics_and_facts_follow_them(corpus) -> None:
    sheet = fs.build_factsheet(corpus, A, B, topics=["transparency-reporting"], date=DATE)
    assert [p.topic_id for p in sheet.provisions] == ["transparency-reporting"]
    assert any("records" in f.id for f in sheet.facts)


def test_unknown_document_or_topic_is_not_found(corpus) -> None:
    with pytest.raises(NotFound):
        fs.build_factsheet(corpus, A, "nope")
    with pytest.raises(NotFound, match="unknown topic"):
        fs.build_factsheet(corpus, A, B, topics=["nope"])
    with pytest.raises(BilldiffError):
        fs.build_factsheet(corpus, A, B, topics=list(corpus.topics)[:5])
    with pytest.raises(BilldiffError):
        fs.build_factsheet(corpus, A, B, site_url="javascript:alert(1)")


def test_org_ask_and_missing_analysis(corpus, tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text("name: Test Group\nask: Vote yes on S.1053\n")
    org = fs.load_org(path, assets=tmp_path)
    sheet = fs.build_factsheet(corpus, A, B, org=org, topics=["warrant-requirement",
                                                              "emergency-searches"], date=DATE)
    assert sheet.ask == sheet.title == "Vote yes on S.1053"
    # nothing known of emergency searches on either side: left off the sheet, and the maker told
    assert [p.topic_id for p in sheet.provisions] == ["warrant-requirement"]
    assert sheet.left_out == ("Emergency searches",)
    html = fs.render_html(sheet)
    assert "Take action" in html
    assert "Ask them to vote yes on S.1053." in html
    assert "takes no side" not in html


def test_neutral_sheet_has_no_call_to_action(corpus) -> None:
    html = fs.render_html(fs.build_factsheet(corpus, A, B, date=DATE))
    assert "Take action" not in html
    assert "Ask them" not in html
    assert "This sheet compares the two texts; it takes no side." in html


@pytest.mark.parametrize(("a", "b", "date", "message"), [
    (A, "ma-192-h135", dt.date(2025, 7, 9), "whose session (192nd General Court (2021-2022)) "
                                            "has ended"),
    (B, A, DATE, "needs a bill on the right"),
    ("ma-193-h4359", "ma-193-s927", dt.date(2024, 6, 1), "reversed comparison"),
])
def test_an_ask_is_refused_where_it_cannot_stand(tmp_path: Path, a, b, date, message) -> None:
    corpus = load_corpus(ROOT / "bills")
    path = tmp_path / "org.yaml"
    path.write_text("name: Test Group\nask: Support the bill\n")
    org = fs.load_org(path, assets=tmp_path)
    with pytest.raises(BilldiffError, match=re.escape(message)):
        fs.build_factsheet(corpus, a, b, org=org, date=date)
    # without the ask the same sheet is a plain comparison
    assert fs.build_factsheet(corpus, a, b, date=date).ask == ""


def test_ladder_keeps_facts_before_cutting_sentences() -> None:
    assert fs.fit_ladder(4, 3) == [(3, 4), (3, 3), (2, 4), (2, 3), (2, 2), (1, 4), (1, 3),
                                   (1, 2), (1, 1), (1, 0)]
    assert fs.fit_ladder(0, 1) == [(1, 0)]


# -- the organisation file ------------------------------------------------------------------


def test_example_org_file_is_valid() -> None:
    org = fs.load_org(ROOT / "examples" / "org.yaml", assets=ROOT / "assets")
    assert org.name
    assert org.logo_png
    assert org.logo_png.startswith(b"\x89PNG")
    assert org.website
    assert org.website.startswith("https://")


def test_org_lists_every_problem_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text("name: ''\ncolors: {primary: red}\ncontact: {website: ftp://x}\nextra: 1\n")
    with pytest.raises(BilldiffError) as info:
        fs.load_org(path, assets=tmp_path)
    message = info.value.message
    assert "\n" not in message
    for field in ("name", "colors.primary", "contact.website", "extra"):
        assert f"{path}: {field}: " in message


def test_missing_org_file(tmp_path: Path) -> None:
    with pytest.raises(BilldiffError, match="not found"):
        fs.load_org(tmp_path / "none.yaml")


def test_pale_brand_colour_is_not_used_for_text(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text("name: X\ncolors: {primary: '#ffee88'}\n")
    assert fs.load_org(path, assets=tmp_path).primary == "#222222"


def test_logo_must_be_a_small_png_or_jpeg_inside_the_assets_folder(tmp_path: Path) -> None:
    assets = tmp_path / "assets"
    assets.mkdir()
    logo = fs.load_logo(_png(assets / "ok.png").name, assets)
    assert Image.open(io.BytesIO(logo)).format == "PNG"
    Image.new("RGB", (30, 30)).save(assets / "ok.jpg", format="JPEG")
    assert fs.load_logo("ok.jpg", assets).startswith(b"\x89PNG")
    _png(tmp_path / "outside.png")
    (assets / "link.png").symlink_to(tmp_path / "outside.png")
    (assets / "fake.png").write_bytes(b"GIF89a" + b"\0" * 40)
    (assets / "svg.png").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')
    (assets / "poly.png").write_bytes(b"\x89PNG\r\n\x1a\n<html><img src=x></html>")
    _png(assets / "big.png", (2500, 10))
    (assets / "huge.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (fs.LOGO_MAX_BYTES + 1))
    for name in ("link.png", "fake.png", "svg.png", "poly.png", "big.png", "huge.png",
                 "../outside.png", "logo.svg", "missing.png"):
        with pytest.raises(ValueError):  # noqa: PT011 - each message is checked by the CLI
            fs.load_logo(name, assets)


def test_pixel_flood_is_refused_quickly(tmp_path: Path) -> None:
    import time

    # a 20000x20000 flat PNG compresses to well under 1 MB
    img = Image.new("1", (20000, 20000))
    img.save(tmp_path / "flood.png", format="PNG", optimize=True)
    start = time.monotonic()
    with pytest.raises(ValueError, match="pixels|over"):
        fs.load_logo("flood.png", tmp_path)
    assert time.monotonic() - start < 1.0


def test_logo_outside_assets_is_reported_with_file_and_field(tmp_path: Path,
                                                             monkeypatch) -> None:
    assets = tmp_path / "assets"
    assets.mkdir()
    monkeypatch.setenv("BILLDIFF_ASSETS", str(assets))
    _png(tmp_path / "logo.png")
    (assets / "logo.png").symlink_to(tmp_path / "logo.png")
    path = tmp_path / "org.yaml"
    path.write_text("name: X\nlogo: logo.png\n")
    with pytest.raises(BilldiffError, match=r"org\.yaml: logo: .*symbolic link"):
        fs.load_org(path)


# -- the template and golden HTML -----------------------------------------------------------


def test_golden_html(corpus) -> None:
    org_path = GOLDEN / "org.yaml"
    org = fs.load_org(org_path, assets=ROOT / "assets")
    sheet = fs.build_factsheet(corpus, A, B, org=org, date=DATE, max_facts=3)
    html = fs.render_html(sheet)
    golden = GOLDEN / "factsheet.html"
    if os.environ.get("BILLDIFF_UPDATE_GOLDEN") == "1":
        golden.write_text(html, encoding="utf-8")
    assert golden.exists(), "run with BILLDIFF_UPDATE_GOLDEN=1 to create the golden file"
    assert html == golden.read_text(encoding="utf-8"), (
        "the fact-sheet HTML changed; if on purpose, regenerate with BILLDIFF_UPDATE_GOLDEN=1")


def test_template_escapes_and_has_no_style_attributes(corpus) -> None:
    org = fs.Org(name='<b>"x"</b>', call_to_action="<script>alert(1)</script>",
                 ask="Support <i>it</i>")
    html = fs.render_html(fs.build_factsheet(corpus, A, B, org=org, date=DATE))
    assert "<script>" not in html
    assert "<b>" not in html
    assert "<i>it" not in html
    assert "&lt;script&gt;" in html
    assert " style=" not in html
    assert '<html lang="en">' in html
    assert "<title>" in html
    assert 'name="dcterms.created" content="2025-07-09"' in html


def test_preview_mode_has_a_keyboard_reachable_download_link(corpus) -> None:
    sheet = fs.build_factsheet(corpus, A, B, date=DATE)
    html = fs.render_html(sheet, mode="preview", assets={
        "css": "/c.css", "theme": "/t.css", "logo": "/l.png", "pdf": "/factsheet.pdf?a=x"})
    assert '<a class="fs-download" href="/factsheet.pdf?a=x" download>Download PDF</a>' in html
    assert "billdiff.invalid" not in html


def test_css_body_size_and_page() -> None:
    css = (ROOT / "billdiff" / "static" / "factsheet.css").read_text()
    assert "body { margin: 0; font-size: 11pt;" in css
    assert "@page { size: 8.5000in 11.0000in;" in fs.theme_css(fs.DEFAULT_ORG, "letter")
    assert "@page { size: 8.2677in 11.6929in;" in fs.theme_css(fs.DEFAULT_ORG, "a4")


# -- the CLI --------------------------------------------------------------------------------


def _run(*args: str):
    return CliRunner().invoke(cli, ["--bills", str(GOLDEN_CORPUS), "factsheet", A, B, *args])


def test_cli_writes_a_pdf_and_html(tmp_path: Path) -> None:
    out = tmp_path / "sheet.pdf"
    result = _run("--date", "2025-07-09", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    html = tmp_path / "sheet.html"
    result = _run("--date", "2025-07-09", "--html", "--paper", "a4", "--out", str(html))
    assert result.exit_code == 0, result.output
    assert "G.L. c. 6, § 220 and S.1053 compared" in html.read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["--topic", "nope"], "unknown topic 'nope'"),
    (["--org", "missing.yaml"], "organisation file not found"),
    (["--date", "2025-13-01"], "is not a date"),
    (["--site-url", "javascript:x"], "not a plain http(s) URL"),
])
def test_cli_bad_input_is_one_line_exit_2_and_no_file(tmp_path: Path, args: list[str],
                                                      message: str) -> None:
    out = tmp_path / "sheet.pdf"
    result = _run(*args, "--out", str(out))
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_cli_bad_org_logo_and_unwritable_output(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BILLDIFF_ASSETS", str(ROOT / "assets"))
    org = tmp_path / "org.yaml"
    org.write_text("name: X\nlogo: ../secret.png\ncolors: {primary: 'red;x:url(y)'}\n")
    result = _run("--org", str(org), "--out", str(tmp_path / "a.pdf"))
    assert result.exit_code == 2
    assert f"{org}: colors.primary: " in result.output
    assert f"{org}: logo: " in result.output
    assert not (tmp_path / "a.pdf").exists()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = _run("--out", str(blocker / "sheet.pdf"))
    assert result.exit_code == 2
    assert "does not exist" in result.output
    existing = tmp_path / "old.pdf"
    existing.write_bytes(b"old")
    result = _run("--out", str(existing))
    assert result.exit_code == 2
    assert existing.read_bytes() == b"old"


# -- the web routes -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    from billdiff.web import create_app

    app = create_app({"TESTING": True, "BILLS_DIR": str(GOLDEN_CORPUS),
                      "FACTSHEET_IN_PROCESS": True,
                      "FACTSHEET_ORG": str(ROOT / "examples" / "org.yaml"),
                      "SITE_URL": "https://billdiff.example.org"})
    return app.test_client()


def test_web_preview_and_pdf(client) -> None:
    page = client.get(f"/factsheet?a={A}&b={B}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Download PDF" in body
    assert "/factsheet.pdf?a=" in body
    assert "https://billdiff.example.org/compare?a=" in body
    with client.get("/factsheet/static/factsheet.css") as css:
        assert css.status_code == 200
    assert client.get("/factsheet/theme.css?paper=a4").get_data(as_text=True).startswith("@page")
    assert client.get("/factsheet/logo.png").mimetype == "image/png"
    first = client.get(f"/factsheet.pdf?a={A}&b={B}&paper=a4")
    assert first.status_code == 200
    assert first.mimetype == "application/pdf"
    assert first.headers["Content-Disposition"] == (
        f'attachment; filename="factsheet-{A}-vs-{B}.pdf"')
    etag = first.headers["ETag"]
    # the links come from SITE_URL, never from the Host header: another host, the same bytes
    again = client.get(f"/factsheet.pdf?a={A}&b={B}&paper=a4", headers={"Host": "127.0.0.1"})
    assert again.data == first.data
    assert client.get(f"/factsheet.pdf?a={A}&b={B}&paper=a4",
                      headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize(("query", "status"), [
    ("a=&b=x", 400),
    (f"a={A}", 400),
    (f"a=../etc&b={B}", 400),
    (f"a={A}&b={B}&paper=legal", 400),
    (f"a={A}&b={B}&topic=%3Cscript%3E", 400),

    (f"a={A}&b={B}&topic=a&topic=b&topic=c&topic=d&topic=e", 400),
    (f"a={A}&b=nope", 404),
    (f"a={A}&b={B}&topic=nope", 400),
])
def test_web_bad_parameters(client, query: str, status: int) -> None:
    assert client.get(f"/factsheet.pdf?{query}").status_code == status
    assert client.get(f"/factsheet?{query}").status_code == status


def test_web_ignores_unknown_parameters_like_compare(client) -> None:
    """A shared link with a tracking parameter still works (RELIABILITY.md, issue 11)."""
    assert client.get(f"/factsheet?a={A}&b={B}&utm_source=newsletter").status_code == 200


def test_web_busy_or_slow_renderer_gives_a_clear_503(tmp_path: Path) -> None:
    from billdiff import pdf
    from billdiff.web import create_app
    from billdiff.web.factsheet import _state

    class Stuck:
        def __init__(self, error: Exception) -> None:
            self.error = error

        def run(self, *_args: object) -> object:
            raise self.error

    app = create_app({"TESTING": True, "BILLS_DIR": str(GOLDEN_CORPUS)})
    client = app.test_client()
    for error in (pdf.RendererBusy("the PDF maker is busy with other fact sheets; try again "
                                   "in a minute"),
                  pdf.RenderTimeout("the PDF took longer than 10 s and was stopped")):
        with app.app_context():
            _state().renderer = Stuck(error)
            _state().cache.clear()
        response = client.get(f"/factsheet.pdf?a={A}&b={B}")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "30"
        assert response.headers["Cache-Control"] == "no-store"
        body = response.get_data(as_text=True)
        assert "Please try again in a minute" in body
        assert error.args[0].split(";")[0][1:] in body  # shown as a sentence: capitalised
        assert "incident" not in body.lower()
    with app.app_context():
        _state().renderer = None  # in-process again: the page comes back
    assert client.get(f"/factsheet.pdf?a={A}&b={B}").status_code == 200


@pytest.mark.parametrize("delay", [0.1, 0.5])
def test_cli_killed_leaves_no_worker_behind(delay: float, tmp_path: Path) -> None:
    """A worker that outlived the command would hold its output pipes open: reading them to
    the end would then never finish."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "x.pdf"
    proc = subprocess.Popen([sys.executable, "-m", "billdiff", "--bills", str(GOLDEN_CORPUS),
                             "factsheet", A, B, "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(delay)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the PDF worker outlived the killed command")
    assert not out.exists() or proc.returncode == 0


def test_a_fact_sheet_of_any_corpus_takes_its_first_topics(tmp_path: Path) -> None:
    import datetime as dt

    from web_helpers import BILL_B, STATUTE, dump, write_corpus

    from billdiff import factsheet
    from billdiff.errors import BadRequest

    root = write_corpus(tmp_path / "bills")
    from billdiff.load import load_corpus

    corpus = load_corpus(root)
    first = tuple(corpus.topics)[:3]
    assert factsheet.default_topics(corpus) == first
    assert not set(first) & set(factsheet.DEFAULT_TOPICS)  # not the dossier's topics
    sheet = factsheet.build_factsheet(corpus, "law-2020", "bill-2023",
                                      site_url="https://example.org", date=dt.date(2026, 1, 1))
    assert sheet.topics == first
    # no topics at all: said plainly
    bare = tmp_path / "bare"
    (bare / "documents").mkdir(parents=True)
    for doc in (STATUTE, BILL_B):
        untagged = {**doc, "sections": [{k: v for k, v in sec.items() if k != "topics"}
                                        for sec in doc["sections"]]}
        dump(bare / "documents" / f"{doc['id']}.yaml", untagged)
    with pytest.raises(BadRequest, match="this corpus has none"):
        factsheet.build_factsheet(load_corpus(bare), "law-2020", "bill-2023",
                                  site_url="https://example.org")



# -- fitting: a tight sheet keeps a fact, and note numbers stay with their word ------------


def _bundled():
    return load_corpus(ROOT / "bills")


def test_a_tight_sheet_keeps_the_facts_that_cost_least_room_rather_than_none() -> None:
    corpus = _bundled()
    org = fs.load_org(ROOT / "examples" / "org.yaml", assets=ROOT / "assets")
    request = fs.FactSheetRequest(A, B, date=DATE)
    sheets = fs.candidates(corpus, request, org)
    full = sheets[0]
    # the compact choice: fewest notes the sheet does not cite already, then the shortest
    cited = {n for p in full.provisions for side in (p.current, p.bill)
             for s in side.sentences for n in s.notes}
    for count in range(1, len(full.facts)):
        ids = fs._compact_facts(full, count)
        assert len(ids) == count
        cost = {f.id: (len(set(f.notes) - cited), len(f.text)) for f in full.facts}
        assert max(cost[i] for i in ids) <= min(
            (cost[f.id] for f in full.facts if f.id not in ids), default=(99, 0))
        assert list(ids) == [f.id for f in full.facts if f.id in ids]  # in the sheet's order
    data, sheet = fs.make_pdf(corpus, request, org)
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    # this sheet could not keep the fullest sheet's first fact at one sentence a side; before
    # the compact candidates it printed no fact at all
    assert sheet.facts
    assert "KEY FACTS" in reader.pages[0].extract_text().upper()


def _line_starts(box, out: list[str]) -> list[str]:
    """The first text of every line box in a WeasyPrint layout."""
    for child in getattr(box, "children", []):
        if type(child).__name__ == "LineBox":
            out.append(_first_text(child))
        else:
            _line_starts(child, out)
    return out


def _first_text(box) -> str:
    if getattr(box, "text", None):
        return f"{box.element_tag}:{box.text}"
    for child in getattr(box, "children", []):
        found = _first_text(child)
        if found:
            return found
    return ""


def test_note_numbers_never_start_a_line_and_a_word_is_never_left_alone() -> None:
    from billdiff import pdf

    corpus = _bundled()
    org = fs.load_org(ROOT / "examples" / "org.yaml", assets=ROOT / "assets")
    sheets = fs.candidates(corpus, fs.FactSheetRequest(A, B, date=DATE), org)
    job = fs.fit_job(sheets)
    html = job.candidates[-1]
    assert 'class="fs-nw"><sup' not in html
    joined = html.replace("&#8288;", "\u2060")  # the word joiner, as the template writes it
    assert re.search(r"\w[.)]?\u2060<sup class=\"fs-ref\">", joined)
    assert not re.search(r"[^\u2060]<sup class=\"fs-ref\">", joined)
    document, _ = pdf._render_document(html, job.generated)
    starts = [s for page in document.pages for s in _line_starts(page._page_box, [])]
    assert starts
    assert not [s for s in starts if s.startswith("sup:")]
    # the WeasyPrint bug a nowrap span round the last word met (Kozea/WeasyPrint#1614): the
    # word before it was set alone on its line ("before" / "it, would have told people...")
    lines = _texts(document)
    assert "before" not in lines, lines


def _texts(document) -> list[str]:
    out: list[str] = []

    def walk(box):
        for child in getattr(box, "children", []):
            if type(child).__name__ == "LineBox":
                out.append("".join(_all_text(child)).strip())
            else:
                walk(child)
    for page in document.pages:
        walk(page._page_box)
    return out


def _all_text(box) -> list[str]:
    text = getattr(box, "text", None)
    if text:
        return [text]
    return [t for child in getattr(box, "children", []) for t in _all_text(child)]
