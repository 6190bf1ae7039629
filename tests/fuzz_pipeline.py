"""The fuzzing harness of RELIABILITY.md §G item 17: ``bytes -> decode -> normalize -> diff ->
render HTML``, checked against §G item 4's invariants on every input.

:func:`check_pipeline` is the harness.  Two drivers use it:

- tests/test_fuzz.py, under Hypothesis, in CI (60 s by default; ``BILLDIFF_FUZZ_SECONDS``
  changes it): ``BILLDIFF_FUZZ_SECONDS=600 .venv/bin/python -m pytest -p no:cacheprovider
  tests/test_fuzz.py -k pipeline`` is the 10-minute run;
- this file run as a script: with atheris installed (coverage-guided, libFuzzer), e.g.
  ``python tests/fuzz_pipeline.py -max_total_time=600 -rss_limit_mb=4096``; without it, the
  same Hypothesis loop, ``python tests/fuzz_pipeline.py --seconds 600``.

What every input must give, whatever its bytes (a failure is an exception other than the
decoder's refusal):

1. the decoder (strict UTF-8 with an optional BOM, as the draft upload; undecodable bytes
   are decoded with U+FFFD in their place, so the rest of the pipeline still runs);
2. the diff's runs rebuild both normalised texts (equal + delete = old, equal + insert = new),
   at word and at character granularity;
3. the rendered redline (both sides inline, and each side alone) has no tag but ``ins``,
   ``del`` and ``span`` with a known ``class`` (and ``title``), no ``style`` attribute, no
   raw bidi control (each is a visible marker), balanced tags; and, read back as a browser
   would (tags dropped, entities decoded, the visually hidden words left out), it gives the
   old text (without what was inserted) and the new text (without what was deleted).
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from typing import Any

#: Span classes of the redline partial, and whose text each holds.
SPANS = {"vh": "neither", "typo typo--old": "old", "typo typo--new": "new",
         "gap gap--old": "old", "gap gap--new": "new", "gap gap--lacks": "neither"}
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
#: Byte strings the drivers mix into their inputs: markup, entities, quotes, typography,
#: whitespace of every kind, zero-width and bidi controls, BOMs, invalid UTF-8, long words.
HOSTILE = [s.encode("utf-8") for s in (
    "<", ">", "&", '"', "'", "=", "/", "<script>", "</del>", "<ins>", "&amp;", "&#60;",
    "style=", " ", "\n", "\r\n", "\r", "\t", "\u00a0", "\u200b", "\u00ad", "\ufeff", "\u202e",
    "\u2066", "\u200f", "\u2028", "\x85", "“", "”", "‘", "’", "–", "—", "§", "(a)", "(1)",
    "Section 220. ", "[Reserved]\n", "the ", "shall ", "warrant ", "e\u0301", "é", "\x00",
    "a" * 300, "\U0001f600")] + [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf"]

_loaded: dict[str, Any] = {}


def _load() -> dict[str, Any]:
    """Import billdiff's pipeline on first use (atheris instruments these imports)."""
    if not _loaded:
        from billdiff.analysis import mark_runs
        from billdiff.diff import diff_texts
        from billdiff.normalize import NormalizeOptions, mark_bidi, normalize
        from billdiff.render import environment

        redline = environment().get_template("_redline.html").module.redline
        _loaded.update(mark_runs=mark_runs, diff_texts=diff_texts, normalize=normalize,
                       options=NormalizeOptions, mark_bidi=mark_bidi, redline=redline)
    return _loaded


