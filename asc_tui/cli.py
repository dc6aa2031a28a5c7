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
from asc_tui.i18n import N_, _, format_count, format_day, ngettext

if TYPE_CHECKING:
    from asc_tui.services.registry import Registry
    from asc_tui.settings.config import Config

PROG = "asc-tui"
EXIT_USAGE = 2  # a wrong option, as argparse exits


def argparse_words() -> tuple[str, ...]:
    """argparse's own words (Python 3.11's argparse.py, exactly), marked so the catalog translates them.

    argparse looks them up through its module's `_` / `ngettext`, which build_parser() points at ours.
    """
    return (
        N_("usage: "),
        N_("positional arguments"),
        N_("options"),
        N_("show this help message and exit"),
        N_("show program's version number and exit"),
        N_("%(prog)s: error: %(message)s\n"),
        N_("argument %(argument_name)s: %(message)s"),
        N_("unrecognized arguments: %s"),
        N_("the following arguments are required: %s"),
        N_("one of the arguments %s is required"),
        N_("not allowed with argument %s"),
        N_("ignored explicit argument %r"),
        N_("expected one argument"),
        N_("expected at most one argument"),
        N_("expected at least one argument"),
        ngettext("expected %s argument", "expected %s arguments", 2),
        N_("ambiguous option: %(option)s could match %(matches)s"),
        N_("invalid %(type)s value: %(value)r"),
        N_("invalid choice: %(value)r (choose from %(choices)s)"),
        N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
        N_("can't open '%(filename)s': %(error)s"),
    )


def _global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # On the subcommands too (with no default) so `asc-tui stores list --db X` works as well.
    default: Any = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--db",
        metavar="URL_OR_PATH",
        default=default,
        help=_("database file or SQLAlchemy URL (env ASC_TUI_DATABASE)"),
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=default,
        help=_("config file (env ASC_TUI_CONFIG; default config.toml in the user config dir)"),
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help=_("use the built-in Amazon emulator and a separate database"),
    )
    parser.add_argument(
        "--lang",
        metavar="LANG",
        type=_language_option,
        default=default,
        help=_(
            "language of the messages: en or zh-Hant (default: [ui] language in the config file, else the "
            "locale)"
        ),
    )


def _language_option(text: str) -> str | None:
    """--lang's value (argparse's check, for a spelling the early scan in main() did not see)."""
    from asc_tui.i18n import parse_language

    try:
        return parse_language(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_bad_language(text)) from None


def _bad_language(text: str) -> str:
    return _("Unknown language {value!r} for --lang; use en or zh-Hant.").format(value=text)


# A run of wide text (CJK, full-width forms) may break between any two characters; punctuation that
# closes stays with what it closes, punctuation that opens with what follows it.
_WIDE = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_OPENING = "（「『《〈"
_CLOSING = "，。、；：！？）」』》〉"
_WRAP_TOKEN = re.compile(
    rf"\s+|[{_OPENING}]*(?:[{_WIDE}]|[^\s{_WIDE}]+)[{_CLOSING}]*",
)


