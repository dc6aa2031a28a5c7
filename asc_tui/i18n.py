"""The language asc-tui speaks: English, or Traditional Chinese from a gettext catalog (compiled by Babel, at
development time; the app reads it with the standard library).

Every word the app shows goes through `_()` (or `ngettext()`); strings defined before a language is chosen
(module constants, key bindings) are marked with `N_()` and translated where they are shown. The language
is chosen once at start (`--lang`, then `[ui] language`, then LANGUAGE/LC_ALL/LC_MESSAGES/LANG) and can be
switched while running: `_()` always reads the current catalog.

Machine-readable output (JSON, CSV, exports, config keys, log files) stays English on purpose.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

DOMAIN = "asc_tui"
LOCALE_DIR = Path(__file__).parent / "locale"
ENGLISH = "en"
CHINESE = "zh-Hant"
LANGUAGES = (ENGLISH, CHINESE)
# What the language switch shows: each language in its own words.
LANGUAGE_NAMES = {ENGLISH: "English", CHINESE: "繁體中文"}
# The catalog folder of each language (Babel's locale identifiers).
_CATALOG = {CHINESE: "zh_Hant"}
AUTO = "auto"

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = ENGLISH
_region: str | None = None  # from the environment's locale, e.g. "TW", "HK", "US": for dates and numbers


def _(message: str) -> str:
    """`message` in the current language."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, in the current language."""
    return _translations.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks `message` for translation where it is defined; `_()` translates it where it is shown."""
    return message


def current_language() -> str:
    return _language


# Why the current language is in force: "cli" (--lang), "config" ([ui] language), "locale" or "settings".
_source = "locale"


def language_source() -> str:
    return _source


def note_language_source(source: str) -> None:
    global _source
    _source = source


def set_language(language: str) -> None:
    """Switch every later `_()` to `language` ("en" or "zh-Hant")."""
    global _translations, _language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    if language == ENGLISH:
        _translations = gettext.NullTranslations()
    else:
        _translations = gettext.translation(
            DOMAIN, localedir=LOCALE_DIR, languages=[_CATALOG[language]], fallback=True
        )
    _language = language


def set_translations(translations: gettext.NullTranslations, language: str = ENGLISH) -> None:
    """Use `translations` as they are (tests render a pseudo-language to find unmarked strings)."""
    global _translations, _language
    _translations = translations
    _language = language


def parse_language(text: str) -> str | None:
    """`en`, `zh-Hant` (or a locale name such as `zh_TW`) → a language; `auto` → None; else ValueError."""
    value = text.strip()
    if value.lower() == AUTO:
        return None
    language = _match(value)
    if language is None:
        raise ValueError(value)
    return language


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the locale variables ask for, in gettext's order; English when none matches."""
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if not value:
            continue
        if name == "LANGUAGE":  # a priority list, e.g. "zh_TW:en"
            for item in value.split(":"):
                if item and (language := _match(item)) is not None:
                    return language
            continue
        return _match(value) or ENGLISH  # the first locale variable set decides, as in POSIX
    return ENGLISH


def region_from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """The territory of the locale in effect (zh_HK.UTF-8 → HK), for how dates and numbers are written."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_TIME", "LANG"):
        value = env.get(name, "").strip()
        if value:
            base = value.split(".", 1)[0].split("@", 1)[0].replace("-", "_")
            parts = base.split("_")
            tail = parts[-1] if len(parts) > 1 else ""
            return tail.upper() if len(tail) == 2 and tail.isalpha() else None
    return None


def choose_language(cli: str | None, configured: str | None, environ: Mapping[str, str] | None = None) -> str:
    """--lang beats the config file, which beats the environment; the result is also made current."""
    global _region, _source
    language = cli or configured or language_from_environment(environ)
    _source = "cli" if cli else "config" if configured else "locale"
    _region = region_from_environment(environ)
    set_language(language)
    return language


def _match(tag: str) -> str | None:
    base = tag.split(".", 1)[0].split("@", 1)[0].replace("-", "_").lower()
    if base in ("c", "posix") or base == "en" or base.startswith("en_"):
        return ENGLISH
    # Traditional Chinese is the only Chinese asc-tui speaks: it serves zh_CN readers better than English.
    if base == "zh" or base.startswith("zh_"):
        return CHINESE
    return None


# --- dates and numbers --------------------------------------------------------------------------------


# CLDR's long date for Traditional Chinese, the same in zh_Hant_TW and zh_Hant_HK (`y年M月d日`); numbers there
# group digits with "," as English does. Written out so that the app does not need Babel (36 MB) at run time;
# tests/vocabulary/test_i18n.py holds both against Babel's CLDR data for both territories.
CHINESE_LONG_DATE = "{year}年{month}月{day}日"
# Weekdays as CLDR abbreviates them (`E`), Monday first as date.weekday() counts: for a day on a chart.
ENGLISH_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CHINESE_WEEKDAYS = ("週一", "週二", "週三", "週四", "週五", "週六", "週日")


def cldr_locale() -> str | None:
    """The CLDR locale for the current language, or None for asc-tui's plain English forms."""
    # English keeps forms no reader misreads (2027-11-27, 27 Nov 2026), whatever its territory.
    if _language == CHINESE:
        return "zh_Hant_HK" if _region in ("HK", "MO") else "zh_Hant_TW"
    return None


def format_day(day: date) -> str:
    """A calendar day: 27 Nov 2027 in English (as cards write times), 2027年11月27日 in Chinese."""
    if cldr_locale() is None:
        return f"{day.day} {day:%b %Y}"
    return CHINESE_LONG_DATE.format(year=day.year, month=day.month, day=day.day)


def format_weekday_day(day: date) -> str:
    """A day with its weekday: Mon 23 Nov 2026 in English, 2026年11月23日週一 in Chinese (CLDR's yMMMEd)."""
    if cldr_locale() is None:
        return f"{ENGLISH_WEEKDAYS[day.weekday()]} {format_day(day)}"
    return format_day(day) + CHINESE_WEEKDAYS[day.weekday()]


def format_moment(moment: datetime) -> str:
    """A local date and time: 27 Nov 2026 14:03 in English, 2026年11月27日 14:03 in Chinese."""
    if cldr_locale() is None:
        return f"{moment.day} {moment:%b %Y %H:%M}"
    return f"{format_day(moment)} {moment:%H:%M}"


def format_count(number: int) -> str:
    """A whole number with the locale's grouping: 10,000 (in Chinese too)."""
    return f"{number:,}"


# The symbols CLDR gives these currencies in Traditional Chinese, and the unambiguous ones in English (a bare
# "$" would not say which of three dollars): the same text in both languages, as the admin's stores use them.
_CURRENCY_SYMBOLS = {"USD": "US$", "CAD": "CA$", "MXN": "MX$", "GBP": "£", "EUR": "€", "JPY": "JP¥"}


def format_money(amount: Decimal, currency: str) -> str:
    """An amount of money as the admin reads it: US$1,234.56; an unknown currency keeps its ISO code."""
    digits = 0 if currency == "JPY" else 2
    exact = amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)
    symbol = _CURRENCY_SYMBOLS.get(currency)
    text = f"{abs(exact):,.{digits}f}"
    sign = "-" if exact < 0 else ""
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{currency} {text}"
