"""billdiff.normalize: formatting that is not a change, and characters that must be shown."""

from __future__ import annotations

import pytest

from billdiff.diff import diff_texts
from billdiff.normalize import NormalizeOptions, has_bidi_controls, normalize

QUOTES = NormalizeOptions(quotes=True)


@pytest.mark.parametrize(("a", "b", "options"), [
    ("a court\u00a0order", "a court order", NormalizeOptions()),        # NBSP
    ("a court\u202forder", "a court order", NormalizeOptions()),        # narrow NBSP
    ("war\u200brant", "warrant", NormalizeOptions()),                   # zero-width space
    ("war\u00adrant", "warrant", NormalizeOptions()),                   # soft hyphen
    ("\ufeffSection 220", "Section 220", NormalizeOptions()),           # BOM
    ("line one\r\nline two\r", "line one\nline two\n", NormalizeOptions()),  # CRLF / CR
    ("cafe\u0301", "caf\u00e9", NormalizeOptions()),                    # NFD vs NFC
    ("“Facial recognition”", '"Facial recognition"', QUOTES),           # curly quotes
    ("individual’s face", "individual's face", QUOTES),                 # curly apostrophe
])
def test_formatting_only_differences_are_not_changes(a, b, options):
    assert normalize(a, options) == normalize(b, options)
    assert not diff_texts(normalize(a, options), normalize(b, options)).changed


def test_curly_quotes_count_unless_asked():
    assert normalize("“x”") != normalize('"x"')


@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                                  "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"])
def test_bidi_controls_are_made_visible(char):
    text = f"pay {char}0001$ now"
    assert has_bidi_controls(text)
    out = normalize(text)
    assert char not in out
    assert f"⟦U+{ord(char):04X}⟧" in out


def test_normalize_is_idempotent():
    text = "“a”\u00a0b\u200b\r\n\u202e"
    once = normalize(text, QUOTES)
    assert normalize(once, QUOTES) == once
