"""The Commerce catalog from a real (fake) Magento, seen from the TUI: the settings screen points the app at
the shop, the background refresh fills the add form, and a wrong secret or a wrong address says why and
keeps the old catalog. The fake is a real HTTP server on loopback that checks every OAuth 1.0a signature."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, Static

from asc_tui.commerce.catalog import Catalog
from asc_tui.commerce.credentials import (
    CREDENTIAL_FIELDS,
    KEY_ACCESS_TOKEN,
    KEY_ACCESS_TOKEN_SECRET,
    KEY_CONSUMER_KEY,
    KEY_CONSUMER_SECRET,
)
from asc_tui.ui.screens.add_store import AddStoreModal
from asc_tui.ui.screens.settings import SettingsScreen
from asc_tui.ui.screens.store_view import StoreViewScreen
from asc_tui.ui.widgets.attribute_picker import AttributePicker
from tests.support.fake_magento import FakeMagento, default_store_data, magento_secret

from .helpers import (
    card_texts,
    fill_add_form,
    make_app,
    notifications,
    press,
    ready_home,
    saved_registry,
    screen_text,
    seed,
    shown_notifications,
    type_into,
    until,
    until_ready,
)

SHOP_ATTRIBUTES = ATTRIBUTES = (
    1234  # three pages of 500: the form lists the first 200 matches and says how many more
)
FLAGGED = "not in the catalog any more"


@pytest.fixture(autouse=True)
def keyring_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A named file keyring, set before the app starts; no Magento credential from the environment."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    for credential in CREDENTIAL_FIELDS:
        monkeypatch.delenv(credential.env, raising=False)
    return tmp_path / "xdg-data"


def oauth_fields(shop: FakeMagento) -> dict[str, str]:
    """The settings screen's credential fields (by id) and what the integration page shows for each."""
    i = shop.integration
    return {
        "consumer_key": i.consumer_key,
        "consumer_secret": i.consumer_secret,
        "access_token": i.access_token,
        "access_token_secret": i.access_token_secret,
    }


def configure(isolated_home: Path, base_url: str) -> None:
    config = isolated_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[commerce]\nbase_url = "{base_url}"\nauth = "oauth1"\n', encoding="utf-8")


def store_credentials(shop: FakeMagento) -> None:
    i = shop.integration
    with saved_registry() as registry:
        for key, value in (
            (KEY_CONSUMER_KEY, i.consumer_key),
            (KEY_CONSUMER_SECRET, i.consumer_secret),
            (KEY_ACCESS_TOKEN, i.access_token),
            (KEY_ACCESS_TOKEN_SECRET, i.access_token_secret),
        ):
            registry.secrets.set(key, value)


def shop_catalog_cached(isolated_home: Path, shop: FakeMagento) -> Catalog:
    """The state before the test: the app pointed at the shop, credentials stored, its catalog cached."""
    configure(isolated_home, shop.base_url)
    store_credentials(shop)
    with saved_registry() as registry:
        return registry.catalog.refresh()


def cached_catalog() -> Catalog | None:
    with saved_registry() as registry:
        return registry.catalog.cached()


async def finish(pilot: Pilot[None], group: str) -> None:
    """Wait for the workers of that group (never for all: the app keeps long-running ones)."""
    await pilot.pause()
    for worker in [w for w in pilot.app.workers if w.group == group]:
        await worker.wait()
    await pilot.pause()


async def open_settings(pilot: Pilot[None]) -> SettingsScreen:
    await until_ready(pilot)
    await pilot.press("s")
    await until(pilot, lambda: isinstance(pilot.app.screen, SettingsScreen), "the settings screen")
    screen = pilot.app.screen
    assert isinstance(screen, SettingsScreen)
    await finish(pilot, "settings-keyring")
    return screen


