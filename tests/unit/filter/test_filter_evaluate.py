"""evaluate: operators, any-of vs all-of, null/empty, LIKE, modifiers, macros and functions on a dict resolver."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from shared.tools.filter import (
    FilterEvaluationError,
    Identifier,
    Resolved,
    evaluate,
    parse_filter,
)

NOW = datetime(2024, 5, 15, 12, 34, 56, 789_000, tzinfo=UTC)  # a Wednesday


@dataclass
class DictResolver:
    """Answers identifiers from a flat dict keyed by dotted path; keys in `multi` are lists."""

    fields: dict[str, Any]
    multi: set[str] = field(default_factory=set)
    changed: dict[str, bool] = field(default_factory=dict)
    applied: dict[str, Resolved] = field(default_factory=dict)

    def resolve(self, identifier: Identifier) -> Resolved:
        key = identifier.dotted
        if identifier.modifier == "changed":
            return Resolved([self.changed.get(key, False)], multi=False)
        if key in self.applied:
            return self.applied[key]
        if key not in self.fields:
            if identifier.is_request:  # PocketBase: a missing @request key is null
                return Resolved([], multi=False, exists=False)
            raise FilterEvaluationError(f"Unknown field {key!r}.")
        value = self.fields[key]
        if key in self.multi:
            return Resolved(list(value), multi=True)
        return Resolved([value], multi=False)


RECORD = DictResolver(
    fields={
        "title": "Hello World",
        "views": 42,
        "rating": 4.5,
        "price": Decimal("19.90"),
        "published": True,
        "draft": False,
        "empty": "",
        "nothing": None,
        "created": "2024-05-01 10:00:00.000Z",
        "numeric_text": "42",
        "pattern": "H_llo%",
        "needle": "W_rld",
        "meta": {"a": 1},
        "tags": ["news", "tech"],
        "no_tags": [],
        "scores": [10, 20, 30],
        "author.name": "Ann",
        "comments_via_post.text": ["great post", "spam here"],
        "lon": 23.3219,
        "lat": 42.6977,
        "@request.auth.id": "u1",
        "@request.body.title": "New",
        "@request.body.empty": "",
        "@request.body.tags": ["a", "b", "c"],
        "@request.method": "PATCH",
        "@request.context": "default",
        "@request.query.q": "wor",
        "@request.headers.x_token": "abc",
        "@collection.members.user": ["u1", "u2"],
    },
    multi={"tags", "no_tags", "scores", "comments_via_post.text", "@collection.members.user"},
    changed={"@request.body.role": True},
    applied={"rels.tags": Resolved([3, 1], multi=True, modifier_applied=True)},
)

CASES = [
    # equality and ordering
    ('title = "Hello World"', True),
    ('title != "Hello World"', False),
    ('title = "hello world"', False),
    ("views > 40", True),
    ("views >= 42", True),
    ("views < 42", False),
    ("views <= 42", True),
    ("rating > 4 && rating < 5", True),
    ("price = 19.9", True),
    ('created > "2024-04-30 23:59:59.999Z"', True),
    ('created < "2024-05-01"', False),
    # numbers against texts
    ('views = "42"', True),
    ("views = 42.0", True),
    ("numeric_text = 42", True),
    ("numeric_text > 5", True),
    ('numeric_text > "5"', False),  # two texts compare as texts, as SQLite does
    ('views < "abc"', True),  # numbers sort before non-numeric texts
    ('views = "abc"', False),
    # booleans are 1 and 0
    ("published = true", True),
    ("published = 1", True),
    ("draft = false", True),
    ("published != false", True),
    ("draft = null", False),
    # null and empty
    ("empty = null", True),
    ('empty = ""', True),
    ('nothing = ""', True),
    ("nothing = null", True),
    ("nothing != null", False),
    ('empty != ""', False),
    ("title != null", True),
    ("title = null", False),
    ("views = null", False),
    ("views > null", False),
    ("views < null", False),
    ("nothing > 1", False),
    ("nothing < 1", False),
    ('nothing ~ "x"', False),
    ('nothing !~ "x"', False),
    ("null = null", True),
    ("@request.body.missing = null", True),
    ('@request.body.missing = ""', True),
    # LIKE
    ('title ~ "world"', True),
    ('title ~ "WORLD"', True),
    ('title !~ "world"', False),
    ('title !~ "planet"', True),
    ('title ~ "Hello%"', True),
    ('title ~ "%World"', True),
    ('title ~ "World%"', False),  # an explicit % anchors the rest
    ('title ~ "H_llo%"', True),  # with an explicit %, _ is a wildcard
    ('title ~ "H_llo"', False),  # without one, _ is literal
    ('pattern ~ "H_llo"', True),
    (r'pattern ~ "llo\%"', True),  # escaped % is literal and keeps the substring wrapping
    (r'title ~ "llo\%"', False),
    ('title ~ ""', True),
    ("title ~ @request.query.q", True),  # request values wrap like quoted texts
    ("title ~ needle", True),  # field values wrap unescaped: _ is a wildcard
    ('title ~ "W_rld"', False),
    ('views ~ "4"', True),
    ('title:lower ~ "hello w"', True),
    # modifiers
    ('title:lower = "hello world"', True),
    ("@request.body.title:isset = true", True),
    ("@request.body.empty:isset = true", True),
    ("@request.body.missing:isset = false", True),
    ("@request.body.role:changed = true", True),
    ("@request.body.title:changed = false", True),
    ("@request.body.tags:length = 3", True),
    ('@request.body.tags:each ~ "a"', False),
    ('@request.body.tags:each ?= "b"', True),
    ("@request.body.missing:length = 0", True),
    ("title:length = 1", True),
    ("scores:length = 3", True),
    ("no_tags:length = 0", True),
    ('tags:each ~ "e"', True),
    ('tags:each = "news"', False),
    ("rels.tags:length > 0", True),  # the resolver already applied :length per related record
    ("rels.tags:length > 2", False),
    # multi-valued: all-of without ?, any-of with ?
    ('tags = "news"', False),
    ('tags ?= "news"', True),
    ('tags != "sports"', True),
    ('tags ?!= "news"', True),
    ('tags != "news"', False),
    ("scores > 5", True),
    ("scores > 15", False),
    ("scores ?> 25", True),
    ("scores ?< 5", False),
    ('comments_via_post.text ~ "spam"', False),
    ('comments_via_post.text ?~ "spam"', True),
    ('comments_via_post.text !~ "spam"', False),
    ('comments_via_post.text ?!~ "spam"', True),
    ('comments_via_post.text !~ "nope"', True),
    ('no_tags = ""', True),  # an empty multi value is one null value
    ('no_tags != ""', False),
    ('no_tags ?= ""', True),
    ('no_tags ~ "x"', False),
    ("tags = tags", False),  # many against many compares every pair
    ("tags ?= tags", True),
    ('"news" = tags', False),
    ('"news" ?= tags', True),
    ("@collection.members.user ?= @request.auth.id", True),
    ("@collection.members.user = @request.auth.id", False),
    # request values
    ('@request.method = "PATCH"', True),
    ('@request.context != "oauth2"', True),
    ('@request.headers.x_token = "abc"', True),
    ('@request.auth.id != ""', True),
    # json-ish values compare as compact JSON text
    ("""meta = '{"a":1}'""", True),
    # joins
    ('title = "x" || views = 42', True),
    ('title = "x" && views = 42', False),
    ('(title = "x" || views = 42) && published = true', True),
    ("1 = 1", True),
    ('1 < "a"', True),
    # macros at NOW
    ('@now = "2024-05-15 12:34:56.789Z"', True),
    ('@yesterday = "2024-05-14 12:34:56.789Z"', True),
    ('@tomorrow = "2024-05-16 12:34:56.789Z"', True),
    ('@todayStart = "2024-05-15 00:00:00.000Z"', True),
    ('@todayEnd = "2024-05-15 23:59:59.999Z"', True),
    ('@monthStart = "2024-05-01 00:00:00.000Z"', True),
    ('@monthEnd = "2024-05-31 23:59:59.999Z"', True),
    ('@yearStart = "2024-01-01 00:00:00.000Z"', True),
    ('@yearEnd = "2024-12-31 23:59:59.999Z"', True),
    ("@second = 56 && @minute = 34 && @hour = 12", True),
    ("@day = 15 && @month = 5 && @year = 2024 && @weekday = 3", True),
    ("created < @now && created > @yearStart", True),
    ('title ~ @year', False),
    # geoDistance (Sofia -> Plovdiv is about 132 km)
    ("geoDistance(lon, lat, 23.3219, 42.6977) < 0.001", True),
    ("geoDistance(23.3219, 42.6977, 24.7453, 42.1354) > 125", True),
    ("geoDistance(23.3219, 42.6977, 24.7453, 42.1354) < 140", True),
    ("geoDistance(0, 0, 180, 0) > 20015 && geoDistance(0, 0, 180, 0) < 20016", True),
    ("geoDistance(nothing, lat, 1, 2) < 100000", False),
    ("geoDistance(title, lat, 1, 2) < 100000", False),
    ("geoDistance(null, lat, 1, 2) = null", True),
    # strftime
    ("strftime('%Y-%m', created) = '2024-05'", True),
    ("strftime('%Y-%m-%d', @now) = '2024-05-15'", True),
    ("strftime('%d', created, '+1 day') = '02'", True),
    ("strftime('%H:%M', created, '-90 minutes') = '08:30'", True),
    ("strftime('%Y', 'not a date') = null", True),
    ("strftime('%Y') = '2024'", True),
    ("strftime('%Y', nothing) = null", True),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[case[0] for case in CASES])
def test_filter_evaluates_like_pocketbase(text: str, expected: bool) -> None:
    # Given a record and request behind a resolver / When the filter is evaluated at NOW / Then it matches
    assert evaluate(parse_filter(text), RECORD, now=NOW) is expected


def test_unknown_field_raises_the_resolver_error() -> None:
    # Given a field the resolver does not know / When evaluated / Then FilterEvaluationError with a message
    with pytest.raises(FilterEvaluationError, match="Unknown field 'bogus'"):
        evaluate(parse_filter("bogus = 1"), RECORD, now=NOW)


def test_short_circuit_skips_the_unknown_field() -> None:
    # Given an OR whose first branch holds / Then the second branch is never resolved
    assert evaluate(parse_filter("views = 42 || bogus = 1"), RECORD, now=NOW) is True


def test_resolver_returning_a_non_resolved_is_an_evaluation_error() -> None:
    class BrokenResolver:
        def resolve(self, identifier: Identifier) -> Resolved:
            return None  # type: ignore[return-value]

    with pytest.raises(FilterEvaluationError):
        evaluate(parse_filter("a = 1"), BrokenResolver(), now=NOW)


def test_month_end_in_a_leap_february_and_naive_now_is_utc() -> None:
    # Given a naive "now" in February of a leap year
    resolver = DictResolver(fields={})
    now = datetime(2024, 2, 10, 8, 0, 0)
    # Then macros take it as UTC and February ends on the 29th
    assert evaluate(parse_filter('@monthEnd = "2024-02-29 23:59:59.999Z"'), resolver, now=now)
    assert evaluate(parse_filter('@now = "2024-02-10 08:00:00.000Z"'), resolver, now=now)


def test_aware_now_is_converted_to_utc() -> None:
    # Given 01:30 at UTC+2, which is still the previous day in UTC
    now = datetime(2024, 1, 1, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    # Then @todayStart is computed in UTC
    assert evaluate(parse_filter('@todayStart = "2023-12-31 00:00:00.000Z"'), DictResolver({}), now=now)


def test_default_now_is_the_current_time() -> None:
    # Given no injected now / Then @now is close to the real clock
    assert evaluate(parse_filter("@now > '2024-01-01' && @year >= 2024"), DictResolver({}))


def test_macros_out_of_range_raise_an_evaluation_error() -> None:
    # Given a now at the very end of the datetime range / When @tomorrow is needed / Then a clean error
    with pytest.raises(FilterEvaluationError, match="out of the supported date range"):
        evaluate(parse_filter("@tomorrow = 1"), DictResolver({}), now=datetime.max.replace(tzinfo=UTC))


def test_datetime_and_decimal_values_from_the_resolver_are_normalized() -> None:
    # Given a resolver that hands back Python datetimes and DynamoDB decimals
    resolver = DictResolver(fields={
        "when": datetime(2024, 5, 1, 10, 0, 0, 123_456, tzinfo=UTC),
        "count": Decimal("3"),
        "nan": float("nan"),
    })
    # Then they compare as PocketBase datetime texts and plain numbers, NaN as null
    assert evaluate(parse_filter('when = "2024-05-01 10:00:00.123Z"'), resolver, now=NOW)
    assert evaluate(parse_filter("count = 3 && count > 2.5"), resolver, now=NOW)
    assert evaluate(parse_filter("nan = null"), resolver, now=NOW)
