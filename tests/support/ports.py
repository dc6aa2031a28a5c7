"""Loopback ports for tests, without the bind-0-close-rebind race.

A port found by binding port 0 and closing the socket comes from the kernel's ephemeral range, the very
range every outgoing connection on the machine (other tests, other developers' runs) takes its local port
from: between the close and the moment the program binds it, another connection may hold it.

- `refusing_port()` (and the `refused_port` fixture): a port where connecting is refused, for as long as the block runs. The socket stays
  bound (no other program can take the port) but never listens, so the kernel refuses every connection.
- `free_port()`: a port for a program that binds it itself (the callback worker, PostgreSQL, the doctor's
  check). It lies below the ephemeral range, where no outgoing connection and no bind to port 0 ever lands,
  is chosen at random (two test processes rarely pick the same one) and is checked free right before it
  is handed out; a port this process handed out before is never handed out again.
"""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_given: set[int] = set()
_LOWEST = 20000  # above the well-known and most registered service ports


def _ephemeral_start() -> int:
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768  # Linux's default
    return max(_LOWEST + 1000, low)


@contextmanager
def refusing_port(host: str = "127.0.0.1") -> Iterator[int]:
    """A port on `host` that refuses connections until the block ends (bound, never listening)."""
    with socket.socket() as holder:
        holder.bind((host, 0))
        yield int(holder.getsockname()[1])


def free_port(host: str = "127.0.0.1") -> int:
    """A port on `host` that is free now and outside the range the kernel hands out by itself."""
    end = _ephemeral_start()
    for _ in range(200):
        port = random.randrange(_LOWEST, end)
        if port in _given:
            continue
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the programs bind it
            try:
                probe.bind((host, port))
            except OSError:
                continue
        _given.add(port)
        return port
    raise RuntimeError(f"no free port found on {host} between {_LOWEST} and {end}")
