"""Hostile store names in the TUI: cards, the store view, the forms and the notifications.

A fixed list rather than Hypothesis (Pilot is slow). What must hold: markup in a name stays literal text,
control characters never reach the terminal (they show as U+FFFD), the app never crashes, and every
refusal is one sentence under the field with nothing saved.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static

from asc_tui.services.registry import open_registry
from asc_tui.ui.app import AscApp
from asc_tui.ui.screens.add_store import AddStoreModal
from asc_tui.ui.screens.edit_store import EditStoreModal
from asc_tui.ui.screens.store_view import StoreViewScreen
from tests.ui.helpers import (
    card_texts,
    notifications,
    press,
    ready_home,
    saved_registry,
    screen_text,
    seed,
    terminal_output,
    type_into,
    wait_until,
)

from .nasty import NASTY, expected_name, is_one_sentence, raw_controls

# Names the registry accepts, shown exactly as typed.
ACCEPTED = [
    NASTY[label]
    for label in (
        "markup_bold",
        "markup_link",
        "markup_close",
        "markup_at",
        "cjk",
        "emoji_zwj",
        "combining",
        "arabic",
        "sql_quote",
        "percent",
        "long_80_wide",
    )
]
# Names the registry refuses, as they might still be in a database written by something else.
LEGACY = {
    "ansi_clear": NASTY["ansi_clear"],
    "bell": NASTY["bell"],
    "bidi": NASTY["bidi_override"],
    "c1_csi": "csi\x9b31mred",
    "osc_title": NASTY["ansi_title"],
    "newline": "line one\nline two",
    "tab": "tab\there",
}
# What the screen may send for itself: colours (CSI … m) and cursor moves (CSI … H); nothing else.
OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;]*[mH]")


def assert_terminal_clean(app: AscApp) -> None:
    output = OWN_SEQUENCES.sub("", terminal_output(app))
    assert not raw_controls(output.replace("\n", "")), sorted(set(raw_controls(output.replace("\n", ""))))
    assert "\x1b" not in output


def shown_form(name: str) -> str:
    """A name as a card or a title shows it: control characters (tabs and line breaks too) as U+FFFD."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", "\ufffd", name)


def write_legacy_names() -> list[str]:
    """Stores whose names never passed validation (written by an older version or a SQL console)."""
    seed(*((f"legacy {label}", "US") for label in LEGACY))
    registry = open_registry()
    try:
        with registry.database.engine.begin() as conn:
            for label, name in LEGACY.items():
                conn.execute(
                    text("UPDATE store SET name = :n, name_key = :k WHERE name = :old"),
                    {"n": name, "k": name.casefold(), "old": f"legacy {label}"},
                )
    finally:
        registry.close()
    return list(LEGACY.values())


def text_of(widget: Static) -> str:
    return str(widget.render())


async def open_add_form(pilot: Pilot[None]) -> AddStoreModal:
    await press(pilot, "a")
    modal = pilot.app.screen
    assert isinstance(modal, AddStoreModal)
    modal.query_one("#website", Select).value = "base"
    modal.query_one("#country", Select).value = "UK"
    type_into(modal.app, "#email", "seller@example.com")  # type: ignore[arg-type]
    await pilot.pause()
    return modal


async def test_cards_and_store_views_show_hostile_names_literally() -> None:
    seed(*((name, "US") for name in ACCEPTED))
    legacy = write_legacy_names()
    names = [expected_name(n) or "" for n in ACCEPTED] + legacy
    async with ready_home(size=(200, 80)) as (app, pilot):
        cards = card_texts(app)
        assert len(cards) == len(names)
        for card, name in zip(cards, names, strict=True):
            lines = card.splitlines()
            assert len(lines) == 7 and "Updated" in lines[5], card  # five lines in a border: its shape holds
            title = lines[1]
            shown = shown_form(name)
            if shown in title:
                continue
            # Too long for the card: the start of the name and an ellipsis, never other text.
            cut = title.split(" US  ", 1)[1].strip(" │┃").rstrip()
            assert cut.endswith("…") and shown.startswith(cut[:-1]), (title, name)
        assert_terminal_clean(app)
        for index, name in enumerate(names):
            app.home.deck.move_cursor(index)
            await press(pilot, "enter")
            view = app.screen
            assert isinstance(view, StoreViewScreen)
            assert shown_form(name) in text_of(view.query_one("#view-title", Static)).replace("\n", "")
            assert view.title == shown_form(name)  # drawn as plain text (Content), never markup
            assert shown_form(name) in screen_text(app).replace("\n", "") or len(name) > 40
            assert_terminal_clean(app)
            await press(pilot, "escape")
        assert app.return_code is None and app._exception is None


