"""HTML of the sandbox Seller Central pages (see `asc_tui.amazon.sandbox`).

Plain functions from values to self-contained HTML: inline CSS, one inline script (nonce'd) on the
consent page, no external resources. Every value that came from a request or a seller is escaped here,
so callers pass raw text.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import NamedTuple

BADGE = "SANDBOX — not Amazon"


class DemoAccount(NamedTuple):
    """One row of the demo-credentials box on the sign-in page."""

    email: str
    phone: str
    password: str
    otp: str
    marketplaces: str  # e.g. "US, CA, MX + MCF"


class RequestDetails(NamedTuple):
    """What the app sent in the consent URL, shown (escaped) to help whoever debugs the app."""

    application_id: str
    redirect_uri: str
    state: str
    version: str


def e(text: object) -> str:
    """Escape for HTML text and double- or single-quoted attribute values."""
    return escape(str(text), quote=True)


_CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#111;background:#fff;line-height:1.45}
.badge{background:#6b1fb1;color:#fff;text-align:center;padding:8px 12px;font-weight:bold;letter-spacing:.03em}
.badge small{display:block;font-weight:normal;letter-spacing:0;opacity:.9}
header{text-align:center;padding:18px 0 6px}
.logo{font-size:26px;font-weight:bold;color:#111;letter-spacing:-.5px}
.logo span{color:#e47911}
.logo em{font-style:normal;font-weight:normal;font-size:18px;color:#555}
main{max-width:440px;margin:0 auto;padding:0 16px 32px}
main.wide{max-width:640px}
.card{border:1px solid #ddd;border-radius:8px;padding:20px 26px;margin-top:10px}
h1{font-weight:normal;font-size:26px;margin:0 0 12px}
label{display:block;font-weight:bold;margin:12px 0 4px}
input[type=text],input[type=email],input[type=password]{width:100%;padding:7px 8px;font-size:14px;
 border:1px solid #a6a6a6;border-top-color:#949494;border-radius:3px}
input:focus{outline:2px solid #e77600;border-color:#e77600}
.btn{display:inline-block;width:100%;margin-top:16px;padding:8px 10px;font-size:14px;cursor:pointer;
 border:1px solid #a88734;border-radius:3px;background:linear-gradient(#f7dfa5,#f0c14b);color:#111}
.btn:disabled{cursor:not-allowed;opacity:.5}
.btn.secondary{background:linear-gradient(#f7f8fa,#e7e9ec);border-color:#adb1b8}
.row{display:flex;flex-direction:row-reverse;gap:10px}
.row .btn{flex:1}
.error{border:1px solid #c40000;border-left-width:5px;border-radius:4px;padding:10px 14px;margin:0 0 14px;color:#c40000}
.error b{display:block;margin-bottom:2px}
.notice{border:1px solid #5d9bd5;background:#f3f8fd;border-radius:4px;padding:10px 14px;margin:14px 0}
.demo{border:1px dashed #6b1fb1;background:#faf6fe;border-radius:6px;padding:10px 14px;margin-top:18px}
.demo h2{font-size:14px;margin:0 0 6px;color:#6b1fb1}
.demo table{border-collapse:collapse;width:100%;font-size:12.5px}
.demo th,.demo td{text-align:left;padding:3px 6px 3px 0;vertical-align:top}
.demo code,.muted code{font-size:12.5px}
.demo td code{white-space:nowrap}
.check{display:flex;gap:10px;align-items:flex-start;margin:16px 0 4px;font-weight:normal}
.check input{margin-top:3px;transform:scale(1.2)}
.muted{color:#555;font-size:12.5px}
details{margin-top:18px}
details table{font-size:12px;border-collapse:collapse}
details td{padding:2px 8px 2px 0;vertical-align:top;word-break:break-all}
.linkbtn{background:none;border:none;color:#0066c0;padding:0;cursor:pointer;font-size:12.5px}
footer{text-align:center;color:#555;font-size:11px;margin:24px 0}
"""


