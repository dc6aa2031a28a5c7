"""`asc-tui authorizations list`: each seller's authorization per region and the stores it covers."""

from __future__ import annotations

import argparse

from asc_tui.cli.output import english_for_json, print_table, registry_for, write_json
from asc_tui.errors import EXIT_OK
from asc_tui.i18n import _, format_count, format_day


def authorizations_command(args: argparse.Namespace) -> int:
    from asc_tui.domain import region_name
    from asc_tui.services.authorization_records import authorization_summaries

    if args.json:
        english_for_json()
    registry = registry_for(args)
    try:
        summaries = authorization_summaries(registry.database)
    finally:
        registry.close()
    if args.json:
        write_json([summary.record() for summary in summaries])
        return EXIT_OK
    from asc_tui.domain import renew_by

    rows = [
        [
            region_name(s.region),
            s.seller_id,
            format_day(renew_by(s.authorized_at).date()) if s.authorized_at else "",
            s.health.label,
            "" if s.days_left is None else format_count(s.days_left),
            ", ".join(s.stores),
        ]
        for s in summaries
    ]
    headers = [_("Region"), _("Seller"), _("Renew by"), _("Authorization"), _("Days left"), _("Stores")]
    print_table(headers, rows, empty=_("No store is connected to Amazon yet."))
    return EXIT_OK
