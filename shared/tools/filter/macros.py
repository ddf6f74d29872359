"""Datetime macros (`@now`, `@todayStart`, ...): UTC values computed from one injectable `now`."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta

from shared.tools.filter.errors import FilterEvaluationError
from shared.tools.filter.values import format_datetime_value


def _start_of_day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _end_of_day(moment: datetime) -> datetime:
    # PocketBase's datetimes have millisecond precision, so the day ends at .999.
    return moment.replace(hour=23, minute=59, second=59, microsecond=999_000)


def utc_now(now: datetime | None) -> datetime:
    """`now` in UTC (naive values are taken as UTC); the current time when None."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        return now.replace(tzinfo=UTC)
    try:
        return now.astimezone(UTC)
    except OverflowError as error:
        raise FilterEvaluationError("The current time is out of the supported date range.") from error


def macro_value(name: str, now: datetime) -> str | int:
    """The value of macro `name` (with its `@`) at UTC time `now`: a datetime text or an integer."""
    try:
        return _macro_value(name, now)
    except (OverflowError, ValueError) as error:
        raise FilterEvaluationError(f"The macro {name} is out of the supported date range.") from error


def _macro_value(name: str, now: datetime) -> str | int:
    numbers = {
        "@second": now.second,
        "@minute": now.minute,
        "@hour": now.hour,
        "@day": now.day,
        "@month": now.month,
        "@year": now.year,
        "@weekday": now.isoweekday() % 7,  # Go's Weekday: Sunday is 0
    }
    if name in numbers:
        return numbers[name]
    last_day = calendar.monthrange(now.year, now.month)[1]
    moments = {
        "@now": lambda: now,
        "@yesterday": lambda: now - timedelta(days=1),
        "@tomorrow": lambda: now + timedelta(days=1),
        "@todayStart": lambda: _start_of_day(now),
        "@todayEnd": lambda: _end_of_day(now),
        "@monthStart": lambda: _start_of_day(now.replace(day=1)),
        "@monthEnd": lambda: _end_of_day(now.replace(day=last_day)),
        "@yearStart": lambda: _start_of_day(now.replace(month=1, day=1)),
        "@yearEnd": lambda: _end_of_day(now.replace(month=12, day=31)),
    }
    if name not in moments:
        raise FilterEvaluationError(f"Unknown macro {name}.")
    return format_datetime_value(moments[name]())
