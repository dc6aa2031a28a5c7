"""Every test gets its own home folder (config + data) and a fixed time zone, so nothing leaks between them."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.fake_magento import FakeMagento

# A real PostgreSQL server for the tests that run on both backends (the `backend` and `pg_url` fixtures);
# and, when the run ends, the search of everything it wrote for the secrets the Amazon emulator issued.
pytest_plugins = ["tests.support.leak_scan", "tests.support.pg"]

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
    # The sandbox's fixed ports are for an admin's ssh -L; tests run side by side, so each sandbox takes any
    # free port (tests of the fixed ports set their own).
    monkeypatch.setenv("ASC_TUI_SANDBOX_EMULATOR_PORT", "0")
    monkeypatch.setenv("ASC_TUI_SANDBOX_CALLBACK_PORT", "0")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield home
    time.tzset()
    # A test that switched the language (the app's settings do) leaves the next one in English.
    from asc_tui.i18n import choose_language

    choose_language("en", None, {})


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A loopback port that refuses connections for the whole test (bound, never listening: no other
    program can take it meanwhile, as it could a port found free and closed again)."""
    from tests.support.ports import refusing_port

    with refusing_port() as port:
        yield port


@pytest.fixture
def registry(isolated_home: Path, backend: str):  # type: ignore[no-untyped-def]
    """The store registry, once on SQLite and once on PostgreSQL (see tests/support/pg.py)."""
    from asc_tui.services.registry import open_registry

    reg = open_registry()
    yield reg
    reg.close()


# Names that never resolve (RFC 2606 / 6761): answered here, as a resolver that knows the rule would, instead of
# asking a DNS server. A test of an unknown host stays the same on a machine without a network (where the
# question may hang until it times out) and sends no query anywhere.
_NEVER_RESOLVED = (".invalid", ".test", ".example")
_real_getaddrinfo = socket.getaddrinfo


def _getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    name = host.decode() if isinstance(host, bytes) else host
    if isinstance(name, str) and name.rstrip(".").lower().endswith(_NEVER_RESOLVED):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return _real_getaddrinfo(host, *args, **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    socket.getaddrinfo = _getaddrinfo


@pytest.fixture
def shop(request: pytest.FixtureRequest) -> Iterator[FakeMagento]:
    """A fake Magento 2.4 shop on loopback; a test module sets SHOP_ATTRIBUTES for its number of product
    attributes (40 when it does not)."""
    from tests.support.fake_magento import FakeMagento

    with FakeMagento(attribute_count=getattr(request.module, "SHOP_ATTRIBUTES", 40)) as fake:
        yield fake
