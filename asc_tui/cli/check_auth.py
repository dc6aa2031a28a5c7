"""`asc-tui check-auth`: each store's authorization health, for cron."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from asc_tui.cli.output import (
    english_for_json,
    error,
    print_table,
    registry_for,
    write_json,
)
from asc_tui.cli.stores import readable_stores
from asc_tui.errors import EXIT_ENVIRONMENT, EXIT_INVALID, EXIT_OK
from asc_tui.i18n import _, format_count, ngettext

if TYPE_CHECKING:
    pass


# --- authorization health ---------------------------------------------------------------------------


def check_auth_command(args: argparse.Namespace) -> int:
    from asc_tui.domain import AuthHealth, shown_value, store_health, utcnow
    from asc_tui.services.records import store_record

    if args.json:
        english_for_json()

    registry = registry_for(args) if args.online else None
    try:
        now = utcnow()
        notes: dict[int, str] = {}
        unanswered = 0  # stores Login with Amazon could not be asked about (a fault on the way)
        if registry is not None:
            for store in registry.stores.list_stores():
                _health, note, answered = registry.connect.check_online(store)
                notes[store.id or 0] = note
                unanswered += not answered
            stores: list[Any] = list(registry.stores.list_stores())  # again: a revocation may be new
        else:
            stores = readable_stores(args)
        results = []
        needs_action = False
        for store in stores:
            health, days = store_health(store, now)
            needs_action |= health.needs_action
            results.append((store, health, days))
        if args.json:
            out = [
                {
                    **store_record(s, now),
                    "days_left": d,
                    **({"online": notes[s.id or 0]} if args.online else {}),
                }
                for s, _h, d in results
            ]
            write_json(out)
        else:
            headers = [_("Name"), _("Country"), _("Status"), _("Authorization"), _("Days left")]
            rows = [
                [s.name, s.country, shown_value(s.status), h.label, "" if d is None else format_count(d)]
                for s, h, d in results
            ]
            if args.online:
                headers.append(_("Amazon says"))
                for row, (s, _h, _d) in zip(rows, results, strict=True):
                    row.append(notes[s.id or 0])
            print_table(headers, rows, empty=_("No stores yet."))
        if needs_action:
            from asc_tui.domain import authorization_key

            needing = [s for s, h, _d in results if h.needs_action]
            # A seller's stores in one region share one authorization: one renewal serves them all.
            authorizations = {authorization_key(s.seller_id, s.country, s.id) for s in needing}
            error(
                _(
                    "{count} store(s) need their Amazon authorization renewed ({authorizations} "
                    "authorization(s)); renew one store of each: c on its card, or asc-tui stores connect NAME."
                ).format(count=format_count(len(needing)), authorizations=format_count(len(authorizations)))
            )
        if unanswered:
            # Cron must not read "all fine" from a check that could not be made: an environment problem.
            error(
                ngettext(
                    "Login with Amazon could not be asked about {count} store (its line says why), so its "
                    "authorization was not checked online; try again later.",
                    "Login with Amazon could not be asked about {count} stores (each line says why), so "
                    "their authorizations were not checked online; try again later.",
                    unanswered,
                ).format(count=format_count(unanswered))
            )
        if needs_action:
            return EXIT_INVALID
        if unanswered:
            return EXIT_ENVIRONMENT
        if not any(h is not AuthHealth.NONE for _s, h, _d in results):
            print(_("No store is connected to Amazon yet."), file=sys.stderr)
        return EXIT_OK
    finally:
        if registry is not None:
            registry.close()
