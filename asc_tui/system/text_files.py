"""Text files read from bytes: UTF-8 (with or without a byte-order mark), or the line of the first bad byte."""

from __future__ import annotations


class NotUtf8(ValueError):
    """The bytes are not UTF-8; `line` (from 1) holds the first byte that is not."""

    def __init__(self, line: int) -> None:
        super().__init__(f"not UTF-8 from line {line}")
        self.line = line


def decode_utf8(raw: bytes, *, allow_bom: bool = False) -> str:
    try:
        return raw.decode("utf-8-sig" if allow_bom else "utf-8")
    except UnicodeDecodeError as exc:
        raise NotUtf8(raw[: exc.start].count(b"\n") + 1) from None
