"""Hostile values on the command line and in import files.

A refusal is exit code 1, nothing on stdout, and `asc-tui: ` lines on stderr: one line for a value or a
whole file, or a headline plus one line per bad row; never a traceback, never a raw control character,
and nothing saved (imports are all or nothing). What is accepted comes back equal from `stores list
--json`, `stores export --json` and the CSV export.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from asc_tui.services.csv_cells import FORMULA_STARTS, restore
from asc_tui.services.registry import open_registry
from tests.support.cli import run

from .nasty import NASTY, expected_name, is_one_sentence, raw_controls

PREFIX = "asc-tui: "
ROW = re.compile(r"^(line|item) \d+: (.+)$")


def listed(capsys: pytest.CaptureFixture[str], *db: str) -> list[dict[str, Any]]:
    code, out, err = run(capsys, *db, "stores", "list", "--json")
    assert code == 0, err
    records: list[dict[str, Any]] = json.loads(out)
    return records


def assert_one_line_refusal(code: int, out: str, err: str) -> str:
    """Exit 1, nothing on stdout, exactly one `asc-tui: ` sentence on stderr; returns that sentence."""
    assert code == 1, err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), err
    assert lines[0].startswith(PREFIX), err
    message = lines[0][len(PREFIX) :]
    assert is_one_sentence(message), message
    return message


def assert_row_refusal(code: int, out: str, err: str) -> list[str]:
    """Exit 1, a headline naming how many rows, then one `line N:`/`item N:` sentence per problem."""
    assert code == 1, err
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(PREFIX + "Nothing was imported: "), err
    assert is_one_sentence(lines[0][len(PREFIX) :]), lines[0]
    problems = lines[1:]
    assert problems, err
    for line in problems:
        match = ROW.match(line)
        assert match, line
        assert is_one_sentence(match.group(2)), line
    count = int(re.search(r"(\d+) row\(s\)", lines[0]).group(1))  # type: ignore[union-attr]
    assert count == len(problems)
    return problems


ADD = ["stores", "add"]
VALID = {
    "--name": "Shop",
    "--email": "seller@example.com",
    "--country": "US",
    "--website": "base",
    "--product-id-type": "ASIN",
    "--attribute": "sku",
}
VALID_ARGS = [part for pair in VALID.items() for part in pair]


# --- stores add ------------------------------------------------------------------------------------


@pytest.mark.parametrize("option", list(VALID))
def test_add_with_each_hostile_value_saves_it_literally_or_refuses_in_one_line(
    capsys: pytest.CaptureFixture[str], option: str
) -> None:
    for number, (label, value) in enumerate(NASTY.items()):
        values = {**VALID, "--name": f"Shop {number}", option: value}
        before = listed(capsys)
        code, out, err = run(capsys, *ADD, *[part for pair in values.items() for part in pair])
        if code == 0:
            assert out == "" and len(err.splitlines()) == 1 and not raw_controls(err), (label, err)
            after = listed(capsys)
            assert after[:-1] == before and len(after) == len(before) + 1, label
            record = after[-1]
            if option == "--name":
                assert record["name"] == expected_name(value), label
            elif option == "--email":
                assert record["email"] == value.strip(), label
            elif option == "--attribute":
                assert record["attribute"] == value.strip(), label
        else:
            field = option[2:]
            message = assert_one_line_refusal(code, out, err)
            assert message.startswith(f"{field}: "), (label, message)
            assert listed(capsys) == before, label
            if option == "--name":
                assert expected_name(value) is None, (label, message)


def test_add_refuses_every_bad_field_at_once_one_line_each(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        *ADD,
        "--name",
        NASTY["ansi_clear"],
        "--email",
        NASTY["bidi_override"],
        "--country",
        NASTY["nul"],
        "--website",
        NASTY["10k"],
        "--product-id-type",
        NASTY["markup_link"],
        "--attribute",
        NASTY["surrogate"],
    )
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [
        "website",
        "email",
        "name",
        "country",
        "product-id-type",
    ]
    for line in lines:
        assert line.startswith(PREFIX) and is_one_sentence(line[len(PREFIX) :]), line
    assert listed(capsys) == []


def test_invalid_utf8_on_a_real_command_line_is_refused_in_one_line(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 in argv (a Latin-1 terminal): one sentence, not a database crash."""

    def cli(*args: str | bytes) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "asc_tui", *args], capture_output=True, timeout=60)

    added = cli(
        "stores",
        "add",
        "--name",
        b"Caf\xe9",
        "--email",
        "s@example.com",
        "--country",
        "US",
        "--website",
        "base",
    )
    assert added.returncode == 1 and added.stdout == b""
    err = added.stderr.decode("utf-8")
    assert err.count("\n") == 1 and err.startswith("asc-tui: name: "), err
    assert "UTF-8" in err and is_one_sentence(err[len(PREFIX) :].strip())
    connect = cli("stores", "connect", b"\xff\x1b[2J")
    assert connect.returncode == 1 and connect.stdout == b""
    err = connect.stderr.decode("utf-8")
    assert err.count("\n") == 1 and "There is no store named" in err, err
    assert not raw_controls(err.rstrip("\n")) and "\\x1b" in err
    listing = cli("stores", "list", "--json")
    assert listing.returncode == 0 and json.loads(listing.stdout) == []


