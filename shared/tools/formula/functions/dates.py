"""Date functions: DATEADD, DATETIME_DIFF, DATETIME_FORMAT, DATETIME_PARSE, DATESTR, SET_TIMEZONE, YEAR ... SECOND,
WEEKDAY, WEEKNUM, WORKDAY, WORKDAY_DIFF, IS_BEFORE, IS_AFTER, IS_SAME, NOW, TODAY.

Dates are aware datetimes, UTC unless SET_TIMEZONE gave them a zone (then parts and formats read in that zone).
Units are moment.js's: ms, s, m (minutes), h, d, w, M (months), Q, y, or their names, e.g. "days", "months".
"""

from __future__ import annotations

import calendar
import math
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.tools.formula.date_format import format_date, parse_date
from shared.tools.formula.errors import FormulaEvaluationError
from shared.tools.formula.functions.registry import Context, function
from shared.tools.formula.types import BOOL, DATE, NUMBER, TEXT
from shared.tools.formula.values import is_blank, iso, parse_date_text, to_date, to_number, to_text

_UNITS = {"ms": "milliseconds", "millisecond": "milliseconds", "milliseconds": "milliseconds",
          "s": "seconds", "second": "seconds", "seconds": "seconds", "m": "minutes", "minute": "minutes",
          "minutes": "minutes", "h": "hours", "hour": "hours", "hours": "hours", "d": "days", "day": "days",
          "days": "days", "w": "weeks", "week": "weeks", "weeks": "weeks", "isoweek": "weeks", "isoweeks": "weeks",
          "M": "months", "month": "months", "months": "months", "Q": "quarters", "quarter": "quarters",
          "quarters": "quarters", "y": "years", "year": "years", "years": "years"}
_SECONDS = {"milliseconds": 0.001, "seconds": 1, "minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800}


def unit_of(raw: Any, default: str) -> str:
    text = to_text(raw).strip() if not is_blank(raw) else default
    # "M" is months and "m" minutes, as in moment; other names are case-insensitive
    unit = _UNITS[text] if text in ("M", "m") else _UNITS.get(text) or _UNITS.get(text.lower())
    if unit is None:
        raise FormulaEvaluationError(f"{text!r} is not a date unit.")
    return unit


def _date(value: Any, name: str = "The date") -> datetime:
    moment = to_date(value)
    if moment is None:
        raise FormulaEvaluationError(f"{name} is blank.")
    return moment


def add_months(moment: datetime, months: int) -> datetime:
    """Calendar months, the day clamped to the month's end: Jan 31 + 1 month is Feb 29 in a leap year."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise FormulaEvaluationError("The date is out of range.")
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _wall_add(moment: datetime, delta: timedelta) -> datetime:
    """Add days in the date's own zone keeping the wall-clock time (moment's rule across DST changes)."""
    zone = moment.tzinfo
    return (moment.replace(tzinfo=None) + delta).replace(tzinfo=zone)


@function("DATEADD", 3, 3, ("date", "number", "text"), DATE)
def dateadd(ctx: Context, value: Any, count: Any, unit: Any) -> datetime | None:
    """DATEADD("2024-01-31", 1, "month") is 2024-02-29; days, months and years round fractional counts."""
    moment = to_date(value)
    if moment is None:
        return None
    amount, name = to_number(count), unit_of(unit, "days")
    try:
        if name in ("months", "quarters", "years"):
            months = {"months": 1, "quarters": 3, "years": 12}[name]
            return add_months(moment, _round_half_away(amount) * months)
        if name in ("days", "weeks"):
            days = _round_half_away(amount) * (7 if name == "weeks" else 1)
            return _wall_add(moment, timedelta(days=days))
        return moment + timedelta(seconds=amount * _SECONDS[name])
    except OverflowError as exc:
        raise FormulaEvaluationError("The date is out of range.") from exc


def _round_half_away(value: float) -> int:
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def month_diff(a: datetime, b: datetime) -> float:
    """moment's monthDiff(a, b): whole calendar months from a to b plus the fraction of the next one."""
    whole = (b.year - a.year) * 12 + (b.month - a.month)
    anchor = add_months(a, whole)
    if b < anchor:
        anchor2 = add_months(a, whole - 1)
        adjust = (b - anchor) / (anchor - anchor2)
    else:
        anchor2 = add_months(a, whole + 1)
        adjust = (b - anchor) / (anchor2 - anchor)
    return -(whole + adjust) or 0.0


