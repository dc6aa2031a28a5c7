"""`asc-tui stores health [NAME] [--refresh] [--json]`: what Amazon last said about each store, for people
and for cron (exit 1 when any store needs the admin)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from asc_tui.cli.output import english_for_json, error, print_table, registry_for, write_json
from asc_tui.errors import EXIT_INVALID, EXIT_OK, StoreNotFound
from asc_tui.i18n import _, format_count, format_moment, format_money, ngettext

if TYPE_CHECKING:
    from asc_tui.domain.health import StoreHealth
    from asc_tui.services.registry import Registry
    from asc_tui.settings.config import Config
    from asc_tui.storage.models import Store


def health_command(args: argparse.Namespace) -> int:
    if args.json:
        english_for_json()
    registry = registry_for(args)
    try:
        try:
            stores = [registry.stores.find(args.name)] if args.name else registry.stores.list_stores()
        except StoreNotFound as exc:
            error(exc.message)
            return EXIT_INVALID
        app_problem = _refresh(registry, stores) if args.refresh else None
        if args.refresh:
            stores = [registry.stores.get(s.id or 0) for s in stores]  # a revocation may be new
        healths = {s.id or 0: registry.health.health_of(s.id or 0) for s in stores}
        return _report(stores, healths, args, app_problem, registry.config)
    finally:
        registry.close()


def _refresh(registry: Registry, stores: list[Store]) -> str | None:
    def progress(done: int, total: int, store: Store | None) -> None:
        if store is not None:
            print(
                _("Asking Amazon about {name} ({done} of {total})…").format(
                    name=store.name, done=format_count(done + 1), total=format_count(total)
                ),
                file=sys.stderr,
            )

    report = registry.health_refresh().refresh(stores, progress=progress)
    return report.app_problem


def _report(
    stores: list[Store],
    healths: dict[int, StoreHealth | None],
    args: argparse.Namespace,
    app_problem: str | None,
    config: Config,
) -> int:
    from asc_tui.domain import AuthHealth, shown_value, store_health, utcnow
    from asc_tui.domain.health import health_warnings
    from asc_tui.services.health_record import health_json

    now = utcnow()
    warn_days = (
        args.warn_days if args.warn_days is not None else max(config.health.renew_warn_days, default=30)
    )
    needing: list[str] = []
    rows = []
    for store in stores:
        health = healths.get(store.id or 0)
        auth, days = store_health(store, now)
        reasons = health_warnings(health)
        if auth in (AuthHealth.EXPIRED, AuthHealth.REVOKED):
            reasons.insert(0, auth.label)
        elif days is not None and (auth.needs_action or days <= warn_days):
            reasons.insert(
                0, _("Renew the authorization within {days} days.").format(days=format_count(days))
            )
        if reasons:
            needing.append(store.name)
        rows.append((store, health, auth, reasons))
    if args.json:
        write_json([health_json(store, health, now) for store, health, _a, _r in rows])
    else:
        headers = [
            _("Name"),
            _("Country"),
            _("Status"),
            _("Orders, 30 days"),
            _("Sales, 30 days"),
            _("Checked"),
        ]
        headers.append(_("Needs"))
        table = []
        for store, health, _auth, reasons in rows:
            sales = health.sales_30d if health is not None else None
            table.append(
                [
                    store.name,
                    store.country,
                    shown_value(store.status),
                    "" if health is None or health.orders_30d is None else format_count(health.orders_30d),
                    "" if sales is None else format_money(sales.amount, sales.currency),
                    _("never")
                    if health is None or health.checked_at is None
                    else format_moment(health.checked_at.astimezone()),
                    " ".join(reasons),
                ]
            )
        print_table(headers, table, empty=_("No stores yet."))
    if app_problem:
        error(app_problem)
    if needing:
        error(
            ngettext(
                "{count} store needs you (its line says why): {names}.",
                "{count} stores need you (each line says why): {names}.",
                len(needing),
            ).format(count=format_count(len(needing)), names=", ".join(needing))
        )
    return EXIT_INVALID if needing or app_problem else EXIT_OK
