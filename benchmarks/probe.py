"""In-process figures, each run in a fresh child process that prints one JSON line at the end.

    python -m benchmarks.probe app HOME --expect TEXT [--keys N]   asc-tui headless (Pilot), HOME's stores
    python -m benchmarks.probe bare                                the bare Header + Footer app

`app` waits until the home shows TEXT (the first store's name; with no store, the empty home's prompt),
takes the peak memory (ru_maxrss) there, then times N keystrokes in the filter and N moves of focus to
the next card.
Each keystroke gives two figures:

- pilot: from just before `pilot.press(key)` until `await pilot.pause()` returns (includes the repaint).
  Pilot itself costs time: each press waits for CPU idle twice and pause once more (at least 20 ms each),
  and both walk every widget of the screen; `bare` measures that floor with a key that does nothing.
- repaint: from the same moment until the app last handed a frame to its driver (`App._display`) before
  `pause` returned: the keystroke's own cost, without Pilot's waiting.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import sys
import time
from itertools import cycle
from pathlib import Path
from typing import Any

from benchmarks.seed import database_file

SIZE = (120, 40)
# Typing narrows the filter step by step ("0" matches every store, "0001" about ten) and backspace widens it.
FILTER_KEYS = ("0", "0", "0", "1", "backspace", "backspace", "backspace", "backspace")


def peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB (macOS in bytes).
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def spy_on_frames(app: Any) -> list[float]:
    """perf_counter() of every frame the app hands to its driver from now on."""
    frames: list[float] = []
    display = app._display

    def _display(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if renderable is not None:
            frames.append(time.perf_counter())

    app._display = _display
    return frames


async def settle(pilot: Any, timeout: float) -> None:
    """`await pilot.pause()`, patiently: Pilot gives up on a screen that stays busy for 30 s."""
    from textual.pilot import WaitForScreenTimeout

    started = time.perf_counter()
    while True:
        try:
            await pilot.pause()
            return
        except WaitForScreenTimeout:
            if time.perf_counter() - started > timeout:
                raise


async def press_and_settle(pilot: Any, key: str, timeout: float) -> None:
    from textual.pilot import WaitForScreenTimeout

    with contextlib.suppress(WaitForScreenTimeout):  # still busy with the key: settle waits for it
        await pilot.press(key)
    await settle(pilot, timeout)


async def _timed_presses(
    pilot: Any, frames: list[float], keys: list[str], budget: float
) -> tuple[list[float], list[float]]:
    """(pilot ms, repaint ms) per key; stops once `budget` seconds are spent (keeping at least 3 samples).

    A key that keeps the screen busy past Pilot's 30 s limit counts as the time until then, and ends
    the phase.
    """
    from textual.pilot import WaitForScreenTimeout

    pilot_ms: list[float] = []
    repaint_ms: list[float] = []
    started = time.perf_counter()
    for key in keys:
        seen = len(frames)
        before = time.perf_counter()
        try:
            await pilot.press(key)
            await pilot.pause()
        except WaitForScreenTimeout:
            pilot_ms.append((time.perf_counter() - before) * 1000)
            await settle(pilot, budget * 10)
            break
        pilot_ms.append((time.perf_counter() - before) * 1000)
        if len(frames) > seen:
            repaint_ms.append((frames[-1] - before) * 1000)
        if len(pilot_ms) >= 3 and time.perf_counter() - started > budget:
            break
    return pilot_ms, repaint_ms


def screen_text(app: Any) -> str:
    """What the current screen shows, as plain text (the compositor's lines, as the terminal gets them)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def probe_app(home: Path, expect: str, keys: int, budget: float, timeout: float) -> dict[str, Any]:
    os.environ["ASC_TUI_HOME"] = str(home)
    from textual.widgets import Input

    from asc_tui.settings.config import load_config
    from asc_tui.ui.app import AscApp

    app = AscApp(load_config(), str(database_file(home)))
    frames = spy_on_frames(app)
    result: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        started = time.perf_counter()
        home_screen = app.home
        # Shown: the registry is open and the screen shows `expect` (the first store's name, or the
        # empty home's prompt): by what is on screen, whether cards are widgets or drawn lines.
        while not (app.ready and home_screen.loaded and expect in screen_text(app)):
            if time.perf_counter() - started > timeout:
                tail = "\n".join(screen_text(app).splitlines()[:12])
                raise SystemExit(f"{expect!r} was not on screen within {timeout:.0f} s; it showed:\n{tail}")
            # Not pilot.pause(): it gives up after 30 s of a busy screen (10,000 cards mounting).
            await asyncio.sleep(0.01)
        result["shown_s"] = time.perf_counter() - started
        await app.workers.wait_for_complete()
        await settle(pilot, timeout)
        result["rss_mb"] = peak_rss_mb()
        result["stores"] = len(home_screen.stores)
        if not home_screen.stores:
            return result

        await press_and_settle(pilot, "slash", timeout)
        box = home_screen.query_one("#filter", Input)
        if app.focused is not box:
            raise SystemExit("/ did not focus the filter box")
        box.cursor_blink = False  # a blinking cursor would add frames of its own
        filter_keys = [k for k, _ in zip(cycle(FILTER_KEYS), range(keys), strict=False)]
        result["filter_pilot_ms"], result["filter_repaint_ms"] = await _timed_presses(
            pilot, frames, filter_keys, budget
        )
        result["filter_final"] = box.value

        await press_and_settle(pilot, "escape", timeout)  # clears the filter, focuses the first card
        first = home_screen.focused_store()
        if first is None:
            raise SystemExit("escape in the filter left no store card focused")
        result["focus_pilot_ms"], result["focus_repaint_ms"] = await _timed_presses(
            pilot, frames, ["right"] * keys, budget
        )
        last = home_screen.focused_store()
        result["focus_moved"] = last is not None and last.id != first.id
        app.exit()
    return result


async def probe_bare(keys: int) -> dict[str, Any]:
    from benchmarks.bare_app import BareApp

    app = BareApp()
    frames = spy_on_frames(app)
    result: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        result["rss_mb"] = peak_rss_mb()
        # Pilot's own floor: a key nothing is bound to, so the app does no work and paints nothing.
        result["pilot_floor_ms"], _ = await _timed_presses(pilot, frames, ["x"] * keys, 60.0)
        app.exit()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.probe")
    parser.add_argument("what", choices=("app", "bare"))
    parser.add_argument("home", nargs="?", type=Path)
    parser.add_argument("--expect", default="", help="text on screen once the home is shown")
    parser.add_argument("--keys", type=int, default=20, help="keystrokes and focus moves to time")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per timed phase at most")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the home")
    args = parser.parse_args(argv)
    if args.what == "app":
        if args.home is None:
            parser.error("app needs HOME")
        result = asyncio.run(probe_app(args.home, args.expect, args.keys, args.budget, args.timeout))
    else:
        result = asyncio.run(probe_bare(args.keys))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
