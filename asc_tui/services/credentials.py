"""Are the app's LWA client ID and secret right? Asked of Login with Amazon without involving any seller.

The check sends an authorization-code grant with a made-up code. Login with Amazon authenticates the
client before it looks at the code (OAuth 2.0, RFC 6749 §5.2), so:
- `invalid_grant` (the code is refused) means the client ID and secret were accepted;
- `invalid_client` means the client ID or the secret is wrong;
- anything else (unreachable, throttled, a strange answer) is reported as it is.
Nothing is created at Amazon and no seller is asked. The secret never appears in a returned message.
"""

from __future__ import annotations

import httpx

from asc_tui.amazon.errors import AmazonError, InvalidClient, InvalidGrant, redact
from asc_tui.amazon.lwa import LwaClient
from asc_tui.i18n import N_, _

CHECK_CODE = "asc-tui-credential-check"
ACCEPTED = N_("Login with Amazon accepted the client ID and secret.")
REJECTED = N_(
    "Login with Amazon rejected the client ID or the client secret (invalid_client); copy both again from "
    "the LWA credentials of your app in Seller Central's Develop Apps."
)


def check_lwa_credentials(
    token_url: str, client_id: str, client_secret: str, *, timeout: float = 10.0
) -> tuple[bool, str]:
    """(True, ACCEPTED) when Login with Amazon accepts the pair, else (False, one sentence saying why);
    the sentences in the current language."""
    client_id = client_id.strip()
    if not client_id:
        return False, _("There is no LWA client ID to test; enter it first.")
    if not client_secret:
        return False, _("There is no LWA client secret to test; type it in the client secret field first.")
    try:
        with LwaClient(
            token_url, client_id, client_secret, timeout=timeout, max_attempts=2, deadline_seconds=timeout * 2
        ) as lwa:
            lwa.exchange_code(CHECK_CODE, None)
    except InvalidGrant:
        return True, _(ACCEPTED)
    except InvalidClient:
        return False, _(REJECTED)
    except AmazonError as exc:
        return False, redact(exc.message, client_secret)
    except httpx.HTTPError as exc:
        return (
            False,
            _("Login with Amazon could not be asked ({kind}); check amazon.lwa_token_url.").format(
                kind=type(exc).__name__
            ),
        )
    # Tokens for a made-up code: whatever answers at this address is not Login with Amazon.
    return False, _(
        "The token address answered a made-up code with tokens, so it is not Login with Amazon; check "
        "amazon.lwa_token_url in the config."
    )
