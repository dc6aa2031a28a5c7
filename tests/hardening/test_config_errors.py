"""A broken config file, through the real entry point: one sentence naming the file, the line and the fix.

Every case runs `asc-tui --config F stores list` in a real process (exit 2, one `asc-tui: …` line on stderr,
no traceback); a case of each kind also runs `doctor` (exit 1, the same sentence) and the dashboard (which
must refuse before it opens). Unreadable files are made the ways root cannot read through: a folder, a
dangling link, a named pipe, a path through a file; and a file only its owner may read, read as `nobody`.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from asc_tui.errors import ConfigProblem
from asc_tui.settings.config import load_config
from asc_tui.settings.writer import _check_saved_text, save_settings
from tests.support.cli import run_asc_tui

TIMEOUT = 30  # a read that blocks (a named pipe) must fail the test, not hang it


@dataclass(frozen=True)
class Case:
    """A config file (text, bytes, or a maker for what is not a file) and what the sentence must hold."""

    content: str | bytes | Callable[[Path], None]
    words: tuple[str, ...]  # lower-case: the problem and its fix
    line: int | None  # the line the sentence must name; None where no line applies


def _folder(path: Path) -> None:
    path.mkdir()


def _dangling_link(path: Path) -> None:
    path.symlink_to(path.parent / "gone.toml")


def _named_pipe(path: Path) -> None:
    os.mkfifo(path)


WEBSITES = '[[commerce.websites]]\ncode = "base"\nname = "Main"\n\n[[commerce.websites]]\ncode = "eu"\n'

CASES: dict[str, Case] = {
    # --- not a readable file
    "a_folder": Case(_folder, ("is a folder", "point it at a toml file"), None),
    "a_dangling_link": Case(_dangling_link, ("symbolic link", "does not exist", "correct the link"), None),
    "a_named_pipe": Case(_named_pipe, ("not a regular file", "toml file"), None),
    # --- not TOML, not UTF-8
    "toml_bad_value": Case(
        '[amazon]\nclient_id = "x"\ndraft_app = yes\n', ("not valid toml", "fix that line"), 3
    ),
    "toml_duplicate_key": Case(
        '[amazon]\nclient_id = "a"\nclient_id = "b"\n', ("not valid toml", "each key is set once"), 3
    ),
    "toml_unclosed_table": Case("[amazon]\n[commerce\n", ("not valid toml", "fix that line"), 2),
    "toml_unterminated_at_end": Case(
        '[amazon]\nclient_id = "abc', ("not valid toml", "close the last"), None
    ),
    "not_utf8": Case(
        b'[amazon]\nclient_id = "x"\napplication_id = "\xff\xfe"\n', ("not utf-8", "save it as utf-8"), 3
    ),
    # --- TOML that tomllib refuses with other errors than TOMLDecodeError (RecursionError, ValueError)
    "toml_nested_too_deep": Case(
        '[amazon]\nclient_id = "[[[[" # [[[[\n\n[commerce]\nwebsites = ' + "[" * 5000 + "]" * 5000 + "\n",
        ("nested too deeply", "write it as a plain list"),
        5,
    ),
    "toml_number_too_long": Case(
        '[amazon]\nclient_id = "' + "1" * 5000 + '"\nconnect_timeout_minutes = ' + "1" * 5000 + "\n",
        ("more than 4,300 digits", "connect_timeout_minutes = 10"),
        3,
    ),
    # --- unknown names
    "unknown_section": Case(
        '[amazon]\nclient_id = "x"\n\n[shop]\nname = "x"\n', ("[shop] is not a known", "use [amazon]"), 4
    ),
    "unknown_key": Case('[amazon]\ncolour = "red"\n', ("amazon.colour is not a known", "use one of"), 2),
    "unknown_nested_key": Case(
        '[amazon.seller_central]\nUS = "https://sellercentral.amazon.com"\nCH = "x"\n',
        ("amazon.seller_central.ch is not a known", "use one of: ae, au, be, br, ca, de,", "us, za"),
        3,
    ),
    "same_key_name_in_two_sections": Case(
        '[commerce]\nauth = "oauth1"\n\n[amazon]\nauth = "x"\n', ("amazon.auth is not a known",), 5
    ),
    "unknown_key_in_the_second_website": Case(
        WEBSITES + 'name = "EU"\ncolour = "blue"\n',
        ("commerce.websites.colour is not a known", "takes only"),
        8,
    ),
    # --- wrong types
    "string_for_int": Case(
        '[amazon]\nconnect_timeout_minutes = "10"\n',
        ("must be a whole number", "connect_timeout_minutes = 10"),
        2,
    ),
    "int_for_bool": Case("[amazon]\n\ndraft_app = 1\n", ("must be true or false", "draft_app = true"), 3),
    "bool_for_int": Case("[secrets]\ntimeout_seconds = true\n", ("must be a whole number",), 2),
    "inline_table_for_string": Case(
        "[amazon]\nclient_id = { a = 1 }\n", ("must be a quoted string", 'client_id = "'), 2
    ),
    "int_in_an_inline_table": Case(
        '[amazon]\nclient_id = "x"\nseller_central = {US = 5}\n',
        ("amazon.seller_central.us must be a quoted string",),
        3,
    ),
    "table_for_string": Case("[amazon.client_id]\na = 1\n", ("must be a quoted string",), 1),
    "list_for_string": Case(
        '[commerce]\nbase_url = ["x"]\n', ("commerce.base_url must be a quoted string",), 2
    ),
    "int_for_a_host": Case(
        "[amazon.endpoints]\nNA = 443\n", ("amazon.endpoints.na must be a quoted string",), 2
    ),
    "a_section_that_is_a_number": Case("amazon = 3\n", ("amazon must be a table", "write [amazon]"), 1),
    "websites_not_a_list": Case(
        '[commerce]\nwebsites = "base"\n', ("must be a list of tables", "[[commerce.websites]]"), 2
    ),
    "a_website_that_is_not_a_table": Case('[commerce]\nwebsites = ["base"]\n', ("must be a table",), 2),
    "the_second_website_without_a_name": Case(WEBSITES, ("needs a non-empty name", 'add name = "'), 5),
    # --- wrong values
    "connect_timeout_zero": Case("[amazon]\nconnect_timeout_minutes = 0\n", ("from 1 to 120", "= 10"), 2),
    "connect_timeout_huge": Case(
        "[amazon]\nconnect_timeout_minutes = 99999999999999\n", ("from 1 to 120", "= 10"), 2
    ),
    "keyring_timeout_too_long": Case("[secrets]\n\n\ntimeout_seconds = 301\n", ("from 1 to 300",), 4),
    "keyring_backend_nonsense": Case('[secrets]\nbackend = "no such thing!"\n', ("must be one of",), 2),
    "commerce_auth_unknown": Case('[commerce]\nauth = "basic"\n', ('"oauth1" or "bearer"',), 2),
    "language_unknown": Case('[ui]\nlanguage = "fr"\n', ('"auto", "en" or "zh-hant"',), 2),
    "theme_unknown": Case('[ui]\ntheme = "solarized"\n', ('"default" or "ansi"',), 2),
    "sandbox_port_too_big": Case("[sandbox]\ncallback_port = 70000\n", ("a port from 1 to 65535",), 2),
    "sandbox_port_not_a_number": Case('[sandbox]\n\nemulator_port = "8977"\n', ("whole number",), 3),
    "sandbox_unknown_key": Case("[sandbox]\nport = 1\n", ("sandbox",), 2),
    "health_refresh_negative": Case("[health]\nrefresh_minutes = -5\n", ("from 0 (never) to 10080",), 2),
    "health_warn_days_not_a_list": Case('[health]\nrenew_warn_days = "30"\n', ("a list of days",), 2),
    "health_warn_days_zero": Case("[health]\n\nrenew_warn_days = [30, 0]\n", ("from 1 to 365",), 3),
    # --- addresses that receive secrets: https://, or plain http on loopback only
    "lwa_token_url_plain_http": Case(
        '[amazon]\nclient_id = "x"\nlwa_token_url = "http://lwa.attacker.example/auth/o2/token"\n',
        ("amazon.lwa_token_url must start with https://", "receives secrets", "loopback"),
        3,
    ),
    "lwa_token_url_not_an_address": Case(
        '[amazon]\nlwa_token_url = "api.amazon.com/auth/o2/token"\n',
        ("amazon.lwa_token_url must be a full https:// address", "https://api.amazon.com/auth/o2/token"),
        2,
    ),
    "endpoint_plain_http": Case(
        '[amazon.endpoints]\nNA = "https://sellingpartnerapi-na.amazon.com"\nEU = "http://sp.attacker.example"\n',
        ("amazon.endpoints.eu must start with https://",),
        3,
    ),
    "endpoint_in_an_inline_table": Case(
        '[amazon]\nendpoints = { FE = "http://10.0.0.8:8080" }\n', ("amazon.endpoints.fe must start",), 2
    ),
    "seller_central_plain_http": Case(
        '[amazon.seller_central]\nUK = "http://sellercentral.amazon.co.uk"\n',
        ("amazon.seller_central.uk must start with https://",),
        2,
    ),
    "callback_listen_open_to_every_computer_in_plain_http": Case(
        '[amazon]\ndraft_app = true\ncallback_listen = "0.0.0.0:8976"\n',
        ("amazon.callback_listen", "plain http", "callback_tls_cert", "callback_behind_tls_proxy = true"),
        3,
    ),
    "an_endpoint_with_an_escape_sequence": Case(
        '[amazon.endpoints]\nNA = "https://sellingpartnerapi-na.amazon.com\\u001b]0;x\\u0007"\n',
        ("amazon.endpoints.na must be a full https:// address",),
        2,
    ),
    "seller_central_with_a_user": Case(
        '[amazon.seller_central]\nUS = "https://sellercentral.amazon.com@evil.example"\n',
        ("amazon.seller_central.us must be a full https:// address",),
        2,
    ),
}

# One case of each kind also goes through `doctor` and the dashboard.
EVERY_ENTRY_POINT = (
    "a_folder",
    "a_named_pipe",
    "toml_bad_value",
    "not_utf8",
    "toml_nested_too_deep",
    "unknown_nested_key",
    "int_for_bool",
    "connect_timeout_huge",
    "the_second_website_without_a_name",
    "lwa_token_url_plain_http",
)


def asc_tui(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_asc_tui(*args, env=env, timeout=TIMEOUT)


def make(case: Case, path: Path) -> None:
    if isinstance(case.content, str):
        path.write_text(case.content, encoding="utf-8")
    elif isinstance(case.content, bytes):
        path.write_bytes(case.content)
    else:
        case.content(path)


def assert_one_sentence(err: str, path: Path, case: Case) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    (line,) = lines
    assert line.startswith("asc-tui: ") and line.rstrip().endswith("."), err
    assert "Traceback" not in err and "Error:" not in err and "tomllib" not in err, err
    assert str(path) in line, err
    lowered = line.lower()
    for word in case.words:
        assert word in lowered, err
    named = re.findall(r"\(line (\d+)\)", line)
    if case.line is None:
        assert not named, err
    else:
        assert named == [str(case.line)], err
    return line


@pytest.mark.parametrize("name", sorted(CASES))
def test_stores_list_refuses_a_broken_config_in_one_sentence(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    path = tmp_path / "config.toml"
    make(case, path)
    result = asc_tui("--config", str(path), "stores", "list")
    assert result.returncode == 2, result
    assert result.stdout == ""
    assert_one_sentence(result.stderr, path, case)


@pytest.mark.parametrize("name", EVERY_ENTRY_POINT)
def test_doctor_and_the_dashboard_say_the_same_sentence(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    path = tmp_path / "config.toml"
    make(case, path)
    doctor = asc_tui("--config", str(path), "doctor")
    assert doctor.returncode == 1, doctor
    sentence = assert_one_sentence(doctor.stderr, path, case)
    assert "PROBLEM" in doctor.stdout and "Config file" in doctor.stdout
    # The dashboard reads the config before it opens a screen: the same sentence, and it never starts.
    dashboard = asc_tui("--config", str(path))
    assert dashboard.returncode == 2, dashboard
    assert assert_one_sentence(dashboard.stderr, path, case) == sentence
    assert "\x1b[" not in dashboard.stdout  # no screen was drawn


def test_a_config_named_by_the_environment_that_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    env = {**os.environ, "ASC_TUI_CONFIG": str(path)}
    result = asc_tui("stores", "list", env=env)
    assert result.returncode == 2
    line = assert_one_sentence(result.stderr, path, Case("", ("does not exist", "create it"), None))
    assert "ASC_TUI_CONFIG" in line and "--config" not in line
    named = asc_tui("--config", str(path), "stores", "list")
    assert named.returncode == 2 and "--config" in named.stderr and "ASC_TUI_CONFIG" not in named.stderr


def test_no_config_at_the_default_place_is_fine(isolated_home: Path) -> None:
    result = asc_tui("stores", "list")
    assert result.returncode == 0, result.stderr
    assert "No stores yet" in result.stdout + result.stderr


def test_dev_null_is_an_empty_config(isolated_home: Path) -> None:
    result = asc_tui("--config", os.devnull, "stores", "list")
    assert result.returncode == 0, result.stderr


def test_a_path_through_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    path = tmp_path / "file" / "config.toml"
    result = asc_tui("--config", str(path), "stores", "list")
    assert result.returncode == 2
    assert_one_sentence(result.stderr, path, Case("", ("a part of it is a file", "correct the path"), None))


def _nobody() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        return None


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None or _nobody() is None,
    reason="needs root and setpriv to read as another user (root reads any file)",
)
def test_a_file_this_user_may_not_read() -> None:
    """Root reads everything, so the reader is `nobody`: the file is root's, mode 600, in a folder anyone
    may enter (pytest's own temporary folders are root's only, which would refuse the folder instead)."""
    nobody = _nobody()
    assert nobody is not None
    folder = Path(tempfile.mkdtemp(prefix="asc-tui-unreadable-"))
    try:
        folder.chmod(0o755)
        home = folder / "nobody-home"
        home.mkdir()
        os.chown(home, nobody.pw_uid, nobody.pw_gid)
        path = folder / "config.toml"
        path.write_text('[amazon]\nclient_id = "x"\n', encoding="utf-8")
        path.chmod(0o600)
        env = {**os.environ, "ASC_TUI_HOME": str(home), "HOME": str(home)}
        as_nobody = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
        result = subprocess.run(
            [*as_nobody, sys.executable, "-m", "asc_tui", "--config", str(path), "stores", "list"],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env=env,
            cwd=home,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if "asc-tui:" not in result.stderr:
        pytest.skip(f"nobody cannot run this Python here: {result.stderr.strip()[-300:]}")
    assert result.returncode == 2, result
    case = Case("", ("permission denied", "make it readable", "chmod 600"), None)
    assert_one_sentence(result.stderr, path, case)


# --- the redirect URI: Amazon accepts only HTTPS -------------------------------------------------------

REAL_APP = """[amazon]
application_id = "amzn1.sp.solution.test-app"
client_id = "amzn1.application-oa2-client.test"

