"""Secrets never travel over plain HTTP: a config that sends them off this computer without TLS is refused.

The LWA client secret and the authorization code go to amazon.lwa_token_url, the access token to every
amazon.endpoints host, the state to amazon.seller_central. Each case runs the real `asc-tui stores connect`
with a recording HTTP proxy in HTTP_PROXY (loopback exempt, so the sandbox emulator plays Amazon): had the
app accepted the plain-http address, the proxy would have received the secret in clear text. Instead the
command stops at the config, in one sentence naming the file, the line and the key; doctor says the same.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from asc_tui.sandbox import SANDBOX_CLIENT_SECRET, SandboxEmulator
from tests.hardening.test_config_errors import Case, assert_one_sentence
from tests.support.cli import run_asc_tui
from tests.support.connect import NA, start_connect
from tests.support.consent_forms import approve

SECRET = SANDBOX_CLIENT_SECRET  # the emulator's: it plays LWA where the case does not replace it
TIMEOUT = 60


class Recorder(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Record)
        self.seen: list[bytes] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Record(BaseHTTPRequestHandler):
    server: Recorder

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 1 << 20)) if length else b""
        self.server.seen.append(self.requestline.encode() + b"\n" + bytes(self.headers) + body)
        self.send_response(502)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _record

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[Recorder]:
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


CONFIG = """[amazon]
application_id = "amzn1.sp.solution.sandbox-0000-0000-0000-000000000000"
client_id = "amzn1.application-oa2-client.sandbox"
redirect_uri = "http://127.0.0.1:{port}/amazon/callback"
callback_listen = "127.0.0.1:{port}"
lwa_token_url = "{lwa}"

[amazon.seller_central]
US = "{seller_central}"

