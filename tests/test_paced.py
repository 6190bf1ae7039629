"""The paced load generator (benchmarks/paced.py), the instrument for the load run's latency
goal (docs/benchmarks-load.md): it sends on its timetable, reads every kind of answer whole,
and charges a stall to every request that was due during it."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from paced import paced_load  # noqa: E402

BODY = b"x" * 50_000


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    stall_on: int | None = None  # the request number that waits
    stall_seconds = 0.0
    count = 0
    lock = threading.Lock()

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        with Handler.lock:
            Handler.count += 1
            number = Handler.count
        if number == Handler.stall_on:
            time.sleep(Handler.stall_seconds)
        # Each answer in one write: a head and a body written apart wait on the client's
        # delayed ACK (Nagle), some 40 ms each, which is the test server's doing.
        if self.path == "/chunked":
            body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (b"a" * 1000, b"b" * 17))
            self.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             + body + b"0\r\n\r\n")
            return
        status = b"503 Service Unavailable" if self.path == "/busy" else b"200 OK"
        close = self.path == "/close"
        self.close_connection = close
        self.wfile.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: %d\r\n" % len(BODY)
                         + (b"Connection: close\r\n" if close else b"") + b"\r\n" + BODY)


@pytest.fixture
def port() -> Iterator[int]:
    Handler.count, Handler.stall_on, Handler.stall_seconds = 0, None, 0.0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _get(path: str) -> list[bytes]:
    return [f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode()]


def test_it_sends_the_timetable_and_reads_every_answer_whole(port):
    result = paced_load(port, _get("/ok"), rate=200, connections=2, seconds=0.5)
    assert result["requests"] == 100
    assert result["statuses"] == {200: 100}
    assert result["bytes"] == 100 * len(BODY)
    assert result["errors"]["read"] == 0
    assert 0.45 <= result["duration_us"] / 1e6 < 3  # the last was due at 0.495 s
    assert result["latency_us"]["p50"] < 100_000


def test_chunked_answers_closed_connections_and_a_missing_retry_after(port):
    chunked = paced_load(port, _get("/chunked"), rate=100, connections=1, seconds=0.2)
    assert (chunked["requests"], chunked["bytes"]) == (20, 20 * 1017)
    closed = paced_load(port, _get("/close"), rate=100, connections=2, seconds=0.2)
    assert closed["statuses"] == {200: 20}
    assert closed["reconnections"] == 20
    assert closed["errors"]["read"] == 0
    busy = paced_load(port, _get("/busy"), rate=100, connections=1, seconds=0.1)
    assert busy["statuses"] == {503: 10}
    assert busy["missing_retry_after"] == 10


def test_a_stall_is_charged_to_every_request_due_during_it(port):
    """A closed-loop generator (wrk) would see one slow answer and stop sending: its p90
    stays that of a quiet server.  Here the requests due during the 0.3 s stall wait, and each
    is counted from when it was due."""
    Handler.stall_on, Handler.stall_seconds = 10, 0.3
    result = paced_load(port, _get("/ok"), rate=100, connections=1, seconds=1.0)
    assert result["requests"] == 100
    assert result["latency_us"]["max"] >= 300_000
    # about 29 requests were due during the stall, 20 of them 100 ms or more before its end
    assert result["latency_us"]["p90"] >= 100_000
    assert result["latency_us"]["p50"] < 100_000  # most were not behind it
