"""The config file as text: reading it safely, and saying where in it a problem is (the line of a setting) and
what the value should look like."""

from __future__ import annotations

import os
import re
import stat
import sys
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from asc_tui.errors import ConfigProblem
from asc_tui.i18n import N_, _


def toml_limit_problem(path: Path, text: str, exc: RecursionError | ValueError) -> str:
    """What tomllib raises besides TOMLDecodeError, as a sentence: RecursionError for a value nested hundreds
    deep, ValueError for an integer longer than Python converts (4,300 digits)."""
    if isinstance(exc, RecursionError):
        return _(
            "In {path}{line}, a value is nested too deeply (lists or tables inside each other hundreds of "
            "levels deep); write it as a plain list or a [table] of its own."
        ).format(path=path, line=_numbered(_too_deep_line(text)))
    return _(
        "In {path}{line}, a number has more than {digits} digits; write a number of sensible size, for "
        "example connect_timeout_minutes = 10."
    ).format(path=path, line=_numbered(_too_long_number_line(text)), digits=f"{_max_digits():,}")


# Nested deeper than this, a value is what made tomllib recurse too far (real settings nest 2 or 3 deep;
# tomllib itself gives up a few hundred deep).
_DEEPEST = 100
# Strings and comments, which may hold brackets and digits that are no part of a value.
_NOT_VALUES = re.compile(
    r'"""(?:\\.|[^\\])*?"""|\'\'\'.*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'[^\'\n]*\'|#[^\n]*', re.S
)


def _values_only(text: str) -> str:
    """`text` with its strings and comments blanked out (newlines kept, so line numbers still hold)."""
    return _NOT_VALUES.sub(lambda found: re.sub(r"[^\n]", " ", found.group()), text)


def _numbered(line: int | None) -> str:
    return _(" (line {number})").format(number=line) if line is not None else ""


def _too_deep_line(text: str) -> int | None:
    """The line where the value nested more than _DEEPEST levels starts (its outermost bracket)."""
    depth, line, start = 0, 1, 1
    for char in _values_only(text):
        if char == "\n":
            line += 1
        elif char in "[{":
            depth += 1
            if depth == 1:
                start = line
            elif depth > _DEEPEST:
                return start
        elif char in "]}":
            depth = max(depth - 1, 0)
    return None


def _max_digits() -> int:
    return sys.get_int_max_str_digits() or 4300


def _too_long_number_line(text: str) -> int | None:
    """The line of the first integer with more digits than Python converts."""
    values = _values_only(text)
    for found in re.finditer(r"(?<!\w)[0-9][0-9_]*(?![\w.])", values):
        if sum(char.isdigit() for char in found.group()) > _max_digits():
            return values.count("\n", 0, found.start()) + 1
    return None


def read_config_bytes(path: Path, named: bool, source: str) -> bytes | None:
    """The file's bytes; None when the default file is absent. Only a regular file is read: a named pipe
    would block for ever, a device could be endless."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise ConfigProblem(
                _(
                    "The config file {path} is a symbolic link to {target}, which does not exist; correct the "
                    "link or point {source} at the TOML file."
                ).format(path=path, target=os.readlink(path), source=source)
            ) from None
        if named:
            raise ConfigProblem(
                _(
                    "The config file {path} does not exist; create it, or correct or leave out {source}."
                ).format(path=path, source=source)
            ) from None
        return None
    except OSError as exc:
        raise ConfigProblem(_unreadable(path, exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigProblem(
            _("The config path {path} is a folder; point it at a TOML file.").format(path=path)
        )
    if not stat.S_ISREG(info.st_mode):
        if os.path.realpath(path) == os.devnull:
            return b""
        raise ConfigProblem(
            _(
                "The config path {path} is not a regular file (a named pipe, socket or device); save the "
                "settings in a TOML file and point at that."
            ).format(path=path)
        )
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise ConfigProblem(
            _("The config path {path} is a folder; point it at a TOML file.").format(path=path)
        ) from None
    except OSError as exc:
        raise ConfigProblem(_unreadable(path, exc)) from None


def _unreadable(path: Path, exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return _(
            "The config file {path} cannot be read (permission denied); make it readable by the user running "
            "asc-tui, e.g. chmod 600 {path} as its owner."
        ).format(path=path)
    if isinstance(exc, NotADirectoryError):
        return _(
            "The config path {path} cannot be read (a part of it is a file, not a folder); correct the path."
        ).format(path=path)
    return _("The config file {path} cannot be read ({reason}); check the path and the file.").format(
        path=path, reason=exc.strerror or type(exc).__name__
    )


_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)|\s*\(at end of document\)")


def toml_problem(path: Path, error: str) -> str:
    """tomllib's "Invalid value (at line 3, column 7)" as one sentence naming the file, the line and a fix."""
    found = _TOML_WHERE.search(error)
    reason = _TOML_WHERE.sub("", error).strip().rstrip(".") or "invalid"
    reason = reason[:1].lower() + reason[1:]  # tomllib's "Invalid value", inside a sentence
    if found is not None and found.group(1):
        return _(
            "In {path} (line {line}), the file is not valid TOML ({reason}, at column {column}); fix that "
            'line: text goes in double quotes (key = "text"), true, false and numbers do not, and each key '
            "is set once per table."
        ).format(path=path, line=found.group(1), column=found.group(2), reason=reason)
    return _(
        "In {path} (at its end), the file is not valid TOML ({reason}); close the last string, list or "
        "table header."
    ).format(path=path, reason=reason)


# The text being parsed, when it is not (yet) the file on disk (the settings screen checks before saving).
SOURCE: ContextVar[str | None] = ContextVar("asc_tui_config_source", default=None)
_HEADER = re.compile(r"\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"\s*([A-Za-z0-9_\-\"' .]+?)\s*=")


def _dotted(text: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in text.split("."))


def line_of(path: Path, dotted: str, entry: int | None = None) -> str:
    """' (line N)' for the line that sets `dotted` (e.g. amazon.seller_central.US), to point the admin at
    it; `entry` picks the nth [[table]] of an array of tables. '' when no line says it."""
    text = SOURCE.get()
    if text is None:
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return ""
    table = ""
    arrays: dict[str, int] = {}  # [[name]] -> how many seen so far
    leaf_line = None
    parent_line = None
    leaf = dotted.rsplit(".", 1)[-1]
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header is not None:
            table = _dotted(header.group(2))
            if header.group(1) == "[[":
                arrays[table] = arrays.get(table, 0) + 1
            full = table
        elif (key := _KEY.match(line)) is not None:
            full = f"{table}.{_dotted(key.group(1))}" if table else _dotted(key.group(1))
        else:
            continue
        if full == dotted or full.startswith(dotted + "."):
            if entry is None or _entry_index(arrays, full) == entry:
                return _numbered(number)
        elif leaf_line is None and full.rsplit(".", 1)[-1] == leaf and entry is None:
            leaf_line = number  # e.g. an inline table: at least the line that names the key
        elif (
            parent_line is None
            and header is None
            and dotted.startswith(full + ".")
            and (entry is None or _entry_index(arrays, full) == entry)
        ):
            parent_line = number  # `seller_central = {US = 5}`: the key whose inline table holds the leaf
    return _numbered(leaf_line if leaf_line is not None else parent_line)


def _entry_index(arrays: dict[str, int], full: str) -> int | None:
    """Which entry of its array of tables the key `full` is in (0-based), if it is in one."""
    for name, count in arrays.items():
        if full == name or full.startswith(name + "."):
            return count - 1
    return None


def section(
    data: dict[str, Any], name: str, path: Path, allowed: set[str], parent: str = ""
) -> dict[str, Any]:
    full = parent + name
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigProblem(
            _(
                "In {path}{line}, {name} must be a table: write [{name}] on a line of its own, with its "
                "settings (key = value) on the lines below."
            ).format(path=path, line=line_of(path, full), name=full)
        )
    for key in value:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise ConfigProblem(
                _("In {path}{line}, {name}.{key} is not a known setting; use one of: {known}.").format(
                    path=path, line=line_of(path, f"{full}.{key}"), name=full, key=key, known=known
                )
            )
    return value


_KIND_WORDS = {bool: N_("true or false"), int: N_("a whole number"), str: N_("a quoted string")}


_KIND_EXAMPLES = {bool: "{key} = true", int: "{key} = 10", str: '{key} = "…"'}


def typed(value: Any, kind: type, path: Path, dotted: str, entry: int | None = None) -> Any:
    # bool is an int in Python, but `port = true` is not a number an admin meant.
    fits = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not fits:
        leaf = dotted.rsplit(".", 1)[-1]
        raise ConfigProblem(
            _("In {path}{line}, {setting} must be {kind}, for example {example}.").format(
                path=path,
                line=line_of(path, dotted, entry),
                setting=dotted,
                kind=_(_KIND_WORDS[kind]),
                example=_KIND_EXAMPLES[kind].format(key=leaf),
            )
        )
    return value


def table_list(value: Any, path: Path, dotted: str) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigProblem(
            _(
                "In {path}{line}, {setting} must be a list of tables: write each entry as [[{setting}]] on a "
                "line of its own, with its keys below."
            ).format(path=path, line=line_of(path, dotted), setting=dotted)
        )
    return value


def table_entry(
    item: Any, index: int, path: Path, dotted: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> dict[str, str]:
    if not isinstance(item, dict):
        raise ConfigProblem(
            _(
                "In {path}{line}, each {setting} entry must be a table: write it as [[{setting}]] on a line of "
                "its own, with its keys below."
            ).format(path=path, line=line_of(path, dotted), setting=dotted)
        )
    for key in item:
        if key not in required + optional:
            raise ConfigProblem(
                _(
                    "In {path}{line}, {setting}.{key} is not a known setting; an entry takes only: {known}."
                ).format(
                    path=path,
                    line=line_of(path, f"{dotted}.{key}", index),
                    setting=dotted,
                    key=key,
                    known=", ".join(required + optional),
                )
            )
    out: dict[str, str] = {}
    for key in required:
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigProblem(
                _(
                    'In {path}{line}, each {setting} entry needs a non-empty {key}; add {key} = "…" to it.'
                ).format(path=path, line=line_of(path, dotted, index), setting=dotted, key=key)
            )
        out[key] = value.strip()
    for key in optional:
        if key in item:
            out[key] = typed(item[key], str, path, f"{dotted}.{key}", index).strip()
    return out


def setting_line(path: Path, dotted: str) -> str:
    """' (line N)' for the line of `path` that sets `dotted` (e.g. amazon.redirect_uri), or ''."""
    return line_of(path, dotted)
