"""Which hosts a secret may travel to: loopback (the sandbox and tests) and Amazon's own domains.

Kept free of the HTTP stack: the config loader, the doctor and the callback worker all ask the same.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from asc_tui.domain import MARKETPLACES
from asc_tui.i18n import _

# Seller Central, LWA and SP-API hosts: any subdomain of an Amazon retail domain, that of every marketplace
# (amazon.com covers LWA, SP-API and the European Seller Central).
_AMAZON_SUFFIXES = sorted({m.domain.removeprefix("www.amazon.") for m in MARKETPLACES.values()})
AMAZON_HOST = re.compile(
    r"^(?:[a-z0-9-]+\.)*amazon\.(?:" + "|".join(map(re.escape, _AMAZON_SUFFIXES)) + r")$"
)


def is_loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8, ::1 (and ::ffff:127.x): only this computer can reach it."""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def is_amazon_host(host: str) -> bool:
    return AMAZON_HOST.match(host.strip().lower().rstrip(".")) is not None


def url_host(url: str) -> str:
    """The host name of `url` (lower case), or '' when it has none or cannot be read."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def listen_host(listen: str) -> str | None:
    """The host of a `host:port` listen address (`[::1]:0` gives `::1`), or None when it is not one."""
    text = listen.strip()
    if text.startswith("["):
        host, _sep, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    else:
        host, _sep, port = text.rpartition(":")
    return host if host and port.isdigit() else None


def parse_listen(listen: str) -> tuple[str, int] | None:
    """`host:port` or `[v6]:port` → (host, port), or None when it is neither."""
    host = listen_host(listen)
    port = listen.strip().rpartition(":")[2]
    if host is None or int(port) > 65535:
        return None
    return host, int(port)


def listen_problem(listen: str) -> str:
    """The sentence for a callback address that is not host:port."""
    return _(
        "The callback address {listen!r} is not host:port; set callback_listen in the config to an "
        "address such as 127.0.0.1:8976."
    ).format(listen=listen)
