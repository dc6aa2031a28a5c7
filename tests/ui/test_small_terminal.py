"""80×24 and other small terminals: what must stay in view (help, quit, a form's keys, the connect steps,
the card's health line), what is offered only when it applies, and a checklist readable without colour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rich.cells import cell_len
from sqlalchemy import text
from textual.widgets import Button, Input, Static
from textual.widgets._footer import FooterKey
from textual.widgets._header import HeaderTitle

from asc_tui.ui.app import AscApp
from asc_tui.ui.screens.add_store import AddStoreModal
from asc_tui.ui.screens.help import HelpScreen
from asc_tui.ui.screens.learn import LearnPrepareScreen
from asc_tui.ui.widgets.presetup import PreSetupChecklist

from .helpers import (
    card_texts,
    make_app,
    ready_home,
    sandbox_connect,
    saved_registry,
    seed,
    shown_notifications,
    until,
    until_ready,
)


def footer_keys(app: AscApp) -> dict[str, str]:
    """The keys the footer of the screen on top shows in full, inside the terminal: key -> description."""
    width = app.size.width
    shown: dict[str, str] = {}
    for key in app.screen.query(FooterKey):
        region = key.region
        if region.width > 0 and region.right <= width - 12:  # left of the palette key on the right
            shown[key.key] = str(key.description)
    return shown


async def test_the_footer_at_80_columns_keeps_help_and_quit_and_the_first_steps() -> None:
    async with ready_home(("Shop US", "US"), ("Shop CA", "CA"), size=(80, 24)) as (app, _):
        keys = footer_keys(app)
        assert list(keys)[:6] == ["a", "c", "enter", "slash", "question_mark", "q"]
        assert keys["question_mark"] == "Help" and keys["q"] == "Quit"


async def test_an_empty_registry_offers_only_what_applies() -> None:
    seed()
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until_ready(pilot)
        assert list(footer_keys(app)) == ["a", "question_mark", "q"]
        await pilot.press("c", "e", "d", "t", "enter")  # offered nowhere, and nothing to act on
        assert not shown_notifications(app)


async def test_the_add_form_opens_at_its_top_with_its_keys_in_view() -> None:
    async with ready_home(("Shop US", "US"), size=(80, 24)) as (app, pilot):
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AddStoreModal) and app.screen.focused is not None)
        await pilot.pause()
        form = app.screen
        assert form.query_one("#dialog").scroll_y == 0
        first_label = form.query(".field-label").first()
        assert first_label.region.y >= 0 and "Magento Website" in str(first_label.render())
        assert app.focused is form.query_one("#website")
        keys = footer_keys(app)
        assert keys["tab"] == "Next field" and keys["ctrl+s"] == "Save store" and keys["escape"] == "Cancel"
        assert str(form.query_one("#submit", Button).label) == "Save store"


async def test_the_connect_screen_at_80x24_shows_the_steps_and_the_link_whole() -> None:
    async with sandbox_connect((80, 24)) as (app, pilot, screen):
        await pilot.pause()
        assert screen.query_one("#connect-body").scroll_y == 0
        steps = screen.query_one("#connect-steps", Static)
        rendered = str(steps.render())
        assert "1. Open the link" in rendered and "3. Tick" in rendered
        assert steps.region.bottom <= 24 - 1  # steps 1-3 (the whole panel) above the footer
        link = screen.query_one("#connect-link", Static)
        # On lines of its own, in no box: the link's container draws no border on its lines.
        assert link.parent is screen.query_one("#connect-body")
        assert link.styles.border_left[0] in ("", "none") and link.parent.styles.border_left[0] in (
            "",
            "none",
        )
        shown = link.render()
        assert str(shown) == screen.attempt.consent_url
        assert all(span.style.link == screen.attempt.consent_url for span in shown.spans)  # type: ignore[union-attr]
        assert footer_keys(app)["escape"] == "Cancel"
        # The paste box too, without scrolling: it has the focus, and what is typed shows where it goes.
        paste = screen.query_one("#connect-paste", Input)
        assert app.focused is paste and paste.region.y >= 1 and paste.region.bottom <= 24 - 1


async def test_at_60x20_what_connect_answers_a_paste_is_scrolled_into_view() -> None:
    async with sandbox_connect((60, 20)) as (_, pilot, screen):
        await pilot.pause()
        await pilot.press("x", "enter")
        error = screen.query_one("#connect-error", Static)
        await until(pilot, lambda: "not a web address" in str(error.render()))
        await until(pilot, lambda: error.region.y >= 1 and error.region.bottom <= 20 - 1)
        paste = screen.query_one("#connect-paste", Input)
        assert paste.region.y >= 1  # the pasted text is still in view above it


@pytest.mark.parametrize("width", [80, 120, 160])
async def test_the_cards_health_line_fits(width: int) -> None:
    seed(("Amazon Store USA", "US"), ("Amazon Store Canada", "CA"), ("Amazon Store UK", "UK"))
    now = datetime.now(UTC)
    with saved_registry() as registry, registry.database.engine.begin() as conn:
        for name, authorized in (
            ("Amazon Store USA", now - timedelta(minutes=5)),
            ("Amazon Store Canada", now - timedelta(days=340)),
        ):
            conn.execute(
                text(
                    "UPDATE store SET status='inactive', seller_id='A1SANDBOXNA001', authorized_at=:t "
                    "WHERE name=:n"
                ),
                {"t": authorized, "n": name},
            )
    app = make_app()
    async with app.run_test(size=(width, 40)) as pilot:
        await until_ready(pilot)
        cards = card_texts(app)
        assert "● Inactive   Authorized, 365 days left" in cards[0]
        assert "● Inactive   Renew soon, 25 days left" in cards[1]
        assert "next: Connect (c)" in cards[2]


async def test_ticked_and_unticked_tasks_differ_without_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    seed()
    async with ready_home(size=(80, 24)) as (app, pilot):
        checklist = app.home.query_one(PreSetupChecklist)
        checklist.focus()
        await pilot.press("space")  # ticks the first task
        await pilot.pause()
        first, second = checklist.render_line(0).text, checklist.render_line(1).text
        assert "✓" in first and "1." in first
        assert "✓" not in second and "2." in second


async def test_every_screen_says_how_to_leave_it_and_the_sandbox_header_fits() -> None:
    seed(("Shop US", "US"), sandbox=True)
    app = make_app(sandbox=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        title = app.screen.query_one(HeaderTitle)
        assert cell_len(f"{app.title} — {app.sub_title}") <= title.region.width
        for key, kind in (("question_mark", HelpScreen), ("p", LearnPrepareScreen)):
            await pilot.press(key)
            await until(pilot, lambda kind=kind: isinstance(app.screen, kind))
            await pilot.pause()
            assert footer_keys(app)["escape"] == "Close"
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is app.home)


async def test_the_empty_home_shows_its_checklist_however_fast_the_registry_opens() -> None:
    # An empty registry can open before the home's Mount is handled; the home then hid what it had just
    # shown (about one start in two: a blank home with only its header and footer).
    seed()
    for _start in range(4):
        async with ready_home(size=(80, 24)) as (app, _):
            home = app.home
            assert home.query_one("#empty-state").display
            assert home.query_one(PreSetupChecklist).region.height > 0
            assert not home.query_one("#catalog-status").display and not home.query_one("#no-match").display
