"""geoDistance, SQLite strftime and LIKE matching in isolation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.tools.filter.geo import geo_distance
from shared.tools.filter.like import like_match, wrap_literal_pattern
from shared.tools.filter.strftime import sqlite_strftime

NOW = datetime(2024, 5, 15, 12, 34, 56, 789_000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("points", "kilometres"),
    [
        ((0, 0, 0, 0), 0.0),
        ((0, 0, 0, 1), 111.195),
        ((-0.1278, 51.5074, 2.3522, 48.8566), 343.556),  # London -> Paris
        ((0, 90, 0, -90), 20015.087),
    ],
)
def test_geo_distance_is_haversine_in_kilometres(points: tuple[float, ...], kilometres: float) -> None:
    assert geo_distance(*points) == pytest.approx(kilometres, abs=0.01)


@pytest.mark.parametrize("bad", [None, "", "abc", float("inf"), 10**400, [1]])
def test_geo_distance_of_a_non_number_is_null(bad: object) -> None:
    assert geo_distance(bad, 0, 0, 0) is None


def test_geo_distance_accepts_numeric_texts_and_booleans() -> None:
    assert geo_distance("0", "0", "0", " 1 ") == pytest.approx(111.195, abs=0.01)
    assert geo_distance(False, False, False, True) == pytest.approx(111.195, abs=0.01)


@pytest.mark.parametrize(
    ("format_text", "value", "modifiers", "expected"),
    [
        ("%Y-%m-%d %H:%M:%S", "2024-05-01 10:00:00.000Z", [], "2024-05-01 10:00:00"),
        ("%f", "2024-05-01 10:00:07.123Z", [], "07.123"),
        ("%F %T", "2024-05-01T10:00:00", [], "2024-05-01 10:00:00"),
        ("%H", "2024-05-01 10:00:00+02:00", [], "08"),
        ("%Y-%m-%d", "2024-05-01", [], "2024-05-01"),
        ("%H:%M", "13:45", [], "13:45"),
        ("%Y", "now", [], "2024"),
        ("%s", "1970-01-02 00:00:00", [], "86400"),
        ("%s", "1969-12-31 23:59:59.5", [], "-1"),
        ("%J", "2000-01-01 12:00:00", [], "2451545"),
        ("%Y-%m-%d", 2451545.0, [], "2000-01-01"),
        ("%Y-%m-%d %H:%M:%S", 86400, ["unixepoch"], "1970-01-02 00:00:00"),
        ("%Y-%m-%d", "2024-01-31", ["+1 month"], "2024-03-02"),
        ("%Y-%m-%d", "2024-02-29", ["+1 year"], "2025-03-01"),
        ("%Y-%m-%d", "2024-03-31", ["-1 months"], "2024-03-02"),
        ("%Y-%m-%d %H", "2024-05-01 10:00:00", ["+1.5 days"], "2024-05-02 22"),
        ("%Y-%m-%d", "2024-05-15 10:00:00", ["start of month"], "2024-05-01"),
        ("%Y-%m-%d", "2024-05-15 10:00:00", ["start of year"], "2024-01-01"),
        ("%H:%M", "2024-05-15 10:30:00", ["start of day"], "00:00"),
        ("%Y-%m-%d", "2024-05-15", ["weekday 0"], "2024-05-19"),
        ("%Y-%m-%d", "2024-05-15", ["weekday 3"], "2024-05-15"),
        ("%u %w %p %P %I %l %k %e", "2024-05-19 00:05:00", [], "7 0 AM am 12 12  0 19"),
        ("%G-%V %g", "2021-01-03", [], "2020-53 20"),
        ("100%%", "2024-05-15", [], "100%"),
        ("%Y", "2024-05-15", ["utc", "localtime"], "2024"),
    ],
)
def test_strftime_matches_sqlite(format_text: str, value: object, modifiers: list[object], expected: str) -> None:
    assert sqlite_strftime(format_text, value, modifiers, NOW) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("format_text", "value", "modifiers"),
    [
        ("%Y", "2024-13-01", []),
        ("%Y", "garbage", []),
        ("%Y", None, []),
        ("%Q", "2024-05-15", []),
        ("%", "2024-05-15", []),
        ("%Y", "2024-05-15", ["+1 fortnight"]),
        ("%Y", "2024-05-15", ["+0.5 months"]),
        ("%Y", "2024-05-15", [5]),
        ("%Y", "9999-12-31", ["+1 day"]),
        ("%Y", 1e300, []),
        ("%Y", "2024-05-15", ["unixepoch"]),
    ],
)
def test_strftime_is_null_where_sqlite_is(format_text: str, value: object, modifiers: list[object]) -> None:
    assert sqlite_strftime(format_text, value, modifiers, NOW) is None  # type: ignore[arg-type]


def test_week_and_day_of_year_codes_agree_with_c_strftime() -> None:
    # Given every day over several years / Then %j %U %W equal the C library's
    day = datetime(2019, 12, 20, tzinfo=UTC)
    for _ in range(800):
        text = day.strftime("%Y-%m-%d")
        assert sqlite_strftime("%j %U %W", text, [], NOW) == day.strftime("%j %U %W")
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("Hello", "hello", True),
        ("Hello", "h%", True),
        ("Hello", "%LLO", True),
        ("Hello", "h_llo", True),
        ("Hello", "h_lo", False),
        ("Hello", "%", True),
        ("", "%", True),
        ("", "_", False),
        ("a%b", r"a\%b", True),
        ("axb", r"a\%b", False),
        ("a_b", r"a\_b", True),
        ("axb", r"a\_b", False),
        ("abc", "abc\\", False),  # a dangling escape matches nothing
        ("ÉCOLE", "école", False),  # only ASCII letters fold, as in SQLite
        ("line\nbreak", "line_break", True),
        ("abcabcabd", "%abc%abd", True),
        ("ab", "%a%b%c%", False),
        ("aaa", "a%a%a", True),
        ("aa", "a%a%a", False),
    ],
)
def test_like_match(value: str, pattern: str, expected: bool) -> None:
    assert like_match(value, pattern) is expected


def test_like_match_is_fast_on_adversarial_patterns() -> None:
    # Given a pattern that makes a backtracking matcher explode / Then it answers at once
    value = "a" * 20_000
    pattern = "%a" * 1_000 + "%b"
    assert like_match(value, pattern) is False


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("abc", "%abc%"),
        ("a_b", r"%a\_b%"),
        ("50%", "50%"),  # an unescaped % means "use as a pattern"
        (r"50\%", r"%50\%%"),
        ("__", r"%\_\_%"),  # PocketBase leaves the first of two unescaped; we escape both
        ("C:\\dir", r"%C:\\dir%"),
        ("end\\", "%end\\\\%"),
    ],
)
def test_wrap_literal_pattern(text: str, pattern: str) -> None:
    assert wrap_literal_pattern(text) == pattern
