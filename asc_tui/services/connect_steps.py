"""The steps ahead of the admin, in plain words, shared by the connect screen and `stores connect`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from asc_tui.services.connect import ConnectSession


def consent_steps(attempt: ConnectSession, *, sandbox: bool) -> list[str]:
    what = "Renew the connection of store" if attempt.renewal else "Connect store"
    who = "the primary user of the Seller Central account"
    if attempt.renewal_of:
        who += f" (seller {attempt.renewal_of})"
    steps = [
        f"{what} {attempt.store_name!r} to Amazon {attempt.marketplace.country} "
        f"({attempt.marketplace.domain}):",
        f"  1. Open the link below and sign in with {who}.",
        "  2. Enter the two-step verification code if Amazon asks for one.",
        '  3. Tick "I understand…", choose Next, then Continue on "You are almost done".',
        "  4. Amazon sends the browser back here; or paste the address it ends on.",
    ]
    if sandbox:
        steps.append(
            "  Sandbox: sign in as seller-na@sandbox.example (US, CA, MX) or seller-uk@sandbox.example (UK), "
            "password sandbox, code 123456."
        )
    return steps
