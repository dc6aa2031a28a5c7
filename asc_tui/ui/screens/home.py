"""The Amazon Sales Channel home: a responsive grid of store cards, the filter and the pre-setup tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Header, Input, LoadingIndicator, Static

from asc_tui.domain import filter_key
from asc_tui.i18n import N_, _
from asc_tui.ui.app_reach import asc_app
from asc_tui.ui.text import VisibleControls, fill, literal
from asc_tui.ui.textual_internals import QuietFocusScreen
from asc_tui.ui.widgets.footer import Footer
from asc_tui.ui.widgets.presetup import PreSetupChecklist
from asc_tui.ui.widgets.store_deck import StoreDeck

if TYPE_CHECKING:
    from asc_tui.domain.health import HomeHealth
    from asc_tui.storage.models import Store

_W = TypeVar("_W", bound=Widget)


def _hidden(widget: _W) -> _W:
    widget.display = False
    return widget


EMPTY_PROMPT = N_(
    "No Amazon store yet. Review the pre-setup tasks below, then press [b]a[/b] to add your first store: "
    "one store for each Amazon marketplace you sell in."
)


class FilterBox(Input):
    """The home's filter box: typing in it does not lay the whole screen out again on every key."""

    @property
    def content_width(self) -> int:
        # Input sizes its scrollable content to the text, and each new size is a layout of the screen. While
        # the text fits, the content is as wide as the box, so keys change nothing but the text.
        return max(super().content_width, self.content_region.width)


# The actions of the home's priority keys: in the filter box, their keys are letters of the filter.
_OPENING_ACTIONS = frozenset({"add", "on_store", "filter", "help", "learn", "settings"})


