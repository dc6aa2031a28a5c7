"""The catalog read from Magento's REST API, against a fake Magento 2.4 that is a real HTTP(S) server and
checks every OAuth 1.0a signature with its own RFC 5849 implementation."""

from __future__ import annotations

import ssl
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, Client

from asc_tui.amazon.http import RetryPolicy
from asc_tui.commerce.address import normalize_base_url
from asc_tui.commerce.catalog import CatalogSource
from asc_tui.commerce.credentials import (
    ENV_ACCESS_TOKEN,
    ENV_BEARER_TOKEN,
    ENV_CONSUMER_KEY,
    KEY_ACCESS_TOKEN,
    KEY_ACCESS_TOKEN_SECRET,
    KEY_BEARER_TOKEN,
    KEY_CONSUMER_KEY,
    KEY_CONSUMER_SECRET,
    MagentoCredentials,
    credentials_from,
    missing_credentials,
)
from asc_tui.commerce.errors import (
    MagentoAccessDenied,
    MagentoAuthFailed,
    MagentoError,
    MagentoNotConfigured,
    MagentoProtocolError,
    MagentoTimeout,
    MagentoTlsError,
    MagentoUnavailable,
    MagentoUnreachable,
    NotMagentoEndpoint,
    substitute,
)
from asc_tui.commerce.magento import PROGRESS_ATTRIBUTES, MagentoCatalogSource
from asc_tui.commerce.magento_endpoints import ATTRIBUTES_RESOURCE, STORE_RESOURCE
from asc_tui.errors import EXIT_ENVIRONMENT
from tests.support.fake_magento import (
    SIGNATURE_INVALID,
    FakeMagento,
    base_string_uri,
    hmac_signature,
    magento_secret,
    parse_oauth_header,
    self_signed_certificate,
    signature_base_string,
)

FAST = RetryPolicy(max_attempts=3, initial_wait=0.01, max_wait=0.02, jitter=0.0)
# For "not retried": a second attempt would first wait 30 s, which no loaded machine can hide.
SLOW_RETRY = RetryPolicy(max_attempts=3, initial_wait=30, max_wait=30, jitter=0.0)
BEARER_SETTING = "Allow OAuth Access Tokens to be used as standalone Bearer tokens"


def oauth_credentials(shop: FakeMagento, **override: str) -> MagentoCredentials:
    i = shop.integration
    values = {
        "consumer_key": i.consumer_key,
        "consumer_secret": i.consumer_secret,
        "access_token": i.access_token,
        "access_token_secret": i.access_token_secret,
    }
    values.update(override)
    return MagentoCredentials(**values)


def source(
    shop: FakeMagento, credentials: MagentoCredentials | None = None, *, auth: str = "oauth1", **kw: Any
) -> MagentoCatalogSource:
    kw.setdefault("retry_policy", FAST)
    kw.setdefault("timeout", 5)
    return MagentoCatalogSource(shop.base_url, auth, credentials or oauth_credentials(shop), **kw)


def failure(shop: FakeMagento, credentials: MagentoCredentials | None = None, **kw: Any) -> MagentoError:
    with pytest.raises(MagentoError) as caught:
        source(shop, credentials, **kw).fetch()
    error = caught.value
    assert_no_secret(error, *shop.secrets(), *(credentials.secrets() if credentials else ()))
    return error


def assert_no_secret(error: BaseException, *secrets: str) -> None:
    shown = f"{error} {error!r} {getattr(error, 'message', '')}"
    for secret in secrets:
        assert secret not in shown
    assert shown.count(".") >= 1 and "\n" not in str(error)


# --- reading the catalog ----------------------------------------------------------------------------


