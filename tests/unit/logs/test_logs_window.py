"""The time range a logs query reads: retention, truncation, and the `created` bounds of the filter's top level."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.logs.repository import DAY_MS
from shared.logs.window import CLOCK_SKEW_MS, Window, narrow, retention_window
from shared.tools.filter import parse_filter

NOW = datetime(2026, 12, 1, 13, 55, 55, 845000, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)


def ms(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp() * 1000)


def test_the_retention_window_is_max_days_back_or_the_last_truncation() -> None:
    # When the window is asked with 5 days, with a later truncation, and with retention off
    plain = retention_window(NOW_MS, 5, 0)
    truncated = retention_window(NOW_MS, 5, NOW_MS - 1000)
    off = retention_window(NOW_MS, 0, 0)

    # Then it spans the retention up to a minute past now, starts at the truncation, or is empty
    assert plain == Window(NOW_MS - 5 * DAY_MS, NOW_MS + CLOCK_SKEW_MS)
    assert truncated.start_ms == NOW_MS - 1000
    assert off.empty


@pytest.mark.parametrize(("text", "start", "end"), [
    ('created >= "2026-12-01 13:00:00"', ms("2026-12-01 13:00:00") - 1, None),
    ('created > "2026-12-01"', ms("2026-12-01 00:00:00") - 1, None),
    ('created < "2026-11-30 10:00"', None, ms("2026-11-30 10:01:00")),
    ('"2026-12-01 12:00:00.000Z" <= created && level = 8', ms("2026-12-01 12:00:00") - 1, None),
    ('created >= @todayStart', ms("2026-12-01 00:00:00") - 1, None),
    ('created = "2026-11-29 08:00:00"', ms("2026-11-29 08:00:00") - 1, ms("2026-11-29 08:00:01")),
])
def test_top_level_created_comparisons_narrow_the_window(text: str, start: int | None, end: int | None) -> None:
    # Given the 5-day window, When it is narrowed by the filter
    base = retention_window(NOW_MS, 5, 0)
    window = narrow(base, parse_filter(text), NOW)

    # Then each bound is the compared moment, widened to its precision, or the retention's
    assert window.start_ms == (start if start is not None else base.start_ms)
    assert window.end_ms == (end if end is not None else base.end_ms)


@pytest.mark.parametrize("text", [
    'created >= "2026-12-01" || level = 8', 'created ?>= "2026-12-01"', 'created >= "not a date"',
    'created:lower >= "2026-12-01"', 'created ~ "2026-12-01"', 'data.created >= "2026-12-01"',
])
def test_anything_else_leaves_the_window_whole(text: str) -> None:
    # When the filter has no top-level AND-ed comparison of created with a date, Then nothing is narrowed
    base = retention_window(NOW_MS, 5, 0)
    assert narrow(base, parse_filter(text), NOW) == base
