"""`Range: bytes=...` of a file served in the response body, as Go's http.ServeContent reads it for PocketBase.

One satisfiable range is a 206 with `Content-Range`; several are served whole (a 200, which RFC 9110 allows; Go
answers multipart/byteranges); a malformed header is 416 `invalid range`, one that misses the file entirely 416
`invalid range: failed to overlap` with `Content-Range: bytes */<size>`.
"""

from __future__ import annotations

import msgspec

INVALID = "invalid range"
NO_OVERLAP = "invalid range: failed to overlap"


class ByteRange(msgspec.Struct, frozen=True):
    start: int
    length: int

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.start + self.length - 1}/{size}"


class RangeError(Exception):
    """The header asks for nothing servable: a 416 with this message."""

    def __init__(self, message: str, size: int) -> None:
        super().__init__(message)
        self.message = message
        self.size = size


def _int(text: str) -> int:
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


def parse_ranges(header: str, size: int) -> list[ByteRange]:
    """The ranges of `header` within a body of `size` bytes (empty: serve it all); RangeError for a 416."""
    if not header:
        return []
    if not header.startswith("bytes="):
        raise RangeError(INVALID, size)
    ranges: list[ByteRange] = []
    missed = False
    for spec in (part.strip() for part in header[len("bytes="):].split(",")):
        if not spec:
            continue
        first, dash, last = spec.partition("-")
        first, last = first.strip(), last.strip()
        try:
            if not dash:
                raise ValueError(spec)
            if not first:
                wanted = min(_int(last), size)  # the last N bytes
                ranges.append(ByteRange(size - wanted, wanted))
                continue
            start = _int(first)
            end = _int(last) if last else size - 1
        except ValueError:
            raise RangeError(INVALID, size) from None
        if last and start > end:
            raise RangeError(INVALID, size)
        if start >= size:
            missed = True
            continue
        ranges.append(ByteRange(start, min(end, size - 1) - start + 1))
    if missed and not ranges:
        raise RangeError(NO_OVERLAP, size)
    return ranges
