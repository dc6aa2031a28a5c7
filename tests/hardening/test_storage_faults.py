"""Storage faults, made for real: a database locked by another writer past the busy timeout, a full disk
(a small tmpfs, and a file-size limit the kernel enforces), a read-only data folder (a read-only bind
mount, and a user who may read but not write), a damaged file.

Each time the CLI (or the dashboard) says one sentence naming the place and what to do, exits non-zero
without a traceback, the file still passes `PRAGMA integrity_check`, every store confirmed before is
still there, reading still works where the file can be read, and the same action works once the fault is
gone.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select
from textual.widgets import Input

from asc_tui.domain import StoreDraft
from asc_tui.services.registry import Registry, open_registry
from asc_tui.storage.database import BUSY_TIMEOUT_MS
from asc_tui.storage.models import ConnectAttempt, Store
from asc_tui.system import paths
from asc_tui.ui.screens.add_store import AddStoreModal
from tests.support.connect import NA
from tests.support.consent_forms import approve
from tests.support.leak_scan import scan_before_removal
from tests.ui.helpers import (
    fill_add_form,
    press,
    ready_home,
    shown_notifications,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def cli(
    *args: str, preexec_fn: Callable[[], None] | None = None, user: str | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "asc_tui", *args]
    if user is not None:  # may read every file (to start Python at all), may write only what it may
        command = [
            "setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups",
            "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", *command,
        ]  # fmt: skip
    return subprocess.run(
        command, capture_output=True, text=True, timeout=60, cwd=ROOT, preexec_fn=preexec_fn
    )


def add(name: str, *options: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return cli(
        *options, "stores", "add", "--name", name, "--email", "ops@example.com", "--country", "US",
        "--website", "base", **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


def one_sentence(result: subprocess.CompletedProcess[str], *parts: str) -> str:
    """The refusal: exit 2, nothing on stdout, one `asc-tui: ...` line holding each part, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("asc-tui: "), result.stderr
    assert "Traceback" not in result.stderr and "Unexpected error" not in result.stderr
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


def listed(*options: str) -> list[str]:
    result = cli(*options, "stores", "list", "--json")
    assert result.returncode == 0, result.stderr
    return [record["name"] for record in json.loads(result.stdout)]


def intact(db: Path) -> list[str]:
    """integrity_check passes; the store names, oldest first."""
    with contextlib.closing(sqlite3.connect(db)) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return [row[0] for row in raw.execute("SELECT name FROM store ORDER BY id")]


def many_stores_csv(folder: Path, count: int) -> Path:
    source = folder / "many.csv"
    rows = "".join(f"Imported store number {n:05d},ops{n}@example.com,US,base\n" for n in range(count))
    source.write_text("name,email,country,website\n" + rows, encoding="utf-8")
    return source


def mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True, timeout=30).returncode == 0


def umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=30)


# --- locked past the busy timeout -------------------------------------------------------------------


