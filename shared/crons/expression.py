"""PocketBase's cron expressions (tools/cron): five fields or a macro, parsed and matched minute by minute.

PocketBase has its own dialect, and so does this module rather than a general cron library: croniter and
cronsim follow Vixie cron, which PocketBase does not. Where they differ:

- a day matches only when both the day of the month and the day of the week match (Vixie cron: either, when
  both are restricted), so `0 0 13 * 5` is Friday the 13th here;
- numbers only: no month or weekday names, no `7` for Sunday, no `?`, `L`, `W` or `#`;
- exactly five fields separated by single spaces; the macros are @yearly, @annually, @monthly, @weekly,
  @daily, @midnight and @hourly (no @reboot).

Example: `parse("*/15 9-17 * * 1-5").is_due(datetime(2026, 12, 1, 9, 30))` is True (a Tuesday).
"""

from __future__ import annotations

import re
from datetime import datetime

import msgspec

# The error code PocketBase gives an invalid expression in a settings form (`backups.cron`).
INVALID_CRON_CODE = "validation_invalid_cron"

MACROS: dict[str, str] = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}

# (minimum, maximum) of minute, hour, day of month, month, day of week (0 is Sunday).
_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
# What Go's strconv.Atoi accepts: an optional sign and ASCII digits (Python's int() also takes spaces,
# underscores and non-ASCII digits).
_GO_INT = re.compile(r"[+-]?[0-9]+")
_INT64_MAX = 2**63 - 1


class CronExpressionError(ValueError):
    """An expression PocketBase refuses; the message is the one PocketBase's API answers with."""

    code = INVALID_CRON_CODE

    def __init__(self, reason: str) -> None:
        # PocketBase's API capitalises a validation message and ends it with a period.
        super().__init__(reason[:1].upper() + reason[1:] + ".")


class Schedule(msgspec.Struct, frozen=True):
    """The minutes a cron expression is due; `expression` is what PocketBase lists (macros expanded)."""

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]

    def is_due(self, moment: datetime) -> bool:
        """Whether the minute of `moment` (in the scheduler's zone, UTC) is one of this schedule's."""
        return (moment.minute in self.minutes and moment.hour in self.hours and moment.day in self.days
                and moment.isoweekday() % 7 in self.weekdays and moment.month in self.months)


def _atoi(text: str) -> int:
    if not _GO_INT.fullmatch(text):
        raise CronExpressionError(f'strconv.Atoi: parsing "{text}": invalid syntax')
    value = int(text)
    if not -_INT64_MAX - 1 <= value <= _INT64_MAX:
        raise CronExpressionError(f'strconv.Atoi: parsing "{text}": value out of range')
    return value


def _segment(segment: str, low: int, high: int) -> frozenset[int]:
    """One field's slots, checked in PocketBase's order so that the first error is PocketBase's too."""
    slots: set[int] = set()
    for part in segment.split(","):
        step_parts = part.split("/")
        if len(step_parts) == 1:
            step = 1
        elif len(step_parts) == 2:
            step = _atoi(step_parts[1])
            if step < 1 or step > high:
                raise CronExpressionError(f"invalid segment step boundary - the step must be between 1 and the {high}")
        else:
            raise CronExpressionError("invalid segment step format - must be in the format */n or 1-30/n")
        if step_parts[0] == "*":
            first, last = low, high
        else:
            range_parts = step_parts[0].split("-")
            if len(range_parts) == 1:
                if step != 1:
                    raise CronExpressionError(
                        "invalid segment step - step > 1 could be used only with the wildcard or range format")
                first = _atoi(range_parts[0])
                if first < low or first > high:
                    raise CronExpressionError("invalid segment value - must be between the min and max of the segment")
                last = first
            elif len(range_parts) == 2:
                first = _atoi(range_parts[0])
                if first < low or first > high:
                    raise CronExpressionError(f"invalid segment range minimum - must be between {low} and {high}")
                last = _atoi(range_parts[1])
                if last < first or last > high:
                    raise CronExpressionError(f"invalid segment range maximum - must be between {first} and {high}")
            else:
                raise CronExpressionError("invalid segment range format - the range must have 1 or 2 parts")
        slots.update(range(first, last + 1, step))
    return frozenset(slots)


def parse(expression: str) -> Schedule:
    """The schedule of a macro or of five space-separated fields; CronExpressionError if PocketBase refuses it."""
    expanded = MACROS.get(expression, expression)
    fields = expanded.split(" ")
    if len(fields) != 5:
        raise CronExpressionError(
            "invalid cron expression - must be a valid macro or to have exactly 5 space separated segments")
    minutes, hours, days, months, weekdays = (_segment(f, lo, hi) for f, (lo, hi) in zip(fields, _BOUNDS, strict=True))
    return Schedule(expanded, minutes, hours, days, months, weekdays)


def validate(expression: str) -> None:
    """Raise ValueError (a CronExpressionError, code `validation_invalid_cron`) with PocketBase's message if
    PocketBase would refuse `expression`; the settings form calls it for `backups.cron` when it is not empty."""
    parse(expression)