redirect_uri = "{uri}"
"""


def test_an_http_redirect_uri_for_a_real_app_is_refused_with_its_line(
    tmp_path: Path, isolated_home: Path
) -> None:
    """Listing stores needs no redirect URI; doctor and connecting refuse plain http off loopback."""
    path = tmp_path / "config.toml"
    path.write_text(REAL_APP.format(uri="http://admin.example.com/amazon/callback"), encoding="utf-8")
    case = Case("", ("must start with https://", "loopback", "correct it there"), 5)

    listing = asc_tui("--config", str(path), "stores", "list")
    assert listing.returncode == 0, listing.stderr

    doctor = asc_tui("--config", str(path), "doctor")
    assert doctor.returncode == 1
    fixes = [line for line in doctor.stderr.splitlines() if "(amazon.redirect_uri)" in line]
    assert len(fixes) == 1 and "(line 5)" in fixes[0] and str(path) in fixes[0], doctor.stderr

    added = asc_tui(
        "--config", str(path), "stores", "add", "--name", "Shop", "--email", "a@b.co", "--country", "US",
        "--website", "base",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    connecting = asc_tui("--config", str(path), "stores", "connect", "Shop")
    assert connecting.returncode == 2, connecting
    assert_one_sentence(connecting.stderr, path, case)
    assert connecting.stdout == ""  # no consent link was printed

    # Plain http on loopback stays possible (the sandbox's emulator, local tests), and https of course.
    for uri in ("http://127.0.0.1:8976/amazon/callback", "https://admin.example.com/amazon/callback"):
        path.write_text(REAL_APP.format(uri=uri), encoding="utf-8")
        assert load_config(str(path)).amazon.redirect_uri == uri


# --- the settings screen's writer -------------------------------------------------------------------------


def test_the_settings_writer_refuses_a_named_pipe_instead_of_hanging(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    os.mkfifo(path)
    with pytest.raises(ConfigProblem, match="not a regular file"):
        save_settings(path, amazon={"client_id": "amzn1.application-oa2-client.x"})


def test_the_settings_writer_names_the_line_on_disk(tmp_path: Path) -> None:
    """A save refused for what the file already held names that line as the file still has it."""
    path = tmp_path / "config.toml"
    before = '[amazon]\nclient_id = "amzn1.application-oa2-client.x"\n\n[secrets]\ntimeout_seconds = 0\n'
    path.write_text(before, encoding="utf-8")
    with pytest.raises(ConfigProblem) as refused:
        save_settings(path, amazon={"application_id": "amzn1.sp.solution.app", "draft_app": False})
    assert f"In {path} (line 5), secrets.timeout_seconds" in str(refused.value)
    assert path.read_text(encoding="utf-8") == before


def test_the_settings_writer_refuses_what_tomllib_cannot_read_in_a_sentence(tmp_path: Path) -> None:
    """tomllib raises RecursionError and ValueError besides TOMLDecodeError: a save is refused, not crashed."""
    path = tmp_path / "config.toml"
    deep = "[amazon]\nendpoints = " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(ConfigProblem, match=r"\(line 2\), a value is nested too deeply"):
        _check_saved_text(deep, path, {})
    long = '[amazon]\nclient_id = "x"\n\nconnect_timeout_minutes = ' + "9" * 5000 + "\n"
    with pytest.raises(ConfigProblem, match=r"\(line 4\), a number has more than 4,300 digits"):
        _check_saved_text(long, path, {})