# --- stores import ---------------------------------------------------------------------------------

HEADER = "name,email,country,website\n"
GOOD = "Imported,i@example.com,US,base\n"

# label -> (file name, bytes)
WHOLE_FILE_REFUSALS: dict[str, tuple[str, bytes]] = {
    "invalid_utf8_csv": ("in.csv", (HEADER + "Caf\xe9,s@example.com,US,base\n").encode("latin-1")),
    "invalid_utf8_json": ("in.json", '[{"name": "Caf\xe9"}]'.encode("latin-1")),
    "binary": ("in.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"),
    "utf16": ("in.csv", (HEADER + GOOD).encode("utf-16")),
    "nul_bytes": ("in.csv", (HEADER + "A\x00B,s@example.com,US,base\n").encode()),
    "empty": ("in.csv", b""),
    "whitespace_only": ("in.csv", b"  \n\n"),
    "missing_required_column": ("in.csv", b"name,email,country\nShop,s@example.com,US\n"),
    "extra_unknown_column": ("in.csv", (HEADER.strip() + ",notes\n" + GOOD.strip() + ",hi\n").encode()),
    "trailing_comma_header": ("in.csv", (HEADER.strip() + ",\n" + GOOD.strip() + ",\n").encode()),
    "column_twice": ("in.csv", b"name,email,country,website,name\nA,a@example.com,US,base,B\n"),
    "markup_header": ("in.csv", b"[bold]name[/bold],email,country,website\nA,a@example.com,US,base\n"),
    "json_object": (
        "in.json",
        b'{"name": "Shop", "email": "s@example.com", "country": "US", "website": "base"}',
    ),
    "json_number": ("in.json", b"42"),
    "json_null": ("in.json", b"null"),
    "json_string": ("in.json", b'"stores"'),
    "json_syntax": ("in.json", b'[{"name": "Shop",}]'),
    "json_truncated": ("in.json", b'[{"name": "Sh'),
    "json_deep": ("in.json", b"[" * 100_000 + b"]" * 100_000),
    "json_huge_number": ("in.json", b'[{"name": ' + b"9" * 5000 + b"}]"),
    "missing_file": ("", b""),
}


@pytest.mark.parametrize("label", sorted(WHOLE_FILE_REFUSALS))
def test_import_refuses_a_bad_file_in_one_sentence_and_saves_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, label: str
) -> None:
    assert run(capsys, *ADD, *VALID_ARGS)[0] == 0
    before = listed(capsys)
    name, content = WHOLE_FILE_REFUSALS[label]
    path = tmp_path / (name or "does-not-exist.csv")
    if name:
        path.write_bytes(content)
    code, out, err = run(capsys, "stores", "import", str(path))
    message = assert_one_line_refusal(code, out, err)
    assert str(path) in message
    assert listed(capsys) == before


