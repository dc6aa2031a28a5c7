"""Completing a connect attempt from Amazon's answer, whichever way it came back: the callback worker's
redirect, the address pasted from the browser, or a self-authorization refresh token. The answer is checked
(state, seller, marketplace) and the first valid one is saved; a refusal before the code is spent keeps the
attempt waiting, anything after it ends the attempt."""

from __future__ import annotations

import asyncio
import re
import threading

from asc_tui.amazon.callback import CallbackOutcome
from asc_tui.amazon.consent import state_matches
from asc_tui.amazon.errors import AmazonError, RefreshTokenRevoked
from asc_tui.amazon.http import RetryPolicy
from asc_tui.amazon.lwa import LwaClient
from asc_tui.amazon.redirect import RedirectError, RedirectQuery, looks_like_refresh_token, parse_redirect
from asc_tui.amazon.sellers import SellersClient, amazon_marketplaces
from asc_tui.domain import MARKETPLACE_BY_ID, Marketplace
from asc_tui.errors import AscError, ConnectFailed, ConnectRejected, SellerIdNeeded
from asc_tui.i18n import _
from asc_tui.services.connect_context import ConnectContext
from asc_tui.services.connect_end import AttemptEnd, Cancelled
from asc_tui.services.connect_outcome import OutcomeWriter
from asc_tui.services.connect_session import ConnectSession, Outcome

# The code Amazon sends lives 5 minutes; the token exchange and the Sellers call must fit well inside.
NETWORK_DEADLINE_SECONDS = 60.0
# A seller ID (Merchant Token) is capital letters and digits, such as A1B2C3D4E5F6G7.
SELLER_ID = re.compile(r"[A-Z0-9]{8,20}")


