"""`asc-tui stores health`: the sandbox's stores connected through its consent pages, then the command as
cron runs it: what it prints, its JSON contract and its exit codes."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from asc_tui.sandbox import HEALTH_DEMO_SELLERS
from asc_tui.services.registry import open_registry
from tests.support.cli import run
from tests.support.connect import NA, add_store, connect_sandbox_stores

SUSPENDED, ERRORS, _BUSY = HEALTH_DEMO_SELLERS
CONTRACT = {
    "name", "status", "auth_health", "checked_at", "orders_30d", "units_30d", "sales_30d", "daily",
    "has_suspended_listings", "is_participating", "listings_with_errors", "problem",
}  # fmt: skip


def test_health_before_and_after_asking_amazon(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    connect_sandbox_stores(("Healthy", NA), ("Errors", ERRORS))
    add_store_never = open_registry(sandbox=True)
    try:
        add_store(add_store_never, "Not yet", "CA")
    finally:
        add_store_never.close()

    code, out, err = run(capsys, "--sandbox", "stores", "health", "--json")
    assert code == 0, err  # never checked is nothing wrong yet
    before = json.loads(out)
    assert [r["checked_at"] for r in before] == [None, None, None]

    code, out, err = run(capsys, "--sandbox", "stores", "health", "--refresh", "--json")
    assert code == 1, err  # the store with listing errors needs the admin
    records = {r["name"]: r for r in json.loads(out)}
    assert set(records) == {"Healthy", "Errors", "Not yet"}
    assert all(set(r) >= CONTRACT for r in records.values())
    healthy, errors = records["Healthy"], records["Errors"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", healthy["checked_at"])
    days = healthy["daily"]
    assert len(days) == 30 and [d["date"] for d in days] == sorted(d["date"] for d in days)
    assert healthy["orders_30d"] == sum(d["orders"] for d in days)
    assert healthy["sales_30d"]["currency"] == "USD"
    assert Decimal(healthy["sales_30d"]["amount"]) == sum(Decimal(d["sales"]) for d in days)
    assert isinstance(healthy["sales_30d"]["amount"], str)  # exact: never a JSON number
    assert (healthy["is_participating"], healthy["has_suspended_listings"]) == (True, False)
    assert healthy["problem"] is None and healthy["listings_with_errors"] == 0
    assert errors["listings_with_errors"] == 7
    assert records["Not yet"]["checked_at"] is None and records["Not yet"]["daily"] == []
    assert "Asking Amazon about Healthy (1 of 2)" in err
    assert "1 store needs you" in err and "Errors" in err

    code, out, err = run(capsys, "--sandbox", "stores", "health")
    assert code == 1
    healthy_line = next(line for line in out.splitlines() if line.startswith("Healthy"))
    assert "US$" in healthy_line
    errors_line = next(line for line in out.splitlines() if line.startswith("Errors"))
    assert "7 listings have errors" in errors_line

    code, out, err = run(capsys, "--sandbox", "stores", "health", "Healthy", "--json")
    assert code == 0, err
    assert [r["name"] for r in json.loads(out)] == ["Healthy"]


def test_a_revoked_store_and_an_unknown_name(isolated_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    connect_sandbox_stores(("Suspended", SUSPENDED))
    grants_file = isolated_home / "data" / "sandbox-grants.json"
    grants = json.loads(grants_file.read_text())
    grants_file.write_text(json.dumps([{**g, "revoked": True} for g in grants]))

    code, out, err = run(capsys, "--sandbox", "stores", "health", "--refresh", "--json")
    assert code == 1
    (record,) = json.loads(out)
    assert record["auth_health"] == "revoked" and "reconnect the store" in record["problem"]

    code, _out, err = run(capsys, "--sandbox", "stores", "health", "Nobody")
    assert code == 1 and "Nobody" in err
