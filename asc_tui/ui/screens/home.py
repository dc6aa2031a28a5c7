"""The Amazon Sales Channel home: a responsive grid of store cards, the filter and the pre-setup tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ItemGrid, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, LoadingIndicator, Static

from asc_tui.domain import matches_filter, store_health
from asc_tui.ui.text import literal
from asc_tui.ui.widgets.presetup import PreSetupChecklist
from asc_tui.ui.widgets.store_card import StoreCard

if TYPE_CHECKING:
    from asc_tui.storage.models import Store
    from asc_tui.ui.app import AscApp

EMPTY_PROMPT = (
    "No Amazon store yet. Review the pre-setup tasks below, then press [b]a[/b] to add your first store: "
    "one store for each Amazon marketplace you sell in."
)


class HomeScreen(Screen[None]):
    BINDINGS = [
        Binding("a", "add", "Add store", id="add-store", tooltip="Add an Amazon store"),
        Binding("enter", "on_store('view_store')", "View", id="view-store", tooltip="Open the focused store"),
        Binding(
            "c",
            "on_store('connect_store')",
            "Connect",
            id="connect-store",
            tooltip="Connect to Amazon, or renew",
        ),
        Binding("e", "on_store('edit_store')", "Edit", id="edit-store", tooltip="Edit name and email"),
        Binding("t", "on_store('toggle_store')", "Activate/Deactivate", id="toggle-store"),
        Binding(
            "d",
            "on_store('delete_store')",
            "Delete",
            id="delete-store",
            tooltip="Delete the store (asks first)",
        ),
        Binding(
            "slash", "filter", "Filter", id="filter", tooltip="Filter by name, country, website or status"
        ),
        Binding("p", "learn", "Learn and prepare", id="learn", show=False),
        Binding(
            "s", "settings", "Settings", id="settings", show=False, tooltip="Amazon app, Commerce, keyring"
        ),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("left,h", "move('left')", "Left", show=False),
        Binding("right,l", "move('right')", "Right", show=False),
        Binding("up,k", "move('up')", "Up", show=False),
        Binding("down,j", "move('down')", "Down", show=False),
    ]

    # Focus goes to a card once the stores are loaded; never to the hidden filter box.
    AUTO_FOCUS = ""

    def __init__(self) -> None:
        super().__init__(id="home")
        self.stores: list[Store] = []
        self.loaded = False

    @property
    def asc(self) -> AscApp:
        from asc_tui.ui.app import AscApp

        assert isinstance(self.app, AscApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        yield Static("", id="banner")
        yield Static("", id="catalog-status")
        filter_box = Input(
            placeholder="Filter by name, country, website or status (escape clears)", id="filter"
        )
        filter_box.display = False
        yield filter_box
        # Outside the scrolling grid, so the checklist's own scrolling never moves the prompt away.
        with Vertical(id="empty-state"):
            yield Static(EMPTY_PROMPT, id="empty-prompt")
        with VerticalScroll(id="home-body", can_focus=False):
            yield LoadingIndicator(id="loading")
            yield ItemGrid(id="cards", min_column_width=44)
            yield Static("", id="no-match")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#empty-state").display = False
        self.query_one("#no-match").display = False
        self.query_one("#banner").display = False
        self.query_one("#catalog-status").display = False

    # --- loading ---------------------------------------------------------------------------------

    def show_stores(self, stores: list[Store], focus_id: int | None = None) -> None:
        """Show these stores; keep (or move) focus to the given store's card."""
        self.loaded = True
        self.query_one("#loading").display = False
        previous = self.focused_store()
        keep = focus_id if focus_id is not None else (previous.id if previous else None)
        self.stores = stores
        grid = self.query_one("#cards", ItemGrid)
        existing = {card.store.id: card for card in grid.query(StoreCard)}
        wanted = {s.id for s in stores}
        for store_id, stale in existing.items():
            if store_id not in wanted:
                stale.remove()
        catalog = self.asc.catalog
        new_cards = []
        for store in stores:
            website = catalog.website(store.website) if catalog else None
            name = website.name if website else None
            shown = existing.get(store.id)
            if shown is not None:
                shown.show(store, name)
            else:
                new_cards.append(StoreCard(store, name))
        if new_cards:
            grid.mount_all(new_cards)
        self._show_empty_state(not stores)
        self._show_banner()
        self.apply_filter()
        if keep is not None:
            self.call_after_refresh(self.focus_store, keep)

    def _show_empty_state(self, empty: bool) -> None:
        self.query_one("#empty-state").display = empty
        self.query_one("#home-body").display = not empty
        checklists = self.query("#home-presetup")
        if empty and not checklists:
            checklist = PreSetupChecklist(
                self.asc.registry.presetup.done(), self.asc.save_presetup, id="home-presetup"
            )
            self.query_one("#empty-state").mount(checklist)
        elif not empty:
            checklists.remove()

    def show_catalog_status(self, text: str | None) -> None:
        """A line while the catalog is read in the background (its progress), hidden otherwise."""
        status = self.query_one("#catalog-status", Static)
        status.display = text is not None
        if text is not None:
            status.update(literal(f"⟳ {text}"))

    def _show_banner(self) -> None:
        banner = self.query_one("#banner", Static)
        lines: list[Text] = []
        due = [s for s in self.stores if store_health(s)[0].needs_action]
        if due:
            names = ", ".join(s.name for s in due[:3]) + (" …" if len(due) > 3 else "")
            lines.append(
                Text.assemble(
                    f"⚠ {len(due)} store(s) need their Amazon authorization renewed: ",
                    literal(names),
                    ". Press c on each.",
                )
            )
        if self.asc.secrets_notice:
            lines.append(Text.assemble(("Secrets: ", "bold"), literal(self.asc.secrets_notice)))
        banner.update(Text("\n").join(lines))
        banner.display = bool(lines)

    # --- focus and movement ----------------------------------------------------------------------

    def visible_cards(self) -> list[StoreCard]:
        return [card for card in self.query(StoreCard) if card.display]

    def focused_store(self) -> Store | None:
        focused = self.focused
        return focused.store if isinstance(focused, StoreCard) else None

    def focus_store(self, store_id: int) -> None:
        for card in self.visible_cards():
            if card.store.id == store_id:
                card.focus()
                card.scroll_visible(animate=False)
                return

    def action_move(self, direction: str) -> None:
        cards = self.visible_cards()
        if not cards:
            return
        current = self.focused
        if not isinstance(current, StoreCard) or current not in cards:
            cards[0].focus()
            return
        index = cards.index(current)
        target: StoreCard | None = None
        if direction == "left" and index > 0:
            target = cards[index - 1]
        elif direction == "right" and index + 1 < len(cards):
            target = cards[index + 1]
        elif direction in ("up", "down"):
            target = self._vertical_neighbour(cards, current, direction)
        if target is not None:
            target.focus()
            target.scroll_visible(animate=False)

    @staticmethod
    def _vertical_neighbour(cards: list[StoreCard], current: StoreCard, direction: str) -> StoreCard | None:
        here = current.region
        if direction == "down":
            rows = [c for c in cards if c.region.y > here.y]
            if not rows:
                return None
            row_y = min(c.region.y for c in rows)
        else:
            rows = [c for c in cards if c.region.y < here.y]
            if not rows:
                return None
            row_y = max(c.region.y for c in rows)
        row = [c for c in rows if c.region.y == row_y]
        return min(row, key=lambda c: abs(c.region.x - here.x))

    # --- filter -------------------------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def apply_filter(self) -> None:
        text = self.query_one("#filter", Input).value
        shown = 0
        for card in self.query(StoreCard):
            card.display = matches_filter(card.store, text)
            shown += card.display
        no_match = self.query_one("#no-match", Static)
        no_match.update(
            Text.assemble("No store matches “", literal(text.strip()), "”. Press escape to clear the filter.")
        )
        no_match.display = bool(self.stores) and shown == 0

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        cards = self.visible_cards()
        if cards:
            cards[0].focus()

    def key_escape(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display:
            box.value = ""
            box.display = False
            self.apply_filter()
            cards = self.visible_cards()
            if cards:
                cards[0].focus()

    # --- actions on the focused store --------------------------------------------------------------

    def action_on_store(self, method: str) -> None:
        """One of the app's store actions (view_store, edit_store, …) on the focused card's store."""
        store = self.focused_store()
        if store is None:
            if not self.stores:
                self.notify("There is no store yet; press a to add one.", severity="warning")
            else:
                self.notify("Move to a store card first (arrow keys).", severity="warning")
            return
        getattr(self.asc, method)(store)

    def action_add(self) -> None:
        self.asc.add_store()

    def action_learn(self) -> None:
        self.asc.learn_and_prepare()

    def action_help(self) -> None:
        self.asc.show_help()

    def action_settings(self) -> None:
        self.asc.open_settings()