def test_reads_every_attribute_across_pages_signed_with_oauth1() -> None:
    with FakeMagento(attribute_count=1234) as shop:
        steps: list[tuple[str, int, int]] = []
        src = source(shop, page_size=500, progress=lambda *step: steps.append(step))
        catalog = src.fetch()

    assert shop.attribute_pages == [1, 2, 3]  # 500 + 500 + 234, and not one page more
    assert len(catalog.attributes) == 1234 == len(catalog.attribute_codes)
    assert {"sku", "amazon_asin", "custom_attr_1233"} <= catalog.attribute_codes
    assert [s for s in steps if s[0] == PROGRESS_ATTRIBUTES] == [
        (PROGRESS_ATTRIBUTES, 500, 1234),
        (PROGRESS_ATTRIBUTES, 1000, 1234),
        (PROGRESS_ATTRIBUTES, 1234, 1234),
    ]
    # Every request was signed (and the fake verified the signature) and answered 200.
    assert {(r.auth, r.status) for r in shop.requests} == {("oauth", 200)}
    # The attribute list was trimmed to what the catalog needs (select attributes carry every option).
    attribute_queries = [r.query for r in shop.requests if r.path.endswith("/products/attributes")]
    assert all(
        "fields=items%5Battribute_code%2Cdefault_frontend_label%5D%2Ctotal_count" in q
        for q in attribute_queries
    )
    assert catalog.source == shop.base_url == src.name
    assert src.offline is False


def test_each_website_gets_its_default_store_view_and_the_admin_scope_is_left_out(shop: FakeMagento) -> None:
    catalog = source(shop).fetch()

    assert [(w.code, w.name, w.default_store_view) for w in catalog.websites] == [
        ("base", "Main Website", "default"),
        ("us_site", "Amazon US Website", "us_en"),
        ("uk_site", "Amazon UK Website", "uk_en"),  # the group's default store, not the first view (uk_cy)
    ]
    assert [(v.code, v.website) for v in catalog.store_views] == [
        ("default", "base"),
        ("us_en", "us_site"),
        ("us_es", "us_site"),
        ("uk_cy", "uk_site"),
        ("uk_en", "uk_site"),
    ]
    assert "admin" not in catalog.website_codes
    assert catalog.store_view("admin") is None


def test_labels_come_from_default_frontend_label_or_fall_back_to_the_code(shop: FakeMagento) -> None:
    catalog = source(shop).fetch()

    labels = {a.code: a.label for a in catalog.attributes}
    assert labels["amazon_asin"] == "Amazon ASIN"
    assert labels["category_gear"] == "category_gear"  # Magento sent "default_frontend_label": null
    assert [a.code for a in catalog.attributes] == sorted(labels)


def test_a_website_without_a_default_group_gets_its_first_active_store_view() -> None:
    websites = [
        {"id": 0, "code": "admin", "name": "Admin", "default_group_id": 0},
        {"id": 7, "code": "eu", "name": "EU", "default_group_id": 99},
    ]
    views = [
        {"id": 8, "code": "eu_off", "name": "Off", "website_id": 7, "store_group_id": 9, "is_active": 0},
        {"id": 9, "code": "eu_de", "name": "DE", "website_id": 7, "store_group_id": 9, "is_active": 1},
    ]
    with FakeMagento(websites=websites, groups=[], store_views=views) as shop:
        catalog = source(shop).fetch()
    assert [(w.code, w.default_store_view) for w in catalog.websites] == [("eu", "eu_de")]


def test_source_fits_the_catalog_source_protocol(shop: FakeMagento) -> None:
    catalog_source: CatalogSource = source(shop)
    assert catalog_source.fetch().website("us_site") is not None


def test_a_shop_with_web_api_input_limits_gets_its_maximum_page_size() -> None:
    with FakeMagento(attribute_count=700) as shop:
        shop.max_page_size = 300  # Stores › Configuration › Services › Web API Limits
        catalog = source(shop, page_size=500).fetch()
    assert len(catalog.attributes) == 700
    assert shop.attribute_pages == [1, 2, 3]  # after the refused 500: 300 + 300 + 100
    refused = [r for r in shop.requests if r.status == 400]
    assert len(refused) == 1 and "pageSize%5D=500" in refused[0].query


def test_a_server_that_repeats_pages_is_stopped_not_followed_forever() -> None:
    with FakeMagento(attribute_count=1234) as shop:
        shop.broken_paging = True
        error = failure(shop, page_size=500)
    assert isinstance(error, MagentoProtocolError)
    assert "no new product attributes on page 2" in error.message and "500 of the 1234" in error.message
    assert shop.attribute_pages == [1, 1]


def test_a_retried_request_is_signed_again_with_a_fresh_nonce(shop: FakeMagento) -> None:
    shop.fail_next(503, path="/store/websites")
    catalog = source(shop).fetch()
    assert catalog.website("base") is not None
    websites = [r for r in shop.requests if r.path.endswith("/store/websites")]
    assert [r.status for r in websites] == [503, 200]  # the fake refuses a reused nonce with 401


