import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import run

ADD = ["stores", "add", "--email", "seller@example.com", "--website", "base"]


def test_add_list_export_round_trip(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, *ADD, "--name", "Amazon Store USA", "--country", "US")[0] == 0
    code, _out, err = run(
        capsys, *ADD, "--name", "美國店", "--country", "uk", "--product-id-type", "asin", "--attribute", "sku"
    )
    assert code == 0 and "美國店" in err
    code, out, _ = run(capsys, "stores", "list", "--json")
    records = json.loads(out)
    assert [r["name"] for r in records] == ["Amazon Store USA", "美國店"]
    assert set(records[0]) == {
        "name",
        "email",
        "country",
        "website",
        "product_id_type",
        "attribute",
        "status",
        "auth_health",
        "seller_id",
        "marketplace_id",
        "authorized_at",
        "renew_by",
        "created_at",
        "updated_at",
    }
    assert records[1]["product_id_type"] == "ASIN" and records[1]["country"] == "UK"
    code, out, _ = run(capsys, "stores", "export")
    exported = tmp_path / "export.csv"
    exported.write_text(out, encoding="utf-8")
    assert out.splitlines()[0].startswith("name,email,country,website,product_id_type,attribute,status")
    # An export imports into another registry unchanged (extra columns are not import columns, so trim them).
    lines = [",".join(line.split(",")[:6]) for line in out.splitlines()]
    exported.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _out, err = run(capsys, "--db", str(tmp_path / "other.db"), "stores", "import", str(exported))
    assert code == 0, err
    code, out, _ = run(capsys, "--db", str(tmp_path / "other.db"), "stores", "list", "--json")
    assert [r["name"] for r in json.loads(out)] == ["Amazon Store USA", "美國店"]


def test_any_marketplace_by_its_iso_code_and_gb_for_uk(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, *ADD, "--name", "Berlin", "--country", "DE")[0] == 0
    assert run(capsys, *ADD, "--name", "London", "--country", "gb")[0] == 0
    assert run(capsys, *ADD, "--name", "Tokyo", "--country", "jp")[0] == 0
    code, out, _ = run(capsys, "stores", "list", "--json")
    assert [(r["name"], r["country"], r["marketplace_id"]) for r in json.loads(out)] == [
        ("Berlin", "DE", "A1PA6795UKMFR9"),
        ("London", "UK", "A1F83G8C2ARO7P"),
        ("Tokyo", "JP", "A1VC38T7YXB528"),
    ]
    code, _out, err = run(capsys, *ADD, "--name", "Zürich", "--country", "CH")
    assert code == 1 and "must be the code of an Amazon marketplace: US, CA, MX, BR, UK," in err
    assert "JP, AU or SG." in err


@pytest.mark.parametrize("as_json", [False, True])
def test_a_japanese_store_exports_and_imports_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, as_json: bool
) -> None:
    assert run(capsys, *ADD, "--name", "東京店", "--country", "JP")[0] == 0
    assert run(capsys, *ADD, "--name", "Sydney", "--country", "AU")[0] == 0
    code, out, _ = run(capsys, "stores", "export", *(["--json"] if as_json else []))
    exported = tmp_path / ("export.json" if as_json else "export.csv")
    exported.write_text(out, encoding="utf-8")
    other = str(tmp_path / "other.db")
    code, _out, err = run(capsys, "--db", other, "stores", "import", str(exported))
    assert code == 0, err
    code, out, _ = run(capsys, "--db", other, "stores", "list", "--json")
    assert [(r["name"], r["country"], r["marketplace_id"]) for r in json.loads(out)] == [
        ("東京店", "JP", "A1VC38T7YXB528"),
        ("Sydney", "AU", "A39IBJ37TRP1C6"),
    ]


def test_invalid_add_exits_1_with_one_line_per_field(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "stores", "add", "--name", " ", "--email", "x", "--country", "CH", "--website", "nope"
    )
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 4 and all(line.startswith("asc-tui: ") for line in lines)
    assert run(capsys, "stores", "list", "--json")[1].strip() == "[]"


def test_import_reports_every_bad_row_and_saves_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "name,email,country,website\nGood,g@example.com,US,base\nBad,nope,US,base\n"
        "Good,x@example.com,CA,base\n",
        encoding="utf-8",
    )
    code, _out, err = run(capsys, "stores", "import", str(path))
    assert code == 1
    assert "line 3:" in err and "line 4:" in err and "Nothing was imported" in err
    assert json.loads(run(capsys, "stores", "list", "--json")[1]) == []


def test_environment_problems_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _out, err = run(capsys, "--db", str(tmp_path / "missing" / "x.db"), "stores", "list")
    assert code == 2 and "does not exist" in err and "Traceback" not in err
    code, _out, err = run(capsys, "stores", "list", "--db", "oracle://x")
    assert code == 2 and "Unknown database URL scheme" in err


def test_check_auth_with_nothing_connected_is_fine(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, *ADD, "--name", "A", "--country", "US")
    code, out, _ = run(capsys, "check-auth", "--json")
    assert code == 0 and json.loads(out)[0]["auth_health"] == "none"


def test_catalog_show_json_has_the_contract_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalog", "show", "--json")
    data = json.loads(out)
    assert code == 0 and set(data) == {"source", "fetched_at", "websites", "attributes"}
    assert {"code": "base", "name": "Main Website", "default_store_view": "default"} in data["websites"]
    assert any(a["code"] == "sku" for a in data["attributes"])


def test_config_adds_websites_and_attributes_to_the_embedded_catalog(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[[commerce.websites]]\ncode = "eu"\nname = "EU Website"\ndefault_store_view = "eu_en"\n'
        '[[commerce.attributes]]\ncode = "amazon_asin"\nlabel = "Amazon ASIN"\n',
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "--config", str(config), "catalog", "show", "--json")
    data = json.loads(out)
    assert {w["code"] for w in data["websites"]} == {"base", "eu"}
    assert any(a["code"] == "amazon_asin" for a in data["attributes"])
    code, _o, err = run(
        capsys,
        "--config",
        str(config),
        *ADD[:-1],
        "eu",
        "--name",
        "EU",
        "--country",
        "UK",
        "--product-id-type",
        "ASIN",
        "--attribute",
        "amazon_asin",
    )
    assert code == 0, err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[amazon\n", "not valid TOML"),
        ("[amazon]\ncolour = 1\n", "amazon.colour is not a known setting"),
        ('[amazon]\ndraft_app = "yes"\n', "must be true or false"),
        ("[shop]\n", "[shop] is not a known section"),
        ('[commerce]\nauth = "basic"\n', "oauth1"),
    ],
)
def test_bad_config_files_name_the_file_and_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(content, encoding="utf-8")
    code, _out, err = run(capsys, "--config", str(config), "stores", "list")
    assert code == 2 and message in err and str(config) in err


def test_a_named_config_that_is_missing_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _out, err = run(capsys, "--config", str(tmp_path / "nope.toml"), "stores", "list")
    assert code == 2 and "does not exist" in err


def test_version_and_module_entry_point() -> None:
    out = subprocess.run([sys.executable, "-m", "asc_tui", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("asc-tui ")
