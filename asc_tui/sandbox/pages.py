"""HTML of the sandbox Seller Central pages (see `asc_tui.sandbox.consent`).

Plain functions from values to self-contained HTML: inline CSS, one inline script (nonce'd) on the
consent page, no external resources. Every value that came from a request or a seller is escaped here,
so callers pass raw text.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import NamedTuple

from asc_tui.i18n import N_, _, current_language

# The pages speak asc-tui's current language, except Amazon's own words that the connect steps quote:
# "I understand…", "Next", "Continue" and "You are almost done".
BADGE = N_("SANDBOX — not Amazon")


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


def _words(template: str, **values: str) -> str:
    """A translated sentence, escaped as text, with `values` (HTML already) put into its {placeholders}."""
    return escape(template, quote=False).format(**values)


def _layout(title: str, body: str, *, wide: bool = False, script: str = "", nonce: str = "") -> str:
    script_tag = f'<script nonce="{e(nonce)}">{script}</script>' if script else ""
    badge = e(_(BADGE))
    note = e(_("Demo pages served by asc-tui on this computer. Nothing you type here goes to Amazon."))
    sandbox = e(_("(sandbox)"))
    footer = e(_("asc-tui sandbox emulator · not affiliated with Amazon"))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{e(current_language())}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{e(title)} · {badge}</title><style>{_CSS}</style></head>"
        "<body>"
        f'<div class="badge" id="sandbox-badge">{badge}'
        f"<small>{note}</small>"
        "</div>"
        f'<header><div class="logo">amazon <span>seller central</span> <em>{sandbox}</em></div></header>'
        f'<main class="{"wide" if wide else ""}">{body}</main>'
        f"<footer>{footer}</footer>"
        f"{script_tag}</body></html>"
    )


def _error_box(error: str | None, heading: str | None = None) -> str:
    if not error:
        return ""
    shown = _("There was a problem") if heading is None else heading
    return f'<div class="error" id="error" role="alert"><b>{e(shown)}</b>{e(error)}</div>'


def _hidden(csrf: str) -> str:
    return f'<input type="hidden" name="csrf" value="{e(csrf)}">'


def _details(details: RequestDetails | None) -> str:
    if details is None:
        return ""
    none = "<i>" + e(_("(none)")) + "</i>"
    rows = "".join(
        f"<tr><td>{e(k)}</td><td><code>{e(v) if v else none}</code></td></tr>"
        for k, v in (
            ("application_id", details.application_id),
            ("redirect_uri", details.redirect_uri),
            ("state", details.state),
            ("version", details.version),
        )
    )
    summary = e(_("Sandbox: what the app sent"))
    return (
        f'<details id="request-details"><summary class="muted">{summary}</summary>'
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
    demo_title = e(_("Sandbox demo accounts"))
    headings = "".join(
        "<th>" + e(text) + "</th>"
        for text in (_("Email or phone"), _("Password"), _("2-step code"), _("Sells in"))
    )
    demo = (
        f'<div class="demo" id="demo-accounts"><h2>{demo_title}</h2>'
        f"<table><tr>{headings}</tr>"
        f"{demo_rows}</table></div>"
        if accounts
        else ""
    )
    where = f'<p class="muted">Seller Central · {e(marketplace)}</p>' if marketplace else ""
    sign_in = e(_("Sign in"))
    email_label = e(_("Email or mobile phone number"))
    password_label = e(_("Password"))
    terms = escape(
        _("By continuing, you agree to the sandbox's make-believe Conditions of Use."), quote=False
    )
    body = (
        f'<div class="card"><h1>{sign_in}</h1>{where}{_error_box(error)}'
        f'<form method="post" action="{e(action)}" autocomplete="off">{_hidden(csrf)}'
        f'<label for="email">{email_label}</label>'
        f'<input type="text" id="email" name="email" value="{e(email)}" autofocus required>'
        f'<label for="password">{password_label}</label>'
        '<input type="password" id="password" name="password" required>'
        f'<button class="btn" id="signin" type="submit">{sign_in}</button>'
        "</form>"
        f'<p class="muted">{terms}</p>'
        f"</div>{demo}"
    )
    return _layout(_("Amazon Sign-In"), body, wide=bool(accounts))


def otp_page(
    *,
    action: str,
    csrf: str,
    masked_phone: str,
    sandbox_code: str,
    error: str | None = None,
) -> str:
    heading = e(_("Two-Step Verification"))
    ask = _words(
        _("For added security, please enter the One Time Password (OTP) sent to {phone}."),
        phone=e(masked_phone),
    )
    otp_label = e(_("Enter OTP"))
    sign_in = e(_("Sign in"))
    code_note = _words(
        _("Sandbox: the code is {code}. No text message is sent."), code=f"<code>{e(sandbox_code)}</code>"
    )
    body = (
        f'<div class="card"><h1>{heading}</h1>{_error_box(error)}'
        f"<p>{ask}</p>"
        f'<form method="post" action="{e(action)}" autocomplete="off">{_hidden(csrf)}'
        f'<label for="otp">{otp_label}</label>'
        '<input type="text" id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" '
        "autofocus required>"
        f'<button class="btn" id="verify" type="submit">{sign_in}</button>'
        "</form>"
        f'<div class="notice" id="sandbox-otp">{code_note}</div></div>'
    )
    return _layout(_("Two-Step Verification"), body)


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
        '<p class="muted" id="draft-note">'
        + _words(
            _("This application is in draft status and is being authorized with {version}."),
            version="<code>version=beta</code>",
        )
        + "</p>"
        if draft
        else ""
    )
    app = e(app_name)
    requesting = _words(
        _(
            "{app} is requesting access to your Amazon selling account ({seller}) in {region}. You are "
            "signing in from the {marketplace} Seller Central."
        ),
        app=f"<b>{app}</b>",
        seller=f"<b>{e(seller_label)}</b>",
        region=f"<b>{e(region_name)}</b>",
        marketplace=e(marketplace),
    )
    # "I understand…" is Amazon's own wording, which the connect steps quote: it stays as Amazon writes it.
    direct = _words(
        _(
            "I direct Amazon to provide {app} with access to my Amazon seller account, including my selling "
            "data in {region}, and I authorize {app} to access and use that data. I can revoke this "
            "authorization at any time in Seller Central (Settings > User Permissions)."
        ),
        app=app,
        region=e(region_name),
    )
    cancel = e(_("Cancel"))
    next_without_script = e(_("Next (tick the box first)"))
    not_yours = e(_("Not your account?"))
    switch = e(_("Sign in with another account"))
    body = (
        f'<div class="card"><h1>Amazon Marketplace Web Service</h1>{_error_box(error)}'
        f"<p>{requesting}</p>"
        f"{draft_note}"
        f'<form method="post" action="{e(action)}">{_hidden(csrf)}'
        '<label class="check" for="understand">'
        '<input type="checkbox" id="understand" name="understand" value="yes">'
        f"<span>I understand… {direct}</span></label>"
        # Next comes first in the markup (shown on the right) so that it, not Cancel, is the default button.
        '<div class="row">'
        '<button class="btn" id="next" type="submit" name="action" value="next" disabled>Next</button>'
        '<button class="btn secondary" id="decline" type="submit" name="action" value="decline" '
        f"formnovalidate>{cancel}</button>"
        "</div>"
        '<noscript><button class="btn" id="next-noscript" type="submit" name="action" value="next">'
        f"{next_without_script}</button></noscript>"
        f'<p class="muted">{not_yours} <button class="linkbtn" id="switch-account" type="submit" '
        f'name="action" value="switch" formnovalidate>{switch}</button></p>'
        f"</form>{_details(details)}</div>"
    )
    return _layout(_("Authorize application"), body, wide=True, script=_CONSENT_SCRIPT, nonce=nonce)


def almost_done_page(*, action: str, csrf: str, app_name: str) -> str:
    # The heading and the button are Amazon's own words, which the connect steps quote.
    finish = _words(
        _(
            "Click {continue_button} to finish authorizing {app}. Amazon then sends you back to the "
            "application, which completes the connection."
        ),
        continue_button="<b>Continue</b>",
        app=f"<b>{e(app_name)}</b>",
    )
    body = (
        '<div class="card"><h1>You are almost done</h1>'
        f"<p>{finish}</p>"
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
    code_line = (
        '<p class="muted" id="error-code">'
        + _words(_("Error code: {code}"), code=f"<b>{e(code)}</b>")
        + "</p>"
        if code
        else ""
    )
    restart = (
        f'<p><a href="{e(restart_url)}" id="restart">' + e(_("Start this authorization again")) + "</a></p>"
        if restart_url
        else ""
    )
    body = (
        f'<div class="card"><h1>{e(title)}</h1>'
        f'<div class="error" id="error" role="alert">{e(message)}</div>'
        f"{code_line}{restart}{_details(details)}</div>"
    )
    return _layout(title, body, wide=True)
