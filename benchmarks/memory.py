"""Memory over many renders (RELIABILITY.md §G item 12): 500 consecutive renders of a 5,000-word
diff, and the worker's resident memory at the end against its size after the first 10.

Run on demand (about 20 minutes with the PDFs; ``--pdf-renders 0`` for the pages alone)::

    .venv/bin/python benchmarks/memory.py [--renders 500] [--pdf-renders 500]

Results go to ``docs/benchmarks-memory.md`` (a run with the default counts; ``--out`` names
another file).  Two processes are measured, each in a
fresh interpreter so that nothing else shares its memory:

- **web**: the web app's process (what a gunicorn worker runs), rendering ``GET /compare`` of
  the 5,000-word pair with the page cache off and the comparison cache emptied before each
  request, so that every request diffs, reads and renders the pair again;
- **pdf**: the PDF worker process (:class:`billdiff.pdf.BoundedRenderer`, where WeasyPrint
  runs), rendering what the web app renders to PDF, fact sheets (each with a new choice of
  topics, so that each is a real render), never replaced (the production worker is replaced
  every ``WORKER_MAX_RENDERS`` renders, which can only lower its memory).  The web app never
  renders a comparison to PDF: WeasyPrint takes about a minute over the 5,000-word pair's
  standalone page (measured here), so comparisons are printed by the reader's browser.

Memory is the resident set size (``VmRSS`` of ``/proc/<pid>/status``) after each render.  The
pass mark is §G's: RSS after the last render at most 1.2 times RSS after the tenth.

The 5,000-word pair (:func:`five_k_texts`) is realistic text with every fifth word changed, the
shape RELIABILITY.md A7 measured; :func:`write_bench_corpus` adds it (and, for the load
benchmark, the adversarial pairs) to a copy of the bundled dossier.  tests/test_reliability.py
and benchmarks/load.py use these helpers too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "billdiff" / "dossier"
sys.path.insert(0, str(ROOT))

#: Words of the pair's text: the vocabulary of a face-recognition bill.
_WORDS = ("the agency shall may not any person data record court warrant police search "
          "public notice within days report board law enforcement official biometric "
          "surveillance system information database request approval written order "
          "probable cause felony emergency section subsection clause provided that "
          "except where unless such").split()
#: A word put in place of every *every*-th word of the right-hand text.
_EDITS = ("commission", "department", "judge", "registry", "hearing", "quarterly", "annual")


def five_k_texts(words: int = 5000, every: int = 5, seed: int = 11) -> tuple[str, str]:
    """Two texts of *words* words in numbered paragraphs of about 60 words, the second with
    every *every*-th word replaced (a realistic, heavy word-level diff)."""
    rng = random.Random(seed)
    left: list[str] = []
    right: list[str] = []
    n = 0
    paragraph = 0
    while n < words:
        paragraph += 1
        size = min(words - n, rng.randint(45, 75))
        a = [rng.choice(_WORDS) for _ in range(size)]
        b = [rng.choice(_EDITS) if (n + k) % every == every - 1 else w for k, w in enumerate(a)]
        left.append(f"({paragraph}) " + " ".join(a) + ".")
        right.append(f"({paragraph}) " + " ".join(b) + ".")
        n += size
    return "\n".join(left) + "\n", "\n".join(right) + "\n"


def bench_document(doc_id: str, number: str, filed: str, sections: list[tuple[str, str]]
                   ) -> dict[str, Any]:
    """A document file (as data) holding *sections* ``(number, text)``, each an excerpt."""
    return {
        "id": doc_id, "kind": "bill", "jurisdiction": "Benchmark", "number": number,
        "title": f"A benchmark text ({number})", "filed": filed,
        "provenance": {"completeness": "partial",
                       "summary": "Generated for the benchmarks; not a real bill.",
                       "sources": [{"url": f"https://example.org/bench/{doc_id}",
                                    "description": "generated text", "official": False}]},
        "sections": [{"id": f"sec_{k}", "number": num, "heading": f"Part {num}",
                      "status": "excerpt", "text": text}
                     for k, (num, text) in enumerate(sections, 1)],
    }


def _dump(path: Path, data: dict[str, Any]) -> None:
    import yaml

    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100),
                    encoding="utf-8")


#: Ids of the documents :func:`write_bench_corpus` adds.
BIG_A, BIG_B = "bench-5k-a", "bench-5k-b"
RESERVED_A, RESERVED_B = "bench-reserved-a", "bench-reserved-b"


def write_bench_corpus(root: Path, *, adversarial: bool = False) -> Path:
    """A copy of the bundled dossier at *root* with the 5,000-word pair (and, with
    *adversarial*, issue 11 item 1's 4,000-line ``[Reserved]`` pair) added, filed in 1990 so
    that the dossier's latest bill, its home page and its default pair stay the real ones."""
    shutil.copytree(BUNDLED, root)
    a, b = five_k_texts()
    docs = root / "documents"
    _dump(docs / f"{BIG_A}.yaml", bench_document(BIG_A, "B.5000", "1990-01-01", [("1", a)]))
    _dump(docs / f"{BIG_B}.yaml", bench_document(BIG_B, "B.5001", "1990-02-01", [("1", b)]))
    if adversarial:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from adversarial import reserved

        ra, rb = reserved(4000)
        _dump(docs / f"{RESERVED_A}.yaml",
              bench_document(RESERVED_A, "B.4000", "1990-03-01", [("1", ra)]))
        _dump(docs / f"{RESERVED_B}.yaml",
              bench_document(RESERVED_B, "B.4001", "1990-04-01", [("1", rb)]))
    return root


def rss(pid: int | str = "self") -> int:
    """Resident set size of process *pid*, in bytes (Linux ``/proc``)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise OSError(f"no VmRSS for process {pid}")


# -- the measured processes ------------------------------------------------------------------


def child_web(bills: Path, renders: int) -> None:
    """Render the 5,000-word comparison page *renders* times; one JSON line of RSS each."""
    from billdiff import compare
    from billdiff.web import create_app

    app = create_app({"TESTING": True, "BILLS_DIR": str(bills), "PAGE_CACHE_BYTES": 0})
    client = app.test_client()
    url = f"/compare?a={BIG_A}&b={BIG_B}"
    for n in range(1, renders + 1):
        compare._cache.clear()  # the diff itself is made again every time
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        size = len(response.data)
        del response
        print(json.dumps({"render": n, "rss": rss(), "bytes": size}), flush=True)


def child_pdf(bills: Path, renders: int) -> None:
    """Render fact-sheet PDFs *renders* times in one PDF worker, as the web app does (a new
    topic choice each time, so that each is a real fitting render); one JSON line of both
    processes' RSS each."""
    import datetime as dt
    import itertools

    from billdiff import factsheet, pdf
    from billdiff.analysis import default_pair
    from billdiff.load import load_corpus

    corpus = load_corpus(bills)
    a, b = default_pair(corpus)
    choices = [c for r in (1, 2, 3) for c in itertools.combinations(corpus.topics, r)]
    renderer = pdf.BoundedRenderer(max_renders=renders + 1)
    try:
        for n in range(1, renders + 1):
            topics = choices[(n - 1) % len(choices)]
            day = dt.date(2030, 1, 1) + dt.timedelta(days=(n - 1) // len(choices))
            request = factsheet.FactSheetRequest(a, b, topics, date=day)
            job = factsheet.fit_job(factsheet.candidates(corpus, request))
            start = time.perf_counter()
            data, _ = renderer.run(pdf.render_fitting, job)
            took = time.perf_counter() - start
            print(json.dumps({"render": n, "rss": rss(renderer._proc.pid), "web_rss": rss(),
                              "bytes": len(data), "seconds": round(took, 3)}), flush=True)
    finally:
        renderer.close()


def measure(kind: str, bills: Path, renders: int) -> list[dict[str, Any]]:
    """Run one child (``web`` or ``pdf``) in a fresh interpreter and collect its lines."""
    proc = subprocess.run([sys.executable, __file__, "--child", kind, "--bills", str(bills),
                           "--renders", str(renders)], capture_output=True, text=True,
                          check=False, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} child failed:\n{proc.stderr[-3000:]}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def summary(rows: list[dict[str, Any]], key: str = "rss") -> dict[str, float]:
    """RSS after render 10 and after the last, their ratio and the largest, in MiB."""
    tenth = rows[min(9, len(rows) - 1)][key]
    last = rows[-1][key]
    return {"renders": len(rows), "after_10": tenth / 2**20, "after_last": last / 2**20,
            "max": max(r[key] for r in rows) / 2**20, "ratio": last / tenth}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=500)
    parser.add_argument("--pdf-renders", type=int, default=500)
    parser.add_argument("--out", type=Path, help="the Markdown report (default "
                        "docs/benchmarks-memory.md, written by a run of 500 and 500)")
    parser.add_argument("--child", choices=["web", "pdf"], help=argparse.SUPPRESS)
    parser.add_argument("--bills", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        (child_web if args.child == "web" else child_pdf)(args.bills, args.renders)
        return
    with tempfile.TemporaryDirectory() as tmp:
        bills = write_bench_corpus(Path(tmp) / "bills")
        results: dict[str, Any] = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
        start = time.perf_counter()
        web = measure("web", bills, args.renders)
        results["web"] = summary(web)
        results["web"]["page_bytes"] = web[-1]["bytes"]
        results["web"]["seconds"] = round(time.perf_counter() - start, 1)
        if args.pdf_renders:
            start = time.perf_counter()
            rows = measure("pdf", bills, args.pdf_renders)
            results["pdf_worker"] = summary(rows)
            results["pdf_web_process"] = summary(rows, "web_rss")
            results["pdf_worker"]["median_render_s"] = sorted(
                r["seconds"] for r in rows)[len(rows) // 2]
            results["pdf_worker"]["seconds"] = round(time.perf_counter() - start, 1)
        print(json.dumps(results, indent=2))
        failed = [k for k, v in results.items() if isinstance(v, dict) and v["ratio"] > 1.2]
        print("pass: every ratio <= 1.2" if not failed else f"FAIL (ratio > 1.2): {failed}")
    out = args.out or (ROOT / "docs" / "benchmarks-memory.md"
                       if (args.renders, args.pdf_renders) == (500, 500) else None)
    if out is not None:
        write_markdown(out, results, " ".join([".venv/bin/python benchmarks/memory.py",
                                                *sys.argv[1:]]))
        print(f"wrote {out}")


_LABELS = {"web": "web process: the 5,000-word comparison page, diffed, read and rendered "
                  "each time",
           "pdf_worker": "PDF worker: fact-sheet PDFs, one worker never replaced",
           "pdf_web_process": "web process while its PDF worker renders"}


def write_markdown(path: Path, results: dict[str, Any], command: str) -> None:
    import platform

    out = ["# Memory over many renders (RELIABILITY.md §G item 12)", "",
           "Measured by `benchmarks/memory.py` (run on demand):", "", "```sh", command, "```",
           "", f"Machine: {platform.machine()}, {results['cpus']} CPUs, Python "
           f"{results['python']}, Linux {platform.release()}. Each process is a fresh "
           "interpreter; memory is its resident set (`VmRSS`) after each render.", "",
           "## Goals", "", "| goal | measured | met |", "|---|---|---|"]
    for key, label in _LABELS.items():
        if key not in results:
            continue
        r = results[key]
        ok = r["ratio"] <= 1.2
        out.append(f"| {label}: RSS after render {r['renders']} ≤ 1.2 × RSS after render 10 "
                   f"| {r['after_last']:.1f} MiB after {r['renders']} / {r['after_10']:.1f} MiB "
                   f"after 10 = {r['ratio']:.3f}× (largest {r['max']:.1f} MiB) | "
                   f"{'met' if ok else '**not met**'} |")
    out += [""]
    web = results.get("web")
    if web:
        out += [f"The page is {web['page_bytes']:,} bytes; the {web['renders']} page renders "
                f"took {web['seconds']} s in all."]
    worker = results.get("pdf_worker")
    if worker:
        out += [f"The {worker['renders']} PDFs took {worker['seconds']} s in all (median "
                f"render {worker['median_render_s']} s)."]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
