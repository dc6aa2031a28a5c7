"""`--sandbox`: the built-in Amazon emulator on loopback, and the config that points the app at it."""

from __future__ import annotations

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
from asc_tui.settings.config import AmazonConfig


def start_emulator(data_dir: Path) -> SandboxEmulator:
    emulator = SandboxEmulator(grants_file=data_dir / "sandbox-grants.json")
    emulator.start()
    return emulator


def sandbox_amazon_config(base: AmazonConfig, emulator: SandboxEmulator) -> AmazonConfig:
    """The demo app's credentials and the emulator's addresses; the callback takes any free port."""
    return replace(
        base,
        application_id=SANDBOX_APPLICATION_ID,
        client_id=SANDBOX_CLIENT_ID,
        redirect_uri="",
        callback_listen="127.0.0.1:0",
        callback_tls_cert="",
        callback_tls_key="",
        draft_app=True,
        lwa_token_url=emulator.lwa_token_url,
        seller_central={code: emulator.seller_central_url(code) for code in MARKETPLACES},
        endpoints={region: emulator.sp_api_endpoint(region) for region in REGIONS},
    )


def sandbox_client_secret() -> str:
    return SANDBOX_CLIENT_SECRET
