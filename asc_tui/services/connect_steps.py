"""The steps ahead of the admin, in plain words, shared by the connect screen and `stores connect`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from asc_tui.i18n import _

if TYPE_CHECKING:
    from asc_tui.services.connect import ConnectSession


def consent_steps(attempt: ConnectSession, *, sandbox: bool) -> list[str]:
    what = (
        _("Renew the connection of store {name!r} to Amazon {country} ({domain}):")
        if attempt.renewal
        else _("Connect store {name!r} to Amazon {country} ({domain}):")
    )
    who = (
        _("the primary user of the Seller Central account (seller {seller})").format(
            seller=attempt.renewal_of
        )
        if attempt.renewal_of
        else _("the primary user of the Seller Central account")
    )
    steps = [
        what.format(
            name=attempt.store_name,
            country=_(attempt.marketplace.country),
            domain=attempt.marketplace.domain,
        ),
        "  " + _("1. Open the link below and sign in with {who}.").format(who=who),
        "  " + _("2. Enter the two-step verification code if Amazon asks for one."),
        "  " + _('3. Tick "I understand…", choose Next, then Continue on "You are almost done".'),
        "  " + _("4. Amazon sends the browser back here; or paste the address it ends on."),
    ]
    tunnel = ssh_tunnel(attempt, os.environ)
    if tunnel is not None:
        steps.append(
            "  "
            + _(
                "Over SSH: these pages are on this server's loopback, so first run on your own computer: "
                "{command}"
            ).format(command=tunnel)
        )
    if sandbox:
        from asc_tui.sandbox.demo import demo_seller_for

        # The demo account of this store's region (every marketplace has one: a test checks).
        seller = demo_seller_for(attempt.marketplace.marketplace_id)
        if seller is not None:
            steps.append(
                "  "
                + _("Sandbox: sign in as {email}, password {password}, code {code}.").format(
                    email=seller.email, password=seller.password, code=seller.otp
                )
            )
    return steps


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def ssh_tunnel(attempt: ConnectSession, environ: Mapping[str, str]) -> str | None:
    """The `ssh -L` command that lets the browser on the admin's computer reach the consent page and the
    callback when both are on this server's loopback and the session is remote (SSH_CONNECTION)."""
    connection = environ.get("SSH_CONNECTION", "").split()
    if len(connection) != 4:
        return None
    ports: list[int] = []
    for url in (attempt.consent_url, attempt.redirect_uri):
        parts = urlsplit(url)
        if parts.hostname not in LOOPBACK or parts.port is None:
            continue
        if parts.port not in ports:
            ports.append(parts.port)
    if not ports:
        return None
    server, server_port = connection[2], connection[3]
    forwards = " ".join(f"-L {port}:127.0.0.1:{port}" for port in ports)
    where = server if server_port == "22" else f"-p {server_port} {server}"
    return f"ssh {forwards} {where}"
