"""Connect (or renew) one store: the steps, the consent link, the time left, and the paste box.

The attempt is started by the app (off the UI thread) and handed in; this screen arms every way back at
once: the callback worker runs as an async worker, the paste box has focus, and a timer counts down.
Whatever ends the attempt first (Amazon, a paste, escape, the timeout) dismisses the screen with the
attempt's outcome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from asc_tui.amazon.redirect import looks_like_refresh_token
from asc_tui.i18n import N_, _
from asc_tui.services.connect_steps import consent_steps
from asc_tui.services.paste import Next, PasteBox
from asc_tui.system.browser import choose_browser, open_url
from asc_tui.ui.text import VisibleControls, literal, plain
from asc_tui.ui.widgets.footer import Footer

if TYPE_CHECKING:
    from asc_tui.services.connect import ConnectService, ConnectSession, Outcome  # noqa: F401  (in the Screen's type)


def format_time_left(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


class AnswerLine(Static):
    """What connect answers a paste: scrolled into view once it is laid out, which on a short terminal
    (60×20) is below the view, and a longer answer takes more lines than the one before."""

    def __init__(self, *, id: str, classes: str) -> None:
        super().__init__(id=id, classes=classes)
        self._answered = False

    def answer(self, text: Text) -> None:
        self._answered = True
        self.update(text)
        self.call_after_refresh(self.scroll_visible, animate=False)  # the same size as the answer before

    def on_resize(self) -> None:
        if self._answered:
            self.scroll_visible(animate=False)


class ConnectScreen(Screen["Outcome | None"]):
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), tooltip=N_("Stop connecting; the store stays as it was")),
        Binding(
            "ctrl+y",
            "copy_link",
            N_("Copy link"),
            tooltip=N_("Copy the consent link to the clipboard (OSC 52)"),
        ),
        Binding(
            "ctrl+o", "open_browser", N_("Open browser"), tooltip=N_("Open the consent link in a browser")
        ),
    ]

    def __init__(self, service: ConnectService, attempt: ConnectSession, *, sandbox: bool) -> None:
        super().__init__(id="connect")
        self.service = service
        self.attempt = attempt
        self.sandbox = sandbox
        self._paste = PasteBox(service, attempt)
        self._done = False
        # What became of the browser ("not-opened", "headless", "opened", "failed"), to say it again in
        # another language.
        self._browser = ""

    def compose(self) -> ComposeResult:
        attempt = self.attempt
        yield Header()
        with VerticalScroll(id="connect-body"):
            # No box around the steps: at 80×24 its two lines are what keeps the paste box in view.
            lines = consent_steps(attempt, sandbox=self.sandbox)
            yield Static(
                Text.assemble((lines[0], "bold"), *("\n" + line for line in lines[1:])), id="connect-steps"
            )
            # The link whole, on lines of its own, outside any box: a border drawn on its lines would be
            # copied with it, and a click (OSC 8, on every line it takes) opens it whole.
            yield Static(_("Consent link (click it, or ctrl+y to copy it):"), classes="label")
            link = Text(attempt.consent_url, style=Style(link=attempt.consent_url, underline=True))
            yield Static(link, id="connect-link")
            yield Static(id="connect-browser")
            yield Static(id="connect-waiting")
            yield Static(
                _("Or paste the address the browser ended on (or a refresh token), then enter:"),
                classes="label",
            )
            yield Input(
                id="connect-paste",
                compact=True,
                highlighter=VisibleControls(),
                placeholder="https://…?state=…&selling_partner_id=…&spapi_oauth_code=…",  # i18n: not shown
            )
            yield Input(
                id="connect-seller",
                compact=True,
                highlighter=VisibleControls(),
                placeholder=_("Seller ID (Merchant Token, Seller Central › Settings › Account Info)"),
                classes="-hidden",
            )
            yield AnswerLine(id="connect-error", classes="field-error")
        yield Footer()

    def on_mount(self) -> None:
        self._show_titles()
        self._tick()
        self.set_interval(1.0, self._tick)
        # Focus in the paste box without scrolling to it: the screen opens at its top, steps 1-3 in view.
        self.query_one("#connect-paste", Input).focus(scroll_visible=False)
        self._serve()
        self._open_browser(auto=True)

    def _show_titles(self) -> None:
        title = _("Renew “{name}”") if self.attempt.renewal else _("Connect “{name}”")
        self.title = title.format(name=plain(self.attempt.store_name))
        self.sub_title = _("Amazon {country}").format(country=_(self.attempt.marketplace.country))

    async def retranslate(self) -> None:
        """The language changed: compose again, then the titles and the lines filled in since, anew."""
        from asc_tui.ui.retranslate import rebuild

        await rebuild(self)
        self._show_titles()
        self._tick()
        self._show_browser()
        if self._paste.wants_seller_id:
            self.query_one("#connect-seller", Input).remove_class("-hidden")

    # --- the ways back ---------------------------------------------------------------------------------

    @work(exit_on_error=False, group="connect-callback")
    async def _serve(self) -> None:
        try:
            await self.service.serve_callbacks(self.attempt)
        finally:
            if self.attempt.ended:
                self._finish()

    @on(Input.Changed, "#connect-paste")
    def _mask_tokens(self, event: Input.Changed) -> None:
        # A refresh token is a long-lived secret: it is never shown, even while pasting it.
        event.input.password = looks_like_refresh_token(event.value)
        event.input.scroll_visible(animate=False)  # on a short terminal it opened below the view

    @on(Input.Submitted, "#connect-paste")
    def _pasted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self._show_error(_("Paste the address your browser ended on first."))
            return
        self._show_error(_("Checking with Amazon…"), busy=True)
        self._complete(text)

    @on(Input.Submitted, "#connect-seller")
    def _seller_given(self, event: Input.Submitted) -> None:
        if not self._paste.wants_seller_id:
            return
        self._show_error(_("Checking with Amazon…"), busy=True)
        self._complete(event.value.strip())

    @work(thread=True, exclusive=True, exit_on_error=False, group="connect-paste")
    def _complete(self, text: str) -> None:
        reply = self._paste.submit(text)
        if reply.next is Next.SELLER_ID:
            self.app.call_from_thread(self._ask_seller_id, reply.message)
        elif reply.next is Next.REFUSED:
            self.app.call_from_thread(self._show_error, reply.message)
        else:
            self.app.call_from_thread(self._finish)

    def _ask_seller_id(self, message: str) -> None:
        seller = self.query_one("#connect-seller", Input)
        seller.remove_class("-hidden")
        seller.focus()
        self._show_error(message)

    def _show_error(self, message: str, *, busy: bool = False) -> None:
        error = self.query_one("#connect-error", AnswerLine)
        error.set_class(busy, "-busy")
        error.answer(literal(message))

    # --- time, cancel, end -----------------------------------------------------------------------------

    def _tick(self) -> None:
        if not self.query("#connect-waiting"):
            return  # being composed again in another language: the next tick draws
        if self.attempt.ended:
            self._finish()
            return
        if self.attempt.seconds_left() <= 0:
            self._end_in_worker(timed_out=True)
            return
        left = " · " + _("{time} left").format(time=format_time_left(self.attempt.seconds_left()))
        if self.attempt.listener is None:
            self.query_one("#connect-waiting", Static).update(
                Text.assemble(
                    ("● ", "bold yellow"),
                    literal(
                        _("Not listening for Amazon: {problem} Paste the address instead").format(
                            problem=self.attempt.listen_problem
                        )
                    ),
                    left,
                )
            )
            return
        # The address in bold, wherever the sentence puts it.
        before, _sep, after = _("Waiting for Amazon at {address}").partition("{address}")
        self.query_one("#connect-waiting", Static).update(
            Text.assemble(
                ("● ", "bold green"),
                before,
                literal(self.attempt.redirect_uri, "bold"),
                after,
                left,
            )
        )

    def on_unmount(self) -> None:
        # Leaving by any road (the app quitting included) ends the attempt and frees the port.
        if not self.attempt.ended:
            self.service.cancel(self.attempt)

    def action_cancel(self) -> None:
        self._end_in_worker(timed_out=False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="connect-end")
    def _end_in_worker(self, timed_out: bool) -> None:
        # Off the UI thread: ending writes to the database, which may wait on a busy lock.
        if self.service.cancel(self.attempt, timed_out=timed_out) is None:
            if not timed_out:
                self.app.call_from_thread(
                    self.notify,
                    _("Amazon's answer is being checked; asc-tui stops before saving it, in a moment."),
                    markup=False,
                )
            return
        self.app.call_from_thread(self._finish)

    def _finish(self) -> None:
        if self._done or not self.attempt.ended:
            return
        self._done = True
        self.dismiss(self.attempt.outcome)

    # --- link ------------------------------------------------------------------------------------------

    def action_copy_link(self) -> None:
        import os

        self.app.copy_to_clipboard(self.attempt.consent_url)
        if os.environ.get("TMUX"):
            # tmux drops OSC 52 unless told otherwise: say what was done, not that it worked.
            message = _(
                "Consent link sent to your terminal's clipboard (tmux needs `set -g set-clipboard on`)."
            )
        else:
            message = _("Consent link copied to the clipboard (where the terminal allows it).")
        self.notify(message, markup=False)

    def action_open_browser(self) -> None:
        self._open_browser(auto=False)

    def _open_browser(self, *, auto: bool) -> None:
        choice = choose_browser()
        if choice.command is None:
            self._browser = "not-opened"
        elif auto and self.app.is_headless:
            self._browser = "headless"
        else:
            self._browser = "opened" if open_url(choice, self.attempt.consent_url) else "failed"
        self._show_browser()

    def _show_browser(self) -> None:
        # The reason is asked again (it only reads the environment), so it reads in the current language.
        reason = choose_browser().reason
        text = {
            "not-opened": _("Browser not opened: {reason}. Open the link on your own computer."),
            "headless": _("Browser not opened (headless). ctrl+o opens it."),
            "opened": _("Browser {reason}."),
            "failed": _("The browser could not be started."),
        }.get(self._browser, "")
        self.query_one("#connect-browser", Static).update(literal(text.format(reason=reason)))
