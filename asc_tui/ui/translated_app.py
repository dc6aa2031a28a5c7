"""Textual's own words (the command palette, its system commands, the quit hint, screenshots) in the
app's language: the parts of App that speak, overridden once, under everything AscApp adds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual import events, on
from textual.app import App, SystemCommand
from textual.screen import Screen

from asc_tui.i18n import _
from asc_tui.ui.commands import AscCommandPalette


class TranslatedApp(App[None]):
    def asks_before_quitting(self) -> bool:
        """Whether quitting now must be confirmed first (True: asked, or already asking)."""
        return False

    def action_command_palette(self) -> None:
        if self.use_command_palette and not AscCommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(AscCommandPalette(id="--command-palette"))

    def search_themes(self) -> None:
        from textual.theme import ThemeProvider

        self.push_screen(AscCommandPalette(providers=[ThemeProvider], placeholder=_("Search for themes…")))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands, translated. Its "Keys" panel is left out: the palette's own "Keys" opens the
        help screen, which lists every key in the app's language."""
        yield SystemCommand(_("Theme"), _("Change the current theme"), self.action_change_theme)
        yield SystemCommand(_("Quit"), _("Quit the application as soon as possible"), self.action_quit)
        if screen.maximized is not None:
            yield SystemCommand(
                _("Minimize"), _("Minimize the widget and restore to normal size"), screen.action_minimize
            )
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(_("Maximize"), _("Maximize the focused widget"), screen.action_maximize)
        yield SystemCommand(
            _("Screenshot"),
            _("Save an SVG 'screenshot' of the current screen"),
            lambda: self.set_timer(0.1, self.deliver_screenshot),
        )

    def action_help_quit(self) -> None:
        if self.asks_before_quitting():
            return
        # ctrl+c no longer quits (it copies): say which key does.
        for key, active_binding in self.active_bindings.items():
            if active_binding.binding.action in ("quit", "app.quit"):
                self.notify(
                    _("Press [b]{key}[/b] to quit the app").format(key=key), title=_("Do you want to quit?")
                )
                return

    @on(events.DeliveryComplete)
    def _screenshot_saved(self, event: events.DeliveryComplete) -> None:
        if event.name != "screenshot":
            return
        event.prevent_default()  # instead of Textual's English notice
        if event.path is None:
            self.notify(_("Saved screenshot"), title=_("Screenshot"))
        else:
            where = repr(str(event.path))
            self.notify(
                _("Saved screenshot to {path}").format(path=where), title=_("Screenshot"), markup=False
            )

    @on(events.DeliveryFailed)
    def _screenshot_failed(self, event: events.DeliveryFailed) -> None:
        if event.name != "screenshot":
            return
        event.prevent_default()
        self.notify(_("Failed to save screenshot"), title=_("Screenshot"), severity="error")
