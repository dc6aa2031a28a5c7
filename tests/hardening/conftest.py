"""Shared by the hardening tests: the app's own log file, and a sandbox registry on its SQLite file."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from asc_tui.services.registry import Registry, open_registry
from asc_tui.system import paths
from asc_tui.system.logs import LOG_FILE, LOGGERS, send_logs_to_file


@pytest.fixture
def log_file() -> Iterator[Path]:
    """The app's log file, set up as the app sets it up; the loggers are put back afterwards."""
    saved = {
        name: (logging.getLogger(name).handlers[:], logging.getLogger(name).propagate) for name in LOGGERS
    }
    send_logs_to_file()
    try:
        yield paths.data_dir() / LOG_FILE
    finally:
        for name, (handlers, propagate) in saved.items():
            logger = logging.getLogger(name)
            for handler in logger.handlers:
                if handler not in handlers:
                    handler.close()
            logger.handlers = handlers
            logger.propagate = propagate


@pytest.fixture
def sandbox(isolated_home: Path) -> Iterator[Registry]:
    """The sandbox's registry (its emulator, SQLite file and keyring backend), closed afterwards."""
    registry = open_registry(sandbox=True)
    yield registry
    registry.close()
