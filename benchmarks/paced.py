"""A paced load generator: requests sent at a fixed rate, whatever the server does, and each
one's latency measured from when it was due (used by :mod:`load`).

A goal such as "2,000 requests/s with p99 under 20 ms" is a latency at a rate.  ``wrk``
cannot measure it: each of its connections sends the next request as soon as the last answer
comes, so it measures the server at full load (its p99 is then mostly the queue, about the
connections over the requests/s), and a stall delays the requests that would have come
during it instead of counting them late ("coordinated omission", the reason ``wrk2`` and
HdrHistogram exist).  Here each request ``j`` is due at ``start + j / rate``, on connection
``j % connections``; it is sent when due, or as soon as its connection's last answer has come
if that is later, and its latency runs from when it was due to the end of its answer.  A
server that falls behind the rate is charged for all of the time its requests waited.

The generator is asyncio on one core, so its own delays count against the server: its
lateness in sending (``send_lag_us``, from due to sent, when the connection was free) is
reported, and :mod:`load` measures the bare server at the same rate in the same run.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any


def _percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(p / 100 * len(values)))] if values else 0.0


class _Client(asyncio.Protocol):
    """One kept-alive connection that sends a request and counts its answer's bytes as they
    come (nothing is kept but the head): the generator's cost per answer stays small next to
    the server's, whatever the body's size."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.done: asyncio.Future[tuple[int, bool, int, bool]] | None = None
        self.lost: BaseException | None = None
        self._reset()

    def _reset(self) -> None:
        self.head = bytearray()
        self.status = 0
        self.fields: dict[str, str] = {}
        self.remaining = -1   # body bytes still to come (-1: the head is not whole yet)
        self.chunks: bytearray | None = None  # a chunked body's bytes not yet parsed
        self.size = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = exc or ConnectionResetError("the server closed the connection")
        if self.done is not None and not self.done.done():
            self.done.set_exception(self.lost)

    def send(self, request: bytes) -> asyncio.Future[tuple[int, bool, int, bool]]:
        self._reset()
        self.done = asyncio.get_running_loop().create_future()
        if self.lost is not None:
            self.done.set_exception(self.lost)
        else:
            assert self.transport is not None
            self.transport.write(request)
        return self.done

    def data_received(self, data: bytes) -> None:
        if self.done is None or self.done.done():
            return
        if self.remaining < 0 and self.chunks is None:
            if self.head:
                self.head += data
                data, self.head = bytes(self.head), bytearray()
            end = data.find(b"\r\n\r\n", 0, 65536)
            if end < 0:
                self.head += data
                return
            lines = data[:end].decode("latin-1").split("\r\n")
            self.status = int(lines[0].split(" ", 2)[1])
            for line in lines[1:]:
                name, _, value = line.partition(":")
                self.fields[name.strip().lower()] = value.strip()
            body = len(data) - end - 4
            if "content-length" in self.fields:
                self.remaining = int(self.fields["content-length"])
            elif self.fields.get("transfer-encoding", "").lower() == "chunked":
                self.chunks = bytearray()
                data = data[end + 4:]
            else:
                self.remaining = 0
            if self.chunks is None:
                self.size += min(body, self.remaining)
                self.remaining -= body
                if self.remaining <= 0:
                    self._finish()
                return
        if self.chunks is not None:
            self.chunks += data
            self._chunked()
            return
        self.size += min(len(data), self.remaining)
        self.remaining -= len(data)
        if self.remaining <= 0:
            self._finish()

    def _chunked(self) -> None:
        assert self.chunks is not None
        while True:
            end = self.chunks.find(b"\r\n")
            if end < 0:
                return
            length = int(bytes(self.chunks[:end]).split(b";")[0], 16)
            if len(self.chunks) < end + 2 + length + 2:
                return
            del self.chunks[:end + 2 + length + 2]
            self.size += length
            if length == 0:
                self._finish()
                return

    def _finish(self) -> None:
        assert self.done is not None
        closes = self.fields.get("connection", "").lower() == "close"
        self.done.set_result((self.status, "retry-after" in self.fields, self.size, closes))


async def _open(port: int) -> _Client:
    _, client = await asyncio.get_running_loop().create_connection(_Client, "127.0.0.1", port)
    return client


async def _paced(port: int, requests: list[bytes], rate: float, connections: int,
                 seconds: float) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    opened = [await _open(port) for _ in range(connections)]
    latencies: list[float] = []
    lags: list[float] = []
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    missing = [0]
    received = [0]
    reopened = [0]
    start = loop.time() + 0.05
    total = int(rate * seconds)

    async def connection(k: int, client: _Client) -> None:
        for j in range(k, total, connections):
            due = start + j / rate
            free = due > loop.time()
            if free:
                await asyncio.sleep(due - loop.time())
            sent = loop.time()
            if free:  # the connection was waiting for its turn: any lateness is our own
                lags.append(sent - due)
            try:
                status, retry_after, size, closes = await client.send(requests[j % len(requests)])
                if closes:  # a worker with all the kept-alive connections it keeps: anew
                    assert client.transport is not None
                    client.transport.close()
                    client = await _open(port)
                    reopened[0] += 1
            except (OSError, ValueError):
                errors["read"] += 1
                return
            latencies.append(loop.time() - due)
            statuses[status] += 1
            received[0] += size
            if status in (429, 503) and not retry_after:
                missing[0] += 1
        assert client.transport is not None
        client.transport.close()

    await asyncio.gather(*(connection(k, c) for k, c in enumerate(opened)))
    elapsed = loop.time() - start
    latencies.sort()
    lags.sort()
    us = [x * 1e6 for x in latencies]
    return {"requests": len(latencies), "duration_us": int(elapsed * 1e6),
            "bytes": received[0], "rate": rate,
            "errors": {"connect": 0, "read": errors["read"], "write": 0, "timeout": 0},
            "latency_us": {"p50": int(_percentile(us, 50)), "p90": int(_percentile(us, 90)),
                           "p99": int(_percentile(us, 99)), "max": int(us[-1]) if us else 0,
                           "mean": sum(us) / len(us) if us else 0.0},
            "send_lag_us": {"p50": int(_percentile(lags, 50) * 1e6),
                            "p99": int(_percentile(lags, 99) * 1e6)},
            "missing_retry_after": missing[0], "statuses": dict(statuses),
            "reconnections": reopened[0], "generator": "paced"}


def paced_load(port: int, requests: list[bytes], rate: float, connections: int,
               seconds: float) -> dict[str, Any]:
    """Send ``rate * seconds`` requests (the raw HTTP/1.1 *requests*, walked in turn) over
    *connections* kept-alive connections to 127.0.0.1:*port*, at *rate* a second; the result
    has the shape of :func:`load.run_wrk`'s, with the latencies counted from when each
    request was due."""
    return asyncio.run(_paced(port, requests, rate, connections, seconds))


__all__ = ["paced_load"]