class ReadBack(HTMLParser):
    """A redline read back as a browser shows it: the old and the new text, and every tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.old: list[str] = []
        self.new: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.stack.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise AssertionError(f"self-closing <{tag}/> in a redline")

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"unbalanced </{tag}>"
        assert self.stack[-1][0] == tag, f"unbalanced </{tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        sides = {SPANS.get(str(attrs.get("class")), "?") for t, attrs in self.stack
                 if t == "span"}
        names = [t for t, _ in self.stack]
        if "neither" in sides:
            return
        if "ins" not in names and "new" not in sides:
            self.old.append(data)
        if "del" not in names and "old" not in sides:
            self.new.append(data)


def check_markup(markup: str, old: str | None, new: str | None) -> None:
    """§G item 4 on one rendered redline (*old* / *new*: the texts it must give back, None for
    a side it does not show)."""
    assert not any(c in markup for c in BIDI), "a raw bidi control reached the HTML"
    reader = ReadBack()
    reader.feed(markup)
    reader.close()
    assert not reader.stack, f"unclosed <{reader.stack[-1][0]}>"
    for tag, attrs in reader.tags:
        assert tag in ("ins", "del", "span"), f"<{tag}> in a redline"
        if tag == "span":
            assert attrs.get("class") in SPANS, attrs
            assert set(attrs) <= {"class", "title"}, attrs  # never a style attribute
        else:
            assert attrs == {}, attrs
    if old is not None:
        assert "".join(reader.old) == old
    if new is not None:
        assert "".join(reader.new) == new


def split_input(data: bytes) -> tuple[bytes, bytes, int]:
    """The two texts of one input, and a byte of options (granularity, quotes)."""
    if not data:
        return b"", b"", 0
    flags = data[0]
    rest = data[1:]
    cut = rest.find(b"\x1e")  # a record separator, if the input has one; else the middle
    if cut < 0:
        cut = len(rest) // 2
        return rest[:cut], rest[cut:], flags
    return rest[:cut], rest[cut + 1:], flags


def decode(raw: bytes) -> str:
    """The upload's decoder (strict UTF-8, optional BOM); U+FFFD where that refuses."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


def check_pipeline(data: bytes) -> None:
    """Run one input through decode, normalize, diff and render, checking every invariant."""
    p = _load()
    raw_a, raw_b, flags = split_input(data)
    options = p["options"](quotes=bool(flags & 1))
    a = p["normalize"](decode(raw_a), options)
    b = p["normalize"](decode(raw_b), options)
    granularity = "char" if flags & 2 else "word"
    result = p["diff_texts"](a, b, granularity)
    ops = result.ops
    assert "".join(o.text for o in ops if o.op != "insert") == a
    assert "".join(o.text for o in ops if o.op != "delete") == b
    assert all(o.text for o in ops), "an empty run"
    assert result.changed == (a != b)  # a change is shown exactly when the texts differ
    if a == b:
        assert len(ops) <= 1
    runs = p["mark_runs"](ops)
    shown_a, shown_b = p["mark_bidi"](a), p["mark_bidi"](b)
    hide = bool(flags & 4)
    check_markup(str(p["redline"](runs, "both", hide)), shown_a if not hide else None,
                 shown_b)
    check_markup(str(p["redline"](runs, "a", hide)), shown_a, None)
    check_markup(str(p["redline"](runs, "b", hide)), None, shown_b)


# -- drivers ---------------------------------------------------------------------------------


def hypothesis_inputs() -> Any:
    """Hypothesis strategy of inputs: hostile pieces, random bytes and random text."""
    from hypothesis import strategies as st

    piece = st.one_of(st.sampled_from(HOSTILE), st.binary(max_size=12),
                      st.text(max_size=12).map(lambda s: s.encode("utf-8", "surrogatepass")),
                      st.just(b"\x1e"))
    return st.builds(lambda flags, parts: bytes([flags]) + b"".join(parts),
                     st.integers(0, 7), st.lists(piece, max_size=60))


def run_hypothesis(seconds: float, examples_per_round: int = 200) -> int:
    """Fuzz with Hypothesis for *seconds* (rounds of fresh random examples; a failure is
    shrunk and raised).  Returns the number of examples tried."""
    import time

    from hypothesis import HealthCheck, given, settings

    tried = [0]

    @settings(max_examples=examples_per_round, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(hypothesis_inputs())
    def one(data: bytes) -> None:
        tried[0] += 1
        check_pipeline(data)

    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        one()
    return tried[0]


def main(argv: list[str]) -> None:
    """``--seconds N``: the Hypothesis driver; otherwise atheris with libFuzzer's options."""
    if "--seconds" in argv:
        seconds = float(argv[argv.index("--seconds") + 1])
        print(f"hypothesis: {run_hypothesis(seconds):,} inputs, no failure")  # noqa: T201
        return
    try:
        import atheris
    except ImportError:
        raise SystemExit("atheris is not installed: pip install atheris==3.0.0, or run "
                         "with --seconds N for the Hypothesis driver") from None
    with atheris.instrument_imports():
        _load()

    def one(data: bytes) -> None:
        check_pipeline(data)

    atheris.Setup(argv, one)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
