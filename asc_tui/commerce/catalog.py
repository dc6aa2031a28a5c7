"""One catalog interface; where it comes from (embedded defaults or Magento's REST API) is a source."""

from __future__ import annotations

from collections.abc import Callable

from asc_tui.commerce.model import Attribute, Catalog, CatalogSource, StoreView, Website
from asc_tui.domain import utcnow
from asc_tui.i18n import _
from asc_tui.settings.config import CommerceConfig

EMBEDDED = "embedded"


def catalog_source(source: str) -> str:
    """Where a catalog was read from, for people: a shop's address, or the built-in sample (the CLI and
    the TUI say it alike)."""
    return _("embedded") if source == EMBEDDED else source


# What a fresh Magento 2.4 install ships: one website, one store view, the system product attributes.
MAGENTO_DEFAULT_WEBSITES = (Website("base", "Main Website", "default"),)
MAGENTO_DEFAULT_STORE_VIEWS = (StoreView("default", "Default Store View", "base"),)
MAGENTO_DEFAULT_ATTRIBUTES = (
    Attribute("sku", "SKU"),
    Attribute("name", "Product Name"),
    Attribute("price", "Price"),
    Attribute("special_price", "Special Price"),
    Attribute("cost", "Cost"),
    Attribute("weight", "Weight"),
    Attribute("description", "Description"),
    Attribute("short_description", "Short Description"),
    Attribute("manufacturer", "Manufacturer"),
    Attribute("color", "Color"),
    Attribute("country_of_manufacture", "Country of Manufacture"),
    Attribute("url_key", "URL Key"),
    Attribute("meta_title", "Meta Title"),
    Attribute("meta_keyword", "Meta Keywords"),
    Attribute("meta_description", "Meta Description"),
    Attribute("status", "Enable Product"),
    Attribute("visibility", "Visibility"),
    Attribute("tax_class_id", "Tax Class"),
    Attribute("quantity_and_stock_status", "Quantity"),
    Attribute("news_from_date", "Set Product as New from Date"),
    Attribute("image", "Base Image"),
)


class EmbeddedCatalogSource:
    """The Magento defaults plus whatever websites and attributes the config file adds."""

    name = EMBEDDED
    offline = True

    def __init__(self, commerce: CommerceConfig) -> None:
        self._commerce = commerce

    def fetch(self) -> Catalog:
        websites = {w.code: w for w in MAGENTO_DEFAULT_WEBSITES}
        views = {v.code: v for v in MAGENTO_DEFAULT_STORE_VIEWS}
        for w in self._commerce.websites:
            websites[w.code] = Website(w.code, w.name, w.default_store_view)
            if w.default_store_view not in views:
                views[w.default_store_view] = StoreView(w.default_store_view, w.default_store_view, w.code)
        attributes = {a.code: a for a in MAGENTO_DEFAULT_ATTRIBUTES}
        for a in self._commerce.attributes:
            attributes[a.code] = Attribute(a.code, a.label)
        return Catalog(
            source=EMBEDDED,
            fetched_at=utcnow(),
            websites=tuple(websites.values()),
            store_views=tuple(views.values()),
            attributes=tuple(sorted(attributes.values(), key=lambda a: a.code)),
        )


class MagentoSource:
    """The shop's catalog over Magento's REST API; credentials are read (keyring, env) only when fetching."""

    offline = False

    def __init__(
        self,
        commerce: CommerceConfig,
        get_secret: Callable[[str], str | None],
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        from asc_tui.commerce.address import display_url, normalize_base_url

        self._commerce = commerce
        self._get_secret = get_secret
        self.progress = progress
        base = normalize_base_url(commerce.base_url)
        # The same name the REST source gives the catalogs it reads, so the cache can be matched to it.
        self.name = display_url(base) if base else commerce.base_url.strip()

    def fetch(self) -> Catalog:
        # Imported here: httpx and oauthlib cost ~150 ms, and only a refresh needs them.
        from asc_tui.commerce.credentials import credentials_from
        from asc_tui.commerce.magento import MagentoCatalogSource

        credentials = credentials_from(self._get_secret, auth=self._commerce.auth)
        source = MagentoCatalogSource(self._commerce.base_url, self._commerce.auth, credentials)
        return source.fetch(progress=self.progress)


def source_for(
    commerce: CommerceConfig, get_secret: Callable[[str], str | None] | None = None
) -> CatalogSource:
    """Magento's REST API when `commerce.base_url` is set, else the embedded defaults."""
    if commerce.base_url and get_secret is not None:
        return MagentoSource(commerce, get_secret)
    return EmbeddedCatalogSource(commerce)
