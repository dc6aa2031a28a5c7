"""`kill -9` at every step of add, edit, delete and connect, in the real process; then the next start.

Each case runs the real program (the CLI for add, import and connect; the TUI, driven headless in its own
process, for edit and delete) with ASC_TUI_CRASH_AT naming one point of `asc_tui.system.faults.crash_point`: the
process sends itself SIGKILL there. Then, as a new start would: the SQLite file passes
`PRAGMA integrity_check`, the CLI lists the stores, the start-up cleanup runs, and every store is either as
it was or fully changed (its activity row with it), never half; a change that was committed is there; no
connect attempt still holds a store; no refresh token is left in the keyring that no store uses, and none
that a store uses is missing; and the same action then works.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import select

from asc_tui.domain import StoreDraft, StoreEdit, StoreStatus
from asc_tui.errors import StoreValidationError
from asc_tui.services.attempts import cleanup_stale
from asc_tui.services.registry import Registry, open_registry
from asc_tui.settings.secret_store import ORPHAN_NOTE_PREFIX, refresh_token_key
from asc_tui.storage.models import ConnectAttempt, Preference
from asc_tui.system import paths
from asc_tui.system.faults import CRASH_ENV
from tests.support.connect import NA
from tests.support.consent_forms import approve

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

ADD_POINTS = ["add.before-transaction", "add.after-insert", "add.before-commit", "add.after-commit"]
CHANGE_POINTS = [
    "change.before-transaction",
    "change.after-update",
    "change.before-commit",
    "change.after-commit",
]
DELETE_POINTS = ["delete.before-transaction", "delete.after-delete", "delete.after-commit"]
CONNECT_POINTS = [
    "connect.after-claim",
    "connect.after-trail",
    "connect.after-keyring",
    "connect.after-store-update",
    "connect.before-commit",
    "connect.after-commit",
    "connect.after-forget-old",
]
RENEWAL_POINTS = [
    "connect.before-commit",
    "connect.after-commit",
    "connect.after-forget-old",
]
# Where the change is committed: after the kill it must be there, whole.
COMMITTED = {"add.after-commit", "change.after-commit", "delete.after-commit"} | {
    "connect.after-commit",
    "connect.after-forget-old",
}

NEW_NAME, NEW_EMAIL = "Renamed shop", "renamed@example.com"

# The registry every process of a case uses: None for the sandbox's own SQLite file, else a PostgreSQL URL
# (set by the `on_postgresql` fixture for the cases that also run there).
DB: str | None = None


# --- running the real program -----------------------------------------------------------------------


def _env(point: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    if point is not None:
        env[CRASH_ENV] = point
    return env


def db_args() -> tuple[str, ...]:
    return ("--sandbox", "--db", DB) if DB else ("--sandbox",)


def reopen() -> Registry:
    return open_registry(DB, sandbox=True)


def cli(*args: str, point: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "asc_tui", *db_args(), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(point),
        cwd=ROOT,
    )


def tui(action: str, name: str, point: str | None = None) -> subprocess.CompletedProcess[str]:
    """The dashboard in its own process (headless), doing one action on the store `name`."""
    code = (
        "import sys; from tests.hardening.test_crash_points import tui_main; sys.exit(tui_main(sys.argv[1:]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code, action, name],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(point),
        cwd=ROOT,
    )


def tui_main(argv: list[str]) -> int:
    action, name = argv
    print(json.dumps(asyncio.run(_drive_tui(action, name))))
    return 0


async def _drive_tui(action: str, name: str) -> list[str]:
    from textual.widgets import Button

    from asc_tui.settings.config import load_config
    from asc_tui.ui.app import AscApp
    from asc_tui.ui.screens.confirm import ConfirmModal
    from asc_tui.ui.screens.edit_store import EditStoreModal
    from tests.ui.helpers import press, shown, type_into, until_ready

    app = AscApp(load_config(), None, sandbox=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        assert shown(app)[0] == name, shown(app)  # the first card has the focus
        if action == "edit":
            await press(pilot, "e")
            assert isinstance(app.screen, EditStoreModal)
            type_into(app, "#name", NEW_NAME)
            type_into(app, "#email", NEW_EMAIL)
            await press(pilot, "ctrl+s")
            assert not isinstance(app.screen, EditStoreModal), "the form stayed open"
        elif action == "delete":
            await press(pilot, "d")
            assert isinstance(app.screen, ConfirmModal)
            app.screen.query_one("#confirm", Button).press()
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        return shown(app)


def assert_killed(process: subprocess.CompletedProcess[str] | subprocess.Popen[str], point: str) -> None:
    assert process.returncode == -signal.SIGKILL, (
        f"the process did not die at {point} (exit {process.returncode}): the point was never reached"
    )


# --- the next start ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """A store as the next start finds it."""

    name: str
    email: str
    status: str
    version: int
    seller_id: str | None
    token_ref: str | None
    actions: tuple[str, ...]


def database_file() -> Path:
    return paths.default_database_file(True)


def restart(*, listing: bool = True) -> dict[str, Seen]:
    """What a new start finds, after checking the file and the invariants no crash may break.

    With `listing`, a new `asc-tui stores list` process must list the stores first (right after a kill).
    """
    if DB is None:
        with contextlib.closing(sqlite3.connect(database_file())) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    listed_names: list[str] | None = None
    if listing:
        listed = cli("stores", "list", "--json")
        assert listed.returncode == 0, listed.stderr
        listed_names = sorted(record["name"] for record in json.loads(listed.stdout))

    registry = reopen()
    try:
        # What the dashboard's start (and every connect) does first: clear what dead attempts left.
        cleanup_stale(registry.database, registry.secrets, socket.gethostname())
        with registry.database.session() as session:
            assert session.exec(select(ConnectAttempt)).all() == [], "a dead attempt still holds a store"
            notes = session.exec(select(Preference.key)).all()
            assert [k for k in notes if k.startswith(ORPHAN_NOTE_PREFIX)] == []
        stores = registry.stores.list_stores()
        assert listed_names is None or sorted(s.name for s in stores) == listed_names
        seen: dict[str, Seen] = {}
        for store in stores:
            actions = tuple(a.action for a in reversed(registry.stores.activity(store.id or 0)))
            assert actions[:1] == ("created",), f"{store.name!r} has no creation record: {actions}"
            connected = store.status != StoreStatus.NOT_CONNECTED.value
            assert connected == (store.token_ref is not None) == (store.seller_id is not None), store
            if store.token_ref:
                assert registry.secrets.has(refresh_token_key(store.token_ref)), (
                    f"{store.name!r} lost its token"
                )
            seen[store.name] = Seen(
                store.name,
                store.email,
                store.status,
                store.version,
                store.seller_id,
                store.token_ref,
                actions,
            )
        used = {s.token_ref for s in stores if s.token_ref}
        assert keyring_refs(registry) == used, "a refresh token no store uses was left in the keyring"
        return seen
    finally:
        registry.close()


def keyring_refs(registry: Registry) -> set[str]:
    """The token references of every refresh token in the sandbox's keyring file."""
    path = Path(registry.secrets._usable_backend().file_path)  # type: ignore[attr-defined]
    if not path.exists():
        return set()
    # keyrings.alt escapes each key (refresh-token/REF becomes refresh_2dtoken_2fREF).
    return set(re.findall(r"^refresh_2dtoken_2f([0-9a-f]{32})\s*=", path.read_text(), re.MULTILINE))


