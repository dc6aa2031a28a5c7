"""Connecting a store with an authorization its seller already gave in its region: no browser, no consent.

Amazon's consent covers every marketplace of a region, so a seller's Canada store can use the refresh token
its US store got. Before the store points at it, the Sellers API must list the store's marketplace for
that token (the same check, client and retries as after a consent), and the seller + marketplace rule
holds. Using an authorization does not renew it: its authorized-at, and so every store's renew-by, stay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from asc_tui.amazon.errors import AmazonError, RefreshTokenRevoked, redact
from asc_tui.amazon.http import RetryPolicy
from asc_tui.amazon.lwa import LwaClient
from asc_tui.domain import (
    MARKETPLACES,
    AuthHealth,
    Marketplace,
    StoreStatus,
    auth_health,
    region_name,
    renew_by,
    utcnow,
)
from asc_tui.errors import AscError, ConnectFailed, DatabaseProblem, StoreNotFound
from asc_tui.i18n import _, format_day
from asc_tui.services import authorizations
from asc_tui.services.attempts import claim, release
from asc_tui.services.connect_complete import NETWORK_DEADLINE_SECONDS, check_participation
from asc_tui.services.connect_context import ConnectContext
from asc_tui.services.connect_outcome import marketplace_holder, taken_message
from asc_tui.services.connect_session import Outcome
from asc_tui.settings.secret_store import SecretsUnavailable, refresh_token_key
from asc_tui.storage.models import Activity, SellerAuthorization, Store

logger = logging.getLogger(__name__)

HEALTHY = (AuthHealth.OK, AuthHealth.RENEW_SOON)


@dataclass(frozen=True)
class Reusable:
    """A healthy authorization a not-yet-connected store could use, as the screen and the CLI show it."""

    authorization_id: int
    seller_id: str
    region: str
    authorized_at: datetime
    stores: tuple[str, ...]  # the names of the stores on it, by id

    @property
    def renew_by(self) -> datetime:
        return renew_by(self.authorized_at)

    @property
    def region_name(self) -> str:
        return region_name(self.region)

    def describe(self) -> str:
        """One line: whose authorization, when it was last given, which stores it covers."""
        return _(
            "Use the {region} authorization of seller {seller} (renewed on {day}, covers: {stores})"
        ).format(
            region=self.region_name,
            seller=self.seller_id,
            day=format_day(self.authorized_at.date()),
            stores=", ".join(self.stores),
        )


class AuthorizationReuse:
    def __init__(self, context: ConnectContext, lwa_client: Callable[[], LwaClient]) -> None:
        self._context = context
        self._lwa_client = lwa_client

    def reusable(self, store_id: int) -> list[Reusable]:
        """The healthy authorizations in the store's region whose token this machine's keyring holds; none
        for a store already connected (renewing it goes through Amazon's consent)."""
        database = self._context.database
        with database.session() as session:
            store = session.get(Store, store_id)
            if store is None or store.seller_id is not None or store.authorization_id is not None:
                return []
            region = MARKETPLACES[store.country].region
            rows = session.exec(
                select(SellerAuthorization)
                .where(SellerAuthorization.region == region, col(SellerAuthorization.revoked).is_(False))
                .order_by(col(SellerAuthorization.seller_id))
            ).all()
            found: list[tuple[SellerAuthorization, list[str]]] = []
            for row in rows:
                if auth_health(row.authorized_at, row.revoked)[0] not in HEALTHY or not row.token_ref:
                    continue
                names = session.exec(
                    select(Store.name).where(Store.authorization_id == row.id).order_by(col(Store.id))
                ).all()
                found.append((row, list(names)))
        reusable = []
        for row, names in found:
            try:
                present = self._context.secrets.get(refresh_token_key(row.token_ref or "")) is not None
            except SecretsUnavailable:
                present = False  # a locked or missing keyring: consent is still there
            if present and row.authorized_at is not None and names:
                reusable.append(
                    Reusable(row.id or 0, row.seller_id, row.region, row.authorized_at, tuple(names))
                )
        return reusable

    def use(self, store_id: int, authorization_id: int) -> Outcome:
        """Connect the store with that authorization, after Amazon lists its marketplace for the token."""
        context = self._context
        context.require_ready()
        with context.database.session() as session:
            store = session.get(Store, store_id)
            if store is None:
                raise StoreNotFound(f"#{store_id}")
        name = store.name
        marketplace = MARKETPLACES[store.country]
        offer = next((r for r in self.reusable(store_id) if r.authorization_id == authorization_id), None)
        if offer is None:
            if store.seller_id is not None:
                raise ConnectFailed(
                    _(
                        "Store {name!r} is already connected; renewing it goes through Amazon's consent "
                        "(c on the home, or `asc-tui stores connect` with --new-authorization)."
                    ).format(name=name)
                )
            raise ConnectFailed(
                _(
                    "That authorization cannot connect store {name!r} (it is revoked, expired, of another "
                    "region, or its token is not on this machine); sign in with Seller Central instead."
                ).format(name=name)
            )
        attempt_id, nonce = claim(
            context.database,
            store,
            host=context.host,
            user=context.user,
            minutes=context.amazon.connect_timeout_minutes,
        )
        try:
            return self._use(store_id, name, offer, marketplace)
        finally:
            try:
                release(context.database, attempt_id, nonce)
            except Exception:  # the claim expires by itself; the outcome must still reach the admin
                logger.exception("Could not remove the connect claim of store #%s", store_id)

    def _use(self, store_id: int, name: str, offer: Reusable, marketplace: Marketplace) -> Outcome:
        seller = offer.seller_id
        token: str | None = None
        try:
            with self._context.database.session() as session:
                row = session.get(SellerAuthorization, offer.authorization_id)
                ref = row.token_ref if row is not None else None
            token = self._context.secrets.get(refresh_token_key(ref)) if ref else None
            if token is None:
                raise ConnectFailed(
                    _(
                        "Seller {seller}'s authorization has no token on this machine any more; sign in "
                        "with Seller Central instead. Store {name!r} is unchanged."
                    ).format(seller=seller, name=name)
                )
            try:
                access = self._lwa_client().access_token(token)
            except RefreshTokenRevoked:
                self._revoke(offer.authorization_id)
                return Outcome(
                    False,
                    _(
                        "Amazon no longer accepts seller {seller}'s {region} authorization (invalid_grant), "
                        "so it and its stores are marked revoked; sign in with Seller Central to connect "
                        "store {name!r}, which is unchanged."
                    ).format(seller=seller, region=offer.region_name, name=name),
                )
            endpoint = self._context.amazon.endpoints.get(marketplace.region, "")
            policy = RetryPolicy(deadline_seconds=NETWORK_DEADLINE_SECONDS)
            check_participation(endpoint, policy, access, seller, marketplace, name)
            return self._point(store_id, name, offer, marketplace)
        except AmazonError as exc:
            message = redact(exc.message, token) if token else exc.message
            return Outcome(
                False, _("{message} Store {name!r} is unchanged.").format(message=message, name=name)
            )
        except AscError as exc:  # refusals, the keyring, the database
            return Outcome(False, exc.message)
        except Exception as exc:
            logger.exception("Connecting store #%s with an authorization failed unexpectedly", store_id)
            return Outcome(
                False,
                _(
                    "Connecting store {name!r} failed with an unexpected error ({kind}, written to the log "
                    "file); it was not connected, try again."
                ).format(name=name, kind=type(exc).__name__),
            )

    def _revoke(self, authorization_id: int) -> None:
        with self._context.database.session() as session:
            first = session.exec(
                select(Store).where(Store.authorization_id == authorization_id).order_by(col(Store.id))
            ).first()
            if first is not None and not first.auth_revoked:
                authorizations.mark_revoked(session, first)
                session.commit()

    def _point(self, store_id: int, name: str, offer: Reusable, marketplace: Marketplace) -> Outcome:
        seller = offer.seller_id
        now = utcnow()
        with self._context.database.session() as session:
            holder = marketplace_holder(session, seller, marketplace.marketplace_id, store_id)
            if holder is not None:
                raise ConnectFailed(taken_message(seller, marketplace.code, holder, name))
            store = session.get(Store, store_id, with_for_update=True)
            if store is None:
                raise StoreNotFound(name)
            if store.seller_id is not None or store.authorization_id is not None:
                raise ConnectFailed(
                    _("Store {name!r} was connected meanwhile; it is left as it is.").format(name=name)
                )
            store.seller_id = seller
            store.marketplace_id = marketplace.marketplace_id
            if store.status == StoreStatus.NOT_CONNECTED.value:
                store.status = StoreStatus.ACTIVE.value
            try:
                try:
                    authorization = authorizations.join(session, store, offer.authorization_id, now)
                except LookupError:
                    raise ConnectFailed(
                        _(
                            "Seller {seller}'s authorization was revoked or removed meanwhile; sign in with "
                            "Seller Central instead. Store {name!r} is unchanged."
                        ).format(seller=seller, name=name)
                    ) from None
                day = renew_by(authorization.authorized_at or now).date()
                session.add(
                    Activity(
                        store_id=store_id,
                        at=now,
                        action="connected",
                        detail=f"with seller {seller}'s {offer.region} authorization (no new consent), "
                        f"marketplace {marketplace.code} ({marketplace.marketplace_id}), "
                        f"renew by {day.isoformat()}",
                    )
                )
                session.commit()
            except IntegrityError:
                session.rollback()
                holder = marketplace_holder(session, seller, marketplace.marketplace_id, store_id)
                if holder is None:
                    raise DatabaseProblem(
                        _(
                            "The database refused to save store {name!r} (one of its rules or constraints "
                            "stopped the change); ask whoever runs the database, then connect again. Nothing "
                            "was saved."
                        ).format(name=name)
                    ) from None
                raise ConnectFailed(taken_message(seller, marketplace.code, holder, name)) from None
            session.refresh(store)
        said = _(
            "Store {name!r} is connected with seller {seller}'s {region} authorization, with no new consent: "
            "Amazon {code}; renew by {day}."
        ).format(
            name=name, seller=seller, region=offer.region_name, code=marketplace.code, day=format_day(day)
        )
        if store.status != StoreStatus.ACTIVE.value:
            said = _("{sentence} It stays inactive, as it was.").format(sentence=said)
        return Outcome(True, said, store=store)
