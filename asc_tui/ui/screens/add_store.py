"""Add Amazon store: the seed page's "Add Amazon sales channel" form, field for field, in its order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from asc_tui.commerce.model import Attribute, Catalog, Website
from asc_tui.domain import MARKETPLACES, ProductIdType, StoreDraft, validate_draft
from asc_tui.errors import StoreValidationError
from asc_tui.i18n import N_, _, format_count
from asc_tui.ui.messages import RefreshCatalog
from asc_tui.ui.text import VisibleControls, catalog_source, country_name, literal, local_time
from asc_tui.ui.widgets.footer import Footer

if TYPE_CHECKING:
    from asc_tui.storage.models import Store

FIELDS = ("website", "email", "name", "country", "product_id_type", "attribute")

# What each field is for: translated where the form shows it.
HELP = {
    "website": N_(
        "The Commerce website whose catalog is listed on Amazon; Amazon orders are imported "
        "into its default store view."
    ),
    "email": N_("Where you want to be contacted about this Amazon store."),
    "name": N_("For internal reference only; it names the store card. Any language, up to 80 characters."),
    "country": N_("The Amazon marketplace this store sells in. Fixed once the store exists."),
    "product_id_type": N_("Optional: the kind of product ID used to match Amazon listings to your products."),
    "attribute": N_(
        "Optional: the Commerce product attribute that holds that ID, e.g. amazon_asin. Type part "
        "of its code or label to narrow the list; enter or a click picks one."
    ),
}
FILTER_PLACEHOLDER = N_("Type to filter attributes by code or label")
EXAMPLE_EMAIL = "seller@example.com"  # an address: the same in every language
NO_ATTRIBUTE = "\x00none"  # the option id of "None" (attribute codes are [a-z0-9_], so it cannot clash)


def website_options(websites: Sequence[Website]) -> list[tuple[Text, str]]:
    return [(literal(f"{w.name} ({w.code})"), w.code) for w in websites]


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


class AddStoreModal(ModalScreen["Store | None"]):
    """Returns the new store, or None when cancelled (then nothing was saved)."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), tooltip=N_("Close without saving")),
        Binding("tab", "app.focus_next", N_("Next field"), show=True),
        Binding("ctrl+s", "submit", N_("Save store"), tooltip=N_("Save the new store"), priority=True),
        Binding(
            "ctrl+r",
            "refresh_catalog",
            N_("Refresh catalog"),
            tooltip=N_("Read websites and attributes again"),
        ),
    ]
    AUTO_FOCUS = "#website"

    def __init__(self, catalog: Catalog, save: Callable[[StoreDraft], Store]) -> None:
        super().__init__()
        self._catalog = catalog
        self._save = save
        self._touched: set[str] = set()

    def on_mount(self) -> None:
        # Opens at its top: the first field's label must be in view, not scrolled past by the focus.
        self.call_after_refresh(self.query_one("#dialog", VerticalScroll).scroll_home, animate=False)

    def compose(self) -> ComposeResult:
        catalog = self._catalog
        with VerticalScroll(id="dialog", classes="form-dialog") as dialog:
            dialog.border_title = _("Add Amazon sales channel")
            yield from self._field(
                _("Magento Website to use for Amazon Listing *"),
                self._select("website", website_options(catalog.websites), _("Choose a website")),
            )
            yield from self._field(_("Email Address *"), self._input("email", EXAMPLE_EMAIL))
            yield from self._field(
                _("New Store Name *"), self._input("name", _("For internal reference only"))
            )
            yield from self._field(
                _("Amazon Marketplace Country *"),
                self._select(
                    "country", [(country_name(code), code) for code in MARKETPLACES], _("Choose a country")
                ),
            )
            yield Static(_("Map your Magento attributes to Amazon"), classes="section-title")
            yield from self._field(
                _("Product ID on the Amazon market"),
                self._select("product_id_type", [(t.value, t.value) for t in ProductIdType], _("None")),
            )
            yield from self._field(
                _("Map a Magento attribute"),
                AttributePicker(catalog.attributes, id="attribute", tooltip=_(HELP["attribute"])),
            )
            yield Static(self._catalog_age(catalog), classes="help catalog-age")
            with Horizontal(classes="buttons"):
                yield Button(_("Cancel"), id="cancel", variant="default")
                yield Button(_("Save store"), id="submit", variant="primary", disabled=True)
        yield Footer()  # the form's keys stay in view while it is open

    async def retranslate(self) -> None:
        """The language changed: compose again, keeping the chosen attribute and what was typed."""
        from asc_tui.ui.retranslate import rebuild

        picker = self.query_one("#attribute", AttributePicker)
        chosen, narrowed = picker.value, picker.filter_text
        await rebuild(self)
        picker = self.query_one("#attribute", AttributePicker)
        with self.prevent(AttributePicker.Changed):
            picker.value = chosen
        picker.query_one(Input).value = narrowed  # narrows the list again, as typing did
        self._recheck()

    @staticmethod
    def _catalog_age(catalog: Catalog) -> str:
        return _("Catalog: {source}, read {time} (ctrl+r reads it again)").format(
            source=catalog_source(catalog.source), time=local_time(catalog.fetched_at)
        )

    def action_refresh_catalog(self) -> None:
        self.query_one(".catalog-age", Static).update(_("Reading the catalog again…"))
        self.post_message(RefreshCatalog())

    def use_catalog(self, catalog: Catalog) -> None:
        """A refreshed catalog: offer its websites and attributes, keeping what was chosen when still there."""
        self._catalog = catalog
        select: Select[str] = self.query_one("#website", Select)
        chosen = select.value
        select.set_options(website_options(catalog.websites))
        if chosen is not Select.NULL and chosen in catalog.website_codes:
            select.value = chosen
        self.query_one("#attribute", AttributePicker).set_attributes(catalog.attributes)
        self.query_one(".catalog-age", Static).update(self._catalog_age(catalog))

    def catalog_not_refreshed(self) -> None:
        self.query_one(".catalog-age", Static).update(
            self._catalog_age(self._catalog) + " · " + _("refresh failed")
        )

    @staticmethod
    def _select(field: str, options: Sequence[tuple[str | Text, str]], prompt: str) -> Select[str]:
        return Select(
            options, id=field, prompt=prompt, tooltip=_(HELP[field]), compact=True, type_to_search=True
        )

    @staticmethod
    def _input(field: str, placeholder: str) -> Input:
        return Input(
            placeholder=placeholder,
            id=field,
            tooltip=_(HELP[field]),
            compact=True,
            highlighter=VisibleControls(),
        )

    @staticmethod
    def _field(label: str, widget: Widget) -> ComposeResult:
        """A field as the seed page lays it out: label, control, what it is for, and its error when it has one."""
        yield Label(label, classes="field-label")
        yield widget
        yield Static(_(HELP[str(widget.id)]), classes="help")
        error = Static("", id=f"{widget.id}-error", classes="field-error")
        error.display = False
        yield error

    # --- reading and checking the form ------------------------------------------------------------

    def draft(self) -> StoreDraft:
        def select_value(widget_id: str) -> str:
            value = self.query_one(f"#{widget_id}", Select).value
            return "" if value is Select.NULL else str(value)

        return StoreDraft(
            name=self.query_one("#name", Input).value,
            email=self.query_one("#email", Input).value,
            country=select_value("country"),
            website=select_value("website"),
            product_id_type=select_value("product_id_type"),
            attribute=self.query_one("#attribute", AttributePicker).value,
        )

    def show_errors(self, errors: dict[str, str], *, only_touched: bool) -> None:
        for field in FIELDS:
            message = errors.get(field, "")
            if only_touched and field not in self._touched:
                message = ""
            error = self.query_one(f"#{field}-error", Static)
            error.update(literal(message))  # messages quote what was typed: never markup
            error.display = bool(message)
            self.query_one(f"#{field}").set_class(bool(message), "-invalid")

    def _recheck(self) -> None:
        _valid, errors = validate_draft(
            self.draft(), self._catalog.website_codes, self._catalog.attribute_codes
        )
        self.show_errors(errors.errors, only_touched=True)
        self.query_one("#submit", Button).disabled = bool(errors)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(AttributePicker.Changed)
    def _field_changed(self, event: Input.Changed | Select.Changed | AttributePicker.Changed) -> None:
        if event.control.id:
            self._touched.add(event.control.id)
            # The pair is checked together: touching one makes a missing other worth saying.
            if event.control.id in ("product_id_type", "attribute"):
                self._touched.update(("product_id_type", "attribute"))
        self._recheck()

    @on(Input.Submitted)
    def _input_submitted(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_submit(self) -> None:
        self._touched.update(FIELDS)
        try:
            store = self._save(self.draft())
        except StoreValidationError as exc:
            self.show_errors(exc.errors, only_touched=False)
            first = next((f for f in FIELDS if f in exc.errors), None)
            if first:
                self.query_one(f"#{first}").focus()
            self.query_one("#submit", Button).disabled = True
            return
        self.dismiss(store)

    def action_cancel(self) -> None:
        self.dismiss(None)