def _trunc(value: float) -> int:
    return math.trunc(value)


@function("DATETIME_DIFF", 2, 3, ("date", "date", "text"), NUMBER)
def datetime_diff(ctx: Context, first: Any, second: Any, unit: Any = None) -> int | None:
    """first minus second in whole units, truncated toward zero (seconds by default), as moment's diff."""
    a, b = to_date(first), to_date(second)
    if a is None or b is None:
        return None
    name = unit_of(unit, "seconds")
    if name in ("months", "quarters", "years"):
        months = month_diff(a, b)
        return _trunc(months / {"months": 1, "quarters": 3, "years": 12}[name])
    if name == "milliseconds":
        return _trunc((a - b) / timedelta(milliseconds=1))
    return _trunc((a - b).total_seconds() / _SECONDS[name])


@function("DATETIME_FORMAT", 1, 2, ("date", "text"), TEXT)
def datetime_format(ctx: Context, value: Any, layout: Any = None) -> str:
    """DATETIME_FORMAT({d}, "MM/DD/YYYY"); without a format, ISO 8601 in UTC."""
    moment = to_date(value)
    if moment is None:
        return ""
    if is_blank(layout):
        return iso(moment)
    return format_date(moment, to_text(layout))


@function("DATETIME_PARSE", 1, 3, ("text", "text", "text"), DATE)
def datetime_parse(ctx: Context, text: Any, layout: Any = None, locale: Any = None) -> datetime | None:
    """DATETIME_PARSE("4 Mar 2017 23:00", "D MMM YYYY HH:mm"); without a format, ISO 8601 or M/D/YYYY."""
    if isinstance(text, datetime):
        return text
    raw = to_text(text).strip()
    if not raw:
        return None
    if is_blank(layout):
        parsed = parse_date_text(raw)
        if parsed is None:
            raise FormulaEvaluationError(f"{raw!r} is not a date.")
        return parsed
    return parse_date(raw, to_text(layout))


@function("DATESTR", 1, 1, ("date",), TEXT)
def datestr(ctx: Context, value: Any) -> str:
    moment = to_date(value)
    return moment.strftime("%Y-%m-%d") if moment else ""


@function("SET_TIMEZONE", 2, 2, ("date", "text"), DATE)
def set_timezone(ctx: Context, value: Any, zone: Any) -> datetime | None:
    """The same instant read in a zone: YEAR, HOUR, DATETIME_FORMAT ... then answer for that zone."""
    moment = to_date(value)
    if moment is None:
        return None
    try:
        return moment.astimezone(ZoneInfo(to_text(zone)))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise FormulaEvaluationError(f"{to_text(zone)!r} is not a time zone.") from exc


def _part(name: str, attribute: str) -> None:
    @function(name, 1, 1, ("date",), NUMBER)
    def part(ctx: Context, value: Any) -> int | None:
        moment = to_date(value)
        return getattr(moment, attribute) if moment else None


for _name, _attribute in (("YEAR", "year"), ("MONTH", "month"), ("DAY", "day"), ("HOUR", "hour"),
                          ("MINUTE", "minute"), ("SECOND", "second")):
    _part(_name, _attribute)


def _first_day(raw: Any) -> int:
    """Python's weekday number of the day weeks start on: "Sunday" (the default) or "Monday"."""
    text = to_text(raw).strip().lower() if not is_blank(raw) else "sunday"
    if text not in ("sunday", "monday"):
        raise FormulaEvaluationError('The start day must be "Sunday" or "Monday".')
    return 6 if text == "sunday" else 0


@function("WEEKDAY", 1, 2, ("date", "text"), NUMBER)
def weekday(ctx: Context, value: Any, start: Any = None) -> int | None:
    """0 for the start day (Sunday unless "Monday"), up to 6."""
    moment = to_date(value)
    return None if moment is None else (moment.weekday() - _first_day(start)) % 7


