"""`strftime(format, time-value, modifiers...)` as SQLite computes it, in UTC; None where SQLite gives NULL.

Supported time values: `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|±HH:MM]`, `HH:MM[:SS[.fff]]`, `now`, and numbers
(Julian day numbers, or Unix seconds with the `unixepoch` modifier). Supported modifiers: `±N days|hours|
minutes|seconds|months|years`, `start of day|month|year`, `weekday N`, `unixepoch`, `utc`, `localtime`
(the last two do nothing: everything is UTC). Format codes: SQLite's `%d %e %f %F %G %g %H %I %j %J %k %l
%m %M %p %P %R %s %S %T %u %U %V %w %W %Y %%`.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from shared.tools.filter.values import Scalar, to_number

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_JULIAN_DAY_AT_EPOCH = 2440587.5
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:\d{2})?",
    re.IGNORECASE,
)
_TIME_ONLY = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?")
_SHIFT = re.compile(r"([+-]?\d+(?:\.\d+)?)\s+(day|hour|minute|second|month|year)s?")
_WEEKDAY = re.compile(r"weekday\s+([0-6])")


def sqlite_strftime(format_text: str, value: Scalar, modifiers: list[Scalar], now: datetime) -> str | None:
    """Format `value` (after `modifiers`) with SQLite's format codes; None for anything SQLite rejects."""
    try:
        moment = _parse_time_value(value, modifiers, now)
        for modifier in modifiers:
            if moment is None or not isinstance(modifier, str):
                return None
            moment = _apply_modifier(moment, modifier.strip().lower())
        return None if moment is None else _format(format_text, moment)
    except (OverflowError, ValueError):
        return None  # outside datetime's range, as SQLite's NULL for out-of-range results


def _parse_time_value(value: Scalar, modifiers: list[Scalar], now: datetime) -> datetime | None:
    unix = bool(modifiers) and isinstance(modifiers[0], str) and modifiers[0].strip().lower() == "unixepoch"
    if isinstance(value, str) and value.strip().lower() == "now":
        return now
    number = to_number(value)
    if number is not None:
        if not math.isfinite(number):
            return None
        seconds = float(number) if unix else (float(number) - _JULIAN_DAY_AT_EPOCH) * 86400
        return _EPOCH + timedelta(seconds=seconds)
    if not isinstance(value, str) or unix:
        return None
    text = value.strip()
    if match := _DATE_TIME.fullmatch(text):
        year, month, day, hour, minute, second, fraction, zone = match.groups()
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                          int(second or 0), _microseconds(fraction), tzinfo=UTC)
        return moment - _zone_offset(zone)
    if match := _TIME_ONLY.fullmatch(text):
        hour, minute, second, fraction = match.groups()
        return datetime(2000, 1, 1, int(hour), int(minute), int(second or 0), _microseconds(fraction), tzinfo=UTC)
    return None


def _microseconds(fraction: str | None) -> int:
    return int((fraction or "0")[:6].ljust(6, "0"))


def _zone_offset(zone: str | None) -> timedelta:
    if zone is None or zone.upper() == "Z":
        return timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    return sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))


def _apply_modifier(moment: datetime, modifier: str) -> datetime | None:
    if modifier in ("unixepoch", "utc", "localtime"):
        return moment
    if modifier == "start of day":
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if modifier == "start of month":
        return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if modifier == "start of year":
        return moment.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if match := _WEEKDAY.fullmatch(modifier):
        ahead = (int(match.group(1)) - moment.isoweekday() % 7) % 7
        return moment + timedelta(days=ahead)
    if match := _SHIFT.fullmatch(modifier):
        amount, unit = float(match.group(1)), match.group(2)
        if unit in ("month", "year"):
            if not amount.is_integer():
                return None
            return _add_months(moment, int(amount) * (12 if unit == "year" else 1))
        return moment + timedelta(**{unit + "s": amount})
    return None


def _add_months(moment: datetime, months: int) -> datetime:
    # SQLite keeps the day and lets it overflow into the next month (Jan 31 + 1 month = Mar 3 or 2).
    total = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(total, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    day = min(moment.day, last_day)
    return moment.replace(year=year, month=month + 1, day=day) + timedelta(days=moment.day - day)


def _format(format_text: str, moment: datetime) -> str | None:
    parts: list[str] = []
    index = 0
    while index < len(format_text):
        char = format_text[index]
        if char != "%":
            parts.append(char)
            index += 1
            continue
        code = format_text[index + 1 : index + 2]
        formatter = _FORMATTERS.get(code)
        if formatter is None:
            return None  # SQLite returns NULL for an unknown or dangling format code
        parts.append(formatter(moment))
        index += 2
    return "".join(parts)


def _unix_seconds(moment: datetime) -> float:
    return (moment - _EPOCH).total_seconds()


def _twelve_hour(moment: datetime) -> int:
    return (moment.hour % 12) or 12


_FORMATTERS: dict[str, Callable[[datetime], str]] = {
    "d": lambda m: f"{m.day:02d}",
    "e": lambda m: f"{m.day:2d}",
    "f": lambda m: f"{m.second:02d}.{m.microsecond // 1000:03d}",
    "F": lambda m: f"{m.year:04d}-{m.month:02d}-{m.day:02d}",
    "G": lambda m: f"{m.isocalendar()[0]:04d}",
    "g": lambda m: f"{m.isocalendar()[0] % 100:02d}",
    "H": lambda m: f"{m.hour:02d}",
    "I": lambda m: f"{_twelve_hour(m):02d}",
    "j": lambda m: f"{m.timetuple().tm_yday:03d}",
    "J": lambda m: format(_unix_seconds(m) / 86400 + _JULIAN_DAY_AT_EPOCH, ".16g"),
    "k": lambda m: f"{m.hour:2d}",
    "l": lambda m: f"{_twelve_hour(m):2d}",
    "m": lambda m: f"{m.month:02d}",
    "M": lambda m: f"{m.minute:02d}",
    "p": lambda m: "PM" if m.hour >= 12 else "AM",
    "P": lambda m: "pm" if m.hour >= 12 else "am",
    "R": lambda m: f"{m.hour:02d}:{m.minute:02d}",
    "s": lambda m: str(math.floor(_unix_seconds(m))),
    "S": lambda m: f"{m.second:02d}",
    "T": lambda m: f"{m.hour:02d}:{m.minute:02d}:{m.second:02d}",
    "u": lambda m: str(m.isoweekday()),
    "U": lambda m: f"{(m.timetuple().tm_yday + 6 - m.isoweekday() % 7) // 7:02d}",
    "V": lambda m: f"{m.isocalendar()[1]:02d}",
    "w": lambda m: str(m.isoweekday() % 7),
    "W": lambda m: f"{(m.timetuple().tm_yday + 6 - (m.isoweekday() - 1)) // 7:02d}",
    "Y": lambda m: f"{m.year:04d}",
    "%": lambda m: "%",
}
