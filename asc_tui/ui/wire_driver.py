"""The terminal driver: Textual's own, writing only the cells that change on the terminal.

Textual repaints more than changes (a screen's first frame, a resize, a layout after the cards arrive, a
widget refreshed with the same content each send every cell again), it does not compare with what it sent
before, and it resets and restates the whole style before every run of text. Over SSH those bytes are the
latency an admin feels. This driver keeps a model of the terminal's cells (character, style, link) as its
own frames drew them, writes only the cells that differ, and sets each style once for a run of neighbours.

It assumes only what it wrote itself: a change of size, leaving application mode (a suspend), or a write it
does not follow (anything but moves, styles, links and text) forgets the model, and the next frame is
written whole. ASC_TUI_PLAIN_DRIVER=1 turns it off.

ASC_TUI_WIRE_AUDIT=FILE appends to FILE everything Textual asked to write, before the model cut it down:
played into a fresh terminal of the same size, it must show exactly what this driver's terminal shows (the
test of this module does that, with one app, so no two apps' timings are compared).
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver  # asc-tui runs on Linux and macOS (POSIX)

if TYPE_CHECKING:
    from textual.app import App

PLAIN_DRIVER_ENV = "ASC_TUI_PLAIN_DRIVER"
AUDIT_ENV = "ASC_TUI_WIRE_AUDIT"

# Control.move_to(x, y) as Textual writes it before each run of a frame: ESC [ row ; column H (1-based).
_MOVE_TO = re.compile(r"\x1b\[(\d+);(\d+)H")


def driver_class() -> type[Driver] | None:
    """The driver to run with, or None for Textual's choice (TEXTUAL_DRIVER set, or opted out)."""
    if os.environ.get("TEXTUAL_DRIVER") or os.environ.get(PLAIN_DRIVER_ENV):
        return None
    return ChangedCellsDriver


def split_frame(data: str) -> list[tuple[int, int, str]] | None:
    """(row, column, text up to the next move) for each move in `data`; None when it is not a frame."""
    moves = list(_MOVE_TO.finditer(data))
    if not moves or moves[0].start() != 0:
        return None
    pieces = []
    for move, following in zip(moves, [*moves[1:], None], strict=True):
        end = following.start() if following is not None else len(data)
        pieces.append((int(move.group(1)), int(move.group(2)), data[move.end() : end]))
    return pieces


Cell = tuple[str, str, str]  # (the SGR sequences in force, the OSC 8 link in force, the character)
_PLACEHOLDER = ""  # the second cell of a wide character
_TOKEN = re.compile(r"(\x1b\[[0-9;:]*m)|(\x1b\]8;[^\x07\x1b]*(?:\x07|\x1b\\))|(\x1b)|([^\x1b]+)")
_RESET = "\x1b[0m"
_LINK_END = "\x1b]8;;\x1b\\"
_MOVE_COST = 8  # bytes of a move: a gap of unchanged cells shorter than this is cheaper to write again
_REPEAT_FROM = 6  # ESC [ n b costs 4-6 bytes: worth it from this many repeats on


def cells_of(text: str) -> list[Cell] | None:
    """The cells `text` covers, each with the style and link it is drawn in; None for anything else than
    styles, links and characters (then it is written as it came)."""
    cells: list[Cell] = []
    sgr = link = ""
    for match in _TOKEN.finditer(text):
        style, osc, escape, chars = match.groups()
        if style is not None:
            sgr = "" if style in (_RESET, "\x1b[m") else sgr + style
        elif osc is not None:
            link = "" if osc.startswith(("\x1b]8;;\x1b", "\x1b]8;;\x07")) else osc
        elif escape is not None:
            return None
        else:
            for char in chars:
                width = cell_len(char)
                if width == 0:
                    if not cells:
                        return None
                    last = cells[-1]
                    cells[-1] = (last[0], last[1], last[2] + char)  # a combining mark joins its cell
                    continue
                cells.append((sgr, link, char))
                cells.extend([(sgr, link, _PLACEHOLDER)] * (width - 1))
    return cells


def draw(row: int, column: int, cells: list[Cell], *, repeat: bool = False) -> str:
    """`cells` from (row, column), each style set once for its run of neighbours, reset at the end; with
    `repeat`, a run of one character in one style is written once and repeated (REP, ESC [ n b)."""
    out = [f"\x1b[{row};{column}H"]
    sgr = link = ""
    index, count = 0, len(cells)
    while index < count:
        cell_sgr, cell_link, char = cells[index]
        index += 1
        if char == _PLACEHOLDER:
            continue
        if cell_link != link:
            out.append(cell_link or _LINK_END)
            link = cell_link
        if cell_sgr != sgr:
            out.append(_RESET + cell_sgr if sgr else cell_sgr)
            sgr = cell_sgr
        out.append(char)
        if repeat and len(char) == 1 and char.isprintable():
            run = index
            while run < count and cells[run] == (cell_sgr, cell_link, char):
                run += 1
            if run - index >= _REPEAT_FROM:
                out.append(f"\x1b[{run - index}b")
                index = run
    if sgr:
        out.append(_RESET)
    if link:
        out.append(_LINK_END)
    return "".join(out)


