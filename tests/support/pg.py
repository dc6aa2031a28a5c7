"""A real PostgreSQL 15 server for the tests, started by the test run itself (a pytest plugin).

One server per test process (each pytest-xdist worker has its own), started on first use: `initdb` and
`pg_ctl` run as the `postgres` user when the tests run as root (CI does), in a temporary folder that user
can enter, on a free port with a private socket folder, trust authentication on 127.0.0.1 (plus one role
that needs a password, for the wrong-password test). Every test gets a fresh database, copied from a
migrated template (CREATE DATABASE … TEMPLATE takes a few milliseconds), dropped afterwards. The server
stops at the end of the session, and at exit if the run crashed.

Where no PostgreSQL binaries are found the PostgreSQL variants are skipped, except under CI (CI=true),
where that is a failure: CI must run them. `ASC_TUI_TEST_PG_BINDIR` names another bin folder.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import itertools
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.leak_scan import scan_before_removal
from tests.support.ports import free_port

PASSWORD_ROLE = "asc_with_password"
PASSWORD = "right-password"
TEMPLATE = "asc_tui_template"
# `asc` is an SQL keyword: database names here never are one.
_names = itertools.count(1)


def find_bindir() -> Path | None:
    candidates: list[str] = []
    if os.environ.get("ASC_TUI_TEST_PG_BINDIR"):
        candidates.append(os.environ["ASC_TUI_TEST_PG_BINDIR"])
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        candidates.append(
            subprocess.run(
                ["pg_config", "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
        )
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).resolve().parent))
    for folder in candidates:
        if folder and (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


def _enterable_by_everyone(folder: Path) -> bool:
    """Whether every folder from / down to this one lets other users through (o+x)."""
    try:
        return all(p.stat().st_mode & 0o001 for p in (folder, *folder.parents))
    except OSError:
        return False


def _base_folder() -> Path:
    """A folder the postgres user can enter (on this machine /tmp is root-only)."""
    for candidate in (os.environ.get("ASC_TUI_TEST_PG_TMP"), "/var/tmp", "/dev/shm", tempfile.gettempdir()):
        usable = candidate and Path(candidate).is_dir() and os.access(candidate, os.W_OK | os.X_OK)
        if usable and (os.geteuid() != 0 or _enterable_by_everyone(Path(candidate or ""))):
            return Path(candidate or "")
    raise RuntimeError("no temporary folder the postgres user can enter; set ASC_TUI_TEST_PG_TMP")


class PostgresServer:
    """A throw-away PostgreSQL cluster in a temporary folder."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.as_root = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="asc-tui-pg-", dir=_base_folder()))
        self.data = self.folder / "data"
        self.sockets = self.folder / "sockets"
        self.log = self.folder / "server.log"
        self.port = 0
        self._template_ready = False
        if self.as_root:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError(
                    "running as root, but there is no postgres user to run the server"
                ) from None
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self.folder.chmod(0o700)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C", "--no-sync", "--no-instructions")  # fmt: skip
        self._run_as_owner(["mkdir", "-m", "700", str(self.sockets)])
        # One role has to give a password; everyone else on 127.0.0.1 is trusted.
        hba = (
            "local all all trust\n"
            f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n"
            "host all all 127.0.0.1/32 trust\n"
        )
        self._run_as_owner(["sh", "-c", f"cat > {self.data / 'pg_hba.conf'}"], stdin=hba)

    # --- processes ----------------------------------------------------------------------------------

    def _command(self, argv: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *argv] if self.as_root else argv

    def _run_as_owner(self, argv: list[str], stdin: str | None = None) -> str:
        done = subprocess.run(
            self._command(argv),
            input=stdin,
            capture_output=True,
            text=True,
            cwd=self.folder,
            timeout=120,
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(argv)} failed ({done.returncode}): {done.stderr or done.stdout}{log}"
            )
        return done.stdout

    def _run(self, program: str, *args: str) -> str:
        return self._run_as_owner([str(self.bindir / program), *args])

    def start(self) -> None:
        """Start (or start again, on the same port: clients' URLs stay valid)."""
        attempts = 1 if self.port else 5
        for attempt in range(attempts):
            port = self.port or free_port()
            options = (
                f"-p {port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300 "
                "-c shared_buffers=32MB"
            )
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                          "-o", options, "start")  # fmt: skip
            except RuntimeError:
                if attempt + 1 == attempts:
                    raise
                continue  # the port was taken between choosing and binding it
            self.port = port
            return

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("fast")  # a checkpoint: what the tests wrote is in the data files, searched below
        with contextlib.suppress(Exception):
            self.stop("immediate")
        # The folder lies outside pytest's basetemp: the end-of-run secret scan would never see it.
        scan_before_removal(self.folder, "PostgreSQL server folder")
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- databases ----------------------------------------------------------------------------------

    def url(self, database: str = "postgres", user: str = "postgres", password: str | None = None) -> str:
        auth = f"{user}:{password}" if password is not None else user
        return f"postgresql+psycopg://{auth}@127.0.0.1:{self.port}/{database}"

    def admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            for statement in statements:
                conn.execute(statement)  # type: ignore[arg-type]

    def _prepare_template(self) -> None:
        if self._template_ready:
            return
        from asc_tui.storage.database import open_database

        self.admin(
            f"CREATE ROLE {PASSWORD_ROLE} LOGIN SUPERUSER PASSWORD '{PASSWORD}'",
            f"CREATE DATABASE {TEMPLATE}",
        )
        open_database(self.url(TEMPLATE)).close()  # migrated once; every test copies it
        self._template_ready = True

    def new_database(self, *, migrated: bool = True) -> str:
        """A fresh database (at the current schema, or empty) and its URL."""
        self._prepare_template()
        name = f"asc_test_{os.getpid()}_{next(_names)}"
        template = TEMPLATE if migrated else "template0"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with contextlib.suppress(Exception):
            self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


_server: PostgresServer | None = None


def _shutdown() -> None:
    global _server
    if _server is not None:
        _server.destroy()
        _server = None


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """This test process's PostgreSQL server (started on first use, stopped at the end)."""
    global _server
    if _server is None:
        bindir = find_bindir()
        if bindir is None:
            message = (
                "PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql-15 "
                "(scripts/system-deps.sh) or set ASC_TUI_TEST_PG_BINDIR"
            )
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        _server = PostgresServer(bindir)
        atexit.register(_shutdown)
        _server.start()
    yield _server
    _shutdown()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test, dropped afterwards."""
    if not pg_server.running:
        pg_server.start()  # a test that stopped it and failed before starting it again
    url = pg_server.new_database()
    yield url
    if not pg_server.running:
        pg_server.start()
    pg_server.drop_database(url)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test on SQLite (the default file) and on PostgreSQL (ASC_TUI_DATABASE names it).

    Everything the test opens without naming a database (open_registry(), open_database(), the CLI in a
    subprocess, the sandbox) then uses this backend.
    """
    name: str = request.param
    if name == "postgresql":
        monkeypatch.setenv("ASC_TUI_DATABASE", request.getfixturevalue("pg_url"))
    return name


_POSTGRES_VARIANT = re.compile(r"[\[-]postgresql[\]-]")


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """`--dist loadfile`, with a file's PostgreSQL variants as a unit of their own.

    Tests stay grouped by file as before, but the SQLite and PostgreSQL halves of a big file (the connect
    service tests) can run on different workers at the same time instead of one after the other.
    """
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class ByFileAndBackend(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return f"{scope}::postgresql" if _POSTGRES_VARIANT.search(nodeid) else scope

    return ByFileAndBackend(config, log)  # type: ignore[arg-type]
