"""The settings screen's language field: the choice, saved to the config file as soon as it is made (not
with ctrl+s), and which language is in force now, and why."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, Select, Static

from asc_tui.errors import AscError
from asc_tui.i18n import AUTO, LANGUAGE_NAMES, _, language_from_environment
from asc_tui.settings.config import Config, UiConfig
from asc_tui.settings.writer import save_language
from asc_tui.ui.text import literal


class LanguageSection(Vertical):
    DEFAULT_CSS = """
    LanguageSection {
        height: auto;
    }
    """

    class Saved(Message):
        """The language chosen is in the config file: the screen uses it (None: the locale's)."""

        def __init__(self, language: str | None, ui: UiConfig) -> None:
            super().__init__()
            self.language = language
            self.ui = ui

    class NotSaved(Message):
        def __init__(self, problem: str) -> None:
            super().__init__()
            self.problem = problem

    def __init__(self, config: Config) -> None:
        super().__init__()
        self._config = config

    def compose(self) -> ComposeResult:
        # The word "Language" stays readable to someone who switched to a language they cannot read.
        title = _("Language")
        label = title if title == "Language" else f"{title} · Language"  # i18n: English on purpose
        yield Label(label, classes="field-label")
        detected = LANGUAGE_NAMES[language_from_environment()]
        options = [
            (_("Automatic: {language}, from the locale (LANG)").format(language=detected), AUTO),
            *((name, code) for code, name in LANGUAGE_NAMES.items()),
        ]
        yield Select(
            options, value=self._config.ui.language or AUTO, allow_blank=False, id="language", compact=True
        )
        yield Static(
            literal(_("Switches at once, and is saved to the config file as [ui] language.")), classes="help"
        )
        yield Static(literal(_language_in_force()), id="language-in-force", classes="help")

    @on(Select.Changed, "#language")
    def _language_changed(self, event: Select.Changed) -> None:
        event.stop()  # not part of the form the screen saves with ctrl+s
        choice = None if event.value == AUTO else str(event.value)
        if choice == self._config.ui.language:
            return
        try:
            saved = save_language(self._config.path, choice)
        except AscError as exc:
            self.post_message(self.NotSaved(str(exc)))
            return
        self._config = replace(self._config, ui=saved.ui)
        self.post_message(self.Saved(choice, saved.ui))


def _language_in_force() -> str:
    """Which language is in use now, and why: --lang overrides the setting for this run."""
    from asc_tui.i18n import current_language, language_source

    language = LANGUAGE_NAMES[current_language()]
    reasons = {
        "cli": _(
            "In use now: {language}, from --lang, which overrides this setting until asc-tui starts without it."
        ),
        "config": _("In use now: {language}, from this setting."),
        "locale": _("In use now: {language}, from the locale (LANG)."),
    }
    return reasons.get(language_source(), _("In use now: {language}.")).format(language=language)
