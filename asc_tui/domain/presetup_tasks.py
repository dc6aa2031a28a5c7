"""The eight pre-setup tasks of Adobe's guide: what to have ready before adding Amazon stores."""

from __future__ import annotations

from dataclasses import dataclass

from asc_tui.i18n import N_


@dataclass(frozen=True)
class PreSetupTask:
    # key: saved in the database, never translated; title and detail: marked here, translated where shown.
    key: str
    title: str
    detail: str


PRE_SETUP_TASKS: tuple[PreSetupTask, ...] = (
    PreSetupTask(
        "cron",
        N_("Enable background tasks in Commerce"),
        N_("Amazon data is synced by Commerce cron; enable it and run it every five minutes."),
    ),
    PreSetupTask(
        "seller-account",
        N_("Create your Amazon Seller Central account"),
        N_(
            "A Professional Seller account in each region you sell in: North America, Europe or the Far East."
        ),
    ),
    PreSetupTask(
        "approved-seller",
        N_("Make sure you are an approved Amazon seller"),
        N_(
            "No product or category restrictions; return policy, tax settings and shipping methods configured."
        ),
    ),
    PreSetupTask(
        "vat",
        N_("Make sure that your VAT is configured for your stores"),
        N_("Mainly for UK sellers: Amazon's VAT Calculation Service can take 10–14 days to activate."),
    ),
    PreSetupTask(
        "catalog-matches",
        N_("Increase the number of automatic catalog matches"),
        N_("Add Commerce product attributes for ASIN, EAN, GCID, ISBN or UPC to match existing listings."),
    ),
    PreSetupTask(
        "currency",
        N_("Configure your currency and conversion (as needed)"),
        N_("If Amazon uses another currency than your Commerce store, enable it and set the rate."),
    ),
    PreSetupTask(
        "condition-attribute",
        N_("Create a product condition attribute (as needed)"),
        N_("For listings in more than one condition (new, used, like new), map it during onboarding."),
    ),
    PreSetupTask(
        "shipping",
        N_("Configure your Amazon Seller Central shipping method"),
        N_("Settings > Shipping Settings in Seller Central: the methods that fulfil Amazon orders."),
    ),
)
