"""Inputs that could get round a bound (issue 11, items 10 and 12): ``show --lines`` on a
range far past the document, a hostile ``lines.end``, ``--format auto`` on a FIFO, and text
with YAML's other line breaks through ``dump_document``."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billdiff.cli import cli
from billdiff.errors import BilldiffError
from billdiff.importers import dump_document
from billdiff.importers.ma_bill import format_lines, import_ma_bill
from billdiff.load import read_yaml
from billdiff.model import Document, iter_sections

MA = Path(__file__).parent / "fixtures" / "ma"
BILLS = ["ma-194-s1053", "ma-193-h4359", "ma-192-s3084", "synthetic-bill"]
MIB = 1024 * 1024


def _bill(name: str) -> Document:
    return import_ma_bill(MA / f"{name}.txt", name, source_url=f"https://example.org/{name}")


def _span(doc: Document) -> tuple[int, int]:
    spans = [s.lines for s, _ in iter_sections(doc.sections) if s.lines is not None]
    return min(s.start for s in spans), max(s.end for s in spans)


def _peak(func, *args) -> tuple[object, int]:
    """``func(*args)`` and the most memory (bytes, Python allocations) it held at once."""
    tracemalloc.start()
    try:
        result = func(*args)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# -- show --lines (issue 11, item 12) ---------------------------------------------------------


@pytest.mark.parametrize("name", BILLS)
def test_a_range_far_past_a_real_bill_prints_its_lines_and_one_note(name):
    doc = _bill(name)
    low, high = _span(doc)
    exact = format_lines(doc, low, high)
    # 1-9999999 built every number of the range: 510 MB and seconds on a six-line bill
    shown, peak = _peak(format_lines, doc, 1, 9_999_999)
    assert peak < 4 * MIB, f"{peak:,} bytes"
    assert low == 1
    assert shown == exact + (f"\n(lines {high + 1}-9999999 are not in {name}, which has "
                             f"printed lines {low}-{high})")


def test_show_lines_on_an_imported_bill_through_the_command_line(tmp_path):
    root = tmp_path / "corpus"
    (root / "documents").mkdir(parents=True)
    runner = CliRunner()
    made = runner.invoke(cli, ["import", str(MA / "ma-193-h4359.txt"), "--format", "ma-bill",
                               "--id", "h4359-filed", "--out",
                               str(root / "documents" / "h4359-filed.yaml")])
    assert made.exit_code == 0, made.output
    low, high = _span(_bill("ma-193-h4359"))

    def show(spec: str):
        return _peak(runner.invoke, cli, ["show", "h4359-filed", "--lines", spec,
                                          "--bills", str(root)])

    exact, baseline = show(f"{low}-{high}")  # the baseline: the document's own lines
    result, peak = show("1-9999999")
    assert result.exit_code == 0, result.output
    assert peak < baseline + MIB, f"{peak:,} bytes against {baseline:,} for the exact range"
    assert result.output.startswith(exact.output)
    lines = result.output.splitlines()
    assert lines[-1] == (f"(lines {high + 1}-9999999 are not in h4359-filed, which has "
                         f"printed lines {low}-{high})")
    assert len(lines) == high - low + 2


def _hostile(end: int, *, offsets: bool) -> Document:
    """A document whose file claims a section runs to printed line *end*."""
    text = "A rule of one printed line."
    span: dict[str, object] = {"start": 1, "end": 1, "offsets": [0]}
    long_span: dict[str, object] = {"start": 2, "end": end}
    if offsets:
        long_span["offsets"] = [0] * (end - 1)
    return Document.model_validate({
        "id": "hostile", "kind": "bill", "jurisdiction": "X", "number": "H.1", "title": "T",
        "provenance": {"completeness": "partial", "summary": "s",
                       "sources": [{"url": "https://example.org/x", "description": "d"}]},
        "sections": [
            {"id": "sec_1", "number": "1", "status": "excerpt", "text": text, "lines": span},
            {"id": "sec_2", "number": "2", "status": "excerpt", "text": "Second rule.",
             "lines": long_span},
        ]})


def test_a_hostile_lines_end_without_offsets_costs_nothing():
    # a file may say a section spans lines 2-999,999,999 (no offsets: no size to pay for it)
    doc = _hostile(999_999_999, offsets=False)
    shown, peak = _peak(format_lines, doc, 1, 9_999_999)
    assert peak < MIB, f"{peak:,} bytes"
    assert shown.splitlines() == [
        "1  A rule of one printed line.",
        "[lines 2-999999999] 2: this file records no positions for its printed lines, so the "
        "whole section follows",
        "Second rule.",
    ]
    # asked in the middle of that span: the section once, nothing per line
    assert format_lines(doc, 500_000_000, 500_000_002).splitlines()[1:] == ["Second rule."]


def test_lines_no_section_holds_are_shown_as_one_run():
    doc = _hostile(9, offsets=True)  # offsets all 0: the words are on line 9, none on 2-8
    assert format_lines(doc, 1, 12).splitlines() == [
        "1  A rule of one printed line.",
        "2-8  [no text recorded for these lines]",
        "9  Second rule.",
        "(lines 10-12 are not in hostile, which has printed lines 1-9)",
    ]
    assert format_lines(doc, 3, 3) == "3  [no text recorded for this line]"
    assert format_lines(doc, 9, 9) == "9  Second rule."
    with pytest.raises(BilldiffError, match="lines 10-12 are outside hostile, which has "
                                            "printed lines 1-9"):
        format_lines(doc, 10, 12)


# -- --format auto on what is not a regular file (issue 11, item 10) --------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_format_detection_refuses_a_fifo_and_never_waits_on_it(tmp_path):
    from billdiff.importers.pdf import detect_format

    fifo = tmp_path / "bill.txt"
    os.mkfifo(fifo)
    outcome: list[BaseException | str] = []

    def detect() -> None:
        try:
            outcome.append(detect_format(fifo))
        except BaseException as err:  # noqa: BLE001 - reported below
            outcome.append(err)

    thread = threading.Thread(target=detect, daemon=True)
    thread.start()
    thread.join(20)
    assert not thread.is_alive(), "detect_format is waiting for a writer on the FIFO"
    (err,) = outcome
    assert isinstance(err, BilldiffError)
    assert err.message == (f"{fifo}: not a regular file (a FIFO) (give the path of a regular "
                           "file)")
    # the command line, in its own process: exit 2 and the one line, never a hang
    done = subprocess.run([sys.executable, "-m", "billdiff", "import", str(fifo), "--format",
                           "auto", "--id", "x-1"], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 2
    assert done.stderr.strip().endswith(f"{fifo}: not a regular file (a FIFO) (give the path "
                                        "of a regular file)")
    assert not done.stdout


# -- dump_document keeps every character (issue 11, item 10 leftovers) ------------------------

_BASE = {
    "id": "round-trip", "kind": "bill", "jurisdiction": "X", "number": "H.1", "title": "T",
    "provenance": {"completeness": "partial", "summary": "s",
                   "sources": [{"url": "https://example.org/x", "description": "d"}]},
}
#: YAML's line breaks and other characters a dumper could fold, strip or mistake.
_AWKWARD = "\x85\u2028\u2029\r\n\t \ufeff\u200b\xa0\u202e'\"#:-|>&*!%@`{}[],?\\"


def _round_trip(doc: Document, tmp_path: Path) -> Document:
    path = tmp_path / f"{doc.id}.yaml"
    path.write_text(dump_document(doc), encoding="utf-8")
    data, _lines = read_yaml(path)
    return Document.model_validate(data)


def test_a_nel_in_section_text_survives_the_round_trip(tmp_path):
    doc = Document.model_validate({**_BASE, "sections": [
        {"id": "sec_1", "number": "1", "status": "excerpt", "heading": "Line\x85break",
         "text": "first\x85second\u2028third\u2029fourth\x85"}]})
    assert '"first\\Nsecond\\Lthird\\Pfourth\\N"' in dump_document(doc)
    assert _round_trip(doc, tmp_path) == doc


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(alphabet=st.one_of(st.sampled_from(_AWKWARD),
                                                 st.characters(codec="utf-8")),
                              min_size=1, max_size=300), min_size=1, max_size=3))
def test_any_section_text_round_trips_exactly(tmp_path, texts):
    sections = [{"id": f"sec_{k}", "number": str(k), "status": "excerpt", "text": text}
                for k, text in enumerate(texts, 1)]
    try:
        doc = Document.model_validate({**_BASE, "sections": sections})
    except ValueError:
        return  # text the schema refuses never reaches a file
    back = _round_trip(doc, tmp_path)
    assert [s.text for s in back.sections] == texts
    assert back == doc
