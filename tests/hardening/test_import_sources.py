"""`stores import` reads regular files only, and never more than its size limit plus one byte.

Real processes: a device that never ends (/dev/zero, and a link to it), a named pipe nobody writes to, a
socket, and a file past the limit are each refused in one sentence, promptly, with no crash log.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from asc_tui.services.importing import MAX_FILE_BYTES

TIMEOUT = 30  # a read that blocks or never ends must fail the test, not hang it


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _named_pipe(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))  # left bound: the file stays a socket for the test


def _too_large(path: Path) -> None:
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used


SOURCES: dict[str, tuple[Callable[[Path], None] | str, tuple[str, ...]]] = {
    "dev_zero": ("/dev/zero", ("not a regular file",)),
    "a_link_to_dev_zero": (_dev_zero, ("not a regular file",)),
    "dev_urandom": ("/dev/urandom", ("not a regular file",)),
    "a_named_pipe": (_named_pipe, ("not a regular file", "csv or json file")),
    "a_socket": (_socket, ("not a regular file",)),
    "larger_than_the_limit": (_too_large, ("larger than 50 mb", "split it")),
    "stdin_by_path": ("/dev/stdin", ("not a regular file",)),
}


@pytest.mark.parametrize("label", sorted(SOURCES))
def test_import_refuses_what_is_not_a_regular_file_promptly(
    tmp_path: Path, isolated_home: Path, label: str
) -> None:
    maker, words = SOURCES[label]
    if isinstance(maker, str):
        path = Path(maker)
    else:
        path = tmp_path / "stores.csv"
        maker(path)
    result = subprocess.run(
        [sys.executable, "-m", "asc_tui", "stores", "import", str(path)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.PIPE,  # /dev/stdin: a pipe nobody writes to
    )
    assert result.returncode == 1, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("asc-tui: "), result.stderr
    assert str(path) in lines[0] and "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0].lower(), lines[0]
    assert not (isolated_home / "data" / "crash.log").exists()
    listed = subprocess.run(
        [sys.executable, "-m", "asc_tui", "stores", "list"], capture_output=True, text=True, timeout=TIMEOUT
    )
    assert "No stores yet" in listed.stdout + listed.stderr  # nothing was imported
