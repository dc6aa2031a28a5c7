"""The few private names of dependencies asc-tui relies on, checked against the installed versions.

Each is used in one adapter (asc_tui/ui/textual_internals.py, and the guarded h11 protocol in
asc_tui/amazon/callback_server.py) and capped in pyproject.toml. These tests run in every resolution `make test` tries
(locked, newest, lowest), so an upgrade that moves one fails here by name instead of breaking a screen or the
callback worker's defences quietly.
"""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
import textwrap

from asc_tui.ui import textual_internals


def test_textual_and_rich_still_wrap_with_the_patterns_asc_tui_replaces() -> None:
    # In a fresh interpreter: the test session may already have replaced them.
    probe = textwrap.dedent(
        """
        import rich._wrap, textual._wrap
        print(textual._wrap.re_chunk.pattern)
        print(rich._wrap.re_word.pattern)
        """
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [
        textual_internals.TEXTUAL_CHUNK_PATTERN,
        textual_internals.RICH_WORD_PATTERN,
    ], "Textual or Rich changed how they split words: review asc_tui/ui/linebreak.py against the new code"


def test_replacing_the_patterns_changes_how_chinese_wraps_in_textual_and_rich() -> None:
    # Behaviour, not names: the replaced module attributes are the ones wrapping really reads.
    probe = textwrap.dedent(
        """
        from rich.console import Console
        from rich.text import Text
        from textual.content import Content
        sentence = "請確認 Commerce 的網站代碼，然後再試一次"
        def lines():
            rich_lines = Text(sentence).wrap(Console(width=12), 12)
            return [[line.plain.strip() for line in rich_lines], [line.plain for line in Content(sentence).wrap(12)]]
        print(lines())
        from asc_tui.ui import linebreak
        linebreak.install()
        print(lines())
        """
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    before, after = (ast.literal_eval(line) for line in out.splitlines())
    # Upstream breaks only at spaces: the Latin word stands alone; replaced, a Chinese character may follow it.
    assert before[0] == before[1] == ["請確認", "Commerce", "的網站代碼，", "然後再試一次"]
    assert after[0] == after[1] == ["請確認", "Commerce 的", "網站代碼，然", "後再試一次"]


def test_the_footer_still_builds_itself_from_footer_keys_and_labels() -> None:
    from textual.widget import Widget
    from textual.widgets import Footer, Label

    assert issubclass(textual_internals.FooterKey, Widget)
    assert issubclass(textual_internals.FooterLabel, Label)
    parameters = inspect.signature(textual_internals.FooterKey.__init__).parameters
    assert {"key", "key_display", "description", "action"} <= set(parameters)
    source = inspect.getsource(Footer.compose)
    assert "FooterKey(" in source and "FooterLabel(" in source


def test_uvicorns_h11_protocol_still_has_what_the_guarded_protocol_builds_on() -> None:
    from uvicorn.protocols.http.h11_impl import H11Protocol
    from uvicorn.server import ServerState

    for method in ("connection_made", "data_received", "on_response_complete", "connection_lost"):
        assert callable(getattr(H11Protocol, method, None)), f"H11Protocol.{method} is gone"
    source = inspect.getsource(H11Protocol)
    for attribute in ("self.cycle", "self.connections", "self.transport", "self.loop", "self.config"):
        assert attribute in source, f"H11Protocol no longer sets {attribute}"
    state = ServerState()
    assert isinstance(state.connections, set) and isinstance(state.tasks, set)


def test_selection_lists_still_draw_their_box_as_three_segments_around_the_toggle_glyph() -> None:
    """The checklist replaces the glyph between the box's edges (asc_tui/ui/widgets/presetup.py)."""
    from textual.widgets import SelectionList

    assert isinstance(textual_internals.ToggleButton.BUTTON_INNER, str)
    assert textual_internals.ToggleButton.BUTTON_INNER
    assert "BUTTON_INNER" in inspect.getsource(SelectionList)


def test_the_command_palette_still_shows_no_matches_the_way_the_translated_palette_replaces() -> None:
    from textual.command import CommandPalette

    for name in ("_start_no_matches_countdown", "_stop_no_matches_countdown"):
        assert callable(getattr(CommandPalette, name, None)), f"CommandPalette.{name} is gone"
    for name in ("_NO_MATCHES", "_NO_MATCHES_COUNTDOWN"):
        assert hasattr(CommandPalette, name), f"CommandPalette.{name} is gone"
    source = inspect.getsource(CommandPalette)
    assert "No matches found" in source and "self._list_visible" in source and "_no_matches_timer" in source


def test_widgets_still_update_their_scrollbars_through_scroll_update() -> None:
    from textual.widget import Widget

    parameters = list(inspect.signature(Widget._scroll_update).parameters)
    assert parameters == ["self", "virtual_size"], parameters


def test_a_focus_move_on_the_home_repaints_the_two_widgets_not_the_screen() -> None:
    # Behaviour, through public API: Screen.refresh is what a repainting reactive calls on its screen.
    import asyncio
    from typing import Self

    from textual.app import App, ComposeResult
    from textual.geometry import Region
    from textual.screen import Screen
    from textual.widgets import Button

    class Probe(textual_internals.QuietFocusScreen):
        refreshed = 0

        def compose(self) -> ComposeResult:
            yield Button("one", id="one")
            yield Button("two", id="two")

        def refresh(
            self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False
        ) -> Self:
            if not regions:
                Probe.refreshed += 1
            return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    class ProbeApp(App[None]):
        def get_default_screen(self) -> Probe:
            return Probe()

    async def move_focus() -> tuple[int, object]:
        app = ProbeApp()
        async with app.run_test() as pilot:
            await pilot.pause()
            Probe.refreshed = 0
            app.screen.query_one("#two").focus()
            await pilot.pause()
            return Probe.refreshed, app.focused

    refreshed, focused = asyncio.run(move_focus())
    assert focused is not None and focused.id == "two"  # type: ignore[attr-defined]
    assert refreshed == 0, "Textual repaints the whole screen on a focus move again: review QuietFocusScreen"
    # The override replaces upstream's own descriptor, of the same kind (a KeyError here: it moved).
    plain = Screen.__dict__["focused"]
    quiet = textual_internals.QuietFocusScreen.__dict__["focused"]
    assert type(plain) is type(quiet)
