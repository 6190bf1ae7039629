"""The dev set of ../shared/corpora/dc-amendments: the counts never fall below what
docs/benchmarks-amend.md records (the benchmark, benchmarks/amend.py, writes that file)."""

from __future__ import annotations

import re
import sys

import pytest
from conftest import ROOT, shared_path

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

RECORD = ROOT / "docs" / "benchmarks-amend.md"


def recorded(which: str) -> dict[str, int]:
    text = RECORD.read_text(encoding="utf-8")
    m = re.search(rf"<!-- amend-recorded {which}: (.*?) -->", text)
    assert m, f"{RECORD} records no counts for {which}: run the benchmark with --markdown"
    return {k: int(v) for k, v in (pair.split("=") for pair in m.group(1).split())}


def test_dev_counts_stay_at_or_above_the_record() -> None:
    shared_path("corpora", "dc-amendments", "index.json")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import amend as bench
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    cases = bench.evaluate("dev")
    got = bench.summarize(cases)
    want = recorded("dev")
    assert got["cases"] == sum(want[k] for k in ("exact", "applied-but-different",
                                                  "not-applied"))
    assert got["exact"] >= want["exact"], bench.details(cases, ("applied-but-different",
                                                                 "not-applied"))
    # silent errors may not grow, explained or not
    assert got["applied-but-different"] <= want["applied-but-different"]
    unexplained = [c.id for c in cases if c.verdict == "applied-but-different"
                   and c.hint == "unexplained"]
    assert len(unexplained) <= want["unexplained"], unexplained
    # every instruction billdiff does not apply is classified (benchmarks/amend.py's
    # classify_flag): the unexplained ones may not grow either
    assert got["not-applied"] <= want["not-applied"]
    flagged = bench.na_unexplained(cases)
    assert len(flagged) <= want.get("not-applied-unexplained", 0), flagged


def test_the_split_is_stable() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import amend as bench
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    # fixed before any tuning: changing it would leak held-out cases into development
    assert [bench.split_of(f) for f in ("24-100", "24-164", "25-162", "24-286")] == [
        "dev", "dev", "held-out", "held-out"]
