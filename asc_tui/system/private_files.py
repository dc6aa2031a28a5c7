"""Files only their owner may read, from the moment they exist: created 0600 (O_CREAT with the mode, never
written first and chmodded after), in folders created 0700. Kept free of heavy imports: the log file and
the crash log use it before anything else is loaded."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO, Any

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def open_private(path: str | os.PathLike[str], mode: str = "a", encoding: str | None = "utf-8") -> IO[Any]:
    """`open(path, mode)` for "a", "w", "ab" or "wb", but a new file is created owner-only."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    flags |= os.O_APPEND if mode.startswith("a") else os.O_TRUNC
    fd = os.open(path, flags, FILE_MODE)
    try:
        if "b" in mode:
            return os.fdopen(fd, mode)
        return os.fdopen(fd, mode, encoding=encoding)
    except BaseException:
        os.close(fd)
        raise


def make_private_folder(path: str | os.PathLike[str]) -> None:
    """The folder and any missing parents, created 0700 (an existing one is left as it is)."""
    Path(path).mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)


def create_private(path: str | os.PathLike[str]) -> None:
    """An empty owner-only file at `path`, unless one is there already."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
