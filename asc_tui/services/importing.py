"""Reading stores from a CSV or JSON file; every row is checked before any is saved."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from asc_tui.domain import StoreDraft
from asc_tui.errors import InvalidInput

COLUMNS = ("name", "email", "country", "website", "product_id_type", "attribute")
REQUIRED = ("name", "email", "country", "website")
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class ImportRow:
    where: str  # "line 3" in a CSV, "item 3" in JSON: how the admin finds the row
    draft: StoreDraft


class ImportFileError(InvalidInput):
    """The file as a whole cannot be read as stores."""


def read_import_file(path: Path) -> list[ImportRow]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError(f"{path} is larger than {MAX_FILE_BYTES // 1024 // 1024} MB; split it.")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"The file {path} does not exist.") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path} is a folder; give a CSV or JSON file.") from None
    except OSError as exc:
        raise ImportFileError(f"The file {path} cannot be read ({exc.strerror}).") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"{path} is not UTF-8 text (bad bytes on line {line}); save it as UTF-8."
        ) from None
    if "\x00" in text:
        raise ImportFileError(f"{path} contains NUL bytes; it is not a CSV or JSON text file.")
    stripped = text.lstrip()
    if path.suffix.lower() == ".json" or stripped.startswith(("[", "{")):
        return _read_json(path, text)
    return _read_csv(path, text)


def _read_json(path: Path, text: str) -> list[ImportRow]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"{path} is not valid JSON (line {exc.lineno}: {exc.msg}).") from None
    except ValueError:  # a number too long to convert
        raise ImportFileError(f"{path} holds a number too long to read; store values are text.") from None
    except RecursionError:
        raise ImportFileError(f"{path} is nested too deeply; give a flat list of store objects.") from None
    if not isinstance(data, list):
        raise ImportFileError(f'{path} must hold a JSON list of store objects, [{{"name": …}}, …].')
    rows: list[ImportRow] = []
    problems: list[str] = []
    for index, item in enumerate(data, start=1):
        where = f"item {index}"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be an object with keys {', '.join(COLUMNS)}.")
            continue
        unknown = sorted(set(item) - set(COLUMNS))
        if unknown:
            problems.append(f"{where}: unknown key {unknown[0]!r}; the keys are {', '.join(COLUMNS)}.")
            continue
        bad = [k for k, v in item.items() if v is not None and not isinstance(v, str)]
        if bad:
            problems.append(f"{where}: {bad[0]} must be text.")
            continue
        rows.append(ImportRow(where, StoreDraft(**{k: item.get(k) or "" for k in COLUMNS})))
    if problems:
        raise ImportProblems(path, problems)
    return rows


def _read_csv(path: Path, text: str) -> list[ImportRow]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(f"{path} is empty; it needs a header row: {','.join(COLUMNS)}.") from None
    except csv.Error as exc:
        raise ImportFileError(f"{path} is not valid CSV ({exc}).") from None
    names = [h.strip().lower() for h in header]
    unknown = [h for h in names if h not in COLUMNS]
    if unknown:
        raise ImportFileError(
            f"{path} line 1: unknown column {unknown[0]!r}; the columns are {', '.join(COLUMNS)}."
        )
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise ImportFileError(f"{path} line 1: the column {missing[0]!r} is missing.")
    if len(set(names)) != len(names):
        raise ImportFileError(f"{path} line 1: a column is named twice.")
    rows: list[ImportRow] = []
    problems: list[str] = []
    try:
        for values in reader:
            where = f"line {reader.line_num}"
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(names):
                problems.append(f"{where}: has {len(values)} values but the header has {len(names)} columns.")
                continue
            fields = dict(zip(names, values, strict=True))
            rows.append(ImportRow(where, StoreDraft(**{k: fields.get(k, "") for k in COLUMNS})))
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: not valid CSV ({exc}).")
    if problems:
        raise ImportProblems(path, problems)
    return rows


class ImportProblems(InvalidInput):
    """Rows that cannot be imported, each with where it is and why; nothing was saved."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:50]
        more = f"\n… and {len(problems) - 50} more." if len(problems) > 50 else ""
        super().__init__(
            f"Nothing was imported: {len(problems)} row(s) of {path} have problems.\n"
            + "\n".join(shown)
            + more
        )