class AttemptCompletion:
    """Completes attempts, and holds the one LWA client they (and the online check) share."""

    def __init__(self, context: ConnectContext, end: AttemptEnd) -> None:
        self._context = context
        self._end = end
        self.writer = OutcomeWriter(context.database, context.secrets)
        self._lwa: LwaClient | None = None
        self._lwa_lock = threading.Lock()

    def close(self) -> None:
        if self._lwa is not None:
            self._lwa.close()

    def lwa_client(self) -> LwaClient:
        """The LWA client, made on first use (the client secret is read then)."""
        with self._lwa_lock:
            if self._lwa is None:
                self._lwa = LwaClient(
                    self._context.amazon.lwa_token_url,
                    self._context.amazon.client_id,
                    self._context.require_ready(),
                    deadline_seconds=NETWORK_DEADLINE_SECONDS,
                )
            return self._lwa

    def complete_from_paste(
        self, attempt: ConnectSession, text: str, seller_id: str | None = None
    ) -> Outcome:
        """The paste box: the address Amazon redirected to, its query, or a self-authorization token."""
        if looks_like_refresh_token(text):
            return self.complete_self_authorized(attempt, text.strip(), seller_id)
        try:
            query = parse_redirect(text)
        except RedirectError as exc:
            raise ConnectRejected(str(exc)) from None
        if query.is_login_bounce:
            raise ConnectRejected(
                _(
                    "That is the address of the app's Login URI step, not Amazon's final answer; finish the "
                    "steps in the browser and paste the address it ends on."
                )
            )
        return self.complete(attempt, query)

    def complete(self, attempt: ConnectSession, query: RedirectQuery) -> Outcome:
        """Amazon's redirect: a wrong state is refused and the attempt keeps waiting; a right one ends it."""
        self._end.check_open(attempt)
        if not state_matches(attempt.state, query.state or ""):
            raise ConnectRejected(
                _(
                    "That answer is not for this attempt (its state does not match); use the link shown for "
                    "store {name!r} now, or paste the address it led to."
                ).format(name=attempt.store_name)
            )
        with attempt._lock:
            self._end.check_open(attempt)
            name = attempt.store_name
            if query.is_error:
                code = query.error or "error"
                said = f"{query.error_description} ({code})" if query.error_description else code
                return self._end.end(
                    attempt,
                    Outcome(
                        False,
                        _("Amazon ended the authorization: {said}; store {name!r} is unchanged.").format(
                            said=said, name=name
                        ),
                    ),
                )
            seller_id = (query.selling_partner_id or "").strip()
            if not seller_id:
                return self._end.end(
                    attempt,
                    Outcome(
                        False,
                        _(
                            "Amazon's answer has no selling_partner_id, so the account cannot be identified; "
                            "store {name!r} is unchanged."
                        ).format(name=name),
                    ),
                )

            def exchange_and_save() -> Outcome:
                # Within what is left of the attempt (like the Sellers call): never past its timeout.
                tokens = self.lwa_client().exchange_code(
                    query.spapi_oauth_code or "",
                    attempt.redirect_uri or None,
                    deadline_seconds=max(1.0, min(NETWORK_DEADLINE_SECONDS, attempt.seconds_left())),
                )
                return self._verify_and_save(attempt, seller_id, tokens.refresh_token, tokens.access_token)

            # The code is spent from here on: whatever happens, this attempt ends.
            return self._end.end(attempt, self._end.settle(attempt, exchange_and_save))

    def complete_self_authorized(
        self, attempt: ConnectSession, refresh_token: str, seller_id: str | None = None
    ) -> Outcome:
        """A private app's refresh token from Seller Central's "Authorize app"; a bad token keeps waiting."""
        seller = (seller_id or attempt.renewal_of or "").strip()
        if not seller:
            raise SellerIdNeeded(
                _(
                    "A self-authorization token does not say which seller it belongs to; also give the "
                    "seller ID (Seller Central › Settings › Account Info › Merchant Token)."
                )
            )
        if not SELLER_ID.fullmatch(seller):
            raise SellerIdNeeded(
                _(
                    "That is not a seller ID: a Merchant Token is 8 to 20 capital letters and digits, such "
                    "as A1B2C3D4E5F6G7 (Seller Central › Settings › Account Info)."
                )
            )
        with attempt._lock:
            self._end.check_open(attempt)
            try:
                access = self.lwa_client().access_token(refresh_token)
            except RefreshTokenRevoked:
                raise ConnectRejected(
                    _(
                        "Login with Amazon does not accept that refresh token; copy it again from Seller "
                        "Central (Develop Apps › Authorize app) for this app."
                    )
                ) from None
            except AmazonError as exc:
                raise ConnectRejected(exc.message) from None
            except AscError as exc:
                raise ConnectRejected(exc.message) from None
            return self._end.end(
                attempt,
                self._end.settle(
                    attempt, lambda: self._verify_and_save(attempt, seller, refresh_token, access)
                ),
            )

    async def serve_callbacks(self, attempt: ConnectSession) -> None:
        """Run the callback worker until the attempt ends; each redirect completes it or is refused."""
        listener = attempt.listener
        if listener is None:
            return

        async def on_redirect(query: RedirectQuery) -> CallbackOutcome:
            try:
                outcome = await asyncio.to_thread(self.complete, attempt, query)
            except ConnectRejected as exc:
                return CallbackOutcome(False, _("This answer does not fit"), exc.message)
            except ConnectFailed as exc:
                return CallbackOutcome(False, _("Not connected"), exc.message)
            if outcome.connected:
                return CallbackOutcome(True, _("Connected"), outcome.message)
            return CallbackOutcome(False, _("Not connected"), outcome.message)

        await listener.serve(on_redirect)

    def _verify_and_save(
        self, attempt: ConnectSession, seller_id: str, refresh_token: str, access_token: str
    ) -> Outcome:
        marketplace = attempt.marketplace
        name = attempt.store_name
        if attempt.renewal_of is not None and attempt.renewal_of != seller_id:
            raise ConnectFailed(
                _(
                    "You signed in as seller {seller}, but store {name!r} is connected to seller "
                    "{connected}; renew with that account, or delete and re-add the store to switch "
                    "accounts. The store is unchanged."
                ).format(seller=seller_id, name=name, connected=attempt.renewal_of)
            )
        endpoint = self._context.amazon.endpoints.get(marketplace.region, "")
        # Within what is left of the attempt (and of the code's 5 minutes): never past the timeout.
        policy = RetryPolicy(deadline_seconds=max(1.0, min(NETWORK_DEADLINE_SECONDS, attempt.seconds_left())))
        check_participation(endpoint, policy, access_token, seller_id, marketplace, name)
        if attempt._cancel_requested:
            raise Cancelled()
        return self.writer.save(attempt, seller_id, refresh_token)


def check_participation(
    endpoint: str, policy: RetryPolicy, access_token: str, seller_id: str, marketplace: Marketplace, name: str
) -> None:
    """Ask the Sellers API whether the seller sells in the store's marketplace; ConnectFailed (Amazon's
    answer in one sentence, the store unchanged) when it does not. Amazon's own errors go up as they are."""
    with SellersClient(endpoint, retry_policy=policy) as sellers:
        participations = amazon_marketplaces(sellers.marketplace_participations(access_token))
    selling = [p for p in participations if p.is_participating]
    if any(p.marketplace_id == marketplace.marketplace_id for p in selling):
        return
    region = marketplace.region_name
    if not selling:
        raise ConnectFailed(
            _(
                "Seller {seller} sells in no Amazon marketplace of the {region} region, where Amazon "
                "{code} is; sign in with the account that sells in {code}. Store {name!r} is "
                "unchanged."
            ).format(seller=seller_id, region=region, code=marketplace.code, name=name)
        )
    where = ", ".join(MARKETPLACE_BY_ID[p.marketplace_id].code for p in selling)
    raise ConnectFailed(
        _(
            "Seller {seller} does not sell in the Amazon {code} marketplace (it sells in: {where}); "
            "sign in with the account for {code}, or add a store for one of those. Store {name!r} is "
            "unchanged."
        ).format(seller=seller_id, code=marketplace.code, where=where, name=name)
    )
