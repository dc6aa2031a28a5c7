"""Entry point: the TUI by default, subcommands for scripting. Heavy imports wait until they are needed."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from asc_tui import __version__
from asc_tui.errors import EXIT_ENVIRONMENT, EXIT_INVALID, EXIT_OK, AscError, StoreValidationError

if TYPE_CHECKING:
    from asc_tui.services.registry import Registry

PROG = "asc-tui"


def _global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # On the subcommands too (with no default) so `asc-tui stores list --db X` works as well.
    default: Any = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--db",
        metavar="URL_OR_PATH",
        default=default,
        help="database file or SQLAlchemy URL (env ASC_TUI_DATABASE)",
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=default,
        help="config file (env ASC_TUI_CONFIG; default config.toml in the user config dir)",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="use the built-in Amazon emulator and a separate database",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Amazon Sales Channel stores for Adobe Commerce / Magento, in the terminal. "
        "With no command, opens the dashboard.",
    )
    _global_options(parser, top=True)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, top=False)

    stores = commands.add_parser("stores", help="add, import, list and export stores", parents=[common])
    store_commands = stores.add_subparsers(dest="stores_command", metavar="ACTION", required=True)
    add = store_commands.add_parser("add", help="add an Amazon store", parents=[common])
    add.add_argument("--name", required=True, help="store name, for internal reference (unique)")
    add.add_argument("--email", required=True, help="preferred contact email")
    add.add_argument("--country", required=True, help="Amazon marketplace country: US, CA, MX or UK")
    add.add_argument("--website", required=True, help="code of the Magento website used for Amazon listings")
    add.add_argument("--product-id-type", default="", help="ASIN, EAN, GCID, ISBN or UPC")
    add.add_argument("--attribute", default="", help="Magento attribute holding that product ID")
    imp = store_commands.add_parser(
        "import", help="add stores from a CSV or JSON file (all or nothing)", parents=[common]
    )
    imp.add_argument("file", type=Path)
    connect = store_commands.add_parser(
        "connect",
        help="connect (or renew) a store: prints the consent link, waits for Amazon or a pasted address",
        parents=[common],
    )
    connect.add_argument("name", help="the store's name")
    connect.add_argument(
        "--seller-id",
        default=None,
        help="seller ID (Merchant Token), needed when pasting a self-authorization token",
    )
    for name, text in (("list", "list stores"), ("export", "export stores as CSV (or --json)")):
        sub = store_commands.add_parser(name, help=text, parents=[common])
        sub.add_argument("--json", action="store_true", help="write JSON")

    check = commands.add_parser(
        "check-auth", help="each store's authorization health; exit 1 when any needs action", parents=[common]
    )
    check.add_argument("--json", action="store_true", help="write JSON")
    check.add_argument(
        "--online",
        action="store_true",
        help="also ask Login with Amazon whether each authorization still works",
    )

    doctor = commands.add_parser(
        "doctor",
        help="check this machine and the config: keyring, database, Amazon settings, callback address, "
        "browser, stores; exit 1 with a fix per problem",
        parents=[common],
    )
    doctor.add_argument("--json", action="store_true", help="write JSON")

    relay = commands.add_parser(
        "relay-page",
        help="print the static HTML page to host at your HTTPS redirect URI (forwards to the callback worker)",
        parents=[common],
    )
    relay.add_argument("--output", type=Path, default=None, help="write to this file instead of stdout")

    catalog = commands.add_parser(
        "catalog", help="the Commerce catalog (websites, attributes)", parents=[common]
    )
    catalog_commands = catalog.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    catalog_commands.add_parser("refresh", help="read the catalog again from its source", parents=[common])
    show = catalog_commands.add_parser("show", help="show the cached catalog", parents=[common])
    show.add_argument("--json", action="store_true", help="write JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from asc_tui.logs import send_logs_to_file

    send_logs_to_file()
    try:
        if args.command is None:
            return _run_tui(args)
        handler = HANDLERS[args.command]
        return handler(args)
    except AscError as exc:
        _error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _error("Interrupted; nothing more was changed.")
        return EXIT_INVALID
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last line of defence: a sentence, never a traceback
        where = _log_crash(exc)
        _error(f"Unexpected error ({type(exc).__name__}); details were written to {where}.")
        return EXIT_ENVIRONMENT


def _error(message: str, stream: TextIO | None = None) -> None:
    print(f"{PROG}: {_visible(message)}", file=stream or sys.stderr)


# Inside JSON strings these would reach the terminal raw (json escapes only C0); "\u202e" is the same JSON.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _write_json(data: Any) -> None:
    """JSON on stdout: text in any language as it is, every control character escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    sys.stdout.write(_JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text) + "\n")


def _visible(text: str) -> str:
    """Text echoed from the user (a file name, a value) with control characters escaped, newlines kept."""
    from asc_tui.logs import escape_controls

    return escape_controls(text, keep_newlines=True)


