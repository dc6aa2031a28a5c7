"""The suite-wide secret scan (tests/support/leak_scan.py) and the log file's redaction: both must be able to fail.

The scan itself runs when the whole test session ends; here it is shown to find planted secrets (in every
form it looks for), to fail a pytest run (plain and under pytest-xdist) without printing a secret, and
the emulator's ledger to record every code and token it issues.
"""

from __future__ import annotations

import base64
import logging
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from asc_tui.amazon.consent import consent_url
from asc_tui.amazon.lwa import LwaClient
from asc_tui.sandbox import (
    LEDGER_ENV,
    SANDBOX_APPLICATION_ID,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SandboxEmulator,
)
from asc_tui.system.logs import REDACTED
from tests.support.connect import NA
from tests.support.consent_forms import approve
from tests.support.leak_scan import (
    EARLY_NAME,
    LEDGER_NAME,
    Leak,
    read_early,
    read_ledgers,
    report,
    scan,
    scan_before_removal,
)

REPO = Path(__file__).resolve().parents[2]
REDIRECT = "http://127.0.0.1:9/amazon/callback"


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ledger of this test's own (the session's ledger must not learn the secrets planted here)."""
    path = tmp_path / "own-ledger.tsv"
    monkeypatch.setenv(LEDGER_ENV, str(path))
    return path


@pytest.fixture
def issued(ledger: Path) -> dict[str, str]:
    """A code, a refresh token and an access token, issued by a real emulator: secret → kind."""
    with SandboxEmulator(redirect_uris=(REDIRECT,)) as emulator:
        consent = consent_url(
            emulator.seller_central_url("US"),
            SANDBOX_APPLICATION_ID,
            "S",
            draft_app=True,
            redirect_uri=REDIRECT,
        )
        location = approve(consent, NA)
        code = httpx.URL(location).params["spapi_oauth_code"]
        with LwaClient(emulator.lwa_token_url, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET) as lwa:
            tokens = lwa.exchange_code(code, REDIRECT)
            fresh = lwa.access_token(tokens.refresh_token)
        assert set(emulator.issued_secrets) >= {code, tokens.refresh_token, tokens.access_token, fresh}
    return read_ledgers([ledger])


class TestLedger:
    def test_the_emulator_records_every_secret_it_issues_with_its_kind(
        self, issued: dict[str, str], ledger: Path
    ) -> None:
        kinds = sorted(issued.values())
        assert kinds.count("authorization code") == 1
        assert kinds.count("refresh token") == 1
        assert kinds.count("access token") >= 1
        for secret, kind in issued.items():
            assert secret.startswith({"refresh token": "Atzr|", "access token": "Atza|"}.get(kind, ""))
        assert ledger.stat().st_mode & 0o077 == 0  # secrets: readable by this user only

    def test_nothing_is_written_without_the_variable(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv(LEDGER_ENV, raising=False)
        with SandboxEmulator() as emulator:
            emulator.authorize_directly(NA)
        assert [p.name for p in tmp_path.rglob("*")] == []

    def test_the_session_names_a_ledger_in_its_basetemp(
        self, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        # Set for the whole run (this test's own fixture is not in use here).
        import os

        ledger = Path(os.environ[LEDGER_ENV])
        assert ledger.name == LEDGER_NAME and ledger.parent == tmp_path_factory.getbasetemp()
        assert ledger.exists()


class TestScanner:
    def test_planted_secrets_are_found_in_every_form_and_never_printed(
        self, issued: dict[str, str], tmp_path: Path
    ) -> None:
        by_kind = {kind: secret for secret, kind in issued.items()}
        code, refresh, access = (
            by_kind["authorization code"],
            by_kind["refresh token"],
            by_kind["access token"],
        )
        root = tmp_path / "run"
        data = root / "popen-gw0" / "test_x0" / "home" / "data"
        data.mkdir(parents=True)
        # A database row, as SQLite stores it.
        with sqlite3.connect(data / "stores.sqlite3") as db:
            db.execute("CREATE TABLE t (v TEXT)")
            db.execute("INSERT INTO t VALUES (?)", (f"note {refresh}",))
        # A log line with a percent-encoded address; an export with a base64 blob; a screen capture where
        # the token wraps onto the next line; a crash log with the code.
        (data / "asc-tui.log").write_text(f"GET /cb?spapi_oauth_code={code}&x=1\n")
        blob = base64.b64encode(b"prefix:" + access.encode() + b":suffix").decode()
        (root / "export.csv").write_text(f"name,blob\nShop,{blob}\n")
        (root / "screen.svg").write_text(
            f'<text x="0">{access[:40]}</text>\n<text x="0">{access[40:]}</text>', encoding="utf-8"
        )
        (data / "crash.log").write_text(f"RuntimeError: bad {code.encode().hex()} {code}")
        # Where secrets belong: not reported.
        (data / "sandbox-secrets.cfg").write_text(refresh)
        (data / "sandbox-grants.json").write_text(refresh)
        (root / LEDGER_NAME).write_text(f"refresh token\t{refresh}\n")
        clean = root / "clean.log"
        clean.write_text(f"Atzr|{refresh[5:20]}… shortened on purpose; Atza|[redacted]\n")

        leaks = scan(root, issued)
        found = {(leak.path, leak.kind, leak.form) for leak in leaks}
        assert found == {
            ("popen-gw0/test_x0/home/data/stores.sqlite3", "refresh token", "as issued"),
            ("popen-gw0/test_x0/home/data/asc-tui.log", "authorization code", "as issued"),
            ("popen-gw0/test_x0/home/data/crash.log", "authorization code", "as issued"),
            ("export.csv", "access token", "base64"),
            ("screen.svg", "access token", "as issued"),
        }
        lines = "\n".join(report(leaks))
        for secret in issued:
            assert secret not in lines and secret[5:25] not in lines

    def test_a_clean_tree_and_an_empty_ledger_find_nothing(
        self, issued: dict[str, str], tmp_path: Path
    ) -> None:
        root = tmp_path / "run"
        root.mkdir()
        (root / "asc-tui.log").write_text("all fine: state=S1 selling_partner_id=A1SANDBOXNA001\n")
        assert scan(root, issued) == []
        (root / "asc-tui.log").write_text(next(iter(issued)))
        assert scan(root, {}) == []
        assert scan(root, issued) == [Leak("asc-tui.log", next(iter(issued.values())), "as issued")]

    def test_a_folder_searched_before_its_removal_keeps_what_it_found(
        self, issued: dict[str, str], ledger: Path, tmp_path: Path
    ) -> None:
        by_kind = {kind: secret for secret, kind in issued.items()}
        outside = tmp_path / "pg-data"  # stands for the PostgreSQL folder or the small-disk tmpfs
        (outside / "base").mkdir(parents=True)
        (outside / "base" / "16384").write_bytes(b"\0\0" + by_kind["refresh token"].encode() + b"\0")
        (outside / "server.log").write_text("LOG:  checkpoint complete\n")
        found = scan_before_removal(outside, "PostgreSQL server folder")
        expected = [Leak("PostgreSQL server folder: base/16384", "refresh token", "as issued")]
        assert found == expected
        kept = ledger.parent / EARLY_NAME
        assert read_early([kept]) == expected
        assert by_kind["refresh token"] not in kept.read_text() and "IwEB" not in kept.read_text()

    def test_a_clean_folder_searched_before_its_removal_keeps_nothing(
        self, issued: dict[str, str], ledger: Path, tmp_path: Path
    ) -> None:
        outside = tmp_path / "disk"
        outside.mkdir()
        (outside / "asc-tui.log").write_text("all fine\n")
        assert scan_before_removal(outside, "small-disk tmpfs") == []
        assert not (ledger.parent / EARLY_NAME).exists()


# --- the plugin, in a pytest run of its own -----------------------------------------------------------

PLANTING_TEST = """
from pathlib import Path

