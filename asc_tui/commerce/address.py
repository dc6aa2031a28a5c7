"""The shop's address, normalized without importing an HTTP client (the registry names its catalog source)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit


def normalize_base_url(raw: str) -> str | None:
    """The shop's address as requests start from it, or None when it is not an http(s) URL with a host.

    Trailing slashes and a pasted `/rest` or `/rest/V1` are dropped; a path prefix (`/index.php`, a
    subfolder install) is kept; query and fragment are ignored.
    """
    text = (raw or "").strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    path = re.sub(r"/rest(/V1)?/*$", "", parts.path.rstrip("/"))
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, "", ""))


def display_url(url: str) -> str:
    """`url` without a user name or password."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[1], parts.path, parts.query, ""))