def _layout(title: str, body: str, *, wide: bool = False, script: str = "", nonce: str = "") -> str:
    script_tag = f'<script nonce="{e(nonce)}">{script}</script>' if script else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{e(title)} · {e(BADGE)}</title><style>{_CSS}</style></head>"
        "<body>"
        f'<div class="badge" id="sandbox-badge">{e(BADGE)}'
        "<small>Demo pages served by asc-tui on this computer. Nothing you type here goes to Amazon.</small>"
        "</div>"
        '<header><div class="logo">amazon <span>seller central</span> <em>(sandbox)</em></div></header>'
        f'<main class="{"wide" if wide else ""}">{body}</main>'
        "<footer>asc-tui sandbox emulator · not affiliated with Amazon</footer>"
        f"{script_tag}</body></html>"
    )


def _error_box(error: str | None, heading: str = "There was a problem") -> str:
    if not error:
        return ""
    return f'<div class="error" id="error" role="alert"><b>{e(heading)}</b>{e(error)}</div>'


def _hidden(csrf: str) -> str:
    return f'<input type="hidden" name="csrf" value="{e(csrf)}">'


def _details(details: RequestDetails | None) -> str:
    if details is None:
        return ""
    rows = "".join(
        f"<tr><td>{e(k)}</td><td><code>{e(v) if v else '<i>(none)</i>'}</code></td></tr>"
        for k, v in (
            ("application_id", details.application_id),
            ("redirect_uri", details.redirect_uri),
            ("state", details.state),
            ("version", details.version),
        )
    )
    return (
        '<details id="request-details"><summary class="muted">Sandbox: what the app sent</summary>'
        f"<table>{rows}</table></details>"
    )


def signin_page(
    *,
    action: str,
    csrf: str,
    email: str = "",
    error: str | None = None,
    accounts: Sequence[DemoAccount] = (),
    marketplace: str = "",
) -> str:
    demo_rows = "".join(
        f"<tr><td><code>{e(a.email)}</code><br><span class='muted'>{e(a.phone)}</span></td>"
        f"<td><code>{e(a.password)}</code></td><td><code>{e(a.otp)}</code></td>"
        f"<td>{e(a.marketplaces)}</td></tr>"
        for a in accounts
    )
    demo = (
        '<div class="demo" id="demo-accounts"><h2>Sandbox demo accounts</h2>'
        "<table><tr><th>Email or phone</th><th>Password</th><th>2-step code</th><th>Sells in</th></tr>"
        f"{demo_rows}</table></div>"
        if accounts
        else ""
    )
    where = f'<p class="muted">Seller Central · {e(marketplace)}</p>' if marketplace else ""
    body = (
        f'<div class="card"><h1>Sign in</h1>{where}{_error_box(error)}'
        f'<form method="post" action="{e(action)}" autocomplete="off">{_hidden(csrf)}'
        '<label for="email">Email or mobile phone number</label>'
        f'<input type="text" id="email" name="email" value="{e(email)}" autofocus required>'
        '<label for="password">Password</label>'
        '<input type="password" id="password" name="password" required>'
        '<button class="btn" id="signin" type="submit">Sign in</button>'
        "</form>"
        '<p class="muted">By continuing, you agree to the sandbox\'s make-believe Conditions of Use.</p>'
        f"</div>{demo}"
    )
    return _layout("Amazon Sign-In", body, wide=bool(accounts))


def otp_page(
    *,
    action: str,
    csrf: str,
    masked_phone: str,
    sandbox_code: str,
    error: str | None = None,
) -> str:
    body = (
        f'<div class="card"><h1>Two-Step Verification</h1>{_error_box(error)}'
        f"<p>For added security, please enter the One Time Password (OTP) sent to {e(masked_phone)}.</p>"
        f'<form method="post" action="{e(action)}" autocomplete="off">{_hidden(csrf)}'
        '<label for="otp">Enter OTP</label>'
        '<input type="text" id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" '
        "autofocus required>"
        '<button class="btn" id="verify" type="submit">Sign in</button>'
        "</form>"
        f'<div class="notice" id="sandbox-otp">Sandbox: the code is <code>{e(sandbox_code)}</code>. '
        "No text message is sent.</div></div>"
    )
    return _layout("Two-Step Verification", body)


