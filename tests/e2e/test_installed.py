"""The installed program in a real terminal (tmux): type like an admin, quit, find the store saved."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.tmux import Tmux

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
        "import asc_tui, asc_tui.system.paths as p; print(asc_tui.__file__); print(p.stylesheet()); "
        "print(p.stylesheet().exists())"
    )
    module, stylesheet, exists = run_installed(installed, tmp_path, "python", "-c", probe).split()
    assert module.startswith(str(installed)) and stylesheet.startswith(str(installed)) and exists == "True"
    headless = (
        "import asyncio\n"
        "from asc_tui.settings.config import load_config\n"
        "from asc_tui.ui.app import AscApp\n"
        "async def main():\n"
        "    app = AscApp(load_config())\n"
        "    async with app.run_test(size=(100, 30)) as pilot:\n"
        "        for _ in range(3000):  # up to a minute on a loaded machine\n"
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
    """Each key waits for what the admin would see first: the form, the open list, the cursor in the
    field, the highlighted list; then the saved card on the home, and the program ending well."""
    program = [str(installed / "bin" / "asc-tui")]
    with Tmux(program, env_for(tmp_path), cwd=str(tmp_path), width=110, height=40) as term:
        term.wait_for_text("pre-setup tasks")
        term.keys("a")
        term.wait_for_text("Add Amazon sales channel")
        term.wait(lambda: term.highlighted("Choose a website"), "the website list focused")
        term.keys("Enter")
        term.wait_for_text(r"Choose a website\s+▲")  # the list is open
        term.keys("Down", "Enter")  # "Main Website (base)"
        term.wait_for_text(r"Main Website \(base\)\s+▼")

        for label, value in (("Email Address", "typed@example.com"), ("New Store Name", "Typed in a PTY")):
            term.keys("Tab")
            term.wait(lambda: term.cursor_row() == term.field_row(label), f"the cursor in the {label} field")  # noqa: B023
            term.type(value)
            term.wait(lambda: value in term.lines()[term.field_row(label)], f"{value!r} in the {label} field")  # noqa: B023

        term.keys("Tab")
        term.wait(lambda: term.highlighted("Choose a country"), "the country list focused")
        term.keys("Enter")
        term.wait_for_text(r"Choose a country\s+▲")
        term.keys("Down", "Down", "Enter")  # United States, Canada
        term.wait_for_text(r"Canada \(CA\) · North America\s+▼")  # the chosen country names its region
        term.keys("C-s")
        # Saved: the form is gone and the home shows the store's card.
        term.wait(
            lambda: "Add Amazon sales channel" not in term.screen() and "Typed in a PTY" in term.screen(),
            "the form closed and the new store's card on the home",
        )
        assert "pre-setup tasks" not in term.screen()
        term.keys("q")
        term.wait(lambda: term.ended() is not None, "the program to quit")
        assert term.ended() == 0, term.screen()
    stores = json.loads(run_installed(installed, tmp_path, "asc-tui", "stores", "list", "--json"))
    assert [(s["name"], s["country"], s["email"]) for s in stores] == [
        ("Typed in a PTY", "CA", "typed@example.com")
    ]
