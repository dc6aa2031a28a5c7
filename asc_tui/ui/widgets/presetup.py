"""The pre-setup tasks as a checklist whose ticks are saved as you make them."""

from __future__ import annotations

from collections.abc import Callable

from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip
from textual.widgets import SelectionList
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import Selection

from asc_tui.domain.presetup_tasks import PRE_SETUP_TASKS
from asc_tui.i18n import _
from asc_tui.ui.textual_internals import ToggleButton


def _prompt(number: int, title: str, detail: str) -> Text:
    return Text.assemble((f"{number}. {title}", "bold"), "\n", (f"   {detail}", "dim"))


class PreSetupChecklist(SelectionList[str]):
    """space or enter ticks a task; the tick is saved through `save(key, done)`."""

    def __init__(self, done: set[str], save: Callable[[str, bool], None], *, id: str | None = None) -> None:
        super().__init__(
            *(
                Selection(_prompt(n, _(t.title), _(t.detail)), t.key, t.key in done)
                for n, t in enumerate(PRE_SETUP_TASKS, start=1)
            ),
            id=id,
            classes="presetup",
        )
        self._save = save
        self.border_title = _("Pre-setup tasks")

    def render_line(self, y: int) -> Strip:
        """Textual's box is the same "X" ticked or not (only its colour differs): a tick, or nothing, so a
        monochrome terminal (NO_COLOR) tells them apart."""
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 3 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        meta = segments[0].style.meta if segments[0].style is not None else {}
        index = meta.get("option")
        if not isinstance(index, int):
            return strip
        try:
            ticked = self.get_option_at_index(index).value in self.selected
        except OptionDoesNotExist:
            return strip
        segments[1] = Segment("✓" if ticked else " ", segments[1].style)
        return Strip(segments, strip.cell_length)

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        key = event.selection.value
        self._save(key, key in self.selected)
