"""moto's slow paths in the change stream's delivery, replaced with the same behaviour done faster.

- GetRecords answers are written with json.dumps, as DynamoDB item operations are (local/moto_speed.py): moto
  serialized each record's images shape by shape through botocore's model (its attribute pickers), and that was
  most of a stream poller's read; the one timestamp, ApproximateCreationDateTime, is written as moto's serializer
  writes it, epoch seconds truncated to milliseconds.
- ReceiveMessage checks each message it hands out against the queue's retention period, and moto asked for
  the queue's whole attribute map for that (its approximate counts, each a pass over every message in the
  queue), several times per message: draining a queue of n messages cost O(n²). Here the retention period is
  read from the queue itself, where moto keeps it (an int, set by CreateQueue and SetQueueAttributes).
- SendMessage still builds that map (for one FIFO attribute), so each message's `visible` and `delayed`, read
  for every message in the queue, compare with `time.time()`: moto took the time through two datetimes each.

Installed by `local.moto_speed.install()`; local/moto_direct.py reads GetRecords answers back with json.loads.
"""

from __future__ import annotations

import calendar
import json
import time
from datetime import datetime
from typing import Any

from local.moto_speed import binary_as_base64

# DynamoDB Streams actions answered as plain JSON (their results: attribute-value maps and one timestamp)
PLAIN_STREAM_ACTIONS = frozenset({"GetRecords"})


def _epoch_seconds(value: datetime) -> float:
    """A naive UTC datetime (moto's utcnow) as moto's serializer writes a JSON timestamp."""
    return calendar.timegm(value.timetuple()) + (value.microsecond // 1000) / 1000.0


def plain_stream_records() -> None:
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    original = DynamoDBStreamsHandler.serialized

    def serialized(self: Any, action_result: Any) -> Any:
        result = action_result.result
        if type(result) is not dict or self._get_action() not in PLAIN_STREAM_ACTIONS:
            return original(self, action_result)
        records = []
        for record in result.get("Records", []):
            change = dict(record["dynamodb"])
            created = change.get("ApproximateCreationDateTime")
            if isinstance(created, datetime):
                change["ApproximateCreationDateTime"] = _epoch_seconds(created)
            records.append({**record, "dynamodb": change})
        try:
            body = json.dumps({**result, "Records": records}, default=binary_as_base64)
        except TypeError:  # a value json cannot write: moto's serializer knows its shape
            return original(self, action_result)
        return 200, {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}, body

    DynamoDBStreamsHandler.serialized = serialized  # type: ignore[method-assign]


def retention_check_in_constant_time() -> None:
    """`is_message_valid_based_on_retention_period` without building the queue's attribute map."""
    from moto.core.utils import unix_time
    from moto.sqs.models import SQSBackend

    def is_message_valid_based_on_retention_period(self: Any, queue_name: str, message: Any) -> bool:
        retain_until = self.get_queue(queue_name).message_retention_period + message.sent_timestamp / 1000
        return bool(retain_until > unix_time())

    SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period  # type: ignore[method-assign]


def message_times_from_the_clock() -> None:
    """A message's `visible` and `delayed`, with the time in milliseconds as moto's unix_time_millis gives it."""
    from moto.sqs.models import Message

    Message.visible = property(lambda self: time.time() * 1000.0 > self.visible_at)  # type: ignore[assignment]
    Message.delayed = property(lambda self: time.time() * 1000.0 < self.delayed_until)  # type: ignore[assignment]


def install() -> None:
    plain_stream_records()
    retention_check_in_constant_time()
    message_times_from_the_clock()
