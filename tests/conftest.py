"""Every test gets its own home folder (config + data) and a fixed time zone, so nothing leaks between them."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# A real PostgreSQL server for the tests that run on both backends (the `backend` and `pg_url` fixtures);
# and, when the run ends, the search of everything it wrote for the secrets the Amazon emulator issued.
pytest_plugins = ["tests.pg", "tests.leak_scan"]

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("ASC_TUI_HOME", str(home))
    for name in (
        "ASC_TUI_DATABASE",
        "ASC_TUI_CONFIG",
        "ASC_TUI_LWA_CLIENT_SECRET",
        "ASC_TUI_KEYRING_PASSPHRASE",
        "PYTHON_KEYRING_BACKEND",
        "BROWSER",
        # Where the session runs (over SSH, inside tmux) changes what the connect steps and the copy say.
        "SSH_CONNECTION",
        "SSH_TTY",
        "TMUX",
        "ASC_TUI_SANDBOX_EMULATOR_PORT",
        "ASC_TUI_SANDBOX_CALLBACK_PORT",
        # English unless a test asks for another language: the locale of the machine running the tests
        # must not change what the app says.
        "LANGUAGE",
        "LC_ALL",
        "LC_MESSAGES",
        "LANG",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield home
    time.tzset()
    # A test that switched the language (the app's settings do) leaves the next one in English.
    from asc_tui.i18n import choose_language

    choose_language("en", None, {})


@pytest.fixture
def registry(isolated_home: Path, backend: str):  # type: ignore[no-untyped-def]
    """The store registry, once on SQLite and once on PostgreSQL (see tests/pg.py)."""
    from asc_tui.services.registry import open_registry

    reg = open_registry()
    yield reg
    reg.close()


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
