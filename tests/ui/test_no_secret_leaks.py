"""After a full sandbox connect, no secret is in the database, the data folder's logs, exports or screens."""

from __future__ import annotations

import asyncio
import base64
import subprocess
import sys
from pathlib import Path

from asc_tui.ui.screens.connect import ConnectScreen
from tests.support.connect import NA
from tests.support.consent_forms import approve

from .helpers import make_app, seed, type_into, until_ready, wait_until

# The keyring file and the emulator's own record of what it granted (Amazon's side) are meant to hold them.
SECRET_HOMES = {"sandbox-secrets.cfg", "sandbox-grants.json"}


def run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "asc_tui", "--sandbox", *args], capture_output=True, text=True
    )
    return done.stdout + done.stderr


async def test_a_full_sandbox_connect_leaves_no_secret_anywhere_else(isolated_home: Path) -> None:
    seed(("Shop US", "US"), sandbox=True)
    app = make_app(sandbox=True)
    screens: list[str] = []
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until_ready(pilot)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen), "the connect screen")
        screen = app.screen
        assert isinstance(screen, ConnectScreen)
        location = await asyncio.to_thread(approve, screen.attempt.consent_url, NA)
        type_into(app, "#connect-paste", location)
        screens.append(app.export_screenshot())  # the code is on screen here, and only here: it is spent
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: not isinstance(app.screen, ConnectScreen), "the connect screen closed"
        )
        await pilot.pause(0.2)
        screens.append(app.export_screenshot())
        await pilot.press("enter")  # the store view with its activity log
        await pilot.pause(0.2)
        screens.append(app.export_screenshot())
        emulator = app.registry.emulator
        assert emulator is not None
        issued = emulator.issued_secrets
        refresh_tokens = [s for s in issued if s.startswith("Atzr|")]
        assert refresh_tokens and [s for s in issued if s.startswith("Atza|")]

    outputs = [
        run("stores", "list", "--json"),
        run("stores", "export"),
        run("stores", "export", "--json"),
        run("check-auth", "--json", "--online"),
    ]
    data = isolated_home / "data"
    files = {p.name: p.read_bytes() for p in data.rglob("*") if p.is_file() and p.name not in SECRET_HOMES}
    assert any(name.startswith("sandbox.sqlite3") for name in files)

    # Everything after the paste must be free of every issued secret; the screen with the pasted address
    # may show the (already used) code, but never a token.
    for secret in issued:
        forms = (secret.encode(), base64.b64encode(secret.encode()))
        for name, content in files.items():
            assert not any(form in content for form in forms), f"a secret is in {name}"
        for text in outputs:
            assert secret not in text
        for shot in screens[1:]:
            assert secret not in shot
    for token in refresh_tokens:
        assert token not in screens[0]
