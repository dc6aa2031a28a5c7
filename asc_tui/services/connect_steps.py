"""The steps ahead of the admin, in plain words, shared by the connect screen and `stores connect`."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    if sandbox:
        steps.append(
            "  "
            + _(
                "Sandbox: sign in as seller-na@sandbox.example (US, CA, MX) or seller-uk@sandbox.example "
                "(UK), password sandbox, code 123456."
            )
        )
    return steps
