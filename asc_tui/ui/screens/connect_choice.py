"""Before connecting a store whose seller already authorized the app in its region: use that authorization
(no browser, no consent), or sign in with another Seller Central account (the connect screen as ever).

Dismissed with the authorization's id, CONSENT for signing in, or None (escape: the store stays as it was).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from asc_tui.i18n import N_, _
from asc_tui.ui.text import literal, plain
from asc_tui.ui.widgets.footer import Footer

if TYPE_CHECKING:
    from asc_tui.services.connect import Reusable

CONSENT = "consent"


class ConnectChoiceScreen(Screen["int | str | None"]):
    DEFAULT_CSS = """
    #choice-body { padding: 1 2; }
    #choice-intro { margin-bottom: 1; }
    #choice-options { height: auto; max-height: 100%; }
    """
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), tooltip=N_("Stop connecting; the store stays as it was")),
    ]

    def __init__(self, store_name: str, country: str, offers: list[Reusable]) -> None:
        super().__init__(id="connect-choice")
        self.store_name = store_name
        self.country = country
        self.offers = offers

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="choice-body"):
            yield Static(
                Text.assemble(
                    (_("This store's seller has already authorized asc-tui in its region."), "bold"),
                    "\n",
                    _(
                        "Amazon's consent covers every marketplace of a region: using it needs no browser "
                        "and no consent, once Amazon lists this store's marketplace for it."
                    ),
                ),
                id="choice-intro",
            )
            options = [
                Option(literal("› " + offer.describe()), id=f"auth-{offer.authorization_id}")
                for offer in self.offers
            ]
            options.append(Option("› " + _("Sign in with another Seller Central account"), id=CONSENT))
            yield OptionList(*options, id="choice-options")
        yield Footer()

    def on_mount(self) -> None:
        self._show_titles()
        self.query_one(OptionList).focus()

    def _show_titles(self) -> None:
        self.title = _("Connect “{name}”").format(name=plain(self.store_name))
        self.sub_title = _("Amazon {country}").format(country=_(self.country))

    async def retranslate(self) -> None:
        from asc_tui.ui.retranslate import rebuild

        highlighted = self.query_one(OptionList).highlighted
        await rebuild(self)
        self._show_titles()
        options = self.query_one(OptionList)
        options.highlighted = highlighted
        options.focus()

    @on(OptionList.OptionSelected, "#choice-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        choice = event.option.id or ""
        if choice == CONSENT:
            self.dismiss(CONSENT)
        elif choice.startswith("auth-"):
            self.dismiss(int(choice.removeprefix("auth-")))

    def action_cancel(self) -> None:
        self.dismiss(None)
