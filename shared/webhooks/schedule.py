"""What an attempt's outcome means (delivered, retry, disable, give up) and when the next attempt is due.

Retried: 429, 5xx, timeouts and connection errors, on the settings' schedule (Svix's by default) with jitter,
never sooner than a Retry-After asks. A 410 disables the subscription. Anything else (other 4xx, a redirect
not followed, a refused target) will not improve by itself: the delivery goes straight to the dead letters.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

from shared.webhooks.transport import HttpOutcome

Verdict = Literal["delivered", "retry", "disable", "dead"]
# A Retry-After further out than this is capped: a receiver cannot park a delivery for ever.
MAX_RETRY_AFTER_S = 36_000


def verdict(outcome: HttpOutcome) -> Verdict:
    status = outcome.status
    if status is not None and 200 <= status < 300:
        return "delivered"
    if status == 410:
        return "disable"
    if status == 429 or (status is not None and status >= 500) or outcome.error in ("timeout", "connection"):
        return "retry"
    return "dead"


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), MAX_RETRY_AFTER_S)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return min(max(0.0, moment.timestamp() - now), MAX_RETRY_AFTER_S)


def next_delay(schedule: tuple[int, ...], attempt: int, *, jitter: float, retry_after: float | None = None,
               rng: random.Random | None = None) -> float | None:
    """Seconds to wait before attempt `attempt + 1` after attempt `attempt` (1-based) failed; None: no more.

    `schedule[n]` is the wait before attempt n + 1, so `schedule[0]` (immediately) is the first attempt's.
    """
    if attempt >= len(schedule):
        return None
    base = float(schedule[attempt])
    spread = (rng or random).uniform(-jitter, jitter) if jitter > 0 else 0.0
    delay = max(0.0, base * (1 + spread))
    return max(delay, retry_after) if retry_after is not None else delay


def format_time(epoch: float) -> str:
    """PocketBase's datetime text, `2026-12-01 10:00:00.000Z`."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