def _wrap_cells(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` terminal cells (a Chinese character takes two)."""
    from rich.cells import cell_len

    lines: list[str] = []
    line = ""
    for token in _WRAP_TOKEN.findall(" ".join(text.split())):
        if token.isspace():
            line += " " if line else ""
        elif line and cell_len(line + token) > width:
            lines.append(line.rstrip())
            line = token
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help wrapped by display width, so Chinese help fits the terminal as English does."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        if text.isascii():
            return super()._split_lines(text, width)
        return _wrap_cells(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.isascii():
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in _wrap_cells(text, width - len(indent)))

    def format_help(self) -> str:
        # argparse ends a section heading with ":"; a Chinese heading takes the full-width colon.
        return re.sub(r"^([^\s].*[^\x00-\x7f]):$", r"\1：", super().format_help(), flags=re.MULTILINE)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    # argparse's own words ("usage:", "error:", ...) in the current language: it calls these by name.
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
    parser = _Parser(
        prog=PROG,
        description=_(
            "Amazon Sales Channel stores for Adobe Commerce / Magento, in the terminal. "
            "With no command, opens the dashboard."
        ),
    )
    _global_options(parser, top=True)
    parser.add_argument(
        "--version",
        action="version",
        version=f"{PROG} {__version__}",
        help=_("show program's version number and exit"),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = _Parser(add_help=False)
    _global_options(common, top=False)

    stores = commands.add_parser("stores", help=_("add, import, list and export stores"), parents=[common])
    store_commands = stores.add_subparsers(dest="stores_command", metavar="ACTION", required=True)
    add = store_commands.add_parser("add", help=_("add an Amazon store"), parents=[common])
    add.add_argument("--name", required=True, help=_("store name, for internal reference (unique)"))
    add.add_argument("--email", required=True, help=_("preferred contact email"))
    add.add_argument("--country", required=True, help=_("Amazon marketplace country: US, CA, MX or UK"))
    add.add_argument(
        "--website", required=True, help=_("code of the Magento website used for Amazon listings")
    )
    add.add_argument("--product-id-type", default="", help=_("ASIN, EAN, GCID, ISBN or UPC"))
    add.add_argument("--attribute", default="", help=_("Magento attribute holding that product ID"))
    imp = store_commands.add_parser(
        "import", help=_("add stores from a CSV or JSON file (all or nothing)"), parents=[common]
    )
    imp.add_argument("file", type=Path)
    connect = store_commands.add_parser(
        "connect",
        help=_("connect (or renew) a store: prints the consent link, waits for Amazon or a pasted address"),
        parents=[common],
    )
    connect.add_argument("name", help=_("the store's name"))
    connect.add_argument(
        "--no-browser",
        action="store_true",
        help=_("only print the consent link; do not open a browser"),
    )
    connect.add_argument(
        "--seller-id",
        default=None,
        help=_("seller ID (Merchant Token), needed when pasting a self-authorization token"),
    )
    for name, text in (("list", _("list stores")), ("export", _("export stores as CSV (or --json)"))):
        sub = store_commands.add_parser(name, help=text, parents=[common])
        sub.add_argument("--json", action="store_true", help=_("write JSON"))

    check = commands.add_parser(
        "check-auth",
        help=_("each store's authorization health; exit 1 when any needs action"),
        parents=[common],
    )
    check.add_argument("--json", action="store_true", help=_("write JSON"))
    check.add_argument(
        "--online",
        action="store_true",
        help=_("also ask Login with Amazon whether each authorization still works"),
    )

    doctor = commands.add_parser(
        "doctor",
        help=_(
            "check this machine and the config: keyring, database, Amazon settings, callback address, "
            "browser, stores; exit 1 with a fix per problem"
        ),
        parents=[common],
    )
    doctor.add_argument("--json", action="store_true", help=_("write JSON"))

    relay = commands.add_parser(
        "relay-page",
        help=_(
            "print the static HTML page to host at your HTTPS redirect URI (forwards to the callback worker)"
        ),
        parents=[common],
    )
    relay.add_argument("--output", type=Path, default=None, help=_("write to this file instead of stdout"))

    catalog = commands.add_parser(
        "catalog", help=_("the Commerce catalog (websites, attributes)"), parents=[common]
    )
    catalog_commands = catalog.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    catalog_commands.add_parser("refresh", help=_("read the catalog again from its source"), parents=[common])
    show = catalog_commands.add_parser("show", help=_("show the cached catalog"), parents=[common])
    show.add_argument("--json", action="store_true", help=_("write JSON"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    # The language first, so that --help and argparse's own errors speak it too; [ui] language is in the
    # config file, which the command then uses as read here (one read).
    config_path = _early_option(arguments, "--config")
    early_config = _read_config_quietly(config_path)
    wrong = _choose_language(arguments, early_config.ui.language if early_config else None)
    if wrong is not None:
        _error(_bad_language(wrong))
        return EXIT_USAGE
    parser = build_parser()
    args = parser.parse_args(arguments)
    args.read_config = early_config if config_path == args.config else None
    if getattr(args, "lang", None) is not None:  # e.g. an abbreviated --la, which the early scan skips
        from asc_tui.i18n import set_language

        set_language(args.lang)
    from asc_tui.system.logs import send_logs_to_file

    send_logs_to_file()
    _warn_of_a_password_in_db(args.db)
    try:
        if args.command is None:
            return _run_tui(args)
        handler = HANDLERS[args.command]
        return handler(args)
    except AscError as exc:
        _error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _error(_("Interrupted; nothing more was changed."))
        return EXIT_INVALID
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last line of defence: a sentence, never a traceback
        where = _log_crash(exc)
        _error(
            _("Unexpected error ({kind}); details were written to {where}.").format(
                kind=type(exc).__name__, where=where
            )
        )
        return EXIT_ENVIRONMENT


def _warn_of_a_password_in_db(db: str | None) -> None:
    """A password in `--db URL` is on the command line, which every user of the machine can read (ps)."""
    from urllib.parse import urlsplit

    try:
        password = urlsplit(db).password if db and "://" in db else None
    except ValueError:
        password = None
    if password:
        _error(
            _(
                "Warning: the --db address holds a password, which other users of this computer can see (ps); "
                "keep it in ~/.pgpass or PGPASSWORD, or give the address in ASC_TUI_DATABASE."
            )
        )


def _early_option(argv: Sequence[str], name: str) -> str | None:
    """The value of `name X` or `name=X` in argv before it is parsed (the last one, as argparse takes)."""
    value = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == name and index + 1 < len(argv) and not argv[index + 1].startswith("-"):
            value = argv[index + 1]
        elif arg.startswith(name + "="):
            value = arg[len(name) + 1 :]
    return value


def _choose_language(argv: Sequence[str], configured: str | None) -> str | None:
    """Choose the language from --lang, then [ui] language, then the locale; a --lang not understood
    is returned (the language is then chosen without it)."""
    from asc_tui.i18n import choose_language, parse_language

    asked = _early_option(argv, "--lang")
    cli_language = None
    if asked is not None:
        try:
            cli_language = parse_language(asked)
        except ValueError:
            pass
        else:
            asked = None
    choose_language(cli_language, configured)
    return asked


def _read_config_quietly(path: str | None) -> Config | None:
    """The config file, if it can be read; a broken file is reported by the command.

    This runs before main()'s guard, so nothing may escape it: whatever goes wrong reading the file here, the
    command reads it again and reports the problem as a sentence."""
    from asc_tui.settings.config import load_config

    try:
        return load_config(path)
    except Exception:  # e.g. ConfigProblem; anything else is reported (or logged) when the command reads it
        return None


def _config(args: argparse.Namespace) -> Config:
    """The config the command runs with: as main() read it already, else read now (raising its problem)."""
    from asc_tui.settings.config import load_config

    read: Config | None = getattr(args, "read_config", None)
    return read if read is not None else load_config(args.config)


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
    from asc_tui.system.logs import escape_controls

    return escape_controls(text, keep_newlines=True)


def _log_crash(exc: BaseException) -> str:
    import traceback

    from asc_tui.system import paths
    from asc_tui.system.logs import redact_secrets
    from asc_tui.system.private_files import open_private

    try:
        folder = paths.data_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = folder / "crash.log"
        with open_private(target, "a") as handle:  # created owner-only: a traceback may quote anything
            # A secret quoted in an exception must not outlive it in a file.
            handle.write(_visible(redact_secrets("".join(traceback.format_exception(exc)))))
        return str(target)
    except OSError:
        return _("nowhere (the data folder is not writable)")


def _registry(args: argparse.Namespace) -> Registry:
    from asc_tui.services.registry import open_registry

    return open_registry(args.db, _config(args), sandbox=args.sandbox)


def _run_tui(args: argparse.Namespace) -> int:
    from asc_tui.ui.app import run_app

    return run_app(_config(args), db=args.db, sandbox=args.sandbox)


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
            from asc_tui.cli_connect import connect_store

            return connect_store(registry, args.name, seller_id=args.seller_id, browser=not args.no_browser)
        raise AssertionError(action)
    finally:
        registry.close()


def _import(registry: Registry, path: Path) -> int:
    from asc_tui.domain import name_key
    from asc_tui.services.importing import ImportProblems, read_import_file

    rows = read_import_file(path)
    if not rows:
        print(_visible(_("{path} holds no stores; nothing was imported.").format(path=path)), file=sys.stderr)
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
        _visible(
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


def _readable_stores(args: argparse.Namespace) -> list[Any]:
    """The stores, oldest first: straight from a current SQLite file when possible, else the registry.

    Reading 10,000 rows with the standard library takes a fraction of importing SQLModel.
    """
    from asc_tui.storage.quick_read import read_home

    _config(args)  # a broken config is reported the same way by every command
    quick = read_home(args.db, args.sandbox)
    if quick is not None:
        return list(quick.stores)
    registry = _registry(args)
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
        _write_json(records)
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

        _print_table(
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
                    _day(r["created_at"]),
                ]
                for r in records
            ],
            empty=_("No stores yet; add one with `asc-tui stores add` or in the dashboard."),
        )
    return EXIT_OK


def _day(iso: str | None) -> str:
    """The UTC day of an ISO time from a record, as the current language writes days."""
    from datetime import date

    return format_day(date.fromisoformat(iso[:10])) if iso else ""


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
    from asc_tui.domain import AuthHealth, shown_value, store_health, utcnow
    from asc_tui.services.records import store_record

    if args.json:
        _english_for_json()

    registry = _registry(args) if args.online else None
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
            headers = [_("Name"), _("Country"), _("Status"), _("Authorization"), _("Days left")]
            rows = [
                [s.name, s.country, shown_value(s.status), h.label, "" if d is None else format_count(d)]
                for s, h, d in results
            ]
            if args.online:
                headers.append(_("Amazon says"))
                for row, (s, _h, _d) in zip(rows, results, strict=True):
                    row.append(notes[s.id or 0])
            _print_table(headers, rows, empty=_("No stores yet."))
        if needs_action:
            count = sum(1 for _s, h, _d in results if h.needs_action)
            _error(
                _(
                    "{count} store(s) need their Amazon authorization renewed; press c on each card to renew."
                ).format(count=format_count(count))
            )
        if unanswered:
            # Cron must not read "all fine" from a check that could not be made: an environment problem.
            _error(
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


# --- catalog ----------------------------------------------------------------------------------------


def _catalog(args: argparse.Namespace) -> int:
    from asc_tui.commerce.catalog import catalog_source

    registry = _registry(args)
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
                _visible(
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
            _write_json(catalog.to_json())
            return EXIT_OK
        fetched = catalog.fetched_at
        print(
            _visible(
                _("Source: {source}, fetched {when} UTC").format(
                    source=catalog_source(catalog.source),
                    when=f"{format_day(fetched.date())} {fetched:%H:%M}",
                )
            )
        )
        _print_table(
            [_("Website"), _("Name"), _("Default store view")],
            [[w.code, w.name, w.default_store_view] for w in catalog.websites],
            empty=_("No websites."),
        )
        _print_table(
            [_("Attribute"), _("Label")],
            [[a.code, a.label] for a in catalog.attributes],
            empty=_("No attributes."),
        )
        return EXIT_OK
    finally:
        registry.close()


# --- doctor -----------------------------------------------------------------------------------------


def _doctor(args: argparse.Namespace) -> int:
    from asc_tui.doctor import run_doctor

    if args.json:
        _english_for_json()
    results = run_doctor(db=args.db, config=args.config, sandbox=args.sandbox)
    if args.json:
        _write_json([r.to_json() for r in results])
    else:
        _print_table(
            [_("Check"), _("Status"), _("Detail")],
            [[r.check, _("ok") if r.ok else _("PROBLEM"), r.detail] for r in results],
            empty=_("Nothing was checked."),
        )
    problems = [r for r in results if not r.ok]
    for problem in problems:
        _error(problem.fix or problem.detail)
    if problems:
        return EXIT_INVALID
    print(_("All checks passed."), file=sys.stderr)
    return EXIT_OK


# --- relay page -------------------------------------------------------------------------------------


def _relay_page(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit

    from asc_tui.amazon.relay import PlainHttpRelay, relay_page
    from asc_tui.errors import ConfigProblem

    amazon = _config(args).amazon
    if not amazon.redirect_uri.strip():
        raise ConfigProblem(
            _(
                "The relay page forwards from your registered redirect URI, but amazon.redirect_uri is not "
                "set; set it in the config file first."
            )
        )
    try:
        tls = bool(amazon.callback_tls_cert.strip() and amazon.callback_tls_key.strip())
        page = relay_page(amazon.callback_listen, urlsplit(amazon.redirect_uri).path or "/", tls=tls)
    except PlainHttpRelay as exc:
        raise ConfigProblem(str(exc)) from None
    except ValueError as exc:
        raise ConfigProblem(
            _("{problem} Set amazon.callback_listen to host:port with a fixed port.").format(problem=exc)
        ) from None
    if args.output is None:
        sys.stdout.write(page)
        return EXIT_OK
    try:
        args.output.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise ConfigProblem(
            _("Cannot write {path} ({reason}).").format(path=args.output, reason=exc.strerror)
        ) from None
    print(
        _visible(
            _(
                "Wrote the relay page to {path}; host it at {redirect_uri} (it forwards the browser to {listen})."
            ).format(path=args.output, redirect_uri=amazon.redirect_uri, listen=amazon.callback_listen)
        ),
        file=sys.stderr,
    )
    return EXIT_OK


def _english_for_json() -> None:
    """--json output is for programs: its sentences (a doctor's detail, Amazon's answer) are in English, and
    so is what the command says beside it."""
    from asc_tui.i18n import ENGLISH, set_language

    set_language(ENGLISH)


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "relay-page": _relay_page,
    "stores": _stores,
    "check-auth": _check_auth,
    "catalog": _catalog,
    "doctor": _doctor,
}
