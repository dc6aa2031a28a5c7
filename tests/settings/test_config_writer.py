"""Saving settings to the TOML config: comments survive, writes are atomic, secrets are refused; each field
is checked with one sentence naming it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from asc_tui.errors import ConfigProblem, InvalidInput
from asc_tui.settings.checks import (
    SecretNotAllowed,
    SettingsValidationError,
    check_application_id,
    check_auth,
    check_base_url,
    check_callback_listen,
    check_client_id,
    check_connect_timeout,
    check_redirect_uri,
    check_tls_files,
    redirect_uri_note,
    validate_amazon_settings,
)
from asc_tui.settings.config import load_config
from asc_tui.settings.writer import save_amazon_settings, save_commerce_settings, save_settings

APP_ID = "amzn1.sp.solution.1a2b3c4d-0000-1111-2222-333344445555"
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"

# The README's config, as an admin would keep it: comments on lines, between tables and after values.
ADMIN_FILE = """\
# asc-tui config for shop.example.com, kept by ops (ticket OPS-1234)

[amazon]
application_id = "amzn1.sp.solution.old"     # SP-API app ID (consent URL)
client_id = "amzn1.application-oa2-client.old" # LWA client ID
# client secret: keyring (set from the TUI or `asc-tui doctor`), or env ASC_TUI_LWA_CLIENT_SECRET
draft_app = true                              # adds version=beta to the consent URL
lwa_token_url = "https://api.amazon.com/auth/o2/token"

# consent hosts; defaults from reference/spapi.md, each overridable
[amazon.seller_central]
US = "https://sellercentral.amazon.com"

[amazon.endpoints]        # SP-API hosts by region
NA = "https://sellingpartnerapi-na.amazon.com"