async def open_add_form(pilot: Pilot[None]) -> AddStoreModal:
    await pilot.press("a")
    await until(pilot, lambda: isinstance(pilot.app.screen, AddStoreModal), "the add form")
    modal = pilot.app.screen
    assert isinstance(modal, AddStoreModal)
    await pilot.pause()
    return modal


async def website_choices(pilot: Pilot[None], modal: AddStoreModal) -> list[str]:
    """What the website dropdown offers, read from its open list as the admin sees it."""
    modal.query_one("#website", Select).focus()
    await press(pilot, "enter")
    overlay = modal.query_one("#website SelectOverlay", OptionList)
    prompts = [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]
    await press(pilot, "escape")
    return [p for p in prompts if p.strip() and p != "Choose a website"]


def listed(picker: AttributePicker) -> list[str]:
    options = picker.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt).strip() for i in range(options.option_count)]


async def type_filter(pilot: Pilot[None], text: str) -> None:
    """Typed key by key, as an admin narrows the list."""
    box = pilot.app.screen.query_one("#attribute-filter", Input)
    box.focus()
    box.value = ""
    await pilot.pause()
    await press(pilot, *text)


# --- the closing note's first half: settings → fake Magento → the form ----------------------------


async def test_pointing_the_app_at_the_fake_magento_through_settings_fills_the_form(
    isolated_home: Path, shop: FakeMagento
) -> None:
    app = make_app()
    async with app.run_test(size=(110, 44)) as pilot:
        screen = await open_settings(pilot)
        assert app.catalog is not None and app.catalog.source == "embedded"
        for field in oauth_fields(shop):
            assert screen.query_one(f"#{field}", Input).password
            assert "Not stored yet" in str(screen.query_one(f"#{field}-state", Static).render())
        assert not screen.query_one("#bearer_token-field").display  # OAuth 1.0a: the four, not the token

        type_into(app, "#base_url", shop.base_url)
        for field, value in oauth_fields(shop).items():
            type_into(app, f"#{field}", value)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await finish(pilot, "settings-secret")
        await finish(pilot, "catalog-refresh")
        await until(pilot, lambda: app.catalog is not None and app.catalog.source == shop.base_url, "refresh")

        assert "Magento credentials are in the keyring" in str(screen.query_one("#settings-status").render())
        await finish(pilot, "settings-keyring")
        for field in oauth_fields(shop):
            assert screen.query_one(f"#{field}", Input).value == ""
            assert "Stored in the keyring" in str(screen.query_one(f"#{field}-state", Static).render())
        shown = screen_text(pilot) + "\n".join(notifications(app))
        assert not [secret for secret in shop.secrets() if secret in shown]
        assert any(f"{ATTRIBUTES} attribute(s)" in m and "3 website(s)" in m for m in notifications(app))
        # One refresh, after the credentials were stored: none before them that failed for want of them.
        assert not [n.message for n in shown_notifications(app) if n.severity == "error"]
        assert shop.attribute_pages == [1, 2, 3]

        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.home, "the home")
        modal = await open_add_form(pilot)
        assert await website_choices(pilot, modal) == [
            "Main Website (base)",
            "Amazon US Website (us_site)",
            "Amazon UK Website (uk_site)",
        ]
        age = str(modal.query_one(".catalog-age", Static).render())
        assert f"Catalog: {shop.base_url}, read" in age

        picker = modal.query_one("#attribute", AttributePicker)
        # Thousands of attributes: the first 200 are listed, and the last line says how many more.
        assert (
            len(listed(picker)) == 1 + 200 + 1
            and listed(picker)[-1] == f"… {ATTRIBUTES - 200:,} more: keep typing"
        )
        # By part of the label …
        await type_filter(pilot, "asin")
        assert listed(picker)[1:] == ["Amazon ASIN (amazon_asin)"]
        assert "1 of 1,234 attributes match" in str(modal.query_one("#attribute-chosen", Static).render())
        await pilot.press("enter")  # picks the highlighted match; the form stays open
        await pilot.pause()
        assert isinstance(app.screen, AddStoreModal) and picker.value == "amazon_asin"
        assert modal.draft().attribute == "amazon_asin"
        # … and by part of the code.
        await type_filter(pilot, "attr_120")
        assert listed(picker)[1:] == [f"Custom attribute {n} (custom_attr_{n})" for n in range(1200, 1210)]
        await press(pilot, "down", "enter")
        assert picker.value == "custom_attr_1201" and modal.draft().attribute == "custom_attr_1201"
        await type_filter(pilot, "no such thing")
        assert listed(picker)[1:] == ["No attribute matches “no such thing”."]
        assert picker.value == "custom_attr_1201"  # narrowing never changes the choice by itself

        # Complete the form with what the shop offers and add the store.
        await type_filter(pilot, "asin")
        await pilot.press("enter")
        await fill_add_form(pilot, "From the shop", "US", website="us_site")
        modal.query_one("#product_id_type", Select).value = "ASIN"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, AddStoreModal), "the form to close")
        (card,) = card_texts(app)
        assert "Amazon US Website (us_site)" in card

    with saved_registry() as registry:
        (store,) = registry.stores.list_stores()
        assert (store.website, store.product_id_type, store.attribute) == ("us_site", "ASIN", "amazon_asin")
        assert registry.catalog.cached() == app.catalog
    config_text = (isolated_home / "config" / "config.toml").read_text("utf-8")
    assert f'base_url = "{shop.base_url}"' in config_text
    assert not [secret for secret in shop.secrets() if secret in config_text]