def seed(*names: str, connect: tuple[str, ...] = ()) -> None:
    registry = reopen()
    try:
        for name in names:
            store = registry.stores.add(
                StoreDraft(name=name, email="ops@example.com", country="US", website="base")
            )
            if name in connect:
                connect_in_process(registry, store.id or 0)
    finally:
        registry.close()


def connect_in_process(registry: Registry, store_id: int) -> None:
    service = registry.connect
    attempt = service.start(store_id, listen=False)
    outcome = service.complete_from_paste(attempt, approve(attempt.consent_url, NA))
    assert outcome.connected, outcome.message


@pytest.fixture
def on_postgresql(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The case on a PostgreSQL database (tests/support/pg.py) instead of the sandbox's SQLite file."""
    monkeypatch.setattr(sys.modules[__name__], "DB", pg_url)
    return pg_url


# --- the points themselves --------------------------------------------------------------------------


def test_every_point_in_the_product_is_tried_here() -> None:
    """A point added to the product without a case here, or a case whose point was removed, fails."""
    placed: list[str] = []
    for source in (ROOT / "asc_tui").rglob("*.py"):
        if source.name == "faults.py":  # its docstring shows one as an example
            continue
        placed += re.findall(r"crash_point\(\"([^\"]+)\"\)", source.read_text(encoding="utf-8"))
    assert len(placed) == len(set(placed)), "a point name is used twice"
    assert sorted(placed) == sorted(ADD_POINTS + CHANGE_POINTS + DELETE_POINTS + CONNECT_POINTS)


def test_a_point_not_named_costs_nothing_and_changes_nothing(isolated_home: Path) -> None:
    added = cli(
        "stores", "add", "--name", "Calm", "--email", "a@example.com", "--country", "US", "--website", "base",
        point="no.such-point",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert list(restart()) == ["Calm"]


# --- add and import ---------------------------------------------------------------------------------


def add_in_process(*names: str) -> None:
    """The same stores added by a new process (no kill this time)."""
    registry = reopen()
    try:
        registry.stores.add_many(
            [StoreDraft(name=n, email="c@example.com", country="US", website="base") for n in names]
        )
    finally:
        registry.close()


@pytest.mark.parametrize("point", ADD_POINTS)
def test_kill_9_while_adding(isolated_home: Path, point: str) -> None:
    add_case(point)


@pytest.mark.postgres
@pytest.mark.parametrize("point", ["add.after-insert", "add.after-commit"])
def test_kill_9_while_adding_on_postgresql(isolated_home: Path, on_postgresql: str, point: str) -> None:
    add_case(point)


def add_case(point: str) -> None:
    seed("Before")
    add = (
        "stores",
        "add",
        "--name",
        "Crash",
        "--email",
        "c@example.com",
        "--country",
        "US",
        "--website",
        "base",
    )
    assert_killed(cli(*add, point=point), point)

    stores = restart()
    assert "Before" in stores  # confirmed before: never lost
    assert ("Crash" in stores) == (point in COMMITTED)
    if point in COMMITTED:
        with pytest.raises(StoreValidationError, match="already exists"):
            add_in_process("Crash")
    else:
        add_in_process("Crash")  # the name is free again: no half-added store holds it
    assert set(restart(listing=False)) == {"Before", "Crash"}


@pytest.mark.parametrize("point", ["add.after-insert", "add.before-commit", "add.after-commit"])
def test_kill_9_while_importing_keeps_all_or_none(isolated_home: Path, tmp_path: Path, point: str) -> None:
    seed("Before")
    names = [f"Imported {n}" for n in range(50)]
    source = tmp_path / "stores.csv"
    rows = "".join(f"{name},i{n}@example.com,US,base\n" for n, name in enumerate(names))
    source.write_text("name,email,country,website\n" + rows, encoding="utf-8")
    assert_killed(cli("stores", "import", str(source), point=point), point)

    stores = restart()
    imported = {name for name in stores if name.startswith("Imported")}
    assert len(imported) == (50 if point in COMMITTED else 0)
    if point not in COMMITTED:
        add_in_process(*names)
        assert len(restart(listing=False)) == 51


# --- edit and delete, in the dashboard --------------------------------------------------------------


@pytest.mark.parametrize("point", CHANGE_POINTS)
def test_kill_9_while_editing_in_the_dashboard(isolated_home: Path, point: str) -> None:
    seed("Shop", "Other")
    assert_killed(tui("edit", "Shop", point), point)

    stores = restart()
    assert set(stores) == ({NEW_NAME, "Other"} if point in COMMITTED else {"Shop", "Other"})
    store = stores[NEW_NAME] if point in COMMITTED else stores["Shop"]
    if point in COMMITTED:  # the whole change, with its activity row and a new version
        assert (store.email, store.version, store.actions) == (NEW_EMAIL, 2, ("created", "edited"))
    else:
        assert (store.email, store.version, store.actions) == ("ops@example.com", 1, ("created",))
    # The next change works: nothing is left locked or at a version nobody saw.
    registry = reopen()
    try:
        target = registry.stores.find(store.name)
        change = StoreEdit(name="After", email="after@example.com")
        assert registry.stores.edit(target.id or 0, change, target.version).version == store.version + 1
    finally:
        registry.close()


@pytest.mark.parametrize("point", DELETE_POINTS)
def test_kill_9_while_deleting_a_connected_store_in_the_dashboard(isolated_home: Path, point: str) -> None:
    seed("Doomed", "Other", connect=("Doomed",))
    before = restart(listing=False)
    assert before["Doomed"].token_ref is not None

    assert_killed(tui("delete", "Doomed", point), point)

    stores = restart()  # also: its refresh token is gone with it, or kept with it, never orphaned
    if point in COMMITTED:
        assert set(stores) == {"Other"}
    else:
        assert stores == before
        registry = reopen()  # and deleting it works this time
        try:
            registry.delete_store(registry.stores.find("Doomed").id or 0, before["Doomed"].version)
        finally:
            registry.close()
        assert set(restart(listing=False)) == {"Other"}


# --- connect ----------------------------------------------------------------------------------------


def connect_killed_at(point: str) -> None:
    """`asc-tui stores connect Shop`, the seller approving in Amazon, the address pasted: killed at `point`."""
    process = subprocess.Popen(
        [sys.executable, "-m", "asc_tui", *db_args(), "stores", "connect", "Shop"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(point),
        cwd=ROOT,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    answer = approve(url, NA) + "\n" if url else ""  # killed before the link when the claim is the point
    _out, err = process.communicate(answer, timeout=60)
    assert_killed(process, point)
    assert "Traceback" not in err


def test_the_dashboard_start_clears_what_a_killed_connect_left(isolated_home: Path) -> None:
    """The real dashboard, started after the kill, removes the dead attempt and the token it saved."""
    seed("Shop")
    connect_killed_at("connect.after-keyring")
    registry = reopen()
    try:
        with registry.database.session() as session:
            assert len(session.exec(select(ConnectAttempt)).all()) == 1  # what the kill left behind
        assert len(keyring_refs(registry)) == 1

        started = tui("start", "Shop")
        assert started.returncode == 0, started.stderr
        assert json.loads(started.stdout.splitlines()[-1]) == ["Shop"]

        with registry.database.session() as session:
            assert session.exec(select(ConnectAttempt)).all() == []
        assert keyring_refs(registry) == set()
    finally:
        registry.close()
    assert restart()["Shop"].status == StoreStatus.NOT_CONNECTED.value


@pytest.mark.parametrize(
    ("point", "renewal"),
    [(point, False) for point in CONNECT_POINTS]
    # A renewal where the old token matters: kept until the commit, removed once the store left it.
    + [(point, True) for point in RENEWAL_POINTS],
    ids=[f"{p}-first" for p in CONNECT_POINTS] + [f"{p}-renewal" for p in RENEWAL_POINTS],
)
def test_kill_9_while_connecting(isolated_home: Path, point: str, renewal: bool) -> None:
    connect_case(point, renewal)


@pytest.mark.postgres
@pytest.mark.parametrize("point", ["connect.before-commit", "connect.after-commit"])
def test_kill_9_while_connecting_on_postgresql(isolated_home: Path, on_postgresql: str, point: str) -> None:
    connect_case(point, renewal=False)


def connect_case(point: str, renewal: bool) -> None:
    seed("Shop", "Other", connect=("Shop",) if renewal else ())
    before = restart(listing=False)
    connect_killed_at(point)

    stores = restart()
    shop = stores["Shop"]
    assert stores["Other"] == before["Other"]
    if point in COMMITTED:
        assert shop.status == StoreStatus.ACTIVE.value and shop.seller_id == NA.selling_partner_id
        assert shop.token_ref != before["Shop"].token_ref and shop.version == before["Shop"].version + 1
        assert shop.actions[-1] == ("renewed" if renewal else "connected")
    else:
        assert shop == before["Shop"]  # as it was: the old connection and its token, or none
    # Connecting again works straight away: no attempt still holds the store.
    registry = reopen()
    try:
        connect_in_process(registry, registry.stores.find("Shop").id or 0)
    finally:
        registry.close()
