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