@contextlib.contextmanager
def write_lock(backend: str) -> Iterator[None]:
    """Another program holds the write lock until the block ends."""
    if backend == "sqlite":
        code = (
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
            "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); sys.stdin.read()"
        )
        holder = subprocess.Popen(
            [sys.executable, "-c", code, str(paths.default_database_file(False))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "locked"
        try:
            yield
        finally:
            holder.stdin.close()
            holder.wait(timeout=10)
        return
    engine = create_engine(os.environ["ASC_TUI_DATABASE"])
    try:
        with engine.connect() as conn, conn.begin() as transaction:
            conn.execute(text("LOCK TABLE store IN EXCLUSIVE MODE"))  # reading still allowed
            yield
            transaction.rollback()
    finally:
        engine.dispose()


def test_a_database_locked_past_the_busy_timeout(isolated_home: Path, backend: str) -> None:
    assert add("Before").returncode == 0
    with write_lock(backend):
        refused = add("During")
        one_sentence(refused, "locked by another", f"over {BUSY_TIMEOUT_MS // 1000} seconds", "try again")
        assert listed() == ["Before"]  # reading goes on meanwhile
    retried = add("During")
    assert retried.returncode == 0, retried.stderr
    assert listed() == ["Before", "During"]
    if backend == "sqlite":
        assert intact(paths.default_database_file(False)) == ["Before", "During"]


async def test_the_add_form_keeps_its_input_while_the_database_is_locked(isolated_home: Path) -> None:
    assert add("Before").returncode == 0
    async with ready_home(size=(120, 50)) as (app, pilot):
        await press(pilot, "a")
        await fill_add_form(pilot, "Typed while locked", "US", "typed@example.com")
        modal = app.screen
        with write_lock("sqlite"):
            await press(pilot, "ctrl+s")
        errors = [str(n.message) for n in shown_notifications(app) if n.severity == "error"]
        assert len(errors) == 1 and "is locked by another program" in errors[0], errors
        assert app.screen_stack[-1] is modal  # still open, with what was typed
        assert modal.query_one("#name", Input).value == "Typed while locked"
        assert modal.query_one("#email", Input).value == "typed@example.com"
        await pilot.press("ctrl+s")  # the lock is gone: saving again works
        await pilot.pause()
        assert not isinstance(app.screen, AddStoreModal)
    assert listed() == ["Before", "Typed while locked"]


# --- a full disk ------------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A 600 KiB tmpfs holding the whole data folder (database, log, sandbox secrets)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if not mount("-t", "tmpfs", "-o", "size=600k,mode=0700", "tmpfs", str(disk)):
        pytest.skip("mounting a tmpfs is not allowed here (the file-size-limit test still runs)")
    monkeypatch.setenv("ASC_TUI_HOME", str(disk / "home"))
    try:
        yield disk
    finally:
        # Once unmounted its files are gone: the end-of-run secret scan would never see them.
        scan_before_removal(disk, "small-disk tmpfs")
        umount(disk)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with contextlib.suppress(OSError), filler.open("wb") as handle:
        while True:
            handle.write(b"\0" * 4096)
            handle.flush()
    return filler


def test_a_full_disk(small_disk: Path, tmp_path: Path) -> None:
    data = paths.data_dir()
    for name in ("Shop", "Other"):
        assert add(name, "--sandbox").returncode == 0
    full = f"The disk holding {data} is full"

    # An import that fills the disk halfway through: all or nothing, and nothing is what it got.
    one_sentence(
        cli("--sandbox", "stores", "import", str(many_stores_csv(tmp_path, 3000))), full, "free some space"
    )
    assert listed("--sandbox") == ["Shop", "Other"]

    filler = fill(small_disk)
    one_sentence(add("Third", "--sandbox"), full)
    one_sentence(cli("--sandbox", "stores", "connect", "Shop"), full)
    assert listed("--sandbox") == ["Shop", "Other"]  # reading works on a full disk

    filler.unlink()
    assert intact(paths.default_database_file(True)) == ["Shop", "Other"]
    assert add("Third", "--sandbox").returncode == 0
    assert listed("--sandbox") == ["Shop", "Other", "Third"]
    registry = open_registry(sandbox=True)
    try:
        with registry.database.session() as session:  # the refused connect left no claim behind
            assert session.exec(select(ConnectAttempt)).all() == []
    finally:
        registry.close()


def test_a_full_disk_under_the_keyring_file(small_disk: Path, tmp_path: Path) -> None:
    """The database elsewhere, the secrets file in the full data folder: connecting ends in one sentence
    naming that folder, and the store is as it was."""
    db = ("--sandbox", "--db", str(tmp_path / "stores.db"))
    assert add("Shop", *db).returncode == 0
    filler = fill(small_disk)
    process = subprocess.Popen(
        [sys.executable, "-m", "asc_tui", *db, "stores", "connect", "Shop"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    _out, err = process.communicate(approve(process.stdout.readline().strip(), NA) + "\n", timeout=60)
    assert process.returncode == 1 and "Traceback" not in err, err
    said = err.strip().splitlines()[-1]
    assert said.startswith(
        f"asc-tui: The keyring could not save a secret in {paths.data_dir()} (No space left on device); free "
        "some space there or make it writable, then try again."
    )
    filler.unlink()
    registry = open_registry(str(tmp_path / "stores.db"), sandbox=True)
    try:
        shop = registry.stores.find("Shop")
        assert (shop.status, shop.token_ref) == ("not_connected", None)
        with registry.database.session() as session:
            assert session.exec(select(ConnectAttempt)).all() == []
        assert no_refresh_tokens(registry)
    finally:
        registry.close()


def test_a_log_record_that_no_longer_fits_is_dropped_without_a_traceback(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from asc_tui.system.logs import send_logs_to_file

    names = ("asc_tui", "uvicorn", "uvicorn.error", "httpx")
    for name in names:  # put back afterwards: the handler writes to this test's disk
        monkeypatch.setattr(logging.getLogger(name), "handlers", list(logging.getLogger(name).handlers))
        monkeypatch.setattr(logging.getLogger(name), "propagate", logging.getLogger(name).propagate)
    monkeypatch.setattr(logging, "raiseExceptions", True)
    send_logs_to_file()
    fill(small_disk)
    logging.getLogger("asc_tui.services.connect").warning("a record the full disk cannot take " * 2000)
    _out, err = capfd.readouterr()
    assert err == ""  # not "--- Logging error ---" and a traceback over the screen


def test_a_file_size_limit_the_kernel_enforces(isolated_home: Path, tmp_path: Path) -> None:
    """Writes past RLIMIT_FSIZE fail with EFBIG: a real write error, wherever the disk may be."""
    db = paths.default_database_file(False)
    assert add("Before").returncode == 0
    limit = db.stat().st_size + 64 * 1024

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    refused = cli("stores", "import", str(many_stores_csv(tmp_path, 3000)), preexec_fn=small_files)
    one_sentence(
        refused, f"The database {db} could not be read or written", f"{db.parent} works and has free space"
    )
    assert intact(db) == ["Before"]
    assert add("After").returncode == 0
    assert listed() == ["Before", "After"]


# --- a read-only data folder ------------------------------------------------------------------------


def test_a_read_only_mount(tmp_path: Path) -> None:
    writable, read_only = tmp_path / "rw", tmp_path / "ro"
    writable.mkdir()
    read_only.mkdir()
    assert add("Before", "--db", str(writable / "stores.db")).returncode == 0
    if not mount("--bind", str(writable), str(read_only)):
        pytest.skip("bind mounts are not allowed here (the other-user test still runs)")
    try:
        if not mount("-o", "remount,ro,bind", str(read_only)):
            pytest.skip("remounting read-only is not allowed here")
        db = ("--db", str(read_only / "stores.db"))
        one_sentence(
            add("During", *db),
            f"The folder {read_only} is on a read-only file system",
            "remount it read-write or choose another --db",
        )
        assert listed(*db) == ["Before"]
        exported = cli(*db, "stores", "export")
        assert exported.returncode == 0 and "Before" in exported.stdout
    finally:
        umount(read_only)
    assert add("After", "--db", str(writable / "stores.db")).returncode == 0
    assert intact(writable / "stores.db") == ["Before", "After"]


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A root-owned folder (rwxr-xr-x) on a path every user can walk, as a shared data folder is."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run as another user")
    for base in ("/var/tmp", "/dev/shm", tempfile.gettempdir()):
        if all(p.stat().st_mode & 0o001 for p in (Path(base), *Path(base).parents)):
            folder = Path(tempfile.mkdtemp(prefix="asc-shared-", dir=base))
            break
    else:
        pytest.skip("no temporary folder other users can reach")
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("case", ["file", "folder"])
def test_a_data_folder_this_user_cannot_write(isolated_home: Path, shared_folder: Path, case: str) -> None:
    folder = shared_folder
    db = folder / "stores.db"
    assert add("Before", "--db", str(db)).returncode == 0
    db.chmod(0o644 if case == "file" else 0o666)
    probe = cli("--version", user="nobody")
    if probe.returncode != 0:
        pytest.skip(f"cannot run as nobody here: {probe.stderr.strip()}")

    refused = add("During", "--db", str(db), user="nobody")
    if case == "file":
        one_sentence(
            refused, f"The database file {db} is not writable by you (nobody)", "fix its permissions"
        )
    else:  # the file is, but SQLite must create its journal files beside it
        one_sentence(
            refused, f"The folder {folder} is not writable by you (nobody)", "make the folder writable"
        )
    listing = cli("--db", str(db), "stores", "list", "--json", user="nobody")
    assert listing.returncode == 0, listing.stderr
    assert [r["name"] for r in json.loads(listing.stdout)] == ["Before"]
    assert intact(db) == ["Before"]


# --- a damaged file ---------------------------------------------------------------------------------


def test_a_damaged_file_is_one_sentence_not_a_crash(isolated_home: Path, tmp_path: Path) -> None:
    db = paths.default_database_file(False)
    imported = cli("stores", "import", str(many_stores_csv(tmp_path, 300)))
    assert imported.returncode == 0, imported.stderr
    with db.open("r+b") as handle:  # scribble over the middle of the store table's pages
        for page in range(20, 40):
            handle.seek(4096 * page + 100)
            handle.write(b"\xff" * 200)
    one_sentence(cli("stores", "list"), f"The database {db} is damaged", "restore it from a backup")


# --- a clash the unique index catches as the store's row is written ---------------------------------


def test_a_seller_taken_by_another_store_just_before_the_save_is_one_sentence(isolated_home: Path) -> None:
    """Another admin connects the same seller and marketplace to another store between the check and the
    save: the unique index refuses the store's row, and the attempt ends in one sentence, the store as it
    was and the token it saved removed."""
    registry = open_registry(sandbox=True)
    try:
        first, second = (
            registry.stores.add(StoreDraft(name=n, email="ops@example.com", country="US", website="base"))
            for n in ("First", "Second")
        )
        service = registry.connect
        attempt = service.start(second.id or 0, listen=False)
        location = approve(attempt.consent_url, NA)
        real_set = registry.secrets.set

        def set_while_another_admin_connects(key: str, value: str) -> None:
            real_set(key, value)
            with registry.database.engine.begin() as conn:
                conn.execute(
                    text("UPDATE store SET status='active', seller_id=:s, token_ref='other' WHERE id=:i"),
                    {"s": NA.selling_partner_id, "i": first.id},
                )

        registry.secrets.set = set_while_another_admin_connects  # type: ignore[method-assign]
        outcome = service.complete_from_paste(attempt, location)
        assert not outcome.connected
        assert "is already connected to store" in outcome.message and "unchanged" in outcome.message
        again = registry.stores.get(second.id or 0)
        assert (again.status, again.seller_id, again.token_ref, again.version) == (
            "not_connected",
            None,
            None,
            1,
        )
        assert no_refresh_tokens(registry)
        with registry.database.session() as session:
            assert session.exec(select(ConnectAttempt)).all() == []
            assert session.get(Store, first.id) is not None
    finally:
        registry.close()


def no_refresh_tokens(registry: Registry) -> bool:
    path = Path(registry.secrets._usable_backend().file_path)  # type: ignore[attr-defined]
    return not path.exists() or "refresh_2dtoken" not in path.read_text()  # keyrings.alt escapes the "-"