[commerce]
base_url = ""             # empty: the embedded default catalog
auth = "oauth1"           # or "bearer"
"""


def admin_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(ADMIN_FILE, encoding="utf-8")
    return path


def all_amazon(**changes: str | bool | int) -> dict[str, str | bool | int]:
    values: dict[str, str | bool | int] = {
        "application_id": APP_ID,
        "client_id": CLIENT_ID,
        "redirect_uri": "https://admin.example.com/amazon/callback",
        "callback_listen": "127.0.0.1:8976",
        "callback_tls_cert": "",
        "callback_tls_key": "",
        "draft_app": False,
        "connect_timeout_minutes": 15,
    }
    values.update(changes)
    return values


# --- saving -----------------------------------------------------------------------------------------------


def test_comments_and_unknown_layout_survive_and_the_values_change(tmp_path: Path) -> None:
    path = admin_file(tmp_path)
    config = save_amazon_settings(path, all_amazon())
    text = path.read_text("utf-8")
    for line in ADMIN_FILE.splitlines():
        if "#" in line:  # every comment, whole-line or after a value, is still there
            comment = line[line.index("#") :]
            assert comment in text, f"lost: {comment!r}"
    for line in ADMIN_FILE.splitlines()[8:]:  # the tables after [amazon] are untouched, line for line
        assert line in text, f"lost: {line!r}"
    assert f'application_id = "{APP_ID}"     # SP-API app ID (consent URL)' in text
    assert f'client_id = "{CLIENT_ID}" # LWA client ID' in text
    assert "draft_app = false                              # adds version=beta" in text
    # New keys go after the table's last key, not after the comment that introduces the next table.
    before_hosts = text.split("# consent hosts")[0]
    assert 'redirect_uri = "https://admin.example.com/amazon/callback"' in before_hosts
    assert "connect_timeout_minutes = 15" in before_hosts
    assert config.amazon.application_id == APP_ID
    assert config.amazon.redirect_uri == "https://admin.example.com/amazon/callback"
    assert config.amazon.draft_app is False
    assert config.amazon.connect_timeout_minutes == 15
    assert config.amazon.seller_central["US"] == "https://sellercentral.amazon.com"
    assert config == load_config(str(path))


def test_saving_unchanged_values_leaves_the_file_byte_for_byte(tmp_path: Path) -> None:
    path = admin_file(tmp_path)
    save_settings(
        path,
        amazon={"application_id": "amzn1.sp.solution.old", "draft_app": True},
        commerce={"base_url": "", "auth": "oauth1"},
    )
    assert path.read_text("utf-8") == ADMIN_FILE


def test_commerce_settings_round_trip(tmp_path: Path) -> None:
    path = admin_file(tmp_path)
    config = save_commerce_settings(path, " https://shop.example.com ", "bearer")
    assert config.commerce.base_url == "https://shop.example.com"
    assert config.commerce.auth == "bearer"
    assert 'auth = "bearer"           # or "bearer"' in path.read_text("utf-8")
    assert load_config(str(path)).commerce == config.commerce


def test_a_missing_file_and_folder_are_created_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "asc-tui" / "config.toml"
    config = save_settings(path, amazon=all_amazon(), commerce={"base_url": "", "auth": "oauth1"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text("utf-8")
    assert text.startswith("# asc-tui settings. Secrets")
    assert config.exists and config.amazon.client_id == CLIENT_ID
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temporary file left


def test_an_existing_file_keeps_its_mode_and_a_symlink_stays_a_symlink(tmp_path: Path) -> None:
    real = admin_file(tmp_path)
    os.chmod(real, 0o640)
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    save_amazon_settings(link, {"client_id": CLIENT_ID})
    assert link.is_symlink()
    assert CLIENT_ID in real.read_text("utf-8")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_the_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = admin_file(tmp_path)
    renames: list[tuple[str, str]] = []
    real_replace = os.replace

    def recording_replace(src: str, dst: str) -> None:
        renames.append((str(src), str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", recording_replace)
    save_amazon_settings(path, {"client_id": CLIENT_ID})
    [(src, dst)] = renames
    assert Path(src).parent == path.parent and dst == str(path)  # same folder: a rename, never a copy

    def failing_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    before = path.read_text("utf-8")
    with pytest.raises(ConfigProblem, match="cannot be written"):
        save_amazon_settings(path, {"client_id": CLIENT_ID + "0"})
    assert path.read_text("utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


@pytest.mark.parametrize("key", ["client_secret", "lwa_client_secret", "refresh_token", "Bearer_Token"])
def test_secrets_are_refused_and_nothing_is_written(tmp_path: Path, key: str) -> None:
    path = tmp_path / "config.toml"
    with pytest.raises(SecretNotAllowed, match="never go in the config file"):
        save_amazon_settings(path, {key: "hunter2-very-secret"})
    with pytest.raises(SecretNotAllowed):
        save_settings(path, commerce={key: "hunter2-very-secret"})
    assert not path.exists()


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("amazon", "client_id", "amzn1.oa2-cs.v1.0123456789abcdef"),
        ("amazon", "application_id", "amzn1.sp.solution.x" + "amzn1.oa2-cs.v1.0123"),
        ("amazon", "redirect_uri", "https://admin.example.com/cb?t=Atzr|IwEBIA"),
        ("commerce", "base_url", "https://shop.example.com/Atza|IwEBIA"),
    ],
)
def test_a_secret_pasted_into_a_setting_is_refused(
    tmp_path: Path, section: str, key: str, value: str
) -> None:
    path = admin_file(tmp_path)
    with pytest.raises(SettingsValidationError) as refused:
        save_settings(path, **{section: {key: value}})  # type: ignore[arg-type]
    sentence_naming(refused.value.errors[key], f"{section}.{key}")
    assert "looks like a secret" in refused.value.errors[key] and value not in refused.value.errors[key]
    assert path.read_text("utf-8") == ADMIN_FILE


def test_unknown_keys_and_wrong_types_are_refused(tmp_path: Path) -> None:
    path = admin_file(tmp_path)
    with pytest.raises(InvalidInput, match="lwa_token_url is not a setting saved here"):
        save_amazon_settings(path, {"lwa_token_url": "https://example.com"})
    with pytest.raises(InvalidInput, match="draft_app must be true or false"):
        save_amazon_settings(path, {"draft_app": "yes"})
    with pytest.raises(SettingsValidationError):
        save_amazon_settings(path, {"connect_timeout_minutes": True})
    assert path.read_text("utf-8") == ADMIN_FILE


def test_invalid_values_are_refused_with_every_problem(tmp_path: Path) -> None:
    path = admin_file(tmp_path)
    with pytest.raises(SettingsValidationError) as refused:
        save_settings(
            path,
            amazon=all_amazon(client_id="wrong", connect_timeout_minutes=0, callback_listen="nope"),
            commerce={"base_url": "shop", "auth": "oauth2"},
        )
    assert set(refused.value.errors) == {
        "client_id",
        "connect_timeout_minutes",
        "callback_listen",
        "base_url",
        "auth",
    }
    assert path.read_text("utf-8") == ADMIN_FILE


def test_a_key_saved_alone_must_match_the_certificate_in_the_file(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("pem")
    path = admin_file(tmp_path)
    with pytest.raises(SettingsValidationError) as refused:
        save_amazon_settings(path, {"callback_tls_cert": str(cert)})
    assert set(refused.value.errors) == {"callback_tls_key"}


def test_a_broken_or_unknown_file_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[amazon\nclient_id = 'x'\n")
    with pytest.raises(ConfigProblem, match="not valid TOML"):
        save_amazon_settings(path, {"client_id": CLIENT_ID})
    assert path.read_text() == "[amazon\nclient_id = 'x'\n"
    path.write_text("[amazon]\nclinet_id = 'typo'\n")
    with pytest.raises(ConfigProblem, match="clinet_id is not a known setting"):
        save_amazon_settings(path, {"client_id": CLIENT_ID})
    assert path.read_text() == "[amazon]\nclinet_id = 'typo'\n"


@pytest.mark.parametrize(
    "text",
    [
        '[amazon.seller_central]\nUS = "https://sellercentral.amazon.com"\n',
        'amazon.client_id = "amzn1.application-oa2-client.a"\n',
        'amazon = { client_id = "amzn1.application-oa2-client.a" }\n',
        "[amazon]\n# only a comment\n\n[commerce]\n",
        "",
    ],
    ids=["super-table", "dotted", "inline", "comment-only", "empty"],
)
def test_other_toml_layouts_take_the_new_values(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    config = save_settings(path, amazon=all_amazon(), commerce={"base_url": "", "auth": "bearer"})
    assert config.amazon.client_id == CLIENT_ID and config.amazon.connect_timeout_minutes == 15
    assert config.commerce.auth == "bearer"


# --- checking each field ----------------------------------------------------------------------------------


def sentence_naming(message: str | None, setting: str) -> None:
    assert message is not None
    assert setting in message, message
    assert message.endswith(".") and "\n" not in message


@pytest.mark.parametrize(
    ("check", "value", "setting"),
    [
        (check_application_id, "1234", "amazon.application_id"),
        (check_application_id, "amzn1.sp.solution.", "amazon.application_id"),
        (check_application_id, CLIENT_ID, "amazon.application_id"),
        (check_client_id, "amzn1.application-oa2-client", "amazon.client_id"),
        (check_client_id, APP_ID, "amazon.client_id"),
        (check_client_id, CLIENT_ID + " x", "amazon.client_id"),
        (check_client_id, CLIENT_ID + "amzn1.application-oa2-client.b", "amazon.client_id"),
        (check_redirect_uri, "admin.example.com/cb", "amazon.redirect_uri"),
        (check_redirect_uri, "https://admin.example.com/cb#top", "amazon.redirect_uri"),
        (check_redirect_uri, "http://admin.example.com/cb", "amazon.redirect_uri"),
        (check_redirect_uri, "https://admin.example.com:99999/cb", "amazon.redirect_uri"),
        (check_redirect_uri, "ftp://admin.example.com/cb", "amazon.redirect_uri"),
        (check_callback_listen, "8976", "callback_listen"),
        (check_callback_listen, "127.0.0.1:http", "callback_listen"),
        (check_callback_listen, "", "callback_listen"),
        (check_connect_timeout, "0", "amazon.connect_timeout_minutes"),
        (check_connect_timeout, "121", "amazon.connect_timeout_minutes"),
        (check_connect_timeout, "ten", "amazon.connect_timeout_minutes"),
        (check_connect_timeout, "-5", "amazon.connect_timeout_minutes"),
        (check_base_url, "shop.example.com", "commerce.base_url"),
        (check_base_url, "ftp://shop.example.com", "commerce.base_url"),
        (check_base_url, "https://shop.example.com/?store=1", "commerce.base_url"),
        (check_auth, "oauth2", "commerce.auth"),
    ],
)
def test_each_bad_value_gets_one_sentence_naming_its_setting(check, value, setting) -> None:  # type: ignore[no-untyped-def]
    sentence_naming(check(value), setting)


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (check_application_id, APP_ID),
        (check_application_id, "amzn1.sellerapps.app.1a2b3c4d-0000"),
        (check_application_id, ""),
        (check_client_id, CLIENT_ID),
        (check_client_id, f"  {CLIENT_ID}\n"),
        (check_redirect_uri, "https://admin.example.com/amazon/callback"),
        (check_redirect_uri, "https://admin.example.com:8443/cb?shop=1"),
        (check_redirect_uri, "http://127.0.0.1:8976/cb"),
        (check_redirect_uri, "http://localhost/cb"),
        (check_redirect_uri, "http://[::1]:8976/cb"),
        (check_callback_listen, "127.0.0.1:8976"),
        (check_callback_listen, "[::1]:8976"),
        (check_callback_listen, "0.0.0.0:443"),
        (check_connect_timeout, "1"),
        (check_connect_timeout, "120"),
        (check_connect_timeout, 10),
        (check_base_url, ""),
        (check_base_url, "https://shop.example.com"),
        (check_base_url, "http://magento.local:8080/shop"),
        (check_auth, "oauth1"),
        (check_auth, "bearer"),
    ],
)
def test_good_values_pass(check, value) -> None:  # type: ignore[no-untyped-def]
    assert check(value) is None


def test_plain_http_on_loopback_passes_with_a_note() -> None:
    assert check_redirect_uri("http://127.0.0.1:8976/cb") is None
    note = redirect_uri_note("http://127.0.0.1:8976/cb")
    assert note is not None and "only https://" in note
    assert redirect_uri_note("https://admin.example.com/cb") is None
    assert redirect_uri_note("http://admin.example.com/cb") is None  # an error, not a note


def test_tls_files_both_or_neither_and_they_must_exist(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("pem")
    key.write_text("pem")
    assert check_tls_files("", "") == {}
    assert check_tls_files(str(cert), str(key)) == {}
    only_cert = check_tls_files(str(cert), "")
    assert list(only_cert) == ["callback_tls_key"]
    sentence_naming(only_cert["callback_tls_key"], "amazon.callback_tls_key")
    assert "both or neither" in only_cert["callback_tls_key"]
    only_key = check_tls_files("", str(key))
    assert list(only_key) == ["callback_tls_cert"]
    missing = check_tls_files(str(tmp_path / "gone.pem"), str(key))
    sentence_naming(missing["callback_tls_cert"], "amazon.callback_tls_cert")
    assert "does not exist" in missing["callback_tls_cert"]
    relative = check_tls_files("cert.pem", "~/key.pem")
    assert "absolute path" in relative["callback_tls_cert"]
    assert "absolute path" in relative["callback_tls_key"]
    folder = check_tls_files(str(tmp_path), str(key))
    assert "is not a file" in folder["callback_tls_cert"]


def test_validate_amazon_settings_checks_only_what_is_given() -> None:
    assert validate_amazon_settings({}) == {}
    assert validate_amazon_settings({"client_id": CLIENT_ID}) == {}
    assert set(validate_amazon_settings(all_amazon(application_id="x", redirect_uri="nope"))) == {
        "application_id",
        "redirect_uri",
    }


def test_a_callback_address_open_to_other_computers_needs_tls_or_the_proxy_setting(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    with pytest.raises(SettingsValidationError) as refused:
        save_settings(path, amazon=all_amazon(callback_listen="0.0.0.0:8976"))
    assert "plain http" in refused.value.errors["callback_listen"]
    assert not path.exists()  # nothing was written
    # The admin vouches for a TLS proxy in the file (the form does not edit that): then it saves.
    path.write_text("[amazon]\ncallback_behind_tls_proxy = true\n", encoding="utf-8")
    config = save_settings(path, amazon=all_amazon(callback_listen="0.0.0.0:8976"))
    assert config.amazon.callback_listen == "0.0.0.0:8976" and config.amazon.callback_behind_tls_proxy
    assert "callback_behind_tls_proxy = true" in path.read_text(encoding="utf-8")
