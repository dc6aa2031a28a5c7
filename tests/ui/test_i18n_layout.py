"""Traditional Chinese on screen: cards with mixed Chinese/Latin names line up, and long lines wrap.

Chinese characters take two terminal cells. Every width is measured in cells (never len()), so a card's
right border stays in the same column whatever its name, and nothing is cut in the middle of a character.
"""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from asc_tui import i18n
from asc_tui.ui.app import AscApp
from asc_tui.ui.linebreak import RICH_WORD, TEXTUAL_CHUNK
from asc_tui.ui.screens.help import HelpScreen
from asc_tui.ui.screens.learn import LearnPrepareScreen
from asc_tui.ui.widgets.store_deck import CARD_HEIGHT, GUTTER

from .helpers import make_app, ready_home, screen_text, seed, until_ready

BORDERS = set("│┃╭╮╰╯┏┓┗┛")
# Names whose cell widths are odd and even, short and longer than a card: a cut must never split a character.
NAMES = (
    ("台北旗艦店 Taipei", "US"),
    ("Amazon Store USA", "US"),
    ("多倫多 Toronto 加拿大分店", "CA"),
    ("英國店 UK 倫敦超長名稱測試一二三四五六七八九十一二三四五六七八九十", "UK"),
    ("x墨西哥城旗艦店墨西哥城旗艦店墨西哥城旗艦店墨西哥城旗艦店", "MX"),
    ("Tienda México", "MX"),
)
NO_LINE_START = "，。、；：？！」』）"


@pytest.fixture(autouse=True)
def chinese() -> None:
    i18n.set_language("zh-Hant")  # tests/conftest.py sets English back


def screen_lines(app: AscApp) -> list[str]:
    return screen_text(app).split("\n")


def cells(line: str) -> list[str]:
    """The character in each cell of a line ("" for the second cell of a wide character)."""
    out: list[str] = []
    for char in line:
        width = cell_len(char)
        out.extend([char] + [""] * (width - 1) if width else [])
    return out


async def settle(pilot: Pilot[None]) -> None:
    for _i in range(3):
        await pilot.pause(0.05)


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (93, 40)])
async def test_card_borders_line_up_with_chinese_names(size: tuple[int, int]) -> None:
    seed(*NAMES)
    app = make_app()
    width = size[0]
    async with app.run_test(size=size) as pilot:
        await until_ready(pilot)
        deck = app.home.deck
        assert deck.columns == {80: 1, 120: 2, 93: 2}[width]
        lines = screen_lines(app)
        assert all(cell_len(line) <= width for line in lines)
        text = "\n".join(lines)
        assert "未連接" in text and "2026年11月20日 09:30" in text  # Chinese labels and dates are shown

        top, left = deck.region.y, deck.region.x
        for row in range(deck.region.height // CARD_HEIGHT):
            for column in range(deck.columns):
                if row * deck.columns + column >= len(deck.rows):
                    continue
                card_left = left + column * (deck.card_width + GUTTER)
                card_right = card_left + deck.card_width - 1
                for y in range(top + row * CARD_HEIGHT, top + (row + 1) * CARD_HEIGHT):
                    line = cells(lines[y])
                    assert line[card_left] in BORDERS and line[card_right] in BORDERS, (y, lines[y])
                    inside = line[card_left + 1 : card_right]
                    # Only the top and bottom lines are border; no content reaches past the right edge.
                    if y not in (top + row * CARD_HEIGHT, top + (row + 1) * CARD_HEIGHT - 1):
                        assert not BORDERS & set(inside), (y, lines[y])


async def test_long_names_are_cut_between_characters() -> None:
    async with ready_home(*NAMES) as (app, _):
        deck = app.home.deck
        for index, store in enumerate(deck.rows):
            title = deck.card_text(index).splitlines()[1]
            assert cell_len(title) == deck.card_width
            shown = title[1:-1].strip()
            assert shown.startswith(store.country)
            name = shown[len(store.country) :].strip()
            # The whole name, or its beginning and an ellipsis: never half a character.
            assert name == store.name or (name.endswith("…") and store.name.startswith(name[:-1].rstrip()))


async def test_footer_help_and_palette_speak_chinese() -> None:
    async with ready_home(("台北旗艦店 Taipei", "US")) as (app, pilot):
        text = "\n".join(screen_lines(app))
        assert "新增商店" in text and "指令面板" in text  # our binding and Textual's palette key

        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#keys", DataTable)
        assert str(table.get_row_at(0)[2]) == "新增 Amazon 商店"
        assert all(cell_len(line) <= 120 for line in screen_lines(app))
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("ctrl+p")
        await settle(pilot)
        assert app.screen.query_one(Input).placeholder == "搜尋指令…"
        titles = [command.title for command in app.get_system_commands(app.home)]
        assert "佈景主題" in titles and "結束" in titles


async def test_chinese_paragraphs_wrap_between_characters() -> None:
    async with ready_home(("台北旗艦店 Taipei", "US"), size=(80, 24)) as (app, pilot):
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, LearnPrepareScreen)
        intro = app.screen.query_one(".help", Static)
        lines = [strip.text.rstrip() for strip in intro.render_lines(intro.region.reset_offset)]
        lines = [line for line in lines if line]
        assert len(lines) >= 2
        # Filled lines (not broken only at the space before "Commerce"), and no line starts with "，。」".
        assert cell_len(lines[0]) >= intro.content_region.width - 2
        assert not any(line.lstrip()[:1] in NO_LINE_START for line in lines)


def test_english_wraps_exactly_as_before() -> None:
    old_chunk, old_word = re.compile(r"\S+\s*|\s+"), re.compile(r"\s*\S+\s*")

    def pieces(pattern: re.Pattern[str], text: str) -> list[str]:
        found, end = [], 0
        while (match := pattern.match(text, end)) is not None and match.end() > end:
            found.append(match.group(0))
            end = match.end()
        return found

    for text in (
        "Delete the store “[b]x[/b]” (US, website base)?  This cannot be undone…",
        "  leading\tand trailing  ",
        "Filter by name, country, website or status (escape clears)",
    ):
        assert pieces(TEXTUAL_CHUNK, text) == pieces(old_chunk, text)
        assert pieces(RICH_WORD, text) == pieces(old_word, text)
    assert pieces(TEXTUAL_CHUNK, "刪除商店「台北」（US，網站 base）嗎？") == [
        "刪",
        "除",
        "商",
        "店",
        "「台",
        "北」",
        "（US，",
        "網",
        "站 ",
        "base）",
        "嗎？",
    ]
    # A date stays whole: a notification never ends a line on "2027年11" and starts the next on "月27日".
    assert pieces(TEXTUAL_CHUNK, "期限 2027年11月27日。") == ["期", "限 ", "2027年11月27日。"]
    assert pieces(RICH_WORD, "期限 2027年11月27日。") == ["期", "限 ", "2027年11月27日。"]
