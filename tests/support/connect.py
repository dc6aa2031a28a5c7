"""Steps shared by the connect tests."""

from __future__ import annotations

import configparser
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from asc_tui.domain import MARKETPLACES, StoreDraft
from asc_tui.sandbox import (
    DEMO_SELLERS,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SandboxEmulator,
    SandboxSeller,
)
from asc_tui.services.connect import ConnectSession
from asc_tui.services.registry import Registry, open_registry
from asc_tui.storage.models import Store
from tests.support.consent_forms import approve
from tests.support.ports import free_port

NA, UK, US_ONLY = DEMO_SELLERS[:3]


def add_store(registry: Registry, name: str = "Shop US", country: str = "US") -> Store:
    return registry.stores.add(
        StoreDraft(name=name, email="ops@example.com", country=country, website="base")
    )


def started(registry: Registry, name: str = "Shop US", country: str = "US") -> tuple[Store, ConnectSession]:
    """A store added and its connect started, without a callback listener (the address is to be pasted)."""
    store = add_store(registry, name, country)
    return store, registry.connect.start(store.id or 0, listen=False)


def approved(
    registry: Registry, seller: SandboxSeller = NA, name: str = "Shop US", country: str = "US"
) -> tuple[Store, ConnectSession, str]:
    """A store added, its connect started and approved by `seller` on the sandbox's consent pages: the store,
    the attempt and the address Amazon sent back, still to be pasted."""
    store, attempt = started(registry, name, country)
    return store, attempt, approve(attempt.consent_url, seller)


def connected(
    registry: Registry, seller: SandboxSeller = NA, name: str = "Shop US", country: str = "US"
) -> Store:
    """A store added and connected as an admin would, pasting the address Amazon sent back; as now saved."""
    store, attempt, location = approved(registry, seller, name, country)
    assert registry.connect.complete_from_paste(attempt, location).connected
    return registry.stores.get(store.id or 0)


def lwa_post(http: httpx.Client, emulator: SandboxEmulator, **form: str) -> httpx.Response:
    """The sandbox's Login with Amazon asked directly, as the sandbox app (`form` may replace its ID or secret)."""
    data = {"client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET, **form}
    return http.post(emulator.lwa_token_url, data=data)


def lwa_refresh(http: httpx.Client, emulator: SandboxEmulator, refresh_token: str) -> httpx.Response:
    """An access token asked for with a refresh token."""
    return lwa_post(http, emulator, grant_type="refresh_token", refresh_token=refresh_token)


def access_token(http: httpx.Client, emulator: SandboxEmulator, refresh_token: str) -> str:
    """An access token for `refresh_token`, straight from the sandbox's Login with Amazon (to ask the emulator
    what the app's own clients must agree with)."""
    response = lwa_refresh(http, emulator, refresh_token)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def seller_token(
    http: httpx.Client, emulator: SandboxEmulator, seller: SandboxSeller, region: str = "NA"
) -> str:
    """An access token for `seller` in `region`, authorized directly (no consent pages)."""
    return access_token(http, emulator, emulator.authorize_directly(seller, region))


def secret_keys(registry: Registry) -> list[str]:
    """Every key the keyring backend holds for this app (read from the backend's own file)."""
    path = Path(registry.secrets._usable_backend().file_path)  # type: ignore[attr-defined]
    if not path.exists():
        return []
    parser = configparser.RawConfigParser()
    parser.read(path)
    return [key for section in parser.sections() for key in parser.options(section)]


def browser_get(url: str) -> httpx.Response:
    """What a browser does with Amazon's redirect: follow it to the callback worker and its result page."""
    return httpx.get(url, follow_redirects=True, timeout=30)


def actions(registry: Registry, store_id: int) -> list[str]:
    return [a.action for a in registry.stores.activity(store_id)]


def write_real_config(home: Path, emulator: SandboxEmulator, extra: str = "") -> int:
    """A config as for a real app (not --sandbox) whose hosts are the emulator's; the callback port chosen."""
    port = free_port()
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    hosts = "\n".join(f'{c} = "{emulator.seller_central_url(c)}"' for c in MARKETPLACES)
    config.write_text(
        f"""[amazon]
application_id = "amzn1.sp.solution.sandbox-0000-0000-0000-000000000000"
client_id = "amzn1.application-oa2-client.sandbox"
redirect_uri = "http://127.0.0.1:{port}/amazon/callback"
callback_listen = "127.0.0.1:{port}"
lwa_token_url = "{emulator.lwa_token_url}"
[amazon.seller_central]
{hosts}
[amazon.endpoints]
NA = "{emulator.sp_api_endpoint("NA")}"
{extra}""",
        encoding="utf-8",
    )
    return port


def seed_store(name: str = "Shop US", country: str = "US") -> None:
    """A store in the sandbox registry, added and closed again, as a separate process will open it."""
    registry = open_registry(sandbox=True)
    try:
        add_store(registry, name, country)
    finally:
        registry.close()


def start_connect(
    name: str,
    *connect_options: str,
    options: Sequence[str] = ("--sandbox",),
    link_expected: bool = True,
    **popen: Any,
) -> tuple[subprocess.Popen[str], str]:
    """`asc-tui OPTIONS stores connect NAME CONNECT_OPTIONS` in a real process, its stdin a pipe for the
    paste, and the first line it printed: the consent link (asserted, unless `link_expected` is False)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "asc_tui", *options, "stores", "connect", name, *connect_options],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if link_expected:
        assert "/apps/authorize/consent?" in url, process.stderr.read() if process.stderr else ""
    return process, url


def connect_sandbox_stores(*stores: tuple[str, SandboxSeller]) -> dict[str, int]:
    """Each store (in the US marketplace) added to the sandbox registry and connected through the sandbox's
    consent pages, as an admin would; their ids by name. The registry is closed again after."""
    registry = open_registry(sandbox=True)
    try:
        return {name: connected(registry, seller, name).id or 0 for name, seller in stores}
    finally:
        registry.close()