def _log_crash(exc: BaseException) -> str:
    import traceback

    from asc_tui import paths

    try:
        folder = paths.data_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = folder / "crash.log"
        with target.open("a", encoding="utf-8") as handle:
            handle.write(_visible("".join(traceback.format_exception(exc))))
        return str(target)
    except OSError:
        return "nowhere (the data folder is not writable)"


def _registry(args: argparse.Namespace) -> Registry:
    from asc_tui.config import load_config
    from asc_tui.services.registry import open_registry

    config = load_config(args.config)
    return open_registry(args.db, config, sandbox=args.sandbox)


def _run_tui(args: argparse.Namespace) -> int:
    from asc_tui.ui.app import run_app

    return run_app(db=args.db, config_path=args.config, sandbox=args.sandbox)


# --- stores -----------------------------------------------------------------------------------------


def _stores(args: argparse.Namespace) -> int:
    from asc_tui.domain import StoreDraft

    if args.stores_command in ("list", "export"):
        return _list(_readable_stores(args), as_json=args.json, export=args.stores_command == "export")
    registry = _registry(args)
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
                    _error(f"{field.replace('_', '-')}: {message}")
                return EXIT_INVALID
            print(f"Added store {store.name!r} ({store.country}, website {store.website}).", file=sys.stderr)
            return EXIT_OK
        if action == "import":
            return _import(registry, args.file)
        if action == "connect":
            from asc_tui.cli_connect import connect_store

            return connect_store(registry, args.name, seller_id=args.seller_id)
        raise AssertionError(action)
    finally:
        registry.close()


def _import(registry: Registry, path: Path) -> int:
    from asc_tui.domain import name_key
    from asc_tui.services.importing import ImportProblems, read_import_file

    rows = read_import_file(path)
    if not rows:
        print(_visible(f"{path} holds no stores; nothing was imported."), file=sys.stderr)
        return EXIT_OK
    problems: list[str] = []
    seen: set[str] = set()
    existing = registry.stores.name_keys()
    for row in rows:
        try:
            registry.stores.check(row.draft, taken=seen, existing=existing)
            seen.add(name_key(row.draft.name))
        except StoreValidationError as exc:
            problems.extend(f"{row.where}: {message}" for message in exc.errors.values())
    if problems:
        raise ImportProblems(path, problems)
    added = registry.stores.import_many([row.draft for row in rows])
    print(_visible(f"Imported {len(added)} store(s) from {path}."), file=sys.stderr)
    return EXIT_OK


def _readable_stores(args: argparse.Namespace) -> list[Any]:
    """The stores, oldest first: straight from a current SQLite file when possible, else the registry.

    Reading 10,000 rows with the standard library takes a fraction of importing SQLModel.
    """
    from asc_tui.config import load_config
    from asc_tui.storage.quick_read import read_home

    load_config(args.config)  # a broken config is reported the same way by every command
    quick = read_home(args.db, args.sandbox)
    if quick is not None:
        return list(quick[0])
    registry = _registry(args)
    try:
        return list(registry.stores.list_stores())
    finally:
        registry.close()


def _list(stores: list[Any], *, as_json: bool, export: bool) -> int:
    from asc_tui.domain import utcnow
    from asc_tui.records import RECORD_KEYS, store_record

    now = utcnow()
    records = [store_record(s, now) for s in stores]
    if as_json:
        _write_json(records)
    elif export:
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=list(RECORD_KEYS), lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({k: "" if v is None else v for k, v in record.items()})
    else:
        _print_table(
            ["Name", "Country", "Website", "Status", "Authorization", "Seller ID", "Created"],
            [
                [
                    r["name"],
                    r["country"],
                    r["website"],
                    r["status"],
                    r["auth_health"],
                    r["seller_id"] or "",
                    (r["created_at"] or "")[:10],
                ]
                for r in records
            ],
            empty="No stores yet; add one with `asc-tui stores add` or in the dashboard.",
        )
    return EXIT_OK


