"""The reliability bar (RELIABILITY.md §G) where no other test file proves it: a crashed PDF
worker and a sheet that cannot fit (issue 11, item 7), the limits with two gunicorn workers
(§G 13), cache correctness (§G 14) and memory over many renders (§G 12).  docs/reliability.md
maps every §G item to its tests."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import signal
import sys
from pathlib import Path

import pytest
import yaml
from test_build import GOLDEN_CORPUS
from test_serve import Server, start, stop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import memory  # noqa: E402  (benchmarks/memory.py: the 5,000-word pair and the RSS probe)

A, B = "mgl-c6-s220-2020", "ma-194-s1053"
HOST = "bills.example.org"
TOPICS = ("warrant-requirement", "surveillance-ban", "due-process", "who-may-search",
          "definitions", "transparency-reporting")


def _app(bills: Path = GOLDEN_CORPUS, **config: object):
    from billdiff.web import create_app

    return create_app({"TESTING": True, "BILLS_DIR": str(bills),
                       "FACTSHEET_RENDERS_PER_MINUTE": 0, **config})


def _state(app):
    from billdiff.web import factsheet

    with app.app_context():
        return factsheet._state()


# -- a crashed PDF worker, and a sheet that cannot fit (issue 11, item 7) ---------------------


class _KilledAfterSend:
    """The renderer's pipe, killing the worker (SIGKILL) as soon as a job has been sent to it:
    the worker dies mid-render, as under the OOM killer or an operator's ``kill -9``."""

    def __init__(self, conn, pid: int) -> None:
        self._conn = conn
        self._pid = pid

    def send(self, job) -> None:
        self._conn.send(job)
        os.kill(self._pid, signal.SIGKILL)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


def test_a_pdf_worker_killed_mid_render_is_503_with_retry_after_and_a_logged_incident(caplog):
    app = _app()
    client = app.test_client()
    renderer = _state(app).renderer
    assert renderer is not None  # a real worker process, as in production
    try:
        renderer.start()
        first = renderer._proc
        renderer._conn = _KilledAfterSend(renderer._conn, first.pid)
        with caplog.at_level(logging.ERROR, logger="billdiff.web"):
            response = client.get(f"/factsheet.pdf?a={A}&b={B}")
        assert response.status_code == 503  # never 413 "request too large"
        assert response.headers["Retry-After"] == "30"
        assert response.headers["Cache-Control"] == "no-store"
        body = response.get_data(as_text=True)
        assert "Please try again in a minute" in body
        assert "request body" not in body
        match = re.search(r"the PDF maker stopped \(reference ([0-9a-f]{12})\); it has been "
                          r"restarted", body, re.IGNORECASE)
        assert match, body
        incident = match.group(1)
        logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert logged == [f"incident {incident}: fact sheet worker failed (WorkerCrashed): the "
                          "PDF worker stopped during the render (it was killed or ran out of "
                          "memory)"]
        assert not first.is_alive()
        # the next request gets a fresh worker and its PDF
        again = client.get(f"/factsheet.pdf?a={A}&b={B}")
        assert again.status_code == 200
        assert again.data.startswith(b"%PDF")
        assert renderer._proc is not None
        assert renderer._proc.pid != first.pid
    finally:
        renderer.close()


def _crowded_corpus(tmp_path: Path) -> Path:
    """The golden corpus with topic titles and questions as long as the schema allows them
    to be, so that four topics cannot fit one page however much is cut."""
    root = Path(shutil.copytree(GOLDEN_CORPUS, tmp_path / "crowded"))
    path = root / "topics.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for topic in data["topics"]:
        topic["title"] = ("A very long topic title " * 80).strip()[:1990]
        topic["question"] = ("A very long question about this topic " * 50).strip()[:1990] + "?"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return root


