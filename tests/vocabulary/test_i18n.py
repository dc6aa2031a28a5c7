"""Every word shown is marked for translation, and the Traditional Chinese catalog has each one."""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from asc_tui import i18n
from asc_tui.i18n import _, choose_language, language_from_environment, parse_language

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "asc_tui"
CATALOG = PACKAGE / "locale" / "zh_Hant" / "LC_MESSAGES" / "asc_tui.po"
COMPILED = CATALOG.with_suffix(".mo")

# --- the catalog ----------------------------------------------------------------------------------


def extracted() -> dict[str, tuple[str, int]]:
    """msgid → (file, line) of every marked string, as `make i18n-extract` finds them."""
    found: dict[str, tuple[str, int]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=[("asc_tui/**.py", "python")]
    ):
        key = message[0] if isinstance(message, tuple) else message
        found.setdefault(key, (filename, lineno))
    return found


def catalog() -> dict[str, tuple[str | tuple[str, ...], bool]]:
    with CATALOG.open("rb") as handle:
        po = read_po(handle, locale="zh_Hant")
    out: dict[str, tuple[str | tuple[str, ...], bool]] = {}
    for message in po:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        out[key] = (message.string, message.fuzzy)
    return out


def test_every_marked_string_has_a_chinese_translation() -> None:
    marked = extracted()
    translated = catalog()
    missing = [
        f"{where}:{line}: {msgid!r}"
        for msgid, (where, line) in sorted(marked.items(), key=lambda item: item[1])
        if msgid not in translated
        or translated[msgid][1]
        or not all(
            translated[msgid][0] if isinstance(translated[msgid][0], tuple) else [translated[msgid][0]]
        )
    ]
    assert not missing, (
        f"{len(missing)} string(s) lack a zh-Hant translation (make i18n-update, translate, make "
        "i18n-compile):\n" + "\n".join(missing[:60])
    )


def test_the_catalog_has_no_strings_the_code_no_longer_uses() -> None:
    stale = sorted(set(catalog()) - set(extracted()))
    assert not stale, f"run make i18n-update: {len(stale)} stale entries, e.g. {stale[:10]}"


def test_the_compiled_catalog_matches_the_source() -> None:
    with COMPILED.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for msgid, (string, _fuzzy) in catalog().items():
        if isinstance(string, tuple):
            continue
        assert compiled.gettext(msgid) == string, f"run make i18n-compile: {msgid!r} differs"


def test_placeholders_survive_translation() -> None:
    # A translation that drops or renames {name} would raise KeyError (or lose facts) when formatted.
    for msgid, (string, _fuzzy) in catalog().items():
        if isinstance(string, tuple) or not string:
            continue
        fields = sorted(re.findall(r"\{[^{}]*\}", msgid))
        assert sorted(re.findall(r"\{[^{}]*\}", string)) == fields, msgid
        assert sorted(re.findall(r"%\(\w+\)[sdr]|%[sd]", string)) == sorted(
            re.findall(r"%\(\w+\)[sdr]|%[sd]", msgid)
        ), msgid


# --- strings that are shown but not marked --------------------------------------------------------

