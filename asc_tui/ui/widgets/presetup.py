"""The pre-setup tasks as a checklist whose ticks are saved as you make them."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widgets import SelectionList
from textual.widgets.selection_list import Selection

from asc_tui.i18n import _
from asc_tui.presetup_tasks import PRE_SETUP_TASKS


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

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        key = event.selection.value
        self._save(key, key in self.selected)
