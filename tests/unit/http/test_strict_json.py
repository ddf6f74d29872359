"""The strict JSON decoder every request body goes through: what it refuses, and what it keeps exact."""

from __future__ import annotations

import pytest

from shared.http.strict_json import MAX_JSON_DEPTH, JSONRejectedError, decode_json


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(("raw", "reason"), [
    ('{"n": NaN}', "NaN, Infinity and -Infinity"),
    ('{"n": Infinity}', "NaN, Infinity and -Infinity"),
    ('{"n": -Infinity}', "NaN, Infinity and -Infinity"),
    ('{"n": 1e400}', "64-bit float"),
    ('{"n": -1e400}', "64-bit float"),
    ('{"n": 1e200}', "between 1e-130 and 1e126"),
    ('{"n": 1e-200}', "between 1e-130 and 1e126"),
    ("1" + "0" * 130, "between 1e-130 and 1e126"),
    ('{"t": "\\ud800"}', "unpaired UTF-16 surrogate"),
    ('{"\\udfff": 1}', "unpaired UTF-16 surrogate"),
    ('["a", ["\\ud83d"]]', "unpaired UTF-16 surrogate"),
    (_nested(MAX_JSON_DEPTH + 1), f"maximum is {MAX_JSON_DEPTH} levels"),
    (_nested(5_000), f"maximum is {MAX_JSON_DEPTH} levels"),
    (_nested(100_000), f"maximum is {MAX_JSON_DEPTH} levels"),
    ('{"a": ' * 100_000 + "1" + "}" * 100_000, f"maximum is {MAX_JSON_DEPTH} levels"),
    ('{"t": "x"},zz', "Invalid JSON"),
    ('{"t": ', "Invalid JSON"),
])
def test_bad_json_is_rejected_with_the_rule_it_broke(raw: str, reason: str) -> None:
    # Given a body no PocketBase client should send, When it is decoded, Then the error names the rule
    with pytest.raises(JSONRejectedError, match=reason):
        decode_json(raw.encode())


def test_invalid_utf8_bytes_are_rejected() -> None:
    with pytest.raises(JSONRejectedError, match="UTF-8"):
        decode_json(b'{"t": "\xff"}')


@pytest.mark.parametrize(("raw", "expected"), [
    ('{"n": 1}', {"n": 1}),
    ("12345678901234567890123456789012345678", 12345678901234567890123456789012345678),  # 38 digits: exact
    # 40 digits: read as PocketBase reads every number, a float64 (it answers 1.2345678901234568e+39)
    ("1234567890123456789012345678901234567890", 1.2345678901234568e39),
    ("-1e125", -1e125),
    ("1e-400", 0.0),  # underflows to zero, which is storable
    ('"\\ud83d\\ude00"', "\U0001f600"),  # a valid surrogate pair is one character
    (_nested(MAX_JSON_DEPTH), None),
])
def test_good_json_is_kept(raw: str, expected: object) -> None:
    value = decode_json(raw)
    if expected is not None:
        assert value == expected and type(value) is type(expected)


def test_a_lone_surrogate_in_text_handed_over_as_str_is_rejected() -> None:
    # Given text that already holds a lone surrogate (as a form field could hand it over), not an escape
    with pytest.raises(JSONRejectedError, match="surrogate"):
        decode_json('{"t": "\ud800"}')


def test_wide_but_shallow_documents_pass() -> None:
    assert len(decode_json("[" + ",".join(["[1]"] * 10_000) + "]")) == 10_000
