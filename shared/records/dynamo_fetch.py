"""Records read by their table keys: one BatchGetItem per 100 keys, every chunk sent at once."""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from shared import concurrent_calls
from shared.aws import client
from shared.errors import ServiceUnavailableError
from shared.records.dynamo_reads import item_to_record
from shared.records.model import ReadMeter, StoredRecord

BATCH_GET_MAX = 100
# Keys DynamoDB leaves unprocessed (throttling) are resent this often before the read gives up with a 503.
MAX_GET_ATTEMPTS = 8

Backoff = Callable[[int], None]
# BatchGetItem calls of 100 keys sent at once: 800 records in one round trip.
_FETCH_THREADS = 8


@functools.cache
def _pool() -> ThreadPoolExecutor:
    # Created on the first fetch of more than 100 keys, not at import (cold starts stay cheap).
    return ThreadPoolExecutor(max_workers=_FETCH_THREADS, thread_name_prefix="record-fetch")


def fetch_records(table: str, item_keys: list[dict[str, Any]], meter: ReadMeter, *, consistent: bool,
                  backoff: Backoff) -> dict[tuple[str, str], StoredRecord]:
    """The records found under `item_keys`, by (pk, sk); metered as one round trip of every request sent."""
    chunks = [item_keys[start:start + BATCH_GET_MAX] for start in range(0, len(item_keys), BATCH_GET_MAX)]
    if not chunks:
        return {}
    if len(chunks) == 1:
        answers = [_batch_get(table, chunks[0], consistent, backoff)]
    else:
        answers = [f.result() for f in [concurrent_calls.submit(_pool, _batch_get, table, chunk, consistent, backoff)
                                        for chunk in chunks]]
    found: dict[tuple[str, str], StoredRecord] = {}
    for items, _ in answers:
        for item in items:
            found[(item["pk"]["S"], item["sk"]["S"])] = item_to_record(item)
    # a chunk's resubmissions of unprocessed keys are round trips after the wave
    meter.add(sum(len(items) for items, _ in answers), requests=sum(n for _, n in answers),
              round_trips=max(n for _, n in answers))
    return found


def _batch_get(table: str, item_keys: list[dict[str, Any]], consistent: bool,
               backoff: Backoff) -> tuple[list[dict[str, Any]], int]:
    """One BatchGetItem, unprocessed keys resubmitted after a backoff, as AWS advises: (items, requests sent)."""
    ddb = client("dynamodb")
    request: dict[str, Any] = {table: {"Keys": item_keys, "ConsistentRead": consistent}}
    items: list[dict[str, Any]] = []
    sent = 0
    while request:
        if sent == MAX_GET_ATTEMPTS:
            raise ServiceUnavailableError(headers={"Retry-After": "1"})
        out = ddb.batch_get_item(RequestItems=request)
        items.extend(out.get("Responses", {}).get(table, []))
        request = out.get("UnprocessedKeys") or {}
        if request:
            backoff(sent)
        sent += 1
    return items, sent
