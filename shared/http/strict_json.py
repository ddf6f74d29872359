"""The one strict JSON decoder of every request body: bounded depth, finite storable numbers, valid Unicode.

Python's `json` accepts what PocketBase (Go's encoding/json) refuses and what DynamoDB cannot store:
`NaN`/`Infinity`, `1e400` (read as inf), lone surrogates such as "\\ud800" (which no UTF-8 writer can encode),
and nesting deep enough to exhaust the interpreter's stack. This decoder turns each of those into a
`JSONRejectedError` naming the limit, so the HTTP layer answers 400 before anything is stored.

    >>> decode_json(b'{"n": 1}')
    {'n': 1}
    >>> decode_json(b'[NaN]')
    Traceback (most recent call last):
    ...
    shared.http.strict_json.JSONRejectedError: NaN, Infinity and -Infinity are not JSON numbers.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Nesting of arrays and objects. PocketBase (Go) stops at 10,000; everything after the decoder here walks a
# value recursively (validation, DynamoDB serialisation, the response), at up to ~3 Python frames per level,
# so the limit stays well inside Python's default recursion limit of 1,000 frames.
MAX_JSON_DEPTH = 128

# DynamoDB numbers: up to 38 significant digits, magnitude within [1e-130, 9.99...e125].
DYNAMODB_MAX_DIGITS = 38
DYNAMODB_MAX_MAGNITUDE = 1e126
DYNAMODB_MIN_MAGNITUDE = 1e-130

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class JSONRejectedError(ValueError):
    """The text is not JSON this API accepts; the message says which rule it broke."""


def _reject_constant(name: str) -> Any:
    raise JSONRejectedError("NaN, Infinity and -Infinity are not JSON numbers.")


def _check_float(value: float) -> float:
    if not math.isfinite(value):
        raise JSONRejectedError("The number is too large: JSON numbers must fit a 64-bit float.")
    if value and not DYNAMODB_MIN_MAGNITUDE <= abs(value) < DYNAMODB_MAX_MAGNITUDE:
        raise JSONRejectedError(
            "The number is out of range: its magnitude must be between 1e-130 and 1e126 (storage limit).")
    return value


def _parse_float(text: str) -> float:
    return _check_float(float(text))


def _parse_int(text: str) -> int | float:
    # PocketBase reads every JSON number as a float64; integers too long for DynamoDB's 38 digits are read the
    # same way (losing the same precision PocketBase loses), the others stay exact.
    if len(text.lstrip("-")) <= DYNAMODB_MAX_DIGITS:
        return int(text)
    return _check_float(float(text))


_DECODER = json.JSONDecoder(parse_float=_parse_float, parse_int=_parse_int, parse_constant=_reject_constant)


def _check_structure(value: Any, *, strings: bool) -> None:
    """Walk the value without recursion: depth within MAX_JSON_DEPTH and, if `strings`, no lone surrogate."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise JSONRejectedError(f"The JSON is nested too deeply (the maximum is {MAX_JSON_DEPTH} levels).")
        children = item.values() if isinstance(item, dict) else item
        if strings:
            texts = [*item.keys(), *children] if isinstance(item, dict) else children
            if any(isinstance(t, str) and _LONE_SURROGATE.search(t) for t in texts):
                raise JSONRejectedError("The text contains an unpaired UTF-16 surrogate (invalid Unicode).")
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def decode_json(raw: bytes | str) -> Any:
    """Decode one JSON document strictly; raise JSONRejectedError with the broken rule otherwise."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise JSONRejectedError("The body is not valid UTF-8.") from exc
    try:
        value = _DECODER.decode(text)
    except RecursionError as exc:
        # The C scanner gives up past the interpreter's recursion limit, far above MAX_JSON_DEPTH.
        raise JSONRejectedError(f"The JSON is nested too deeply (the maximum is {MAX_JSON_DEPTH} levels).") from exc
    except JSONRejectedError:
        raise
    except ValueError as exc:
        raise JSONRejectedError(f"Invalid JSON: {exc}.") from exc
    # Bytes that decode as UTF-8 hold no surrogate, so only an escape such as \\ud800 can make one; and fewer
    # brackets than the limit cannot nest past it. So the common body skips the walk.
    strings = _SURROGATE_ESCAPE.search(text) is not None or (
        isinstance(raw, str) and _LONE_SURROGATE.search(text) is not None)
    if strings and isinstance(value, str):
        if _LONE_SURROGATE.search(value):
            raise JSONRejectedError("The text contains an unpaired UTF-16 surrogate (invalid Unicode).")
    elif isinstance(value, (dict, list)) and (strings or text.count("[") + text.count("{") > MAX_JSON_DEPTH):
        _check_structure(value, strings=strings)
    return value
