"""Serving for real: ``billdiff serve --production`` (gunicorn) and the development server, as
processes on loopback sockets.

- ``/healthz`` answers, and answers while a PDF renders;
- pages, the API and PDFs carry an ``ETag`` and answer ``If-None-Match`` with 304;
- a corpus file broken while the site runs (edited into invalid YAML, or removed) leaves the
  site serving the last good data, with the problem on the status page and in the log; the
  fixed file is picked up without a restart;
- gunicorn stops gracefully on SIGTERM.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_build import GOLDEN_CORPUS, env_without_settings, free_port, wait_for

HOST = "bills.example.org"
A, B = "mgl-c6-s220-2020", "ma-194-s1053"


@dataclass
class Server:
    """A server process, its address and its log."""

    proc: subprocess.Popen[bytes]
    base: str
    log: Path

    def get(self, path: str, headers: dict[str, str] | None = None,
            timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
        """GET *path* (with the trusted public Host): status, headers, body."""
        request = urllib.request.Request(self.base + path,
                                         headers={"Host": HOST, **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def text(self) -> str:
        """What the server has logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")


def start(tmp_path: Path, corpus: Path, *args: str, **env: str) -> Server:
    """Start ``billdiff serve`` on a free port and wait until it answers."""
    port = free_port()
    log = tmp_path / f"server-{port}.log"
    environment = env_without_settings(BILLDIFF_BILLS=str(corpus), **env)
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "billdiff", "serve", "--port", str(port),
                                 *args], cwd=tmp_path, env=environment, stdout=out,
                                stderr=subprocess.STDOUT)
    server = Server(proc, f"http://127.0.0.1:{port}", log)
    try:
        wait_for(server.base + "/healthz", 60)
    except OSError:
        proc.kill()
        raise AssertionError(f"the server did not start:\n{server.text()}") from None
    return server


def stop(server: Server) -> int:
    """SIGTERM, then the exit code."""
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
    try:
        return server.proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        return server.proc.wait(timeout=10)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A copy of the small golden corpus the server may edit."""
    return Path(shutil.copytree(GOLDEN_CORPUS, tmp_path / "corpus"))


@pytest.fixture
def production(tmp_path: Path, corpus: Path) -> Iterator[Server]:
    """gunicorn with the production settings: one worker, checking the corpus on every
    request (so that a test need not wait for the interval)."""
    server = start(tmp_path, corpus, "--production", "--workers", "1",
                   BILLDIFF_SECRET_KEY="s" * 40, BILLDIFF_SITE_URL=f"https://{HOST}",
                   BILLDIFF_CORPUS_CHECK_SECONDS="0", BILLDIFF_PDF_RENDERS_PER_MINUTE="0")
    yield server
    stop(server)


def until(predicate, seconds: float = 20.0, what: str = "") -> None:
    """Ask *predicate* until it holds (the server checks files in the background)."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.05)


@pytest.mark.slow
def test_production_serves_with_health_etags_and_304(production):
    status, headers, body = production.get("/healthz")
    assert status == 200, body
    import json

    health = json.loads(body)
    assert health["status"] == "ok"
    assert health["corpus"]["loaded"] is True
    assert health["pdf"] in ("idle", "busy")  # started with the worker
    assert headers["Cache-Control"] == "no-store"
    for path in ("/", f"/compare?a={A}&b={B}", "/api/documents", f"/api/compare?a={A}&b={B}",
                 f"/compare/{A}/{B}/inline/", f"/factsheet.pdf?a={A}&b={B}",
                 "/static/app.css"):
        status, headers, body = production.get(path)
        assert status == 200, (path, body[:200])
        etag = headers["ETag"]
        again, _, empty = production.get(path, {"If-None-Match": etag})
        assert (again, empty) == (304, b""), path
    assert "Strict-Transport-Security" in headers  # production
    # a stored page, answered in front of Flask, has the one Date the server gives
    for path in (f"/compare?a={A}&b={B}", "/"):
        request = urllib.request.Request(production.base + path, headers={"Host": HOST})
        with urllib.request.urlopen(request, timeout=60) as response:
            dates = response.headers.get_all("Date")
            assert len(dates) == 1, (path, dates)
            assert dates[0].endswith(" GMT"), (path, dates)
            assert len(response.headers.get_all("Content-Length")) == 1
    # the access log: each worker writes its lines once a second (gunicorn_conf.Logger)
    deadline = time.monotonic() + 10
    while '"GET /healthz HTTP/1.1" 200' not in production.text():
        assert time.monotonic() < deadline, production.text()[-2000:]
        time.sleep(0.1)


