"""Every filesystem path the product uses, in one place.

Tests and sandboxes swap the whole tree with `ASC_TUI_HOME` (a folder holding config/ and data/).
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "asc-tui"


def _home_override() -> Path | None:
    value = os.environ.get("ASC_TUI_HOME", "").strip()
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    override = _home_override()
    if override:
        return override / "config"
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    override = _home_override()
    if override:
        return override / "data"
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def default_config_file() -> Path:
    return config_dir() / "config.toml"


def default_database_file(sandbox: bool = False) -> Path:
    return data_dir() / ("sandbox.sqlite3" if sandbox else "stores.sqlite3")


def stylesheet() -> Path:
    """The app stylesheet: inside the installed package, or the top-level styles/ of a source checkout."""
    package = Path(__file__).resolve().parents[1]  # asc_tui/, this file being asc_tui/system/paths.py
    packaged = package / "styles" / "app.tcss"
    if packaged.exists():
        return packaged
    return package.parent / "styles" / "app.tcss"
