"""Whole codes, whole process: ``billdiff compare``, ``validate`` and the web app's start on
DC Code titles 2 and 7, against ``git diff --no-index --word-diff`` in the same run.

Run on demand::

    .venv/bin/python benchmarks/wholecode.py [--reps 7] [--out docs/benchmarks-wholecode.md]

What it does:

1. imports titles 2 and 7 of both DC Code releases (``../shared/corpora/dc-code``) with
   ``billdiff import --format dc-xml`` into a temporary corpus (not timed against anything);
2. measures, interleaved in each repetition (git, then each billdiff command, then again):
   ``git diff --no-index --word-diff`` on the two XML folders of a title; ``billdiff --bills
   TMP compare A B --format json`` cold (the first run after an edit of B: B is parsed from
   YAML, A comes from the cache), warm (both from the cache), and with no cache at all (the
   command reads only the two documents it names); ``billdiff validate`` of the four
   documents, warm;
   the web app's start (``create_app`` on the four documents plus the bundled dossier), warm;
3. measures the peak memory (the process's peak RSS, from ``wait4``) of each compare;
4. splits a warm compare's time into start-up and imports, loading, comparing, building the
   JSON, encoding it and writing it (timers wrapped round those functions, in a fresh process).

Every process runs with its own cache folder (``BILLDIFF_CACHE_DIR`` in the temporary folder).
Medians are reported; this machine's run-to-run noise is about ±20 %.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BILLDIFF_SHARED", ROOT.parent / "shared"))
DC = SHARED / "corpora" / "dc-code"
OLD, NEW = "2019-01-04", "2026-06-30"
TITLES = ("2", "7")
BIN = Path(sys.executable).parent
BUNDLED = ROOT / "billdiff" / "dossier"

#: Goals of issue 12 (ratio to git, or seconds, or MB).
GOALS = {"cold": 4.0, "warm": 3.0, "validate": 0.5, "rss": 150.0, "web": 2.0}

# A warm compare (documents on demand) under pyinstrument's sampling profiler, in a fresh
# process; each sample's time goes to the stage of the innermost billdiff module on its stack
# (any import in progress wins), so the split follows the code wherever its functions move.
SPLIT = """
import json, sys, time
from pathlib import Path
from pyinstrument import Profiler

profiler = Profiler(interval=0.0005)
profiler.start()
t0 = time.perf_counter()
import billdiff.cli as cli
sys.argv = ["billdiff"] + sys.argv[1:]
try:
    cli.main()
except SystemExit:
    pass
total = time.perf_counter() - t0
profiler.stop()

STAGES = {"load.py": "load", "cache.py": "load", "compare.py": "diff", "align.py": "diff",
          "diff.py": "diff", "normalize.py": "diff", "match.py": "diff", "ids.py": "diff",
          "analysis.py": "analysis", "jsonout.py": "build", "textout.py": "build",
          "render.py": "build"}

def stage(stack):
    if any(f and "importlib" in f and "_bootstrap" in f for f, _ in stack):
        return "imports"
    for f, fn in reversed(stack):
        if not f:
            continue
        name = Path(f).name
        if "/json/" in f.replace("\\\\", "/") and name in ("encoder.py", "__init__.py"):
            return "encode"
        if "/billdiff/" in f.replace("\\\\", "/"):
            if name == "files.py":
                return "write" if fn == "write_atomically" else "load"
            if name == "jsonout.py" and fn == "dumps":
                return "encode"
            if name in STAGES:
                return STAGES[name]
        if fn == "echo" and "click" in f:
            return "write"
    return "rest"

spent = {}
def walk(frame, stack):
    here = stack + [(frame.file_path, frame.function)]
    if not frame.children:
        key = stage(here)
        spent[key] = spent.get(key, 0.0) + frame.time
    for child in frame.children:
        walk(child, here)

walk(profiler.last_session.root_frame(), [])
spent["total_in_process"] = total
sys.stderr.write("SPLIT " + json.dumps(spent) + "\\n")
"""

WEB = """
if __name__ == "__main__":
    import sys
    from billdiff.web import create_app
    create_app({"BILLS_DIR": sys.argv[1], "TESTING": True})
"""


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def run(cmd: list[str], env: dict[str, str], expect: tuple[int, ...] = (0, 1)
        ) -> tuple[float, float, str]:
    """Wall time, peak RSS in MB (the process's own, from wait4) and stderr of one process."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if proc.returncode not in expect:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {err.strip()[-500:]}")
    rss = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 1024**2
    return wall, rss, err


def billdiff_cmd() -> list[str]:
    exe = BIN / "billdiff"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "billdiff"]


def touch_edit(path: Path, n: int) -> None:
    """Change a document's bytes without changing the document (a YAML comment line)."""
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith("# edit ")]
    path.write_text("".join(lines) + f"# edit {n}\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks-wholecode.md")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    git = shutil.which("git")
    missing = [p for p in (DC / OLD / t for t in TITLES) if not p.is_dir()]
    if missing or git is None:
        raise SystemExit(f"needs {DC} (titles 2 and 7 of both releases) and git")
    tmp = Path(tempfile.mkdtemp(prefix="billdiff-wholecode-"))
    try:
        report = measure(tmp, git, args.reps)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)
    print(f"(written to {args.out})")