def _print_table(headers: list[str], rows: list[list[str]], *, empty: str) -> None:
    """Columns aligned by display width (CJK counts double); every cell shown literally."""
    if not rows:
        print(empty, file=sys.stderr)
        return
    import re

    from rich.cells import cell_len

    control = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
    table = [headers] + [
        [control.sub("\ufffd", str(cell)).replace("\n", " ") for cell in row] for row in rows
    ]
    widths = [max(cell_len(row[i]) for row in table) for i in range(len(headers))]
    lines = []
    for row in table:
        cells = [cell + " " * (width - cell_len(cell)) for cell, width in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    sys.stdout.write("\n".join(lines) + "\n")


# --- authorization health ---------------------------------------------------------------------------


def _check_auth(args: argparse.Namespace) -> int:
    from asc_tui.domain import AuthHealth, store_health, utcnow
    from asc_tui.records import store_record

    registry = _registry(args) if args.online else None
    try:
        now = utcnow()
        notes: dict[int, str] = {}
        if registry is not None:
            for store in registry.stores.list_stores():
                _health, note = registry.connect.verify_online(store)
                notes[store.id or 0] = note
            stores: list[Any] = list(registry.stores.list_stores())  # again: a revocation may be new
        else:
            stores = _readable_stores(args)
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
            _write_json(out)
        else:
            headers = ["Name", "Country", "Status", "Authorization", "Days left"]
            rows = [
                [s.name, s.country, s.status, h.label, "" if d is None else str(d)] for s, h, d in results
            ]
            if args.online:
                headers.append("Amazon says")
                for row, (s, _h, _d) in zip(rows, results, strict=True):
                    row.append(notes[s.id or 0])
            _print_table(headers, rows, empty="No stores yet.")
        if needs_action:
            count = sum(1 for _s, h, _d in results if h.needs_action)
            _error(
                f"{count} store(s) need their Amazon authorization renewed; press c on each card to renew."
            )
            return EXIT_INVALID
        if not any(h is not AuthHealth.NONE for _s, h, _d in results):
            print("No store is connected to Amazon yet.", file=sys.stderr)
        return EXIT_OK
    finally:
        if registry is not None:
            registry.close()


# --- catalog ----------------------------------------------------------------------------------------


def _catalog(args: argparse.Namespace) -> int:
    registry = _registry(args)
    try:
        if args.catalog_command == "refresh":
            source = registry.catalog.source
            if hasattr(source, "progress") and sys.stderr.isatty():

                def progress(what: str, done: int, total: int) -> None:
                    print(f"\rReading {what}: {done}/{total}   ", end="", file=sys.stderr, flush=True)

                source.progress = progress
            catalog = registry.catalog.refresh()
            if sys.stderr.isatty():
                print("\r", end="", file=sys.stderr)
            print(
                f"Catalog read from {catalog.source}: {len(catalog.websites)} website(s), "
                f"{len(catalog.attributes)} attribute(s).",
                file=sys.stderr,
            )
            return EXIT_OK
        catalog = registry.catalog.current()
        if args.json:
            _write_json(catalog.to_json())
            return EXIT_OK
        print(f"Source: {catalog.source}, fetched {catalog.fetched_at:%Y-%m-%d %H:%M} UTC")
        _print_table(
            ["Website", "Name", "Default store view"],
            [[w.code, w.name, w.default_store_view] for w in catalog.websites],
            empty="No websites.",
        )
        _print_table(
            ["Attribute", "Label"], [[a.code, a.label] for a in catalog.attributes], empty="No attributes."
        )
        return EXIT_OK
    finally:
        registry.close()


# --- doctor -----------------------------------------------------------------------------------------


def _doctor(args: argparse.Namespace) -> int:
    from asc_tui.doctor import run_doctor

    results = run_doctor(db=args.db, config=args.config, sandbox=args.sandbox)
    if args.json:
        _write_json([r.to_json() for r in results])
    else:
        _print_table(
            ["Check", "Status", "Detail"],
            [[r.check, "ok" if r.ok else "PROBLEM", r.detail] for r in results],
            empty="Nothing was checked.",
        )
    problems = [r for r in results if not r.ok]
    for problem in problems:
        _error(problem.fix or problem.detail)
    if problems:
        return EXIT_INVALID
    print("All checks passed.", file=sys.stderr)
    return EXIT_OK


# --- relay page -------------------------------------------------------------------------------------


def _relay_page(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit

    from asc_tui.amazon.relay import relay_page
    from asc_tui.config import load_config
    from asc_tui.errors import ConfigProblem

    amazon = load_config(args.config).amazon
    if not amazon.redirect_uri.strip():
        raise ConfigProblem(
            "The relay page forwards from your registered redirect URI, but amazon.redirect_uri is not set; "
            "set it in the config file first."
        )
    try:
        page = relay_page(amazon.callback_listen, urlsplit(amazon.redirect_uri).path or "/")
    except ValueError as exc:
        raise ConfigProblem(f"{exc} Set amazon.callback_listen to host:port with a fixed port.") from None
    if args.output is None:
        sys.stdout.write(page)
        return EXIT_OK
    try:
        args.output.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise ConfigProblem(f"Cannot write {args.output} ({exc.strerror}).") from None
    print(
        f"Wrote the relay page to {args.output}; host it at {amazon.redirect_uri} "
        f"(it forwards the browser to {amazon.callback_listen}).",
        file=sys.stderr,
    )
    return EXIT_OK


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "relay-page": _relay_page,
    "stores": _stores,
    "check-auth": _check_auth,
    "catalog": _catalog,
    "doctor": _doctor,
}
