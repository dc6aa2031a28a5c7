# Every command makes its own virtual environment: `make run` and `make test` work on a fresh machine that has
# only Python and pip. Installs come from the committed lock (uv.lock), so a fresh clone gets exactly what CI
# tested; `make lock-upgrade` moves the lock to the newest releases that pyproject.toml allows.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
# uv, at a pinned version, in a small venv of its own (bootstrapped with pip), so that no machine needs it first.
UV_VERSION := 0.13.10
UV_HOME ?= .uv
UV := $(UV_HOME)/bin/uv
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: run sandbox test lint typecheck pytest snapshot-update setup system-deps clean bench bench-wire bench-health \
	i18n-extract i18n-update i18n-compile lock lock-upgrade resolutions

run: setup
	$(BIN)/asc-tui

# The whole flow offline: the built-in Amazon emulator, demo credentials, a separate database.
sandbox: setup
	$(BIN)/asc-tui --sandbox

setup: $(VENV)/.installed

$(UV_HOME)/.installed:
	$(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/pip install --quiet uv==$(UV_VERSION)
	touch $@

# --locked: a lock that no longer matches pyproject.toml is an error, never silently re-resolved.
$(VENV)/.installed: pyproject.toml uv.lock $(UV_HOME)/.installed
	$(UV) sync --quiet --locked --extra dev --python $(PYTHON)
	touch $@

# After changing dependencies in pyproject.toml: resolve them into uv.lock (commit both together).
lock: $(UV_HOME)/.installed
	$(UV) lock

# Every locked package to the newest release pyproject.toml allows (commit uv.lock after `make test`).
lock-upgrade: $(UV_HOME)/.installed
	$(UV) lock --upgrade

# The two ends pyproject.toml promises to people who install without the lock (pipx, uv tool, distributions):
# the fast tests (scripts/check_resolutions.py) in fresh venvs at the newest releases it allows and at its floors (uv's lowest-direct).
resolutions: $(UV_HOME)/.installed
	$(PYTHON) scripts/check_resolutions.py --uv $(UV) --python $(PYTHON)

test: setup system-deps lint typecheck pytest resolutions

# Debian's chromium for the end-to-end consent tests (a real browser through the sandbox's pages).
system-deps:
	bash scripts/system-deps.sh

lint: setup
	$(BIN)/ruff format --check asc_tui tests benchmarks
	$(BIN)/ruff check asc_tui tests benchmarks
	$(BIN)/lint-imports

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

# The home's figures with store health for every store (issue 21), to set beside `make bench`'s.
bench-health: setup
	$(PY) -m benchmarks.run --sizes 0,10000 --repeat 3 --with-health

# Only the bytes on the wire (issue 20): 10,000 stores at 80×24 and 160×48 against a bare Textual app.
bench-wire: setup
	$(PY) -m benchmarks.wire

snapshot-update: setup
	$(BIN)/pytest tests/ui/test_snapshots.py tests/ui/test_snapshots_zh.py --snapshot-update

# Translations (Babel): extract the marked strings into the template, merge it into each language's
# catalog (new strings arrive untranslated; tests/vocabulary/test_i18n.py fails until they are translated), and
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
	rm -rf $(VENV) $(UV_HOME) .venv-newest .venv-lowest dist build .pytest_cache .mypy_cache .ruff_cache
