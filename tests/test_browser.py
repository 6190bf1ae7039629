"""Real pages in headless Chromium: redline, axe-core, keyboard-only use, screenshots.

Needs Debian's Chromium at /usr/bin/chromium and axe-core at tests/.axe (install it with
``npm install --prefix tests/.axe axe-core@4``).  The app runs on a real socket (werkzeug's
``make_server``) in a thread.  Screenshots go to tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "tests" / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}

_MISSING = [reason for present, reason in (
    (CHROMIUM.exists(), f"{CHROMIUM} is absent (apt install chromium)"),
    (AXE.exists(), f"{AXE} is absent (npm install --prefix tests/.axe axe-core@4)"),
) if not present]
if _MISSING and os.environ.get("BILLDIFF_REQUIRE_BROWSER"):
    # CI installs both: there a missing browser is a failure, never a silent skip
    raise RuntimeError("browser tests required but: " + "; ".join(_MISSING))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(_MISSING), reason="; ".join(_MISSING)),
]


#: A bundled pair whose held provisions really differ in wording.
REDLINE = "/compare?a=ma-192-s3084&b=ma-193-h4359"


def _pages(corpus) -> dict[str, str]:
    """One URL per page type on the bundled dossier (names are screenshot file names)."""
    from billdiff.analysis import default_pair

    a, b = default_pair(corpus)
    docs = corpus.ordered_documents()
    with_text = next((d for d in reversed(docs) if d.provenance.completeness.value != "none"),
                     docs[-1])
    topic = next(iter(corpus.topics), None)
    pages = {
        "home": "/",
        "document-current-law": f"/documents/{a}",
        "document-bill": f"/documents/{with_text.id}",
        "compare-default": "/compare",
        "compare-inline": f"/compare?a={a}&b={b}&view=inline",
        "guide": "/guide",
        "error-404": "/documents/no-such-document",
        "error-400": "/compare?granularity=sentence",
        "draft": f"/draft?against={b}",
        "factsheet": f"/factsheet?a={a}&b={b}",
    }
    if "ma-192-s3084" in corpus.documents and "ma-193-h4359" in corpus.documents:
        # the pair whose held provisions differ in wording (the SECTION 1 lead-in), and in
        # typography (the definitions)
        pages["compare-redline"] = REDLINE
    if "ma-192-s3084" in corpus.documents and "ma-193-h1728" in corpus.documents:
        pages["compare-typography"] = "/compare?a=ma-192-s3084&b=ma-193-h1728&topic=definitions"
    if topic:
        pages["topic"] = f"/topics/{'definitions' if 'definitions' in corpus.topics else topic}"
    from billdiff.amend import corpus as amended

    found = next((p for d in docs for p in amended.amended_by(corpus, d)
                  if p.amendment.provenance.completeness.value != "none"), None)
    if found is not None:  # the law as amended: a comparative print
        pages["as-amended"] = f"/as-amended/{found.target.id}/{found.amendment.id}"
    return pages


@pytest.fixture(scope="module")
def bundled():
    from billdiff.load import load_corpus

    return load_corpus(ROOT / "bills")


@contextmanager
def _serving(app) -> Iterator[str]:
    """*app* served on a free loopback port in a thread, for as long as the block runs."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def base_url(bundled) -> Iterator[str]:
    from billdiff.web import create_app

    with _serving(create_app({"BILLS_DIR": str(ROOT / "bills")})) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    # bypass_csp only so that axe can be injected; the app's own pages need no inline script.
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    p = context.new_page()
    yield p
    context.close()


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS)
    return result["violations"]


def _explain(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}  {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)