def test_a_sheet_that_cannot_fit_is_422_saying_to_choose_fewer_topics(tmp_path, caplog):
    app = _app(_crowded_corpus(tmp_path))
    client = app.test_client()
    query = f"a={A}&b={B}&" + "&".join(f"topic={t}" for t in TOPICS[:4])
    try:
        with caplog.at_level(logging.WARNING, logger="billdiff.web"):
            for path in ("/factsheet.pdf", "/factsheet"):
                response = client.get(f"{path}?{query}")
                assert response.status_code == 422, path
                body = response.get_data(as_text=True)
                assert "The fact sheet does not fit on one page" in body
                assert re.search(r"[Tt]he content does not fit on 1 page even at its shortest "
                                 r"\(\d+ pages\) \(choose fewer topics\)", body), body
                assert "Choose fewer topics for the sheet." in body
                assert "Retry-After" not in response.headers  # not a "try again"
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no incident
        # one topic fits
        one = client.get(f"/factsheet.pdf?a={A}&b={B}&topic={TOPICS[0]}")
        assert one.status_code == 200
    finally:
        renderer = _state(app).renderer
        if renderer is not None:
            renderer.close()


# -- the per-client limits with two gunicorn workers (§G 13) ---------------------------------


@pytest.fixture
def two_workers(tmp_path: Path):
    """gunicorn with the production settings, two workers, behind one (pretend) proxy, with a
    limit of 2 new fact sheets and 2 drafts per client per minute per worker."""
    corpus = Path(shutil.copytree(GOLDEN_CORPUS, tmp_path / "corpus"))
    server = start(tmp_path, corpus, "--production", "--workers", "2",
                   BILLDIFF_SECRET_KEY="s" * 40, BILLDIFF_SITE_URL=f"https://{HOST}",
                   BILLDIFF_PROXY_HOPS="1", BILLDIFF_PDF_RENDERS_PER_MINUTE="2",
                   BILLDIFF_DRAFTS_PER_MINUTE="2")
    yield server
    stop(server)


def _workers_of(server: Server) -> set[str]:
    return set(re.findall(r"Booting worker with pid: (\d+)", server.text()))


@pytest.mark.slow
def test_the_pdf_limit_holds_per_client_per_worker_with_retry_after(two_workers):
    server = two_workers
    assert len(_workers_of(server)) == 2

    def pdf(topic: str, client: str) -> tuple[int, dict[str, str]]:
        status, headers, _ = server.get(f"/factsheet.pdf?a={A}&b={B}&topic={topic}",
                                        {"X-Forwarded-For": client})
        return status, headers

    one = [pdf(topic, "203.0.113.5") for topic in TOPICS[:5]]  # five new sheets, one client
    statuses = [s for s, _ in one]
    assert set(statuses) <= {200, 429}, statuses  # a limit is 429, never another error
    # two per worker: at least 2 and at most 4 of the 5 are made, whichever worker answers
    assert 2 <= statuses.count(200) <= 4, statuses
    assert 429 in statuses
    for status, headers in one:
        if status == 429:
            assert 1 <= int(headers["Retry-After"]) <= 60
            assert headers["Cache-Control"] == "no-store"
    # another client behind the same proxy has its own count
    assert pdf(TOPICS[5], "203.0.113.6")[0] == 200


@pytest.mark.slow
def test_the_draft_limit_holds_per_client_per_worker_behind_gunicorn(two_workers):
    import urllib.error
    import urllib.parse
    import urllib.request

    server = two_workers
    # the session cookie is Secure (production): sent by hand, as the proxy's https would
    cookie: dict[str, str] = {}

    def call(method: str, data: bytes | None = None) -> tuple[int, dict[str, str], str]:
        request = urllib.request.Request(server.base + "/draft", data=data, method=method,
                                         headers={"Host": HOST,
                                                  "X-Forwarded-For": "203.0.113.9",
                                                  "X-Forwarded-Proto": "https", **cookie})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read().decode()

    status, headers, form = call("GET")
    assert status == 200
    assert "Secure" in headers["Set-Cookie"]
    cookie["Cookie"] = headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "against": B,
                                   "text": "Section 1. A rule.\n"}).encode()
    answers = [call("POST", body) for _ in range(5)]
    statuses = [s for s, _, _ in answers]
    assert set(statuses) <= {200, 429}, [(s, t[:300]) for s, _, t in answers]
    assert 2 <= statuses.count(200) <= 4, statuses
    for status, headers, text in answers:
        if status == 429:
            assert 1 <= int(headers["Retry-After"]) <= 60
            assert "This address has compared 2 drafts in the last minute" in text


# -- cache correctness (§G 14) ----------------------------------------------------------------


