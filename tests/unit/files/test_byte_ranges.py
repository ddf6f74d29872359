"""Range headers as Go's http.ServeContent reads them: suffixes, open ends, clamping, invalid and missed ranges."""

from __future__ import annotations

import pytest

from shared.files.byte_ranges import INVALID, NO_OVERLAP, ByteRange, RangeError, parse_ranges

SIZE = 336


@pytest.mark.parametrize(("header", "expected"), [
    ("", []),
    ("bytes=0-9", [ByteRange(0, 10)]),
    ("bytes=330-", [ByteRange(330, 6)]),
    ("bytes=-6", [ByteRange(330, 6)]),
    ("bytes=-1000", [ByteRange(0, SIZE)]),
    ("bytes=330-400", [ByteRange(330, 6)]),
    ("bytes=0-1,4-5", [ByteRange(0, 2), ByteRange(4, 2)]),
    ("bytes=0-1,400-", [ByteRange(0, 2)]),
])
def test_satisfiable_ranges(header: str, expected: list[ByteRange]) -> None:
    assert parse_ranges(header, SIZE) == expected


@pytest.mark.parametrize(("header", "message"), [
    ("bytes=400-", NO_OVERLAP), ("bytes=5-2", INVALID), ("items=0-1", INVALID), ("bytes=abc", INVALID),
    ("bytes=1", INVALID), ("bytes=-x", INVALID),
])
def test_unsatisfiable_ranges(header: str, message: str) -> None:
    with pytest.raises(RangeError) as caught:
        parse_ranges(header, SIZE)
    assert caught.value.message == message


def test_content_range_names_the_last_byte() -> None:
    assert ByteRange(330, 6).content_range(SIZE) == "bytes 330-335/336"
