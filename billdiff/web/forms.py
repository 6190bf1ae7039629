"""Reading a URL-encoded form body at C speed.

Werkzeug reads an ``application/x-www-form-urlencoded`` body with the standard library's
``urllib.parse.parse_qsl``, whose percent-decoding is a Python loop over every ``%``: an
843 KB draft of one-word lines (210,000 ``%0A``) took 55-75 ms to read, CPU time under the
interpreter lock that the process's other threads (the site's pages) waited for, before any
limit could look at the draft (issue 11, item 3: the home page's p99 while such drafts were
posted).  Browsers send the draft form as ``multipart/form-data``, which Werkzeug reads in
about 2 ms; any client may send the same fields URL-encoded, so both must be cheap.

:func:`parse_qsl` gives exactly what ``urllib.parse.parse_qsl(body, keep_blank_values=True,
errors="werkzeug.url_quote")`` gives (a property test holds it to that, over every string),
with the decoding done by C functions: an invalid escape (``%`` not followed by two hex
digits, which ``unquote`` leaves as it is) is first written ``%25``, any ``=`` as ``=3D``;
then every ``%`` is made ``=``, and ``binascii.a2b_qp`` decodes the quoted-printable escapes
``=XY`` so made.  Then the bytes are read as UTF-8, with Werkzeug's handler
for bytes that are not (they are quoted again, ``%C3``).  Decoding the bytes of a whole value
at once, where ``unquote`` decodes each run of ASCII separately, gives the same text: a
character sent as itself is a whole UTF-8 sequence, which begins with no continuation byte and
so can neither complete nor be completed by an escaped byte beside it.

A multipart body goes to Werkzeug's own parser, unchanged.
"""

from __future__ import annotations

import binascii
import re
from typing import IO, Any

import werkzeug.urls  # noqa: F401  (registers the "werkzeug.url_quote" error handler)
from flask import Request as FlaskRequest
from werkzeug.formparser import FormDataParser

#: What Werkzeug reads the bytes of a value with: a byte that is not UTF-8 is quoted again.
ERRORS = "werkzeug.url_quote"
_INVALID_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def unquote_plus(value: str) -> str:
    """``urllib.parse.unquote(value.replace("+", " "), errors=ERRORS)``, at C speed."""
    value = value.replace("+", " ")
    if "%" not in value:
        return value
    data = value.encode("utf-8").replace(b"=", b"=3D")
    if _INVALID_ESCAPE.search(data):  # rare: a search costs a tenth of a substitution
        data = _INVALID_ESCAPE.sub(b"%25", data)
    return binascii.a2b_qp(data.replace(b"%", b"=")).decode("utf-8", ERRORS)


def parse_qsl(body: str) -> list[tuple[str, str]]:
    """The fields of a URL-encoded *body*, in order, blank values kept: what Werkzeug's
    ``urllib.parse.parse_qsl(body, keep_blank_values=True, errors=ERRORS)`` gives."""
    items = []
    for field in body.split("&") if body else ():
        if not field:
            continue
        name, _, value = field.partition("=")
        items.append((unquote_plus(name), unquote_plus(value)))
    return items


class FormParser(FormDataParser):
    """Werkzeug's form parser with :func:`parse_qsl` for URL-encoded bodies."""

    def parse(self, stream: IO[bytes], mimetype: str, content_length: int | None,
              options: dict[str, str] | None = None) -> Any:
        if mimetype != "application/x-www-form-urlencoded":
            return super().parse(stream, mimetype, content_length, options)
        # As Werkzeug: the stream is already limited to the request's size limit, and a body
        # that is not UTF-8 (a ValueError) reads as no fields unless the parser is strict.
        try:
            items = parse_qsl(stream.read().decode())
        except ValueError:
            if not self.silent:
                raise
            return stream, self.cls(), self.cls()
        return stream, self.cls(items), self.cls()


class Request(FlaskRequest):
    """The app's request: Flask's, with :class:`FormParser`."""

    form_data_parser_class = FormParser


__all__ = ["FormParser", "Request", "parse_qsl", "unquote_plus"]
