"""The command line's parser: options, subcommands, and help that wraps Chinese by terminal cells."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asc_tui import __version__
from asc_tui.domain import country_codes
from asc_tui.i18n import N_, _, ngettext

if TYPE_CHECKING:
    pass


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
        type=language_option,
        default=default,
        help=_(
            "language of the messages: en or zh-Hant (default: [ui] language in the config file, else the "
            "locale)"
        ),
    )


def language_option(text: str) -> str | None:
    """--lang's value (argparse's check, for a spelling the early scan in main() did not see)."""
    from asc_tui.i18n import parse_language

    try:
        return parse_language(text)
    except ValueError:
        raise argparse.ArgumentTypeError(bad_language(text)) from None


def bad_language(text: str) -> str:
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
    add.add_argument(
        "--country",
        required=True,
        help=_("Amazon marketplace country, by its code: {codes} (GB also means UK)").format(
            codes=country_codes()
        ),
    )
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
        help=_(
            "connect (or renew) a store: uses its seller's one authorization in the region when there is "
            "one, else prints the consent link and waits for Amazon or a pasted address"
        ),
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
    connect.add_argument(
        "--authorization",
        metavar="SELLER_ID",
        default=None,
        help=_("use this seller's authorization in the store's region (no consent, no browser)"),
    )
    connect.add_argument(
        "--new-authorization",
        action="store_true",
        help=_("sign in with Seller Central even when an authorization could be used"),
    )
    for name, text in (("list", _("list stores")), ("export", _("export stores as CSV (or --json)"))):
        sub = store_commands.add_parser(name, help=text, parents=[common])
        sub.add_argument("--json", action="store_true", help=_("write JSON"))

    health = store_commands.add_parser(
        "health",
        help=_("what Amazon last said about each store (or NAME); exit 1 when any needs you"),
        parents=[common],
    )
    health.add_argument("name", nargs="?", default=None, help=_("only this store"))
    health.add_argument(
        "--refresh", action="store_true", help=_("ask Amazon first (sales, listings, standing)")
    )
    health.add_argument("--json", action="store_true", help=_("write JSON"))
    health.add_argument(
        "--warn-days",
        type=int,
        default=None,
        metavar="DAYS",
        help=_("an authorization ending within DAYS days needs renewing (default: the config's largest)"),
    )

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

    authorizations = commands.add_parser(
        "authorizations",
        help=_("each seller's authorization per Amazon region and the stores it covers"),
        parents=[common],
    )
    authorization_commands = authorizations.add_subparsers(
        dest="authorizations_command", metavar="ACTION", required=True
    )
    listing = authorization_commands.add_parser(
        "list", help=_("list the authorizations with the stores on each"), parents=[common]
    )
    listing.add_argument("--json", action="store_true", help=_("write JSON"))

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
