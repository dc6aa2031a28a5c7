"""The Commerce catalog read from a real Magento 2.4 over its REST API.

Endpoints, with the ACL resource each needs (Magento_Store and Magento_Catalog `etc/webapi.xml`):

- `GET /rest/V1/store/websites`    `Magento_Backend::store`: `[{id, code, name, default_group_id}]`
- `GET /rest/V1/store/storeGroups` `Magento_Backend::store`: `[{id, website_id, default_store_id, …}]`
- `GET /rest/V1/store/storeViews`  `Magento_Backend::store`: `[{id, code, name, website_id, store_group_id,
  is_active}]`
- `GET /rest/V1/products/attributes?searchCriteria[pageSize]=N&searchCriteria[currentPage]=P`
  `Magento_Catalog::attributes_attributes`: `{items, search_criteria, total_count}`, trimmed with
  `fields=items[attribute_code,default_frontend_label],total_count` (select attributes carry every option).

Each website's default store view (the store view Amazon orders are imported into) is
`website.default_group_id` → `group.default_store_id` → store view. The admin website and store (id 0,
code "admin") are skipped.

Authentication, as Magento ships it since 2.4.4: OAuth 1.0a with the integration's four credentials,
HMAC-SHA256, in the Authorization header, signed by oauthlib over the exact URL httpx sends (brackets
percent-encoded first: oauthlib refuses raw `[` `]`); or a plain bearer token, for shops that turned on
*Allow OAuth Access Tokens to be used as standalone Bearer tokens*.

What Magento really answers (its ErrorProcessor and OAuth code): a refused OAuth credential is HTTP 401
with the reason ("The signature is invalid. Verify and try again.", "Specified token does not exist", …);
a missing ACL resource is also HTTP 401, "The consumer isn't authorized to access %resources." — and so
is a bearer token that Magento does not take (setting off, or a wrong token), indistinguishable from a
missing resource. A 403 comes from elsewhere (a firewall, a proxy, an extension) and is read the same way.

Retries follow the shared policy (`asc_tui.amazon.http`): 429, 5xx and a broken connection are retried
with backoff; a refused connection, an unknown host, a TLS failure or a timeout are not (each would only
make the admin wait longer for the same answer). No secret ever reaches a message, a log line or a repr.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from asc_tui.amazon.http import RetryPolicy
from asc_tui.commerce.address import display_url, normalize_base_url
from asc_tui.commerce.credentials import (
    AUTH_BEARER,
    MagentoCredentials,
    auth_mode,
    credential_fields,
)
from asc_tui.commerce.errors import MagentoNotConfigured, MagentoProtocolError, MagentoUnavailable
from asc_tui.commerce.magento_diagnosis import SETTINGS_HINT, PageSizeTooLarge
from asc_tui.commerce.magento_endpoints import ATTRIBUTES_RESOURCE, STORE_RESOURCE, Endpoint
from asc_tui.commerce.magento_http import MagentoCaller
from asc_tui.commerce.magento_parsing import list_of_objects, search_results, websites_and_views
from asc_tui.commerce.model import Attribute, Catalog
from asc_tui.domain import utcnow
from asc_tui.i18n import N_, _, ngettext
from asc_tui.settings.hosts import is_loopback

# `what` values of the progress callback, in the order they are read.
PROGRESS_WEBSITES = "websites"
PROGRESS_STORE_GROUPS = "store groups"
PROGRESS_STORE_VIEWS = "store views"
PROGRESS_ATTRIBUTES = "attributes"

Progress = Callable[[str, int, int], None]

DEFAULT_TIMEOUT = 20.0
DEFAULT_PAGE_SIZE = 500
DEFAULT_RETRY_POLICY = RetryPolicy(max_attempts=3)
_ATTRIBUTE_FIELDS = "items[attribute_code,default_frontend_label],total_count"


WEBSITES = Endpoint("/V1/store/websites", N_("the websites"), STORE_RESOURCE)
STORE_GROUPS = Endpoint("/V1/store/storeGroups", N_("the stores (store groups)"), STORE_RESOURCE)
STORE_VIEWS = Endpoint("/V1/store/storeViews", N_("the store views"), STORE_RESOURCE)
ATTRIBUTES = Endpoint("/V1/products/attributes", N_("the product attributes"), ATTRIBUTES_RESOURCE)


# normalize_base_url and the display of an address live in asc_tui.commerce.address (no httpx).


def _url_password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None


class MagentoCatalogSource:
    """A `CatalogSource` reading websites, store views and product attributes from Magento's REST API.

    `fetch()` blocks (run it in a worker) and raises a `MagentoError` whose message is one sentence with
    the fix. `progress(what, done, total)` is called as each part is read (`PROGRESS_*` values for `what`;
    for attributes `done`/`total` count attributes).
    """

    offline = False

    def __init__(
        self,
        base_url: str,
        auth: str,
        credentials: MagentoCredentials,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        page_size: int = DEFAULT_PAGE_SIZE,
        http: httpx.Client | None = None,
        retry_policy: RetryPolicy | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.name = display_url(self.base_url) if self.base_url else (base_url or "").strip()
        self.auth = auth
        self._credentials = credentials
        self.timeout = float(timeout)
        self.page_size = max(1, int(page_size))
        self._http = http
        self.policy = retry_policy or DEFAULT_RETRY_POLICY
        self._progress = progress
        secrets = list(credentials.secrets())
        password = _url_password(base_url or "")
        if password:
            secrets.append(password)
        self._secrets = tuple(secrets)

    def __repr__(self) -> str:
        return f"MagentoCatalogSource(base_url={self.name!r}, auth={self.auth!r}, credentials={self._credentials!r})"

    # --- the catalog ---------------------------------------------------------------------------

    def fetch(self, progress: Progress | None = None) -> Catalog:
        report = progress or self._progress or (lambda _what, _done, _total: None)
        base_url, mode = self._check_ready()
        http = self._http or httpx.Client(follow_redirects=False, trust_env=True)
        try:
            call = MagentoCaller(
                http,
                base_url,
                mode,
                name=self.name,
                credentials=self._credentials,
                secrets=self._secrets,
                timeout=self.timeout,
                policy=self.policy,
            )
            report(PROGRESS_WEBSITES, 0, 1)
            websites = list_of_objects(call.get(WEBSITES), self.name, WEBSITES)
            report(PROGRESS_WEBSITES, 1, 1)
            report(PROGRESS_STORE_GROUPS, 0, 1)
            groups = list_of_objects(call.get(STORE_GROUPS), self.name, STORE_GROUPS)
            report(PROGRESS_STORE_GROUPS, 1, 1)
            report(PROGRESS_STORE_VIEWS, 0, 1)
            views = list_of_objects(call.get(STORE_VIEWS), self.name, STORE_VIEWS)
            report(PROGRESS_STORE_VIEWS, 1, 1)
            site_list, view_list = websites_and_views(websites, groups, views, self.name)
            attributes = self._attributes(call, report)
        finally:
            if self._http is None:
                http.close()
        return Catalog(
            source=self.name,
            fetched_at=utcnow(),
            websites=site_list,
            store_views=view_list,
            attributes=tuple(sorted(attributes, key=lambda a: a.code)),
        )

    def _check_ready(self) -> tuple[str, str]:
        if not self.base_url:
            raise MagentoNotConfigured(
                _(
                    "commerce.base_url {url!r} is not an http(s) address; set it to the shop's address, for "
                    "example https://shop.example.com."
                ).format(url=self.name)
            )
        mode = auth_mode(self.auth)
        missing = [f for f in credential_fields(mode) if not getattr(self._credentials, f.attribute)]
        if missing:
            names = ", ".join(
                _("{label} (keyring {key} or {env})").format(label=_(f.label), key=f.key, env=f.env)
                for f in missing
            )
            raise MagentoNotConfigured(
                ngettext(
                    "Reading the catalog from Magento needs the integration's {names}; enter it in {settings}.",
                    "Reading the catalog from Magento needs the integration's {names}; enter them in {settings}.",
                    len(missing),
                ).format(names=names, settings=_(SETTINGS_HINT))
            )
        if mode == AUTH_BEARER:
            parts = urlsplit(self.base_url)
            if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
                raise MagentoNotConfigured(
                    _(
                        "The bearer token would travel unencrypted to {host} over plain http; use an https:// "
                        'address in commerce.base_url, or commerce.auth = "oauth1", which never sends a secret '
                        "itself."
                    ).format(host=parts.hostname)
                )
        return self.base_url, mode

    def _attributes(self, call: MagentoCaller, report: Progress) -> list[Attribute]:
        size = self.page_size
        while True:
            try:
                return self._attribute_pages(call, report, size)
            except PageSizeTooLarge as limit:
                if not 0 < limit.maximum < size:
                    raise MagentoUnavailable(
                        _(
                            "Magento at {shop} refused every page size for the product attributes (its maximum "
                            "is {maximum}); raise Stores › Configuration › Services › Web API Limits › Maximum "
                            "Page Size."
                        ).format(shop=self.name, maximum=limit.maximum)
                    ) from None
                size = limit.maximum

    def _attribute_pages(self, call: MagentoCaller, report: Progress, size: int) -> list[Attribute]:
        seen: dict[str, Attribute] = {}
        page = 1
        total: int | None = None
        last_page = 1
        while True:
            params = {
                "searchCriteria[pageSize]": str(size),
                "searchCriteria[currentPage]": str(page),
                "fields": _ATTRIBUTE_FIELDS,
            }
            body = call.get(ATTRIBUTES, params, page_size=size)
            items, total_count = search_results(body, self.name)
            if total is None:
                total = total_count
                last_page = max(1, math.ceil(total / size))
            new = 0
            for item in items:
                code = item.get("attribute_code")
                if not isinstance(code, str) or not code.strip() or code in seen:
                    continue
                label = item.get("default_frontend_label")
                text = label.strip() if isinstance(label, str) else ""
                seen[code] = Attribute(code, text or code)
                new += 1
            report(PROGRESS_ATTRIBUTES, min(len(seen), total), total)
            if len(seen) >= total:
                break
            if not items or new == 0:
                raise MagentoProtocolError(
                    _(
                        "Magento at {shop} sent no new product attributes on page {page} ({read} of the {total} "
                        "it announced), so the list cannot be read completely; try again, and if it persists "
                        "check the shop's extensions that change the attribute list."
                    ).format(shop=self.name, page=page, read=len(seen), total=total)
                )
            page += 1
            if page > last_page + 1:  # the last page plus one more in case total_count grew meanwhile
                raise MagentoProtocolError(
                    _(
                        "Magento at {shop} kept paging past the {total} product attributes it announced; try "
                        "again, and if it persists check the shop's extensions that change the attribute list."
                    ).format(shop=self.name, total=total)
                )
        return list(seen.values())
