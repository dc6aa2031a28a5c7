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

from asc_tui.system import paths

LOG_FILE = "asc-tui.log"
# The loggers whose records go to the file (the app's, and its HTTP servers' and client's).
LOGGERS = ("asc_tui", "uvicorn", "uvicorn.error", "httpx")
_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


REDACTED = "[redacted]"
# Longer names first, so that access_token_secret is not read as access_token.
_SECRET_NAMES = (
    "spapi_oauth_code|refresh_token|access_token_secret|access_token|client_secret|consumer_secret|"
    "oauth_token_secret|oauth_token|oauth_signature|bearer_token"
)
# `code` alone is also a word of prose ("exit code=2", "country code=US"): see the two code=… rules below.
_SECRET_PARAMS = f"{_SECRET_NAMES}|code"
# Where a parameter's name starts: after no letter, digit or _, or after a percent-encoded ? or & (a
# redirect URI nested in another URL: cb%3Fspapi_oauth_code%3D…%26x, or encoded twice: %253F, %2526).
_ENCODED_START = r"(?<=%3[fF])|(?<=%26)|(?<=%253[fF])|(?<=%2526)"
_NAME_START = rf"(?:(?<![A-Za-z0-9_])|{_ENCODED_START})"
# Where a query or form parameter starts: after ? or & (also encoded) or at the start of a line.
_PARAM_START = rf"(?:^|(?<=[?&])|{_ENCODED_START})"
# = itself or percent-encoded (once or twice); the value may be in double quotes (OAuth's name="value").
_EQUALS = r'(=|%(?:25)?3[dD])("?)'
# A value ends at &, ", whitespace and the like, and at an encoded & or # (%26, %23, %2526, %2523).
_VALUE = r"(?:[^%&\s\"'<>#;,]|%(?!26|23|2526|2523))+"
# Authorization schemes (IANA's registry): kept visible, as they say which credential it was.
_SCHEMES = (
    r"(?:basic|bearer|digest|hoba|mutual|negotiate|ntlm|oauth|scram-sha-1|scram-sha-256|vapid|"
    r"aws4-hmac-sha256)"
)
_HEADER = re.compile(
    rf"(?i)\b((?:proxy-)?authorization|x-amz-access-token)([\"']?[ \t]*[:=][ \t]*)"
    # in quotes (a repr'd or JSON dict): to the closing quote
    rf"(?:([\"'])({_SCHEMES}[ \t]+)?(?:\\.|(?!\3)[^\n])*\3?"
    # as sent: to the end of the line, whatever the scheme puts there (OAuth 1's several name="value")
    rf"|({_SCHEMES}[ \t]+)?[^\n]+)"
)


def _header_value(match: re.Match[str]) -> str:
    name, separator, quote, quoted_scheme, scheme = match.groups()
    if quote:
        return f"{name}{separator}{quote}{quoted_scheme or ''}{REDACTED}{quote}"
    return f"{name}{separator}{scheme or ''}{REDACTED}"


_REDACTIONS: tuple[tuple[re.Pattern[str], Any], ...] = (
    # A query string or form body: spapi_oauth_code=…, refresh_token=… (also percent-encoded).
    (
        re.compile(rf"{_NAME_START}({_SECRET_NAMES}){_EQUALS}{_VALUE}"),
        rf"\1\2\3{REDACTED}",
    ),
    # code=… as a query or form parameter (?code=…, &code=…, a line that starts with it).
    (re.compile(rf"(?m){_PARAM_START}(code){_EQUALS}{_VALUE}"), rf"\1\2\3{REDACTED}"),
    # code=… in prose is redacted only when it looks like an authorization code (Amazon's are 20
    # characters), so that "exit code=2" and "country code=US" stay readable.
    (re.compile(rf"(?<![A-Za-z0-9_])(code){_EQUALS}([A-Za-z0-9_\-.~+/|%]{{16,}})"), rf"\1\2\3{REDACTED}"),
    # JSON or a Python dict: "refresh_token": "…" / 'code': '…'.
    (
        re.compile(rf"([\"'])({_SECRET_PARAMS})\1(\s*:\s*)([\"'])(?:\\.|(?!\4).)*\4"),
        rf"\1\2\1\3\4{REDACTED}\4",
    ),
    # Headers, as sent or as a dict: Authorization: <scheme> …, x-amz-access-token: …, whatever follows.
    (_HEADER, _header_value),
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
        # The message alone first, where its start is the start of a line (a form body logged as it is:
        # code=…&state=…), then the whole line; the record itself is left as other handlers see it.
        redacted = logging.makeLogRecord({**record.__dict__, "message": redact_secrets(record.message)})
        return escape_controls(redact_secrets(super().formatMessage(redacted)), keep_newlines=False)

    def formatException(self, ei: Any) -> str:
        return _indented(escape_controls(redact_secrets(super().formatException(ei)), keep_newlines=True))

    def formatStack(self, stack_info: str) -> str:
        return _indented(escape_controls(redact_secrets(super().formatStack(stack_info)), keep_newlines=True))


def _indented(text: str) -> str:
    """A traceback under its record, every line indented: a line at the margin always starts a record."""
    return "\n".join("    " + line for line in text.splitlines())


class _PrivateRotatingFileHandler(RotatingFileHandler):
    """The log file (and each one rotation starts) created owner-only, not 0644 and chmodded later."""

    def _open(self) -> Any:
        from asc_tui.system.private_files import open_private

        return open_private(self.baseFilename, self.mode, encoding=self.encoding)


def send_logs_to_file() -> None:
    handler: logging.Handler
    try:
        folder = paths.data_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = _PrivateRotatingFileHandler(
            folder / LOG_FILE, maxBytes=1_000_000, backupCount=2, encoding="utf-8"
        )
        handler.setFormatter(EscapingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    except OSError:
        handler = logging.NullHandler()
    handler.setLevel(logging.WARNING)
    # A record that cannot be written (the disk filled up, the folder went read-only) is dropped: by
    # default logging would print "--- Logging error ---" and a traceback over the TUI or the CLI's line.
    logging.raiseExceptions = False
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.propagate = False
