"""Plain values survive the trip to DynamoDB attribute values and back, as JSON would carry them."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.dynamo_values import from_attribute, to_attribute

json_values = st.recursive(
    st.none() | st.booleans() | st.text(max_size=20) | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False, width=32).filter(lambda f: f != int(f)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(value=json_values)
def test_a_plain_value_comes_back_equal_and_of_the_same_type(value: Any) -> None:
    # Given any JSON-like value, When stored as an attribute value and read back
    back = from_attribute(to_attribute(value))
    # Then it is equal, integers as int and fractions as float
    assert back == value
    assert repr(back) == repr(value)


def test_numbers_read_back_as_json_carries_them() -> None:
    # Given numbers as DynamoDB holds them: integral, fractional, exponent, past JavaScript's safe integers
    cases = {"7": 7, "-12": -12, "1.0": 1, "1.5": 1.5, "1e2": 100, "00012": 12,
             "9007199254740991": 9007199254740991, "9007199254740992": 9007199254740992.0}
    # Then integral ones are int below 2**53, float at and past it, fractions float
    for text, expected in cases.items():
        value = from_attribute({"N": text})
        assert value == expected and type(value) is type(expected), text
