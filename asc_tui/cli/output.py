"""What the commands print: one-line errors, JSON with every control character escaped, tables, and
the config and registry each command works on."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import TYPE_CHECKING, Any, TextIO

from asc_tui.cli.parser import PROG
from asc_tui.i18n import format_day

if TYPE_CHECKING:
    from asc_tui.services.registry import Registry
    from asc_tui.settings.config import Config


def error(message: str, stream: TextIO | None = None) -> None:
    print(f"{PROG}: {visible(message)}", file=stream or sys.stderr)


# Inside JSON strings these would reach the terminal raw (json escapes only C0); "\u202e" is the same JSON.
JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def write_json(data: Any) -> None:
    """JSON on stdout: text in any language as it is, every control character escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    sys.stdout.write(JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text) + "\n")


def visible(text: str) -> str:
    """Text echoed from the user (a file name, a value) with control characters escaped, newlines kept."""
    from asc_tui.system.logs import escape_controls

    return escape_controls(text, keep_newlines=True)


def registry_for(args: argparse.Namespace) -> Registry:
    from asc_tui.services.registry import open_registry

    return open_registry(args.db, config_for(args), sandbox=args.sandbox)


def config_for(args: argparse.Namespace) -> Config:
    """The config the command runs with: as main() read it already, else read now (raising its problem)."""
    from asc_tui.settings.config import load_config

    read: Config | None = getattr(args, "read_config", None)
    return read if read is not None else load_config(args.config)


def day(iso: str | None) -> str:
    """The UTC day of an ISO time from a record, as the current language writes days."""
    from datetime import date

    return format_day(date.fromisoformat(iso[:10])) if iso else ""


def print_table(headers: list[str], rows: list[list[str]], *, empty: str) -> None:
    """Columns aligned by display width (CJK counts double); every cell shown literally."""
    if not rows:
        print(empty, file=sys.stderr)
        return
    import re

    from rich.cells import cell_len

    control = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
    table = [headers] + [
        [control.sub("\ufffd", str(cell)).replace("\n", " ") for cell in row] for row in rows
    ]
    widths = [max(cell_len(row[i]) for row in table) for i in range(len(headers))]
    lines = []
    for row in table:
        cells = [cell + " " * (width - cell_len(cell)) for cell, width in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    sys.stdout.write("\n".join(lines) + "\n")


def english_for_json() -> None:
    """--json output is for programs: its sentences (a doctor's detail, Amazon's answer) are in English, and
    so is what the command says beside it."""
    from asc_tui.i18n import ENGLISH, set_language

    set_language(ENGLISH)
