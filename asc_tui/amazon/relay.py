"""The relay page: a static HTML file an admin hosts at the registered HTTPS redirect URI.

Amazon only redirects to registered HTTPS addresses and refuses localhost, so an admin who runs asc-tui on
their own computer hosts this page there. Its inline script forwards the browser (top-level navigation,
`location.replace`) to the callback worker, `http://{listen}{redirect_path}` with Amazon's query appended.
When that cannot happen (asc-tui runs elsewhere, e.g. over SSH, or the browser blocks it) the page shows
the full address to copy into asc-tui's paste box; without JavaScript it says to copy the address bar.
Even when the forward lands on a browser error page, the address bar then holds the whole answer, which
the paste box accepts too.

The page is static: nothing from a query is ever put into it on a server. Its Content-Security-Policy
allows only its own inline script (by hash) and inline style.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json

from asc_tui.amazon.page_shell import page_style
from asc_tui.i18n import _, current_language
from asc_tui.settings.hosts import is_loopback, parse_listen

FALLBACK_DELAY_MS = 2500


class PlainHttpRelay(ValueError):
    """The relay would forward Amazon's answer to another computer without TLS; str() says so."""


def loopback_target(listen: str, redirect_path: str, *, tls: bool = False) -> str:
    """`http://host:port/path` the relay forwards to; a wildcard listen host becomes loopback. Another
    computer's address is forwarded to only over TLS (`https://`, the worker has a certificate): the
    answer carries the code and the state."""
    parsed = parse_listen(listen)
    if parsed is None or parsed[1] == 0:
        raise ValueError(
            _("The callback address {listen!r} is not host:port with a fixed port.").format(listen=listen)
        )
    host, port = parsed
    if not redirect_path.startswith("/"):
        raise ValueError(_("The redirect path must start with '/'."))
    if host in ("0.0.0.0", "*"):
        host = "127.0.0.1"
    elif host in ("::", "::0"):
        host = "::1"
    if not tls and not is_loopback(host):
        raise PlainHttpRelay(
            _(
                "The relay page would send Amazon's answer to {host} over plain http; give the callback "
                "worker callback_tls_cert and callback_tls_key, or listen on 127.0.0.1."
            ).format(host=host)
        )
    scheme = "https" if tls else "http"
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{int(port)}{redirect_path}"


def _js_string(value: str) -> str:
    """A JavaScript string literal that cannot end the <script> element it sits in."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_SCRIPT = """
(function () {
  "use strict";
  var target = __TARGET__;
  var search = window.location.search;
  var title = document.getElementById("title");
  var status = document.getElementById("status");
  var fallback = document.getElementById("fallback");
  var address = document.getElementById("address");
  var copied = document.getElementById("copied");
  address.value = window.location.href;
  function showFallback() {
    title.textContent = __PASTE_TITLE__;
    status.textContent = __PASTE_STATUS__;
    fallback.hidden = false;
  }
  document.getElementById("copy").addEventListener("click", function () {
    address.focus();
    address.select();
    function done(ok) { copied.textContent = ok ? __COPIED__ : __COPY_BY_HAND__; }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(address.value).then(function () { done(true); }, function () {
        try { done(document.execCommand("copy")); } catch (e) { done(false); }
      });
    } else {
      try { done(document.execCommand("copy")); } catch (e) { done(false); }
    }
  });
  if (!/[?&](spapi_oauth_code|error|amazon_callback_uri)=/.test(search)) {
    title.textContent = __IDLE_TITLE__;
    status.textContent = __IDLE_STATUS__;
    return;
  }
  window.setTimeout(showFallback, __DELAY__);
  try {
    window.location.replace(target + search);
  } catch (e) {
    showFallback();
  }
})();
"""

_STYLE = page_style(
    width="38rem",
    accent="#1565c0",
    extra=(
        "textarea { width: 100%; box-sizing: border-box; font: 13px/1.4 ui-monospace, Menlo, Consolas, monospace;\n"
        "  padding: .5rem; border-radius: 6px; border: 1px solid #b8c0cc; resize: vertical; word-break: break-all; }\n"
        "button { margin-top: .5rem; font: inherit; padding: .35rem 1.1rem; border-radius: 6px;\n"
        "  border: 1px solid #1565c0; background: #1565c0; color: #fff; cursor: pointer; }"
    ),
    extra_dark="textarea { background: #15191e; color: #e6e9ee; border-color: #3a4450; }",
)


def relay_page(listen: str, redirect_path: str, *, tls: bool = False) -> str:
    """The static relay HTML for a callback worker listening on `listen` at `redirect_path`.

    Its words are in the language asc-tui speaks when the page is written (`<html lang>` says which).
    """
    words = {
        "__PASTE_TITLE__": _("Paste this address into asc-tui"),
        "__PASTE_STATUS__": _("asc-tui did not take Amazon's answer from this browser."),
        "__COPIED__": _("Copied."),
        "__COPY_BY_HAND__": _("Select the address and copy it."),
        "__IDLE_TITLE__": _("asc-tui relay page"),
        "__IDLE_STATUS__": _(
            "Amazon sends your browser here after you approve the app in Seller Central; start connecting "
            "from asc-tui."
        ),
    }
    script = _SCRIPT.replace(
        "__TARGET__", _js_string(loopback_target(listen, redirect_path, tls=tls))
    ).replace("__DELAY__", str(FALLBACK_DELAY_MS))
    for marker, text in words.items():
        script = script.replace(marker, _js_string(text))

    def t(text: str) -> str:
        return html.escape(text, quote=False)

    page_title = t(_("Returning to asc-tui"))
    brand = t(_("asc-tui · Amazon Sales Channel"))
    heading = t(_("Returning to asc-tui…"))
    status = t(_("Amazon has answered; this page hands the answer to asc-tui on this computer."))
    no_script = t(
        _(
            "JavaScript is off, so this page cannot hand Amazon's answer to asc-tui. Copy the whole address "
            "from your browser's address bar and paste it into asc-tui's connect screen within 5 minutes."
        )
    )
    elsewhere = t(
        _(
            "If asc-tui runs on another computer (for example over SSH), copy this address and paste it into "
            "asc-tui's connect screen within 5 minutes of approving."
        )
    )
    address_label = html.escape(_("The address Amazon sent this browser to"), quote=True)
    copy = t(_("Copy"))
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'"
    return (
        "<!doctype html>\n"
        f'<html lang="{html.escape(current_language(), quote=True)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        f"<title>{page_title}</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f'<p class="brand">{brand}</p>\n'
        f'<h1 id="title">{heading}</h1>\n'
        f'<p id="status">{status}</p>\n'
        f"<noscript><p>{no_script}</p></noscript>\n"
        '<section id="fallback" hidden>\n'
        f"<p>{elsewhere}</p>\n"
        '<textarea id="address" readonly rows="5" spellcheck="false" '
        f'aria-label="{address_label}"></textarea>\n'
        f'<button id="copy" type="button">{copy}</button> <span id="copied" role="status"></span>\n'
        "</section>\n</main>\n"
        f"<script>{script}</script>\n"
        "</body>\n</html>\n"
    )