def terminal_repeats(term: str | None = None) -> bool:
    """Whether the terminal's terminfo entry ($TERM) declares REP: xterm's does; tmux's, screen's and the
    Linux console's do not, and there every character is written."""
    term = term if term is not None else os.environ.get("TERM", "")
    if not term:
        return False
    try:
        import curses

        curses.setupterm(term, sys.__stdout__.fileno() if sys.__stdout__ is not None else 1)
        return curses.tigetstr("rep") is not None
    except Exception:  # no terminfo, no curses, no terminal: write every character
        return False


class ScreenModel:
    """What the terminal shows, cell by cell, as far as the frames written here say; None where unknown."""

    def __init__(self, *, repeat: bool = False) -> None:
        self.rows: dict[int, list[Cell | None]] = {}
        self.size: tuple[int, int] | None = None
        self.repeat = repeat  # the terminal repeats a character (REP)

    def forget(self) -> None:
        self.rows.clear()

    def filter(self, data: str, size: tuple[int, int] | None) -> str:
        """`data` as it needs to be written: only the cells that differ from what the terminal shows."""
        if size != self.size:
            self.size = size
            self.forget()
        pieces = split_frame(data)
        if pieces is None or size is None:
            if _MOVE_TO.search(data) or "\x1b[2J" in data or "\x1b[?1049" in data:
                self.forget()  # something drew or cleared in a way not followed here
            return data
        out: list[str] = []
        for index, (row, column, raw) in enumerate(pieces):
            text = raw.removesuffix("\n")  # the newline between a frame's lines: each line has its own move
            if not text:
                if index == len(pieces) - 1:
                    out.append(f"\x1b[{row};{column}H")  # where Textual leaves the cursor: always
                continue
            cells = cells_of(text) if "\n" not in text and "\r" not in text else None
            if cells is None or not 1 <= row <= size[1] or column + len(cells) - 1 > size[0]:
                self.forget()  # not followed here: written as it came, and nothing is assumed after it
                out.append(f"\x1b[{row};{column}H{raw}")
                continue
            out.extend(self._changes(row, column, cells))
        return "".join(out)

    def _changes(self, row: int, column: int, cells: list[Cell]) -> list[str]:
        """The draws that bring the terminal's row to `cells` from `column` on, and the model with it."""
        width = self.size[0] if self.size is not None else 0
        shown = self.rows.setdefault(row, [None] * width)
        start, end = column - 1, column - 1 + len(cells)
        changed = [i for i, cell in enumerate(cells) if shown[start + i] != cell]
        shown[start:end] = cells
        spans: list[list[int]] = []
        for i in changed:
            if spans and i - spans[-1][1] <= _MOVE_COST:
                spans[-1][1] = i
            else:
                spans.append([i, i])
        draws = []
        for first, last in spans:
            # Never start or end in the middle of a wide character: a change to either half (which on the
            # terminal blanks the other) draws the whole character again.
            while first > 0 and cells[first][2] == _PLACEHOLDER:
                first -= 1
            while last + 1 < len(cells) and cells[last + 1][2] == _PLACEHOLDER:
                last += 1
            draws.append(draw(row, column + first, cells[first : last + 1], repeat=self.repeat))
        return draws


def _terminal_size() -> tuple[int, int] | None:
    """The size of the terminal Textual writes to (its stderr), asked on every frame: a resize must be
    seen before the first frame after it, and the question is one ioctl."""
    for stream in (sys.__stderr__, sys.__stdin__):
        try:
            if stream is not None:
                size = os.get_terminal_size(stream.fileno())
                return size.columns, size.lines
        except (OSError, ValueError):
            continue
    return None


class ChangedCellsDriver(LinuxDriver):
    """Textual's Linux driver, writing of each frame only the cells the terminal does not show already."""

    def __init__(
        self, app: App[Any], *, debug: bool = False, mouse: bool = True, size: tuple[int, int] | None = None
    ) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        self._model = ScreenModel(repeat=terminal_repeats())
        audit = os.environ.get(AUDIT_ENV)
        self._audit = open(audit, "a", encoding="utf-8") if audit else None  # noqa: SIM115 - lives as long

    def write(self, data: str) -> None:
        if self._audit is not None:
            self._audit.write(data)
            self._audit.flush()
        super().write(self._model.filter(data, _terminal_size()))

    def stop_application_mode(self) -> None:
        self._model.forget()  # a suspend: whatever runs meanwhile draws on the terminal too
        super().stop_application_mode()
        if self._audit is not None:
            self._audit.close()
            self._audit = None
