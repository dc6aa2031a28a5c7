"""[amazon.seller_central] takes a host for any of the 23 marketplaces, as it did for the seed's four, and
the connect link of a store in that marketplace goes there."""

from __future__ import annotations

from pathlib import Path

import pytest

from asc_tui.domain import MARKETPLACES
from asc_tui.errors import ConfigProblem
from asc_tui.sandbox import SandboxEmulator
from asc_tui.services.registry import open_registry
from asc_tui.settings.config import load_config
from asc_tui.settings.secret_hosts import foreign_secret_hosts
from tests.support.connect import add_store, write_real_config


def config_file(tmp_path: Path, hosts: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"[amazon.seller_central]\n{hosts}", encoding="utf-8")
    return path


def test_a_new_marketplaces_host_is_overridden_and_the_others_keep_their_defaults(tmp_path: Path) -> None:
    path = config_file(
        tmp_path, 'DE = "https://sellercentral.amazon.de"\nJP = "https://sellercentral-japan.amazon.com"\n'
    )
    hosts = load_config(str(path)).amazon.seller_central
    assert hosts["DE"] == "https://sellercentral.amazon.de"
    assert hosts["JP"] == "https://sellercentral-japan.amazon.com"
    assert hosts["FR"] == "https://sellercentral-europe.amazon.com"  # DE's default, still FR's
    assert hosts["ZA"] == "https://sellercentral.amazon.co.za"
    assert set(hosts) == set(MARKETPLACES)


def test_a_new_marketplaces_host_gets_the_same_checks(tmp_path: Path) -> None:
    with pytest.raises(ConfigProblem, match=r"amazon\.seller_central\.SG must start with https://"):
        load_config(str(config_file(tmp_path, 'SG = "http://sellercentral.amazon.sg"\n')))
    proxy = load_config(str(config_file(tmp_path, 'BR = "https://proxy.example.com"\n')))
    assert foreign_secret_hosts(proxy.amazon) == [("amazon.seller_central.BR", "proxy.example.com")]


def test_a_german_stores_consent_link_is_on_the_host_the_config_names(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASC_TUI_LWA_CLIENT_SECRET", "sandbox-client-secret")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(isolated_home / "xdg"))
    with SandboxEmulator() as amazon:
        write_real_config(isolated_home, amazon)  # every marketplace's host is the emulator's
        registry = open_registry()
        try:
            store = add_store(registry, "Shop DE", "DE")
            attempt = registry.connect.start(store.id or 0, listen=False)
            assert attempt.consent_url.startswith(
                amazon.seller_central_url("DE") + "/apps/authorize/consent?"
            )
            registry.connect.cancel(attempt)
        finally:
            registry.close()