[amazon.endpoints]
NA = "{endpoint}"
"""


@dataclass(frozen=True)
class Transport:
    key: str  # the setting given a plain-http address off this computer
    address: str
    line: int


TRANSPORTS = {
    # client_secret and the authorization code (and, on renewal, the refresh token) in a form body
    "lwa_token_url": Transport("lwa_token_url", "http://lwa.attacker.example/auth/o2/token", 6),
    # x-amz-access-token on every SP-API call
    "sp_api_endpoint": Transport("endpoints.NA", "http://sellingpartnerapi.attacker.example", 12),
    # the consent link, with the state, and the Login URI's bounce target
    "seller_central": Transport("seller_central.US", "http://sellercentral.attacker.example", 9),
}


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _write_config(path: Path, emulator: SandboxEmulator, case: Transport | None) -> None:
    values = {
        "lwa": emulator.lwa_token_url,
        "seller_central": emulator.seller_central_url("US"),
        "endpoint": emulator.sp_api_endpoint("NA"),
    }
    if case is not None:
        key = {"lwa_token_url": "lwa", "endpoints.NA": "endpoint", "seller_central.US": "seller_central"}
        values[key[case.key]] = case.address
    path.write_text(CONFIG.format(port=_free_port(), **values), encoding="utf-8")


def _env(home: Path, proxy: Recorder) -> dict[str, str]:
    return {
        **os.environ,
        "ASC_TUI_HOME": str(home),
        "ASC_TUI_LWA_CLIENT_SECRET": SECRET,
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
        "XDG_DATA_HOME": str(home / "xdg"),
        "HTTP_PROXY": proxy.url,
        "http_proxy": proxy.url,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }


@pytest.mark.parametrize("name", sorted(TRANSPORTS))
def test_connect_refuses_to_send_secrets_over_plain_http(
    tmp_path: Path, isolated_home: Path, proxy: Recorder, name: str
) -> None:
    case = TRANSPORTS[name]
    config = tmp_path / "config.toml"
    env = _env(isolated_home, proxy)
    with SandboxEmulator() as emulator:
        _write_config(config, emulator, None)  # Amazon's hosts (played by the emulator) to add the store
        added = run_asc_tui("--config", str(config), "stores", "add", "--name", "Shop", "--email", "a@b.co",
                            "--country", "US", "--website", "base", env=env)  # fmt: skip
        assert added.returncode == 0, added
        _write_config(config, emulator, case)
        sentence = Case("", (f"amazon.{case.key.lower()} must start with https://", "loopback"), case.line)

        process, link = start_connect("Shop", options=("--config", str(config)), link_expected=False, env=env)
        paste = approve(link, NA) + "\n" if link.startswith(emulator.seller_central_url("US")) else ""
        _out, err = process.communicate(paste, timeout=TIMEOUT)
        assert proxy.seen == []  # nothing left this computer in clear text
        assert process.returncode == 2, (link, err)
        assert link == ""  # no consent link was printed
        assert_one_sentence(err, config, sentence)

        online = run_asc_tui("--config", str(config), "check-auth", "--online", env=env)
        assert online.returncode == 2, online
        listed = run_asc_tui("--config", str(config), "stores", "list", env=env)
        assert listed.returncode == 2 and "Shop" not in listed.stdout, listed
        doctor = run_asc_tui("--config", str(config), "doctor", env=env)
        assert doctor.returncode == 1, doctor
        assert_one_sentence(doctor.stderr, config, sentence)
    assert proxy.seen == []


def test_plain_http_on_loopback_and_https_anywhere_are_accepted(tmp_path: Path, isolated_home: Path) -> None:
    """The sandbox and the tests talk plain http to 127.0.0.1; https to any host loads (doctor warns)."""
    from asc_tui.settings.config import load_config

    config = tmp_path / "config.toml"
    for lwa in ("http://127.0.0.1:9/auth/o2/token", "http://localhost:9/x", "http://[::1]:9/x",
                "https://api.amazon.com/auth/o2/token", "https://lwa.example.net/auth/o2/token"):  # fmt: skip
        config.write_text(f'[amazon]\nlwa_token_url = "{lwa}"\n', encoding="utf-8")
        assert load_config(str(config)).amazon.lwa_token_url == lwa


def test_doctor_warns_when_secrets_go_to_a_host_that_is_not_amazons(
    tmp_path: Path, isolated_home: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[amazon]\nlwa_token_url = "https://api.amazon.com/auth/o2/token"\n\n[amazon.endpoints]\n'
        'EU = "https://sp-api.proxy.example"\n',
        encoding="utf-8",
    )
    doctor = run_asc_tui("--config", str(config), "doctor")
    assert doctor.returncode == 1
    warned = [line for line in doctor.stderr.splitlines() if "amazon.endpoints.EU" in line]
    assert len(warned) == 1, doctor.stderr
    assert "sp-api.proxy.example" in warned[0] and "not one of Amazon's hosts" in warned[0]
    assert f"{config} (line 5)" in warned[0]
    assert "amazon.lwa_token_url" not in doctor.stderr  # Amazon's own host: no warning


# --- a callback worker that other computers can reach ---------------------------------------------------

EXPOSED = (
    '[amazon]\nredirect_uri = "https://admin.example.com/amazon/callback"\ncallback_listen = "{listen}"\n'
)


@pytest.mark.parametrize("listen", ["0.0.0.0:8976", "[::]:8976", "192.0.2.10:8976", "admin.example.com:8976"])
def test_a_callback_worker_open_to_other_computers_needs_tls_or_a_proxy(
    tmp_path: Path, isolated_home: Path, listen: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(EXPOSED.format(listen=listen), encoding="utf-8")
    sentence = Case("", ("amazon.callback_listen", "plain http", "callback_behind_tls_proxy = true"), 3)
    for command in (("stores", "list"), ("relay-page",), ("stores", "connect", "Shop")):
        refused = run_asc_tui("--config", str(config), *command)
        assert refused.returncode == 2, (command, refused)
        assert refused.stdout == ""  # no relay page, no consent link
        assert_one_sentence(refused.stderr, config, sentence)


def test_the_admin_says_a_tls_proxy_is_in_front(tmp_path: Path, isolated_home: Path) -> None:
    """callback_behind_tls_proxy = true lets it load; doctor says so; the relay page (which sends the browser
    straight to the worker, past the proxy) still refuses plain http to another computer."""
    config = tmp_path / "config.toml"
    config.write_text(
        EXPOSED.format(listen="0.0.0.0:0") + "callback_behind_tls_proxy = true\n", encoding="utf-8"
    )
    doctor = run_asc_tui("--config", str(config), "doctor", "--json")
    rows = {row["check"]: row for row in json.loads(doctor.stdout)}
    callback = rows["Callback address"]
    assert callback["ok"] and "only your TLS proxy reaches it" in callback["detail"], callback

    config.write_text(
        EXPOSED.format(listen="192.0.2.10:8976") + "callback_behind_tls_proxy = true\n", encoding="utf-8"
    )
    relay = run_asc_tui("--config", str(config), "relay-page")
    assert relay.returncode == 2 and relay.stdout == "", relay
    assert "to 192.0.2.10 over plain http" in relay.stderr and "Traceback" not in relay.stderr
    # With a certificate the relay forwards over https.
    config.write_text(
        EXPOSED.format(listen="192.0.2.10:8976")
        + 'callback_tls_cert = "/etc/ssl/cert.pem"\ncallback_tls_key = "/etc/ssl/key.pem"\n',
        encoding="utf-8",
    )
    relay = run_asc_tui("--config", str(config), "relay-page")
    assert relay.returncode == 0, relay.stderr
    assert '"https://192.0.2.10:8976/amazon/callback"' in relay.stdout


def test_the_worker_itself_refuses_to_serve_other_computers_in_plain_http() -> None:
    """Below the config: a listener bound to every address without TLS or the proxy setting never serves."""
    import socket

    from asc_tui.amazon.callback import CallbackListener
    from asc_tui.amazon.callback_address import CallbackBindError

    listener = CallbackListener("/amazon/callback", redirect_uri="https://admin.example.com/amazon/callback")
    with pytest.raises(CallbackBindError, match="plain http"):
        listener.bind("0.0.0.0:0")
    assert listener.bound_address is None
    # The port was not kept: a real client finds nothing listening there.
    proxied = CallbackListener(
        "/amazon/callback", redirect_uri="https://admin.example.com/amazon/callback", behind_tls_proxy=True
    )
    proxied.bind("0.0.0.0:0")
    try:
        port = int((proxied.bound_address or "").rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass  # the proxied one listens
    finally:
        proxied.close()


async def test_the_settings_screen_warns_when_secrets_go_to_a_host_that_is_not_amazons(
    tmp_path: Path, isolated_home: Path
) -> None:
    from asc_tui.settings.config import load_config
    from asc_tui.ui.app import AscApp
    from asc_tui.ui.screens.settings import SettingsScreen
    from tests.ui.helpers import until_ready, wait_until

    config = tmp_path / "config.toml"

    async def settings_warning(token_url: str) -> str | None:
        """The Settings screen's hosts warning for a config with this token URL, or None when it has none."""
        config.write_text(f'[amazon]\nlwa_token_url = "{token_url}"\n', encoding="utf-8")
        app = AscApp(load_config(str(config)), None)
        async with app.run_test(size=(120, 40)) as pilot:
            await until_ready(pilot)
            await pilot.press("s")
            await wait_until(pilot, lambda: isinstance(app.screen, SettingsScreen), "Settings opened")
            await pilot.pause()
            found = app.screen.query("#hosts-warning")
            return str(found.first().render()) if found else None

    warning = await settings_warning("https://lwa.proxy.example/auth/o2/token")
    assert warning is not None
    assert "amazon.lwa_token_url" in warning and "lwa.proxy.example" in warning
    assert "not Amazon's hosts" in warning
    # Amazon's own hosts: no warning at all.
    assert await settings_warning("https://api.amazon.com/auth/o2/token") is None


def test_the_readme_keeps_the_database_password_off_command_lines() -> None:
    """A password in a --db or ASC_TUI_DATABASE URL on a command line is visible to every user in `ps`."""
    import re

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert "postgresql" in readme and "~/.pgpass" in readme
    assert not re.findall(r"postgresql(?:\+psycopg)?://[^\s/@:'\"]+:[^\s@'\"]+@", readme)


def test_a_password_in_the_db_address_on_the_command_line_is_warned_about(isolated_home: Path) -> None:
    with_password = run_asc_tui(
        "--db", "postgresql+psycopg://asc_admin:hunter2-pw@127.0.0.1:1/x", "stores", "list"
    )
    warnings = [line for line in with_password.stderr.splitlines() if "--db address holds a password" in line]
    assert len(warnings) == 1 and "~/.pgpass" in warnings[0], with_password.stderr
    assert "hunter2-pw" not in with_password.stderr + with_password.stdout
    without = run_asc_tui(
        "--db", "postgresql+psycopg://asc_admin@127.0.0.1:1/x", "stores", "list", env={**os.environ}
    )
    assert "holds a password" not in without.stderr
