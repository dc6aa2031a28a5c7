"""The offline fake of Amazon: Seller Central's consent pages, Login with Amazon and the SP-API on loopback."""

from asc_tui.sandbox.demo import ALL_DEMO_SELLERS, DEMO_SELLERS, HEALTH_DEMO_SELLERS, SandboxSeller
from asc_tui.sandbox.emulator import (
    SANDBOX_APPLICATION_ID,
    SANDBOX_APPLICATION_NAME,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SandboxEmulator,
)
from asc_tui.sandbox.state import LEDGER_ENV, REGIONS

__all__ = [
    "ALL_DEMO_SELLERS",
    "DEMO_SELLERS",
    "HEALTH_DEMO_SELLERS",
    "LEDGER_ENV",
    "REGIONS",
    "SANDBOX_APPLICATION_ID",
    "SANDBOX_APPLICATION_NAME",
    "SANDBOX_CLIENT_ID",
    "SANDBOX_CLIENT_SECRET",
    "SandboxEmulator",
    "SandboxSeller",
]
