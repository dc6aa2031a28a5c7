"""What the home's banner says: the database gone away, authorizations to renew (by how soon, as
`[health] renew_warn_days` groups them), the app's own problem with Amazon, and the keyring's state."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from asc_tui.domain import MARKETPLACES, AuthHealth, authorization_key, region_name, store_health
from asc_tui.i18n import _, format_count
from asc_tui.ui.text import fill, literal

if TYPE_CHECKING:
    from asc_tui.storage.models import Store
    from asc_tui.ui.app import AscApp

NAMES_SHOWN = 3


def _names(stores: Sequence[Store]) -> str:
    """The stores, one entry per authorization: a seller's stores in one region share one consent, and
    renewing any of them renews them all, so they are named together."""
    groups: dict[object, list[Store]] = {}
    for store in stores:
        groups.setdefault(authorization_key(store.seller_id, store.country, store.id), []).append(store)
    entries = []
    for group in groups.values():
        if len(group) == 1:
            entries.append(group[0].name)
            continue
        region = MARKETPLACES[group[0].country].region
        entries.append(
            _("{first} and {count} more on one {region} authorization").format(
                first=group[0].name, count=format_count(len(group) - 1), region=region_name(region)
            )
        )
    shown = ", ".join(entries[:NAMES_SHOWN])
    return shown + (" …" if len(entries) > NAMES_SHOWN else "")


def banner_lines(app: AscApp, stores: Sequence[Store]) -> list[Text]:
    lines: list[Text] = []
    if db_notice := app.registry_watch.db_notice:
        lines.append(Text.assemble(("⚠ ", "bold"), literal(db_notice)))
    lost: list[Store] = []  # expired or revoked: connect again
    soon: dict[int, list[Store]] = {}  # by the smallest threshold its days left are within
    thresholds = sorted(app.config.health.renew_warn_days)
    for store in stores:
        health, days = store_health(store)
        if health in (AuthHealth.EXPIRED, AuthHealth.REVOKED):
            lost.append(store)
        elif days is not None and health is not AuthHealth.NONE:
            within = next((t for t in thresholds if days <= t), None)
            if within is not None:
                soon.setdefault(within, []).append(store)
    if lost:
        lines.append(
            fill(
                _(
                    "⚠ {count} store(s) need their Amazon authorization renewed: {names}. Press c on one store of each."
                ),
                count=format_count(len(lost)),
                names=literal(_names(lost)),
            )
        )
    for within in sorted(soon):
        lines.append(
            fill(
                _("⚠ Authorization ends within {days} days: {names}. Press c on one store of each to renew."),
                days=format_count(within),
                names=literal(_names(soon[within])),
            )
        )
    if health_problem := app.health_checks.app_problem:
        problem = _("{problem} Fix it in Settings (s).").format(problem=health_problem)
        lines.append(Text.assemble(("⚠ ", "bold red"), literal(problem)))
    if secrets_notice := app.secrets_notice:
        lines.append(Text.assemble((_("Secrets: "), "bold"), literal(secrets_notice)))
    return lines
