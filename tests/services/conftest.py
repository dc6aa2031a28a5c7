"""A sandbox registry (real emulator on loopback, real database, real keyring backend) per test, for the
connect service tests.

They run twice: on the sandbox's SQLite file and on a PostgreSQL database (tests/support/pg.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from asc_tui.sandbox import SandboxEmulator
from asc_tui.services.connect import ConnectService
from asc_tui.services.registry import Registry, open_registry


@pytest.fixture
def sandbox(isolated_home: Path, backend: str) -> Iterator[Registry]:
    registry = open_registry(sandbox=True)
    yield registry
    registry.close()


@pytest.fixture
def service(sandbox: Registry) -> ConnectService:
    return sandbox.connect


@pytest.fixture
def emulator(sandbox: Registry, service: ConnectService) -> SandboxEmulator:
    assert sandbox.emulator is not None
    return sandbox.emulator
