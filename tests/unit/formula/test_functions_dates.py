"""Date functions: Airtable's documented results, month ends, leap years, time zones, units and blanks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.unit.formula.formula_cases import ERROR, NOW, evaluate

D = datetime(2024, 2, 29, 13, 45, 30, tzinfo=UTC)

CASES: list[tuple[str, dict[str, Any], Any]] = [
    # DATEADD, with month ends and leap years
    ('DATEADD("07/10/19", 10, "days")', {}, "2019-07-20T00:00:00.000Z"),
    ('DATEADD("2023-01-31", 1, "months")', {}, "2023-02-28T00:00:00.000Z"),
    ('DATEADD("2024-01-31", 1, "month")', {}, "2024-02-29T00:00:00.000Z"),
    ('DATEADD("2024-02-29", 1, "year")', {}, "2025-02-28T00:00:00.000Z"),
    ('DATEADD("2024-02-29", 4, "years")', {}, "2028-02-29T00:00:00.000Z"),
    ('DATEADD("2024-03-31", -1, "M")', {}, "2024-02-29T00:00:00.000Z"),
    ('DATEADD("2024-01-31", 1, "quarter")', {}, "2024-04-30T00:00:00.000Z"),
    ('DATEADD("2024-12-31T23:00:00Z", 2, "hours")', {}, "2025-01-01T01:00:00.000Z"),
    ('DATEADD("2024-01-01", 90, "m")', {}, "2024-01-01T01:30:00.000Z"),
    ('DATEADD("2024-01-01", 2, "weeks")', {}, "2024-01-15T00:00:00.000Z"),
    ("DATEADD({d}, 1, 'day')", {"d": None}, None),
    ('DATEADD("2024-01-01", 1, "fortnights")', {}, ERROR),
    # DATETIME_DIFF: first minus second, truncated toward zero
    ('DATETIME_DIFF("04/21/2019", "01/01/2019", "days")', {}, 110),
    ('DATETIME_DIFF("01/01/2019", "04/21/2019", "days")', {}, -110),
    ('DATETIME_DIFF("2024-01-01T10:00:00Z", "2024-01-01T09:00:00Z")', {}, 3600),
    ('DATETIME_DIFF("2024-01-01T10:00:00Z", "2024-01-01T09:00:30Z", "minutes")', {}, 59),
    ('DATETIME_DIFF("2024-03-01", "2024-02-01", "months")', {}, 1),
    ('DATETIME_DIFF("2024-02-29", "2024-01-31", "months")', {}, 0),  # moment: 0.93 months
    ('DATETIME_DIFF("2025-02-28", "2024-02-29", "years")', {}, 0),
    ('DATETIME_DIFF("2025-03-01", "2024-02-29", "years")', {}, 1),
    ('DATETIME_DIFF("2024-12-31", "2024-01-01", "quarters")', {}, 3),
    ('DATETIME_DIFF("2024-03-01", "2024-02-28", "days")', {}, 2),  # a leap day in between
    ('DATETIME_DIFF("2023-03-01", "2023-02-28", "days")', {}, 1),
    ('DATETIME_DIFF("2024-01-15", "2024-01-01", "w")', {}, 2),
    ("DATETIME_DIFF(NOW(), {d}, 'days')", {"d": None}, None),
    # DATETIME_FORMAT and DATETIME_PARSE (moment tokens)
    ('DATETIME_FORMAT("10/27/2020", "DD-MM-YYYY")', {}, "27-10-2020"),
    ("DATETIME_FORMAT({d}, 'MMMM Do, YYYY h:mm A')", {"d": D}, "February 29th, 2024 1:45 PM"),
    ("DATETIME_FORMAT({d}, 'ddd D MMM YY, HH:mm:ss.SSS')", {"d": D}, "Thu 29 Feb 24, 13:45:30.000"),
    ("DATETIME_FORMAT({d}, 'LL')", {"d": D}, "February 29, 2024"),
    ("DATETIME_FORMAT({d}, '[Week] W, [day] DDD, Q')", {"d": D}, "Week 9, day 60, 1"),
    ("DATETIME_FORMAT({d})", {"d": D}, "2024-02-29T13:45:30.000Z"),
    ("DATETIME_FORMAT({d}, 'X')", {"d": D}, str(int(D.timestamp()))),
    ('DATETIME_PARSE("4 Mar 2017 23:00", "D MMM YYYY HH:mm")', {}, "2017-03-04T23:00:00.000Z"),
    ('DATETIME_PARSE("March 5th, 2024 2:07pm", "MMMM Do, YYYY h:mma")', {}, "2024-03-05T14:07:00.000Z"),
    ('DATETIME_PARSE("2024-02-29T10:00:00+02:00")', {}, "2024-02-29T08:00:00.000Z"),
    ('DATETIME_PARSE("29/02/2023", "DD/MM/YYYY")', {}, ERROR),  # no such day
    ('DATETIME_PARSE("yesterday")', {}, ERROR),
    ('DATESTR("12/13/21")', {}, "2021-12-13"),
    # parts
    ('DAY("02/17/2013")', {}, 17),
    ('MONTH("02/17/2013")', {}, 2),
    ('YEAR("02/17/2013")', {}, 2013),
    ("HOUR({d})", {"d": D}, 13),
    ("MINUTE({d})", {"d": D}, 45),
    ("SECOND({d})", {"d": D}, 30),
    ("YEAR({d})", {"d": None}, None),
    ('WEEKDAY("2021-06-09")', {}, 3),
    ('WEEKDAY("2021-06-09", "Monday")', {}, 2),
    ('WEEKDAY("2021-06-06")', {}, 0),
    ('WEEKNUM("02/17/2013")', {}, 8),
    ('WEEKNUM("02/17/2013", "Monday")', {}, 7),
    ('WEEKNUM("2024-01-01")', {}, 1),
    ('WEEKNUM("2024-12-31")', {}, 53),
    # workdays
    ('WORKDAY("10/16/20", 10)', {}, "2020-10-30T00:00:00.000Z"),
    ('WORKDAY("10/16/20", 10, "2020-10-16, 2020-10-21")', {}, "2020-11-02T00:00:00.000Z"),
    ('WORKDAY("2024-03-04", -1)', {}, "2024-03-01T00:00:00.000Z"),
    ('WORKDAY_DIFF("2018-06-01", "2018-06-30")', {}, 21),
    ('WORKDAY_DIFF("2018-06-01", "2018-06-30", "2018-06-04")', {}, 20),
    ('WORKDAY_DIFF("2018-06-30", "2018-06-01")', {}, -21),
    ('WORKDAY_DIFF("2024-03-09", "2024-03-10")', {}, 0),
    # comparisons
    ('IS_AFTER("1/1/1979", "1/1/2000")', {}, False),
    ('IS_BEFORE("1/1/1979", "1/1/2000")', {}, True),
    ('IS_SAME("1/1/1979", "1/1/1979")', {}, True),
    ('IS_SAME("2024-02-01", "2024-02-29T23:59:59Z", "month")', {}, True),
    ('IS_SAME("2024-02-29", "2024-03-01", "month")', {}, False),
    ('IS_SAME("2024-02-29T01:00:00Z", "2024-02-29T23:00:00Z", "day")', {}, True),
    ('{d} < "2024-03-01"', {"d": D}, True),
    ("{d} = DATETIME_PARSE('2024-02-29 13:45:30')", {"d": D}, True),
    # time zones: parts and formats read in the zone SET_TIMEZONE gives
    ('HOUR(SET_TIMEZONE("2024-01-01T03:00:00Z", "Asia/Tokyo"))', {}, 12),
    ('DAY(SET_TIMEZONE("2024-01-01T23:30:00Z", "Asia/Kolkata"))', {}, 2),
    ('DATETIME_FORMAT(SET_TIMEZONE("2024-03-09T12:00:00Z", "America/Los_Angeles"), "YYYY-MM-DD HH:mm Z")', {},
     "2024-03-09 04:00 -08:00"),
    ('DATETIME_FORMAT(SET_TIMEZONE("2024-03-10T12:00:00Z", "America/Los_Angeles"), "YYYY-MM-DD HH:mm Z")', {},
     "2024-03-10 05:00 -07:00"),  # after the change to daylight time
    ('DATEADD(SET_TIMEZONE("2024-03-09T12:00:00Z", "America/New_York"), 1, "day")', {},
     "2024-03-10T11:00:00.000Z"),  # a day later at the same wall-clock time, across the DST change
    ('SET_TIMEZONE("2024-01-01", "Mars/Olympus")', {}, ERROR),
    # the clock
    ("NOW()", {}, "2024-03-12T15:30:45.000Z"),
    ("TODAY()", {}, "2024-03-12T00:00:00.000Z"),
    ("DATETIME_DIFF(TODAY(), {d}, 'days')", {"d": D}, 11),
]


@pytest.mark.parametrize(("formula", "fields", "expected"), CASES, ids=[c[0] for c in CASES])
def test_function(formula: str, fields: dict[str, Any], expected: Any) -> None:
    # Given the fields, When the formula is evaluated, Then it gives Airtable's documented result
    assert evaluate(formula, **fields) == expected


def test_the_clock_of_the_cases_is_fixed() -> None:
    assert NOW.weekday() == 1
