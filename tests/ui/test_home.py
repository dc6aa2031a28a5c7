"""The home, driven by keystrokes as an admin would, asserting what the screen shows."""

from __future__ import annotations

from textual.widgets import Button, OptionList, Select, Static

from asc_tui.ui.screens.add_store import AddStoreModal
from asc_tui.ui.screens.confirm import ConfirmModal
from asc_tui.ui.screens.edit_store import EditStoreModal
from asc_tui.ui.screens.help import HelpScreen
from asc_tui.ui.screens.store_view import StoreViewScreen

from .helpers import (
    add_through_form,
    card_texts,
    focused_name,
    make_app,
    notifications,
    press,
    ready_home,
    saved_registry,
    shown,
    type_into,
    until_ready,
    wait_until,
)


def stored_names() -> list[str]:
    with saved_registry() as registry:
        return [s.name for s in registry.stores.list_stores()]


async def test_empty_home_shows_presetup_tasks_and_a_prompt() -> None:
    async with ready_home(size=(110, 40)) as (app, _):
        prompt = app.screen.query_one("#empty-prompt", Static)
        assert app.screen.query_one("#empty-state").display and "add your first store" in str(prompt.render())
        checklist = app.screen.query_one("#home-presetup")
        assert len(checklist.options) == 8  # type: ignore[attr-defined]
        assert shown(app) == []


async def test_presetup_ticks_persist() -> None:
    async with ready_home(size=(110, 40)) as (app, pilot):
        app.screen.query_one("#home-presetup").focus()
        await press(pilot, "space")
    with saved_registry() as registry:
        assert registry.presetup.done() == {"cron"}


async def test_add_stores_for_all_four_countries_through_the_form() -> None:
    async with ready_home() as (app, pilot):
        for name, country in (
            ("Amazon Store USA", "US"),
            ("Canada", "CA"),
            ("México", "MX"),
            ("英國店", "UK"),
        ):
            await add_through_form(pilot, name, country)
            assert not isinstance(app.screen, AddStoreModal), f"form stayed open for {name}"
            assert focused_name(app) == name
        assert [s.country for s in app.home.deck.rows] == ["US", "CA", "MX", "UK"]
        first = card_texts(app)[0]
        assert "Not connected" in first and "Connect (c)" in first
        assert not app.screen.query_one("#empty-state").display
    assert stored_names() == ["Amazon Store USA", "Canada", "México", "英國店"]


async def test_a_far_east_store_is_picked_from_the_country_list_by_typing_its_code() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AddStoreModal), "the add form")
        modal = app.screen
        modal.query_one("#website", Select).value = "base"
        type_into(app, "#email", "seller@example.com")
        type_into(app, "#name", "東京店")
        countries = modal.query_one("#country", Select)
        countries.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: countries.expanded, "the country list open")
        overlay = countries.query_one(OptionList)
        lines = [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]
        # The seed's four first, then every other marketplace region by region, each naming its region.
        assert lines[1:6] == [
            "United States (US) · North America",
            "Canada (CA) · North America",
            "Mexico (MX) · North America",
            "United Kingdom (UK) · Europe",
            "Brazil (BR) · North America",
        ]
        assert len(lines) == 1 + 23 and lines[-3:] == [
            "Japan (JP) · Far East",
            "Australia (AU) · Far East",
            "Singapore (SG) · Far East",
        ]
        await pilot.press("j", "p", "enter")
        await wait_until(pilot, lambda: not countries.expanded, "the country list closed")
        assert countries.value == "JP"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, AddStoreModal), "the form closed")
        assert [s.country for s in app.home.deck.rows] == ["JP"]
        assert "www.amazon.co.jp" in card_texts(app)[0]


async def test_form_shows_errors_under_fields_and_keeps_submit_disabled() -> None:
    async with ready_home(("Taken", "US"), size=(120, 50)) as (app, pilot):
        await press(pilot, "a")
        modal = app.screen
        submit = modal.query_one("#submit", Button)
        assert submit.disabled
        type_into(app, "#email", "not-an-email")
        await pilot.pause()
        assert "valid email" in str(modal.query_one("#email-error", Static).render())
        assert submit.disabled
        modal.query_one("#website", Select).value = "base"
        type_into(app, "#email", "ok@example.com")
        type_into(app, "#name", " taken ")
        modal.query_one("#country", Select).value = "US"
        modal.query_one("#product_id_type", Select).value = "ASIN"
        await pilot.pause()
        assert "Magento attribute" in str(modal.query_one("#attribute-error", Static).render())
        modal.query_one("#product_id_type", Select).clear()
        await pilot.pause()
        assert not submit.disabled
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, AddStoreModal)
        assert "already exists" in str(modal.query_one("#name-error", Static).render())
        await press(pilot, "escape")
        assert not isinstance(app.screen, AddStoreModal)
    assert stored_names() == ["Taken"]


async def test_escape_cancels_and_saves_nothing() -> None:
    async with ready_home() as (app, pilot):
        await press(pilot, "a")
        type_into(app, "#name", "Never saved")
        await press(pilot, "escape")
    assert stored_names() == []