def test_every_page_type_passes_axe_and_is_screenshotted(page, base_url, bundled, artifacts):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    failures = []
    for name, path in _pages(bundled).items():
        response = page.goto(base_url + path)
        assert response is not None
        expected = 404 if name == "error-404" else 400 if name == "error-400" else 200
        assert response.status == expected, f"{path}: {response.status}"
        assert page.locator("h1").count() == 1, f"{path}: expected one h1"
        page.screenshot(path=str(artifacts / f"{name}-desktop.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(artifacts / f"{name}-phone.png"), full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        page.set_viewport_size(DESKTOP)
        if overflow > 1:
            failures.append(f"{path}: scrolls sideways by {overflow}px at 360px wide")
        violations = _axe(page)
        if violations:
            failures.append(f"{path}:\n{_explain(violations)}")
    assert not failures, "\n\n".join(failures)
    # CSP errors would show up in the console (bypass_csp is on, so only real errors remain)
    assert not [e for e in errors if "Failed to load" not in e], errors


def test_redline_renders_ins_and_del(page, base_url, bundled):
    if "ma-192-s3084" not in bundled.documents:
        pytest.skip("the bundled dossier lacks ma-192-s3084")
    page.goto(base_url + REDLINE + "&view=inline")
    redline = page.locator(".redline")
    assert redline.count() >= 1
    assert page.locator(".redline del").count() >= 1
    assert page.locator(".redline ins").count() >= 1
    # readable without colour: underline and strike-through
    ins_deco = page.eval_on_selector(".redline ins", "e => getComputedStyle(e).textDecorationLine")
    del_deco = page.eval_on_selector(".redline del", "e => getComputedStyle(e).textDecorationLine")
    assert "underline" in ins_deco
    assert "line-through" in del_deco
    # the hidden words are there for screen readers but not shown
    hidden = page.locator(".redline ins .vh").first
    assert "inserted" in hidden.inner_text()
    assert hidden.bounding_box()["width"] <= 1


def test_compare_form_works_with_the_keyboard_only(page, base_url, bundled):
    docs = bundled.ordered_documents()
    if len(docs) < 3:
        pytest.skip("needs three documents")
    page.goto(base_url + "/compare")
    initial_a = page.input_value("#bd-a")
    initial_b = page.input_value("#bd-b")

    def tab_to(selector: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    # the first Tab stop is the skip link, and it is visible when focused
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    assert page.locator(".skip-link").bounding_box()["y"] >= 0
    tab_to("#bd-a")
    page.keyboard.press("ArrowDown")
    tab_to("#bd-b")
    page.keyboard.press("ArrowUp")
    chosen_a, chosen_b = page.input_value("#bd-a"), page.input_value("#bd-b")
    assert (chosen_a, chosen_b) != (initial_a, initial_b), "arrow keys did not change a select"
    tab_to("button[type=submit]")
    # focus is visible on the button
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    query = parse_qs(urlparse(page.url).query)
    assert query["a"] == [chosen_a]
    assert query["b"] == [chosen_b]
    h1 = page.locator("h1").inner_text()
    assert bundled.documents[chosen_a].number in h1
    assert bundled.documents[chosen_b].number in h1


def test_print_stylesheet_hides_chrome_and_keeps_marks(page, base_url, bundled):
    if "ma-192-s3084" not in bundled.documents:
        pytest.skip("the bundled dossier lacks ma-192-s3084")
    page.goto(base_url + REDLINE)
    page.emulate_media(media="print")
    assert page.locator(".compare-form").is_hidden()
    assert page.locator(".site-header").is_hidden()
    colours = page.eval_on_selector(
        ".redline ins", "e => [getComputedStyle(e).color, getComputedStyle(e).textDecorationLine]")
    assert colours[0] in ("rgb(0, 0, 0)",)
    assert "underline" in colours[1]
    pdf = page.pdf(format="Letter")
    assert pdf[:4] == b"%PDF"


def test_no_javascript_needed(browser, base_url):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    p = context.new_page()
    try:
        p.goto(base_url + "/compare")
        p.select_option("#bd-b", index=0)
        with p.expect_navigation():
            p.click("button[type=submit]")
        assert "b=" in p.url
        assert p.locator("h1").count() == 1
        api = p.goto(base_url + "/api/topics")
        assert api is not None
        assert isinstance(json.loads(api.text()), dict)
    finally:
        context.close()


def test_draft_page_compares_pasted_text(page, base_url, bundled, artifacts):
    if "ma-193-h4359" not in bundled.documents:
        pytest.skip("the bundled dossier lacks ma-193-h4359")
    clean = (ROOT / "tests" / "fixtures" / "ma" / "ma-193-h4359.clean.txt").read_text("utf-8")
    page.goto(base_url + "/draft?against=ma-193-h4359")
    page.fill("#bd-text", clean.replace("any computer software", "any software"))
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator(".draft-result").count() == 1
    assert page.locator(".redline del").count() >= 1
    page.screenshot(path=str(artifacts / "draft-result-desktop.png"), full_page=True)
    violations = _axe(page)
    assert not violations, _explain(violations)


def test_factsheet_download_is_reachable_by_keyboard(page, base_url, bundled):
    from billdiff.analysis import default_pair

    a, b = default_pair(bundled)
    page.goto(base_url + f"/factsheet?a={a}&b={b}")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.includes('Download PDF')"):
            break
    else:
        raise AssertionError("Tab never reached the Download PDF link")
    href = page.evaluate("document.activeElement.getAttribute('href')")
    response = page.request.get(base_url + href)
    assert response.status == 200
    assert response.body()[:4] == b"%PDF"


def test_printed_comparison_is_compact_dated_and_has_its_permalink(page, base_url, bundled,
                                                                    artifacts):
    """Printing S.3084 against H.4359 used to take 25 letter pages for about 300 compared words:
    each pair of texts we lack is printed once, our summaries stay on screen, the folded parts
    stay folded."""
    import io

    from pypdf import PdfReader

    if "ma-193-h4359" not in bundled.documents:
        pytest.skip("the bundled dossier lacks ma-193-h4359")
    page.goto(base_url + REDLINE)
    pdf = page.pdf(format="Letter")
    (artifacts / "compare-print.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) <= 6, f"{len(reader.pages)} pages"
    first = reader.pages[0].extract_text()
    assert "Printed from " + base_url + "/compare?a=ma-192-s3084&b=ma-193-h4359" in " ".join(
        first.split())
    changes = page.request.get(base_url + REDLINE + "&show=changes")
    assert changes.status == 200
    page.goto(base_url + REDLINE + "&show=changes")
    assert len(PdfReader(io.BytesIO(page.pdf(format="Letter"))).pages) <= len(reader.pages)


def test_topic_page_on_a_phone_shows_the_changes_first(browser, base_url, bundled, artifacts):
    if "definitions" not in bundled.topics:
        pytest.skip("the bundled dossier has no definitions topic")
    context = browser.new_context(viewport=PHONE)
    p = context.new_page()
    try:
        p.goto(base_url + "/topics/definitions")
        box = p.locator(".step-list").bounding_box()
        assert box is not None
        assert box["y"] < PHONE["height"], "the list of changes is below the first screen"
        # every version is folded until opened
        assert p.locator("details.version__details[open]").count() == 0
        assert p.locator("details.version__details").count() >= 2
        p.screenshot(path=str(artifacts / "topic-phone-first-screen.png"))
        height = p.evaluate("document.documentElement.scrollHeight")
        assert height < 12 * PHONE["height"], f"{height}px: too many screens"
    finally:
        context.close()


def test_redline_words_for_screen_readers_are_in_the_markup(page, base_url, bundled):
    """Some screen readers announce neither <ins> nor <del>: the words that say so are text in
    the page, not CSS content."""
    page.goto(base_url + REDLINE + "&view=inline")
    ins = page.locator(".redline ins").first
    assert ins.evaluate("e => e.textContent").startswith("[inserted: ")
    assert ins.evaluate("e => e.textContent").endswith(", end inserted]")
    deleted = page.locator(".redline del").first
    assert deleted.evaluate("e => e.textContent").startswith("[deleted: ")
    # and the markers are not added by CSS (a reader of the DOM would miss those)
    content = deleted.evaluate("e => getComputedStyle(e, '::before').content")
    assert content in ("none", "normal", '""')


# -- RELIABILITY.md §G item 18: the pages it names, on a corpus with a 5,000-word pair --------


@pytest.fixture(scope="module")
def limited_url(tmp_path_factory) -> Iterator[str]:
    """The app on the bundled dossier plus the 5,000-word pair (benchmarks/memory.py), with
    limits of one new fact sheet and three drafts per client, so that their 429 pages can be
    reached."""
    import sys

    from billdiff.web import create_app

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import memory

    bills = memory.write_bench_corpus(tmp_path_factory.mktemp("g18") / "bills")
    app = create_app({"BILLS_DIR": str(bills), "FACTSHEET_RENDERS_PER_MINUTE": 1,
                      "DRAFTS_PER_MINUTE": 3})
    try:
        with _serving(app) as url:
            yield url
    finally:
        from billdiff.web.factsheet import _state

        with app.app_context():
            renderer = _state().renderer
        if renderer is not None:
            renderer.close()


def _axe_clean(page, what: str) -> None:
    violations = _axe(page)
    assert not violations, f"{what}:\n{_explain(violations)}"


def test_g18_pages_pass_axe_home_compare_form_and_a_5k_word_diff(page, limited_url, artifacts):
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from memory import BIG_A, BIG_B

    for name, path in (("home", "/"), ("compare-form", "/compare"),
                       ("diff-5k-words", f"/compare?a={BIG_A}&b={BIG_B}"),
                       ("diff-5k-words-inline", f"/compare?a={BIG_A}&b={BIG_B}&view=inline"),
                       ("validation-error", "/compare?granularity=sentence")):
        response = page.goto(limited_url + path)
        assert response is not None
        assert response.status == (400 if name == "validation-error" else 200), path
        if name.startswith("diff-5k"):
            # the whole redline is there: about a thousand replaced words, each ins and del
            assert page.locator(".redline ins").count() >= 500
            assert page.locator(".redline del").count() >= 500
        page.screenshot(path=str(artifacts / f"g18-{name}.png"))
        _axe_clean(page, path)


def test_g18_draft_validation_error_413_and_429_pages_pass_axe(page, limited_url, artifacts):
    from billdiff.draft import MAX_DRAFT_WORDS

    # a validation error on the draft form: nothing pasted
    page.goto(limited_url + "/draft")
    with page.expect_navigation() as nav:
        page.click("button[type=submit]")
    assert nav.value.status == 400
    assert ("the draft is empty (paste or upload the text to compare)"
            in page.locator(".error-summary").inner_text())
    _axe_clean(page, "draft: empty")
    # over the word limit: 413, the form again with the limit named
    page.goto(limited_url + "/draft")
    page.fill("#bd-text", "word " * (MAX_DRAFT_WORDS + 1))
    with page.expect_navigation() as nav:
        page.click("button[type=submit]")
    assert nav.value.status == 413
    assert f"{MAX_DRAFT_WORDS:,}-word limit" in page.locator(".error-summary").inner_text()
    page.screenshot(path=str(artifacts / "g18-draft-413.png"))
    _axe_clean(page, "draft: 413")
    # a body over the request limit: the app's 413 page (a 2.1 MB upload)
    page.goto(limited_url + "/draft")
    page.set_input_files("#bd-file", files=[{"name": "big.txt", "mimeType": "text/plain",
                                             "buffer": b"word " * 440_000}])
    with page.expect_navigation() as nav:
        page.click("button[type=submit]")
    assert nav.value.status == 413
    assert "The request is too large" in page.locator("h1").inner_text()
    page.screenshot(path=str(artifacts / "g18-413.png"))
    _axe_clean(page, "413")
    # the draft limit (three a minute here, every draft posted counts): the third is
    # compared, the fourth refused
    statuses = []
    for _ in range(2):
        page.goto(limited_url + "/draft")
        page.fill("#bd-text", "Section 1. A rule.\n")
        with page.expect_navigation() as nav:
            page.click("button[type=submit]")
        statuses.append(nav.value.status)
    assert statuses == [200, 429]
    refusal = page.locator(".error-summary").inner_text()
    assert "This address has compared 3 drafts in the last minute" in refusal
    assert "Go back to the form, where your browser keeps your text" in refusal
    page.screenshot(path=str(artifacts / "g18-draft-429.png"))
    _axe_clean(page, "draft: 429")
    # the refusal read no body and gave none back: the text is where the page says it is
    page.go_back()
    assert page.locator("#bd-text").input_value() == "Section 1. A rule.\n"
    # ...and the fact-sheet limit: one new sheet, then the 429 page
    from billdiff.analysis import default_pair
    from billdiff.load import load_corpus

    a, b = default_pair(load_corpus(ROOT / "bills"))
    assert page.goto(limited_url + f"/factsheet?a={a}&b={b}").status == 200
    refused = page.goto(limited_url + f"/factsheet?a={a}&b={b}&topic=definitions")
    assert refused is not None
    assert refused.status == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "Too many new fact sheets at once" in page.locator("h1").inner_text()
    page.screenshot(path=str(artifacts / "g18-429.png"))
    _axe_clean(page, "429")


def test_g18_keyboard_only_from_the_home_page_to_the_fact_sheet_pdf(browser, base_url, bundled):
    """Tab and Enter only: home page, a comparison, its fact sheet, and the PDF download."""
    import io

    from pypdf import PdfReader

    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    p = context.new_page()

    def tab_to(condition: str, what: str, limit: int = 120) -> None:
        for _ in range(limit):
            p.keyboard.press("Tab")
            if p.evaluate(f"(() => {{ const e = document.activeElement; return {condition}; }})()"):
                return
        raise AssertionError(f"Tab never reached {what}")

    try:
        p.goto(base_url + "/")
        tab_to("e.tagName === 'A' && e.getAttribute('href').startsWith('/compare?')",
               "a comparison on the home page")
        with p.expect_navigation():
            p.keyboard.press("Enter")
        assert "/compare" in p.url
        tab_to("e.textContent.includes('Fact sheet for this comparison')",
               "the fact sheet link")
        with p.expect_navigation():
            p.keyboard.press("Enter")
        assert "/factsheet?" in p.url
        tab_to("e.textContent.includes('Download PDF')", "Download PDF")
        with p.expect_download() as download:
            p.keyboard.press("Enter")
        data = Path(download.value.path()).read_bytes()
        reader = PdfReader(io.BytesIO(data))
        assert len(reader.pages) == 1
        assert download.value.suggested_filename.startswith("factsheet-")
    finally:
        context.close()
