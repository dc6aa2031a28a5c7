"""doctor's checks of the Amazon app: settings, hosts secrets go to, the client secret, the callback address,
and the stores' authorizations."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from asc_tui.cli.doctor_results import CheckResult, ok, problem
from asc_tui.errors import AscError
from asc_tui.i18n import _, format_count

if TYPE_CHECKING:
    from asc_tui.services.registry import Registry
    from asc_tui.settings.config import AmazonConfig, Config

# --- 4. Amazon settings ---------------------------------------------------------------------------------


def check_amazon(registry: Registry) -> list[CheckResult]:
    # The same checks as the settings screen, so both say the same thing about a value.
    from asc_tui.settings.checks import check_application_id, check_client_id, check_redirect_uri
    from asc_tui.settings.config_file import setting_line

    connect = registry.connect  # in the sandbox this starts the emulator, which fills the settings in
    amazon = connect.amazon
    sandbox = registry.sandbox
    missing = set(connect.missing_settings())
    path = registry.config.path
    results: list[CheckResult] = []
    for name, value, check, what in (
        (
            "amazon.application_id",
            amazon.application_id,
            check_application_id,
            _("your app's application ID"),
        ),
        ("amazon.client_id", amazon.client_id, check_client_id, _("your app's LWA client ID")),
        (
            "amazon.redirect_uri",
            amazon.redirect_uri,
            check_redirect_uri,
            _("the HTTPS redirect URI registered with your app"),
        ),
    ):
        value = value.strip()
        if name in missing:
            results.append(
                problem(
                    name,
                    _("not set"),
                    _(
                        "Set {name} to {what} (Seller Central › Develop Apps) in the dashboard's Settings "
                        "(s) or in {path}; `asc-tui --sandbox` tries the whole flow offline meanwhile."
                    ).format(name=name, path=path, what=what),
                )
            )
        elif sandbox and not value:
            results.append(ok(name, _("chosen by the sandbox when connecting (a loopback address)")))
        elif (wrong := check(value)) is not None:
            where = f"{path}{setting_line(path, name)}"  # the line too, to point the admin at it
            results.append(
                problem(name, value, _("{problem} It is set in {path}.").format(problem=wrong, path=where))
            )
        elif name == "amazon.redirect_uri" and urlsplit(value).scheme.lower() == "http" and not sandbox:
            results.append(
                ok(
                    name,
                    _("{value} (plain http on loopback: the sandbox and local tests only)").format(
                        value=value
                    ),
                )
            )
        else:
            results.append(
                ok(name, _("{value} (the sandbox emulator's)").format(value=value) if sandbox else value)
            )
    results.append(_check_client_secret(registry))
    results += _check_secret_hosts(amazon, path)
    return results


def _check_secret_hosts(amazon: AmazonConfig, path: Path) -> list[CheckResult]:
    """A warning for each address that receives secrets but is neither Amazon's own nor this computer."""
    from asc_tui.settings.config_file import setting_line
    from asc_tui.settings.secret_hosts import foreign_secret_hosts, secret_urls

    results: list[CheckResult] = []
    urls = dict(secret_urls(amazon))
    for setting, host in foreign_secret_hosts(amazon):
        url = urls[setting]
        results.append(
            problem(
                setting,
                _("{url} (not an Amazon host: the client secret or tokens go there)").format(url=url),
                _(
                    "{setting} sends secrets to {host}, which is not one of Amazon's hosts (*.amazon.com, "
                    "*.amazon.co.uk, …); unless it is a proxy you run, set it back to Amazon's address in "
                    "{path}."
                ).format(setting=setting, host=host, path=f"{path}{setting_line(path, setting)}"),
            )
        )
    if not results:
        results.append(
            ok(
                _("Amazon hosts"),
                _("the client secret and tokens go only to Amazon's hosts or this computer"),
            )
        )
    return results


