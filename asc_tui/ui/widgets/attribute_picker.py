"""The attribute picker of the add form: type part of a Commerce attribute's code or label, pick one.

A shop may have thousands of attributes: the list shows the first matches and says how many more there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from asc_tui.commerce.model import Attribute
from asc_tui.i18n import N_, _, format_count
from asc_tui.ui.text import VisibleControls, literal

FILTER_PLACEHOLDER = N_("Type to filter attributes by code or label")
NO_ATTRIBUTE = "\x00none"  # the option id of "None" (attribute codes are [a-z0-9_], so it cannot clash)


def attribute_text(attribute: Attribute) -> str:
    label = attribute.label.strip()
    return f"{label} ({attribute.code})" if label and label != attribute.code else attribute.code


class AttributePicker(Vertical, can_focus=False):
    """The catalog's product attributes, narrowed as you type by code or label; enter or a click picks one.

    A shop may have thousands of attributes: at most `LIMIT` matches are listed (the best first: the code
    itself, then codes and labels that start with what was typed, then the rest in catalog order), and a
    last line says how many more there are. `value` is the chosen code, "" for none.
    """

    LIMIT: ClassVar[int] = 200
    BINDINGS: ClassVar[list[BindingType]] = [
        # While typing in the filter: move through the matches without leaving it.
        Binding("down", "move(1)", N_("Next match"), show=False),
        Binding("up", "move(-1)", N_("Previous match"), show=False),
        Binding("pagedown", "move(8)", N_("Next page"), show=False),
        Binding("pageup", "move(-8)", N_("Previous page"), show=False),
    ]
    DEFAULT_CSS = """
    AttributePicker {
        height: auto;
    }
    AttributePicker > OptionList {
        height: auto;
        max-height: 8;
        background: $panel;
    }
    AttributePicker.-invalid > Input {
        background: $error 25%;
    }
    AttributePicker > .attribute-chosen {
        height: auto;
    }
    """

    class Changed(Message):
        """A different attribute was picked (or "None")."""

        def __init__(self, picker: AttributePicker, value: str) -> None:
            super().__init__()
            self.picker = picker
            self.value = value

        @property
        def control(self) -> AttributePicker:
            return self.picker

    def __init__(self, attributes: Sequence[Attribute], *, id: str, tooltip: str | None = None) -> None:
        super().__init__(id=id)
        self._filter_tooltip = tooltip
        self._attributes: tuple[Attribute, ...] = ()
        self._codes: set[str] = set()
        self._haystacks: list[tuple[str, str]] = []
        self._value = ""
        self._matches = 0
        self._set_attributes(attributes)

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder=_(FILTER_PLACEHOLDER),
            id=f"{self.id}-filter",
            compact=True,
            tooltip=self._filter_tooltip,
            highlighter=VisibleControls(),
        )
        yield OptionList(id=f"{self.id}-options", compact=True)
        yield Static(classes="attribute-chosen help", id=f"{self.id}-chosen")

    def on_mount(self) -> None:
        self._show_matches()

    # --- what is offered and what is chosen ---------------------------------------------------------

    @property
    def value(self) -> str:
        return self._value

    @value.setter
    def value(self, code: str) -> None:
        self._pick(code if code in self._codes else "")

    @property
    def filter_text(self) -> str:
        return self.query_one(Input).value

    def _set_attributes(self, attributes: Sequence[Attribute]) -> None:
        self._attributes = tuple(attributes)
        self._codes = {a.code for a in self._attributes}
        self._haystacks = [(a.code.lower(), a.label.lower()) for a in self._attributes]

    def set_attributes(self, attributes: Sequence[Attribute]) -> None:
        """A refreshed catalog: offer its attributes, keeping the chosen one if it is still there."""
        self._set_attributes(attributes)
        if self._value and self._value not in self._codes:
            self._pick("")
        else:
            self._show_matches()

    def matches(self, text: str) -> list[Attribute]:
        """Every attribute whose code or label holds each word typed, the best matches first."""
        words = text.lower().split()
        if not words:
            return list(self._attributes)
        query = " ".join(words)
        ranked: list[tuple[int, int, Attribute]] = []
        for index, ((code, label), attribute) in enumerate(
            zip(self._haystacks, self._attributes, strict=True)
        ):
            both = f"{code} {label}"
            if not all(word in both for word in words):
                continue
            if code == query:
                rank = 0
            elif code.startswith(query) or label.startswith(query):
                rank = 1
            else:
                rank = 2
            ranked.append((rank, index, attribute))
        ranked.sort(key=lambda row: (row[0], row[1]))
        return [attribute for _rank, _index, attribute in ranked]

    def _show_matches(self) -> None:
        if not self.children:  # not composed yet: on_mount shows them
            return
        text = self.filter_text
        found = self.matches(text)
        self._matches = len(found)
        shown = found[: self.LIMIT]
        options: list[Option] = [Option(self._prompt(_("None"), self._value == ""), id=NO_ATTRIBUTE)]
        options += [Option(self._prompt(attribute_text(a), a.code == self._value), id=a.code) for a in shown]
        if not found and text.strip():
            no_match = _("No attribute matches “{text}”.").format(text=text.strip())
            options.append(Option(literal(no_match), disabled=True))
        elif len(found) > len(shown):
            more = _("… {count} more: keep typing").format(count=format_count(len(found) - len(shown)))
            options.append(Option(Text(more), disabled=True))
        option_list = self.query_one(OptionList)
        option_list.set_options(options)
        if text.strip() and shown:
            option_list.highlighted = 1  # the best match: enter picks it
        else:
            chosen = next((i for i, o in enumerate(options) if o.id == (self._value or NO_ATTRIBUTE)), 0)
            option_list.highlighted = chosen
        self._show_chosen()

    @staticmethod
    def _prompt(text: str, chosen: bool) -> Text:
        return literal(f"{'✓' if chosen else ' '} {text}")

    def _show_chosen(self) -> None:
        chosen = next((a for a in self._attributes if a.code == self._value), None)
        total = len(self._attributes)
        if self.filter_text.strip():
            count = _("{matches} of {total} attributes match").format(
                matches=format_count(self._matches), total=format_count(total)
            )
        else:
            count = _("{total} attributes; type to narrow").format(total=format_count(total))
        self.query_one(".attribute-chosen", Static).update(
            Text.assemble(
                _("Chosen: "), literal(attribute_text(chosen) if chosen else _("None"), "bold"), f" · {count}"
            )
        )

    def _pick(self, code: str) -> None:
        changed = code != self._value
        self._value = code
        self._show_matches()
        if changed:
            self.post_message(self.Changed(self, code))

    # --- keys and clicks -------------------------------------------------------------------------------

    def focus(self, scroll_visible: bool = True) -> AttributePicker:
        """Focusing the picker (e.g. to show its error) focuses its filter."""
        self.query_one(Input).focus(scroll_visible)
        return self

    def action_move(self, step: int) -> None:
        option_list = self.query_one(OptionList)
        last = option_list.option_count - 1
        if last < 0:
            return
        current = option_list.highlighted if option_list.highlighted is not None else 0
        target = max(0, min(last, current + step))
        # Skip the disabled "more"/"no match" line at the end.
        while target > 0 and option_list.get_option_at_index(target).disabled:
            target -= 1
        option_list.highlighted = target

    @on(Input.Changed)
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()  # the form reacts to the pick, not to the filter
        self._show_matches()

    @on(Input.Submitted)
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # enter here picks the highlighted attribute; it does not submit the form
        option_list = self.query_one(OptionList)
        index = option_list.highlighted
        if index is not None and not option_list.get_option_at_index(index).disabled:
            self._pick_option(option_list.get_option_at_index(index))

    @on(OptionList.OptionSelected)
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick_option(event.option)

    def _pick_option(self, option: Option) -> None:
        self._pick("" if option.id in (None, NO_ATTRIBUTE) else str(option.id))