@function("WEEKNUM", 1, 2, ("date", "text"), NUMBER)
def weeknum(ctx: Context, value: Any, start: Any = None) -> int | None:
    """The week of the year, the week holding January 1 being week 1: WEEKNUM("2013-02-17") is 8."""
    moment = to_date(value)
    if moment is None:
        return None
    first = _first_day(start)
    jan1 = date(moment.year, 1, 1)
    week_start = jan1 - timedelta(days=(jan1.weekday() - first) % 7)
    return (moment.date() - week_start).days // 7 + 1


def _holidays(raw: Any) -> set[date]:
    if is_blank(raw):
        return set()
    items = raw if isinstance(raw, list) else to_text(raw).split(",")
    days = set()
    for item in items:
        if is_blank(item) or (isinstance(item, str) and not item.strip()):
            continue
        days.add(_date(item.strip() if isinstance(item, str) else item, "A holiday").date())
    return days


def _is_workday(day: date, holidays: set[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


@function("WORKDAY", 2, 3, ("date", "number", "any"), DATE)
def workday(ctx: Context, start: Any, days: Any, holidays: Any = None) -> datetime | None:
    """The workday `days` workdays after start (before, when negative), skipping weekends and holidays."""
    moment = to_date(start)
    if moment is None:
        return None
    count, off = int(to_number(days)), _holidays(holidays)
    step = 1 if count >= 0 else -1
    day = moment.date()
    remaining = abs(count)
    while remaining:
        ctx.step()
        day += timedelta(days=step)
        if _is_workday(day, off):
            remaining -= 1
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@function("WORKDAY_DIFF", 2, 3, ("date", "date", "any"), NUMBER)
def workday_diff(ctx: Context, start: Any, end: Any, holidays: Any = None) -> int | None:
    """Workdays from start to end, both counted: WORKDAY_DIFF("2018-06-01", "2018-06-30") is 21."""
    a, b = to_date(start), to_date(end)
    if a is None or b is None:
        return None
    first, last, sign = (a.date(), b.date(), 1) if a <= b else (b.date(), a.date(), -1)
    off = _holidays(holidays)
    total_days = (last - first).days + 1
    ctx.step(total_days // 7 + len(off))
    weeks, extra = divmod(total_days, 7)
    count = weeks * 5 + sum(1 for i in range(extra) if (first + timedelta(days=weeks * 7 + i)).weekday() < 5)
    count -= sum(1 for h in off if first <= h <= last and h.weekday() < 5)
    return sign * count


_START_OF = {
    "years": lambda d: d.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0),
    "quarters": lambda d: d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1, hour=0, minute=0, second=0,
                                    microsecond=0),
    "months": lambda d: d.replace(day=1, hour=0, minute=0, second=0, microsecond=0),
    "weeks": lambda d: (d - timedelta(days=(d.weekday() + 1) % 7)).replace(hour=0, minute=0, second=0,
                                                                           microsecond=0),
    "days": lambda d: d.replace(hour=0, minute=0, second=0, microsecond=0),
    "hours": lambda d: d.replace(minute=0, second=0, microsecond=0),
    "minutes": lambda d: d.replace(second=0, microsecond=0),
    "seconds": lambda d: d.replace(microsecond=0),
    "milliseconds": lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000),
}


@function("IS_SAME", 2, 3, ("date", "date", "text"), BOOL)
def is_same(ctx: Context, first: Any, second: Any, unit: Any = None) -> bool:
    """Whether both fall in the same unit (the same millisecond by default): IS_SAME(a, b, "month")."""
    a, b = to_date(first), to_date(second)
    if a is None or b is None:
        return a is None and b is None
    start = _START_OF[unit_of(unit, "milliseconds")]
    return bool(start(a) == start(b.astimezone(a.tzinfo)))


@function("IS_BEFORE", 2, 2, ("date", "date"), BOOL)
def is_before(ctx: Context, first: Any, second: Any) -> bool:
    a, b = to_date(first), to_date(second)
    return a is not None and b is not None and a < b


@function("IS_AFTER", 2, 2, ("date", "date"), BOOL)
def is_after(ctx: Context, first: Any, second: Any) -> bool:
    a, b = to_date(first), to_date(second)
    return a is not None and b is not None and a > b


@function("NOW", 0, 0, (), DATE, clock=True)
def now(ctx: Context) -> datetime:
    return ctx.now


@function("TODAY", 0, 0, (), DATE, clock=True)
def today(ctx: Context) -> datetime:
    """Midnight (UTC) of the current day."""
    return ctx.now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
