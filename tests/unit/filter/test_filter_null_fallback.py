"""`null_fallback=False` (JSON operands): `=`/`!=` compare as SQL's IS / IS NOT, so null is no empty text."""

from __future__ import annotations

import pytest

from shared.tools.filter import Identifier, Resolved, evaluate, parse_filter


class JsonAndText:
    """`meta` is a JSON field (no COALESCE), `title` a text field; both values are set per test."""

    def __init__(self, meta: object, title: object = None) -> None:
        self.meta, self.title = meta, title

    def resolve(self, identifier: Identifier) -> Resolved:
        if identifier.dotted == "meta":
            return Resolved([self.meta], multi=False, null_fallback=False)
        return Resolved([self.title], multi=False)


@pytest.mark.parametrize(("text", "meta", "expected"), [
    # what PocketBase 0.40.6 answers for a json field (checked against the real server)
    ('meta = ""', None, False),
    ('meta != ""', None, True),
    ('meta = ""', "", True),
    ('meta != ""', "", False),
    ("meta = null", None, True),
    ("meta != null", None, False),
    ("meta != null", "", True),
    ("meta = 0", False, True),  # SQLite's json_extract gives false as 0
    ("meta != 0", None, True),
    ("meta = title", None, True),  # null IS null
    ("meta:length = 0", None, True),  # a modifier's result is a plain value again
])
def test_a_json_operand_compares_null_as_sql_is(text: str, meta: object, expected: bool) -> None:
    # Given a json value, When the filter compares it, Then as PocketBase's `meta IS ...`
    assert evaluate(parse_filter(text), JsonAndText(meta)) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ('title = ""', True),
    ('title != ""', False),
    ("title = null", True),
])
def test_other_operands_keep_the_coalesce(text: str, expected: bool) -> None:
    # Given an unset text field, Then null and '' stay one value, as PocketBase's COALESCE(x, '')
    assert evaluate(parse_filter(text), JsonAndText(meta="x")) is expected