# Calls whose text reaches the admin: callee name → positional arguments that carry the text.
SHOWN_POSITIONAL: dict[str, tuple[int, ...]] = {
    "notify": (0,),
    "Static": (0,),
    "Label": (0,),
    "Button": (0,),
    "Checkbox": (0,),
    "RadioButton": (0,),
    "Link": (0,),
    "Markdown": (0,),
    "Text": (0,),
    "update": (0,),
    "append": (0,),
    "Binding": (2,),
    "SystemCommand": (0, 1),
    "Hit": (2,),
    "DiscoveryHit": (0,),
    "Option": (0,),
    "print": (0,),
    "_say": (0,),
    "_error": (0,),
    "_status": (0,),
    "_page": (2, 3),
    "_plain": (1,),
    "CallbackOutcome": (1, 2),
    "Outcome": (1,),
}
SHOWN_KEYWORDS = {
    "title",
    "sub_title",
    "message",
    "tooltip",
    "placeholder",
    "prompt",
    "label",
    "help",
    "description",
}
SHOWN_ATTRIBUTES = {"title", "sub_title", "border_title", "border_subtitle", "tooltip", "TITLE", "SUB_TITLE"}
# Our exceptions carry one sentence for the admin; Python's own are for programming errors.
INTERNAL_EXCEPTIONS = {
    "ValueError",
    "RuntimeError",
    "TypeError",
    "KeyError",
    "AssertionError",
    "NotImplementedError",
    "OSError",
    "SystemExit",
}
EXCEPTION_NAME = re.compile(r"(Error|Problem|Rejected|Failed|Needed|Taken|Changed|NotFound|Invalid|Input)$")
MARKERS = {"_", "N_", "ngettext"}
WORD = re.compile(r"[A-Za-z]{2,}")
IGNORE = "# i18n: not shown"  # on a line whose text never reaches a person (ids, protocol values)
ON_PURPOSE = "# i18n: English on purpose"  # shown, and meant to stay English in every language
SKIPPED = ("asc_tui/storage/migrations/", "asc_tui/i18n.py")


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _unmarked(node: ast.AST | None) -> bool:
    """Whether `node` is literal text with words in it, not passed through _() / ngettext()."""
    if node is None:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and WORD.search(node.value) is not None
    if isinstance(node, ast.JoinedStr):
        return any(_unmarked(part) for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _unmarked(node.left) or _unmarked(node.right)
    if isinstance(node, ast.IfExp):
        return _unmarked(node.body) or _unmarked(node.orelse)
    if isinstance(node, ast.BoolOp):
        return any(_unmarked(value) for value in node.values)
    if isinstance(node, ast.Call) and _callee(node) == "format" and isinstance(node.func, ast.Attribute):
        return _unmarked(node.func.value)
    return False


def unmarked_strings() -> Iterator[str]:
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(SKIPPED):
            continue
        source = path.read_text("utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)

        def report(node: ast.AST, relative: str = relative, lines: list[str] = lines) -> Iterator[str]:
            line = lines[node.lineno - 1] if hasattr(node, "lineno") else ""
            if IGNORE not in line and ON_PURPOSE not in line:
                yield f"{relative}:{getattr(node, 'lineno', 0)}: {line.strip()[:100]}"

        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _callee(node)
                if name in MARKERS:
                    continue
                positions = SHOWN_POSITIONAL.get(name, ())
                if not positions and EXCEPTION_NAME.search(name) and name not in INTERNAL_EXCEPTIONS:
                    positions = (0,)
                for index in positions:
                    if index < len(node.args) and _unmarked(node.args[index]):
                        yield from report(node.args[index])
                for keyword in node.keywords:
                    if keyword.arg in SHOWN_KEYWORDS and _unmarked(keyword.value):
                        yield from report(keyword.value)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    name = (
                        target.attr
                        if isinstance(target, ast.Attribute)
                        else target.id
                        if isinstance(target, ast.Name)
                        else ""
                    )
                    if name in SHOWN_ATTRIBUTES and _unmarked(node.value):
                        yield from report(node.value)


def test_every_shown_string_is_marked_for_translation() -> None:
    found = list(unmarked_strings())
    assert not found, (
        f"{len(found)} shown string(s) are not marked with _() / N_() / ngettext() "
        f"(or '{IGNORE}' where the text never reaches a person):\n" + "\n".join(found[:80])
    )


def test_the_unmarked_string_check_finds_one() -> None:
    tree = ast.parse(
        'self.notify(f"Store {name} saved")\nself.notify(_("Store {name} saved").format(name=n))'
    )
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and _callee(node) == "notify"]
    assert [_unmarked(call.args[0]) for call in calls] == [True, False]


# --- choosing the language ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "zh_TW.UTF-8"}, "zh-Hant"),
        ({"LANG": "zh_HK.UTF-8"}, "zh-Hant"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "zh_TW.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_TW.UTF-8"}, "zh-Hant"),
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "zh_TW:en"}, "zh-Hant"),
        ({"LANGUAGE": "fr:de", "LANG": "zh_TW.UTF-8"}, "zh-Hant"),
    ],
)
def test_the_language_follows_the_locale_variables(environ: dict[str, str], language: str) -> None:
    assert language_from_environment(environ) == language