@pytest.mark.parametrize("page_cache", [64 * 1024 * 1024, 0])
def test_a_repeat_pdf_is_served_from_the_cache_byte_for_byte_whatever_the_host(monkeypatch,
                                                                              page_cache):
    from billdiff import pdf

    renders: list[int] = []
    real = pdf.render_fitting

    def counted(job):
        renders.append(1)
        return real(job)

    monkeypatch.setattr(pdf, "render_fitting", counted)
    app = _app(FACTSHEET_IN_PROCESS=True, SITE_URL=f"https://{HOST}",
               TRUSTED_HOSTS=["localhost", "127.0.0.1", HOST], PAGE_CACHE_BYTES=page_cache)
    client = app.test_client()
    url = f"/factsheet.pdf?a={A}&b={B}"
    first = client.get(url, headers={"Host": "localhost"})
    assert first.status_code == 200
    assert len(renders) == 1
    etag = first.headers["ETag"]
    for host in ("localhost", HOST, "127.0.0.1:5000"):
        again = client.get(url, headers={"Host": host})
        assert again.status_code == 200
        assert hashlib.sha256(again.data).digest() == hashlib.sha256(first.data).digest(), host
        assert again.headers["ETag"] == etag
    assert len(renders) == 1  # every repeat came from a cache (pages, else PDFs by content)
    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.data == b""
    # a change of what the sheet shows is a new key: rendered again, other bytes
    other = client.get(url + "&paper=a4")
    assert other.status_code == 200
    assert other.headers["ETag"] != etag
    assert len(renders) == 2


def test_identical_sheets_are_identical_bytes_in_two_processes(tmp_path):
    import subprocess

    code = ("import datetime as dt, hashlib, sys\n"
            "from billdiff import factsheet as fs\n"
            "from billdiff.load import load_corpus\n"
            f"corpus = load_corpus({str(GOLDEN_CORPUS)!r}).require_clean()\n"
            f"data, _ = fs.make_pdf(corpus, fs.FactSheetRequest({A!r}, {B!r}, "
            "date=dt.date(2025, 7, 9)))\n"
            "print(hashlib.sha256(data).hexdigest())\n")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, timeout=120).stdout.strip() for _ in range(2)}
    assert len(digests) == 1, digests
    assert re.fullmatch(r"[0-9a-f]{64}", digests.pop())


def test_pasted_drafts_are_never_stored_or_cached():
    app = _app(FACTSHEET_IN_PROCESS=True)
    client = app.test_client()
    form = client.get("/draft").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    for _ in range(2):
        response = client.post("/draft", data={"csrf_token": token, "against": B,
                                               "text": "Section 1. A secret rule.\n"})
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "ETag" not in response.headers
    from billdiff.web.caching import page_cache

    cache = page_cache(app)
    assert cache is not None
    assert client.get("/").status_code == 200
    assert len(cache) == 1  # the home page was stored, the drafts were not
    assert not [s for s in cache._items.values() if b"A secret rule" in s.body]


# -- memory over many renders (§G 12; the 500-render run is benchmarks/memory.py) -------------


@pytest.mark.slow
def test_memory_stays_flat_over_many_5k_word_renders(tmp_path):
    """A CI-sized §G 12: 150 renders of the 5,000-word comparison page, each diffed, read and
    rendered again, and 30 fact-sheet PDFs in one PDF worker; resident memory at the end
    within 1.2 times its size after the tenth (the run measures memory, never time)."""
    bills = memory.write_bench_corpus(tmp_path / "bills")
    web = memory.measure("web", bills, 150)
    assert len(web) == 150
    assert web[-1]["bytes"] > 100_000  # the whole 5,000-word redline, each time
    summary = memory.summary(web)
    assert summary["ratio"] <= 1.2, summary
    rows = memory.measure("pdf", bills, 30)
    assert len(rows) == 30
    for key in ("rss", "web_rss"):
        summary = memory.summary(rows, key)
        assert summary["ratio"] <= 1.2, (key, summary)


def test_the_5k_word_pair_is_what_it_says():
    a, b = memory.five_k_texts()
    assert len(a.split()) - a.count("(") == 5000 == len(b.split()) - b.count("(")
    changed = sum(x != y for x, y in zip(a.split(), b.split(), strict=True))
    assert changed == 1000  # every fifth word
