"""Load on the production server (issue 11, "Prove the bar"): gunicorn with the production
settings on loopback, two workers, every kind of page at 16 and 64 connections, against a
static file served by the same gunicorn as the baseline, and a probe of the home page while
adversarial requests run.

Run on demand (about seven minutes with the defaults)::

    .venv/bin/python benchmarks/load.py [--seconds 10] [--connections 16 64] [--only NAME...]
                                        [--json results.json]

Results go to ``docs/benchmarks-load.md`` (a full run only: ``--only``, ``--no-attack`` and
``--max-requests`` print their tables but leave the file alone unless ``--out`` names one).

The load generator is ``wrk`` (Debian's ``wrk``)
with a Lua script per run that walks a list of paths (so that "computed per request" is a new
address each time), counts every status and checks that each 429 and 503 carries
``Retry-After``; without ``wrk`` a Python generator (threads, keep-alive connections) stands
in, and says so.  ``wrk`` measures each page at full load.  The stored page's latency goal is
a latency at a rate, so it is measured at that rate too (:mod:`paced`: the requests sent on a
timetable, each latency counted from when its request was due), with gunicorn and no app
paced the same way as the floor.

The server is ``billdiff serve --production --workers 2`` (:mod:`billdiff.gunicorn_conf`:
gthread workers, 4 threads and at most 48 connections each, the access log on) on a copy of
the bundled dossier with the 5,000-word pair and issue 11 item 1's 4,000-line ``[Reserved]``
pair added
(:func:`memory.write_bench_corpus`).  ``BILLDIFF_PROXY_HOPS=1``, as behind nginx: the load
generator names each client in ``X-Forwarded-For``, one client for the runs that test a
per-client limit, a new one per request where a run measures capacity (a crowd).

Goals (issue 11): a stored comparison page at least 2,000 requests/s (at full load) with p99
under 20 ms (at 2,000 requests/s); a
comparison computed per request at least 400 requests/s; limits answer 429 or 503 with
``Retry-After`` and no other 5xx ever; while adversarial requests run, a probe of ``/`` keeps
p99 under 200 ms.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
import memory  # noqa: E402

HOST = "bills.example.org"
WRK = shutil.which("wrk")


# -- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
        request = urllib.request.Request(self.base + path, headers={"Host": HOST,
                                                                   **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as err:
            return err.code, err.headers, err.read()

    def workers(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)],
                             capture_output=True, text=True, check=False).stdout
        return [int(p) for p in out.split()]


def start_server(bills: Path, workdir: Path, max_requests: int | None = None) -> Server:
    """``billdiff serve --production --workers 2``; with *max_requests*, gunicorn itself with
    the same configuration file and that ``--max-requests`` (for diagnosis only)."""
    port = free_port()
    log = workdir / "gunicorn.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BILLDIFF_")}
    env.update(BILLDIFF_BILLS=str(bills), BILLDIFF_SECRET_KEY="s" * 40,
               BILLDIFF_SITE_URL=f"https://{HOST}", BILLDIFF_PROXY_HOPS="1",
               BILLDIFF_CACHE_DIR=str(workdir / "cache"))
    command = [sys.executable, "-m", "billdiff", "serve", "--production", "--workers", "2",
               "--port", str(port)]
    if max_requests is not None:
        env["BILLDIFF_ENV"] = "production"
        command = [sys.executable, "-m", "gunicorn", "-c", "python:billdiff.gunicorn_conf",
                   "--workers", "2", "--bind", f"127.0.0.1:{port}", "--max-requests",
                   str(max_requests), "billdiff.web:create_app()"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=workdir, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    server = Server(proc, port, log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if server.get("/healthz")[0] == 200:
                return server
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the server did not start:\n{log.read_text()[-3000:]}")


def start_bare(workdir: Path, size: int, threads: int = 4) -> Server:
    """The ceiling (:mod:`bare_wsgi`): gunicorn with billdiff's worker (2 of *threads*, as
    many connections each as in production), answering every request with *size* bytes and
    nothing else."""
    from billdiff.gunicorn_conf import CONNECTIONS_PER_THREAD

    port = free_port()
    log = workdir / "bare.log"
    env = {**os.environ, "BARE_BYTES": str(size)}
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-k",
                                 "billdiff.gunicorn_conf.Worker", "--workers", "2", "--threads",
                                 str(threads), "--worker-connections",
                                 str(CONNECTIONS_PER_THREAD * threads),
                                 "--bind", f"127.0.0.1:{port}",
                                 "--chdir", str(Path(__file__).resolve().parent),
                                 "bare_wsgi:app"],
                                cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(proc, port, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            # both workers up: a run while one still boots would measure one worker
            if (server.get("/")[0] == 200
                    and log.read_text(errors="replace").count("Booting worker") >= 2):
                time.sleep(0.5)
                return server
        except OSError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"the bare gunicorn did not start:\n{log.read_text()[-3000:]}")


def stop_server(server: Server) -> None:
    server.proc.send_signal(signal.SIGTERM)
    try:
        server.proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        server.proc.kill()


def rss_mib(pids: list[int]) -> list[float]:
    out = []
    for pid in pids:
        try:
            out.append(round(memory.rss(pid) / 2**20, 1))
        except OSError:
            pass
    return out


# -- what a run asks for -------------------------------------------------------------------------


@dataclass
class Run:
    """One measured load: a list of paths walked in turn (each connection its own)."""

    name: str
    paths: list[str]
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    #: a new X-Forwarded-For per request (a crowd) rather than one client
    crowd: bool = False
    note: str = ""


_LUA = r"""
local paths = %(paths)s
local method = %(method)s
local body = %(body)s
local base_headers = %(headers)s
local crowd = %(crowd)s
local nthreads = %(threads)d
local threads = {}
local counter = 0
counts = {}
missing_retry_after = 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local i = ((counter - 1) * nthreads + tid) %% #paths + 1
  local h = {}
  for k, v in pairs(base_headers) do h[k] = v end
  if crowd then
    local n = counter
    h["X-Forwarded-For"] = "10." .. tid .. "." .. (math.floor(n / 256) %% 256) .. "." .. (n %% 256)
  end
  return wrk.format(method, paths[i], h, body)
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if (status == 429 or status == 503) and headers["Retry-After"] == nil then
    missing_retry_after = missing_retry_after + 1
  end
