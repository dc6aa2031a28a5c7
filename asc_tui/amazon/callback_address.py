"""Where the callback worker listens: `host:port` parsed, bind failures in one sentence, and the only hosts
the Login-URI bounce may send a browser to."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from asc_tui.i18n import _
from asc_tui.settings import hosts
from asc_tui.settings.hosts import is_loopback


class CallbackBindError(Exception):
    """The listener could not take its address; str() is one sentence for the admin."""

    def __init__(self, message: str, address: str, *, in_use: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.address = address
        self.in_use = in_use  # another program (or another attempt) holds the address

    def __str__(self) -> str:
        return self.message


def parse_listen(listen: str) -> tuple[str, int]:
    """`host:port` or `[v6]:port` → (host, port); raises CallbackBindError when it is neither."""
    parsed = hosts.parse_listen(listen)
    if parsed is None:
        raise CallbackBindError(hosts.listen_problem(listen), listen)
    return parsed


def amazon_callback_allowed(uri: str, seller_central: Iterable[str] = ()) -> bool:
    """Whether the login bounce may send the browser to `uri`: only to a configured Seller Central host
    (`https://sellercentral.amazon.com`, or the sandbox's loopback one), with its scheme and port."""
    try:
        parts = urlsplit(uri)
        hostname = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    if not hostname or "@" in parts.netloc or parts.scheme not in ("http", "https"):
        return False
    if parts.scheme == "http" and not is_loopback(hostname):
        return False
    for origin in seller_central:
        try:
            allowed = urlsplit(origin.strip())
            allowed_port = allowed.port or (443 if allowed.scheme == "https" else 80)
        except ValueError:
            continue
        if (allowed.scheme, (allowed.hostname or "").lower(), allowed_port) == (parts.scheme, hostname, port):
            return True
    return False


def bind_error(exc: OSError, address: str) -> CallbackBindError:
    hint = _("set callback_listen in the config to an address such as 127.0.0.1:8976")
    if isinstance(exc, socket.gaierror):
        message = _("The host in the callback address {address} could not be resolved; {hint}.").format(
            address=address, hint=hint
        )
    elif exc.errno == errno.EADDRINUSE:
        message = _(
            "The callback address {address} is already in use by another program; stop that program or "
            "set callback_listen in the config to a free address (127.0.0.1:0 picks any free port)."
        ).format(address=address)
    elif exc.errno in (errno.EACCES, errno.EPERM):
        message = _(
            "This user is not allowed to listen on {address} (ports below 1024 need extra rights); {hint}."
        ).format(address=address, hint=hint)
    elif exc.errno == errno.EADDRNOTAVAIL:
        message = _("The callback address {address} is not an address of this computer; {hint}.").format(
            address=address, hint=hint
        )
    else:
        message = _("asc-tui could not listen on {address} ({reason}); {hint}.").format(
            address=address, reason=exc.strerror or exc, hint=hint
        )
    return CallbackBindError(message, address, in_use=exc.errno == errno.EADDRINUSE)
