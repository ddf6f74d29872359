"""PocketBase's date strings: UTC with milliseconds, "2006-01-02 15:04:05.000Z", and "" for no date."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

DATETIME_LAYOUT_EXAMPLE = "2006-01-02 15:04:05.000Z"

_ISO_LIKE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
    r"\s*(?P<zone>Z|z|UTC|[+-]\d{2}:?\d{2}|[+-]\d{2})?)?$"
)


def format_datetime(moment: datetime) -> str:
    """Format as PocketBase does; naive datetimes are taken as UTC and milliseconds are truncated."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if moment.year < 1000:  # strftime's %Y does not pad on every platform: keep its answer for those
        return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    # the same text as strftime's, for a fraction of its time (every create and update formats one)
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}:"
            f"{moment.second:02d}.{moment.microsecond // 1000:03d}Z")


def now_string() -> str:
    """The current time in PocketBase's format."""
    return format_datetime(datetime.now(UTC))


def epoch_ms(value: object) -> int | None:
    """A date value's Unix time in whole milliseconds (integer arithmetic, no float rounding), or None."""
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    return int(parsed.replace(microsecond=0).timestamp()) * 1000 + parsed.microsecond // 1000


def parse_datetime(value: object) -> datetime | None:
    """Parse what PocketBase accepts (its own layout, ISO 8601/RFC 3339 variants, RFC 1123, unix seconds).

    Returns None for empty or unparsable input: PocketBase silently turns those into the zero date.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return datetime.fromtimestamp(value, UTC)
    text = str(value).strip()
    if not text:
        return None
    parsed = _parse_iso_like(text) or _parse_rfc_mail(text)
    if parsed is None or (parsed.year <= 1 and parsed.month == 1 and parsed.day == 1):
        return None  # Go's zero time serialises as ""
    return parsed


def normalize_datetime(value: object) -> str:
    """Any accepted date value as PocketBase's string, or "" when empty or invalid."""
    parsed = parse_datetime(value)
    return format_datetime(parsed) if parsed else ""


def go_time_string(moment: datetime) -> str:
    """Go's time.Time String() in UTC, which PocketBase shows in date min/max errors."""
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if moment.microsecond:
        text += ("." + f"{moment.microsecond:06d}").rstrip("0")
    return text + " +0000 UTC"


def go_time_json(moment: datetime) -> str:
    """Go's time.Time JSON (RFC 3339, fraction trimmed) in UTC, as PocketBase puts a date in error params."""
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += ("." + f"{moment.microsecond:06d}").rstrip("0")
    return text + "Z"


def _parse_iso_like(text: str) -> datetime | None:
    match = _ISO_LIKE.match(text)
    if not match:
        return None
    parts = match.groupdict()
    try:
        date = parts["date"]  # \d{4}-\d{2}-\d{2}; the constructor refuses what strptime refused (month 13, day 0)
        day = datetime(int(date[:4]), int(date[5:7]), int(date[8:10]))
        fraction = (parts["fraction"] or "0")[:6].ljust(6, "0")
        moment = day.replace(
            hour=int(parts["hour"] or 0),
            minute=int(parts["minute"] or 0),
            second=int(parts["second"] or 0),
            microsecond=int(fraction),
        )
    except ValueError:
        return None
    return moment.replace(tzinfo=_zone(parts["zone"]))


def _zone(raw: str | None) -> timezone:
    if raw is None or raw in ("Z", "z", "UTC"):
        return UTC
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _parse_rfc_mail(text: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
