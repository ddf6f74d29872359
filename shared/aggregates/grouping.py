"""Group keys of a record's values: select/relation values, booleans, dates truncated (UTC), number buckets.

A date truncates to the start of its period in UTC, answered as `YYYY-MM-DD`: weeks start on Monday (ISO 8601),
quarters in January, April, July and October. A number `v` in buckets of width `w` falls in the bucket starting
at `floor(v / w) * w`. A multiple select or relation puts a record in the group of each of its values; an empty
value (no option, no link, no date) is the group `""`.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from shared.aggregates.spec import GroupTerm
from shared.collections.datetime import parse_datetime
from shared.collections.fields import BaseField

GROUPABLE = ("select", "relation", "bool", "date", "autodate", "number")
DATES = ("date", "autodate")


def truncate(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if unit == "year":
        return day.replace(month=1, day=1)
    return day


def bucket_start(value: float, width: float) -> float | int:
    start = math.floor(value / width) * width
    return int(start) if float(start).is_integer() else start


def term_problem(term: GroupTerm, field: BaseField) -> str | None:
    """Why a field cannot be grouped by this term, or None."""
    kind = field.field_type
    if kind not in GROUPABLE:
        return f"{field.name!r} ({kind}) cannot be grouped: use a select, relation, bool, date or number field."
    if kind in DATES and term.truncate is None:
        return f"The date {field.name!r} is grouped by a truncation, e.g. {field.name}:month."
    if kind == "number" and term.bucket is None:
        return f"The number {field.name!r} is grouped by buckets, e.g. {field.name}:bucket(100)."
    if kind not in DATES and term.truncate is not None:
        return f"{field.name!r} is not a date: it cannot be truncated."
    if kind != "number" and term.bucket is not None:
        return f"{field.name!r} is not a number: it cannot be bucketed."
    return None


def keys_of(term: GroupTerm, field: BaseField, stored: Any) -> list[Any]:
    """The group keys a record's stored value falls in (one, or one per value of a multiple field)."""
    value = field.from_stored(stored)
    kind = field.field_type
    if kind in DATES:
        moment = parse_datetime(value) if value else None
        return [truncate(moment.date(), term.truncate or "day").isoformat() if moment else ""]
    if kind == "number":
        number = float(value or 0)
        return [bucket_start(number, term.bucket or 1.0) if math.isfinite(number) else ""]
    if kind == "bool":
        return [bool(value)]
    if isinstance(value, list):
        return list(dict.fromkeys(str(v) for v in value)) or [""]
    return [str(value or "")]