# --- the fake's verifier is itself right ---------------------------------------------------------------


def test_the_fake_verifier_reproduces_the_rfc5849_example_signature() -> None:
    # RFC 5849 §1.2 (HMAC-SHA1): the photos example, signed by the RFC's authors.
    header = (
        'OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", '
        'oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", '
        'oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"'
    )
    params = parse_oauth_header(header)
    assert params is not None
    uri = base_string_uri("http", "photos.example.net:80", "/photos")
    base = signature_base_string("GET", uri, "file=vacation.jpg&size=original", params)
    assert (
        hmac_signature("HMAC-SHA1", base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00") == params["oauth_signature"]
    )


def test_the_fake_refuses_a_signature_made_for_another_query(shop: FakeMagento) -> None:
    i = shop.integration
    client = Client(
        i.consumer_key,
        client_secret=i.consumer_secret,
        resource_owner_key=i.access_token,
        resource_owner_secret=i.access_token_secret,
        signature_method=SIGNATURE_HMAC_SHA256,
    )
    url = f"{shop.base_url}/rest/V1/products/attributes?searchCriteria%5BcurrentPage%5D="
    _, headers, _ = client.sign(url + "1")
    assert httpx.get(url + "1", headers=headers).status_code == 200
    _, headers, _ = client.sign(url + "1")
    tampered = httpx.get(url + "2", headers=headers)
    assert tampered.status_code == 401 and tampered.json() == {"message": SIGNATURE_INVALID}


# --- wrong credentials: 401 ---------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["consumer_secret", "access_token_secret"])
def test_a_wrong_secret_says_which_secrets_to_check(shop: FakeMagento, which: str) -> None:
    credentials = oauth_credentials(shop, **{which: magento_secret()})
    error = failure(shop, credentials)
    assert isinstance(error, MagentoAuthFailed) and error.status == 401
    assert error.credential == "consumer secret or access token secret"
    assert error.message.startswith("Magento rejected the request signature (The signature is invalid")
    assert "Consumer Secret and Access Token Secret" in error.message
    assert error.exit_code == EXIT_ENVIRONMENT


def test_a_wrong_consumer_key_is_named(shop: FakeMagento) -> None:
    error = failure(shop, oauth_credentials(shop, consumer_key=magento_secret()))
    assert isinstance(error, MagentoAuthFailed) and error.credential == "consumer key"
    assert "A consumer having the specified key does not exist" in error.message
    assert ENV_CONSUMER_KEY in error.message


def test_a_wrong_access_token_is_named(shop: FakeMagento) -> None:
    error = failure(shop, oauth_credentials(shop, access_token=magento_secret()))
    assert isinstance(error, MagentoAuthFailed) and error.credential == "access token"
    assert "Specified token does not exist" in error.message and ENV_ACCESS_TOKEN in error.message


def test_an_access_token_of_the_wrong_length_is_named(shop: FakeMagento) -> None:
    error = failure(shop, oauth_credentials(shop, access_token="too-short"))  # Magento: HTTP 400
    assert isinstance(error, MagentoAuthFailed) and error.credential == "access token"


def test_a_revoked_integration_says_reauthorize(shop: FakeMagento) -> None:
    shop.revoked = True
    error = failure(shop)
    assert isinstance(error, MagentoAuthFailed)
    assert "revoked" in error.message and "reauthorize the integration" in error.message


# --- missing ACL resources ------------------------------------------------------------------------------


def test_an_integration_without_the_stores_resource_is_told_which_resource(shop: FakeMagento) -> None:
    shop.granted = {ATTRIBUTES_RESOURCE}
    error = failure(shop)
    assert isinstance(error, MagentoAccessDenied)
    # Magento answers a missing ACL resource with 401 (its ErrorProcessor maps AuthorizationException so).
    assert error.status == 401 and error.resource == STORE_RESOURCE == "Magento_Backend::store"
    assert error.endpoint == "/V1/store/websites"
    assert "The consumer isn't authorized to access Magento_Backend::store" in error.message
    assert "Stores › Settings › All Stores" in error.message and "reauthorize" in error.message


def test_an_integration_without_the_attributes_resource_is_told_which_resource(shop: FakeMagento) -> None:
    shop.granted = {STORE_RESOURCE}
    error = failure(shop)
    assert isinstance(error, MagentoAccessDenied) and error.resource == ATTRIBUTES_RESOURCE
    assert error.endpoint == "/V1/products/attributes"
    assert "may not read the product attributes" in error.message
    assert "Magento_Catalog::attributes_attributes (Stores › Attributes › Product)" in error.message


def test_a_403_names_the_resource_of_the_endpoint_that_failed(shop: FakeMagento) -> None:
    shop.fail_next(403, "<html><body>Forbidden</body></html>", path="/products/attributes")
    error = failure(shop)
    assert isinstance(error, MagentoAccessDenied) and error.status == 403
    assert error.resource == ATTRIBUTES_RESOURCE and "HTTP 403" in error.message
    assert "firewall" in error.message


def test_a_403_with_magentos_body_quotes_it(shop: FakeMagento) -> None:
    body = {
        "message": "The consumer isn't authorized to access %resources.",
        "parameters": {"resources": "Magento_Backend::store"},
    }
    shop.fail_next(403, body, path="/store/storeViews")
    error = failure(shop)
    assert isinstance(error, MagentoAccessDenied) and error.resource == STORE_RESOURCE
    assert (
        "may not read the store views (HTTP 403: The consumer isn't authorized to access Magento_Backend::store)"
        in error.message
    )


# --- bearer tokens --------------------------------------------------------------------------------------


def test_bearer_mode_reads_the_catalog_when_the_shop_allows_it(shop: FakeMagento) -> None:
    shop.bearer_allowed = True
    catalog = source(
        shop, MagentoCredentials(bearer_token=shop.integration.access_token), auth="bearer"
    ).fetch()
    assert catalog.website("us_site") is not None and len(catalog.attributes) == 40
    assert {r.auth for r in shop.requests} == {"bearer"}


def test_a_refused_bearer_token_gives_the_magento_setting_to_turn_on(shop: FakeMagento) -> None:
    shop.bearer_allowed = False  # Magento 2.4.4+ default
    credentials = MagentoCredentials(bearer_token=shop.integration.access_token)
    error = failure(shop, credentials, auth="bearer")
    assert isinstance(error, MagentoAuthFailed) and error.credential == "bearer token"
    assert BEARER_SETTING in error.message and "Stores › Configuration › Services › OAuth" in error.message
    assert ENV_BEARER_TOKEN in error.message and 'commerce.auth = "oauth1"' in error.message


def test_a_bearer_token_is_never_sent_over_plain_http_to_another_host() -> None:
    src = MagentoCatalogSource("http://shop.example.com", "bearer", MagentoCredentials(bearer_token="t" * 32))
    with pytest.raises(MagentoNotConfigured, match=r"unencrypted to shop\.example\.com"):
        src.fetch()


# --- wrong address ----------------------------------------------------------------------------------


def test_a_refused_port_says_check_the_base_url(refused_port: int) -> None:
    base = f"http://127.0.0.1:{refused_port}"
    src = MagentoCatalogSource(
        base, "oauth1", MagentoCredentials("k" * 32, "s" * 32, "t" * 32, "u" * 32), retry_policy=SLOW_RETRY
    )
    started = time.monotonic()
    with pytest.raises(MagentoUnreachable) as caught:
        src.fetch()
    assert caught.value.message == (
        f"Nothing answers at {base} (connection refused); check commerce.base_url and that the shop is running."
    )
    assert time.monotonic() - started < 10  # not retried (that would wait 30 s): it would be refused too


def test_an_unknown_host_says_check_the_base_url() -> None:
    # `.invalid` never resolves (RFC 6761); tests/conftest.py answers so without asking a DNS server.
    src = MagentoCatalogSource(
        "https://no-such-shop.invalid",
        "oauth1",
        MagentoCredentials("k" * 32, "s" * 32, "t" * 32, "u" * 32),
        retry_policy=FAST,
    )
    with pytest.raises(
        MagentoUnreachable,
        match=r"host name no-such-shop\.invalid could not be resolved; check commerce\.base_url",
    ):
        src.fetch()


def test_a_server_that_is_not_magento_is_named_so(shop: FakeMagento) -> None:
    shop.html_everywhere = True
    error = failure(shop)
    assert isinstance(error, NotMagentoEndpoint) and error.status == 404
    assert error.message == (
        f"{shop.base_url} is not a Magento REST endpoint (/rest/V1/store/websites answered HTTP 404); "
        "check commerce.base_url (the shop's address, without /rest or /admin)."
    )


def test_a_base_url_with_a_wrong_path_is_not_a_magento_rest_endpoint(shop: FakeMagento) -> None:
    src = MagentoCatalogSource(shop.base_url + "/shop", "oauth1", oauth_credentials(shop), retry_policy=FAST)
    with pytest.raises(NotMagentoEndpoint, match="is not a Magento REST endpoint"):
        src.fetch()


def test_magentos_own_404_is_quoted(shop: FakeMagento) -> None:
    shop.fail_next(404, {"message": "Request does not match any route."})
    error = failure(shop)
    assert isinstance(error, NotMagentoEndpoint)
    assert "answered 404: Request does not match any route" in error.message


def test_a_storefront_page_instead_of_json_is_not_a_magento_rest_endpoint(shop: FakeMagento) -> None:
    shop.fail_next(200, "<!doctype html><html><body>Home page</body></html>")
    error = failure(shop)
    assert isinstance(error, NotMagentoEndpoint)
    assert "answered with an HTML page, not JSON); check commerce.base_url" in error.message


def test_json_nested_too_deep_to_read_is_an_answer_that_is_not_json(shop: FakeMagento) -> None:
    """json.loads raises RecursionError (not ValueError) for [[[…]]] nested 200,000 deep."""
    deep = "[" * 200_000 + "]" * 200_000
    shop.fail_next(200, deep, headers={"content-type": "application/json"})
    error = failure(shop)
    assert isinstance(error, NotMagentoEndpoint)
    assert "answered with application/json content, not JSON); check commerce.base_url" in error.message
    shop.fail_next(400, deep, headers={"content-type": "application/json"})
    assert "400" in failure(shop).message  # an error body that is no Magento error: the status is said


def test_a_redirect_says_where_to(shop: FakeMagento) -> None:
    shop.fail_next(301, "", headers={"location": "https://shop.example.com/rest/V1/store/websites?x=1"})
    error = failure(shop)
    assert isinstance(error, NotMagentoEndpoint) and error.status == 301
    assert (
        "redirects /rest/V1/store/websites to https://shop.example.com/rest/V1/store/websites"
        in error.message
    )


@pytest.mark.parametrize("raw", ["", "shop.example.com", "ftp://shop.example.com", "https://"])
def test_a_base_url_that_is_not_http_is_refused_before_any_request(raw: str) -> None:
    src = MagentoCatalogSource(raw, "oauth1", MagentoCredentials("k" * 32, "s" * 32, "t" * 32, "u" * 32))
    with pytest.raises(MagentoNotConfigured, match=r"is not an http\(s\) address"):
        src.fetch()


def test_base_url_normalisation() -> None:
    assert normalize_base_url(" https://shop.example.com/ ") == "https://shop.example.com"
    assert normalize_base_url("https://shop.example.com/rest/V1/") == "https://shop.example.com"
    assert normalize_base_url("HTTPS://shop.example.com/magento/rest") == "https://shop.example.com/magento"
    assert normalize_base_url("http://127.0.0.1:8080/index.php") == "http://127.0.0.1:8080/index.php"
    assert normalize_base_url("https://shop.example.com:notaport") is None


def test_a_password_in_the_base_url_is_never_shown(shop: FakeMagento) -> None:
    base = shop.base_url.replace("http://", "http://admin:hunter2-secret@")
    shop.html_everywhere = True
    src = MagentoCatalogSource(base, "oauth1", oauth_credentials(shop), retry_policy=FAST)
    with pytest.raises(NotMagentoEndpoint) as caught:
        src.fetch()
    assert_no_secret(caught.value, "hunter2-secret", *shop.secrets())
    assert "hunter2" not in repr(src) and src.name == shop.base_url


# --- TLS, timeouts, server errors -------------------------------------------------------------------------


def test_a_self_signed_certificate_is_a_tls_error_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    cert, key = self_signed_certificate(tmp_path)
    with FakeMagento(tls=(cert, key)) as shop:
        error = failure(shop)
        assert isinstance(error, MagentoTlsError)
        assert error.message == (
            "The TLS certificate of 127.0.0.1 was not accepted (self-signed certificate); give the shop a "
            "certificate from a trusted authority, or point SSL_CERT_FILE at the CA certificate that signed it."
        )
        assert [r for r in shop.requests] == []  # refused before any HTTP request was read

        # The advice works: trusting the certificate makes the same fetch succeed, signed over https.
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        catalog = source(shop).fetch()
        assert catalog.website("uk_site") is not None and {r.auth for r in shop.requests} == {"oauth"}


def test_https_through_a_caller_supplied_client(tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    with (
        FakeMagento(tls=(cert, key)) as shop,
        httpx.Client(verify=ssl.create_default_context(cafile=str(cert))) as http,
    ):
        catalog = source(shop, http=http).fetch()
        assert not http.is_closed  # the caller's client is the caller's to close
    assert len(catalog.attributes) == 25 and {r.auth for r in shop.requests} == {"oauth"}


def test_plain_http_to_a_tls_port_is_named(tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    with FakeMagento(tls=(cert, key)) as shop:
        src = MagentoCatalogSource(
            shop.base_url.replace("https://", "http://"),
            "oauth1",
            oauth_credentials(shop),
            retry_policy=FAST,
            timeout=2,
        )
        with pytest.raises(MagentoError) as caught:
            src.fetch()
    assert isinstance(caught.value, MagentoUnreachable)
    assert (
        "(the server closed the connection without an answer); check commerce.base_url"
        in caught.value.message
    )


def test_https_to_a_plain_http_port_is_a_tls_error(shop: FakeMagento) -> None:
    src = MagentoCatalogSource(
        shop.base_url.replace("http://", "https://"), "oauth1", oauth_credentials(shop)
    )
    with pytest.raises(MagentoTlsError) as caught:
        src.fetch()
    assert caught.value.message == (
        "The secure (TLS) connection to 127.0.0.1 failed (the server does not speak TLS on that port); check "
        "that commerce.base_url has the right scheme (https or http) and port."
    )


def test_a_shop_slower_than_the_timeout_is_a_timeout_not_retried(shop: FakeMagento) -> None:
    shop.delay = 60.0  # the shop stays silent until the test ends
    started = time.monotonic()
    error = failure(shop, timeout=0.3, retry_policy=SLOW_RETRY)
    elapsed = time.monotonic() - started
    assert isinstance(error, MagentoTimeout)
    assert error.message == (
        f"Magento at {shop.base_url} did not answer within 0.3 s; check that the shop is up and "
        "commerce.base_url is right, then refresh the catalog again."
    )
    # Gave up on the silent shop (after 0.3 s, bounded at 10 s for a loaded machine) and did not try again
    # (a retry would have waited 30 s first).
    assert elapsed < 10 and len(shop.requests) == 1


def test_a_lasting_5xx_is_reported_after_the_retries_with_magentos_report_id(shop: FakeMagento) -> None:
    shop.fail_next(500, times=None, path="/store/storeGroups")
    error = failure(shop)
    assert isinstance(error, MagentoUnavailable) and error.status == 500
    assert error.message == (
        f"Magento at {shop.base_url} failed to list the stores (store groups) (HTTP 500: Internal Error. Details "
        "are available in Magento log file. Report ID: webapi-6571f3a2c1d0e) on all 3 attempts; try again in a "
        "few minutes, and if it persists check the shop's logs (var/log/exception.log)."
    )
    assert len([r for r in shop.requests if r.path.endswith("storeGroups")]) == 3


def test_a_gateway_error_page_is_reported_after_the_retries(shop: FakeMagento) -> None:
    shop.fail_next(502, "<html>Bad Gateway</html>", times=None)
    error = failure(shop)
    assert isinstance(error, MagentoUnavailable) and "(HTTP 502) on all 3 attempts" in error.message


def test_lasting_throttling_is_reported(shop: FakeMagento) -> None:
    shop.fail_next(429, {"message": "Too many requests"}, times=None)
    error = failure(shop)
    assert isinstance(error, MagentoUnavailable) and error.status == 429 and "HTTP 429" in error.message


# --- secrets never shown ----------------------------------------------------------------------------------


def test_a_secret_echoed_by_magento_is_redacted(shop: FakeMagento) -> None:
    token = shop.integration.access_token
    shop.fail_next(400, {"message": "Token %1 is not valid for %2", "parameters": [token, "store"]})
    error = failure(shop)
    assert "Token [redacted] is not valid for store" in error.message


def test_credentials_never_show_in_repr_or_str() -> None:
    credentials = MagentoCredentials("ck-visible-if-leaked", "cs-leak", "at-leak", "ats-leak", None)
    for text in (
        repr(credentials),
        str(credentials),
        repr(MagentoCatalogSource("https://x", "oauth1", credentials)),
    ):
        assert "leak" not in text
    assert "consumer_key=[set]" in repr(credentials) and "bearer_token=None" in repr(credentials)


# --- credentials ------------------------------------------------------------------------------------------


def test_environment_wins_over_the_keyring_and_the_keyring_fills_the_rest() -> None:
    keyring = {
        KEY_CONSUMER_KEY: "keyring-ck",
        KEY_CONSUMER_SECRET: "keyring-cs",
        KEY_ACCESS_TOKEN: "keyring-at",
        KEY_ACCESS_TOKEN_SECRET: "keyring-ats",
        KEY_BEARER_TOKEN: "keyring-bt",
    }
    asked: list[str] = []

    def get_secret(key: str) -> str | None:
        asked.append(key)
        return keyring.get(key)

    environ = {
        "ASC_TUI_MAGENTO_CONSUMER_KEY": "env-ck",
        "ASC_TUI_MAGENTO_ACCESS_TOKEN_SECRET": " env-ats\n",  # pasted with a newline
        "ASC_TUI_MAGENTO_ACCESS_TOKEN": "   ",  # blank: not set
    }
    credentials = credentials_from(get_secret, environ)
    assert credentials == MagentoCredentials("env-ck", "keyring-cs", "keyring-at", "env-ats", "keyring-bt")
    assert KEY_CONSUMER_KEY not in asked and KEY_ACCESS_TOKEN_SECRET not in asked  # the env answered


def test_only_the_keys_of_the_auth_mode_are_read() -> None:
    asked: list[str] = []
    credentials = credentials_from(lambda key: asked.append(key) or None, {}, auth="bearer")
    assert asked == [KEY_BEARER_TOKEN] and credentials == MagentoCredentials()
    asked.clear()
    credentials_from(lambda key: asked.append(key) or None, {}, auth="oauth1")
    assert asked == [KEY_CONSUMER_KEY, KEY_CONSUMER_SECRET, KEY_ACCESS_TOKEN, KEY_ACCESS_TOKEN_SECRET]


def test_credentials_from_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASC_TUI_MAGENTO_BEARER_TOKEN", "from-env")
    assert credentials_from(lambda _key: "from-keyring", auth="bearer").bearer_token == "from-env"


def test_missing_credentials_per_auth_mode() -> None:
    partial = MagentoCredentials(consumer_key="ck", access_token="at")
    assert missing_credentials(partial, "oauth1") == (KEY_CONSUMER_SECRET, KEY_ACCESS_TOKEN_SECRET)
    assert missing_credentials(partial, "bearer") == (KEY_BEARER_TOKEN,)
    assert missing_credentials(MagentoCredentials(bearer_token="bt"), "bearer") == ()
    with pytest.raises(MagentoNotConfigured, match='set it to "oauth1"'):
        missing_credentials(partial, "basic")


def test_missing_credentials_are_named_before_anything_is_sent(shop: FakeMagento) -> None:
    src = source(shop, MagentoCredentials(consumer_key="ck", access_token="at"))
    with pytest.raises(MagentoNotConfigured) as caught:
        src.fetch()
    assert caught.value.message == (
        "Reading the catalog from Magento needs the integration's Consumer Secret (keyring "
        "magento-consumer-secret or ASC_TUI_MAGENTO_CONSUMER_SECRET), Access Token Secret (keyring "
        "magento-access-token-secret or ASC_TUI_MAGENTO_ACCESS_TOKEN_SECRET); enter them in the settings screen."
    )
    assert shop.requests == []


def test_magento_placeholders_are_filled_in() -> None:
    assert substitute("The consumer isn't authorized to access %resources.", {"resources": "A::b"}) == (
        "The consumer isn't authorized to access A::b."
    )
    assert substitute("%1 of %2 (%10)", ["one", "two"]) == "one of two (%10)"
    assert substitute("Report ID: %1", None) == "Report ID: %1"
    assert substitute("Items %1", [["a", "b"]]) == "Items a, b"
