"""Every file asc-tui writes is its owner's only from the moment it exists, whatever the umask says.

Real processes under the usual umask 022 (which makes open()'s files 0644): a sandbox connection through
`asc-tui stores connect` (database, grants, demo tokens, log), doctor with the plaintext and the
encrypted keyring files, and a crash (crash.log). Afterwards nothing under the data folder is open to
group or others. Then doctor on a data folder made looser by hand names the folder and the files.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.support.cli import run_asc_tui
from tests.support.connect import NA, start_connect
from tests.support.consent_forms import approve

TIMEOUT = 60


def _umask_022() -> None:
    os.umask(0o022)


def asc(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return run_asc_tui(*args, env=env, timeout=TIMEOUT, input=stdin, preexec_fn=_umask_022)


def modes(folder: Path) -> dict[str, int]:
    return {
        str(path.relative_to(folder)): stat.S_IMODE(path.lstat().st_mode)
        for path in [folder, *folder.rglob("*")]
        if not path.is_symlink()
    }


CRASH = """
import os, sys
from asc_tui.cli import main
from asc_tui.services.stores import StoreService
def broken(self, draft):
    raise RuntimeError("boom")
StoreService.add = broken
sys.exit(main(["stores", "add", "--name", "X", "--email", "x@example.com", "--country", "US", "--website", "base"]))
"""


def test_every_file_the_app_writes_is_owner_only_from_the_start(tmp_path: Path, isolated_home: Path) -> None:
    data = isolated_home / "data"
    # A sandbox connection: the database, the emulator's grants, the demo token file, the log.
    assert asc("--sandbox", "stores", "add", "--name", "Shop US", "--email", "a@b.co", "--country", "US",
               "--website", "base").returncode == 0  # fmt: skip
    process, link = start_connect("Shop US", preexec_fn=_umask_022)
    _out, err = process.communicate(approve(link, NA) + "\n", timeout=TIMEOUT)
    assert process.returncode == 0, err
    # The keyring files, written by doctor's round trip.
    plain = tmp_path / "plain.toml"
    plain.write_text('[secrets]\nbackend = "plaintext-file"\n', encoding="utf-8")
    asc("--config", str(plain), "doctor")
    encrypted = tmp_path / "encrypted.toml"
    encrypted.write_text('[secrets]\nbackend = "encrypted-file"\n', encoding="utf-8")
    asc(
        "--config",
        str(encrypted),
        "doctor",
        env={**os.environ, "ASC_TUI_KEYRING_PASSPHRASE": "correct horse"},
    )
    # A crash.
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH], capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=_umask_022
    )
    assert "details were written to" in crashed.stderr, crashed.stderr

    found = modes(data)
    for name in ("asc-tui.log", "crash.log", "sandbox.sqlite3", "sandbox-grants.json", "sandbox-secrets.cfg",
                 "secrets-plaintext.cfg", "secrets.cfg", "stores.sqlite3"):  # fmt: skip
        assert name in found, (name, sorted(found))
    loose = {name: f"{mode:o}" for name, mode in found.items() if mode & 0o077}
    assert loose == {}, loose
    assert found["."] == 0o700


def test_doctor_names_a_data_folder_and_files_others_may_read(isolated_home: Path) -> None:
    data = isolated_home / "data"
    assert asc("stores", "list").returncode == 0  # creates the folder, the database and the log
    before = json.loads(asc("doctor", "--json").stdout)
    assert [row["ok"] for row in before if row["check"] == "Data folder"] == [True]
    data.chmod(0o755)
    (data / "asc-tui.log").chmod(0o644)
    (data / "crash.log").write_text("old\n", encoding="utf-8")
    (data / "crash.log").chmod(0o640)
    doctor = asc("doctor")
    assert doctor.returncode == 1
    fixes = [line for line in doctor.stderr.splitlines() if str(data) in line]
    assert any(f"chmod 700 {data}" in line for line in fixes), doctor.stderr
    assert any("chmod 600 asc-tui.log crash.log" in line for line in fixes), doctor.stderr
    assert "stores.sqlite3" not in doctor.stderr  # created owner-only: not named
