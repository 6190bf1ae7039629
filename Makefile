# billdiff: two commands.  `make serve` runs the app on the bundled data (the development
# server); `make test` runs every test (mypy and ruff among them).  Both create the virtual
# environment (.venv) and install the project first.  `billdiff serve --production` is the
# production server (gunicorn); see the README.
PYTHON ?= python3
VENV   := .venv
PORT   ?= 5000
STAMP  := $(VENV)/.installed

.PHONY: serve test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/billdiff serve --host 127.0.0.1 --port $(PORT)

test: $(STAMP)
	$(VENV)/bin/python -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check billdiff tests benchmarks
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache tests/artifacts
