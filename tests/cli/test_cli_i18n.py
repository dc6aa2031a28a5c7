"""The CLI in Traditional Chinese: chosen before the parser is built (so --help and argparse's own words are
translated), by --lang, [ui] language or the locale; tables aligned by cell width; JSON stays English."""

from __future__ import annotations

import ast
import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from asc_tui.cli.parser import argparse_words
from asc_tui.services.records import RECORD_KEYS
from tests.support.cli import write_config

SCRIPT = Path(sys.executable).with_name("asc-tui")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "asc_tui"]
PLAINTEXT = "keyrings.alt.file.PlaintextKeyring"
ZH = {"LANG": "zh_TW.UTF-8"}


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real `asc-tui` in a process of its own, in an 80-column terminal, with `env` added."""
    return subprocess.run(
        [*COMMAND, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80", **(env or {})},
        timeout=60,
    )


def add_us_store() -> None:
    added = cli(
        "stores",
        "add",
        "--name",
        "美國店",
        "--email",
        "a@example.com",
        "--country",
        "US",
        "--website",
        "base",
    )
    assert added.returncode == 0, added.stderr


def column_starts(line: str, cells: list[str]) -> list[int]:
    """The cell offset at which each of `cells` (in order, non-empty) starts in `line`."""
    starts, position = [], 0
    for cell in cells:
        found = line.index(cell, position)
        starts.append(cell_len(line[:found]))
        position = found + len(cell)
    return starts


def test_help_is_in_chinese_from_the_locale_and_fits_the_terminal() -> None:
    done = cli("--help", env=ZH)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("用法：asc-tui ")  # argparse's own "usage: "
    assert "在終端機中管理" in out and "選項：" in out and "顯示這份說明並結束" in out
    assert "--lang LANG" in out and "新增、匯入、列出和匯出商店" in out
    assert "usage:" not in out and "show this help message" not in out
    # Wrapped by display width: a Chinese character takes two of the 80 columns.
    assert all(cell_len(line) <= 80 for line in out.splitlines()), out


def test_a_subcommand_help_and_argparse_errors_are_in_chinese() -> None:
    done = cli("stores", "add", "--name", "x", env=ZH)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("用法：asc-tui stores add ")
    assert "asc-tui stores add: 錯誤：缺少必要的引數：--email, --country, --website" in done.stderr
    done = cli("nope", env=ZH)
    assert done.returncode == 2 and "錯誤：引數 COMMAND：無效的選擇：'nope'" in done.stderr


@pytest.mark.parametrize("option", [["--lang", "en"], ["--lang=en"]])
def test_lang_option_beats_the_locale(option: list[str]) -> None:
    done = cli(*option, "--help", env=ZH)
    assert done.returncode == 0
    assert done.stdout.startswith("usage: asc-tui ") and "show this help message and exit" in done.stdout
    assert not re.search(r"[\u4e00-\u9fff]", done.stdout)


def test_lang_option_after_the_command_counts_too() -> None:
    done = cli("stores", "list", "--lang", "zh-Hant")
    assert done.returncode == 0 and done.stderr.startswith("還沒有商店")


def test_ui_language_in_the_config_file(isolated_home: Path, tmp_path: Path) -> None:
    named = tmp_path / "named.toml"
    named.write_text('[ui]\nlanguage = "zh-Hant"\n', encoding="utf-8")
    for args in (["--config", str(named)], [f"--config={named}"]):
        done = cli(*args, "--help", env={"LANG": "en_US.UTF-8"})
        assert done.returncode == 0 and done.stdout.startswith("用法："), args
    # The default config file, and --lang still beats it.
    default = isolated_home / "config" / "config.toml"
    default.parent.mkdir(parents=True, exist_ok=True)
    default.write_text('[ui]\nlanguage = "zh-Hant"\n', encoding="utf-8")
    assert cli("--help").stdout.startswith("用法：")
    assert cli("--lang", "en", "--help").stdout.startswith("usage: ")


def test_a_broken_config_file_is_reported_by_the_command_in_the_chosen_language(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[ui\n", encoding="utf-8")
    done = cli("--config", str(broken), "stores", "list", env=ZH)
    assert done.returncode == 2 and done.stderr.startswith("asc-tui: ") and "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1 and str(broken) in done.stderr


def test_a_config_tomllib_cannot_read_is_reported_in_the_chosen_language(tmp_path: Path) -> None:
    """The language is read from the config before main()'s guard: a file tomllib fails on with another error
    than TOMLDecodeError (RecursionError here) must not escape there as a traceback."""
    deep = tmp_path / "deep.toml"
    deep.write_text("[amazon]\nclient_id = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    done = cli("--config", str(deep), "stores", "list", env=ZH)
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert done.stderr.startswith(f"asc-tui: {deep} 第 2 行：") and "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_the_early_language_read_lets_nothing_escape(monkeypatch: pytest.MonkeyPatch) -> None:
    import asc_tui.settings.config
    from asc_tui.cli.main import _read_config_quietly

    def fails(path: str | None = None) -> None:
        raise MemoryError("a config file too large to hold")

    monkeypatch.setattr(asc_tui.settings.config, "load_config", fails)
    assert _read_config_quietly("/somewhere/config.toml") is None


@pytest.mark.parametrize(
    ("env", "sentence"),
    [
        ({}, "asc-tui: Unknown language 'xx' for --lang; use en or zh-Hant.\n"),
        (ZH, "asc-tui: --lang 不認得語言 'xx'；請使用 en 或 zh-Hant。\n"),
    ],
)
def test_an_unknown_lang_is_one_sentence_and_exit_2(env: dict[str, str], sentence: str) -> None:
    for option in (["--lang", "xx"], ["--lang=xx"]):
        done = cli(*option, "stores", "list", env=env)
        assert (done.returncode, done.stdout, done.stderr) == (2, "", sentence)


def test_stores_list_in_chinese_aligns_by_cell_width() -> None:
    for name, country in (("美國旗艦店（主要）", "US"), ("Amazon Store UK", "UK"), ("加", "CA")):
        added = cli(
            "stores", "add", "--name", name, "--email", "a@example.com", "--country", country,
            "--website", "base", env=ZH,
        )  # fmt: skip
        assert added.returncode == 0 and added.stderr.startswith(f"已新增商店 '{name}'"), added.stderr
    done = cli("stores", "list", env=ZH)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    headers = ["名稱", "國家/地區", "網站", "狀態", "授權", "賣家 ID", "建立日期"]
    assert lines[0].split("  ")[0] == "名稱" and len(lines) == 4
    expected = column_starts(lines[0], headers)
    records = json.loads(cli("stores", "list", "--json", env=ZH).stdout)
    for line, record in zip(lines[1:], records, strict=True):
        day = re.search(r"\d{4}年\d{1,2}月\d{1,2}日", line)
        assert day is not None, line  # the day as Chinese writes it
        cells = [record["name"], record["country"], record["website"], "未連接", "未授權", day.group()]
        starts = column_starts(line, cells)
        assert starts == [expected[i] for i in (0, 1, 2, 3, 4, 6)], (line, lines[0])


def test_stores_list_json_and_export_stay_english() -> None:
    add_us_store()
    done = cli("stores", "list", "--json", env=ZH)
    assert done.returncode == 0
    (record,) = json.loads(done.stdout)
    assert tuple(record) == RECORD_KEYS
    assert record["status"] == "not_connected" and record["auth_health"] == "none"
    export = cli("stores", "export", env=ZH).stdout
    assert export.startswith("name,email,country,website,product_id_type,attribute,status")
    assert "not_connected" in export


def test_check_auth_in_chinese() -> None:
    add_us_store()
    done = cli("check-auth", env=ZH)
    assert done.returncode == 0
    header, row = done.stdout.splitlines()
    assert header.split() == ["名稱", "國家/地區", "狀態", "授權", "剩餘天數"]
    assert column_starts(row, ["美國店", "US", "未連接", "未授權"]) == column_starts(
        header, ["名稱", "國家/地區", "狀態", "授權"]
    )
    assert done.stderr == "還沒有任何商店連接到 Amazon。\n"


def test_catalog_refresh_and_show_name_the_embedded_sample_as_the_tui_does() -> None:
    """The source is `embedded` in the data (and in --json), 內建範例 for people, as the TUI says it."""
    done = cli("catalog", "refresh", env=ZH)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("已從 內建範例 讀取目錄：1 個網站，"), done.stderr
    shown = cli("catalog", "show", env=ZH)
    assert shown.returncode == 0 and shown.stdout.startswith("來源：內建範例，取得於 "), shown.stdout
    data = cli("catalog", "show", "--json", env=ZH)
    assert json.loads(data.stdout)["source"] == "embedded"


def test_doctor_in_chinese_and_its_json_in_english(isolated_home: Path, tmp_path: Path) -> None:
    write_config(isolated_home, listen="127.0.0.1:0")
    env = {
        **ZH,
        "PYTHON_KEYRING_BACKEND": PLAINTEXT,
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "ASC_TUI_LWA_CLIENT_SECRET": "x",
    }
    done = cli("doctor", env=env)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["檢查項目", "狀態", "詳細資訊"]
    names = {"設定檔", "資料庫", "金鑰圈", "金鑰圈讀寫測試", "回呼位址", "瀏覽器", "商店", "LWA 用戶端密碼"}
    assert names <= {re.split(r"\s{2,}", line)[0] for line in lines[1:]}
    keyring = next(line for line in lines if line.startswith("金鑰圈 "))
    assert "有問題" in keyring
    assert any(line.startswith("金鑰圈讀寫測試") and " 正常 " in line for line in lines)
    assert "毫秒" in done.stdout and any(line.startswith("商店 ") and "還沒有" in line for line in lines)
    # Each row's status starts where the header's does, whatever the width of the check's name.
    status = column_starts(lines[0], ["狀態"])[0]
    for line in lines[1:]:
        word = "正常" if " 正常 " in line else "有問題"
        assert column_starts(line, [re.split(r"\s{2,}", line)[0], word])[1] == status, line
    assert done.stderr.startswith("asc-tui: 機密資訊以未加密方式儲存")
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr

    as_json = cli("doctor", "--json", env=env)
    rows = {row["check"]: row for row in json.loads(as_json.stdout)}
    assert {"Config file", "Database", "Keyring", "Keyring round trip", "Callback address", "Browser"} <= set(
        rows
    )
    assert rows["Keyring round trip"]["detail"].startswith("write, read and delete worked in ")
    assert rows["Keyring"]["fix"].startswith("Secrets are stored unencrypted")
    assert not re.search(r"[\u4e00-\u9fff]", as_json.stdout + as_json.stderr)


def test_the_marked_argparse_words_are_argparse_s_own() -> None:
    # argparse looks its words up by their exact text: a word changed in a new Python would go untranslated.
    import argparse

    own = {
        node.value
        for node in ast.walk(ast.parse(inspect.getsource(argparse)))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert [word for word in argparse_words() if word not in own] == []