async def test_arrows_and_hjkl_move_between_cards() -> None:
    stores = (("One", "US"), ("Two", "CA"), ("Three", "MX"), ("Four", "UK"))
    async with ready_home(*stores, size=(100, 40)) as (app, pilot):  # two columns at this width

        def focused() -> str | None:
            return focused_name(app)

        assert focused() == "One"
        await pilot.press("right")
        assert focused() == "Two"
        await pilot.press("j")
        assert focused() == "Four"
        await pilot.press("h")
        assert focused() == "Three"
        await pilot.press("up")
        assert focused() == "One"
        await pilot.press("l", "down")
        assert focused() == "Four"


async def test_edit_name_and_email_with_website_and_country_read_only() -> None:
    async with ready_home(("Old name", "US")) as (app, pilot):
        await press(pilot, "e")
        modal = app.screen
        assert isinstance(modal, EditStoreModal)
        assert "fixed" in str(modal.query(".help").last().render())
        type_into(app, "#name", "New name")
        type_into(app, "#email", "new@example.com")
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, EditStoreModal)
        assert "New name" in card_texts(app)[0]
    assert stored_names() == ["New name"]


async def test_filter_narrows_cards_as_you_type_and_escape_clears() -> None:
    async with ready_home(("Amazon Store USA", "US"), ("Tienda", "MX"), ("英國店", "UK")) as (app, pilot):
        await pilot.press("/")
        await press(pilot, *"mex")
        assert shown(app) == ["Tienda"]
        await press(pilot, "backspace", "backspace", "backspace", *"zzz")
        assert "No store matches" in str(app.screen.query_one("#no-match", Static).render())
        await press(pilot, "escape")
        assert len(shown(app)) == 3


async def test_deactivating_a_not_connected_store_is_refused_with_a_reason() -> None:
    async with ready_home(("Fresh", "US")) as (app, pilot):
        await press(pilot, "t")
        messages = notifications(app)
        assert any("not connected to Amazon yet" in m for m in messages)
    with saved_registry() as registry:
        assert registry.stores.list_stores()[0].status == "not_connected"


async def test_delete_asks_naming_the_store_and_cancel_keeps_it() -> None:
    async with ready_home(("Keep me", "US"), ("Delete me", "CA")) as (app, pilot):
        await press(pilot, "right", "d")
        assert isinstance(app.screen, ConfirmModal)
        assert "Delete me" in str(app.screen.query_one("#question", Static).render())
        await press(pilot, "escape")
        assert stored_names() == ["Keep me", "Delete me"]
        await press(pilot, "d")
        app.screen.query_one("#confirm", Button).press()
        await pilot.pause()
        assert shown(app) == ["Keep me"]
    assert stored_names() == ["Keep me"]


async def test_enter_opens_the_store_view_with_its_activity_log() -> None:
    async with ready_home(("Viewed", "UK")) as (app, pilot):
        await press(pilot, "enter")
        assert isinstance(app.screen, StoreViewScreen)
        details = str(app.screen.query_one("#view-details", Static).render())
        assert "United Kingdom" in details and "Default Store View" in details
        assert app.screen.query_one("#activity").row_count == 1  # type: ignore[attr-defined]
        await press(pilot, "escape")
        assert not isinstance(app.screen, StoreViewScreen)


async def test_help_lists_every_key() -> None:
    async with ready_home() as (app, pilot):
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#keys")
        keys = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}  # type: ignore[attr-defined]
        assert {"a", "enter", "c", "e", "t", "d", "/", "?", "q", "ctrl+p"} <= keys


async def test_palette_lists_store_actions() -> None:
    async with ready_home(("[b]Palette[/b] store", "US")) as (app, pilot):
        await press(pilot, "ctrl+p")
        await pilot.press(*"delete pal")
        from textual.command import CommandList

        def prompts() -> list[str]:
            options = app.screen.query_one(CommandList)
            return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]

        # The name is shown as typed, markup and all, never interpreted. (The palette searches in the
        # background: wait for its answer, not for a clock.)
        await wait_until(
            pilot,
            lambda: any("Delete: [b]Palette[/b] store" in p for p in prompts()),
            "the store's delete command",
        )


async def test_markup_and_escapes_in_names_are_shown_literally() -> None:
    async with ready_home(("[bold red]x[/]", "US")) as (app, _):
        assert "[bold red]x[/]" in card_texts(app)[0]


async def test_stores_survive_a_restart() -> None:
    async with ready_home() as (_, pilot):
        await add_through_form(pilot, "Persisted", "CA")
    async with ready_home() as (app, _):
        assert shown(app) == ["Persisted"]


async def test_an_unusable_database_exits_with_the_sentence(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 100)
    app = make_app(str(bad))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.return_code is not None, "the app to exit by itself")
    assert app.return_code == 2
    assert app.fatal_error is not None and "not an asc-tui database" in str(app.fatal_error)
