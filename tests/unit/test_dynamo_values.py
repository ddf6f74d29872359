"""Plain values survive the trip to DynamoDB attribute values and back, as JSON would carry them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
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


def _outcome(convert: Any, value: Any) -> Any:
    try:
        return convert(value)
    except Exception as exc:  # the refusal itself is part of what must match
        return type(exc)


any_values = st.recursive(
    st.none() | st.booleans() | st.text(max_size=8) | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False) | st.decimals(allow_nan=False, allow_infinity=False)
    | st.binary(max_size=4) | st.frozensets(st.text(max_size=4), min_size=1, max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8)


@settings(max_examples=400, deadline=None)
@given(value=any_values)
def test_the_one_pass_conversion_writes_what_boto3_writes_and_refuses_what_it_refuses(value: Any) -> None:
    from boto3.dynamodb.types import TypeSerializer

    from shared.dynamo_values import _storable

    # Given any value, numbers past DynamoDB's 38 digits and magnitudes included
    boto3_serializer = TypeSerializer()
    # When it is converted here and by boto3's serializer (after the same storable form)
    ours = _outcome(to_attribute, value)
    theirs = _outcome(lambda v: dict(boto3_serializer.serialize(_storable(v))), value)
    # Then both give the same attribute value, or both refuse it with the same error
    assert ours == theirs


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf"), Decimal("-Infinity"),
                                    Decimal("-NaN"), Decimal("sNaN")])
def test_a_number_that_is_not_finite_is_refused_before_any_request(number: Any) -> None:
    # Given NaN or an infinity (boto3 passes -Infinity and -NaN on, for DynamoDB to refuse), When converted,
    # Then it is refused here, inside a list as on its own
    with pytest.raises(TypeError):
        to_attribute(number)
    with pytest.raises(TypeError):
        to_attribute({"a": [1, number]})
