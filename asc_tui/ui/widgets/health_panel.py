"""The store view's health section: what Amazon last said about the store, its 30 days of sales as a chart,
what needs the admin, and the communication log's rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from asc_tui.domain import StoreStatus
from asc_tui.domain.health import (
    CommunicationEntry,
    DailySales,
    Money,
    StoreHealth,
    average_unit_price,
    health_warnings,
)
from asc_tui.i18n import _, format_count, format_money, format_weekday_day, ngettext
from asc_tui.ui.text import fill, literal, literal_line, local_time
from asc_tui.ui.widgets.sales_chart import SalesChart

if TYPE_CHECKING:
    from asc_tui.storage.models import Store

WARNING_STYLE = "bold yellow"


def money_text(money: Money | None) -> str:
    return "—" if money is None else format_money(money.amount, money.currency)


def count_text(count: int | None) -> str:
    return "—" if count is None else format_count(count)


def day_line(day: DailySales, currency: str) -> str:
    """ "Mon 23 Nov 2026: 4 orders, 5 units, US$79.96": the day under the chart's cursor."""
    orders = ngettext("{count} order", "{count} orders", day.orders).format(count=format_count(day.orders))
    units = ngettext("{count} unit", "{count} units", day.units).format(count=format_count(day.units))
    return _("{day}: {orders}, {units}, {sales}").format(
        day=format_weekday_day(day.date), orders=orders, units=units, sales=format_money(day.sales, currency)
    )


def figures_line(health: StoreHealth) -> Text:
    return fill(
        _("Orders {orders}   Units {units}   Sales {sales}   Average unit price {average}"),
        style="dim",
        orders=Text(count_text(health.orders_30d)),
        units=Text(count_text(health.units_30d)),
        sales=Text(money_text(health.sales_30d), style="bold"),
        average=Text(money_text(average_unit_price(health))),
    )


def standing_line(health: StoreHealth) -> Text:
    def said(value: bool | None, yes: str, no: str) -> Text:
        return Text("—") if value is None else Text(yes if value else no)

    return fill(
        _("Participating {participating}   Suspended listings {suspended}   Listings with errors {errors}"),
        style="dim",
        participating=said(health.is_participating, _("yes"), _("no")),
        suspended=said(health.has_suspended_listings, _("yes"), _("none")),
        errors=Text(count_text(health.listings_with_errors)),
    )


def warnings_text(health: StoreHealth, seller_central: str | None) -> Text:
    """health_warnings, one a line, and where to act on the listings: the marketplace's Seller Central."""
    text = Text()
    for warning in health_warnings(health):
        if text:
            text.append("\n")
        text.append("⚠ ", style=WARNING_STYLE)
        text.append(literal(warning, WARNING_STYLE))  # a failed check's sentence may quote Amazon
    if seller_central and (health.has_suspended_listings or health.listings_with_errors):
        text.append("\n")
        text.append(
            fill(
                _("Seller Central: {link}"),
                link=Text(seller_central, style=f"underline link {seller_central}"),
            )
        )
    return text


def log_row(entry: CommunicationEntry) -> tuple[str, Text, Text, Text]:
    """One logged call: Amazon's words as they came, but never as terminal control or extra lines."""
    return (
        local_time(entry.at),
        literal_line(entry.operation),
        literal_line(entry.code),
        literal_line(entry.message),
    )


class HealthPanel(Vertical):
    """Filled by `show`; a store not connected yet gets one line saying when health appears."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._currency = ""  # the 30 days' currency, for the day under the chart's cursor

    def compose(self) -> ComposeResult:
        yield Static(id="health-checked")
        yield Static(id="health-figures")
        yield SalesChart(id="health-chart")
        yield Static(id="health-day")
        yield Static(id="health-standing")
        yield Static(id="health-warnings")

    def on_mount(self) -> None:
        self.border_title = _("Health, last 30 days")

    def show(
        self, store: Store, health: StoreHealth | None, seller_central: str | None, asking: bool
    ) -> None:
        connected = store.status != StoreStatus.NOT_CONNECTED.value
        if not connected:
            said = _("Health appears here once the store is connected to Amazon (c).")
        elif health is None or health.checked_at is None:
            said = _("Not checked yet: press r")
        else:
            said = _("Checked {moment}").format(moment=local_time(health.checked_at))
        line = Text(said, style="dim")
        if connected and health is not None and health.checked_at is not None and not asking:
            line.append("   " + _("r: ask again"), style="dim italic")
        if asking:
            line.append("   " + _("Asking Amazon…"), style=WARNING_STYLE)
        self.query_one("#health-checked", Static).update(line)
        known = health if connected and health is not None and health.checked_at is not None else None
        self._show_figures(known, seller_central)

    def _show_figures(self, health: StoreHealth | None, seller_central: str | None) -> None:
        figures = self.query_one("#health-figures", Static)
        chart = self.query_one("#health-chart", SalesChart)
        day = self.query_one("#health-day", Static)
        standing = self.query_one("#health-standing", Static)
        warnings = self.query_one("#health-warnings", Static)
        figures.display = standing.display = health is not None
        chart.display = day.display = health is not None and bool(health.daily)
        if health is None:
            warnings.display = False
            return
        self._currency = health.sales_30d.currency if health.sales_30d else ""
        figures.update(figures_line(health))
        standing.update(standing_line(health))
        shown = warnings_text(health, seller_central)
        warnings.update(shown)
        warnings.display = bool(shown)
        chart.show_days(health.daily)

    @on(SalesChart.CursorMoved)
    def _day_chosen(self, event: SalesChart.CursorMoved) -> None:
        self.query_one("#health-day", Static).update(day_line(event.day, self._currency))
