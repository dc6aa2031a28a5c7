"""A newcomer in Traditional Chinese adds a store and connects it in the sandbox, without meeting English."""

from __future__ import annotations

import re

from asc_tui.i18n import _
from asc_tui.ui.screens.add_store import AddStoreModal

from .helpers import (  # noqa: F401  (in_chinese: an autouse fixture)
    card_texts,
    fill_add_form,
    in_chinese,
    make_app,
    open_connect,
    paste_approval,
    screen_text,
    type_into,
    until_closed,
    until_ready,
)

# The words of the app's own chrome, in English: none may be left on a Chinese screen ("Main Website" is
# the shop's data, so "Website" is not among them).
ENGLISH_CHROME = re.compile(
    r"\b(Add store|Not connected|Connect|Settings|Help|Quit|Filter|Store name|Email address|Save|Cancel"
    r"|Seller ID|Authorization|Active|Renew|Paste|Waiting for Amazon|left)\b"
)


def english_left(text: str) -> list[str]:
    return sorted(set(ENGLISH_CHROME.findall(text)))


async def test_a_newcomer_adds_and_connects_a_store_in_chinese() -> None:
    app = make_app(sandbox=True)
    notices: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        original = app.notify

        def notify(message: str, **kwargs: object) -> None:
            notices.append(message)
            original(message, **kwargs)  # type: ignore[arg-type]

        app.notify = notify  # type: ignore[method-assign]
        await until_ready(pilot)
        home = screen_text(pilot)
        assert _("Amazon Sales Channel") in home and english_left(home) == []

        await pilot.press("a")
        for _i in range(100):
            if isinstance(app.screen, AddStoreModal):
                break
            await pilot.pause(0.02)
        form = app.screen
        assert isinstance(form, AddStoreModal)
        await pilot.pause()
        assert english_left(screen_text(pilot)) == []
        await fill_add_form(pilot, "台北旗艦店", "US")
        await pilot.press("ctrl+s")
        for _i in range(100):
            if not isinstance(app.screen, AddStoreModal):
                break
            await pilot.pause(0.02)
        await pilot.pause()
        assert notices and "台北旗艦店" in notices[-1] and english_left(notices[-1]) == []
        assert english_left(" ".join(card_texts(app))) == []

        await open_connect(pilot)
        assert english_left(screen_text(pilot)) == []
        await paste_approval(pilot)
        await until_closed(pilot)
        assert english_left(notices[-1]) == [] and "台北旗艦店" in notices[-1]
        card = card_texts(app)[0]
        assert _("Active") in card and english_left(card) == []