from asc_tui.sandbox import DEMO_SELLERS, SandboxEmulator


def test_{name}(tmp_path: Path) -> None:
    with SandboxEmulator() as emulator:
        token = emulator.authorize_directly(DEMO_SELLERS[0])
    if {plant}:
        (tmp_path / "asc-tui.log").write_text(f"refreshing with {{token}}\\n")
"""


REMOVED_FOLDER_TEST = """
import shutil
import tempfile
from pathlib import Path

from asc_tui.sandbox import DEMO_SELLERS, SandboxEmulator
from tests.support.leak_scan import scan_before_removal


def test_{name}() -> None:
    with SandboxEmulator() as emulator:
        token = emulator.authorize_directly(DEMO_SELLERS[0])
    folder = Path(tempfile.mkdtemp(prefix="asc-tui-leak-test-"))  # outside the basetemp
    try:
        (folder / "server.log").write_text(f"refreshing with {{token}}\\n")
        scan_before_removal(folder, "a removed folder")
    finally:
        shutil.rmtree(folder)
"""


def run_pytest(
    tmp_path: Path, *, plant: bool, workers: int, source: str = PLANTING_TEST
) -> tuple[int, str, list[str]]:
    """A pytest run with only the scan plugin; its exit code, its output and the tokens it issued."""
    tests = tmp_path / "inner"
    tests.mkdir()
    for name in ("first", "second"):
        (tests / f"test_{name}.py").write_text(source.format(name=name, plant=plant))
    basetemp = tmp_path / "basetemp"
    args = [sys.executable, "-m", "pytest", "-p", "tests.support.leak_scan", "-p", "no:cacheprovider", "-q"]
    args += [f"--basetemp={basetemp}", f"--rootdir={tests}", "-c", "/dev/null", str(tests)]
    if workers:
        args += ["-n", str(workers), "-p", "xdist"]
    done = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=120)
    ledgers = [basetemp / LEDGER_NAME, *basetemp.glob(f"popen-gw*/{LEDGER_NAME}")]
    return done.returncode, done.stdout + done.stderr, list(read_ledgers(ledgers))


class TestPlugin:
    @pytest.mark.parametrize("workers", [0, 2], ids=["plain", "xdist"])
    def test_a_planted_token_fails_the_run_naming_file_and_kind_only(
        self, tmp_path: Path, workers: int
    ) -> None:
        code, output, tokens = run_pytest(tmp_path, plant=True, workers=workers)
        assert len(tokens) == 2, output
        assert code == 1, output
        assert "2 passed" in output and "secret leak scan FAILED" in output
        prefix = "popen-gw*/" if workers else ""
        for name in ("first", "second"):
            pattern = f"{prefix}test_{name}0/asc-tui.log: refresh token (as issued)"
            assert any(
                Path(line.strip().split(":")[0]).match(pattern.split(":")[0]) for line in output.splitlines()
            )
        assert output.count(": refresh token (as issued)") == 2
        for token in tokens:
            assert token not in output and token[5:25] not in output

    @pytest.mark.parametrize("workers", [0, 2], ids=["plain", "xdist"])
    def test_a_token_in_a_folder_removed_before_the_end_fails_the_run(
        self, tmp_path: Path, workers: int
    ) -> None:
        code, output, tokens = run_pytest(tmp_path, plant=True, workers=workers, source=REMOVED_FOLDER_TEST)
        assert len(tokens) == 2, output
        assert code == 1, output
        assert "2 passed" in output and "secret leak scan FAILED" in output
        assert (
            output.count("a removed folder: server.log: refresh token (as issued)") == 1
        )  # one line per find
        for token in tokens:
            assert token not in output and token[5:25] not in output

    def test_a_clean_run_passes(self, tmp_path: Path) -> None:
        code, output, tokens = run_pytest(tmp_path, plant=False, workers=0)
        assert len(tokens) == 2, output
        assert code == 0, output
        assert "secret leak scan" not in output


# --- the log file -------------------------------------------------------------------------------------


class TestLogRedaction:
    def test_codes_tokens_secrets_and_authorization_headers_never_reach_the_log(self, log_file: Path) -> None:
        code, refresh, access = "ANDGXVFKtDjNovRYtMpT", "Atzr|IwEBIHvWx-refresh_1", "Atza|IwEBIPq-access_2"
        logger = logging.getLogger("asc_tui.amazon.callback")
        logger.warning(
            "Callback GET http://127.0.0.1:8976/amazon/callback?state=S1&selling_partner_id=A1SELLER"
            "&spapi_oauth_code=%s",
            code,
        )
        logging.getLogger("httpx").warning(
            "POST body grant_type=refresh_token&refresh_token=%s&client_id=amzn1&client_secret=%s",
            refresh.replace("|", "%7C"),
            "shh-client-secret",
        )
        logging.getLogger("uvicorn.error").error(
            "headers %r json %s",
            {"Authorization": f"Bearer {access}", "x-amz-access-token": access, "Host": "sellingpartnerapi"},
            f'{{"access_token": "{access}", "refresh_token": "{refresh}", "token_type": "bearer"}}',
        )
        try:
            raise RuntimeError(f"token exchange failed for code={code} with {refresh}")
        except RuntimeError:
            logger.exception("The connect attempt failed", stack_info=True)
        logger.warning("Amazon answered HTTP status code 400 (error_code=InvalidInput) for A1SELLER")

        logged = log_file.read_text(encoding="utf-8")
        for secret in (code, refresh, access, refresh[5:], access[5:], "shh-client-secret"):
            assert secret not in logged, secret
        # 9: the source line quoted in the traceback, f"…code={code}…", is code, not a code (it was counted).
        assert logged.count(REDACTED) >= 9
        assert "state=S1&selling_partner_id=A1SELLER&spapi_oauth_code=[redacted]" in logged
        assert "RuntimeError: token exchange failed for code=[redacted] with Atzr|[redacted]" in logged
        assert "'Authorization': 'Bearer [redacted]'" in logged
        assert "client_id=amzn1&client_secret=[redacted]" in logged
        # What is not secret stays readable.
        assert "HTTP status code 400 (error_code=InvalidInput) for A1SELLER" in logged
        assert "Traceback (most recent call last)" in logged and "Stack (most recent call last)" in logged

    def test_every_authorization_scheme_loses_its_whole_value(self, log_file: Path) -> None:
        """OAuth 1 puts several name="value" pairs in the header: all of them go, in any scheme."""
        oauth = 'OAuth oauth_consumer_key="ck123", oauth_token="tok456", oauth_signature="sig789%3D"'
        logger = logging.getLogger("asc_tui.commerce.magento")
        logger.warning("Authorization: %s", oauth)
        logger.warning("headers %r", {"Authorization": oauth, "Host": "shop.example.com"})
        logger.warning("Proxy-Authorization: Negotiate neg123 more-of-it")
        logger.warning("authorization: token-without-scheme trailing-part")
        logged = log_file.read_text(encoding="utf-8")
        for secret in (
            "ck123",
            "tok456",
            "sig789",
            "neg123",
            "more-of-it",
            "token-without-scheme",
            "trailing",
        ):
            assert secret not in logged, secret
        assert "Authorization: OAuth [redacted]\n" in logged
        assert "{'Authorization': 'OAuth [redacted]', 'Host': 'shop.example.com'}" in logged
        assert "Proxy-Authorization: Negotiate [redacted]\n" in logged
        assert "authorization: [redacted]\n" in logged

    def test_a_code_nested_percent_encoded_in_another_url_is_redacted(self, log_file: Path) -> None:
        logger = logging.getLogger("asc_tui.amazon.callback")
        logger.warning("Relay to https://admin.example.com/relay?to=cb%3Fspapi_oauth_code%3DSECRET1%26x%3D1")
        logger.warning("lower case: cb%3fstate%3DS%26spapi_oauth_code%3dSECRET2%26x")
        logger.warning("encoded twice: cb%253Fspapi_oauth_code%253DSECRET3%2526x")
        logger.warning("as a parameter: cb%3Fcode%3DSECRET4%26x")
        logged = log_file.read_text(encoding="utf-8")
        for secret in ("SECRET1", "SECRET2", "SECRET3", "SECRET4"):
            assert secret not in logged, secret
        assert "cb%3Fspapi_oauth_code%3D[redacted]%26x%3D1" in logged  # what follows stays readable
        assert "cb%253Fspapi_oauth_code%253D[redacted]%2526x" in logged

    @pytest.mark.parametrize(
        "name", ["consumer_secret", "access_token_secret", "oauth_token", "oauth_signature", "bearer_token"]
    )
    def test_magentos_oauth_names_are_secret_too(self, log_file: Path, name: str) -> None:
        logger = logging.getLogger("asc_tui.commerce.magento")
        logger.warning("form %s=S3CRET-1&next=1, json %s", name, f'{{"{name}": "S3CRET-2"}}')
        logger.warning('header part %s="S3CRET-3"', name)
        logged = log_file.read_text(encoding="utf-8")
        assert "S3CRET" not in logged, logged
        assert f"form {name}=[redacted]&next=1" in logged and f'"{name}": "[redacted]"' in logged

    def test_code_in_prose_is_not_a_parameter(self, log_file: Path) -> None:
        """`code=` is redacted as a query or form parameter (and in JSON); in a sentence only a value that
        looks like an authorization code (Amazon's are 20 characters) is."""
        logger = logging.getLogger("asc_tui")
        logger.warning("The helper ended with exit code=2, country code=US, HTTP code=400.")
        logger.warning("GET /cb?code=SHORT1&state=S and form code=SHORT2 and body &code=SHORT3")
        logger.warning("code=SHORT4")
        logger.warning("json %s", '{"code": "SHORT5"}')
        logged = log_file.read_text(encoding="utf-8")
        assert "exit code=2, country code=US, HTTP code=400." in logged
        for secret in ("SHORT1", "SHORT3", "SHORT4", "SHORT5"):
            assert secret not in logged, secret
        assert "?code=[redacted]&state=S" in logged
        assert "form code=SHORT2" in logged  # prose: too short for an authorization code