def measure(tmp: Path, git: str, reps: int) -> str:
    corpus = tmp / "corpus"
    (corpus / "documents").mkdir(parents=True)
    env = {**os.environ, "NO_COLOR": "1", "BILLDIFF_CACHE_DIR": str(tmp / "cache"),
           "PYTHONPATH": str(ROOT)}
    env.pop("BILLDIFF_DEBUG", None)
    nocache = {**env, "BILLDIFF_CACHE_DIR": "off"}
    exe = billdiff_cmd()
    ids = {(rel, t): f"dc-{t}-{rel[:4]}" for rel in (OLD, NEW) for t in TITLES}
    t = time.perf_counter()
    for (rel, title), doc_id in ids.items():
        run([*exe, "import", str(DC / rel / title), "--format", "dc-xml", "--id", doc_id,
             "--out", str(corpus / "documents" / f"{doc_id}.yaml")], nocache, expect=(0,))
    import_time = time.perf_counter() - t
    sizes = {d: (corpus / "documents" / f"{d}.yaml").stat().st_size for d in ids.values()}

    web = tmp / "web"
    shutil.copytree(BUNDLED, web, symlinks=False)
    for doc_id in ids.values():
        shutil.copy(corpus / "documents" / f"{doc_id}.yaml", web / "documents")

    # fill the cache once (every command below runs warm unless it edits first)
    run([*exe, "--bills", str(corpus), "validate"], env)
    run([sys.executable, "-c", WEB, str(web)], env, expect=(0,))

    jobs: dict[str, list[str]] = {}
    envs: dict[str, dict[str, str]] = {}
    edits: dict[str, Path] = {}
    for title in TITLES:
        a, b = ids[(OLD, title)], ids[(NEW, title)]
        compare = ["--bills", str(corpus), "compare", a, b, "--format", "json"]
        jobs[f"git:{title}"] = [git, "diff", "--no-index", "--word-diff",
                                str(DC / OLD / title), str(DC / NEW / title)]
        jobs[f"cold:{title}"] = [*exe, *compare]
        edits[f"cold:{title}"] = corpus / "documents" / f"{b}.yaml"
        jobs[f"warm:{title}"] = [*exe, *compare]
        jobs[f"nocache:{title}"] = [*exe, *compare]
        envs[f"nocache:{title}"] = nocache
    jobs["validate"] = [*exe, "--bills", str(corpus), "validate"]
    jobs["web"] = [sys.executable, "-c", WEB, str(web)]
    jobs["python"] = [sys.executable, "-c", "pass"]
    # the floor under any compare: the interpreter and the imports it cannot do without
    jobs["imports"] = [sys.executable, "-c", "import billdiff.cli, billdiff.load, "
                       "billdiff.compare"]

    walls: dict[str, list[float]] = {k: [] for k in jobs}
    peaks: dict[str, list[float]] = {k: [] for k in jobs}
    edit_no = 0
    for _ in range(reps):
        for name, cmd in jobs.items():
            if name in edits:
                edit_no += 1
                touch_edit(edits[name], edit_no)
            wall, rss, _ = run(cmd, envs.get(name, env))
            walls[name].append(wall)
            peaks[name].append(rss)
    med = {k: statistics.median(v) for k, v in walls.items()}
    peak = {k: max(v) for k, v in peaks.items()}

    splits: dict[str, dict[str, float]] = {}
    import importlib.util

    for title in TITLES if importlib.util.find_spec("pyinstrument") else ():
        a, b = ids[(OLD, title)], ids[(NEW, title)]
        samples: list[dict[str, float]] = []
        for _ in range(max(3, reps // 2)):
            _, _, err = run([sys.executable, "-c", SPLIT, "--bills", str(corpus), "compare", a,
                             b, "--format", "json"], env)
            line = next(x for x in err.splitlines() if x.startswith("SPLIT "))
            samples.append(json.loads(line[6:]))
        # the run whose total is the median, so that its parts add up
        samples.sort(key=lambda s: s.get("total_in_process", 0.0))
        splits[title] = samples[len(samples) // 2]
    return render(med, peak, splits, sizes, import_time, reps)


def render(med: dict[str, float], peak: dict[str, float], splits: dict[str, dict[str, float]],
           sizes: dict[str, int], import_time: float, reps: int) -> str:
    git = {t: med[f"git:{t}"] for t in TITLES}
    rows = []

    def ratio(name: str, title: str) -> str:
        return f"{med[f'{name}:{title}'] / git[title]:.1f}×"

    for title in TITLES:
        rows.append(
            f"| title {title} | {ms(git[title])} | {ms(med[f'cold:{title}'])} "
            f"({ratio('cold', title)}) | {ms(med[f'warm:{title}'])} ({ratio('warm', title)}) | "
            f"{ms(med[f'nocache:{title}'])} ({ratio('nocache', title)}) | "
            f"{peak[f'cold:{title}']:.0f} / {peak[f'warm:{title}']:.0f} / "
            f"{peak[f'nocache:{title}']:.0f} MB |")

    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    worst = {k: max(med[f"{k}:{t}"] / git[t] for t in TITLES)
             for k in ("cold", "warm")}
    rss = max(peak[f"{k}:{t}"] for k in ("warm", "cold", "nocache") for t in TITLES)
    split_rows = [] if splits else ["| | *skipped: pyinstrument is not installed "
                                    "(`.venv/bin/pip install pyinstrument==5.1.2`)* | | |"]
    for title, s in splits.items():
        total = s.get("total_in_process", 0.0)
        parts = [("imports (billdiff, pydantic, click...)", s.get("imports", 0.0)),
                 ("loading: files, cache, validation (load.py, cache.py)", s.get("load", 0.0)),
                 ("aligning and diffing (compare, align, diff, normalize)", s.get("diff", 0.0)),
                 ("reading the comparison (analysis.py)", s.get("analysis", 0.0)),
                 ("building the output data (jsonout, textout, render)", s.get("build", 0.0)),
                 ("encoding the JSON (json / orjson dumps)", s.get("encode", 0.0)),
                 ("writing it (click.echo, write_atomically)", s.get("write", 0.0))]
        rest = total - sum(v for _, v in parts)
        parts.append(("the rest (click, the CLI, exit; profiler overhead)", rest))
        for label, value in parts:
            share = f"{value / total * 100:.0f} %" if total else "n/a"
            split_rows.append(f"| {title} | {label} | {ms(value)} | {share} |")
    size_text = ", ".join(f"{d} {n / 1e6:.1f} MB" for d, n in sizes.items())
    return "\n".join([
        "# Whole codes, whole process (issue 12)",
        "",
        "Measured by `benchmarks/wholecode.py` (run on demand):",
        "",
        "```sh",
        f".venv/bin/python benchmarks/wholecode.py --reps {reps}",
        "```",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}. "
        f"Medians of {reps} interleaved repetitions (git, then every billdiff command, then "
        "again); every figure is a whole process (start-up included), timed from the outside. "
        "Peak memory is the process's peak resident set (`wait4`'s `ru_maxrss`).",
        "",
        f"Corpus: DC Code titles 2 and 7 of both releases imported with `billdiff import "
        f"--format dc-xml` ({size_text}; importing took {import_time:.1f} s, not counted). "
        "The baseline is `git diff --no-index --word-diff` on the same title's two XML folders. "
        "*Cold* is the first run after an edit of document B (B read from YAML, A from the "
        "cache); *warm* reads both from the cache; *no cache* is `BILLDIFF_CACHE_DIR=off` "
        "(both from YAML). The command reads only the two documents it names.",
        "",
        "## `billdiff compare A B --format json`",
        "",
        "| | git --word-diff | cold | warm | no cache | peak memory (cold / warm / no cache) |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "## Validate and the web app's start",
        "",
        "| what | median |",
        "|---|---|",
        f"| baseline: `python -c pass` | {ms(med['python'])} |",
        f"| floor of any compare: `python -c 'import billdiff.cli, billdiff.load, "
        f"billdiff.compare'` | {ms(med['imports'])} ({med['imports'] / git['2']:.1f}× git on "
        "title 2) |",
        f"| `billdiff validate` (the four documents), warm | {ms(med['validate'])} |",
        f"| web app start (`create_app` on the four documents plus the bundled dossier), "
        f"warm, whole process | {ms(med['web'])} |",
        "",
        "## Goals",
        "",
        "| goal | measured | |",
        "|---|---|---|",
        f"| compare cold ≤ {GOALS['cold']:.0f}× git | {worst['cold']:.1f}× | "
        f"{verdict(worst['cold'] <= GOALS['cold'])} |",
        f"| compare warm ≤ {GOALS['warm']:.0f}× git | {worst['warm']:.1f}× | "
        f"{verdict(worst['warm'] <= GOALS['warm'])} |",
        f"| validate warm < {GOALS['validate']} s | {ms(med['validate'])} | "
        f"{verdict(med['validate'] < GOALS['validate'])} |",
        f"| compare peak memory < {GOALS['rss']:.0f} MB | {rss:.0f} MB | "
        f"{verdict(rss < GOALS['rss'])} |",
        f"| web start warm < {GOALS['web']:.0f} s | {ms(med['web'])} | "
        f"{verdict(med['web'] < GOALS['web'])} |",
        "",
        "## Where a warm compare's time goes",
        "",
        "One warm `billdiff compare A B --format json`, in a fresh "
        "process, under pyinstrument's sampling profiler (0.5 ms; each sample counted for "
        "the innermost billdiff module on its stack; of several runs, the one of median total). "
        "The start-up of the interpreter itself (the `python -c pass` line above) comes on top:",
        "",
        "| title | stage | time | share |",
        "|---|---|---|---|",
        *split_rows,
        "",
    ])


if __name__ == "__main__":
    main()
