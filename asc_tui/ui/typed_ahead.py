"""Keys typed before the registry is open: held, then replayed in order once what they need is there.

Administrators type ahead (`asc-tui` then `a` at once, or `/` then a filter), and over SSH the first frame
shows late anyway. No key may be dropped: a key that needs the registry (and every key after it) waits for
it; `a` waits only for the catalog, which is known long before the registry has opened.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from textual import events
from textual.widgets import Input

from asc_tui.ui.screens.home import HomeScreen

if TYPE_CHECKING:
    from asc_tui.ui.app import AscApp

# Keys that never wait for the registry, even behind held keys: leaving the app is always at once.
AT_ONCE_KEYS = frozenset({"ctrl+c", "ctrl+q"})


class TypedAhead:
    def __init__(self, app: AscApp) -> None:
        self.app = app
        self._held: list[events.Key] = []  # from the first key that needs the registry, in order
        self._holding = False
        self._replaying: events.Key | None = None
        self._running = False

    def hold(self, event: events.Key) -> bool:
        """Keep a key for later when it (or a key before it) needs the registry that is still opening."""
        app = self.app
        if event is self._replaying or event.key in AT_ONCE_KEYS:
            return False
        if not self._holding:
            needs_registry = (
                not app.ready
                and app.screen is app.home
                and not isinstance(app.focused, Input)
                and event.key in HomeScreen.REGISTRY_KEYS
                # The add form opens on the catalog alone, read from the file before the registry opens.
                and not (event.key in HomeScreen.ADD_KEYS and app.catalog is not None)
            )
            if not needs_registry:
                return False
            self._holding = True
        self._held.append(event)
        return True

    def catalog_known(self) -> None:
        # `a` typed before the catalog was known waits no longer for the whole registry.
        if self._held and self._held[0].key in HomeScreen.ADD_KEYS:
            self._start()

    def registry_open(self) -> None:
        if self._held:
            self._start()

    def _start(self) -> None:
        if not self._running:
            self._running = True
            self.app.run_worker(self._replay(), group="typed-ahead", exit_on_error=False)

    async def _replay(self) -> None:
        """Each held key, in order, as if typed now: each one's screen settles before the next one."""
        try:
            while self._held:
                held = self._held.pop(0)
                key = events.Key(held.key, held.character)
                self._replaying = key
                self.app.post_message(key)
                await self._settle()
        finally:
            self._replaying = None
            self._held.clear()
            self._holding = False
            self._running = False

    async def _settle(self) -> None:
        """Until the app and the screen on top have handled what is queued: the same screen and focus
        after two rounds in a row, and a screen that focuses a widget when shown has done so."""
        app = self.app
        seen: tuple[object, object] | None = None
        for _round in range(50):
            await self._drain()
            top = app.screen_stack[-1] if app.screen_stack else None
            now = (top, app.focused)
            waits_for_focus = top is not None and bool(top.AUTO_FOCUS) and app.focused is None
            if now == seen and not waits_for_focus:
                return
            seen = now
            if waits_for_focus:
                await asyncio.sleep(0.005)  # its children are still being mounted

    async def _drain(self) -> None:
        """Wait until the app and every widget of the top screen have handled what was queued so far."""
        app = self.app
        done = asyncio.Event()
        pending = 0

        def one_done() -> None:
            nonlocal pending
            pending -= 1
            if pending == 0:
                done.set()

        pumps: list[Any] = [app]
        if app.screen_stack:
            pumps.extend(app.screen_stack[-1].walk_children(with_self=True))
        for pump in pumps:
            if pump.call_later(one_done):
                pending += 1
        if pending:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), timeout=10)
