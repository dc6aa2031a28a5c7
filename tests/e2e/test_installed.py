"""The installed program in a real pseudo-terminal: type like an admin, quit, find the store saved."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pexpect
import pytest

pytestmark = pytest.mark.slow


def env_for(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "ASC_TUI"))}
    env.update(
        ASC_TUI_HOME=str(home), TERM="xterm-256color", TEXTUAL_ANIMATIONS="none", TZ="UTC", PYTHONPATH=""
    )
    return env


def run_installed(installed: Path, home: Path, *args: str) -> str:
    """Run a program of the installed venv from outside the source tree; its stdout."""
    out = subprocess.run(
        [str(installed / "bin" / args[0]), *args[1:]],
        capture_output=True, text=True, env=env_for(home), cwd=home, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_wheel_ships_code_and_stylesheet_and_starts_headless(installed: Path, tmp_path: Path) -> None:
    probe = (
        "import asc_tui, asc_tui.paths as p; print(asc_tui.__file__); print(p.stylesheet()); "
        "print(p.stylesheet().exists())"
    )
    module, stylesheet, exists = run_installed(installed, tmp_path, "python", "-c", probe).split()
    assert module.startswith(str(installed)) and stylesheet.startswith(str(installed)) and exists == "True"
    headless = (
        "import asyncio\n"
        "from asc_tui.config import load_config\n"
        "from asc_tui.ui.app import AscApp\n"
        "async def main():\n"
        "    app = AscApp(load_config())\n"
        "    async with app.run_test(size=(100, 30)) as pilot:\n"
        "        for _ in range(200):\n"
        "            if app.ready: break\n"
        "            await pilot.pause(0.02)\n"
        "        print('READY', app.ready, app.screen.query_one('#empty-state').display)\n"
        "asyncio.run(main())\n"
    )
    assert "READY True True" in run_installed(installed, tmp_path, "python", "-c", headless)


def test_wheel_ships_the_chinese_catalog(installed: Path, tmp_path: Path) -> None:
    probe = "import asc_tui.i18n as i; print(next(i.LOCALE_DIR.rglob('asc_tui.mo')))"
    catalog = run_installed(installed, tmp_path, "python", "-c", probe).strip()
    assert catalog.startswith(str(installed)) and catalog.endswith("zh_Hant/LC_MESSAGES/asc_tui.mo")
    env = {**env_for(tmp_path), "LANG": "zh_TW.UTF-8"}
    out = subprocess.run(
        [str(installed / "bin" / "asc-tui"), "--help"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert out.returncode == 0 and out.stdout.startswith("用法：asc-tui") and "新增、匯入" in out.stdout


def test_add_a_store_by_typing_in_a_real_terminal(installed: Path, tmp_path: Path) -> None:
    child = pexpect.spawn(
        str(installed / "bin" / "asc-tui"),
        env=env_for(tmp_path),
        dimensions=(40, 110),
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=20,
    )
    try:
        child.expect("pre-setup tasks")
        time.sleep(0.3)

        def send(keys: str, pause: float = 0.25) -> None:
            child.send(keys)
            time.sleep(pause)

        send("a", 0.8)
        send("\r")  # open the website list
        send("\x1b[B")  # down to "Main Website (base)"
        send("\r")
        send("\t")
        send("typed@example.com")
        send("\t")
        send("Typed in a PTY")
        send("\t")
        send("\r")
        send("\x1b[B\x1b[B")  # Canada
        send("\r")
        send("\x13", 1.0)  # ctrl+s
        child.expect("Typed in a PTY")
        send("q", 0.5)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    stores = json.loads(run_installed(installed, tmp_path, "asc-tui", "stores", "list", "--json"))
    assert [(s["name"], s["country"], s["email"]) for s in stores] == [
        ("Typed in a PTY", "CA", "typed@example.com")
    ]