class HomeScreen(QuietFocusScreen):
    # The footer shows these in this order, what a newcomer needs first; at 80 columns the last ones may
    # not fit, so help and quit come before them, and `?` lists every key.
    BINDINGS = [
        # The keys that open a screen have priority (as `/` does): handled as the app reads them, before
        # the keys typed after them are sent on; bound plainly, they went round the focused card first, and
        # a tab typed right after `a` was spent on the home. In the filter box they are letters (check_action).
        Binding(
            "a", "add", N_("Add store"), id="add-store", tooltip=N_("Add an Amazon store"), priority=True
        ),
        Binding(
            "c",
            "on_store('connect_store')",
            N_("Connect"),
            id="connect-store",
            tooltip=N_("Connect to Amazon, or renew"),
            priority=True,
        ),
        Binding(
            "enter",
            "on_store('view_store')",
            N_("View"),
            id="view-store",
            tooltip=N_("Open the focused store"),
        ),
        Binding(
            "slash",
            "filter",
            N_("Filter"),
            id="filter",
            tooltip=N_("Filter by name, country, website or status"),
            # Bound plainly, `/` went to the focused card first and came back, and by then "Sho" of
            # "/Shop" had gone to the cards too.
            priority=True,
        ),
        Binding("question_mark", "help", N_("Help"), id="help", priority=True),
        Binding("q", "app.quit", N_("Quit"), id="home-quit", tooltip=N_("Quit asc-tui")),
        Binding(
            "e",
            "on_store('edit_store')",
            N_("Edit"),
            id="edit-store",
            tooltip=N_("Edit name and email"),
            priority=True,
        ),
        Binding(
            "d",
            "on_store('delete_store')",
            N_("Delete"),
            id="delete-store",
            tooltip=N_("Delete the store (asks first)"),
            priority=True,
        ),
        Binding(
            "t",
            "on_store('toggle_store')",
            N_("Activate/Deactivate"),
            id="toggle-store",
            show=False,
            priority=True,
        ),
        Binding("p", "learn", N_("Learn and prepare"), id="learn", show=False, priority=True),
        Binding(
            "s",
            "settings",
            N_("Settings"),
            id="settings",
            show=False,
            tooltip=N_("Amazon app, Commerce, keyring"),
            priority=True,
        ),
        Binding("left,h", "move('left')", N_("Left"), show=False),
        Binding("right,l", "move('right')", N_("Right"), show=False),
        Binding("up,k", "move('up')", N_("Up"), show=False),
        Binding("down,j", "move('down')", N_("Down"), show=False),
    ]

    # Focus goes to a card once the stores are loaded; never to the hidden filter box.
    AUTO_FOCUS = ""

    # The keys whose action needs the open registry: typed before it is open, they wait for it (AscApp).
    REGISTRY_KEYS: ClassVar[frozenset[str]] = frozenset()
    ADD_KEYS: ClassVar[frozenset[str]] = frozenset({"a"})  # these need only the catalog

    def __init__(self) -> None:
        super().__init__(id="home")
        self.stores: list[Store] = []
        self._keys: list[str] = []  # each store's filter_key, computed once per load
        self.loaded = False
        self._rebuilding = False  # between removing the old widgets and mounting the new ones
        self._waiting: tuple[int | None] | None = None  # stores given before there were cards to show them

    @property
    def typing_filter(self) -> bool:
        """The admin is typing in the filter box: the cards arriving must not take the focus from it."""
        return isinstance(self.focused, Input)

    def compose(self) -> ComposeResult:
        # Hidden from the start here, not in on_mount: the registry may be read (and these shown) between
        # compose and the Mount handler on a loaded machine, and hiding them there left an empty home.
        yield Header(icon="◆")
        # In the header's line while it is open, not a line of its own: the cards stay where they are, and
        # opening it changes one line on the terminal, not every card (over SSH, the whole screen's bytes).
        with _hidden(Horizontal(id="filter-bar")):
            yield Static(_("Filter:"), id="filter-label")
            yield FilterBox(
                placeholder=_("name, country, website or status"),
                id="filter",
                compact=True,
                highlighter=VisibleControls(),
            )
            yield Static(_("esc clears · enter: to the cards"), id="filter-keys")
        # Outside the scrolling grid, so the checklist's own scrolling never moves the prompt away.
        with _hidden(Vertical(id="empty-state")):
            yield Static(_(EMPTY_PROMPT), id="empty-prompt")
            yield Static(self._setup_hint(), id="empty-setup")
        with Vertical(id="home-body"):
            yield LoadingIndicator(id="loading")
            yield _hidden(Static("", id="no-match"))
            yield StoreDeck(self._website_name, self._secret_missing, self._health, id="cards")
        # Below the cards, not above them: appearing once the keyring or the database has answered, a notice
        # there shortens the view from the bottom instead of moving every card down (a layout shift, and on
        # the terminal every card drawn again).
        yield _hidden(Static("", id="banner"))
        yield _hidden(Static("", id="catalog-status"))
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what applies: with no store, nothing to view, connect, edit or filter (the footer
        leaves those keys out). Keys typed before the stores are read wait for them (AscApp)."""
        if action in _OPENING_ACTIONS and self.typing_filter:
            return False  # typed in the filter box, these keys are part of the filter (they have priority)
        if action == "on_store":
            return bool(self.stores)
        if action == "filter":
            # Typed at the first frame, before the stores are read: it filters them.
            return bool(self.stores) or not self.loaded
        return True

    def on_mount(self) -> None:
        # The widgets that wait for the stores start hidden (compose): nothing shown here needs hiding.
        self._show_waiting()

    def _show_waiting(self) -> None:
        if self._waiting is not None:
            (focus_id,) = self._waiting
            self._waiting = None
            self.show_stores(self.stores, focus_id)

    async def retranslate(self) -> None:
        """The language changed: compose again, then show the same stores, filter and cursor."""
        from asc_tui.ui.retranslate import rebuild

        current = self.deck.cursor_store
        filter_shown = self.query_one("#filter-bar").display
        self._rebuilding = True
        try:
            await rebuild(self)
        finally:
            self._rebuilding = False
        self._show_waiting()
        self._show_filter_bar(filter_shown)
        if self.loaded:
            self.show_stores(self.stores, focus_id=current.id if current else None)

    # --- loading ---------------------------------------------------------------------------------

    def show_stores(self, stores: list[Store], focus_id: int | None = None) -> None:
        """Show these stores; keep (or move) the cursor to the given store's card."""
        if self._rebuilding or not self.query("#cards"):
            # Not composed (yet, or again in another language, or any more as the app closes): shown
            # once it is (on_mount), never drawn into widgets that are not there.
            self.stores = stores
            self._keys = [filter_key(s) for s in stores]
            self._waiting = (focus_id,)
            return
        self.loaded = True
        self.query_one("#loading").display = False
        current = self.deck.cursor_store
        keep = focus_id if focus_id is not None else (current.id if current else None)
        self.stores = stores
        self._keys = [filter_key(s) for s in stores]
        self.deck.forget()
        self._show_empty_state(not stores)
        self.refresh_bindings()  # the footer offers the store keys once there are stores
        self._show_banner()
        self.apply_filter(keep_store_id=keep)
        if focus_id is not None or (stores and not isinstance(self.focused, Input)):
            self.deck.focus()

    def _setup_hint(self) -> str:
        """On the empty home: where to set up the Amazon app when none is configured (empty otherwise)."""
        app = asc_app(self.app)
        amazon = app.config.amazon
        if app.sandbox or (amazon.application_id.strip() and amazon.client_id.strip()):
            return ""
        return _(
            "No Amazon app is configured yet, so stores cannot be connected: press s for Settings (your "
            "SP-API app's IDs), or try the whole flow offline with asc-tui --sandbox."
        )

    def _website_name(self, store: Store) -> str | None:
        catalog = asc_app(self.app).catalog
        website = catalog.website(store.website) if catalog else None
        return website.name if website else None

    def _secret_missing(self, store: Store) -> bool:
        return store.id in asc_app(self.app).missing_secrets

    def _health(self, store: Store) -> HomeHealth | None:
        return asc_app(self.app).registry_watch.health.get(store.id or 0)

    def _show_empty_state(self, empty: bool) -> None:
        self.query_one("#empty-state").display = empty
        hint = self._setup_hint() if empty else ""
        setup = self.query_one("#empty-setup", Static)
        setup.update(hint)
        setup.display = bool(hint)
        self.query_one("#home-body").display = not empty
        checklists = self.query("#home-presetup")
        if empty and not checklists:
            app = asc_app(self.app)
            checklist = PreSetupChecklist(app.registry.presetup.done(), app.save_presetup, id="home-presetup")
            self.query_one("#empty-state").mount(checklist)
        elif not empty:
            checklists.remove()

    def show_setup_hint(self) -> None:
        """The config changed (Settings closed): say again whether an Amazon app is still to be set up."""
        if self.loaded and not self._rebuilding:
            self._show_empty_state(not self.stores)

    def show_catalog_status(self, text: str | None) -> None:
        """A line while the catalog is read in the background (its progress), hidden otherwise."""
        if self._rebuilding:
            return
        status = self.query_one("#catalog-status", Static)
        status.display = text is not None
        if text is not None:
            status.update(literal(f"⟳ {text}"))

    def show_banner(self) -> None:
        """Redraw the banner (the app calls this when the database goes away or comes back)."""
        self._show_banner()

    def redraw_notices(self) -> None:
        """The app's notices changed (keyring state, tokens missing here): banner and cards again."""
        if self.loaded and not self._rebuilding:
            self._show_banner()
            self.deck.forget()

    def _show_banner(self) -> None:
        if self._rebuilding:
            return
        from asc_tui.ui.widgets.home_banner import banner_lines

        banner = self.query_one("#banner", Static)
        lines = banner_lines(asc_app(self.app), self.stores)
        banner.update(Text("\n").join(lines))
        banner.display = bool(lines)

    # --- focus and movement ----------------------------------------------------------------------

    @property
    def deck(self) -> StoreDeck:
        return self.query_one("#cards", StoreDeck)

    def focused_store(self) -> Store | None:
        """The store under the cursor while the cards have focus."""
        return self.deck.cursor_store if self.focused is self.deck else None

    def focus_store(self, store_id: int) -> None:
        index = self.deck.index_of(store_id)
        if index is not None:
            self.deck.move_cursor(index)
            self.deck.focus()

    def action_move(self, direction: str) -> None:
        if self.focused is not self.deck:
            self.deck.focus()
            return
        self.deck.move(direction)

    @on(StoreDeck.Chosen)
    def _chosen(self, event: StoreDeck.Chosen) -> None:
        asc_app(self.app).view_store(event.store)

    # --- filter -------------------------------------------------------------------------------------

    def action_filter(self) -> None:
        self._show_filter_bar(True)
        # At once, not after the keys already waiting (Widget.focus defers): typed right after `/`, they
        # belong in the box, not to the cards.
        self.set_focus(self.query_one("#filter", Input))

    def _show_filter_bar(self, shown: bool) -> None:
        self.query_one("#filter-bar").display = shown
        self.query_one(Header).display = not shown

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.apply_filter()

    def apply_filter(self, keep_store_id: int | None = None) -> None:
        text = self.query_one("#filter", Input).value
        needle = text.strip().casefold()
        shown = (
            [store for store, key in zip(self.stores, self._keys, strict=True) if needle in key]
            if needle
            else self.stores
        )
        self.deck.show(shown, keep_store_id=keep_store_id)
        self.deck.display = bool(shown)
        no_match = self.query_one("#no-match", Static)
        nothing = bool(self.stores) and not shown
        if nothing:  # only then: updating a hidden line would still lay the screen out on every keystroke
            no_match.update(
                fill(
                    _("No store matches “{text}”. Press escape to clear the filter."),
                    text=literal(text.strip()),
                )
            )
        no_match.display = nothing

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.deck.move_cursor(0)
        self.deck.focus()

    def key_escape(self) -> None:
        box = self.query_one("#filter", Input)
        if self.query_one("#filter-bar").display:
            box.value = ""
            self._show_filter_bar(False)
            current = self.deck.cursor_store
            self.apply_filter(keep_store_id=current.id if current else None)
            self.deck.focus()

    # --- actions on the focused store --------------------------------------------------------------

    def action_on_store(self, method: str) -> None:
        """One of the app's store actions (view_store, edit_store, …) on the focused card's store."""
        if asc_app(self.app).defer_until_ready(lambda: self.action_on_store(method)):
            return
        store = self.focused_store()
        if store is None:
            if not self.stores:
                self.notify(_("There is no store yet; press a to add one."), severity="warning")
            else:
                self.notify(_("Move to a store card first (arrow keys)."), severity="warning")
            return
        getattr(asc_app(self.app), method)(store)

    def action_add(self) -> None:
        asc_app(self.app).add_store()

    def action_learn(self) -> None:
        asc_app(self.app).learn_and_prepare()

    def action_help(self) -> None:
        asc_app(self.app).show_help()

    def action_settings(self) -> None:
        asc_app(self.app).open_settings()


HomeScreen.REGISTRY_KEYS = frozenset(
    key.strip()
    for binding in HomeScreen.BINDINGS
    if isinstance(binding, Binding) and binding.action.startswith(("add", "on_store", "learn"))
    for key in binding.key.split(",")
)
