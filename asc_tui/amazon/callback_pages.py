"""The callback worker's own pages: the result page after Amazon's redirect, refusals, and their headers."""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from asc_tui.amazon.page_shell import page_style
from asc_tui.i18n import _, current_language

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Frame-Options": "DENY",
}


_STYLE = page_style(
    width="34rem",
    accent="#2e7d32",
    extra="main.error { border-top-color: #c62828; }\n.next { color: #55606e; }",
    extra_dark=".next { color: #a9b2be; }",
)


def render_page(ok: bool, title: str, message: str) -> str:
    """A self-contained result page (inline CSS, no external resource); every text is HTML-escaped.

    In the language asc-tui speaks now (`<html lang>` says which): the attempt words the outcome when
    Amazon's answer arrives, in the same language.
    """
    next_step = (
        _("You can close this tab and return to asc-tui in your terminal.")
        if ok
        else _("Return to asc-tui in your terminal to try again.")
    )
    mark = "✓ " if ok else ""
    brand = _("asc-tui · Amazon Sales Channel")
    return (
        "<!doctype html>\n"
        f'<html lang="{html.escape(current_language())}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{html.escape(title)} · asc-tui</title><style>{_STYLE}</style></head>\n"
        f'<body><main class="{"ok" if ok else "error"}"><p class="brand">{html.escape(brand)}</p>'
        f"<h1>{mark}{html.escape(title)}</h1><p>{html.escape(message)}</p>"
        f'<p class="next">{html.escape(next_step)}</p></main></body></html>\n'
    )


def page(status: int, ok: bool, title: str, message: str) -> HTMLResponse:
    return HTMLResponse(render_page(ok, title, message), status_code=status, headers=dict(SECURITY_HEADERS))


async def not_found(request: Request, exc: Exception) -> Response:
    return plain(404, _("Not found.") + "\n")


def plain(status: int, text: str, extra: dict[str, str] | None = None) -> PlainTextResponse:
    return PlainTextResponse(text, status_code=status, headers={**SECURITY_HEADERS, **(extra or {})})
