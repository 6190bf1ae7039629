"""``billdiff serve --production``: gunicorn, configured by :mod:`billdiff.gunicorn_conf`,
serving an app already made (and so already checked).

The command makes the app first, in this process, so that a setting or a corpus that cannot
work is one line and exit code 2 rather than a worker that fails to boot; gunicorn then forks
its workers from this process (as with ``preload_app``), sharing the app and its corpus.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from billdiff import gunicorn_conf


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints
    """Gunicorn's application for one made app, with billdiff's configuration file."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__(prog="billdiff serve --production")

    def load_config(self) -> None:
        for name, value in vars(gunicorn_conf).items():
            if name in self.cfg.settings and value is not None:
                self.cfg.set(name, value)
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        # The app's own log lines (a corpus reloaded, or kept after a bad edit; incidents) go
        # where gunicorn's go.
        errors = logging.getLogger("gunicorn.error")
        ours = logging.getLogger("billdiff")
        ours.handlers = list(errors.handlers)
        ours.setLevel(logging.INFO)
        ours.propagate = False
        return self.application


def run_gunicorn(app: Flask, *, host: str, port: int, workers: int | None = None) -> None:
    """Serve *app* with gunicorn on *host*:*port* until it is stopped (SIGTERM, Ctrl-C)."""
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options: dict[str, Any] = {"bind": [address]}
    if workers is not None:
        options["workers"] = workers
    _Gunicorn(app, options).run()


__all__ = ["run_gunicorn"]
