"""A real Secret Service (Debian's gnome-keyring-daemon inside dbus-run-session) used as the platform keyring.

scripts/system-deps.sh installs gnome-keyring and dbus-daemon; a missing one fails this test with that
hint rather than skipping it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import os, subprocess, sys, time
    from pathlib import Path

    daemon = subprocess.run(
        ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
        input=b"login-password", capture_output=True, check=True,
    )
    for line in daemon.stdout.decode().splitlines():
        name, _, value = line.partition("=")
        if name:
            os.environ[name] = value

    from asc_tui.settings.secret_store import BackendKind, open_secret_store, refresh_token_key

    store = open_secret_store(sandbox=False, data_dir=Path(sys.argv[1]))
    started = time.monotonic()
    store.set(refresh_token_key("abc"), "Atzr|from-the-secret-service")
    back = store.get(refresh_token_key("abc"))
    present = store.has(refresh_token_key("abc"))
    store.delete(refresh_token_key("abc"))
    gone = store.get(refresh_token_key("abc"))
    print(store.kind.value, store.backend_name, back, present, gone, f"{time.monotonic() - started:.3f}")
    """
)


def test_the_platform_keyring_is_a_real_secret_service(tmp_path: Path) -> None:
    for command in ("dbus-run-session", "gnome-keyring-daemon"):
        assert shutil.which(command), f"{command} is missing: run `bash scripts/system-deps.sh` as root"
    home = tmp_path / "home"
    home.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND", "GNOME_KEYRING_CONTROL")
    }
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_RUNTIME_DIR=str(tmp_path))
    result = subprocess.run(
        ["dbus-run-session", "--", sys.executable, "-c", SCRIPT, str(tmp_path / "asc-data")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    kind, backend, back, present, gone, _seconds = result.stdout.split()
    assert kind == "platform" and backend == "keyring.backends.SecretService.Keyring"
    assert back == "Atzr|from-the-secret-service" and present == "True" and gone == "None"
    assert not (tmp_path / "asc-data" / "secrets.cfg").exists()  # no file fallback was used
