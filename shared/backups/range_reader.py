"""A seekable raw reader of one S3 object through ranged GETs, so zipfile reads an archive without a download."""

from __future__ import annotations

import io
from typing import Protocol


class RangeSource(Protocol):
    def read_range(self, key: str, start: int, end: int) -> bytes: ...


class RangeReader(io.RawIOBase):
    """Reads `key` of `source`, `size` bytes long; wrap it in io.BufferedReader so each GET fetches a lot."""

    def __init__(self, source: RangeSource, key: str, size: int) -> None:
        super().__init__()
        self._source, self._key, self._size, self._pos = source, key, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._pos >= self._size or not len(buffer):
            return 0
        end = min(self._size, self._pos + len(buffer)) - 1
        data = self._source.read_range(self._key, self._pos, end)
        buffer[:len(data)] = data
        self._pos += len(data)
        return len(data)
