"""What comes back from Seller Central: the address Amazon redirected the browser to, or just its query.

The same parser serves the callback worker (a real HTTP query) and the paste box (whatever the admin
copied: a full URL, `?query`, a bare query, quoted, wrapped over several lines). It never checks the
state; the connect attempt does that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from asc_tui.amazon.consent import CONSENT_PATH
from asc_tui.i18n import N_, _

MAX_INPUT_LENGTH = 16 * 1024
MAX_FIELDS = 64
REFRESH_TOKEN_PREFIX = "Atzr|"

_FIELDS = (
    "state",
    "selling_partner_id",
    "spapi_oauth_code",
    "error",
    "error_description",
    "amazon_callback_uri",
    "amazon_state",
)
_QUOTES = "\"'`<>“”‘’«»"
# Control characters (C0 with newline and tab, DEL, C1) and bidi controls: in a value from the browser's
# address they can only drive a terminal (ESC ] 0 retitles the window, ESC ] 52 writes the clipboard).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class RedirectError(ValueError):
    """The text is not a usable answer from Amazon; str() is one sentence for the admin."""

    # Class messages are marked here and translated when raised (the language may change while running).
    message = N_("That is not the address Amazon sent the browser to.")

    def __init__(self, message: str | None = None) -> None:
        self.message = message if message is not None else _(type(self).message)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class EmptyRedirect(RedirectError):
    message = N_(
        "Paste the address Amazon sent the browser to after you approved the app (it contains "
        "spapi_oauth_code)."
    )


class NotARedirect(RedirectError):
    message = N_(
        "That is not a web address; copy the whole address from the browser's address bar after you "
        "approve the app on Amazon, and paste it here."
    )


class ConsentUrlPasted(RedirectError):
    message = N_(
        "That is the consent link; sign in with it in your browser, then paste the address Amazon sent the "
        "browser to afterwards (it contains spapi_oauth_code)."
    )


class MissingCode(RedirectError):
    message = N_(
        "That address has no spapi_oauth_code; paste the whole address Amazon sent the browser to after "
        "you approved the app, including everything after the '?'."
    )


class AmbiguousRedirect(RedirectError):
    def __init__(self, name: str) -> None:
        super().__init__(
            _(
                "That address has the parameter {name!r} more than once, so it is ambiguous; paste the "
                "address exactly as the browser shows it."
            ).format(name=name)
        )
        self.name = name


@dataclass(frozen=True)
class RedirectQuery:
    state: str | None = None
    selling_partner_id: str | None = None
    spapi_oauth_code: str | None = None
    error: str | None = None
    error_description: str | None = None
    amazon_callback_uri: str | None = None
    amazon_state: str | None = None

    @property
    def is_error(self) -> bool:
        """Amazon (or the seller, by declining) ended the authorization with an error."""
        return self.error is not None

    @property
    def is_login_bounce(self) -> bool:
        """Amazon first sent the browser to the app's Login URI and expects it to be sent back."""
        return self.amazon_callback_uri is not None and self.amazon_state is not None

    def __repr__(self) -> str:
        # The code is short-lived but still a credential: never in a repr, log line or traceback.
        code = "[redacted]" if self.spapi_oauth_code else None
        return (
            f"RedirectQuery(state={'[set]' if self.state else None}, "
            f"selling_partner_id={self.selling_partner_id!r}, spapi_oauth_code={code!r}, "
            f"error={self.error!r}, error_description={self.error_description!r}, "
            f"is_login_bounce={self.is_login_bounce})"
        )


def _clean(text: str) -> str:
    cleaned = text.strip()
    while len(cleaned) >= 2 and cleaned[0] in _QUOTES and cleaned[-1] in _QUOTES:
        cleaned = cleaned[1:-1].strip()
    cleaned = cleaned.strip(_QUOTES)
    # A URL holds no raw whitespace; terminals wrap long ones over several lines.
    return "".join(cleaned.split())


def _split(text: str) -> tuple[str, str]:
    """(path, query) of a URL, a `?query`, a bare query, or a scheme-less `host/path?query`."""
    if _SCHEME.match(text):
        parts = urlsplit(text)
        return parts.path, parts.query
    if text.startswith("?"):
        return "", text[1:]
    before, mark, after = text.partition("?")
    if mark:
        return before, after
    if "=" in text and "/" not in text.split("=", 1)[0]:
        return "", text
    return text, ""


def parse_redirect(text: str) -> RedirectQuery:
    """Parse the address Amazon redirected the browser to (or its query string) into a `RedirectQuery`.

    Raises a `RedirectError` subclass with a sentence for the admin: empty input, not an address, the
    consent link pasted by mistake, a parameter given twice, or no `spapi_oauth_code` (and no `error`).
    A login bounce (`amazon_callback_uri` + `amazon_state`) is returned as is: it has no code yet.
    """
    cleaned = _clean(text)
    if not cleaned:
        raise EmptyRedirect()
    if len(cleaned) > MAX_INPUT_LENGTH:
        raise NotARedirect(_("That text is far too long to be the address Amazon sent the browser to."))
    path, query = _split(cleaned)
    query = query.partition("#")[0]
    if "&amp;" in query:  # copied from an HTML page or an email
        query = query.replace("&amp;", "&")
    if path.rstrip("/").endswith(CONSENT_PATH):
        raise ConsentUrlPasted()
    if not query or "=" not in query:
        raise NotARedirect()
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError as exc:
        raise NotARedirect(_("That address has far too many parameters to be Amazon's answer.")) from exc
    names = [name for name, _value in pairs]
    if "application_id" in names:
        raise ConsentUrlPasted()
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise AmbiguousRedirect(name)
        seen.add(name)
    values = {name: (_CONTROLS.sub("", value).strip() or None) for name, value in pairs if name in _FIELDS}
    result = RedirectQuery(**values)
    if result.is_error or result.is_login_bounce:
        return result
    if result.spapi_oauth_code is None:
        raise MissingCode()
    return result


def looks_like_refresh_token(text: str) -> bool:
    """Whether the pasted text is an LWA refresh token (self-authorization), not an address."""
    cleaned = _clean(text)
    return cleaned.startswith(REFRESH_TOKEN_PREFIX) and len(cleaned) > len(REFRESH_TOKEN_PREFIX)
