"""Entry point: the TUI by default, subcommands for scripting. Heavy imports wait until they are needed."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from asc_tui.cli.output import (
    config_for,
    error,
    visible,
)
from asc_tui.cli.parser import EXIT_USAGE, bad_language, build_parser
from asc_tui.errors import EXIT_ENVIRONMENT, EXIT_INVALID, EXIT_OK, AscError
from asc_tui.i18n import _

if TYPE_CHECKING:
    from asc_tui.settings.config import Config


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    # The language first, so that --help and argparse's own errors speak it too; [ui] language is in the
    # config file, which the command then uses as read here (one read).
    config_path = _early_option(arguments, "--config")
    early_config = _read_config_quietly(config_path)
    wrong = _choose_language(arguments, early_config.ui.language if early_config else None)
    if wrong is not None:
        error(bad_language(wrong))
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
        return _handler(args.command)(args)
    except AscError as exc:
        error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        error(_("Interrupted; nothing more was changed."))
        return EXIT_INVALID
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last line of defence: a sentence, never a traceback
        where = _log_crash(exc)
        error(
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
        error(
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
            handle.write(visible(redact_secrets("".join(traceback.format_exception(exc)))))
        return str(target)
    except OSError:
        return _("nowhere (the data folder is not writable)")


def _run_tui(args: argparse.Namespace) -> int:
    from asc_tui.ui.app import run_app

    return run_app(config_for(args), db=args.db, sandbox=args.sandbox)


# Each command's module, imported only when that command runs (the TUI's start imports none of them).
HANDLERS: dict[str, tuple[str, str]] = {
    "relay-page": ("asc_tui.cli.relay", "relay_page_command"),
    "stores": ("asc_tui.cli.stores", "stores_command"),
    "check-auth": ("asc_tui.cli.check_auth", "check_auth_command"),
    "authorizations": ("asc_tui.cli.authorizations", "authorizations_command"),
    "catalog": ("asc_tui.cli.catalog", "catalog_command"),
    "doctor": ("asc_tui.cli.doctor", "doctor_command"),
}


def _handler(command: str) -> Callable[[argparse.Namespace], int]:
    import importlib

    module, name = HANDLERS[command]
    handler: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module), name)
    return handler
