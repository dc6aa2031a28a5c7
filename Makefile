# Every command makes its own virtual environment: `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: run sandbox test lint typecheck pytest snapshot-update setup clean

run: setup
	$(BIN)/asc-tui

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

test: setup lint typecheck pytest

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

snapshot-update: setup
	$(BIN)/pytest tests/ui/test_snapshots.py --snapshot-update

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache
