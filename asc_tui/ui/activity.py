"""The activity log in the admin's language.

Each activity row is stored in English (the database is shared by admins who may read other languages,
and scripts read it); its detail follows a few fixed forms, which are recognised here and worded again
when shown. A detail in no known form (written by an older version, or by hand) is shown as stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from asc_tui.i18n import _, format_day

_CREATED = re.compile(
    r"(?P<country>[A-Z]{2}) marketplace, website (?P<website>.+?)(?:, (?P<kind>\w+) from (?P<attribute>.+))?"
)
_CONNECTED = re.compile(
    r"seller (?P<seller>\S+), marketplace (?P<code>[A-Z]{2}) \((?P<marketplace_id>\w+)\), "
    r"renew by (?P<day>\d{4}-\d{2}-\d{2})"
)
_NAME = re.compile(r"name (?P<old>'.*'|\".*\") → (?P<new>'.*'|\".*\")")
_EMAIL = re.compile(r"email (?P<old>\S*) → (?P<new>\S*)")


def _created(found: re.Match[str]) -> str:
    if found["kind"]:
        return _("{country} marketplace, website {website}, {kind} from {attribute}").format(
            **found.groupdict()
        )
    return _("{country} marketplace, website {website}").format(
        country=found["country"], website=found["website"]
    )


def _connected(found: re.Match[str]) -> str:
    return _("seller {seller}, marketplace {code} ({marketplace_id}), renew by {day}").format(
        seller=found["seller"],
        code=found["code"],
        marketplace_id=found["marketplace_id"],
        day=format_day(date.fromisoformat(found["day"])),
    )


def _edited(detail: str) -> str | None:
    """'name 'a' → 'b'; email x → y' (either part alone): the email part never contains '; '."""
    name_part, email_part = detail, ""
    if "; email " in detail:
        name_part, _sep, rest = detail.rpartition("; email ")
        email_part = "email " + rest
    elif detail.startswith("email "):
        name_part, email_part = "", detail
    parts: list[str] = []
    if name_part:
        found = _NAME.fullmatch(name_part)
        if found is None:
            return None
        parts.append(_("name {old} → {new}").format(old=found["old"], new=found["new"]))
    if email_part:
        found = _EMAIL.fullmatch(email_part)
        if found is None:
            return None
        parts.append(_("email {old} → {new}").format(old=found["old"], new=found["new"]))
    return _("; ").join(parts)


_FORMS: dict[str, Callable[[str], str | None]] = {
    "created": lambda d: _created(m) if (m := _CREATED.fullmatch(d)) else None,
    "connected": lambda d: _connected(m) if (m := _CONNECTED.fullmatch(d)) else None,
    "renewed": lambda d: _connected(m) if (m := _CONNECTED.fullmatch(d)) else None,
    "edited": _edited,
    "revoked": lambda d: _("Amazon answered invalid_grant") if d == "Amazon answered invalid_grant" else None,
}


def shown_detail(action: str, detail: str) -> str:
    """The stored detail of an activity, in the current language when it has a known form."""
    reword = _FORMS.get(action)
    if reword is None or not detail:
        return detail
    return reword(detail) or detail
