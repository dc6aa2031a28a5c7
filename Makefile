# Every command makes its own virtual environment: `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: run sandbox test lint typecheck pytest snapshot-update setup system-deps clean bench

run: setup
	$(BIN)/asc-tui

# The whole flow offline: the built-in Amazon emulator, demo credentials, a separate database.
sandbox: setup
	$(BIN)/asc-tui --sandbox

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

test: setup system-deps lint typecheck pytest

# Debian's chromium for the end-to-end consent tests (a real browser through the sandbox's pages).
system-deps:
	bash scripts/system-deps.sh

lint: setup
	$(BIN)/ruff format --check asc_tui tests benchmarks
	$(BIN)/ruff check asc_tui tests benchmarks

typecheck: setup
	$(BIN)/mypy

# Snapshots run in their own (serial) pass: under pytest-xdist the empty-home snapshot was sometimes taken
# before the first paint.
pytest: setup
	$(BIN)/pytest -n 2 --dist loadfile --ignore=tests/ui/test_snapshots.py
	$(BIN)/pytest tests/ui/test_snapshots.py

# Issue 6's speed figures against a bare Textual app, on its own registries of 0 to 10,000 stores (a few
# minutes; needs tmux). `$(PY) -m benchmarks.run --help` lists the options.
bench: setup
	$(PY) -m benchmarks.run

snapshot-update: setup
	$(BIN)/pytest tests/ui/test_snapshots.py --snapshot-update

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache
