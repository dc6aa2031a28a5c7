"""Real HTTP(S) servers on loopback that misbehave the way Amazon (or what sits in front of it) can.

`FaultyServer(answer)` answers every request with what `answer(request)` returns; `None` means never
answering (the connection stays open and silent until the server stops). `refused_url()` is an address
where nothing listens. The faults themselves are named in `LWA_FAULTS` / `SELLERS_FAULTS` below.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

# How long a silent answer holds its connection at most (the server's stop ends it sooner).
HANG_SECONDS = 60.0


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def json(status: int, value: Any, **headers: str) -> Reply:
        return Reply(status, json.dumps(value).encode(), {"content-type": "application/json", **headers})


Answer = Callable[[Seen], "Reply | None"]


class FaultyServer:
    """A threaded HTTP server (TLS when given a certificate) that answers as told and counts requests."""

    def __init__(self, answer: Answer, *, tls: tuple[Path, Path] | None = None) -> None:
        self.answer = answer
        self.requests: list[Seen] = []
        self._stopping = threading.Event()
        self._tls = tls
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                outer.requests.append(seen)
                reply = outer.answer(seen)
                if reply is None:
                    outer._stopping.wait(HANG_SECONDS)
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = _handle
            do_POST = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if tls is not None:
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name="faulty-amazon", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def https_url(self) -> str:
        """This server's address with https://, whatever it speaks (a plain server: a TLS failure)."""
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> FaultyServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> FaultyServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def refused_url() -> str:
    """An http:// address on loopback where nothing listens (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    return f"http://127.0.0.1:{port}"


def echo(seen: Seen) -> str:
    """Everything the client sent (form body and headers): a careless server that quotes the request."""
    headers = " ".join(f"{k}={v}" for k, v in seen.headers.items())
    return f"{seen.body.decode('utf-8', 'replace')} {headers}"


HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Service Unavailable</title></head>"
    b"<body><h1>Sorry</h1><p>Our proxy could not forward your request.</p></body></html>"
)


def _html(_seen: Seen) -> Reply:
    return Reply(200, HTML_PAGE, {"content-type": "text/html; charset=utf-8"})


def _malformed(_seen: Seen) -> Reply:
    return Reply(200, b'{"access_token": "Atza|half', {"content-type": "application/json"})


def _deeply_nested(_seen: Seen) -> Reply:
    # Valid JSON, but nested deeper than json.loads recurses: RecursionError, not ValueError.
    return Reply(200, b"[" * 200_000 + b"]" * 200_000, {"content-type": "application/json"})


def _status(status: int, **headers: str) -> Answer:
    def answer(seen: Seen) -> Reply:
        return Reply.json(status, {"message": f"failure {status}", "echo": echo(seen)}, **headers)

    return answer


def _lwa_no_access_token(seen: Seen) -> Reply:
    # A refresh token but no access token: what a half-working proxy or a wrong token URL may send.
    return Reply.json(
        200, {"refresh_token": "Atzr|LEAKED-IF-SHOWN", "token_type": "bearer", "expires_in": 3600}
    )


def _lwa_invalid_request_echoing(seen: Seen) -> Reply:
    return Reply.json(400, {"error": "invalid_request", "error_description": f"bad request: {echo(seen)}"})


def _sellers_wrong_shape(_seen: Seen) -> Reply:
    return Reply.json(200, {"payload": {"marketplace": {"id": "ATVPDKIKX0DER"}}})


def _sellers_bad_request_echoing(seen: Seen) -> Reply:
    return Reply.json(
        400, {"errors": [{"code": "InvalidInput", "message": f"bad: {echo(seen)}", "details": ""}]}
    )


@dataclass(frozen=True)
class Fault:
    """A way to misbehave, and what the admin must be told (lower-case words that must all be there)."""

    answer: Answer | None  # None: the fault is in the address itself (refused, TLS)
    words: tuple[str, ...]
    address: str = "plain"  # plain | refused | https-to-plain | self-signed
    requests: int | None = None  # how many requests the client should send before giving up, if fixed


def _common(service_words: tuple[str, ...]) -> dict[str, Fault]:
    return {
        "connection_refused": Fault(None, (*service_words, "connection refused", "try again"), "refused"),
        "read_timeout": Fault(lambda _seen: None, (*service_words, "no answer within", "try again")),
        "tls_to_plain_server": Fault(
            _status(200), (*service_words, "secure (tls) connection failed"), "https-to-plain"
        ),
        "tls_self_signed": Fault(
            _status(200), (*service_words, "secure (tls) connection failed"), "self-signed"
        ),
        "http_500": Fault(_status(500), (*service_words, "http 500", "try again"), requests=4),
        "http_503": Fault(_status(503), (*service_words, "http 503", "try again"), requests=4),
        "http_429_retry_after": Fault(
            _status(429, **{"retry-after": "0.05"}), (*service_words, "http 429", "try again"), requests=4
        ),
        # Retry-After that float() reads but is no wait: treated as absent (inf once overflowed math.ceil).
        "http_429_retry_after_infinite": Fault(
            _status(429, **{"retry-after": "inf"}), (*service_words, "http 429", "try again"), requests=4
        ),
        "http_429_retry_after_1e400": Fault(
            _status(429, **{"retry-after": "1e400"}), (*service_words, "http 429", "try again"), requests=4
        ),
        "http_429_no_retry_after": Fault(_status(429), (*service_words, "http 429", "try again"), requests=4),
        "http_429_retry_after_beyond_deadline": Fault(
            _status(429, **{"retry-after": "3600"}), (*service_words, "http 429", "60 minutes"), requests=1
        ),
        "malformed_json": Fault(
            _malformed, (*service_words, "unexpected answer", "not valid json"), requests=1
        ),
        "deeply_nested_json": Fault(
            _deeply_nested, (*service_words, "unexpected answer", "not valid json"), requests=1
        ),
        "html_instead_of_json": Fault(_html, (*service_words, "unexpected answer", "html page"), requests=1),
    }


LWA_WORDS = ("login with amazon",)
SELLERS_WORDS = ("selling partner api",)

LWA_FAULTS: dict[str, Fault] = {
    **_common(LWA_WORDS),
    "ok_without_access_token": Fault(_lwa_no_access_token, (*LWA_WORDS, "no access_token"), requests=1),
    "bad_request_quoting_the_secrets": Fault(
        _lwa_invalid_request_echoing, (*LWA_WORDS, "invalid_request", "check"), requests=1
    ),
}

SELLERS_FAULTS: dict[str, Fault] = {
    **_common(SELLERS_WORDS),
    "ok_with_the_wrong_shape": Fault(_sellers_wrong_shape, (*SELLERS_WORDS, "unexpected answer"), requests=1),
    "bad_request_quoting_the_token": Fault(
        _sellers_bad_request_echoing, (*SELLERS_WORDS, "http 400", "check"), requests=1
    ),
}
