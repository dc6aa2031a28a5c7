"""`--sandbox`: the built-in Amazon emulator on loopback, and the config that points the app at it."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from asc_tui.domain import MARKETPLACES
from asc_tui.sandbox import (
    REGIONS,
    SANDBOX_APPLICATION_ID,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SandboxEmulator,
)
from asc_tui.settings.config import AmazonConfig, SandboxConfig

# The ports come from the config (`[sandbox]`, fixed by default so that one `ssh -L` serves every
# attempt); these variables win over it, as the secrets' variables do (tests ask for any free port).
EMULATOR_PORT_ENV = "ASC_TUI_SANDBOX_EMULATOR_PORT"
CALLBACK_PORT_ENV = "ASC_TUI_SANDBOX_CALLBACK_PORT"


def sandbox_port(variable: str, configured: int) -> int:
    """The port the environment asks for (0-65535; 0 is any free port), else the configured one."""
    text = os.environ.get(variable, "").strip()
    if text.isdigit() and 0 <= int(text) <= 65535:
        return int(text)
    return configured


def start_emulator(data_dir: Path, ports: SandboxConfig) -> SandboxEmulator:
    grants = data_dir / "sandbox-grants.json"
    port = sandbox_port(EMULATOR_PORT_ENV, ports.emulator_port)
    emulator = SandboxEmulator(grants_file=grants, port=port)
    try:
        emulator.start()
    except OSError:  # in use (another sandbox runs here): any free port rather than no sandbox
        emulator = SandboxEmulator(grants_file=grants)
        emulator.start()
    return emulator


def sandbox_amazon_config(
    base: AmazonConfig, emulator: SandboxEmulator, ports: SandboxConfig
) -> AmazonConfig:
    """The demo app's credentials and the emulator's addresses; the callback a fixed loopback port."""
    return replace(
        base,
        application_id=SANDBOX_APPLICATION_ID,
        client_id=SANDBOX_CLIENT_ID,
        redirect_uri="",
        callback_listen=f"127.0.0.1:{sandbox_port(CALLBACK_PORT_ENV, ports.callback_port)}",
        callback_tls_cert="",
        callback_tls_key="",
        draft_app=True,
        lwa_token_url=emulator.lwa_token_url,
        seller_central={code: emulator.seller_central_url(code) for code in MARKETPLACES},
        endpoints={region: emulator.sp_api_endpoint(region) for region in REGIONS},
    )


def sandbox_client_secret() -> str:
    return SANDBOX_CLIENT_SECRET