# label -> (file name, text, how many problem rows)
ROW_REFUSALS: dict[str, tuple[str, str, int]] = {
    "json_non_objects": ("in.json", '[1, "x", null, [], true]', 5),
    "json_wrong_types": (
        "in.json",
        json.dumps(
            [
                {"name": 5, "email": "a@example.com", "country": "US", "website": "base"},
                {"name": "B", "email": ["b@example.com"], "country": "US", "website": "base"},
                {"name": "C", "email": "c@example.com", "country": True, "website": "base"},
                {"name": "D", "email": "d@example.com", "country": "US", "website": {"code": "base"}},
            ]
        ),
        4,
    ),
    "json_unknown_key": (
        "in.json",
        json.dumps([{"name": "A", "email": "a@example.com", "country": "US", "website": "base", "x": 1}]),
        1,
    ),
    "json_nul_escape": (
        "in.json",
        json.dumps([{"name": "A\x00B", "email": "a@example.com", "country": "US", "website": "base"}]),
        1,
    ),
    "json_surrogate_escape": (
        "in.json",
        '[{"name": "A\\udcffB", "email": "a@example.com", "country": "US", "website": "base"}]',
        1,
    ),
    "json_ansi_and_bidi": (
        "in.json",
        json.dumps(
            [
                {"name": NASTY["ansi_clear"], "email": "a@example.com", "country": "US", "website": "base"},
                {
                    "name": NASTY["bidi_override"],
                    "email": "b@example.com",
                    "country": "US",
                    "website": "base",
                },
                {
                    "name": "Fine",
                    "email": NASTY["bell"] + "c@example.com",
                    "country": "US",
                    "website": "base",
                },
            ]
        ),
        3,
    ),
    "json_10k_values": (
        "in.json",
        json.dumps(
            [{"name": "x" * 10_000, "email": "a@example.com", "country": "U" * 10_000, "website": "base"}]
        ),
        2,
    ),
    "csv_10k_values": ("in.csv", HEADER + "x" * 10_000 + ",a@example.com,US," + "w" * 10_000 + "\n", 2),
    "csv_field_over_csv_limit": ("in.csv", HEADER + "y" * 200_000 + ",a@example.com,US,base\n", 1),
    "csv_missing_values": ("in.csv", HEADER + "A,a@example.com,US\n" + GOOD, 1),
    "csv_extra_values": ("in.csv", HEADER + "A,a@example.com,US,base,extra\n" + GOOD, 1),
    "csv_quoted_newline": ("in.csv", HEADER + '"two\nlines",a@example.com,US,base\n' + GOOD, 1),
    "csv_markup_website": ("in.csv", HEADER + "A,a@example.com,US,[link=http://evil]base[/link]\n", 1),
    "csv_duplicate_names": (
        "in.csv",
        HEADER + "Twin,a@example.com,US,base\n twin ,b@example.com,CA,base\n",
        1,
    ),
    "csv_one_bad_row_among_good": ("in.csv", HEADER + GOOD + "Bad,not-an-email,US,base\n", 1),
}


@pytest.mark.parametrize("label", sorted(ROW_REFUSALS))
def test_import_lists_each_bad_row_and_saves_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, label: str
) -> None:
    assert run(capsys, *ADD, *VALID_ARGS)[0] == 0
    before = listed(capsys)
    name, content, rows = ROW_REFUSALS[label]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8", errors="surrogatepass")
    code, out, err = run(capsys, "stores", "import", str(path))
    problems = assert_row_refusal(code, out, err)
    assert len(problems) == rows, problems
    assert listed(capsys) == before


IMPORTED_NAMES = [
    NASTY[label]
    for label in (
        "markup_bold",
        "markup_link",
        "markup_close",
        "markup_at",
        "cjk",
        "emoji_zwj",
        "flag",
        "arabic",
        "sql_quote",
        "sql_or",
        "percent",
        "backslash",
        "quotes",
        "bom",
        "long_80_wide",
    )
] + ['Comma, "quoted"; semi']


@pytest.mark.parametrize("kind", ["csv", "csv_bom_crlf", "json", "json_bom"])
def test_import_accepts_hostile_but_valid_names_and_lists_them_literally(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    rows = [
        {"name": name, "email": f"s{i}@example.com", "country": "UK", "website": "base"}
        for i, name in enumerate(IMPORTED_NAMES)
    ]
    path = tmp_path / ("in.json" if kind.startswith("json") else "in.csv")
    if kind.startswith("json"):
        content = json.dumps(rows, ensure_ascii=False)
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer, fieldnames=list(rows[0]), lineterminator="\r\n" if "crlf" in kind else "\n"
        )
        writer.writeheader()
        writer.writerows(rows)
        content = buffer.getvalue()
    path.write_text(content, encoding="utf-8-sig" if "bom" in kind else "utf-8")
    code, out, err = run(capsys, "stores", "import", str(path))
    assert code == 0 and out == "", err
    assert err.splitlines() == [f"Imported {len(rows)} store(s) from {path}."]
    assert [r["name"] for r in listed(capsys)] == [expected_name(n) for n in IMPORTED_NAMES]


