"""The product's vocabulary: marketplaces (their table in `marketplaces`), statuses, authorization health
and the rules for a store.

Plain Python only: the CLI, the services and the TUI all share these rules.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

# The marketplace table has a module of its own; its names stay importable from here, as before.
from asc_tui.domain.marketplaces import CHOICE_ORDER as CHOICE_ORDER
from asc_tui.domain.marketplaces import COUNTRY_ALIASES as COUNTRY_ALIASES
from asc_tui.domain.marketplaces import MARKETPLACE_BY_ID as MARKETPLACE_BY_ID
from asc_tui.domain.marketplaces import MARKETPLACES as MARKETPLACES
from asc_tui.domain.marketplaces import REGION_NAMES as REGION_NAMES
from asc_tui.domain.marketplaces import SEED_COUNTRIES as SEED_COUNTRIES
from asc_tui.domain.marketplaces import Marketplace as Marketplace
from asc_tui.domain.marketplaces import authorization_key as authorization_key
from asc_tui.domain.marketplaces import country_codes as country_codes
from asc_tui.domain.marketplaces import parse_country as parse_country
from asc_tui.domain.marketplaces import region_name as region_name
from asc_tui.i18n import N_, _

AUTHORIZATION_DAYS = 365
RENEW_SOON_DAYS = 30
NAME_MAX_LENGTH = 80
EMAIL_MAX_LENGTH = 254


class ProductIdType(enum.StrEnum):
    ASIN = "ASIN"
    EAN = "EAN"
    GCID = "GCID"
    ISBN = "ISBN"
    UPC = "UPC"


_STATUS_LABELS = {"not_connected": N_("Not connected"), "active": N_("Active"), "inactive": N_("Inactive")}
_HEALTH_LABELS = {
    "none": N_("Not authorized"),
    "ok": N_("OK"),
    "renew_soon": N_("Renew soon"),
    "expired": N_("Expired"),
    "revoked": N_("Revoked"),
}


def shown_value(value: str) -> str:
    """A stored status or health value for a person, in words ("Not connected", "Renew soon"); --json,
    CSV and the database keep the values themselves."""
    label = _STATUS_LABELS.get(value) or _HEALTH_LABELS.get(value)
    return _(label) if label else value


class StoreStatus(enum.StrEnum):
    NOT_CONNECTED = "not_connected"
    ACTIVE = "active"
    INACTIVE = "inactive"

    @property
    def label(self) -> str:
        return _(_STATUS_LABELS[self.value])


class AuthHealth(enum.StrEnum):
    NONE = "none"
    OK = "ok"
    RENEW_SOON = "renew_soon"
    EXPIRED = "expired"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return _(_HEALTH_LABELS[self.value])

    @property
    def needs_action(self) -> bool:
        return self in (AuthHealth.RENEW_SOON, AuthHealth.EXPIRED, AuthHealth.REVOKED)


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as every export and --json output writes times."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def renew_by(authorized_at: datetime) -> datetime:
    return authorized_at + timedelta(days=AUTHORIZATION_DAYS)


def auth_health(
    authorized_at: datetime | None, revoked: bool, now: datetime | None = None
) -> tuple[AuthHealth, int | None]:
    """Health of a store's authorization and whole days left before Amazon cuts it off."""
    if authorized_at is None:
        return AuthHealth.NONE, None
    if revoked:
        return AuthHealth.REVOKED, None
    now = now or utcnow()
    remaining = renew_by(authorized_at) - now
    if remaining <= timedelta(0):
        return AuthHealth.EXPIRED, 0
    # Days started count: authorized a minute ago is 365 days left, as "365 days from authorization" says.
    days_left = remaining.days + (1 if remaining % timedelta(days=1) else 0)
    if remaining <= timedelta(days=RENEW_SOON_DAYS):
        return AuthHealth.RENEW_SOON, days_left
    return AuthHealth.OK, days_left


class StoreFacts(Protocol):
    """What the rules below read of a store (the storage row has these and more)."""

    name: str
    country: str
    website: str
    status: str
    authorized_at: datetime | None
    auth_revoked: bool


def store_health(store: StoreFacts, now: datetime | None = None) -> tuple[AuthHealth, int | None]:
    return auth_health(store.authorized_at, store.auth_revoked, now)


def filter_key(store: StoreFacts) -> str:
    """What the dashboard filter searches, case-folded once: name, country, website and status."""
    marketplace = MARKETPLACES.get(store.country)
    status = StoreStatus(store.status)
    # The words shown (in the current language) and the English ones, so either finds the store.
    return "\x00".join(
        (
            store.name.casefold(),
            store.country.casefold(),
            marketplace.country.casefold() if marketplace else "",
            marketplace.country_name.casefold() if marketplace else "",
            store.website.casefold(),
            status.label.casefold(),
            _STATUS_LABELS[status.value].casefold(),
            store.status,
        )
    )


def matches_filter(store: StoreFacts, text: str) -> bool:
    """Whether the dashboard filter shows this store: by name, country, website or status."""
    needle = text.strip().casefold()
    return not needle or needle in filter_key(store)


# --- validation -----------------------------------------------------------------------------------

# Bidi embedding/override/isolate controls can make a name read differently from what is stored.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def has_control_characters(text: str) -> bool:
    """Control characters, bidi controls and line/paragraph separators: they act on the terminal or the line."""
    return any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in _BIDI_CONTROLS for ch in text)


