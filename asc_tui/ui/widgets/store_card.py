"""The lines of a store card (Adobe's store card, in a terminal), shared by the home's deck and the store view."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text

from asc_tui.domain import MARKETPLACES, AuthHealth, StoreStatus, renew_by, store_health
from asc_tui.domain.health import HomeHealth, health_flags
from asc_tui.i18n import _, format_day, format_money
from asc_tui.ui.text import fill, literal_line, local_time

if TYPE_CHECKING:
    # Only for types: importing the tables would pull SQLModel into the first frame.
    from asc_tui.storage.models import Store

STATUS_STYLE = {
    StoreStatus.NOT_CONNECTED: "dim",
    StoreStatus.ACTIVE: "bold green",
    StoreStatus.INACTIVE: "yellow",
}
HEALTH_STYLE = {
    AuthHealth.NONE: "dim",
    AuthHealth.OK: "green",
    AuthHealth.RENEW_SOON: "bold yellow",
    AuthHealth.EXPIRED: "bold red",
    AuthHealth.REVOKED: "bold red",
}


def status_line(store: Store) -> Text:
    """The status and, once connected, the authorization's health: the line a card must never cut short,
    so it carries nothing else (at 160 columns a card is 47 columns wide)."""
    status = StoreStatus(store.status)
    line = Text.assemble(("● ", STATUS_STYLE[status]), (status.label, STATUS_STYLE[status]))
    health, days = store_health(store)
    if status is StoreStatus.NOT_CONNECTED or health is AuthHealth.NONE:
        line.append("   " + _("next: Connect (c)"), style="italic")
        return line
    if days is None or health is AuthHealth.EXPIRED:
        label = _("Authorization {health}").format(health=health.label)
    elif health is AuthHealth.OK:
        label = _("Authorized, {days} days left").format(days=days)
    else:
        label = _("{health}, {days} days left").format(health=health.label, days=days)
    line.append("   " + label, style=HEALTH_STYLE[health])
    return line


def authorization_line(store: Store, secret_missing: bool = False) -> Text:
    """Who the store sells as, and whether this machine lacks its token."""
    health, _days = store_health(store)
    line = Text.assemble((_("Seller ID") + " ", "dim"), literal_line(store.seller_id or "—"))
    if secret_missing and health is not AuthHealth.NONE:
        line.append("   " + _("Reconnect needed"), style="bold yellow")
    return line


def renewal_line(store: Store) -> Text:
    """When the authorization was given and when it must be renewed (365 days later), with days left."""
    if store.authorized_at is None:
        return Text(_("Not authorized yet: press c to connect it to Amazon."), style="dim")
    health, days = store_health(store)
    authorized = format_day(store.authorized_at.astimezone().date())
    until = format_day(renew_by(store.authorized_at).astimezone().date())
    if health is AuthHealth.REVOKED:
        said = _("Authorized {authorized}; revoked by the seller: press c to connect again.")
    elif health is AuthHealth.EXPIRED:
        said = _("Authorized {authorized}; expired on {renew_by}: press c to renew.")
    else:
        said = _("Authorized {authorized}; renew by {renew_by} ({days} days left).")
    return Text(said.format(authorized=authorized, renew_by=until, days=days), style=HEALTH_STYLE[health])


def title_line(store: Store) -> Text:
    return Text.assemble((f" {store.country} ", "reverse bold"), " ", literal_line(store.name, "bold"))


def website_line(store: Store, website_name: str | None) -> Text:
    marketplace = MARKETPLACES.get(store.country)
    where = marketplace.domain if marketplace else store.country
    if website_name is None:
        # The catalog no longer has this website: flagged, never silently changed.
        return Text.assemble(
            (_("Website") + " ", "dim"),
            literal_line(store.website),
            (" ⚠ " + _("not in the catalog any more"), "bold yellow"),
            ("   ", ""),
            (where, "dim"),
        )
    label = f"{website_name} ({store.website})"
    return Text.assemble((_("Website") + " ", "dim"), literal_line(label), ("   ", ""), (where, "dim"))


def dates_line(store: Store) -> Text:
    # One sentence, so a language can shorten the labels and the gap to keep both dates on a card.
    return fill(
        _("Updated {updated}   Created {created}"),
        style="dim",
        updated=local_time(store.updated_at),
        created=local_time(store.created_at),
    )


# --- store health on a card --------------------------------------------------------------------------

SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[Decimal], width: int) -> str:
    """The values as `width` bars at most (neighbouring days share a bar when the card is narrow)."""
    if not values or width < 1:
        return ""
    per_bar = -(-len(values) // width)
    bars = [sum(values[i : i + per_bar], Decimal(0)) for i in range(0, len(values), per_bar)]
    top = max(bars)
    if top <= 0:
        return SPARK[0] * len(bars)
    return "".join(
        # A day of refunds (a negative total) draws as the lowest bar, never as an index from the end.
        SPARK[max(0, min(len(SPARK) - 1, int(bar / top * (len(SPARK) - 1) + Decimal("0.5"))))]
        for bar in bars
    )


def sales_line(health: HomeHealth, width: int) -> Text:
    """The card's last line once Amazon has answered: 30 days of sales as bars, and their total."""
    if health.sales_30d is None:
        said = _("Sales not known yet: {problem}").format(problem=health.problem or "…")
        return literal_line(said, "dim")  # the problem may quote Amazon: one line, no control characters
    total = _("{amount} in 30 days").format(
        amount=format_money(health.sales_30d.amount, health.sales_30d.currency)
    )
    bars = sparkline(health.daily_sales, min(30, width - cell_len(total) - 1))
    return Text.assemble((bars, "green"), (" " if bars else "", ""), (total, ""))


def warning_line(health: HomeHealth) -> Text | None:
    """What in the last check needs the admin, in a few words each (the store view says it in full)."""
    flags = health_flags(health)
    if not flags:
        return None
    style = "bold red" if health.problem else "bold yellow"
    return Text.assemble(("⚠ ", style), (" · ".join(flags), style))
