"""The time range a logs query has to read: the retention window, narrowed by the filter's `created` bounds.

Logs older than `logs.maxDays` are outside the window even before TTL deletes them (TTL runs within a day or
two of expiry), and so is everything before the last `DELETE /api/logs`. A filter whose top level ANDs
comparisons of `created` with a datetime text or macro narrows the range further, so that
`created >= "2026-12-01 13:00:00"` reads only the partitions from that hour on. Bounds are widened to the
precision of the text compared (a day, a second...): PocketBase compares `created` as text, and the exact
comparison is still made on every log read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from shared.logs.repository import DAY_MS
from shared.tools.filter import And, Compare, Expr, Identifier, Literal, Macro, Operand
from shared.tools.filter.macros import macro_value

# A log is stamped when its request starts and arrives after it ends: the window reaches this far past now.
CLOCK_SKEW_MS = 60_000
_FORMATS = (("%Y-%m-%d %H:%M:%S.%f", timedelta(milliseconds=1)), ("%Y-%m-%d %H:%M:%S", timedelta(seconds=1)),
            ("%Y-%m-%d %H:%M", timedelta(minutes=1)), ("%Y-%m-%d %H", timedelta(hours=1)),
            ("%Y-%m-%d", timedelta(days=1)), ("%Y-%m", timedelta(days=31)), ("%Y", timedelta(days=366)))
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "="}


class Window(msgspec.Struct, frozen=True):
    start_ms: int
    end_ms: int

    @property
    def empty(self) -> bool:
        return self.start_ms > self.end_ms


def retention_window(now_ms: int, max_days: int, truncated_before_ms: int) -> Window:
    if max_days <= 0:
        return Window(now_ms, now_ms - 1)  # retention off: PocketBase keeps no logs
    return Window(max(now_ms - max_days * DAY_MS, truncated_before_ms), now_ms + CLOCK_SKEW_MS)


def narrow(window: Window, expr: Expr | None, now: datetime) -> Window:
    """The window cut to the `created` bounds the filter's top-level AND states."""
    if expr is None:
        return window
    start, end = window.start_ms, window.end_ms
    for item in expr.items if isinstance(expr, And) else (expr,):
        bound = _created_bound(item, now)
        if bound is None:
            continue
        op, low_ms, high_ms = bound
        if op in (">", ">=", "="):
            start = max(start, low_ms)
        if op in ("<", "<=", "="):
            end = min(end, high_ms)
    return Window(start, end)


def _created_bound(item: Expr, now: datetime) -> tuple[str, int, int] | None:
    """(operator with `created` on the left, earliest and latest moment the compared text can stand for)."""
    if not isinstance(item, Compare) or item.any_of or item.op not in _FLIP:
        return None
    if _is_created(item.left):
        op, other = item.op, item.right
    elif _is_created(item.right):
        op, other = _FLIP[item.op], item.left
    else:
        return None
    text = _text_of(other, now)
    span = _moment_span(text) if text is not None else None
    return (op, *span) if span is not None else None


def _is_created(operand: Operand) -> bool:
    return isinstance(operand, Identifier) and operand.path == ("created",) and operand.modifier is None


def _text_of(operand: Operand, now: datetime) -> str | None:
    if isinstance(operand, Literal) and isinstance(operand.value, str):
        return operand.value
    if isinstance(operand, Macro):
        value = macro_value(operand.name, now)
        return value if isinstance(value, str) else None
    return None


def _moment_span(text: str) -> tuple[int, int] | None:
    """The first and last epoch ms a datetime text of some precision covers, or None when it is no date."""
    cleaned = text.strip().removesuffix("Z").replace("T", " ")
    for fmt, precision in _FORMATS:
        try:
            moment = datetime.strptime(cleaned, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
        first = int(moment.timestamp() * 1000)
        return first - 1, int((moment + precision).timestamp() * 1000)
    return None
