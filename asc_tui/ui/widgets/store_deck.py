"""The store cards, drawn line by line: one widget for 1 or 10,000 stores.

Mounting a widget per card costs a few milliseconds each and every layout pass walks them all, so 10,000
cards would take seconds and hundreds of megabytes. The deck is a single scroll view on Textual's line API:
it knows its virtual height (rows × card height), draws only the lines on screen, and keeps each card's
rendered lines in a small cache keyed by what the card shows. The cursor is the focused card; moving it
redraws two cards, and filtering is a new list of rows. Cards look as before: Adobe's store card, with
the same lines as the store view (`store_card`), a rounded border, heavy when focused.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.console import Group
from rich.panel import Panel
from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from asc_tui.domain import StoreStatus, store_health
from asc_tui.i18n import N_
from asc_tui.ui.textual_internals import update_scrollbars
from asc_tui.ui.widgets.store_card import (
    authorization_line,
    dates_line,
    sales_line,
    status_line,
    title_line,
    warning_line,
    website_line,
)

if TYPE_CHECKING:
    from asc_tui.domain.health import HomeHealth
    from asc_tui.storage.models import Store

CARD_HEIGHT = 7  # five lines and the border
MIN_COLUMN_WIDTH = 44
GUTTER = 1
CACHE_CARDS = 512


class StoreDeck(ScrollView, can_focus=True, inherit_bindings=False):
    """Store cards in a responsive grid; arrows and hjkl move the cursor (bound on the home)."""

    COMPONENT_CLASSES = {
        "deck--card",
        "deck--cursor",
        "deck--border",
        "deck--border-muted",
        "deck--border-attention",
        "deck--border-cursor",
    }
    BINDINGS = [
        Binding("left,h", "move('left')", N_("Left"), show=False),
        Binding("right,l", "move('right')", N_("Right"), show=False),
        Binding("up,k", "move('up')", N_("Up"), show=False),
        Binding("down,j", "move('down')", N_("Down"), show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "first", show=False),
        Binding("end", "last", show=False),
    ]

    class Chosen(Message):
        """A card was chosen with the mouse (a click moves the cursor; a second click opens it)."""

        def __init__(self, store: Store) -> None:
            super().__init__()
            self.store = store

    def __init__(
        self,
        website_name: Callable[[Store], str | None],
        secret_missing: Callable[[Store], bool],
        health: Callable[[Store], HomeHealth | None] = lambda _store: None,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._website_name = website_name
        self._secret_missing = secret_missing
        self._health = health
        self.rows: Sequence[Store] = ()
        self.columns = 1
        self.card_width = MIN_COLUMN_WIDTH
        self.cursor = 0
        self._cache: OrderedDict[tuple[object, ...], list[Strip]] = OrderedDict()

    # --- rows ------------------------------------------------------------------------------------------

    def show(self, rows: Sequence[Store], *, keep_store_id: int | None = None) -> None:
        """Show these stores in this order; the cursor stays on the same store when it is still there."""
        self.rows = rows
        index = self.index_of(keep_store_id) if keep_store_id is not None else None
        self.cursor = index if index is not None else min(self.cursor, max(0, len(rows) - 1))
        self._relayout()

    def index_of(self, store_id: int | None) -> int | None:
        return next((i for i, store in enumerate(self.rows) if store.id == store_id), None)

    @property
    def cursor_store(self) -> Store | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def row_count(self) -> int:
        return -(-len(self.rows) // self.columns) if self.rows else 0

    def forget(self) -> None:
        """Drop the rendered cards (a store changed, the catalog or the keyring state did)."""
        self._cache.clear()
        self.refresh()

    # --- layout ----------------------------------------------------------------------------------------

    def on_resize(self, _event: events.Resize) -> None:
        self._relayout()

    def _relayout(self) -> None:
        width = self.scrollable_content_region.width or self.size.width or MIN_COLUMN_WIDTH
        self.columns = max(1, (width + GUTTER) // (MIN_COLUMN_WIDTH + GUTTER))
        self.card_width = max(MIN_COLUMN_WIDTH, (width - GUTTER * (self.columns - 1)) // self.columns)
        size = Size(width, self.row_count * CARD_HEIGHT)
        room = self.container_size.height
        scrolls_before, scrolls_after = self.virtual_size.height > room, size.height > room
        if (
            self.is_mounted
            and room
            and size.width == self.virtual_size.width
            and scrolls_before == scrolls_after
        ):
            # Only the scrollbar's thumb changes (a filter narrowed or widened the list): update it here.
            # Setting virtual_size would lay the whole screen out on every keystroke of the filter.
            self.set_reactive(StoreDeck.virtual_size, size)
            update_scrollbars(self, size)
        else:
            self.virtual_size = size
        self.refresh()

    # --- drawing ---------------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        line = scroll_y + y
        row, within = divmod(line, CARD_HEIGHT)
        width = self.scrollable_content_region.width
        background = self.rich_style
        if row >= self.row_count:
            return Strip.blank(width, background)
        parts: list[Strip] = []
        for column in range(self.columns):
            index = row * self.columns + column
            if column:
                parts.append(Strip.blank(GUTTER, background))
            if index < len(self.rows):
                parts.append(self._card(index)[within])
            else:
                parts.append(Strip.blank(self.card_width, background))
        return Strip.join(parts).crop(scroll_x, scroll_x + width).extend_cell_length(width, background)

    def _card(self, index: int) -> list[Strip]:
        store = self.rows[index]
        focused = index == self.cursor and self.has_focus
        key = (
            store.id,
            store.version,
            store.updated_at,
            focused,
            self.card_width,
            self._website_name(store),
            self._secret_missing(store),
            self._health(store),  # a new check is a new value: the card is drawn again
        )
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        strips = self._render_card(store, focused)
        self._cache[key] = strips
        while len(self._cache) > CACHE_CARDS:
            self._cache.popitem(last=False)
        return strips

    def _render_card(self, store: Store, focused: bool) -> list[Strip]:
        missing = self._secret_missing(store)
        lines = [
            title_line(store),
            website_line(store, self._website_name(store)),
            status_line(store),
            authorization_line(store, missing),
            dates_line(store),
        ]
        health = self._health(store)
        warning = warning_line(health) if health is not None else None
        if health is not None:
            # Once Amazon has answered, what it said matters more on the home than when the row changed
            # (the store view keeps the dates); a warning outranks the seller ID, a missing token does not.
            lines[4] = sales_line(health, self.card_width - 4)
            if warning is not None and not missing:
                lines[3] = warning
        for text in lines:
            text.no_wrap = True
            text.overflow = "ellipsis"
        if focused:
            border, style, frame = "deck--border-cursor", "deck--cursor", box.HEAVY
        elif store_health(store)[0].needs_action or warning is not None:
            border, style, frame = "deck--border-attention", "deck--card", box.ROUNDED
        elif store.status == StoreStatus.NOT_CONNECTED.value:
            border, style, frame = "deck--border-muted", "deck--card", box.ROUNDED
        else:
            border, style, frame = "deck--border", "deck--card", box.ROUNDED
        card_style = self.get_component_rich_style(style)
        panel = Panel(
            Group(*lines),
            box=frame,
            border_style=self.get_component_rich_style(border, partial=True),
            style=card_style,
            padding=(0, 1),
            width=self.card_width,
            height=CARD_HEIGHT,
        )
        console = self.app.console
        options = console.options.update(width=self.card_width, height=CARD_HEIGHT, no_wrap=True)
        rendered = console.render_lines(panel, options, style=card_style, pad=True)
        return [Strip(Segment.simplify(line), self.card_width) for line in rendered[:CARD_HEIGHT]]

    def card_text(self, index: int) -> str:
        """A card's text as the admin reads it (for tests and screen readers of the log)."""
        return "\n".join(strip.text for strip in self._card(index))

    # --- the cursor ------------------------------------------------------------------------------------

    def move_cursor(self, index: int) -> None:
        if not self.rows:
            return
        old = self.cursor
        self.cursor = max(0, min(index, len(self.rows) - 1))
        row = self.cursor // self.columns
        self.scroll_to_region(
            Region(0, row * CARD_HEIGHT, self.scrollable_content_region.width, CARD_HEIGHT),
            animate=False,
            immediate=True,
        )
        self._refresh_card(old)
        self._refresh_card(self.cursor)

    def _refresh_card(self, index: int) -> None:
        row = index // self.columns
        self.refresh(Region(0, row * CARD_HEIGHT - int(self.scroll_y), self.size.width, CARD_HEIGHT))

    def move(self, direction: str) -> None:
        if not self.rows:
            return
        step = {"left": -1, "right": 1, "up": -self.columns, "down": self.columns}[direction]
        target = self.cursor + step
        if direction == "down" and target >= len(self.rows):
            # From the row above a short last row, down lands on that row's last card.
            last_row_start = (len(self.rows) - 1) // self.columns * self.columns
            target = len(self.rows) - 1 if self.cursor < last_row_start else self.cursor
        if 0 <= target < len(self.rows):
            self.move_cursor(target)

    def action_move(self, direction: str) -> None:
        self.move(direction)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self.rows) - 1)

    def action_page(self, pages: int) -> None:
        rows = max(1, self.scrollable_content_region.height // CARD_HEIGHT)
        self.move_cursor(self.cursor + pages * rows * self.columns)

    def on_focus(self) -> None:
        self._refresh_card(self.cursor)

    def on_blur(self) -> None:
        self._refresh_card(self.cursor)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = (offset.y + int(self.scroll_y)) // CARD_HEIGHT
        column = min(self.columns - 1, offset.x // (self.card_width + GUTTER))
        index = row * self.columns + column
        if index < len(self.rows):
            again = index == self.cursor and self.has_focus
            self.move_cursor(index)
            self.focus()
            if again or event.chain > 1:
                self.post_message(self.Chosen(self.rows[index]))