async def test_the_picker_keeps_none_possible_and_the_pair_rule(isolated_home: Path) -> None:
    """On the embedded catalog: a product ID type without an attribute is said under the attribute."""
    async with ready_home(size=(110, 44)) as (_, pilot):
        modal = await open_add_form(pilot)
        picker = modal.query_one("#attribute", AttributePicker)
        assert listed(picker)[0] == "✓ None"
        modal.query_one("#product_id_type", Select).value = "EAN"
        await pilot.pause()
        error = modal.query_one("#attribute-error", Static)
        assert error.display and "Magento attribute" in str(error.render())
        assert picker.has_class("-invalid")
        await type_filter(pilot, "sku")
        await press(pilot, "enter")
        assert picker.value == "sku" and not error.display and not picker.has_class("-invalid")
        # Back to None: the first line, whatever was typed.
        await pilot.press("up")
        await press(pilot, "enter")
        assert picker.value == "" and error.display
        # A click picks too: the third line of the narrowed list.
        await type_filter(pilot, "meta")
        assert listed(picker)[1:4] == [
            "Meta Description (meta_description)",
            "Meta Keywords (meta_keyword)",
            "Meta Title (meta_title)",
        ]
        await pilot.click("#attribute-options", offset=(4, 2))
        await pilot.pause()
        assert picker.value == "meta_keyword" and modal.draft().attribute == "meta_keyword"
        assert listed(picker)[2] == "✓ Meta Keywords (meta_keyword)"


# --- the closing note's second half: a wrong secret, a wrong address ------------------------------


