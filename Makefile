# Every command makes its own virtual environment: `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: run sandbox test lint typecheck pytest snapshot-update setup system-deps clean bench \
	i18n-extract i18n-update i18n-compile

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
	$(BIN)/pytest -n 2 --dist loadfile --ignore=tests/ui/test_snapshots.py --ignore=tests/ui/test_snapshots_zh.py
	$(BIN)/pytest tests/ui/test_snapshots.py tests/ui/test_snapshots_zh.py

# Issue 6's speed figures against a bare Textual app, on its own registries of 0 to 10,000 stores (a few
# minutes; needs tmux). `$(PY) -m benchmarks.run --help` lists the options.
bench: setup
	$(PY) -m benchmarks.run

snapshot-update: setup
	$(BIN)/pytest tests/ui/test_snapshots.py tests/ui/test_snapshots_zh.py --snapshot-update

# Translations (Babel): extract the marked strings into the template, merge it into each language's
# catalog (new strings arrive untranslated; tests/unit/test_i18n.py fails until they are translated), and
# compile the catalogs the app loads. The compiled .mo files are committed, so the wheel ships them.
LOCALES := asc_tui/locale
i18n-extract: setup
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --project asc-tui --no-wrap \
		--copyright-holder "asc-tui developers" --omit-header -o $(LOCALES)/asc_tui.pot .

i18n-update: i18n-extract
	$(BIN)/pybabel update -i $(LOCALES)/asc_tui.pot -d $(LOCALES) -D asc_tui --no-wrap \
		--ignore-obsolete --no-fuzzy-matching

i18n-compile: setup
	$(BIN)/pybabel compile -d $(LOCALES) -D asc_tui --statistics

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache
