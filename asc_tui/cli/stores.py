"""`asc-tui stores …`: add, import, list, export and connect stores."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asc_tui.cli.output import (
    config_for,
    day,
    error,
    print_table,
    registry_for,
    visible,
    write_json,
)
from asc_tui.errors import EXIT_INVALID, EXIT_OK, StoreValidationError
from asc_tui.i18n import _, format_count

if TYPE_CHECKING:
    from asc_tui.services.registry import Registry


# --- stores -----------------------------------------------------------------------------------------


def stores_command(args: argparse.Namespace) -> int:
    from asc_tui.domain import StoreDraft

    if args.stores_command in ("list", "export"):
        return _list(readable_stores(args), as_json=args.json, export=args.stores_command == "export")
    if args.stores_command == "health":
        from asc_tui.cli.health import health_command

        return health_command(args)
    registry = registry_for(args)
    try:
        action = args.stores_command
        if action == "add":
            draft = StoreDraft(
                name=args.name,
                email=args.email,
                country=args.country,
                website=args.website,
                product_id_type=args.product_id_type,
                attribute=args.attribute,
            )
            try:
                store = registry.stores.add(draft)
            except StoreValidationError as exc:
                for field, message in exc.errors.items():
                    error(f"{field.replace('_', '-')}: {message}")
                return EXIT_INVALID
            print(
                _("Added store {name!r} ({country}, website {website}).").format(
                    name=store.name, country=store.country, website=store.website
                ),
                file=sys.stderr,
            )
            return EXIT_OK
        if action == "import":
            return _import(registry, args.file)
        if action == "connect":
            from asc_tui.cli.connect import connect_store

            return connect_store(
                registry,
                args.name,
                seller_id=args.seller_id,
                browser=not args.no_browser,
                authorization=args.authorization,
                new_authorization=args.new_authorization,
            )
        raise AssertionError(action)
    finally:
        registry.close()


def _import(registry: Registry, path: Path) -> int:
    from asc_tui.domain import name_key
    from asc_tui.services.importing import ImportProblems, read_import_file

    rows = read_import_file(path)
    if not rows:
        print(visible(_("{path} holds no stores; nothing was imported.").format(path=path)), file=sys.stderr)
        return EXIT_OK
    problems: list[str] = []
    seen: set[str] = set()
    existing = registry.stores.name_keys()
    for row in rows:
        try:
            registry.stores.check(row.draft, taken=seen, existing=existing)
            seen.add(name_key(row.draft.name))
        except StoreValidationError as exc:
            problems.extend(
                _("{where}: {problem}").format(where=row.where, problem=message)
                for message in exc.errors.values()
            )
    if problems:
        raise ImportProblems(path, problems)
    added = registry.stores.import_many([row.draft for row in rows])
    print(
        visible(
            _("Imported {count} store(s) from {path}.").format(count=format_count(len(added)), path=path)
        ),
        file=sys.stderr,
    )
    connected = sum(row.was_connected for row in rows)
    if connected:
        print(
            _(
                "{count} of them were connected to Amazon when exported; they come back not connected, "
                "because an export never holds secrets: connect each again (c in the dashboard, or "
                "`asc-tui stores connect NAME`)."
            ).format(count=format_count(connected)),
            file=sys.stderr,
        )
    return EXIT_OK


def readable_stores(args: argparse.Namespace) -> list[Any]:
    """The stores, oldest first: straight from a current SQLite file when possible, else the registry.

    Reading 10,000 rows with the standard library takes a fraction of importing SQLModel.
    """
    from asc_tui.storage.quick_read import read_home

    config_for(args)  # a broken config is reported the same way by every command
    quick = read_home(args.db, args.sandbox)
    if quick is not None:
        return list(quick.stores)
    registry = registry_for(args)
    try:
        return list(registry.stores.list_stores())
    finally:
        registry.close()


def _list(stores: list[Any], *, as_json: bool, export: bool) -> int:
    from asc_tui.domain import utcnow
    from asc_tui.services.records import RECORD_KEYS, store_record

    now = utcnow()
    records = [store_record(s, now) for s in stores]
    if as_json:
        write_json(records)
    elif export:
        import csv

        from asc_tui.services.csv_cells import neutralise

        writer = csv.DictWriter(sys.stdout, fieldnames=list(RECORD_KEYS), lineterminator="\n")
        writer.writeheader()
        for record in records:
            # No cell a spreadsheet would run as a formula (a store name such as =HYPERLINK(…)).
            writer.writerow({k: neutralise("" if v is None else str(v)) for k, v in record.items()})
    else:
        from asc_tui.domain import shown_value

        print_table(
            [
                _("Name"),
                _("Country"),
                _("Website"),
                _("Status"),
                _("Authorization"),
                _("Seller ID"),
                _("Created"),
            ],
            [
                [
                    r["name"],
                    r["country"],
                    r["website"],
                    shown_value(r["status"]),
                    shown_value(r["auth_health"]),
                    r["seller_id"] or "",
                    day(r["created_at"]),
                ]
                for r in records
            ],
            empty=_("No stores yet; add one with `asc-tui stores add` or in the dashboard."),
        )
    return EXIT_OK
