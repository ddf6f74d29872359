"""Airtable's coercions: how a value reads as a number, text, date or truth value, and how values compare.

Runtime values are Python's: None (blank), bool, int/float, str, datetime (aware), list. Airtable's rules:
a blank reads as 0 in arithmetic and "" in text, and equals 0 and "" (`BLANK() = 0` is true); booleans read as
1/0; a list reads as its items joined with ", "; 0, "", blank and [] are false.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

from shared.tools.formula.errors import FormulaEvaluationError

_NUMERIC_TEXT = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")
_ISO = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"\s*(?P<z>Z|z|UTC|[+-]\d{2}:?\d{2})?)?$")
_US = re.compile(r"^(?P<mo>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{2}|\d{4})(?:\s+(?P<h>\d{1,2}):(?P<mi>\d{2})"
                 r"(?::(?P<s>\d{2}))?\s*(?P<ap>[AaPp][Mm])?)?$")


class ErrorValue:
    """A field whose own evaluation failed, as a formula reading it sees it: reading it is an error too (as
    Airtable's #ERROR! spreads), which ISERROR catches."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __repr__(self) -> str:
        return f"ErrorValue({self.message!r})"


def is_blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list) and not value)


def truthy(value: Any) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return False
    if isinstance(value, list):
        return any(truthy(item) for item in value)
    return bool(value)


def flatten(values: list[Any]) -> list[Any]:
    """Arguments with lists spread into their items (SUM({a}, {lookup}) sums every item)."""
    out: list[Any] = []
    stack = list(reversed(values))
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        else:
            out.append(item)
    return out


def number_or_none(value: Any) -> int | float | None:
    """A value as a number when it is one (or numeric text, or a bool); None otherwise."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and _NUMERIC_TEXT.match(value):
        parsed = float(value)
        return int(parsed) if parsed.is_integer() and abs(parsed) < 2**53 and "." not in value else parsed
    return None


def to_number(value: Any) -> int | float:
    """A value in arithmetic: blank is 0; non-numeric text, a date or a list is an error."""
    if is_blank(value):
        return 0
    if isinstance(value, list) and len(value) == 1:
        return to_number(value[0])
    number = number_or_none(value)
    if number is None:
        raise FormulaEvaluationError(f"{to_text(value)!r} is not a number.")
    return number


def to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, list):
        return ", ".join(to_text(item) for item in value)
    return str(value)


def format_number(value: float) -> str:
    """As JavaScript prints a number (Airtable's runtime): 3, 2.5, 0.30000000000000004."""
    if math.isnan(value):
        return "NaN"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def to_date(value: Any) -> datetime | None:
    """A value as a date: blank is None; text in ISO 8601 or M/D/YYYY form is parsed; others are errors."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, list) and len(value) == 1:
        return to_date(value[0])
    if isinstance(value, str):
        parsed = parse_date_text(value.strip())
        if parsed is not None:
            return parsed
    raise FormulaEvaluationError(f"{to_text(value)!r} is not a date.")


def parse_date_text(text: str) -> datetime | None:
    """ISO 8601 (a missing zone is UTC) or US M/D/YYYY [h:mm[:ss] [AM|PM]]; None when neither."""
    try:
        match = _ISO.match(text)
        if match:
            zone = match["z"]
            base = datetime(int(match["y"]), int(match["mo"]), int(match["d"]), int(match["h"] or 0),
                            int(match["mi"] or 0), int(match["s"] or 0),
                            int((match["f"] or "0").ljust(6, "0")[:6]), tzinfo=UTC)
            if zone and zone not in ("Z", "z", "UTC"):
                return datetime.fromisoformat(base.strftime("%Y-%m-%dT%H:%M:%S.%f") + zone[:3] + ":" + zone[-2:]
                                              ).astimezone(UTC)
            return base
        match = _US.match(text)
        if match:
            year = int(match["y"])
            year += 2000 if year < 100 else 0
            hour = int(match["h"] or 0)
            if match["ap"]:
                hour = hour % 12 + (12 if match["ap"].lower() == "pm" else 0)
            return datetime(year, int(match["mo"]), int(match["d"]), hour, int(match["mi"] or 0),
                            int(match["s"] or 0), tzinfo=UTC)
    except ValueError:
        return None
    return None


def equal(left: Any, right: Any) -> bool:
    """Airtable's `=`: blanks equal 0 and ""; numbers compare numerically (numeric text too); dates by instant."""
    if is_blank(left) or is_blank(right):
        return _blankish(left) and _blankish(right)
    if isinstance(left, datetime) or isinstance(right, datetime):
        try:
            return to_date(left) == to_date(right)
        except FormulaEvaluationError:
            return False
    a, b = number_or_none(left), number_or_none(right)
    if a is not None and b is not None:
        return a == b
    return to_text(left) == to_text(right)


def _blankish(value: Any) -> bool:
    return is_blank(value) or value == 0


def order(left: Any, right: Any) -> int:
    """-1, 0 or 1 for `<`-style comparisons: numbers (blank as 0), dates, else text."""
    if isinstance(left, datetime) or isinstance(right, datetime):
        a_date, b_date = to_date(left), to_date(right)
        if a_date is None or b_date is None:
            return (a_date is not None) - (b_date is not None)
        return (a_date > b_date) - (a_date < b_date)
    a = 0 if is_blank(left) else number_or_none(left)
    b = 0 if is_blank(right) else number_or_none(right)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    a_text, b_text = to_text(left), to_text(right)
    return (a_text > b_text) - (a_text < b_text)


def clean_number(value: int | float) -> int | float:
    """A number result: integral floats as int (JSON reads the same), NaN and infinities are errors."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise FormulaEvaluationError("The result is not a finite number.")
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value
