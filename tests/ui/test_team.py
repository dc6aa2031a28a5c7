"""A team on one registry: two admins' apps side by side, and a database that goes away and comes back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from asc_tui.storage.models import Store
from asc_tui.ui import registry_watch as registry_watch_module
from asc_tui.ui.app import AscApp
from asc_tui.ui.screens.add_store import AddStoreModal
from asc_tui.ui.screens.edit_store import EditStoreModal
from tests.support.pg import PostgresServer

from .helpers import (
    add_through_form,
    make_app,
    notifications,
    press,
    ready_home,
    saved_registry,
    seed,
    shown,
    type_into,
    until_ready,
)


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], seconds: float, what: str) -> float:
    """Let the app run (no key pressed) until the condition holds; how long it took. The limits are generous
    (failing is the signal, not the time): a loaded machine may be several times slower."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            pytest.fail(f"after {seconds} s still not: {what}")
        await pilot.pause(0.05)
    return time.monotonic() - started


def banner(app: AscApp) -> str:
    widget = app.home.query_one("#banner", Static)
    return str(widget.render()) if widget.display else ""


async def test_two_admins_see_each_others_changes_without_pressing_anything(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two copies of the app on one database (the SQLite file, or PostgreSQL); the poll is quickened
    from its 2 s only to keep the test short."""
    monkeypatch.setattr(registry_watch_module, "POLL_SECONDS", 0.5)
    seed(("Shared", "US"), fixed_times=False)
    first, second = make_app(), make_app()
    async with first.run_test(size=(120, 40)) as one, second.run_test(size=(120, 40)) as two:
        await until_ready(one)
        await until_ready(two)
        assert shown(first) == shown(second) == ["Shared"]

        # The first admin adds a store through the form: it shows up on the second admin's home by itself.
        await add_through_form(one, "Added by the first", "CA", "ca@example.com")
        assert not isinstance(first.screen, AddStoreModal)
        await wait_for(
            two, lambda: "Added by the first" in shown(second), 30, "the new store on the other home"
        )

        # The second admin renames "Shared" while the first has its edit form open on the old version.
        first.home.focus_store(next(s.id or 0 for s in first.home.stores if s.name == "Shared"))
        await one.press("e")
        await one.pause()
        stale_form = first.screen
        assert isinstance(stale_form, EditStoreModal) and stale_form.query_one("#name").value == "Shared"  # type: ignore[attr-defined]
        await two.press("e")
        await two.pause()
        assert isinstance(second.screen, EditStoreModal)
        type_into(second, "#name", "Renamed by the second")
        await two.press("ctrl+s")
        await two.pause()
        assert not isinstance(second.screen, EditStoreModal)
        assert "Renamed by the second" in shown(second)

        # The first admin's form stays as it was (no reload under an open form), even once its poll has read
        # the renamed store; saving is refused.
        reads: list[bool] = []
        read = first.registry_watch.show_read

        def counted(revision: int, stores: list[Store] | None) -> None:
            reads.append(stores is not None and any(s.name == "Renamed by the second" for s in stores))
            read(revision, stores)

        monkeypatch.setattr(first.registry_watch, "show_read", counted)
        await wait_for(one, lambda: any(reads), 30, "the first app's poll reading the rename")
        await one.pause()
        assert first.screen is stale_form
        assert stale_form.query_one("#name").value == "Shared"  # type: ignore[attr-defined]
        type_into(first, "#email", "overwrite@example.com")
        await one.press("ctrl+s")
        await one.pause()
        assert not isinstance(first.screen, EditStoreModal)
        await wait_for(
            one, lambda: any("changed by someone else" in m for m in notifications(first)), 30, "told"
        )
        refused = [m for m in notifications(first) if "changed by someone else" in m]
        assert refused == [
            "Store 'Renamed by the second' was changed by someone else — reloaded; make your change again."
        ]
        assert "Renamed by the second" in shown(first) and "Shared" not in shown(first)
    with saved_registry() as registry:
        renamed = registry.stores.find("Renamed by the second")
        assert renamed.email == "seller@example.com"  # the refused edit overwrote nothing


@pytest.mark.postgres
async def test_a_postgresql_restart_shows_a_banner_and_the_app_recovers(
    pg_server: PostgresServer, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASC_TUI_DATABASE", pg_url)
    monkeypatch.setattr(registry_watch_module, "POLL_SECONDS", 0.3)
    seed(("Kept", "US"), fixed_times=False)
    async with ready_home() as (app, pilot):
        assert shown(app) == ["Kept"] and "database" not in banner(app)

        await asyncio.to_thread(pg_server.stop, "fast")
        try:
            await wait_for(pilot, lambda: "cannot be reached" in banner(app), 30, "the banner")
            said = banner(app)
            assert "retrying every few seconds. Nothing you saved is lost." in said
            assert f"127.0.0.1:{pg_server.port}" in said
            assert shown(app) == ["Kept"]  # what was on screen stays

            # A store action while it is down: one sentence, no crash.
            await pilot.press("t")
            server = f"The PostgreSQL server at 127.0.0.1:{pg_server.port} "
            await wait_for(pilot, lambda: any(m.startswith(server) for m in notifications(app)), 30, "told")
            down = [m for m in notifications(app) if m.startswith(server)]
            assert len(down) == 1 and "\n" not in down[0] and down[0].endswith(".")
            await pilot.press("enter")  # the store view reads the activity log: told, not crashed
            await wait_for(
                pilot,
                lambda: len([m for m in notifications(app) if m.startswith(server)]) == 2,
                30,
                "told again",
            )
            await press(pilot, "escape")
            await press(pilot, "e")
            type_into(app, "#email", "while-down@example.com")
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, EditStoreModal)  # the form keeps what was typed
            assert app.screen.query_one("#email").value == "while-down@example.com"  # type: ignore[attr-defined]
        finally:
            await asyncio.to_thread(pg_server.start)

        # It answers again: the banner goes, and the edit left open can now be saved.
        await wait_for(pilot, lambda: "cannot be reached" not in banner(app), 60, "the banner gone")
        await wait_for(
            pilot, lambda: "The database answers again." in notifications(app), 30, "the notification"
        )
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, EditStoreModal)
        with saved_registry() as registry:
            assert registry.stores.find("Kept").email == "while-down@example.com"
        # And other admins' changes show up again.
        with saved_registry() as registry:
            from asc_tui.domain import StoreDraft

            registry.stores.add(StoreDraft(name="After", email="a@example.com", country="UK", website="base"))
        await wait_for(pilot, lambda: "After" in shown(app), 30, "a change made after the restart")
