"""`asc-tui relay-page`: the static HTML relay for a registered HTTPS redirect URI."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from asc_tui.cli.output import (
    config_for,
    visible,
)
from asc_tui.errors import EXIT_OK
from asc_tui.i18n import _

if TYPE_CHECKING:
    pass


# --- relay page -------------------------------------------------------------------------------------


def relay_page_command(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit

    from asc_tui.amazon.relay import PlainHttpRelay, relay_page
    from asc_tui.errors import ConfigProblem

    amazon = config_for(args).amazon
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
        visible(
            _(
                "Wrote the relay page to {path}; host it at {redirect_uri} (it forwards the browser to {listen})."
            ).format(path=args.output, redirect_uri=amazon.redirect_uri, listen=amazon.callback_listen)
        ),
        file=sys.stderr,
    )
    return EXIT_OK
