"""Warnings and errors from the app (and its HTTP servers) go to a log file, never onto the terminal.

Without this, Python's last-resort handler would print a traceback under the TUI or the CLI's one-line
messages. Messages are written to `asc-tui.log` in the data folder; secrets are kept out of them at the
source (adapters redact what they raise, and the HTTP servers keep no access log), and whatever still
reaches a record (message, traceback or stack) has its OAuth values, Authorization headers and LWA
tokens replaced by "[redacted]" on the way to the file.
"""

from __future__ import annotations

import logging
import re
from logging.handlers import RotatingFileHandler
from typing import Any

from asc_tui import paths

LOG_FILE = "asc-tui.log"
_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


REDACTED = "[redacted]"
_SECRET_PARAMS = "spapi_oauth_code|code|refresh_token|access_token|client_secret"
_REDACTIONS = (
    # A query string or form body: spapi_oauth_code=…, code=…, refresh_token=… (also percent-encoded).
    (re.compile(rf"(?<![A-Za-z0-9_])({_SECRET_PARAMS})(=|%3[dD])[^&\s\"'<>#;,]+"), rf"\1\2{REDACTED}"),
    # JSON or a Python dict: "refresh_token": "…" / 'code': '…'.
    (
        re.compile(rf"([\"'])({_SECRET_PARAMS})\1(\s*:\s*)([\"'])(?:\\.|(?!\4).)*\4"),
        rf"\1\2\1\3\4{REDACTED}\4",
    ),
    # Headers, as sent or as a dict: Authorization: Bearer …, x-amz-access-token: ….
    (
        re.compile(
            r"(?i)\b((?:proxy-)?authorization|x-amz-access-token)([\"']?\s*[:=]\s*[\"']?)"
            r"((?:bearer|basic|digest)\s+)?[^\s\"',;}]+"
        ),
        rf"\1\2\3{REDACTED}",
    ),
    # Login with Amazon's refresh and access tokens, wherever they appear.
    (re.compile(r"(Atz[ra])(\||%7[cC])[A-Za-z0-9_\-]+"), rf"\1\2{REDACTED}"),
)


def redact_secrets(text: str) -> str:
    """`text` with every OAuth code, token, client secret and Authorization value replaced by [redacted]."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


def escape_controls(text: str, *, keep_newlines: bool) -> str:
    """Control characters as Python writes them (\\x1b), so reading the log never drives the terminal."""
    escaped = _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)
    return escaped if keep_newlines else escaped.replace("\n", "\\n")


class EscapingFormatter(logging.Formatter):
    """One record, one line: text from users or remote servers cannot forge log lines or escape sequences.

    Secrets are redacted here too, in the message, the traceback and the stack alike (a logging.Filter
    would run before the traceback is written out, and miss what an exception's message quotes).
    """

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape_controls(redact_secrets(super().formatMessage(record)), keep_newlines=False)

    def formatException(self, ei: Any) -> str:
        return _indented(escape_controls(redact_secrets(super().formatException(ei)), keep_newlines=True))

    def formatStack(self, stack_info: str) -> str:
        return _indented(escape_controls(redact_secrets(super().formatStack(stack_info)), keep_newlines=True))


def _indented(text: str) -> str:
    """A traceback under its record, every line indented: a line at the margin always starts a record."""
    return "\n".join("    " + line for line in text.splitlines())


def send_logs_to_file() -> None:
    handler: logging.Handler
    try:
        folder = paths.data_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = RotatingFileHandler(folder / LOG_FILE, maxBytes=1_000_000, backupCount=2, encoding="utf-8")
        handler.setFormatter(EscapingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    except OSError:
        handler = logging.NullHandler()
    handler.setLevel(logging.WARNING)
    # A record that cannot be written (the disk filled up, the folder went read-only) is dropped: by
    # default logging would print "--- Logging error ---" and a traceback over the TUI or the CLI's line.
    logging.raiseExceptions = False
    for name in ("asc_tui", "uvicorn", "uvicorn.error", "httpx"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.propagate = False
