"""Adversarial inputs for the paragraph (line) matcher: billdiff.match against difflib, same run.

Run on demand: ``.venv/bin/python benchmarks/adversarial.py`` (``--reps N``, ``--timeout S``,
``--only SHAPE``...).  Results go to ``docs/benchmarks-adversarial.md``.

Each shape is made here from a seed (nothing to download).  Each measurement runs in a fresh
worker process with a kill timeout, and the measurements are interleaved (every engine once,
then every engine again...), so that the noise of a shared machine hits them alike; medians
are reported.  An engine killed at the timeout is not run again on that shape.

Two kinds of measurement:

- **matcher**: the lines of the two texts (``splitlines(keepends=True)``, what
  ``billdiff.diff`` matches paragraphs on; words for the word-level shape) matched by
  ``difflib.SequenceMatcher(autojunk=False)`` (the standard library), ``cydifflib`` (the C
  drop-in billdiff uses today) and :func:`billdiff.match.match_lines`.
- **diff_texts**: the whole word-level diff, as ``billdiff.diff`` is today (``SequenceMatcher``
  where items repeat little, ``match_lines`` elsewhere), against the baseline of
  ``SequenceMatcher`` at every level, as before issue 11 (set in the worker process only;
  ``diff.py`` itself is not changed).

Edit volume is lines (or words) deleted plus inserted: lower is tighter.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BILLDIFF_SHARED", ROOT.parent / "shared"))
BENCH = SHARED / "corpora" / "bench"
OUT = ROOT / "docs" / "benchmarks-adversarial.md"
sys.path.insert(0, str(ROOT))

Pair = tuple[str, str]


# --------------------------------------------------------------------------- the shapes


def reserved(n: int) -> Pair:
    """One section of *n* lines, every other line ``[Reserved]``, every provision rewritten
    (issue 11, item 1: 0.2 s / 1.7 s / 14 s for 1,000 / 2,000 / 4,000 lines)."""
    a, b = [], []
    for k in range(n // 2):
        a += [f"§ {k}. The agency shall publish rule {k} in the register.\n", "[Reserved]\n"]
        b += [f"§ {k}. The board may adopt rule {k} after a hearing.\n", "[Reserved]\n"]
    return "".join(a), "".join(b)


def paragraphs(n: int, every: int = 1) -> Pair:
    """*n* paragraphs separated by blank lines, every *every*-th one edited in place."""
    a, b = [], []
    for k in range(n):
        text = (f"({k}) The Mayor shall, within {k % 90 + 1} days, transmit to the Council "
                f"a report on item {k}.\n")
        a += [text, "\n"]
        b += [text.replace("shall", "may") if k % every == 0 else text, "\n"]
    return "".join(a), "".join(b)


def doubled(n: int) -> Pair:
    """The same *n* provisions twice (a text that repeats itself): no line is found once;
    every tenth provision edited in both copies."""
    base = [f"§ {k}. Each licensee shall keep record {k}.\n" for k in range(n)]
    edited = [x.replace("shall", "must") if k % 10 == 0 else x for k, x in enumerate(base)]
    return "".join(base * 2), "".join(edited * 2)


def _vocabulary() -> list[str]:
    path = BENCH / "large_a.txt"
    if path.exists():
        return path.read_text(encoding="utf-8").split()
    rnd = random.Random(1)
    return [f"w{int(rnd.paretovariate(1.1))}" for _ in range(200_000)]


def one_word_lines(target_bytes: int = 1_000_000) -> Pair:
    """About a megabyte of one-word lines in the order of real legal text (the House Rules),
    5% of them replaced: lines repeat as often as words do."""
    words = _vocabulary()
    rnd = random.Random(2)
    a: list[str] = []
    size = 0
    start = rnd.randrange(max(1, len(words) - 400_000))
    for word in words[start:]:
        a.append(word + "\n")
        size += len(word) + 1
        if size >= target_bytes:
            break
    b = list(a)
    for _ in range(len(b) // 20):
        b[rnd.randrange(len(b))] = rnd.choice(words) + "\n"
    return "".join(a), "".join(b)


def the_words(n: int = 6000) -> Pair:
    """One paragraph of *n* words, every other one "the", a tenth of the others changed: the
    word-level matcher's worst case within its 6,000-token guard."""
    a = " ".join(w for k in range(n // 2) for w in ("the", f"item{k}"))
    b = " ".join(w for k in range(n // 2) for w in ("the", f"item{k}" if k % 10 else f"new{k}"))
    return a, b


def few_distinct(n: int = 20_000) -> Pair:
    """*n* lines drawn from three values, in no common order: nothing anchors; the answer
    must come within its bound and say it is approximate."""
    rnd = random.Random(3)
    return ("".join(rnd.choice("abc") + "\n" for _ in range(n)),
            "".join(rnd.choice("abc") + "\n" for _ in range(n)))


def corpus_pair(name: str) -> Pair:
    """A pair of ``../shared/corpora/bench`` (one paragraph per line)."""
    a = (BENCH / f"{name}_a.txt").read_text(encoding="utf-8")
    b = (BENCH / f"{name}_b.txt").read_text(encoding="utf-8")
    return a, b


SHAPES: dict[str, tuple[str, Callable[[], Pair]]] = {
    "reserved-1000": ("1,000 lines, every other `[Reserved]`, every provision rewritten",
                      lambda: reserved(1000)),
    "reserved-2000": ("2,000 lines, the same", lambda: reserved(2000)),
    "reserved-4000": ("4,000 lines, the same", lambda: reserved(4000)),
    "paragraphs-4000": ("4,000 blank-line-separated paragraphs, each edited",
                        lambda: paragraphs(4000)),
    "paragraphs-4000-10%": ("4,000 blank-line-separated paragraphs, one in ten edited",
                            lambda: paragraphs(4000, 10)),
    "doubled-4000": ("2,000 provisions twice over (no line found once), one in ten edited",
                     lambda: doubled(2000)),
    "one-word-lines-1MB": ("1 MB of one-word lines (House Rules word order), 5% replaced",
                           one_word_lines),
    "the-words-6000": ("one 6,000-word paragraph, every other word \"the\" (word level)",
                       the_words),
    "few-distinct-20000": ("20,000 lines of three values in no common order",
                           few_distinct),
    "worst-1MB": ("../shared corpora: worst_a/worst_b (differs everywhere), 1 MB",
                  lambda: corpus_pair("worst")),
    "large-1MB": ("../shared corpora: large_a/large_b (a normal amendment), 1 MB",
                  lambda: corpus_pair("large")),
}
NEEDS_CORPUS = {"worst-1MB", "large-1MB"}
WORD_LEVEL = {"the-words-6000"}

MATCHERS = ("difflib", "cydifflib", "match_lines")
DIFFS = ("diff_texts", "diff_texts, SequenceMatcher at every level")


# --------------------------------------------------------------------------- the worker


def _items(text: str, shape: str) -> list[str]:
    return text.split() if shape in WORD_LEVEL else text.splitlines(keepends=True)


def _volume(opcodes: Any) -> int:
    return sum((i2 - i1) + (j2 - j1) for tag, i1, i2, j1, j2 in opcodes if tag != "equal")


def worker(shape: str, engine: str) -> dict[str, Any]:
    """Make the shape, then time one run of *engine* on it (the making is not timed)."""
    a, b = SHAPES[shape][1]()
    result: dict[str, Any] = {}
    if engine in MATCHERS:
        xa, xb = _items(a, shape), _items(b, shape)
        if engine == "match_lines":
            from billdiff.match import match_lines

            start = time.perf_counter()
            found = match_lines(xa, xb)
            result["seconds"] = time.perf_counter() - start
            result["volume"] = found.edit_volume
            result["approximate"] = found.approximate
        else:
            if engine == "difflib":
                from difflib import SequenceMatcher
            else:
                from cydifflib import SequenceMatcher
            start = time.perf_counter()
            opcodes = SequenceMatcher(None, xa, xb, autojunk=False).get_opcodes()
            result["seconds"] = time.perf_counter() - start
            result["volume"] = _volume(opcodes)
            result["approximate"] = False
        return result
    import billdiff.diff as diff

    if engine == DIFFS[1]:  # the baseline: the matcher billdiff used before match_lines
        diff._cheap_for_sequence_matcher = lambda a, counts_b: True  # type: ignore[attr-defined]
    start = time.perf_counter()
    out = diff.diff_texts(a, b)
    result["seconds"] = time.perf_counter() - start
    result["volume"] = out.stats.words_inserted + out.stats.words_deleted
    result["approximate"] = out.approximate
    return result


# --------------------------------------------------------------------------- the driver


def run_worker(shape: str, engine: str, timeout: float) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", shape, engine]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              check=False, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"killed": True}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def measure(shapes: list[str], engines: tuple[str, ...], reps: int,
            timeout: float) -> dict[tuple[str, str], dict[str, Any]]:
    samples: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for rep in range(reps):
        for shape in shapes:
            for engine in engines:
                runs = samples.setdefault((shape, engine), [])
                if any("killed" in r or "error" in r for r in runs):
                    continue  # once killed (or broken), not again
                result = run_worker(shape, engine, timeout)
                runs.append(result)
                shown = ("killed" if "killed" in result else result.get("error")
                         or f"{result['seconds'] * 1000:.1f} ms")
                print(f"rep {rep + 1} {shape:22} {engine:44} {shown}", flush=True)
    summary: dict[tuple[str, str], dict[str, Any]] = {}
    for key, runs in samples.items():
        done = [r for r in runs if "seconds" in r]
        if not done:
            summary[key] = runs[0]
            continue
        summary[key] = {**done[0], "seconds": statistics.median(r["seconds"] for r in done),
                        "runs": len(done)}
    return summary


def cell(result: dict[str, Any], timeout: float) -> str:
    if "killed" in result:
        return f"> {timeout:g} s (killed)"
    if "error" in result:
        return f"error: {result['error']}"
    seconds = result["seconds"]
    time_text = f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"
    flag = ", **approximate**" if result.get("approximate") else ""
    return f"{time_text} (vol {result['volume']:,}{flag})"


def write_report(shapes: list[str], matcher: dict[tuple[str, str], dict[str, Any]],
                 diffs: dict[tuple[str, str], dict[str, Any]], args: argparse.Namespace,
                 elapsed: float) -> None:
    from cydifflib import __version__ as cy_version  # type: ignore[attr-defined]

    lines = [
        "# Adversarial inputs for the paragraph matcher",
        "",
        "Generated by `benchmarks/adversarial.py` (run on demand: "
        f"`.venv/bin/python benchmarks/adversarial.py --reps {args.reps} "
        f"--timeout {args.timeout:g}`); do not edit by hand.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, cydifflib {cy_version}; "
        f"{time.strftime('%Y-%m-%d')}; the whole run took {elapsed / 60:.1f} min.",
        "Every figure is the median of up to "
        f"{args.reps} runs, each in a fresh process, interleaved with the other engines in "
        f"the same run; a run past {args.timeout:g} s is killed and not repeated.",
        "`vol` is the edit volume: lines (words for the diff_texts columns and the word-level "
        "shape) deleted plus inserted; lower is tighter.  **approximate** marks a result that "
        "says it was not searched all the way (a true diff, but flagged).",
        "",
        "The bar (issue 11, item 1): each shape under 1 s, exact or flagged.",
        "",
        "## The shapes",
        "",
        "| shape | what |",
        "|---|---|",
        *[f"| {s} | {SHAPES[s][0]} |" for s in shapes],
        "",
        "## The matcher alone (the lines of the two texts)",
        "",
        "| shape | " + " | ".join(MATCHERS) + " |",
        "|---|" + "---|" * len(MATCHERS),
        *[f"| {s} | " + " | ".join(cell(matcher[(s, e)], args.timeout) for e in MATCHERS) + " |"
          for s in shapes if (s, MATCHERS[0]) in matcher],
        "",
        "## The whole word-level diff (`billdiff.diff.diff_texts`)",
        "",
        "`diff_texts` is diff.py as it is (``SequenceMatcher`` where items repeat little, "
        "`match_lines` elsewhere); the baseline gives every level to `SequenceMatcher` "
        "(cydifflib), as billdiff did before issue 11 (in the benchmark's worker process "
        "only).",
        "",
        "| shape | " + " | ".join(DIFFS) + " |",
        "|---|" + "---|" * len(DIFFS),
        *[f"| {s} | " + " | ".join(cell(diffs[(s, e)], args.timeout) for e in DIFFS) + " |"
          for s in shapes if (s, DIFFS[0]) in diffs],
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {OUT}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--only", action="append", help="run only these shapes")
    parser.add_argument("--no-write", action="store_true", help="print, do not write the doc")
    parser.add_argument("--worker", nargs=2, metavar=("SHAPE", "ENGINE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return
    shapes = [s for s in SHAPES if (not args.only or s in args.only)
              and (s not in NEEDS_CORPUS or BENCH.exists())]
    skipped = [s for s in SHAPES if s in NEEDS_CORPUS and not BENCH.exists()]
    if skipped:
        print(f"skipped (no {BENCH}): {', '.join(skipped)}")
    start = time.perf_counter()
    matcher = measure(shapes, MATCHERS, args.reps, args.timeout)
    diffs = measure(shapes, DIFFS, args.reps, args.timeout)
    if not args.no_write:
        write_report(shapes, matcher, diffs, args, time.perf_counter() - start)


if __name__ == "__main__":
    main()
