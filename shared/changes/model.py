"""A record change as it travels from the stream to counters, EventBridge, queues and consumers.

The changes function decodes a stream batch once, with Powertools' stream data classes, into RecordChange
values; every consumer of the batch (counters, the publisher) reads those, never the raw stream shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
    DynamoDBStreamEvent,
)
from pydantic import BaseModel, ConfigDict

from shared.backups.marks import is_restore_write
from shared.dynamo_values import plain_value
from shared.records.actor import DELETING_ATTR
from shared.records.keys import RECORD_PREFIX

Action = Literal["create", "update", "delete"]
_ACTIONS: dict[DynamoDBRecordEventName, Action] = {
    DynamoDBRecordEventName.INSERT: "create",
    DynamoDBRecordEventName.MODIFY: "update",
    DynamoDBRecordEventName.REMOVE: "delete",
}


class RecordChange(BaseModel):
    """One record created, updated or deleted, with its stored images (every attribute, plain values).

    `write_shard` is the `k` of the item's key `r#<collection>#<k>`, None when the key carries none (an item
    the repository never writes); `sequence_number` is the stream's, growing within one write shard.
    """

    model_config = ConfigDict(frozen=True)

    action: Action
    collection_id: str
    record_id: str
    sequence_number: str
    write_shard: int | None = None
    new_image: dict[str, Any] | None = None
    old_image: dict[str, Any] | None = None
    # the stream record's eventID (stable across redeliveries: event ids derive from it) and its approximate
    # creation time, epoch seconds
    event_id: str = ""
    changed_at: float = 0.0

    @property
    def sequence(self) -> int:
        """The sequence number as an integer, the order counters compare within a write shard."""
        return int(self.sequence_number)


def _epoch_seconds(value: Any) -> float:
    """The stream's approximate creation time: epoch seconds from Lambda, a datetime straight from boto3."""
    if isinstance(value, datetime):
        return value.timestamp()
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def _image(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: plain_value(value) for name, value in values.items()}


def _split_record_pk(pk: str) -> tuple[str, int | None]:
    """(collection id, write shard) of a record key; shard None when the key does not end in `#<digits>`."""
    body = pk[len(RECORD_PREFIX):]
    collection_id, _, shard_text = body.rpartition("#")
    if collection_id and shard_text.isdigit():
        return collection_id, int(shard_text)
    return body.split("#", 1)[0], None


def decode_record(record: DynamoDBRecord) -> RecordChange | None:
    """One stream record as a RecordChange; None for items that are not records (unique claims, counters) and for
    a restore's own writes (shared/backups/marks.py)."""
    stream = record.dynamodb
    event_name = record.event_name
    if stream is None or event_name is None:
        return None
    pk = stream.keys.get("pk")
    if not isinstance(pk, str) or not pk.startswith(RECORD_PREFIX):
        return None
    collection_id, shard = _split_record_pk(pk)
    # Powertools returns {} for an absent image, so the event name says which images exist.
    new = _image(stream.new_image) if event_name != DynamoDBRecordEventName.REMOVE else None
    old = _image(stream.old_image) if event_name != DynamoDBRecordEventName.INSERT else None
    if is_restore_write(new, old):
        return None  # a restore sets the counters from its archive itself, and replays no events
    if event_name == DynamoDBRecordEventName.MODIFY and new is not None and DELETING_ATTR in new:
        return None  # a delete's actor stamp (shared/records/actor.py): the REMOVE that follows is the change
    if shard is None:
        # A malformed key says little; the image's own collection id is the better guess for consumers.
        collection_id = str((new or old or {}).get("c") or collection_id)
    return RecordChange(
        action=_ACTIONS[event_name],
        collection_id=collection_id,
        record_id=str(stream.keys.get("sk", "")),
        sequence_number=str(stream.sequence_number),
        write_shard=shard,
        new_image=new,
        old_image=old,
        event_id=str(record.event_id or ""),
        changed_at=_epoch_seconds(stream.raw_event.get("ApproximateCreationDateTime")),
    )


def decode_stream_records(records: Iterable[Mapping[str, Any]]) -> list[RecordChange]:
    """Decode Lambda-shaped DynamoDB stream records into record changes, in stream order."""
    event = DynamoDBStreamEvent({"Records": list(records)})
    return [change for change in map(decode_record, event.records) if change is not None]


def decode_stream_event(event: Mapping[str, Any]) -> list[RecordChange]:
    """The record changes of one DynamoDB stream event, as Lambda hands it to the changes function."""
    return decode_stream_records(event.get("Records", []))
