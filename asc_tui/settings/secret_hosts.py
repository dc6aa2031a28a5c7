"""The addresses that receive secrets (the LWA client secret, codes, refresh and access tokens): https only, or
plain http to this computer; and a callback worker other computers reach only with TLS in front."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from asc_tui.errors import ConfigProblem
from asc_tui.i18n import _
from asc_tui.settings.config_file import line_of
from asc_tui.settings.hosts import is_loopback, listen_host


class AmazonAddresses(Protocol):
    """What of the [amazon] settings says where secrets go (AmazonConfig has it all)."""

    @property
    def lwa_token_url(self) -> str: ...
    @property
    def seller_central(self) -> Mapping[str, str]: ...
    @property
    def endpoints(self) -> Mapping[str, str]: ...
    @property
    def callback_listen(self) -> str: ...
    @property
    def callback_tls_cert(self) -> str: ...
    @property
    def callback_tls_key(self) -> str: ...
    @property
    def callback_behind_tls_proxy(self) -> bool: ...


DEFAULT_ENDPOINTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}


DEFAULT_LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"


# The addresses that receive the LWA client secret, the authorization code, refresh and access tokens.
SECRET_URL_KEYS = ("lwa_token_url", "seller_central", "endpoints")
_URL_EXAMPLES = {
    "lwa_token_url": DEFAULT_LWA_TOKEN_URL,
    "seller_central": "https://sellercentral.amazon.com",
    "endpoints": DEFAULT_ENDPOINTS["NA"],
}


def secret_urls(amazon: AmazonAddresses) -> list[tuple[str, str]]:
    """(setting, address) for every address a secret is sent to, e.g. ("amazon.endpoints.NA", "https://…")."""
    urls = [("amazon.lwa_token_url", amazon.lwa_token_url)]
    urls += [(f"amazon.seller_central.{code}", url) for code, url in sorted(amazon.seller_central.items())]
    urls += [(f"amazon.endpoints.{region}", url) for region, url in sorted(amazon.endpoints.items())]
    return urls


def foreign_secret_hosts(amazon: AmazonAddresses) -> list[tuple[str, str]]:
    """(setting, host) for each address that receives secrets and is neither Amazon's nor this computer."""
    from asc_tui.settings.hosts import is_amazon_host, url_host

    found = []
    for setting, url in secret_urls(amazon):
        host = url_host(url)
        if not is_loopback(host) and not is_amazon_host(host):
            found.append((setting, host))
    return found


def secret_url_problem(url: str) -> str | None:
    """Why `url` may not receive secrets (a clause to follow "… must"), or None when it may: https://, or
    plain http to a loopback address (the sandbox and tests)."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (raises for a port that is not a number)
    except ValueError:
        parts = None
    if (
        parts is None
        or not text
        or any(char.isspace() or not char.isprintable() for char in text)
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or "@" in parts.netloc
    ):
        return _("be a full https:// address")
    if parts.scheme.lower() == "http" and not is_loopback(parts.hostname):
        return _(
            "start with https:// (it receives secrets; plain http is accepted only for a loopback address "
            "such as 127.0.0.1)"
        )
    return None


def check_secret_hosts(amazon: AmazonAddresses, path: Path) -> None:
    for setting, url in secret_urls(amazon):
        problem = secret_url_problem(url)
        if problem is not None:
            example = _URL_EXAMPLES[setting.split(".")[1]]
            raise ConfigProblem(
                _("In {path}{line}, {setting} must {problem}, for example {example}.").format(
                    path=path, line=line_of(path, setting), setting=setting, problem=problem, example=example
                )
            )


def callback_serves_plain_http_to_others(amazon: AmazonAddresses) -> bool:
    """Whether callback_listen takes connections from other computers and answers them without TLS."""
    host = listen_host(amazon.callback_listen)
    tls = bool(amazon.callback_tls_cert.strip() and amazon.callback_tls_key.strip())
    return host is not None and not is_loopback(host) and not tls


def check_callback_listen(amazon: AmazonAddresses, path: Path) -> None:
    """A callback worker reachable from other computers carries the code and the state: TLS, or a proxy
    with TLS in front that the admin vouches for (callback_behind_tls_proxy)."""
    if amazon.callback_behind_tls_proxy or not callback_serves_plain_http_to_others(amazon):
        return
    raise ConfigProblem(
        _(
            "In {path}{line}, amazon.callback_listen = {listen!r} lets other computers reach the callback "
            "worker over plain http; keep it on 127.0.0.1, set callback_tls_cert and callback_tls_key, or "
            "set callback_behind_tls_proxy = true if only your TLS proxy can reach it."
        ).format(path=path, line=line_of(path, "amazon.callback_listen"), listen=amazon.callback_listen)
    )