def test_lang_option_beats_the_config_which_beats_the_environment() -> None:
    env = {"LANG": "zh_TW.UTF-8"}
    assert choose_language("en", "zh-Hant", env) == "en"
    assert choose_language(None, "en", env) == "en"
    assert choose_language(None, None, env) == "zh-Hant"


def test_parse_language() -> None:
    assert parse_language("zh-Hant") == parse_language("zh_TW") == "zh-Hant"
    assert parse_language("EN") == "en"
    assert parse_language("auto") is None
    with pytest.raises(ValueError):
        parse_language("klingon")


def test_switching_changes_what_underscore_returns() -> None:
    i18n.set_language("zh-Hant")
    assert _("Add store") == "新增商店"
    i18n.set_language("en")
    assert _("Add store") == "Add store"


def test_dates_and_numbers_follow_the_language() -> None:
    choose_language("en", None, {})
    assert i18n.format_day(date(2027, 11, 27)) == "27 Nov 2027"  # as cards write times (27 Nov 2026 14:03)
    assert i18n.format_weekday_day(date(2026, 11, 23)) == "Mon 23 Nov 2026"
    assert i18n.format_count(10000) == "10,000"
    choose_language("zh-Hant", None, {"LANG": "zh_TW.UTF-8"})
    assert i18n.format_day(date(2027, 11, 27)) == "2027年11月27日"
    assert i18n.format_moment(datetime(2026, 11, 27, 14, 3)) == "2026年11月27日 14:03"
    assert i18n.format_count(10000) == "10,000"


@pytest.mark.parametrize("environ", [{"LANG": "zh_TW.UTF-8"}, {"LANG": "zh_HK.UTF-8"}])
def test_chinese_dates_and_numbers_are_cldr_s_own(environ: dict[str, str]) -> None:
    """The app writes CLDR's forms without Babel at run time; Babel's CLDR data (a development dependency)
    is the reference, for every month, single- and double-digit days and the grouping of large numbers."""
    from babel.dates import format_date, format_skeleton
    from babel.numbers import format_decimal

    choose_language("zh-Hant", None, environ)
    locale = i18n.cldr_locale()
    assert locale is not None and locale.endswith(environ["LANG"][3:5])
    days = [
        date(year, month, day)
        for year in (1999, 2026, 2030)
        for month in range(1, 13)
        for day in (1, 9, 10, 28)
    ]
    for day in days:
        assert i18n.format_day(day) == format_date(day, format="long", locale=locale)
        assert i18n.format_weekday_day(day) == format_skeleton("yMMMEd", day, locale=locale)
        moment = datetime(day.year, day.month, day.day, 7, 5)
        assert i18n.format_moment(moment) == f"{format_date(moment, format='long', locale=locale)} 07:05"
    for number in (0, 7, 999, 1000, 10_000, 123_456, 1_234_567, 98_765_432_109, -4321):
        assert i18n.format_count(number) == format_decimal(number, locale=locale)


def test_chinese_says_通路_and_amazon_throughout() -> None:
    """Taiwan's Adobe pages call a sales channel 通路 (渠道 is the mainland word), and Amazon is "Amazon"
    everywhere, the title too (it said 亞馬遜 while every other line said Amazon)."""
    po = (Path(i18n.__file__).parent / "locale" / "zh_Hant" / "LC_MESSAGES" / "asc_tui.po").read_text("utf-8")
    translations = [line for line in po.splitlines() if line.startswith(("msgstr", '"'))]
    assert not [line for line in translations if "渠道" in line or "亞馬遜" in line]
    choose_language("zh-Hant", None, {"LANG": "zh_TW.UTF-8"})
    assert _("Amazon Sales Channel") == "Amazon 銷售通路"
