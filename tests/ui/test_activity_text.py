"""The activity log is stored in English and shown in the admin's language."""

from __future__ import annotations

import pytest

from asc_tui import i18n
from asc_tui.domain import StoreDraft, StoreEdit
from asc_tui.services.registry import Registry
from asc_tui.ui.activity import shown_detail


def test_what_the_services_write_is_reworded_in_chinese(registry: Registry) -> None:
    store = registry.stores.add(
        StoreDraft(
            name="Shop 'US'", email="a@example.com", country="US", website="base",
            product_id_type="ASIN", attribute="sku",
        )
    )  # fmt: skip
    registry.stores.edit(store.id or 0, StoreEdit(name="台北店", email="b@example.com"), store.version)
    entries = {entry.action: entry.detail for entry in registry.stores.activity(store.id or 0)}
    assert entries["created"] == "US marketplace, website base, ASIN from sku"  # stored in English
    english = {action: shown_detail(action, detail) for action, detail in entries.items()}
    assert english == entries  # English shows what is stored

    i18n.set_language("zh-Hant")
    assert shown_detail("created", entries["created"]) == "US 市場，網站 base，ASIN 取自 sku"
    assert shown_detail("edited", entries["edited"]) == (
        "名稱 \"Shop 'US'\" → '台北店'；電子郵件 a@example.com → b@example.com"
    )
    connected = "seller A1SANDBOXNA001, marketplace US (ATVPDKIKX0DER), renew by 2027-11-27"
    assert (
        shown_detail("connected", connected)
        == "賣家 A1SANDBOXNA001，市場 US（ATVPDKIKX0DER），續訂期限 2027年11月27日"
    )
    assert shown_detail("edited", "email a@x.com → b@x.com") == "電子郵件 a@x.com → b@x.com"


@pytest.mark.parametrize(
    ("action", "detail"),
    [
        ("created", "written by hand"),
        ("edited", "name without quotes → x"),
        ("renewed", "seller ?"),
        ("zzz", "x"),
    ],
)
def test_a_detail_in_no_known_form_is_shown_as_stored(action: str, detail: str) -> None:
    i18n.set_language("zh-Hant")
    assert shown_detail(action, detail) == detail
