"""Reading stores from a CSV or JSON file; every row is checked before any is saved."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from asc_tui.domain import StoreDraft
from asc_tui.errors import InvalidInput
from asc_tui.i18n import _, format_count
from asc_tui.services.csv_cells import restore
from asc_tui.system.text_files import NotUtf8, decode_utf8

COLUMNS = ("name", "email", "country", "website", "product_id_type", "attribute")
REQUIRED = ("name", "email", "country", "website")
# What `stores export` writes besides COLUMNS (asc_tui.services.records): accepted, so an export imports back, and
# ignored, since the registry sets them itself (a store comes back not connected: secrets never leave).
READ_ONLY = (
    "status", "auth_health", "seller_id", "marketplace_id", "authorized_at", "renew_by", "created_at",
    "updated_at",
)  # fmt: skip
ACCEPTED = COLUMNS + READ_ONLY
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class ImportRow:
    where: str  # "line 3" in a CSV, "item 3" in JSON: how the admin finds the row
    draft: StoreDraft
    was_connected: bool = False  # an exported store that was connected: it comes back not connected


def _was_connected(fields: dict[str, object]) -> bool:
    status = fields.get("status")
    return isinstance(status, str) and status.strip() not in ("", "not_connected")


class ImportFileError(InvalidInput):
    """The file as a whole cannot be read as stores."""


def _too_large(path: Path) -> ImportFileError:
    return ImportFileError(
        _("{path} is larger than {size} MB; split it.").format(path=path, size=MAX_FILE_BYTES // 1024 // 1024)
    )


def _read_bounded(path: Path) -> bytes:
    """The bytes of a regular file, never more than MAX_FILE_BYTES + 1 read: a device (/dev/zero) would
    never end, a named pipe would wait for ever for a writer. Opened without blocking, checked once open."""
    try:
        fd = _open_regular(path)
    except FileNotFoundError:
        raise ImportFileError(_("The file {path} does not exist.").format(path=path)) from None
    except IsADirectoryError:
        raise ImportFileError(_("{path} is a folder; give a CSV or JSON file.").format(path=path)) from None
    except _NotRegular:
        raise ImportFileError(
            _(
                "{path} is not a regular file (a named pipe, socket or device); save the stores in a CSV "
                "or JSON file and import that."
            ).format(path=path)
        ) from None
    except OSError as exc:
        raise ImportFileError(
            _("The file {path} cannot be read ({reason}).").format(path=path, reason=exc.strerror)
        ) from None
    try:
        if os.fstat(fd).st_size > MAX_FILE_BYTES:
            raise _too_large(path)
        chunks: list[bytes] = []
        left = MAX_FILE_BYTES + 1  # one byte more tells a file that grew past the limit
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise ImportFileError(
            _("The file {path} cannot be read ({reason}).").format(path=path, reason=exc.strerror)
        ) from None
    finally:
        os.close(fd)
    if left <= 0:
        raise _too_large(path)
    return b"".join(chunks)


class _NotRegular(OSError):
    pass


def _open_regular(path: Path) -> int:
    """A descriptor on `path`, a regular file (checked before opening, a socket cannot be opened, and again
    on the open file, which may have been swapped meanwhile)."""
    before = os.stat(path)
    if stat.S_ISDIR(before.st_mode):
        raise IsADirectoryError(path)
    if not stat.S_ISREG(before.st_mode):
        raise _NotRegular(path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise IsADirectoryError(path) if stat.S_ISDIR(info.st_mode) else _NotRegular(path)
    return fd


def read_import_file(path: Path) -> list[ImportRow]:
    raw = _read_bounded(path)
    try:
        text = decode_utf8(raw, allow_bom=True)
    except NotUtf8 as bad:
        raise ImportFileError(
            _("{path} is not UTF-8 text (bad bytes on line {line}); save it as UTF-8.").format(
                path=path, line=bad.line
            )
        ) from None
    if "\x00" in text:
        raise ImportFileError(
            _("{path} contains NUL bytes; it is not a CSV or JSON text file.").format(path=path)
        )
    stripped = text.lstrip()
    if path.suffix.lower() == ".json" or stripped.startswith(("[", "{")):
        return _read_json(path, text)
    return _read_csv(path, text)


def _read_json(path: Path, text: str) -> list[ImportRow]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            _("{path} is not valid JSON (line {line}: {reason}).").format(
                path=path, line=exc.lineno, reason=exc.msg
            )
        ) from None
    except ValueError:  # a number too long to convert
        raise ImportFileError(
            _("{path} holds a number too long to read; store values are text.").format(path=path)
        ) from None
    except RecursionError:
        raise ImportFileError(
            _("{path} is nested too deeply; give a flat list of store objects.").format(path=path)
        ) from None
    if not isinstance(data, list):
        raise ImportFileError(
            _('{path} must hold a JSON list of store objects, [{{"name": …}}, …].').format(path=path)
        )
    rows: list[ImportRow] = []
    problems: list[str] = []
    for index, item in enumerate(data, start=1):
        where = _("item {number}").format(number=index)
        if not isinstance(item, dict):
            problems.append(
                _("{where}: must be an object with keys {keys}.").format(where=where, keys=", ".join(COLUMNS))
            )
            continue
        unknown = sorted(set(item) - set(ACCEPTED))
        if unknown:
            problems.append(
                _("{where}: unknown key {key!r}; the keys are {keys}.").format(
                    where=where, key=unknown[0], keys=", ".join(COLUMNS)
                )
            )
            continue
        bad = [k for k in COLUMNS if item.get(k) is not None and not isinstance(item[k], str)]
        if bad:
            problems.append(_("{where}: {key} must be text.").format(where=where, key=bad[0]))
            continue
        draft = StoreDraft(**{k: item.get(k) or "" for k in COLUMNS})
        rows.append(ImportRow(where, draft, _was_connected(item)))
    if problems:
        raise ImportProblems(path, problems)
    return rows


def _read_csv(path: Path, text: str) -> list[ImportRow]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(
            _("{path} is empty; it needs a header row: {columns}.").format(
                path=path, columns=",".join(COLUMNS)
            )
        ) from None
    except csv.Error as exc:
        raise ImportFileError(
            _("{path} is not valid CSV ({reason}).").format(path=path, reason=exc)
        ) from None
    names = [h.strip().lower() for h in header]
    unknown = [h for h in names if h not in ACCEPTED]
    if unknown:
        raise ImportFileError(
            _("{path} line 1: unknown column {column!r}; the columns are {columns}.").format(
                path=path, column=unknown[0], columns=", ".join(COLUMNS)
            )
        )
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise ImportFileError(
            _("{path} line 1: the column {column!r} is missing.").format(path=path, column=missing[0])
        )
    if len(set(names)) != len(names):
        raise ImportFileError(_("{path} line 1: a column is named twice.").format(path=path))
    rows: list[ImportRow] = []
    problems: list[str] = []
    try:
        for values in reader:
            where = _("line {number}").format(number=reader.line_num)
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(names):
                problems.append(
                    _("{where}: has {values} values but the header has {columns} columns.").format(
                        where=where, values=len(values), columns=len(names)
                    )
                )
                continue
            # The quote `stores export` put before a cell a spreadsheet would run comes off again.
            fields = dict(zip(names, (restore(value) for value in values), strict=True))
            draft = StoreDraft(**{k: fields.get(k, "") for k in COLUMNS})
            rows.append(ImportRow(where, draft, _was_connected(dict(fields))))
    except csv.Error as exc:
        where = _("line {number}").format(number=reader.line_num)
        problems.append(_("{where}: not valid CSV ({reason}).").format(where=where, reason=exc))
    if problems:
        raise ImportProblems(path, problems)
    return rows


class ImportProblems(InvalidInput):
    """Rows that cannot be imported, each with where it is and why; nothing was saved."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:50]
        more = (
            "\n" + _("… and {count} more.").format(count=format_count(len(problems) - 50))
            if len(problems) > 50
            else ""
        )
        super().__init__(
            _("Nothing was imported: {count} row(s) of {path} have problems.").format(
                count=format_count(len(problems)), path=path
            )
            + "\n"
            + "\n".join(shown)
            + more
        )
