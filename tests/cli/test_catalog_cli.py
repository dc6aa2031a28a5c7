"""`asc-tui catalog refresh` and `catalog show [--json]` in real processes, against the fake Magento (a real
HTTP server that checks every OAuth 1.0a signature), with the credentials from the ASC_TUI_MAGENTO_* variables."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from asc_tui.commerce.credentials import (
    CREDENTIAL_FIELDS,
    ENV_ACCESS_TOKEN,
    ENV_ACCESS_TOKEN_SECRET,
    ENV_CONSUMER_KEY,
    ENV_CONSUMER_SECRET,
)
from tests.support.cli import run_asc_tui
from tests.support.fake_magento import FakeMagento, magento_secret

SHOP_ATTRIBUTES = ATTRIBUTES = 640  # two pages of 500


@pytest.fixture
def config_file(isolated_home: Path, shop: FakeMagento) -> Path:
    path = isolated_home / "shop.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'[commerce]\nbase_url = "{shop.base_url}"\nauth = "oauth1"\n', encoding="utf-8")
    return path


def environment(shop: FakeMagento, tmp_path: Path, **override: str) -> dict[str, str]:
    """This test's home (ASC_TUI_HOME, set by the autouse fixture), a file keyring that is never the
    machine's, and the integration's four credentials in the environment."""
    env = dict(os.environ)
    for credential in CREDENTIAL_FIELDS:
        env.pop(credential.env, None)
    env["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")
    i = shop.integration
    env.update(
        {
            ENV_CONSUMER_KEY: i.consumer_key,
            ENV_CONSUMER_SECRET: i.consumer_secret,
            ENV_ACCESS_TOKEN: i.access_token,
            ENV_ACCESS_TOKEN_SECRET: i.access_token_secret,
        }
    )
    env.update(override)
    return env


def cli(config: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_asc_tui("--config", str(config), *args, env=env)


def show_json(config: Path, env: dict[str, str]) -> dict[str, Any]:
    done = cli(config, env, "catalog", "show", "--json")
    assert done.returncode == 0, done.stderr
    shown: dict[str, Any] = json.loads(done.stdout)
    return shown


def test_refresh_prints_the_counts_and_show_json_has_the_shop(
    shop: FakeMagento, config_file: Path, tmp_path: Path
) -> None:
    env = environment(shop, tmp_path)
    done = cli(config_file, env, "catalog", "refresh")
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == (
        f"Catalog read from {shop.base_url}: 3 website(s), {ATTRIBUTES} attribute(s)."
    )
    assert shop.attribute_pages == [1, 2]
    assert all(r.auth == "oauth" for r in shop.requests)

    shown = show_json(config_file, env)
    assert shown["source"] == shop.base_url
    assert shown["websites"] == [
        {"code": "base", "name": "Main Website", "default_store_view": "default"},
        {"code": "us_site", "name": "Amazon US Website", "default_store_view": "us_en"},
        {"code": "uk_site", "name": "Amazon UK Website", "default_store_view": "uk_en"},
    ]
    attributes = {a["code"]: a["label"] for a in shown["attributes"]}
    assert len(attributes) == ATTRIBUTES
    assert (
        attributes["amazon_asin"] == "Amazon ASIN"
        and attributes["custom_attr_0639"] == "Custom attribute 0639"
    )
    asked = len(shop.requests)

    # The table form reads the same cache, without asking the shop.
    table = cli(config_file, env, "catalog", "show")
    assert table.returncode == 0, table.stderr
    assert table.stdout.startswith(f"Source: {shop.base_url}, fetched ")
    assert "uk_site" in table.stdout and "amazon_asin" in table.stdout
    assert len(shop.requests) == asked
    printed = done.stderr + table.stdout + table.stderr
    assert not [secret for secret in shop.secrets() if secret in printed]


def test_a_wrong_secret_exits_2_with_the_sentence_and_keeps_the_catalog(
    shop: FakeMagento, config_file: Path, tmp_path: Path
) -> None:
    good = environment(shop, tmp_path)
    assert cli(config_file, good, "catalog", "refresh").returncode == 0
    before = show_json(config_file, good)

    wrong = magento_secret()
    bad = environment(shop, tmp_path, **{ENV_CONSUMER_SECRET: wrong})
    done = cli(config_file, bad, "catalog", "refresh")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("asc-tui: Magento rejected the request signature")
    assert f"(or {ENV_CONSUMER_SECRET} and {ENV_ACCESS_TOKEN_SECRET})" in lines[0]
    assert wrong not in done.stderr and not [s for s in shop.secrets() if s in done.stderr]

    assert show_json(config_file, bad) == before  # still the catalog read before, with its time


def test_a_wrong_address_exits_2_with_the_sentence_and_keeps_the_catalog(
    shop: FakeMagento, config_file: Path, tmp_path: Path, refused_port: int
) -> None:
    env = environment(shop, tmp_path)
    assert cli(config_file, env, "catalog", "refresh").returncode == 0
    before = show_json(config_file, env)

    nobody = f"http://127.0.0.1:{refused_port}"
    config_file.write_text(f'[commerce]\nbase_url = "{nobody}"\n', encoding="utf-8")
    done = cli(config_file, env, "catalog", "refresh")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"asc-tui: Nothing answers at {nobody} (connection refused); check commerce.base_url and that the "
        "shop is running."
    )
    assert show_json(config_file, env) == before