@pytest.mark.parametrize("content", [HEADER, "[]", "\ufeff" + HEADER])
def test_import_of_a_file_with_no_stores_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str
) -> None:
    path = tmp_path / ("in.json" if content == "[]" else "in.csv")
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "stores", "import", str(path))
    assert code == 0 and out == ""
    assert err == f"{path} holds no stores; nothing was imported.\n"
    assert listed(capsys) == []


def test_a_hostile_file_name_is_escaped_in_the_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "evil\x1b[2J\x07\u202e.csv"
    path.write_bytes(b"\xff")
    code, out, err = run(capsys, "stores", "import", str(path))
    message = assert_one_line_refusal(code, out, err)
    assert "evil\\x1b[2J\\x07\\u202e.csv" in message


# --- list and export -------------------------------------------------------------------------------


def accepted_hostile_values() -> list[tuple[str, str]]:
    """(name, email) pairs the registry accepts, one per NASTY name that is valid."""
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i, value in enumerate(NASTY.values()):
        name = expected_name(value, seen)
        if name is not None:
            seen.add(name.casefold())
            pairs.append((value, f"[bold]{i}'\"%s@例え.example"))
    return pairs


def test_list_and_exports_round_trip_hostile_names_literally(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pairs = accepted_hostile_values()
    assert len(pairs) >= 15
    for name, email in pairs:
        code, _out, err = run(capsys, *ADD, *VALID_ARGS, "--name", name, "--email", email)
        assert code == 0, err
    names = [expected_name(name) for name, _email in pairs]
    emails = [email for _name, email in pairs]
    records = listed(capsys)
    assert [r["name"] for r in records] == names
    assert [r["email"] for r in records] == emails
    code, out, _err = run(capsys, "stores", "export", "--json")
    assert code == 0 and json.loads(out) == records
    code, out, _err = run(capsys, "stores", "export")
    assert code == 0
    exported = list(csv.DictReader(io.StringIO(out, newline="")))
    # No cell a spreadsheet would run; each value comes back once export's quote is taken off.
    assert not [cell for row in exported for cell in row.values() if cell.startswith(FORMULA_STARTS)]
    assert [restore(r["name"]) for r in exported] == names
    assert [restore(r["email"]) for r in exported] == emails
    # The export's import columns load into another registry unchanged.
    columns = ["name", "email", "country", "website", "product_id_type", "attribute"]
    again = tmp_path / "again.csv"
    with again.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(exported)
    other = ["--db", str(tmp_path / "other.db")]
    code, _out, err = run(capsys, *other, "stores", "import", str(again))
    assert code == 0, err
    assert [(r["name"], r["email"]) for r in listed(capsys, *other)] == list(zip(names, emails, strict=True))
    # The table shows each name as typed (markup and all), one line per store.
    code, out, _err = run(capsys, "stores", "list")
    table = out.splitlines()
    assert code == 0 and len(table) == len(names) + 1
    for line, shown in zip(table[1:], names, strict=True):
        assert shown is not None and line.startswith(shown + " "), (line, shown)


def test_rows_written_by_something_else_are_shown_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    """A row that never passed validation (an older version, a SQL console) cannot drive the terminal."""
    assert run(capsys, *ADD, *VALID_ARGS)[0] == 0
    hostile = "evil\x1b[2J\x07\u202ename\x9b31m"
    registry = open_registry()
    try:
        with registry.database.engine.begin() as conn:
            conn.execute(text("UPDATE store SET name = :n, email = :e"), {"n": hostile, "e": hostile})
    finally:
        registry.close()
    plain: list[tuple[str, ...]] = [("stores", "list"), ("check-auth",)]
    for args in plain:
        code, out, err = run(capsys, *args)
        assert code == 0, err
        assert not raw_controls(out) and not raw_controls(err), out
        assert "evil" in out and "name" in out
    as_json: list[tuple[str, ...]] = [
        ("stores", "list", "--json"),
        ("stores", "export", "--json"),
        ("check-auth", "--json"),
    ]
    for args in as_json:
        code, out, err = run(capsys, *args)
        assert code == 0, err
        assert not raw_controls(out), args
        assert json.loads(out)[0]["name"] == hostile
        assert json.loads(out)[0]["email"] == hostile
