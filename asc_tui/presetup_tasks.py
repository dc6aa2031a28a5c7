"""The eight pre-setup tasks of Adobe's guide: what to have ready before adding Amazon stores."""

from __future__ import annotations

from dataclasses import dataclass


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
