"""A seller's authorization in North America, used by one store, and a store of theirs in Canada not yet
connected: the connect screen's first choice (issue 22 §2), seeded without Amazon."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from asc_tui.domain import MARKETPLACES
from asc_tui.settings.secret_store import refresh_token_key

from .helpers import FIXED, saved_registry, seed, until_ready, wait_until

SELLER = "A1SNAPSHOTNA01"


def seed_shared_authorization(connected: str, waiting: str) -> None:
    """`connected` (US) on seller A1SNAPSHOTNA01's authorization given at FIXED; `waiting` (CA) not connected."""
    seed((waiting, "CA"), (connected, "US"), sandbox=True)
    with saved_registry(sandbox=True) as registry:
        with registry.database.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO seller_authorization (seller_id, region, token_ref, authorized_at, revoked, "
                    "updated_at) VALUES (:s, 'NA', 'snapshot', :t, :f, :t)"
                ),
                {"s": SELLER, "t": FIXED, "f": False},
            )
            (authorization_id,) = conn.execute(text("SELECT id FROM seller_authorization")).one()
            conn.execute(
                text(
                    "UPDATE store SET status='active', seller_id=:s, marketplace_id=:m, authorized_at=:t, "
                    "token_ref='snapshot', authorization_id=:a WHERE name=:name"
                ),
                {
                    "s": SELLER,
                    "m": MARKETPLACES["US"].marketplace_id,
                    "t": FIXED,
                    "a": authorization_id,
                    "name": connected,
                },
            )
        registry.secrets.set(refresh_token_key("snapshot"), "Atzr|snapshot")


async def open_the_choice(pilot: Any) -> None:
    """Connect the first card (the Canada store): the choice opens instead of the consent link."""
    await until_ready(pilot)
    await pilot.press("c")
    await wait_until(
        pilot, lambda: type(pilot.app.screen).__name__ == "ConnectChoiceScreen", "the connect choice"
    )
    await pilot.pause(0.2)