@pytest.mark.slow
def test_healthz_answers_while_a_pdf_renders(production):
    done = threading.Event()
    pdf_status: list[int] = []

    def render() -> None:
        try:
            for topic in ("warrant-requirement", "due-process", "definitions"):
                status, _, _ = production.get(f"/factsheet.pdf?a={A}&b={B}&topic={topic}")
                pdf_status.append(status)
        finally:
            done.set()

    worker = threading.Thread(target=render)
    worker.start()
    seen: list[tuple[int, str]] = []
    import json

    while not done.is_set():
        status, _, body = production.get("/healthz", timeout=10)
        seen.append((status, json.loads(body)["pdf"]))
    worker.join()
    assert pdf_status == [200, 200, 200]
    assert all(status == 200 for status, _ in seen), seen
    assert any(state == "busy" for _, state in seen), seen  # answered during a render


@pytest.mark.slow
def test_a_corpus_broken_while_serving_keeps_the_last_good_data(production, corpus):
    doc = corpus / "documents" / f"{B}.yaml"
    good = doc.read_text(encoding="utf-8")
    page = f"/documents/{B}"
    status, _, before = production.get(page)
    assert status == 200

    # 1. edited into invalid YAML: the site goes on serving the last good corpus
    doc.write_text(good + "\n  broken: [\n", encoding="utf-8")
    until(lambda: b"Serving the last good data" in production.get("/status")[2],
          what="the status page showing the problem")
    status, _, body = production.get("/status")
    assert status == 200
    assert f"{B}.yaml".encode() in body
    assert production.get(page)[:1] == (200,)
    assert production.get(page)[2] == before
    import json

    health = json.loads(production.get("/healthz")[2])
    assert health["status"] == "ok"
    assert health["corpus"]["stale"] is True
    until(lambda: "still serving the corpus read at" in production.text(), what="the log")
    logged = [line for line in production.text().splitlines() if "still serving" in line]
    assert len(logged) == 1, logged  # once per change
    assert f"documents/{B}.yaml" in logged[0], logged  # the file that broke, first

    # 2. fixed, with a change: served without a restart
    doc.write_text(good.replace("title: ", "title: Amended ", 1), encoding="utf-8")
    until(lambda: b"Amended" in production.get(page)[2], what="the fixed file served")
    assert b"Everything is up to date" in production.get("/status")[2]
    assert json.loads(production.get("/healthz")[2])["corpus"]["stale"] is False

    # 3. a file removed that the rest cites: the last good data again
    topics = corpus / "topics.yaml"
    saved = topics.read_bytes()
    topics.unlink()
    until(lambda: b"Serving the last good data" in production.get("/status")[2],
          what="the status page after a removal")
    assert b"Amended" in production.get(page)[2]
    assert production.get(f"/compare?a={A}&b={B}&topic=warrant-requirement")[0] == 200
    topics.write_bytes(saved)
    until(lambda: b"Everything is up to date" in production.get("/status")[2],
          what="the restored file picked up")
    assert production.proc.poll() is None  # never down


@pytest.mark.slow
def test_gunicorn_stops_gracefully(tmp_path, corpus):
    server = start(tmp_path, corpus, "--production", "--workers", "2",
                   BILLDIFF_SECRET_KEY="s" * 40, BILLDIFF_SITE_URL=f"https://{HOST}")
    assert server.get("/")[0] == 200
    assert stop(server) == 0
    log = server.text()
    assert "Handling signal: term" in log
    assert "Shutting down: Master" in log
    assert "Traceback" not in log


@pytest.mark.slow
def test_the_development_server_shows_the_status_page_on_a_broken_corpus(tmp_path, corpus):
    (corpus / "documents" / f"{B}.yaml").write_text("id: [\n", encoding="utf-8")
    server = start(tmp_path, corpus)
    try:
        status, headers, body = server.get("/")
        assert status == 503
        assert headers["Retry-After"]
        assert f"{B}.yaml".encode() in body
        assert b"No data to serve yet" in body
        assert server.get("/healthz")[0] == 503
    finally:
        stop(server)
    # production refuses to start on it at all, in one line
    proc = subprocess.run([sys.executable, "-m", "billdiff", "serve", "--production"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env=env_without_settings(BILLDIFF_BILLS=str(corpus),
                                                   BILLDIFF_SECRET_KEY="s" * 40,
                                                   BILLDIFF_SITE_URL=f"https://{HOST}"))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "the corpus cannot be served" in lines[0], proc.stderr


def test_serve_options_that_cannot_work_are_one_line(tmp_path):
    env = env_without_settings()
    proc = subprocess.run([sys.executable, "-m", "billdiff", "serve", "--workers", "2"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60, env=env)
    assert proc.returncode == 2
    assert "--workers: only with --production" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "billdiff", "--bills", str(tmp_path / "none"),
                           "serve"], capture_output=True, text=True, cwd=tmp_path, timeout=60,
                          env=env)
    assert proc.returncode == 2
    assert "corpus folder does not exist" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert os.listdir(tmp_path) == []
