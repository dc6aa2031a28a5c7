"""An ASGI app served by uvicorn on loopback, in a daemon thread with its own event loop.

The sandbox emulator serves Amazon's fakes with it, and the tests serve their fake Magento and fault servers
with it: one way to start a real HTTP server inside the process, bound before `start()` returns.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

START_SECONDS = 30  # generous: a loaded machine starts threads slowly, and failing is the signal


class LoopbackServer:
    """`app` over HTTP (or HTTPS with `tls=(certificate, key)`) at `host:port`; port 0 takes a free one."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        name: str = "asc-server",
        tls: tuple[Path, Path] | None = None,
        log_level: str = "warning",
        timeout_keep_alive: int = 5,
    ) -> None:
        self._app = app
        self._host = host
        self._requested_port = port
        self._name = name
        self._tls = tls
        self._log_level = log_level
        self._keep_alive = timeout_keep_alive
        self._lifecycle = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.port = 0
        self._base_url: str | None = None

    def start(self) -> None:
        """Bind, serve in a daemon thread, and return once listening."""
        with self._lifecycle:
            if self._thread is not None:
                raise RuntimeError(f"{self._name} is already running.")
            family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
            # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only then (else Nagle adds 40 ms a request).
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((self._host, self._requested_port))
                sock.listen(128)
            except OSError:
                sock.close()
                raise
            port = int(sock.getsockname()[1])
            config = uvicorn.Config(
                self._app,
                host=self._host,
                port=port,
                interface="asgi3",
                loop="asyncio",
                http="h11",
                ws="none",
                lifespan="off",
                log_config=None,
                log_level=self._log_level,
                access_log=False,  # URLs carry states and codes: keep them out of any log
                server_header=False,
                timeout_graceful_shutdown=1,
                timeout_keep_alive=self._keep_alive,
                ssl_certfile=str(self._tls[0]) if self._tls else None,
                ssl_keyfile=str(self._tls[1]) if self._tls else None,
            )
            server = uvicorn.Server(config)
            thread = threading.Thread(
                target=server.run, kwargs={"sockets": [sock]}, name=f"{self._name}-{port}", daemon=True
            )
            thread.start()
            deadline = time.monotonic() + START_SECONDS
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    server.should_exit = True
                    thread.join(timeout=1)
                    sock.close()
                    raise RuntimeError(f"{self._name} could not start.")
                time.sleep(0.002)
            self._server, self._thread, self._socket = server, thread, sock
            self.port = port
            host = f"[{self._host}]" if ":" in self._host else self._host
            self._base_url = f"{'https' if self._tls else 'http'}://{host}:{port}"

    def stop(self) -> None:
        """Shut down (within about a second) and release the port. Safe to call twice."""
        with self._lifecycle:
            server, thread, sock = self._server, self._thread, self._socket
            self._server = self._thread = self._socket = None
            if server is None or thread is None:
                return
            server.should_exit = True
            thread.join(timeout=1.5)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout=2)
            if sock is not None:
                sock.close()

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def base_url(self) -> str:
        """Where it serves, or served once stopped."""
        if self._base_url is None:
            raise RuntimeError(f"{self._name} has not been started.")
        return self._base_url

    def __enter__(self) -> LoopbackServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
