"""The Magento REST endpoints asc-tui reads, with the ACL resource each needs (`etc/webapi.xml`)."""

from __future__ import annotations

from dataclasses import dataclass

from asc_tui.i18n import N_, _

STORE_RESOURCE = "Magento_Backend::store"
ATTRIBUTES_RESOURCE = "Magento_Catalog::attributes_attributes"
# Where each resource sits in the integration's API tree (System › Extensions › Integrations › API).
RESOURCE_TREE = {
    STORE_RESOURCE: "Stores › Settings › All Stores",
    ATTRIBUTES_RESOURCE: "Stores › Attributes › Product",
}


@dataclass(frozen=True)
class Endpoint:
    path: str  # below /rest
    what_text: str  # in the admin's words, marked for translation
    resource: str

    @property
    def what(self) -> str:
        return _(self.what_text)


WEBSITES = Endpoint("/V1/store/websites", N_("the websites"), STORE_RESOURCE)
STORE_GROUPS = Endpoint("/V1/store/storeGroups", N_("the stores (store groups)"), STORE_RESOURCE)
STORE_VIEWS = Endpoint("/V1/store/storeViews", N_("the store views"), STORE_RESOURCE)
ATTRIBUTES = Endpoint("/V1/products/attributes", N_("the product attributes"), ATTRIBUTES_RESOURCE)
