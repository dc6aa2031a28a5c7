"""Thirty days of sales as bars, one column a day, with a cursor the arrow keys move over the days."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from asc_tui.domain.health import DailySales
from asc_tui.i18n import N_

# Eighths of a cell, bottom up: each row of the chart holds eight steps of a bar.
BLOCKS = " ▁▂▃▄▅▆▇█"


def bar_rows(sales: Sequence[Decimal], rows: int) -> list[str]:
    """Each day's bar as `rows` characters, top row first, scaled to the best day.

    A day that sold anything keeps at least one eighth, so a small day never looks like a day with none.
    """
    best = max(sales, default=Decimal(0))
    steps = rows * 8
    columns = []
    for amount in sales:
        level = 0 if best <= 0 or amount <= 0 else max(1, round(amount / best * steps))
        columns.append("".join(BLOCKS[min(8, max(0, level - (rows - 1 - row) * 8))] for row in range(rows)))
    return ["".join(column[row] for column in columns) for row in range(rows)]


class SalesChart(Widget, can_focus=True):
    """Bars of daily sales; left/right move a cursor over the days and post CursorMoved."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"sales-chart--bar", "sales-chart--cursor"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "move(-1)", N_("Day before"), show=False),
        Binding("right,l", "move(1)", N_("Day after"), show=False),
        Binding("home", "jump(0)", N_("First day"), show=False),
        Binding("end", "jump(-1)", N_("Last day"), show=False),
    ]

    cursor: reactive[int] = reactive(0)

    class CursorMoved(Message):
        def __init__(self, day: DailySales) -> None:
            super().__init__()
            self.day = day

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.days: tuple[DailySales, ...] = ()

    def show_days(self, days: Sequence[DailySales]) -> None:
        """New points: the cursor stays on its day when it is still there, else on the newest day."""
        chosen = self.days[self.cursor].date if self.days and self.cursor < len(self.days) else None
        self.days = tuple(days)
        dates = [d.date for d in self.days]
        position = dates.index(chosen) if chosen in dates else len(self.days) - 1
        self.set_reactive(SalesChart.cursor, max(0, position))
        self.refresh()
        if self.days:
            self.post_message(self.CursorMoved(self.days[self.cursor]))

    def action_move(self, step: int) -> None:
        if self.days:
            self.cursor = max(0, min(len(self.days) - 1, self.cursor + step))

    def action_jump(self, index: int) -> None:
        if self.days:
            self.cursor = index % len(self.days)

    def watch_cursor(self, _old: int, new: int) -> None:
        self.refresh()
        if self.days:
            self.post_message(self.CursorMoved(self.days[new]))

    def _column_width(self) -> int:
        # Up to three cells a day (a bar and a gap), one where the terminal is narrow.
        return max(1, min(3, self.size.width // max(1, len(self.days))))

    def render(self) -> Text:
        rows = max(1, self.size.height)
        if not self.days:
            return Text()
        width = self._column_width()
        lines = bar_rows([d.sales for d in self.days], rows)
        bar = self.get_component_rich_style("sales-chart--bar")
        cursor = self.get_component_rich_style("sales-chart--cursor")
        text = Text(no_wrap=True, overflow="crop", end="")
        for row, line in enumerate(lines):
            for index, block in enumerate(line):
                if index == self.cursor:  # the whole column, so a day without sales shows it too
                    text.append(block * width, style=cursor)
                else:
                    text.append(block if width == 1 else block * (width - 1) + " ", style=bar)
            if row < rows - 1:
                text.append("\n")
        return text

    # The cursor's style depends on focus (app.tcss): paint it again when focus comes or goes.
    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