# Enables Next only while the box is ticked; the server checks the box again on submit.
_CONSENT_SCRIPT = (
    "(function(){var b=document.getElementById('understand'),n=document.getElementById('next');"
    "function s(){n.disabled=!b.checked;}b.addEventListener('change',s);s();})();"
)


def consent_page(
    *,
    action: str,
    csrf: str,
    nonce: str,
    app_name: str,
    seller_label: str,
    region_name: str,
    marketplace: str,
    draft: bool,
    error: str | None = None,
    details: RequestDetails | None = None,
) -> str:
    draft_note = (
        '<p class="muted" id="draft-note">This application is in draft status and is being authorized '
        "with <code>version=beta</code>.</p>"
        if draft
        else ""
    )
    body = (
        f'<div class="card"><h1>Amazon Marketplace Web Service</h1>{_error_box(error)}'
        f"<p><b>{e(app_name)}</b> is requesting access to your Amazon selling account "
        f"(<b>{e(seller_label)}</b>) in <b>{e(region_name)}</b>. You are signing in from the "
        f"{e(marketplace)} Seller Central.</p>"
        f"{draft_note}"
        f'<form method="post" action="{e(action)}">{_hidden(csrf)}'
        '<label class="check" for="understand">'
        '<input type="checkbox" id="understand" name="understand" value="yes">'
        f"<span>I understand… I direct Amazon to provide {e(app_name)} with access to my Amazon seller "
        f"account, including my selling data in {e(region_name)}, and I authorize {e(app_name)} to "
        "access and use that data. I can revoke this authorization at any time in Seller Central "
        "(Settings &gt; User Permissions).</span></label>"
        # Next comes first in the markup (shown on the right) so that it, not Cancel, is the default button.
        '<div class="row">'
        '<button class="btn" id="next" type="submit" name="action" value="next" disabled>Next</button>'
        '<button class="btn secondary" id="decline" type="submit" name="action" value="decline" '
        "formnovalidate>Cancel</button>"
        "</div>"
        '<noscript><button class="btn" id="next-noscript" type="submit" name="action" value="next">'
        "Next (tick the box first)</button></noscript>"
        '<p class="muted">Not your account? <button class="linkbtn" id="switch-account" type="submit" '
        'name="action" value="switch" formnovalidate>Sign in with another account</button></p>'
        f"</form>{_details(details)}</div>"
    )
    return _layout("Authorize application", body, wide=True, script=_CONSENT_SCRIPT, nonce=nonce)


def almost_done_page(*, action: str, csrf: str, app_name: str) -> str:
    body = (
        '<div class="card"><h1>You are almost done</h1>'
        f"<p>Click <b>Continue</b> to finish authorizing <b>{e(app_name)}</b>. Amazon then sends you back "
        "to the application, which completes the connection.</p>"
        f'<form method="post" action="{e(action)}">{_hidden(csrf)}'
        '<button class="btn" id="continue" type="submit" name="action" value="continue">Continue</button>'
        "</form></div>"
    )
    return _layout("You are almost done", body)


def error_page(
    *,
    title: str,
    message: str,
    code: str = "",
    details: RequestDetails | None = None,
    restart_url: str = "",
) -> str:
    code_line = f'<p class="muted" id="error-code">Error code: <b>{e(code)}</b></p>' if code else ""
    restart = (
        f'<p><a href="{e(restart_url)}" id="restart">Start this authorization again</a></p>'
        if restart_url
        else ""
    )
    body = (
        f'<div class="card"><h1>{e(title)}</h1>'
        f'<div class="error" id="error" role="alert">{e(message)}</div>'
        f"{code_line}{restart}{_details(details)}</div>"
    )
    return _layout(title, body, wide=True)