async def test_a_wrong_secret_says_which_and_keeps_the_old_catalog(
    isolated_home: Path, shop: FakeMagento
) -> None:
    before = shop_catalog_cached(isolated_home, shop)
    wrong = magento_secret()
    app = make_app()
    async with app.run_test(size=(110, 44)) as pilot:
        screen = await open_settings(pilot)
        assert app.catalog == before  # the cache serves: the shop is not asked while opening
        for field in oauth_fields(shop):
            assert "Stored in the keyring" in str(screen.query_one(f"#{field}-state", Static).render())
        type_into(app, "#consumer_secret", wrong)  # only the secret: the rest stays as stored
        await pilot.press("ctrl+s")
        await finish(pilot, "settings-secret")
        assert "Magento Consumer Secret is in the keyring" in str(
            screen.query_one("#settings-status").render()
        )
        # Only a credential changed, not [commerce]: the catalog is read again all the same.
        await finish(pilot, "catalog-refresh")
        await until(pilot, lambda: any("signature" in m for m in notifications(app)), "the failure")
        (message,) = [m for m in notifications(app) if "signature" in m]
        assert message.startswith("Magento rejected the request signature")
        assert "Consumer Secret and Access Token Secret in the settings screen" in message
        assert f"The catalog from {shop.base_url} (read" in message and "stays in use" in message
        assert wrong not in message and not [s for s in shop.secrets() if s in message]
        assert app.catalog == before

        # The add form, open during a refresh that fails, says so on its age line.
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.home, "the home")
        modal = await open_add_form(pilot)
        await press(pilot, "ctrl+r")
        await finish(pilot, "catalog-refresh")
        await until(
            pilot,
            lambda: "refresh failed" in str(modal.query_one(".catalog-age", Static).render()),
            "the age line",
        )
        age = str(modal.query_one(".catalog-age", Static).render())
        assert age.startswith(f"Catalog: {shop.base_url}, read") and age.endswith("· refresh failed")
        assert len(await website_choices(pilot, modal)) == 3  # still the shop's websites
        assert app.catalog == before
    assert cached_catalog() == before


async def test_a_wrong_address_says_nothing_answers_and_keeps_the_old_catalog(
    isolated_home: Path, shop: FakeMagento, refused_port: int
) -> None:
    before = shop_catalog_cached(isolated_home, shop)
    nobody = f"http://127.0.0.1:{refused_port}"
    app = make_app()
    async with app.run_test(size=(110, 44)) as pilot:
        await open_settings(pilot)
        type_into(app, "#base_url", nobody)
        await press(pilot, "ctrl+s")
        assert app.config.commerce.base_url == nobody  # no credential typed: applied at once
        await finish(pilot, "catalog-refresh")
        await until(pilot, lambda: any("Nothing answers" in m for m in notifications(app)), "the failure")
        (message,) = [m for m in notifications(app) if "Nothing answers" in m]
        assert message.startswith(
            f"Nothing answers at {nobody} (connection refused); check commerce.base_url"
        )
        assert app.catalog == before
    assert cached_catalog() == before


# --- a website that went away -----------------------------------------------------------------------


async def test_a_store_whose_website_left_the_catalog_is_flagged_not_changed(isolated_home: Path) -> None:
    seed(("On the base website", "US"))  # cached: the embedded catalog, whose website `base` it uses
    with saved_registry() as registry:
        (stored,) = registry.stores.list_stores()
    websites, groups, views = default_store_data()
    without_base = FakeMagento(
        websites=[w for w in websites if w["code"] != "base"],
        groups=[g for g in groups if g["website_id"] != 1],
        store_views=[v for v in views if v["website_id"] != 1],
        attribute_count=30,
    )
    with without_base as shop:
        configure(isolated_home, shop.base_url)
        store_credentials(shop)
        async with ready_home(size=(110, 40)) as (app, pilot):
            # The cache came from elsewhere (embedded): the app reads the shop in the background.
            await finish(pilot, "catalog-refresh")
            await until(
                pilot, lambda: app.catalog is not None and app.catalog.source == shop.base_url, "refresh"
            )
            assert app.catalog.website_codes == {"us_site", "uk_site"}
            (card,) = card_texts(app)
            assert f"Website base ⚠ {FLAGGED}" in card
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, StoreViewScreen), "the store view")
            assert FLAGGED in str(app.screen.query_one("#view-website", Static).render())
    with saved_registry() as registry:
        (after,) = registry.stores.list_stores()
    assert (after.website, after.version, after.updated_at, after.status) == (
        stored.website,
        stored.version,
        stored.updated_at,
        stored.status,
    )
