"""The eight pre-setup tasks of Adobe's guide, as a checklist whose ticks persist in the registry."""

from __future__ import annotations

from dataclasses import dataclass

from asc_tui.storage.database import Database
from asc_tui.storage.models import Preference


@dataclass(frozen=True)
class PreSetupTask:
    key: str
    title: str
    detail: str


PRE_SETUP_TASKS: tuple[PreSetupTask, ...] = (
    PreSetupTask(
        "cron",
        "Enable background tasks in Commerce",
        "Amazon data is synced by Commerce cron; enable it and run it every five minutes.",
    ),
    PreSetupTask(
        "seller-account",
        "Create your Amazon Seller Central account",
        "A Professional Seller account in North America (US, CA, MX) or Europe (UK).",
    ),
    PreSetupTask(
        "approved-seller",
        "Make sure you are an approved Amazon seller",
        "No product or category restrictions; return policy, tax settings and shipping methods configured.",
    ),
    PreSetupTask(
        "vat",
        "Make sure that your VAT is configured for your stores",
        "Mainly for UK sellers: Amazon's VAT Calculation Service can take 10–14 days to activate.",
    ),
    PreSetupTask(
        "catalog-matches",
        "Increase the number of automatic catalog matches",
        "Add Commerce product attributes for ASIN, EAN, GCID, ISBN or UPC to match existing listings.",
    ),
    PreSetupTask(
        "currency",
        "Configure your currency and conversion (as needed)",
        "If Amazon uses another currency than your Commerce store, enable it and set the rate.",
    ),
    PreSetupTask(
        "condition-attribute",
        "Create a product condition attribute (as needed)",
        "For listings in more than one condition (new, used, like new), map it during onboarding.",
    ),
    PreSetupTask(
        "shipping",
        "Configure your Amazon Seller Central shipping method",
        "Settings > Shipping Settings in Seller Central: the methods that fulfil Amazon orders.",
    ),
)

_PREFIX = "presetup."


class PreSetupService:
    def __init__(self, database: Database) -> None:
        self._db = database

    def done(self) -> set[str]:
        from sqlmodel import col, select

        with self._db.session() as session:
            rows = session.exec(select(Preference).where(col(Preference.key).startswith(_PREFIX))).all()
            return {row.key.removeprefix(_PREFIX) for row in rows if row.value == "done"}

    def set_done(self, key: str, done: bool) -> None:
        if key not in {task.key for task in PRE_SETUP_TASKS}:
            raise KeyError(key)
        with self._db.session() as session:
            row = session.get(Preference, _PREFIX + key)
            if done:
                if row is None:
                    session.add(Preference(key=_PREFIX + key, value="done"))
            elif row is not None:
                session.delete(row)
            session.commit()