async def test_adding_shows_refusals_literally_and_quotes_accepted_names_in_the_notification() -> None:
    async with ready_home(size=(140, 60)) as (app, pilot):
        modal = await open_add_form(pilot)
        error = modal.query_one("#name-error", Static)
        for label in (
            "ansi_clear",
            "bell",
            "bidi_override",
            "nul",
            "line_separator",
            "zero_width_only",
            "10k",
            "whitespace",
        ):
            type_into(app, "#name", NASTY[label])
            await pilot.pause()
            message = text_of(error)
            assert error.display and is_one_sentence(message), (label, message)
            assert modal.query_one("#submit", Button).disabled
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, AddStoreModal), label
            assert is_one_sentence(text_of(error)), label
            assert_terminal_clean(app)
        await press(pilot, "escape")
        with saved_registry() as registry:
            assert registry.stores.count() == 0

        for name in (NASTY["markup_bold"], NASTY["markup_link"], NASTY["markup_close"], NASTY["emoji_zwj"]):
            await open_add_form(pilot)
            type_into(app, "#name", name)
            await pilot.pause()
            await press(pilot, "ctrl+s")
            assert not isinstance(app.screen, AddStoreModal), name
            assert f"Store “{name}” added." in notifications(app)[-1]
            assert any(name in card for card in card_texts(app)), name
            assert_terminal_clean(app)

        # The same names again (one in another case): the refusal names the existing store as it is stored,
        # markup and all.
        for name, stored in (
            (NASTY["markup_bold"].upper(), NASTY["markup_bold"]),
            (NASTY["markup_close"], NASTY["markup_close"]),
            (NASTY["markup_link"], NASTY["markup_link"]),
        ):
            modal = await open_add_form(pilot)
            type_into(app, "#name", name)
            await pilot.pause()
            await press(pilot, "ctrl+s")
            assert app.screen is modal, name
            message = text_of(modal.query_one("#name-error", Static))
            assert message == f"A store named {stored!r} already exists; choose another name.", message
            assert_terminal_clean(app)
            await press(pilot, "escape")
        assert app._exception is None
    with saved_registry() as registry:
        assert [s.name for s in registry.stores.list_stores()] == [
            NASTY["markup_bold"],
            NASTY["markup_link"],
            NASTY["markup_close"],
            NASTY["emoji_zwj"],
        ]


async def test_editing_to_hostile_names_saves_literally_or_says_why() -> None:
    async with ready_home(("Shop", "US"), (NASTY["markup_close"], "UK"), size=(140, 60)) as (app, pilot):
        for value, saved in (
            (NASTY["ansi_clear"], None),
            (NASTY["bidi_override"], None),
            (NASTY["10k"], None),
            (NASTY["markup_close"], None),  # taken by the other store
            (NASTY["markup_link"], NASTY["markup_link"]),
            ("  " + NASTY["combining"] + "  ", expected_name(NASTY["combining"])),
        ):
            app.home.deck.move_cursor(0)
            await press(pilot, "e")
            modal = app.screen
            assert isinstance(modal, EditStoreModal)
            type_into(app, "#name", value)
            await press(pilot, "ctrl+s")
            if saved is None:
                assert app.screen is modal
                message = text_of(modal.query_one("#name-error", Static))
                assert is_one_sentence(message), message
                if value == NASTY["markup_close"]:
                    assert message == f"A store named {value!r} already exists; choose another name."
                assert_terminal_clean(app)
                await press(pilot, "escape")
            else:
                assert not isinstance(app.screen, EditStoreModal)
                assert notifications(app)[-1] == f"Store “{saved}” saved."
                assert saved in card_texts(app)[0]
                assert_terminal_clean(app)
            with saved_registry() as registry:
                stored = [s.name for s in registry.stores.list_stores()]
            assert stored[1] == NASTY["markup_close"]
            if saved is not None:
                assert stored[0] == saved
        assert app._exception is None


async def test_email_with_markup_shows_literally_in_the_store_view() -> None:
    with saved_registry() as registry:
        from asc_tui.domain import StoreDraft

        registry.stores.add(StoreDraft("Shop", "[bold]x[/bold]@例え.example", "US", "base", "ASIN", "sku"))
    async with ready_home(size=(140, 50)) as (app, pilot):
        await press(pilot, "enter")
        details = text_of(app.screen.query_one("#view-details", Static))
        assert "[bold]x[/bold]@例え.example" in details
        assert_terminal_clean(app)


async def test_the_command_palette_lists_hostile_names_literally() -> None:
    seed((NASTY["markup_link"], "US"))
    write_legacy_names()
    async with ready_home(size=(140, 50)) as (app, pilot):
        await press(pilot, "ctrl+p")
        for query, shown in (
            ("evil", "[link=http://evil.example]y[/link]"),
            ("line", "line one\ufffdline two"),
        ):
            app.screen.query_one(Input).value = query
            expected = f"View: {shown}"
            await wait_until(
                pilot, lambda e=expected: e in screen_text(app), f"the palette's answer to {query!r}"
            )
            assert_terminal_clean(app)
        app.screen.query_one(Input).value = "shop"
        await wait_until(
            pilot, lambda: "View: shop\ufffd[2J" in screen_text(app), "the palette's answer to 'shop'"
        )
        assert_terminal_clean(app)
        assert app._exception is None
