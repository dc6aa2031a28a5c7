"""`asc-tui catalog refresh|show`: the Commerce catalog."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from asc_tui.cli.output import (
    print_table,
    registry_for,
    visible,
    write_json,
)
from asc_tui.errors import EXIT_OK
from asc_tui.i18n import _, format_count, format_day

if TYPE_CHECKING:
    pass


# --- catalog ----------------------------------------------------------------------------------------


def catalog_command(args: argparse.Namespace) -> int:
    from asc_tui.commerce.catalog import catalog_source

    registry = registry_for(args)
    try:
        if args.catalog_command == "refresh":
            source = registry.catalog.source
            if hasattr(source, "progress") and sys.stderr.isatty():

                def progress(what: str, done: int, total: int) -> None:
                    shown = _("Reading {what}: {done}/{total}").format(
                        what=_(what), done=format_count(done), total=format_count(total)
                    )
                    print(f"\r{shown}   ", end="", file=sys.stderr, flush=True)

                source.progress = progress
            catalog = registry.catalog.refresh()
            if sys.stderr.isatty():
                print("\r", end="", file=sys.stderr)
            print(
                visible(
                    _("Catalog read from {source}: {websites} website(s), {attributes} attribute(s).").format(
                        source=catalog_source(catalog.source),
                        websites=format_count(len(catalog.websites)),
                        attributes=format_count(len(catalog.attributes)),
                    )
                ),
                file=sys.stderr,
            )
            return EXIT_OK
        catalog = registry.catalog.current()
        if args.json:
            write_json(catalog.to_json())
            return EXIT_OK
        fetched = catalog.fetched_at
        print(
            visible(
                _("Source: {source}, fetched {when} UTC").format(
                    source=catalog_source(catalog.source),
                    when=f"{format_day(fetched.date())} {fetched:%H:%M}",
                )
            )
        )
        print_table(
            [_("Website"), _("Name"), _("Default store view")],
            [[w.code, w.name, w.default_store_view] for w in catalog.websites],
            empty=_("No websites."),
        )
        print_table(
            [_("Attribute"), _("Label")],
            [[a.code, a.label] for a in catalog.attributes],
            empty=_("No attributes."),
        )
        return EXIT_OK
    finally:
        registry.close()
