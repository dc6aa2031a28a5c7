"""The terminal driver writes only the cells that change, and the terminal shows exactly what Textual's
own driver would have made it show.

The proof is a real terminal: the program in a tmux pane, given keys and resizes, writes through asc-tui's
driver and also keeps everything Textual asked to write (ASC_TUI_WIRE_AUDIT); after every step that whole
stream is played into a fresh pane of the same size, and both screens are compared cell for cell, style for
style. One app, so the comparison never depends on two programs' timing. The model itself is tested on
frames as Textual writes them.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.cells import cell_len

from asc_tui.ui.wire_driver import AUDIT_ENV, ScreenModel, cells_of, draw
from tests.support.tmux import Tmux

from .helpers import seed

SIZE = (40, 3)
RED, BLUE = "\x1b[38;2;255;0;0m", "\x1b[38;2;0;0;255m"


def frame(*lines: str, cursor: tuple[int, int] = (1, 1)) -> str:
    """A whole-screen frame as Textual writes one: each line after a move, newlines between them."""
    body = "\n".join(f"\x1b[{row};1H{line}" for row, line in enumerate(lines, 1))
    return body + f"\x1b[{cursor[0]};{cursor[1]}H"


def line(text: str, style: str = RED) -> str:
    return f"{style}{text}\x1b[0m" + " " * (SIZE[0] - cell_len(text))


def test_a_frame_written_again_sends_only_where_the_cursor_goes() -> None:
    model = ScreenModel()
    first = frame(line("Amazon Sales Channel"), line("Shop one"), line("q Quit"))
    assert model.filter(first, SIZE) != ""
    assert model.filter(first, SIZE) == "\x1b[1;1H"


def test_one_changed_word_sends_that_word_and_not_its_row() -> None:
    model = ScreenModel()
    model.filter(frame(line("Store Shop one active"), line(""), line("")), SIZE)
    sent = model.filter(frame(line("Store Shop two active"), line(""), line("")), SIZE)
    assert "two" in sent and "Store" not in sent and "active" not in sent


def test_a_style_change_alone_is_sent() -> None:
    model = ScreenModel()
    model.filter(frame(line("focused"), line(""), line("")), SIZE)
    sent = model.filter(frame(line("focused", BLUE), line(""), line("")), SIZE)
    assert BLUE in sent and "focused" in sent


def test_neighbours_in_one_style_share_one_style_sequence() -> None:
    text = f"{RED}ab\x1b[0m{RED}cd\x1b[0m{BLUE}e\x1b[0m"
    cells = cells_of(text)
    assert cells is not None and [c[2] for c in cells] == list("abcde")
    drawn = draw(2, 3, cells)
    assert drawn == f"\x1b[2;3H{RED}abcd\x1b[0m{BLUE}e\x1b[0m"
    assert cells_of(drawn.removeprefix("\x1b[2;3H")) == cells


def test_wide_characters_are_never_cut_in_half() -> None:
    model = ScreenModel()
    model.filter(frame(line("商店 一"), line(""), line("")), SIZE)
    sent = model.filter(frame(line("商店 二"), line(""), line("")), SIZE)
    assert "二" in sent and "商" not in sent
    cells = cells_of("商a")
    assert cells is not None and [c[2] for c in cells] == ["商", "", "a"]


def test_a_new_size_or_an_unknown_write_forgets_what_the_terminal_shows() -> None:
    model = ScreenModel()
    whole = frame(line("Amazon"), line("Shop"), line("Quit"))
    model.filter(whole, SIZE)
    assert "Amazon" in model.filter(whole, (SIZE[0], SIZE[1] + 1))  # resized: nothing is assumed
    model.filter(whole, SIZE)
    model.filter("\x1b[1;1H\x1b[2J", SIZE)  # something the model does not follow
    assert "Amazon" in model.filter(whole, SIZE)


def replayed(audit: Path, size: tuple[int, int], cwd: str) -> str:
    """Everything Textual asked to write, played into a fresh terminal of this size: what Textual's own
    driver would have made the terminal show (raw and without echo, as the app's own terminal is)."""
    script = 'stty raw -echo; cat "$0"; exec sleep 600'
    with Tmux(
        ["sh", "-c", script, str(audit)], dict(os.environ), cwd=cwd, width=size[0], height=size[1]
    ) as term:
        return term.settled()


def shows_what_textual_wrote(kept: Tmux, audit: Path, size: tuple[int, int], when: str, cwd: str) -> None:
    """The app's terminal, settled, is cell for cell and style for style what the whole stream shows."""
    deadline = time.monotonic() + 60
    while True:
        shown = kept.settled()
        expected = replayed(audit, size, cwd)
        if shown == expected:
            return
        if time.monotonic() > deadline:
            diff = "\n".join(difflib.unified_diff(expected.splitlines(), shown.splitlines(), lineterm=""))
            raise AssertionError(f"the terminal differs from what Textual wrote, {when}:\n{diff[:4000]}")
        time.sleep(0.5)  # a frame may have been on its way between the two reads


STEPS: list[tuple[str, tuple[str, ...]]] = [
    ("the home", ()),
    ("the filter opened and typed in", ("/", "S", "h", "o", "p", " ", "1")),
    ("the filter cleared", ("Escape",)),
    ("the cursor moved", ("Down", "Right", "Right")),
    ("the add form", ("a",)),
    ("typing in the add form", ("Tab", "m", "e", "@", "x")),
    ("the add form closed", ("Escape",)),
    ("help", ("?",)),
    ("help closed", ("Escape",)),
]


@pytest.mark.parametrize("language", ["en", "zh-Hant"])
def test_the_terminal_shows_what_textuals_own_driver_would_show(
    isolated_home: Path, tmp_path: Path, language: str
) -> None:
    # Chinese too: its characters take two cells each, and a change must never cut one in half.
    seed(*((f"Shop {i:02d}", ("US", "CA", "UK", "MX")[i % 4]) for i in range(1, 30)))
    audit = tmp_path / "wire.audit"
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", "LANGUAGE": language}
    env.pop("NO_COLOR", None)
    env[AUDIT_ENV] = str(audit)
    argv = [sys.executable, "-m", "asc_tui"]
    cwd = str(Path(__file__).resolve().parents[2])
    size = (120, 36)
    with Tmux(argv, env, cwd=cwd, width=size[0], height=size[1]) as kept:
        kept.wait_for_text("Shop 01")
        kept.wait_for_text("Amazon Sales Channel" if language == "en" else "Amazon 銷售通路")
        for what, keys in STEPS:
            if keys:
                kept.keys(*keys)
            shows_what_textual_wrote(kept, audit, size, f"after {what}", cwd)
        for size in ((100, 30), (120, 36)):
            kept.resize(*size)
            shows_what_textual_wrote(kept, audit, size, f"at {size[0]}×{size[1]}", cwd)


def test_a_wide_character_drawn_over_by_half_is_drawn_again_whole() -> None:
    model = ScreenModel()
    model.filter(frame(line("商店"), line(""), line("")), SIZE)
    model.filter("\x1b[1;2Hx", SIZE)  # over the second half of 商: the terminal blanks the first half too
    sent = model.filter(frame(line("商店"), line(""), line("")), SIZE)
    assert "商" in sent  # drawn again, not assumed to be still there


def test_a_run_of_one_character_is_written_once_and_repeated_where_the_terminal_can() -> None:
    cells = cells_of(f"{RED}ab{' ' * 20}c\x1b[0m")
    assert cells is not None
    assert draw(1, 1, cells, repeat=True) == f"\x1b[1;1H{RED}ab \x1b[19bc\x1b[0m"
    assert draw(1, 1, cells) == f"\x1b[1;1H{RED}ab{' ' * 20}c\x1b[0m"  # a terminal without REP
    short = cells_of(f"{RED}ab   c\x1b[0m")
    assert short is not None and "b\x1b[" not in draw(1, 1, short, repeat=True)  # not worth a REP


def test_rep_is_used_only_where_the_terminfo_entry_declares_it() -> None:
    # A process reads one terminfo entry (curses sets up once), as the app does for its $TERM.
    def repeats(term: str) -> bool:
        probe = f"from asc_tui.ui.wire_driver import terminal_repeats; print(terminal_repeats({term!r}))"
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
        return done.stdout.strip() == "True"

    assert repeats("xterm-256color")
    assert not repeats("linux") and not repeats("tmux-256color") and not repeats("")
