"""billdiff benchmarks: each measured against a named baseline in the same run.

Run on demand (``make bench`` or ``.venv/bin/python benchmarks/run.py``); results are written to
``docs/benchmarks.md``.  Measurements are interleaved (baseline, ours, baseline, ours, ...) so
that the noise of a shared machine hits both alike; medians are reported.

Needs ``../shared/corpora`` (the DC Code and the benchmark pairs); parts whose inputs are
absent are skipped and say so.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BILLDIFF_SHARED", ROOT.parent / "shared"))
BENCH = SHARED / "corpora" / "bench"
DC = SHARED / "corpora" / "dc-code"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from billdiff.compare import compare_documents  # noqa: E402
from billdiff.diff import diff_texts  # noqa: E402

#: A row that starts a new paragraph (other empty rows are dropped).
PARAGRAPH = "\n"

#: Measured numbers the targets table reads: name -> seconds (or MB, or a ratio).
RESULTS: dict[str, float] = {}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def median_of(fn: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def wall(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False, env=env)
    return time.perf_counter() - t


def interleaved(fns: dict[str, Callable[[], float]], reps: int) -> dict[str, float]:
    """Run each measurement in turn, *reps* times; return the median of each."""
    samples: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            samples[name].append(fn())
    return {k: statistics.median(v) for k, v in samples.items()}


def timed(fn: Callable[[], object]) -> Callable[[], float]:
    def run() -> float:
        t = time.perf_counter()
        fn()
        return time.perf_counter() - t
    return run


def bench_pairs(reps: int) -> list[str]:
    if not BENCH.is_dir():
        return [f"*Skipped: {BENCH} is absent.*"]
    git = shutil.which("git")
    rows = ["| pair | words (a / b) | billdiff diff | git --word-diff (process) | ratio | "
            "exact? | changed words |", "|---|---|---|---|---|---|---|"]
    for a_name, b_name, label in (("small_a", "small_b", "2,500 words, edited"),
                                  ("large_a", "large_b", "1 MB, edited + moved"),
                                  ("large_a", "large2_b", "1 MB, section moves"),
                                  ("real_a", "real_b", "1 MB, real 116th→117th rules"),
                                  ("worst_a", "worst_b", "1 MB, adversarial")):
        a_path, b_path = BENCH / f"{a_name}.txt", BENCH / f"{b_name}.txt"
        a, b = a_path.read_text(encoding="utf-8"), b_path.read_text(encoding="utf-8")
        result = diff_texts(a, b)
        assert result.a_text == a
        assert result.b_text == b
        fns = {"ours": timed(lambda a=a, b=b: diff_texts(a, b))}
        if git:
            fns["git"] = lambda ap=a_path, bp=b_path: wall(
                [git, "diff", "--no-index", "--word-diff", str(ap), str(bp)])
        med = interleaved(fns, reps)
        git_t = med.get("git")
        ratio = f"{med['ours'] / git_t:.2f}×" if git_t else "n/a"
        st = result.stats
        RESULTS[f"pair:{b_name}"] = med["ours"]
        if git_t:
            RESULTS[f"pair-ratio:{b_name}"] = med["ours"] / git_t
        RESULTS[f"pair-approx:{b_name}"] = float(result.approximate)
        rows.append(f"| {label} | {st.words_a:,} / {st.words_b:,} | {ms(med['ours'])} | "
                    f"{ms(git_t) if git_t else 'n/a'} | {ratio} | "
                    f"{'approximate (flagged)' if result.approximate else 'exact'} | "
                    f"{st.words_deleted + st.words_inserted:,} |")
    return rows


def bench_dc(reps: int) -> list[str]:
    if not DC.is_dir():
        return [f"*Skipped: {DC} is absent.*"]
    from billdiff.importers.dc_xml import import_dc_xml

    git = shutil.which("git")
    docs = {}
    t = time.perf_counter()
    for rel in ("2019-01-04", "2026-06-30"):
        for title in ("2", "7"):
            docs[(rel, title)] = import_dc_xml(DC / rel / title, f"dc-{title}-{rel}")
    import_time = time.perf_counter() - t
    # "Already loaded", as in a long-lived process (the web app does the same after loading
    # its corpus): keep the loaded documents out of the garbage collector's generations.
    gc.collect()
    gc.freeze()
    n_sections = sum(1 for key in docs if key[0] == "2019-01-04"
                     for _ in _flat(docs[key]))

    from billdiff.analysis import read_comparison

    def compare_only() -> None:
        for title in ("2", "7"):
            compare_documents(docs[("2019-01-04", title)], docs[("2026-06-30", title)])

    def ours() -> None:
        # what every output pays: the comparison and its reading (kinds, states, headline)
        for title in ("2", "7"):
            r = read_comparison(compare_documents(docs[("2019-01-04", title)],
                                                  docs[("2026-06-30", title)]))
            r.provisions  # noqa: B018 - the headline numbers are computed on first use

    first = timed(ours)()
    fns = {"ours": timed(ours), "compare": timed(compare_only)}
    if git:
        fns["git"] = lambda: wall([git, "diff", "--no-index", "--word-diff", "2019-01-04",
                                   "2026-06-30"], cwd=DC)
    med = interleaved(fns, reps)
    readings = [read_comparison(compare_documents(docs[("2019-01-04", t)],
                                                  docs[("2026-06-30", t)])) for t in ("2", "7")]
    changed = sum(r.provisions.changed + r.provisions.added + r.provisions.removed
                  for r in readings)
    git_t = med.get("git")
    RESULTS["dc"] = med["ours"]
    if git_t:
        RESULTS["dc-ratio"] = med["ours"] / git_t
    return [
        "| what | time |", "|---|---|",
        f"| import all four title folders (not part of the comparison) | {ms(import_time)} |",
        f"| billdiff: align + diff + read titles 2 and 7, 2019 → 2026 ({n_sections:,} "
        f"provisions, {changed} changed, added or removed), first run | {ms(first)} |",
        f"| billdiff: the same, median of {reps} | {ms(med['ours'])} |",
        f"| of which align + diff alone (no reading) | {ms(med['compare'])} |",
        f"| git diff --no-index --word-diff on the two release folders (process) | "
        f"{ms(git_t) if git_t else 'n/a'} |",
        f"| ratio billdiff / git | {med['ours'] / git_t:.2f}× |" if git_t else "",
    ]


def _flat(doc):  # type: ignore[no-untyped-def]
    from billdiff.align import flatten

    return flatten(doc)


def bench_cli(reps: int) -> list[str]:
    exe = BIN / "billdiff"
    if not exe.exists():
        return ["*Skipped: the billdiff console script is not installed in this environment.*"]
    from billdiff.load import load_corpus

    corpus = load_corpus(ROOT / "bills")
    docs = corpus.ordered_documents()
    a, b = docs[0].id, docs[-1].id
    env = {**os.environ, "NO_COLOR": "1"}
    fns = {
        "python": lambda: wall([sys.executable, "-c", "pass"]),
        "billdiff": lambda: wall([str(exe), "compare", a, b], env=env),
        "billdiff-json": lambda: wall([str(exe), "compare", a, b, "--format", "json"], env=env),
    }
    med = interleaved(fns, reps)
    RESULTS["cli"] = med["billdiff"]
    return ["| command (whole process) | median |", "|---|---|",
            f"| baseline: `python -c pass` (interpreter start) | {ms(med['python'])} |",
            f"| `billdiff compare {a} {b}` | {ms(med['billdiff'])} |",
            f"| `billdiff compare {a} {b} --format json` | {ms(med['billdiff-json'])} |"]


def bench_web(reps: int) -> list[str]:
    try:
        from billdiff.web import create_app
    except ImportError as err:
        return [f"*Skipped: the web app is not available ({err}).*"]
    from billdiff.load import load_corpus

    corpus = load_corpus(ROOT / "bills")
    docs = corpus.ordered_documents()
    # the largest bundled pair: the two documents with the most text
    sizes = sorted(docs, key=lambda d: -sum(len(s.text) for s in _flat(d)))
    a, b = sorted(sizes[:2], key=lambda d: (d.filed or "", d.id))
    app = create_app({"BILLS_DIR": str(ROOT / "bills"), "TESTING": True})
    client = app.test_client()
    url = f"/compare?a={a.id}&b={b.id}"
    first = timed(lambda: client.get(url))()
    fns = {"about": timed(lambda: client.get("/api/topics")),
           "compare": timed(lambda: client.get(url)),
           "compare-inline": timed(lambda: client.get(url + "&view=inline"))}
    med = interleaved(fns, reps)
    size = len(client.get(url).data)
    RESULTS["web"] = med["compare"]
    return ["| request (in-process, Flask test client) | median |", "|---|---|",
            f"| baseline: `/api/topics` (small JSON) | {ms(med['about'])} |",
            f"| `{url}` first request (comparison computed) | {ms(first)} |",
            f"| `{url}` (comparison cached by content) | {ms(med['compare'])} |",
            f"| `{url}&view=inline` | {ms(med['compare-inline'])} |",
            f"| page size | {size / 1024:.0f} KB |"]


def bench_factsheet(reps: int) -> list[str]:
    try:
        from billdiff import factsheet as fs
    except ImportError as err:
        return [f"*Skipped: fact sheets are not available ({err}).*"]
    from billdiff import pdf
    from billdiff.load import load_corpus

    corpus = load_corpus(ROOT / "bills")
    docs = corpus.ordered_documents()
    a, b = docs[0].id, docs[-1].id
    org = fs.load_org(ROOT / "examples" / "org.yaml")
    request = fs.FactSheetRequest(a, b)
    t = time.perf_counter()
    _, sheet = fs.make_pdf(corpus, request, org)
    first = time.perf_counter() - t

    def cold_fit() -> None:
        pdf._FIT_MEMO.clear()  # fit from scratch: measure, estimate, lay out
        fs.make_pdf(corpus, request, org)

    med = interleaved({"warm": timed(lambda: fs.make_pdf(corpus, request, org)),
                       "fit": timed(cold_fit)}, reps)
    fs.make_pdf(corpus, request, org)  # leave the memo warm
    RESULTS["fs-warm"] = med["warm"]
    RESULTS["fs-fit"] = med["fit"]
    rows = ["| what | median |", "|---|---|",
            f"| first render in a fresh process (after imports) | {ms(first)} |",
            f"| warm render in-process, same sheet (the layout that fitted is remembered) | "
            f"{ms(med['warm'])} |",
            f"| warm render in-process, fitting from scratch (2-3 layouts) | {ms(med['fit'])} |"]
    exe = BIN / "billdiff"
    html = fs.render_html(sheet)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "fs.pdf"
        html_file = Path(tmp) / "fs.html"
        # Chromium reads the same HTML with its stylesheet inlined from our static folder
        css = (ROOT / "billdiff" / "static" / "factsheet.css").read_text(encoding="utf-8")
        theme = fs.theme_css(sheet.org, sheet.paper)
        html_file.write_text(html.replace("</head>", f"<style>{css}\n{theme}</style></head>"),
                             encoding="utf-8")
        cmd = [str(exe), "factsheet", a, b, "--org", str(ROOT / "examples" / "org.yaml"),
               "--out", str(out), "--force"]
        chromium = shutil.which("chromium")
        cmds = {"billdiff": cmd}
        if chromium:
            cmds["chromium"] = [
                chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", f"--user-data-dir={tmp}/profile",
                f"--print-to-pdf={tmp}/chromium.pdf", "--no-pdf-header-footer",
                html_file.as_uri()]
        # time and memory in separate runs: sampling memory costs CPU the timing would feel
        times = interleaved({k: (lambda c=c: wall(c)) for k, c in cmds.items()}, reps)
        memory: dict[str, list[tuple[float, str, float]]] = {k: [] for k in cmds}
        for _ in range(3):
            for k, c in cmds.items():
                memory[k].append(_peak_memory(c))
        for k in cmds:
            peak = max(v[0] for v in memory[k])
            if k == "billdiff":
                RESULTS["fs-process"], RESULTS["fs-rss"] = times[k], peak
            label = ("`billdiff factsheet` whole process (fits from scratch; the command and "
                     "its PDF worker)" if k == "billdiff"
                     else "baseline: headless Chromium `--print-to-pdf` of the same HTML")
            every = max(v[2] for v in memory[k]) * 1000
            rows.append(f"| {label} | {ms(times[k])}; peak memory {peak:.0f} MB (sampled about "
                        f"every {every:.0f} ms) |")
        how = memory["billdiff"][0][1]
    rows += [PARAGRAPH, f"Peak memory counts all of a command's processes: {how}, read from "
             "`/proc` as often as the reading allows (a pause of 2 ms between readings; a "
             "tree of many large processes takes longer to read, so its brief peaks may be "
             "missed)."]
    return rows


def _process_tree(pid: int) -> list[int]:
    out = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
                for child in f.read().split():
                    out += _process_tree(int(child))
    except OSError:
        pass
    return out


def _pss_kb(pid: int) -> int:
    """Proportional set size of one process in kB (0 if it has gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _frames(pid: int) -> set[int]:
    """The physical page frames a process has resident (empty if unreadable: reading frame
    numbers from ``/proc/<pid>/pagemap`` needs root).  Only mappings with resident pages are
    read (a browser reserves terabytes of address space it never touches)."""
    import struct

    frames: set[int] = set()
    ranges: list[tuple[int, int]] = []
    try:
        with open(f"/proc/{pid}/smaps", encoding="ascii", errors="replace") as f:
            current: tuple[int, int] | None = None
            for line in f:
                head = line.split(maxsplit=1)[0]
                if "-" in head and not head.endswith(":"):
                    start, end = (int(x, 16) for x in head.split("-"))
                    current = (start, end)
                    if "[vsyscall]" in line:
                        current = None  # not a real mapping: pagemap cannot read it
                elif head == "Rss:" and current is not None and int(line.split()[1]) > 0:
                    ranges.append(current)
        with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
            for start, end in ranges:
                pagemap.seek(start // _PAGE * 8)
                for (entry,) in struct.iter_unpack("<Q", pagemap.read((end - start) // _PAGE * 8)):
                    if entry >> 63 and entry & ((1 << 55) - 1):
                        frames.add(entry & ((1 << 55) - 1))
    except (OSError, ValueError):
        return set()
    return frames


def _peak_memory(cmd: list[str]) -> tuple[float, str, float]:
    """Peak memory in MB of a command and all its processes, how it was counted, and the
    average time between samples.

    Each page counted once however many of the processes share it: the union of their
    resident page frames, sampled every few ms from ``/proc/<pid>/pagemap`` (needs root).
    Else the sum of their proportional set sizes (a shared page counts in part in each,
    including shares with processes outside the command, so it reads a little low).  Without
    ``/proc``, the peak RSS of the largest process.
    """
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not Path(f"/proc/{proc.pid}/smaps_rollup").exists():
        _, _, usage = os.wait4(proc.pid, 0)
        return usage.ru_maxrss / 1024, "peak RSS of the largest process", 0.0
    exact = bool(_frames(os.getpid()))
    peak = samples = 0
    start = time.perf_counter()
    while proc.poll() is None:
        samples += 1
        pids = _process_tree(proc.pid)
        if exact:
            size = len(set().union(*(_frames(pid) for pid in pids))) * _PAGE // 1024
        else:
            size = sum(_pss_kb(pid) for pid in pids)
        peak = max(peak, size)
        time.sleep(0.002)
    how = ("resident pages of all its processes, each page once" if exact
           else "sum of the processes' proportional set sizes")
    return peak / 1024, how, (time.perf_counter() - start) / max(samples, 1)


TARGETS = (
    # (result key, target text, test)
    ("pair:small_b", "2,500-word pair: under 5 ms", lambda v: v < 0.005),
    ("pair-ratio:large_b", "1 MB edited + moved: within 1.5× git", lambda v: v <= 1.5),
    ("pair-ratio:large2_b", "1 MB section moves: within 1.5× git", lambda v: v <= 1.5),
    ("pair-ratio:real_b", "1 MB real rules: within 1.5× git", lambda v: v <= 1.5),
    ("pair:worst_b", "adversarial 1 MB: under 1 s (or flagged approximate)",
     lambda v: v < 1.0 or RESULTS.get("pair-approx:worst_b") == 1.0),
    ("dc-ratio", "DC titles 2 + 7: no more time than git", lambda v: v <= 1.0),
    ("cli", "`billdiff compare` on the dossier, whole process: under 1 s", lambda v: v < 1.0),
    ("web", "compare page, largest bundled pair, in-process: under 100 ms", lambda v: v < 0.1),
    ("fs-warm", "fact sheet, warm render in-process: under 0.2 s", lambda v: v < 0.2),
    ("fs-process", "`billdiff factsheet`, whole process: under 1 s", lambda v: v < 1.0),
    ("fs-rss", "`billdiff factsheet`, peak memory: under 100 MB", lambda v: v < 100),
)


def _fmt(key: str, value: float) -> str:
    if "ratio" in key:
        return f"{value:.2f}×"
    if key == "fs-rss":
        return f"{value:.0f} MB"
    return ms(value)


def targets_table() -> list[str]:
    """The issue's targets against what this run measured."""
    rows = ["## Targets", "", "| target | measured | met? |", "|---|---|---|"]
    for key, label, test in TARGETS:
        if key not in RESULTS:
            continue
        value = RESULTS[key]
        rows.append(f"| {label} | {_fmt(key, value)} | {'yes' if test(value) else '**no**'} |")
    return [*rows, ""]


#: The benchmarks that write their own file (each run on demand, by its own command).
OTHERS = (
    ("benchmarks-wholecode.md", "Whole codes, whole process (issue 12)",
     ".venv/bin/python benchmarks/wholecode.py --reps 7"),
    ("benchmarks-adversarial.md", "Adversarial shapes for the line matcher (issue 11, item 1)",
     ".venv/bin/python benchmarks/adversarial.py"),
    ("benchmarks-amend.md", "Amending instructions against the D.C. codifiers' results "
     "(issue 14)", ".venv/bin/python benchmarks/amend.py --set all --quiet --markdown "
     "docs/benchmarks-amend.md"),
    ("benchmarks-load.md", "The site under load (issue 11)", ".venv/bin/python "
     "benchmarks/load.py"),
    ("benchmarks-memory.md", "Memory over 500 renders (RELIABILITY.md §G 12)",
     ".venv/bin/python benchmarks/memory.py"),
)


def goals_section(path: Path) -> list[str]:
    """The section of a benchmark's own file whose heading names its goals (``## Goals``,
    ``## Against the goals``), up to its first paragraph after the table: copied as it is."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines)
                  if line.startswith("## ") and "goal" in line.lower()), None)
    if start is None:
        return []
    out: list[str] = []
    seen_table = False
    for line in lines[start + 1:]:
        if line.startswith("## "):
            break
        if line.startswith("|"):
            seen_table = True
        elif seen_table and not line.strip():
            break
        out.append(line)
    while out and not out[0].strip():
        out.pop(0)
    return out


def others_section() -> list[str]:
    """Each benchmark that writes its own file: what, the command, and its goals table."""
    out = ["## The other benchmarks", "",
           "Each writes its own file, run on demand by the command shown; their goals are "
           "copied here as that file records them (when this file was written).", ""]
    for name, title, command in OTHERS:
        path = ROOT / "docs" / name
        if not path.is_file():
            out += [f"### {title}", "", f"Not run yet: `{command}` writes [{name}]({name}).",
                    ""]
            continue
        out += [f"### {title}", "", f"[{name}]({name}), written by `{command}`.", ""]
        goals = goals_section(path)
        out += [*goals, ""] if goals else []
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--only", choices=["pairs", "dc", "cli", "web", "factsheet"])
    args = parser.parse_args()
    sections = {
        "pairs": ("Word-level diff of the benchmark pairs (../shared/corpora/bench)", bench_pairs),
        "dc": ("DC Code titles 2 and 7, release 2019-01-04 against 2026-06-30", bench_dc),
        "cli": ("`billdiff compare` on the bundled dossier, whole process", bench_cli),
        "web": ("Compare page, largest bundled pair", bench_web),
        "factsheet": ("Fact sheet PDF", bench_factsheet),
    }
    out = ["# Benchmarks", "",
           "Generated by `benchmarks/run.py` on "
           f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
           f"; {platform.python_implementation()} {platform.python_version()}, "
           f"{os.cpu_count()} cores, {platform.machine()}; medians of {args.reps} interleaved "
           "runs (baseline and ours alternate). The machine is shared and noisy (±20 % run "
           "to run): read the ratios.", ""]
    for key, (title, fn) in sections.items():
        if args.only and key != args.only:
            continue
        print(f"== {title}", file=sys.stderr)
        rows = fn(args.reps)
        kept = ["" if r is PARAGRAPH else r for r in rows if r]
        out += [f"## {title}", "", *kept, ""]
        print("\n".join(kept), file=sys.stderr)
    out += targets_table()
    out += others_section()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.append(f"Peak memory of the benchmark process: {peak:.0f} MB.")
    if not args.only:
        args.out.write_text("\n".join(out) + "\n", encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