def _check_client_secret(registry: Registry) -> CheckResult:
    from asc_tui.settings.secret_store import CLIENT_SECRET_ENV

    name = _("LWA client secret")
    if registry.sandbox:
        return ok(name, _("the sandbox emulator's demo secret"))
    if os.environ.get(CLIENT_SECRET_ENV, "").strip():
        return ok(name, _("set (from {env})").format(env=CLIENT_SECRET_ENV))
    try:
        secret = registry.secrets.client_secret()
    except AscError:
        return problem(
            name,
            _("not in {env}, and the keyring cannot be read (see Keyring)").format(env=CLIENT_SECRET_ENV),
            _(
                "Set {env}, or make the keyring work (see Keyring) and store the client secret from "
                "asc-tui's Settings."
            ).format(env=CLIENT_SECRET_ENV),
        )
    if not secret:
        return problem(
            name,
            _("not set"),
            _(
                "Store the LWA client secret from asc-tui's Settings (it goes in the keyring), or set {env}."
            ).format(env=CLIENT_SECRET_ENV),
        )
    return ok(name, _("set (in the keyring)"))


# --- 5. callback address --------------------------------------------------------------------------------


def check_callback(registry: Registry | None, config: Config, sandbox: bool) -> list[CheckResult]:
    from asc_tui.amazon.callback import CallbackListener
    from asc_tui.amazon.callback_address import CallbackBindError
    from asc_tui.settings.secret_hosts import callback_serves_plain_http_to_others

    check = _("Callback address")
    if sandbox and registry is None:
        return []  # the sandbox's address comes with the emulator, which needs the registry
    amazon = registry.connect.amazon if registry is not None else config.amazon
    listen = amazon.callback_listen
    path = urlsplit(amazon.redirect_uri.strip()).path
    listener = CallbackListener(
        path if path.startswith("/") else "/",
        redirect_uri=amazon.redirect_uri,
        tls_cert=amazon.callback_tls_cert or None,
        tls_key=amazon.callback_tls_key or None,
        behind_tls_proxy=amazon.callback_behind_tls_proxy,
    )
    try:
        listener.bind(listen)
    except CallbackBindError as exc:
        return [problem(check, str(exc), str(exc))]
    try:
        bound = listener.bound_address or listen
    finally:
        listener.close()
    if listen.rstrip().endswith(":0"):
        detail = (
            _("{listen} can be bound with TLS (any free port; this time {bound})")
            if listener.tls
            else _("{listen} can be bound (any free port; this time {bound})")
        )
    else:
        detail = _("{listen} can be bound with TLS") if listener.tls else _("{listen} can be bound")
    detail = detail.format(listen=listen, bound=bound)
    if callback_serves_plain_http_to_others(amazon):
        detail += " — " + _(
            "plain http to other computers: callback_behind_tls_proxy says only your TLS proxy reaches it"
        )
    return [ok(check, detail)]


# --- 8. stores ------------------------------------------------------------------------------------------


def check_stores(registry: Registry) -> list[CheckResult]:
    from asc_tui.domain import StoreStatus, shown_value
    from asc_tui.settings.secret_store import refresh_token_key

    stores = registry.stores.list_stores()
    connected = [s for s in stores if s.status != StoreStatus.NOT_CONNECTED.value]
    if not stores:
        return [ok(_("Stores"), _("none yet"))]
    results = [
        ok(
            _("Stores"),
            _("{total} in all: {connected} connected, {other} not").format(
                total=format_count(len(stores)),
                connected=format_count(len(connected)),
                other=format_count(len(stores) - len(connected)),
            ),
        )
    ]
    for store in connected:
        check = _("Store {name!r}").format(name=store.name)
        status = shown_value(store.status)
        try:
            # has(): a locked encrypted file can still say whether the token is there.
            present = bool(store.token_ref) and registry.secrets.has(refresh_token_key(store.token_ref or ""))
        except AscError as exc:
            results.append(
                problem(
                    check,
                    _("{status}; its refresh token cannot be looked up: {problem}").format(
                        status=status, problem=exc
                    ),
                    _("Store {name!r} cannot be checked until the keyring works (see Keyring).").format(
                        name=store.name
                    ),
                )
            )
            continue
        if present:
            results.append(ok(check, _("{status}; refresh token present").format(status=status)))
        else:
            results.append(
                problem(
                    check,
                    _("{status}; refresh token missing").format(status=status),
                    _(
                        "Store {name!r} has no refresh token on this machine (connected elsewhere, or the "
                        "keyring was reset); reconnect it here (c)."
                    ).format(name=store.name),
                )
            )
    return results
