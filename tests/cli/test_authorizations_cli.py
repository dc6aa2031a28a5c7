"""`asc-tui authorizations list`: one line per seller and region, with the stores each covers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asc_tui.sandbox import SandboxSeller
from asc_tui.services.registry import open_registry
from tests.support.cli import run
from tests.support.connect import NA, UK, connected


def _connect_all(*stores: tuple[str, str, SandboxSeller]) -> None:
    registry = open_registry(sandbox=True)
    try:
        for name, country, seller in stores:
            connected(registry, seller, name, country)
    finally:
        registry.close()


def test_stores_of_one_seller_and_region_are_listed_under_one_authorization(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--sandbox", "authorizations", "list")
    assert code == 0 and out == "" and "No store is connected to Amazon yet." in err

    _connect_all(("Shop US", "US", NA), ("Shop CA", "CA", NA), ("Shop UK", "UK", UK))
    code, out, err = run(capsys, "--sandbox", "authorizations", "list", "--json")
    assert code == 0, err
    records = json.loads(out)
    assert [(r["region"], r["seller_id"], r["stores"]) for r in records] == [
        ("EU", UK.selling_partner_id, ["Shop UK"]),
        ("NA", NA.selling_partner_id, ["Shop US", "Shop CA"]),
    ]
    assert all(r["auth_health"] == "ok" and r["days_left"] == 365 for r in records)
    assert all(r["renew_by"].endswith("Z") for r in records)

    code, out, err = run(capsys, "--sandbox", "authorizations", "list")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["Region", "Seller", "Renew", "by", "Authorization", "Days", "left", "Stores"]
    north_america = next(line for line in lines if NA.selling_partner_id in line)
    assert north_america.startswith("North America") and north_america.endswith("Shop US, Shop CA")
    assert " OK " in north_america and " 365 " in north_america
