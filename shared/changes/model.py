"""A record change as it travels from the stream to EventBridge, queues and consumers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from shared.dynamo_values import from_item
from shared.records.keys import RECORD_PREFIX

Action = Literal["create", "update", "delete"]
_ACTIONS: dict[str, Action] = {"INSERT": "create", "MODIFY": "update", "REMOVE": "delete"}


class RecordChange(BaseModel):
    """One record created, updated or deleted, with its stored images (values keyed by field id)."""

    action: Action
    collection_id: str
    record_id: str
    sequence_number: str
    new_image: dict[str, Any] | None = None
    old_image: dict[str, Any] | None = None


def _plain(image: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if image is None else from_item(image)


def decode_stream_record(record: dict[str, Any]) -> RecordChange | None:
    """Decode a DynamoDB stream record into a RecordChange; None for items that are not records."""
    dyn = record["dynamodb"]
    pk = dyn["Keys"]["pk"]["S"]
    if not pk.startswith(RECORD_PREFIX):
        return None
    new, old = _plain(dyn.get("NewImage")), _plain(dyn.get("OldImage"))
    image = new or old or {}
    return RecordChange(
        action=_ACTIONS[record["eventName"]],
        collection_id=str(image.get("c", pk.split("#")[1])),
        record_id=dyn["Keys"]["sk"]["S"],
        sequence_number=dyn["SequenceNumber"],
        new_image=new,
        old_image=old,
    )