end

function done(summary, latency, requests)
  local agg = {}
  local missing = 0
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do agg[k] = (agg[k] or 0) + v end
    missing = missing + t:get("missing_retry_after")
  end
  local parts = {}
  for k, v in pairs(agg) do table.insert(parts, string.format('"%%d": %%d', k, v)) end
  io.write("RESULT ")
  io.write(string.format('{"requests": %%d, "duration_us": %%d, "bytes": %%d, ',
    summary.requests, summary.duration, summary.bytes))
  io.write(string.format('"errors": {"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d}, ',
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  io.write(string.format('"latency_us": {"p50": %%d, "p90": %%d, "p99": %%d, ',
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
  io.write(string.format('"max": %%d, "mean": %%.1f}, ', latency.max, latency.mean))
  io.write(string.format('"missing_retry_after": %%d, "statuses": {%%s}}\n', missing,
    table.concat(parts, ", ")))
end
"""


def _lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


def _lua(run: Run, threads: int) -> str:
    headers = {"Host": HOST, **run.headers}
    return _LUA % {
        "paths": "{" + ",".join(_lua_string(p) for p in run.paths) + "}",
        "method": _lua_string(run.method),
        "body": _lua_string(run.body) if run.body is not None else "nil",
        "headers": "{" + ",".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}"
                                  for k, v in headers.items()) + "}",
        "crowd": "true" if run.crowd else "false",
        "threads": threads,
    }


def run_wrk(server: Server, run: Run, connections: int, seconds: float,
            workdir: Path) -> dict[str, Any]:
    threads = min(2, connections)
    script = workdir / f"{run.name}-{connections}.lua"
    script.write_text(_lua(run, threads), encoding="utf-8")
    with subprocess.Popen([WRK or "wrk", "-t", str(threads), "-c", str(connections), "-d",
                           f"{seconds:g}s", "--timeout", "30s", "-s", str(script),
                           server.base + run.paths[0]],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        time.sleep(min(1.0, seconds / 2))
        split = connection_split(server)
        stdout, stderr = proc.communicate()
    line = next((x for x in stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk failed on {run.name}:\n{stdout}\n{stderr}")
    data = json.loads(line[len("RESULT "):])
    data["generator"] = "wrk"
    data["split"] = split
    return data


def connection_split(server: Server) -> list[int] | None:
    """How many open connections each worker holds (most first), read with ``ss``; None
    without it.  A client that keeps its connections open stays on the worker that took
    them, so a run whose connections sit on one worker measures one worker."""
    ss = shutil.which("ss")
    if ss is None:
        return None
    out = subprocess.run([ss, "-tnpH", "state", "established", f"sport = :{server.port}"],
                         capture_output=True, text=True, check=False).stdout
    counts = Counter(re.findall(r"pid=(\d+)", out))
    return sorted((counts.get(str(w), 0) for w in server.workers()), reverse=True)


def run_python(server: Server, run: Run, connections: int, seconds: float,
               _workdir: Path) -> dict[str, Any]:
    """The fallback generator: *connections* threads, each with a keep-alive connection."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    missing = [0]
    errors = Counter[str]()
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    counter = itertools.count()

    def worker(tid: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        while time.monotonic() < stop:
            n = next(counter)
            path = run.paths[n % len(run.paths)]
            headers = {"Host": HOST, **run.headers}
            if run.crowd:
                headers["X-Forwarded-For"] = f"10.{tid % 256}.{n // 256 % 256}.{n % 256}"
            start = time.perf_counter()
            try:
                conn.request(run.method, path, body=run.body, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                with lock:
                    errors["read"] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                continue
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                statuses[response.status] += 1
                if response.status in (429, 503) and not response.getheader("Retry-After"):
                    missing[0] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(connections)]
    begun = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - begun
    latencies.sort()

    def pct(p: float) -> int:
        return int(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1e6) \
            if latencies else 0

    return {"requests": len(latencies), "duration_us": int(elapsed * 1e6), "bytes": 0,
            "errors": {"connect": 0, "read": errors["read"], "write": 0, "timeout": 0},
            "latency_us": {"p50": pct(50), "p90": pct(90), "p99": pct(99),
                           "max": int(latencies[-1] * 1e6) if latencies else 0,
                           "mean": statistics.fmean(latencies) * 1e6 if latencies else 0},
            "missing_retry_after": missing[0], "statuses": dict(statuses),
            "generator": "python"}


def measure(server: Server, run: Run, connections: int, seconds: float,
            workdir: Path) -> dict[str, Any]:
    driver = run_wrk if WRK else run_python
    return _labelled(driver(server, run, connections, seconds, workdir), run, connections)


def _labelled(data: dict[str, Any], run: Run, connections: int) -> dict[str, Any]:
    """A generator's result with its requests/s and the run it measured."""
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["name"] = run.name
    data["connections"] = connections
    data["note"] = run.note
    return data


def measure_paced(server: Server, run: Run, connections: int, rate: float,
                  seconds: float) -> dict[str, Any]:
    """*run* at a fixed *rate* (:mod:`paced`: each latency counted from when its request was
    due), for a latency goal that is stated at a rate."""
    import paced

    assert not run.crowd, "a paced run is one client"
    head = {"Host": HOST, **run.headers}
    body = run.body.encode("utf-8") if run.body is not None else b""
    if body:
        head["Content-Length"] = str(len(body))
    raw = [(f"{run.method} {path} HTTP/1.1\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n").encode("latin-1")
           + body for path in run.paths]
    return _labelled(paced.paced_load(server.port, raw, rate, connections, seconds), run,
                     connections)


# -- the runs ----------------------------------------------------------------------------------


def _pairs_with_text(bills: Path) -> list[tuple[str, str]]:
    from billdiff.load import load_corpus

    corpus = load_corpus(bills)
    docs = [d for d in corpus.ordered_documents()
            if d.provenance.completeness.value != "none" and not d.id.startswith("bench-")]
    return [(a.id, b.id) for a, b in itertools.permutations(docs, 2)]


def computed_paths(bills: Path, count: int) -> list[str]:
    """*count* compare addresses, each a comparison not asked for before: another pair, topic
    choice or granularity (each a new diff), then view and typography (a new page)."""
    from billdiff.load import load_corpus

    topics = list(load_corpus(bills).topics)
    choices = [c for r in (1, 2, 3) for c in itertools.combinations(topics, r)]
    out: list[str] = []
    for view, typography in itertools.product(("side", "inline"), ("show", "hide")):
        for (a, b), granularity, chosen in itertools.product(_pairs_with_text(bills),
                                                             ("word", "char"), choices):
            query = [("a", a), ("b", b), ("granularity", granularity), ("view", view),
                     ("typography", typography), *(("topic", t) for t in chosen)]
            out.append("/compare?" + urllib.parse.urlencode(query))
            if len(out) >= count:
                return out
    return out


def new_pdf_paths(bills: Path, count: int) -> list[str]:
    """Fact-sheet PDFs none asked for before (another pair, topic choice, paper)."""
    from billdiff.load import load_corpus

    topics = list(load_corpus(bills).topics)
    choices = [c for r in (1, 2, 3, 4) for c in itertools.combinations(topics, r)]
    out = []
    for (a, b), paper, chosen in itertools.product(_pairs_with_text(bills), ("letter", "a4"),
                                                   choices):
        query = [("a", a), ("b", b), ("paper", paper), *(("topic", t) for t in chosen)]
        out.append("/factsheet.pdf?" + urllib.parse.urlencode(query))
        if len(out) >= count:
            break
    return out


def draft_session(server: Server) -> tuple[dict[str, str], str]:
    """A session cookie and its CSRF token (the cookie is Secure: sent by hand)."""
    status, headers, body = server.get("/draft")
    assert status == 200, status
    token = re.search(rb'name="csrf_token" value="([^"]+)"', body)
    assert token
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    return {"Cookie": cookie, "X-Forwarded-Proto": "https"}, token.group(1).decode()


def draft_body(token: str, against: str, text: str) -> str:
    return urllib.parse.urlencode({"csrf_token": token, "against": against, "text": text})


def adversarial_drafts() -> dict[str, str]:
    """Issue 11 item 3's large drafts, and the largest a draft may be."""
    import random

    from adversarial import reserved

    rng = random.Random(5)
    words = "shall agency the board rule may record notice warrant court police".split()
    near = "".join(f"Section {k}. " + " ".join(rng.choice(words) for _ in range(17)) + ".\n"
                   for k in range(1, 2999))
    return {
        "one-word-lines-843KB": "\n".join(["agency", "shall", "publish", "notice"]
                                          * 30000)[:843_000],
        "reserved-4000-lines": reserved(4000)[1],
        "near-every-limit": near,
    }


def stored_pair(bills: Path) -> tuple[str, str]:
    """The bundled dossier's default pair (what its home page offers), never a benchmark
    document."""
    from billdiff.analysis import default_pair
    from billdiff.load import load_corpus

    pair = default_pair(load_corpus(bills))
    assert not any(x.startswith("bench-") for x in pair), pair
    return pair


def build_runs(server: Server, bills: Path) -> list[Run]:
    a, b = stored_pair(bills)
    stored = f"/compare?a={a}&b={b}"
    headers, token = draft_session(server)
    small = (ROOT / "tests" / "fixtures" / "ma" / "ma-193-h4359.clean.txt").read_text("utf-8")
    edited = small.replace("any computer software", "any software")
    return [
        Run("static-file", ["/static/app.css"], note="baseline: a file gunicorn serves"),
        Run("home", ["/"]),
        Run("stored-comparison", [stored], note=f"{a} vs {b}, from the page cache"),
        Run("computed-comparison", computed_paths(bills, 60_000),
            note="a new pair/topics/granularity/view every request"),
        Run("api-compare", [f"/api/compare?a={a}&b={b}"], note="stored"),
        Run("api-computed", [p.replace("/compare?", "/api/compare?")
                             for p in computed_paths(bills, 60_000)
                             if "view=side" in p and "typography=show" in p],
            note="a new comparison every request"),
        Run("pdf-cached", [f"/factsheet.pdf?a={a}&b={b}"], note="from the cache"),
        Run("pdf-new-crowd", new_pdf_paths(bills, 20_000), crowd=True,
            note="a new sheet every request, each from a new client"),
        Run("pdf-new-one-client", list(reversed(new_pdf_paths(bills, 20_000))),
            note="a new sheet every request, one client: the per-client limit"),
        Run("draft-form", ["/draft"]),
        Run("draft-compare-crowd", ["/draft"], method="POST",
            body=draft_body(token, "ma-193-h4359", edited),
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            crowd=True, note="H.4359 with one edit, each from a new client"),
        Run("draft-compare-one-client", ["/draft"], method="POST",
            body=draft_body(token, "ma-193-h4359", edited),
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            note="one client: the per-client limit"),
    ]


# -- the probe under attack ---------------------------------------------------------------------


def probe(server: Server, seconds: float, interval: float = 0.02) -> dict[str, Any]:
    """GET / on a new connection every *interval* seconds: its latencies, in ms."""
    took: list[float] = []
    statuses: Counter[int] = Counter()
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        try:
            conn.request("GET", "/", headers={"Host": HOST})
            response = conn.getresponse()
            response.read()
            statuses[response.status] += 1
        finally:
            conn.close()
        elapsed = time.perf_counter() - start
        took.append(elapsed * 1000)
        time.sleep(max(0.0, interval - elapsed))
    took.sort()
    return {"probes": len(took), "p50_ms": took[len(took) // 2],
            "p99_ms": took[min(len(took) - 1, int(0.99 * len(took)))], "max_ms": took[-1],
            "statuses": dict(statuses)}


def attack_runs(server: Server, bills: Path) -> list[tuple[str, list[Run], int]]:
    """The adversarial loads of issue 11 items 1 and 3, each alone (8 connections, as the
    issue's "eight at once") and all at once (2 connections each, then 8 each), with the
    connections each of their runs gets."""
    headers, token = draft_session(server)
    form = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
    ra, rb = memory.RESERVED_A, memory.RESERVED_B
    reserved_pages = [f"/compare?{q}" for q in (
        urllib.parse.urlencode([("a", x), ("b", y), ("granularity", g), ("view", v),
                                ("typography", t), ("show", s)])
        for x, y in ((ra, rb), (rb, ra), ("B.4000", "B.4001"), ("B.4001", "B.4000"))
        for g in ("word", "char") for v in ("side", "inline") for t in ("show", "hide")
        for s in ("all", "changes"))]
    drafts = adversarial_drafts()
    draft_runs = [Run(f"draft-{name}", ["/draft"], method="POST",
                      body=draft_body(token, ra if "reserved" in name else "ma-193-h4359",
                                      text), headers=form, crowd=True)
                  for name, text in drafts.items()]
    reserved = Run("reserved-4000-compare", reserved_pages, crowd=True,
                   note="every option combination, so that the caches are got round")
    return [("item 1: 4,000-line [Reserved] pair, options varied", [reserved], 8),
            *((f"item 3: draft {r.name[6:]}, a crowd", [r], 8) for r in draft_runs),
            ("all of the above at once, 8 connections in all", [reserved, *draft_runs], 2),
            ("all of the above at once, 32 connections in all", [reserved, *draft_runs], 8)]


def under_attack(server: Server, attacks: list[Run], connections: int, seconds: float,
                 workdir: Path) -> dict[str, Any]:
    """Run *attacks* (``connections`` each) while probing ``/``."""
    results: list[dict[str, Any]] = []

    def attack(run: Run) -> None:
        results.append(measure(server, run, connections, seconds + 2, workdir))

    threads = [threading.Thread(target=attack, args=(r,)) for r in attacks]
    for t in threads:
        t.start()
    time.sleep(1.0)  # the attack under way
    probed = probe(server, seconds)
    for t in threads:
        t.join()
    return {"probe": probed, "attacks": results}


# -- the report --------------------------------------------------------------------------------


def _statuses(data: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {v:,}" for k, v in sorted(data["statuses"].items()))


def check_limits(all_runs: list[dict[str, Any]]) -> list[str]:
    """Every 5xx but 503, every 429/503 without Retry-After, every transport error."""
    problems = []
    for data in all_runs:
        where = f"{data['name']} x{data['connections']}"
        bad = {k: v for k, v in data["statuses"].items() if int(k) >= 500 and int(k) != 503}
        if bad:
            problems.append(f"{where}: server errors {bad}")
        if data["missing_retry_after"]:
            problems.append(f"{where}: {data['missing_retry_after']} 429/503 without "
                            "Retry-After")
        errors = {k: v for k, v in data["errors"].items() if v}
        if errors:
            problems.append(f"{where}: transport errors {errors}")
    return problems


def table(rows: list[dict[str, Any]], baseline: dict[int, float]) -> str:
    lines = ["| run | conns | per worker | req/s | vs static | p50 ms | p99 ms | max ms | "
             "statuses |",
             "|---|---:|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        lat = r["latency_us"]
        base = baseline.get(r["connections"])
        share = f"{r['rps'] / base:.0%}" if base else "-"
        split = "/".join(map(str, r["split"])) if r.get("split") else "-"
        lines.append(f"| {r['name']} | {r['connections']} | {split} | {r['rps']:,.0f} | {share} | "
                     f"{lat['p50'] / 1000:.1f} | {lat['p99'] / 1000:.1f} | "
                     f"{lat['max'] / 1000:.0f} | {_statuses(r)} |")
    return "\n".join(lines)


STORED_RPS, STORED_P99_MS, COMPUTED_RPS, PROBE_P99_MS = 2000, 20, 400, 200


def machine() -> str:
    import platform

    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            model = next((x.split(":", 1)[1].strip() for x in f if x.startswith("model name")),
                         "")
    except OSError:
        pass
    wrk = ""
    if WRK:
        out = subprocess.run([WRK, "-v"], capture_output=True, text=True, check=False)
        wrk = (out.stdout or out.stderr).split("Copyright")[0].strip()
    return (f"{platform.machine()}, {os.cpu_count()} CPUs ({model or 'unknown CPU'}), "
            f"Python {sys.version.split()[0]}, Linux {platform.release()}; load generator "
            f"{wrk or 'Python threads (wrk not found)'} on the same machine")


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def goals(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(goal, measured, met) for issue 11's goals."""
    rows: list[tuple[str, str, bool]] = []
    by = {(r["name"], r["connections"]): r for r in results["runs"]}
    paced = {(r["name"], r["connections"]): r for r in results.get("at_rate", [])}
    for conns in sorted({r["connections"] for r in results["runs"]}):
        stored = by.get(("stored-comparison", conns))
        at = paced.get(("stored-comparison", conns))
        if stored and at:
            p99 = at["latency_us"]["p99"] / 1000
            ceiling = paced.get(("bare-gunicorn", conns))
            answered = at["statuses"].get("200", at["statuses"].get(200, 0))
            whole = answered == int(at["rate"] * results["seconds"])
            rows.append((f"stored comparison page ≥ {STORED_RPS:,} req/s with p99 < "
                         f"{STORED_P99_MS} ms ({conns} connections)",
                         f"{stored['rps']:,.0f} req/s at full load; at {STORED_RPS:,} req/s, "
                         f"p99 {p99:.1f} ms, {answered:,} answered 200"
                         + (f" (gunicorn with no app at the same rate: p99 "
                            f"{ceiling['latency_us']['p99'] / 1000:.1f} ms)" if ceiling else ""),
                         stored["rps"] >= STORED_RPS and p99 < STORED_P99_MS and whole))
        computed = by.get(("computed-comparison", conns))
        if computed:
            ok200 = computed["statuses"].get("200", computed["statuses"].get(200, 0))
            rows.append((f"comparison computed per request ≥ {COMPUTED_RPS} req/s "
                         f"({conns} connections)",
                         f"{computed['rps']:,.0f} req/s ({ok200:,} of "
                         f"{computed['requests']:,} answered 200)",
                         computed["rps"] >= COMPUTED_RPS
                         and ok200 == computed["requests"]))
    everything = results["runs"] + results.get("at_rate", []) + [
        a for x in results["attacks"] for a in x["attacks"]]
    limited = sum(v for r in everything for k, v in r["statuses"].items()
                  if int(k) in (429, 503))
    problems = results["limit_problems"]
    rows.append(("limits answer 429 or 503 with Retry-After, no other 5xx, no transport error "
                 "(every run)",
                 f"{limited:,} answers 429/503, every one with Retry-After; "
                 + ("no other 5xx, no transport error" if not problems else
                    "; ".join(problems[:4]) + (" ..." if len(problems) > 4 else "")),
                 not problems and limited > 0))
    # The scenario is "eight at once": each attack alone with 8 connections, and all
    # of them together with 8 in all.  All of them with 8 each (32) goes beyond it, and is
    # held to the same bar in its own row.
    for label, chosen in (
            ("8 connections at once (the issue's \"eight at once\"), each alone and all "
             "together", [x for x in results["attacks"] if _attack_connections(x) <= 8]),
            ("beyond the issue: all of them at once with 8 connections each",
             [x for x in results["attacks"] if _attack_connections(x) > 8])):
        if not chosen:
            continue
        worst = max(chosen, key=lambda x: x["probe"]["p99_ms"])
        p99 = worst["probe"]["p99_ms"]
        rows.append((f"probe of / p99 < {PROBE_P99_MS} ms while items 1 and 3's adversarial "
                     f"requests run, {label}",
                     f"worst p99 {p99:.0f} ms ({worst['label']}); {len(chosen)} attack "
                     f"run{'s' if len(chosen) != 1 else ''}",
                     p99 < PROBE_P99_MS))
    return rows


def _attack_connections(attack: dict[str, Any]) -> int:
    return sum(int(a["connections"]) for a in attack["attacks"])


def bound(results: dict[str, Any]) -> list[str]:
    """What the number of connections allows, by Little's law: wrk keeps every connection
    busy, so a run's mean latency is its connections over its requests/s, and a p99 under
    the goal needs at least connections / goal requests/s, with no variance at all."""
    lines = ["Why the p99 goal is read at its rate: at full load wrk keeps each connection "
             "waiting for an answer, so the mean latency is the connections over the "
             "requests/s (Little's law), and no p99 can be below the mean. A p99 at full load "
             "is the length of the queue the load generator makes, and it changes with the "
             "number of connections, not with the time a request takes:", ""]
    by = {(r["name"], r["connections"]): r for r in results["runs"]}
    for conns in sorted({r["connections"] for r in results["runs"]}):
        if ("stored-comparison", conns) not in by:
            continue
        need = conns / (STORED_P99_MS / 1000)
        parts = [f"- {conns} connections: a p99 under {STORED_P99_MS} ms needs more than "
                 f"{need:,.0f} req/s even if every answer took the same time."]
        for name, what in (("bare-gunicorn", "Gunicorn with no app (the ceiling)"),
                           ("stored-comparison", "The stored comparison")):
            r = by.get((name, conns))
            if r:
                mean = conns / r["rps"] * 1000
                p99 = r["latency_us"]["p99"] / 1000
                parts.append(f"{what} did {r['rps']:,.0f} (mean {mean:.1f} ms, p99 "
                             f"{p99:.1f} ms: {p99 / mean:.1f}× the mean).")
        lines.append(" ".join(parts))
    return lines


def write_markdown(path: Path, results: dict[str, Any], command: str) -> None:
    runs = results["runs"]
    baseline = {r["connections"]: r["rps"] for r in runs if r["name"] == "static-file"}
    notes = {r["name"]: r["note"] for r in runs if r["note"]}
    out = ["# The site under load (issue 11)", "",
           "Measured by `benchmarks/load.py` (run on demand; it takes about seven minutes):", "",
           "```sh", command, "```", "",
           f"Machine: {machine()}.", "",
           f"Server: `{results['server']}` (`billdiff/gunicorn_conf.py`: gthread workers, "
           f"{results.get('threads', 4)} threads and at most 48 connections each, the access "
           "log on, written once a second) on loopback, on a "
           "copy of the bundled dossier with the 5,000-word pair and issue 11 item 1's "
           "4,000-line `[Reserved]` pair added; `BILLDIFF_PROXY_HOPS=1`, the load generator "
           "naming each client in `X-Forwarded-For`. Each run lasts "
           f"{results['seconds']:g} s. The **baseline** is `static-file`: `/static/app.css` "
           "served by the same gunicorn through the app's own static route (Flask: it checks "
           "the file on every request), what the app did for the cheapest page before stored "
           "pages were answered in front of Flask; *vs static* is each run's requests/s "
           "against it at the same connections. *Per worker* is how many of the run's "
           "connections each worker held a second in (`ss`): a kept-alive connection stays on "
           "the worker that took it.", "",
           "## Goals", "", "| goal | measured | met |", "|---|---|---|"]
    for goal, measured, ok in goals(results):
        out.append(f"| {goal} | {measured} | {_met(ok)} |")
    out += ["", *bound(results)]
    if results.get("at_rate"):
        out += ["", f"## The stored page at the goal's rate ({STORED_RPS:,} requests/s)", "",
                "`benchmarks/paced.py` sends the requests on a timetable, "
                f"{STORED_RPS:,} a second spread over the connections, whatever the server "
                "does, and counts each latency from when its request was due, so a stall is "
                "charged for every request that waited behind it (no coordinated omission, as "
                "wrk2 measures). The generator is Python (asyncio) on the same two cores, so "
                "its own cost and lateness count against the server: gunicorn with no app, "
                "paced the same way in the same run, is the floor. *Sent late* is the "
                "generator's own lateness, from when a request was due to when it was sent, "
                "on a connection that was free.", "",
                "| run | conns | per second | answered | p50 ms | p99 ms | max ms | "
                "sent late, p99 ms | new connections |",
                "|---|---:|---:|---|---:|---:|---:|---:|---:|"]
        for r in results["at_rate"]:
            lat = r["latency_us"]
            out.append(f"| {r['name']} | {r['connections']} | {r['rate']:,.0f} | "
                       f"{_statuses(r)} | {lat['p50'] / 1000:.1f} | {lat['p99'] / 1000:.1f} | "
                       f"{lat['max'] / 1000:.0f} | {r['send_lag_us']['p99'] / 1000:.1f} | "
                       f"{r['reconnections']} |")
        out += ["", "*New connections*: a worker holding as many kept-alive connections as "
                "it keeps answers `Connection: close`, and the generator opens another "
                "(its time counts in the next request's latency)."]
    out += ["", "## Every run", "", table(runs, baseline), "",
            "What each run asks for:", ""]
    out += [f"- `{name}`: {note}" for name, note in notes.items()]
    out += ["", "## The home page while adversarial requests run", "",
            "A probe `GET /` on a new connection every 20 ms, while the adversarial requests of "
            "issue 11 item 1 (the 4,000-line `[Reserved]` pair, every option combination so that "
            "no cache answers) and item 3 (large drafts, each from a new client) run.", "",
            f"With nothing else running the probe's p50 is "
            f"{results['quiet_probe']['p50_ms']:.1f} ms, p99 "
            f"{results['quiet_probe']['p99_ms']:.1f} ms.", "",
            "| attack | probe p50 ms | probe p99 ms | probe max ms | attack: req/s, statuses |",
            "|---|---:|---:|---:|---|"]
    for x in results["attacks"]:
        pr = x["probe"]
        att = "; ".join(f"{a['name']} ×{a['connections']}: {a['rps']:,.1f}, {_statuses(a)}"
                        for a in x["attacks"])
        out.append(f"| {x['label']} | {pr['p50_ms']:.1f} | {pr['p99_ms']:.1f} | "
                   f"{pr['max_ms']:.0f} | {att} |")
    out += ["", "## The server afterwards", "",
            f"- worker resident memory at the end: {results['worker_rss_mib']} MiB;",
            f"- workers booted: {results['workers_booted']} (replaced after `max_requests`: "
            f"{results['workers_restarted_max_requests']});",
            "- error lines or tracebacks in the server's log: "
            + ("none." if not results["log_errors"] else
               "; ".join(f"`{x[:160]}`" for x in results["log_errors"][:5]))]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--only", nargs="*", help="run only these runs (names)")
    parser.add_argument("--no-attack", action="store_true")
    parser.add_argument("--attacks", type=int, nargs="+", metavar="N",
                        help="diagnosis: run only these attacks (1 to 6, in the report's "
                             "order), and no other run")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--out", type=Path,
                        help="the Markdown report (default docs/benchmarks-load.md, written "
                             "by a full run only)")
    parser.add_argument("--max-requests", type=int,
                        help="diagnosis: run gunicorn with this --max-requests (0: never "
                             "replace a worker) instead of `billdiff serve --production`")
    args = parser.parse_args()
    results: dict[str, Any] = {"generator": "wrk" if WRK else "python (wrk not found)",
                               "cpus": os.cpu_count(), "python": sys.version.split()[0],
                               "seconds": args.seconds}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bills = memory.write_bench_corpus(work / "bills", adversarial=True)
        server = start_server(bills, work, args.max_requests)
        results["server"] = ("billdiff serve --production --workers 2"
                             if args.max_requests is None else
                             f"gunicorn -c python:billdiff.gunicorn_conf --workers 2 "
                             f"--max-requests {args.max_requests}")
        try:
            runs = build_runs(server, bills)
            if args.only:
                runs = [r for r in runs if r.name in args.only or r.name == "static-file"]
            if args.attacks:
                runs = []
            # warm each worker's caches for the stored runs (several hits reach both)
            for run in runs:
                if len(run.paths) == 1 and run.method == "GET":
                    for _ in range(8):
                        server.get(run.paths[0])
            rows = []
            at_rate: list[dict[str, Any]] = []
            bare = bare_run = None
            if runs:
                a, b = stored_pair(bills)
                size = len(server.get(f"/compare?a={a}&b={b}")[2])
                bare = start_bare(work, size)
                bare_run = Run("bare-gunicorn", ["/"], note=(
                    f"ceiling: gunicorn with billdiff's worker answering {size:,} bytes (the "
                    "stored comparison's size) with no app and no access log "
                    "(benchmarks/bare_wsgi.py)"))
            for connections in args.connections:
                if bare is not None and bare_run is not None:
                    rows.append(measure(bare, bare_run, connections, args.seconds, work))
                for run in runs:
                    data = measure(server, run, connections, args.seconds, work)
                    rows.append(data)
                    print(f"{run.name:28} x{connections:<3} {data['rps']:9,.0f} req/s  "
                          f"p99 {data['latency_us']['p99'] / 1000:8.1f} ms  "
                          f"{_statuses(data)}", flush=True)
                    if run.name.startswith(("pdf-new", "draft-compare")):
                        time.sleep(2)  # let queued renders drain before the next run
                # The latency goal is at its rate: the ceiling, then the stored page, paced.
                stored_run = next((r for r in runs if r.name == "stored-comparison"), None)
                if stored_run is not None and bare is not None and bare_run is not None:
                    for target, run in ((bare, bare_run), (server, stored_run)):
                        data = measure_paced(target, run, connections, STORED_RPS,
                                             args.seconds)
                        at_rate.append(data)
                        print(f"{run.name:28} x{connections:<3} at {STORED_RPS:,}/s: p99 "
                              f"{data['latency_us']['p99'] / 1000:.1f} ms  "
                              f"{_statuses(data)}", flush=True)
            if bare is not None:
                stop_server(bare)
            results["runs"] = rows
            results["at_rate"] = at_rate
            results["quiet_probe"] = probe(server, args.seconds)
            print(f"probe of / with nothing else running: {results['quiet_probe']}")
            attacks = []
            if not args.no_attack:
                for number, (label, group, connections) in enumerate(
                        attack_runs(server, bills), 1):
                    if args.attacks and number not in args.attacks:
                        continue
                    data = under_attack(server, group, connections, args.seconds, work)
                    data["label"] = label
                    attacks.append(data)
                    print(f"{label}: probe {data['probe']}; " + "; ".join(
                        f"{a['name']} {a['rps']:,.1f} req/s {_statuses(a)}"
                        for a in data["attacks"]), flush=True)
            results["attacks"] = attacks
            results["worker_rss_mib"] = rss_mib(server.workers())
            everything = rows + at_rate + [a for x in attacks for a in x["attacks"]]
            results["limit_problems"] = check_limits(everything)
            log = server.log.read_text(encoding="utf-8", errors="replace")
            results["log_errors"] = [x for x in log.splitlines()
                                     if "[ERROR]" in x or "Traceback" in x][:20]
            results["workers_booted"] = log.count("Booting worker with pid")
            results["workers_restarted_max_requests"] = log.count("Autorestarting worker")
        finally:
            stop_server(server)
    if args.attacks:
        return
    baseline = {r["connections"]: r["rps"] for r in results["runs"]
                if r["name"] == "static-file"}
    print()
    print(table(results["runs"], baseline))
    print()
    print("limit problems:", results["limit_problems"] or "none")
    print("log errors:", results["log_errors"] or "none")
    print("worker RSS (MiB):", results["worker_rss_mib"])
    print("workers booted:", results["workers_booted"], "restarted after max_requests:",
          results["workers_restarted_max_requests"])
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    full = not (args.only or args.no_attack or args.attacks or args.max_requests is not None)
    out = args.out or (ROOT / "docs" / "benchmarks-load.md" if full else None)
    if out is not None:
        command = " ".join([".venv/bin/python benchmarks/load.py", *sys.argv[1:]])
        write_markdown(out, results, command)
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
