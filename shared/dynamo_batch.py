"""BatchWriteItem done right once: chunks of 25, unprocessed items resent with jittered backoff, then an error.

AWS advises resending `UnprocessedItems` with exponential backoff; a batch that still has some after
`max_attempts` raises `UnprocessedItemsError`, so the caller's storage-error handling (or a retried delivery)
takes over and nothing is silently dropped.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from shared.aws import client

BATCH_WRITE_MAX = 25
MAX_WRITE_ATTEMPTS = 8
BACKOFF_BASE_S = 0.02
BACKOFF_CAP_S = 1.0


class UnprocessedItemsError(Exception):
    """Items stayed unprocessed after every resend (sustained throttling)."""


def backoff(attempt: int, sleep: Callable[[float], None] = time.sleep) -> None:
    """Sleep a full-jitter exponential backoff before resend number `attempt` (0-based)."""
    sleep(random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** attempt)))


def batch_write(table: str, requests: Sequence[dict[str, Any]], *, sleep: Callable[[float], None] = time.sleep,
                max_attempts: int = MAX_WRITE_ATTEMPTS) -> None:
    """Send these PutRequest/DeleteRequest entries to `table`, 25 a call, until DynamoDB has processed all."""
    if not requests:
        return  # nothing to send: not even a client (a write without links, a cleanup with nothing left)
    ddb = client("dynamodb")
    for start in range(0, len(requests), BATCH_WRITE_MAX):
        pending: dict[str, Any] = {table: list(requests[start:start + BATCH_WRITE_MAX])}
        for attempt in range(max_attempts):
            pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
            backoff(attempt, sleep)
        else:
            raise UnprocessedItemsError(f"{len(pending[table])} items stayed unprocessed on {table} after "
                                        f"{max_attempts} tries")