def has_invalid_text(text: str) -> bool:
    """Lone surrogates: what invalid UTF-8 (in a file, an argument) decodes to; no database can store them."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


# Characters that show nothing by themselves: format characters, combining marks and spaces.
_INVISIBLE = {"Cf", "Mn", "Me", "Zs"}


def has_visible_character(text: str) -> bool:
    return any(unicodedata.category(ch) not in _INVISIBLE for ch in text)


def normalize_name(name: str) -> str:
    return unicodedata.normalize("NFC", name.strip())


def name_key(name: str) -> str:
    """The key that makes store names unique: trimmed and case-insensitive."""
    return normalize_name(name).casefold()


def validate_name(name: str) -> str | None:
    cleaned = normalize_name(name)
    if not cleaned:
        return _("Enter a store name.")
    if has_invalid_text(cleaned):
        return _("The store name holds bytes that are not valid UTF-8 text; type it again.")
    if has_control_characters(cleaned):
        return _("The store name cannot contain control characters.")
    if not has_visible_character(cleaned):
        return _("The store name has no visible characters; enter a name people can read.")
    if len(cleaned) > NAME_MAX_LENGTH:
        return _("The store name is {length} characters long; use at most {limit}.").format(
            length=len(cleaned), limit=NAME_MAX_LENGTH
        )
    return None


def validate_email(email: str) -> str | None:
    cleaned = email.strip()
    if not cleaned:
        return _("Enter an email address.")
    if (
        has_control_characters(cleaned)
        or has_invalid_text(cleaned)
        or len(cleaned) > EMAIL_MAX_LENGTH
        or not _EMAIL.fullmatch(cleaned)
    ):
        return _("Enter a valid email address, such as seller@example.com.")
    return None


def parse_product_id_type(value: str) -> ProductIdType | None:
    try:
        return ProductIdType(value.strip().upper())
    except ValueError:
        return None


@dataclass
class StoreDraft:
    """What an admin typed to add a store, before it is checked."""

    name: str
    email: str
    country: str
    website: str
    product_id_type: str = ""
    attribute: str = ""


@dataclass(frozen=True)
class StoreEdit:
    """The fields of an existing store an admin may change."""

    name: str
    email: str


@dataclass(frozen=True)
class ValidStore:
    name: str
    email: str
    country: str
    website: str
    product_id_type: ProductIdType | None
    attribute: str | None


@dataclass
class FieldErrors:
    errors: dict[str, str] = field(default_factory=dict)

    def add(self, field_name: str, message: str | None) -> None:
        if message and field_name not in self.errors:
            self.errors[field_name] = message

    def __bool__(self) -> bool:
        return bool(self.errors)


def _quoted(value: str, limit: int = 40) -> str:
    """A typed value echoed in a message: quoted, escaped (repr) and cut short, so a message stays one line."""
    return repr(value[:limit]) + ("…" if len(value) > limit else "")


def validate_draft(
    draft: StoreDraft, websites: set[str], attributes: set[str]
) -> tuple[ValidStore | None, FieldErrors]:
    """Check every field of a new store; either a valid store or an error per field."""
    errors = FieldErrors()
    if not draft.website.strip():
        errors.add("website", _("Choose the Magento website to use for Amazon listings."))
    elif draft.website.strip() not in websites:
        codes = sorted(websites)
        listed = ", ".join(codes[:10]) + (", …" if len(codes) > 10 else "")
        errors.add(
            "website",
            (
                _("There is no Magento website with the code {code}; the codes are: {codes}.").format(
                    code=_quoted(draft.website.strip()), codes=listed
                )
                if codes
                else _("There is no Magento website with the code {code}.").format(
                    code=_quoted(draft.website.strip())
                )
            ),
        )
    errors.add("email", validate_email(draft.email))
    errors.add("name", validate_name(draft.name))
    country = parse_country(draft.country) if draft.country.strip() else None
    if not draft.country.strip():
        errors.add("country", _("Choose the Amazon marketplace country."))
    elif country is None:
        errors.add(
            "country",
            _("The marketplace country must be the code of an Amazon marketplace: {codes}.").format(
                codes=country_codes()
            ),
        )
    id_type_text = draft.product_id_type.strip()
    attribute = draft.attribute.strip()
    id_type = parse_product_id_type(id_type_text) if id_type_text else None
    if id_type_text and id_type is None:
        errors.add("product_id_type", _("The product ID type must be one of ASIN, EAN, GCID, ISBN or UPC."))
    elif id_type_text and not attribute:
        errors.add(
            "attribute", _("Choose the Magento attribute that holds the product ID, or clear the ID type.")
        )
    elif attribute and not id_type_text:
        errors.add(
            "product_id_type",
            _("Choose the Amazon product ID type for this attribute, or clear the attribute."),
        )
    elif attribute and attribute not in attributes:
        errors.add(
            "attribute",
            _("There is no Magento product attribute with the code {code}.").format(code=_quoted(attribute)),
        )
    if errors or country is None:
        return None, errors
    return (
        ValidStore(
            name=normalize_name(draft.name),
            email=draft.email.strip(),
            country=country,
            website=draft.website.strip(),
            product_id_type=id_type,
            attribute=attribute or None,
        ),
        errors,
    )
