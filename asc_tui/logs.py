"""Warnings and errors from the app (and its HTTP servers) go to a log file, never onto the terminal.

Without this, Python's last-resort handler would print a traceback under the TUI or the CLI's one-line
messages. Messages are written to `asc-tui.log` in the data folder; secrets are kept out of them at the
source (adapters redact what they raise, and the HTTP servers keep no access log).
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler

from asc_tui import paths

LOG_FILE = "asc-tui.log"


def send_logs_to_file() -> None:
    handler: logging.Handler
    try:
        folder = paths.data_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = RotatingFileHandler(folder / LOG_FILE, maxBytes=1_000_000, backupCount=2, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    except OSError:
        handler = logging.NullHandler()
    handler.setLevel(logging.WARNING)
    for name in ("asc_tui", "uvicorn", "uvicorn.error", "httpx"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.propagate = False
