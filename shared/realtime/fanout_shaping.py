"""Fan-out shaping: a changed record as the REST API would answer one audience, and the event frames around it.

The record goes through the records API's own presenter (shared/records/presenter.py) with the audience's
RequestContext, so hidden fields, emailVisibility (owner, manageRule), `expand` under each relation's viewRule
and `fields` are exactly what a GET would give that subscriber. The event data is serialised once per
audience; each subscription's frame only wraps it with its own topic string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from shared.changes.model import RecordChange
from shared.collections.model import Collection
from shared.errors import ApiError
from shared.observability import logger
from shared.records.model import StoredRecord
from shared.records.presenter import RecordPresenter
from shared.tools.filter import FilterError
from shared.tools.list_query import ListQueryError, parse_fields_param

# API Gateway's largest WebSocket message (post_to_connection Data): 128 KB.
MAX_MESSAGE_BYTES = 128 * 1024


def record_of(change: RecordChange) -> StoredRecord | None:
    """The image a change is judged and shown by: the new one, or for a delete the one before it."""
    image = change.old_image if change.action == "delete" else change.new_image
    if not image:
        return None
    version = image.get("v")
    return StoredRecord(collection_id=change.collection_id, id=change.record_id, data=dict(image.get("d") or {}),
                        version=int(version) if isinstance(version, int | float) else 1)


def present(presenter: RecordPresenter, collection: Collection, record: StoredRecord,
            query: Mapping[str, str]) -> dict[str, Any]:
    """The record with the subscription's `expand` and `fields`; as PocketBase's broadcast, an expand or
    fields option that fails is logged and left out rather than costing the subscriber its event."""
    try:
        fields = parse_fields_param(query)
    except ListQueryError as exc:
        logger.debug("realtime fields option ignored", extra={"fields": query.get("fields"), "error": str(exc)})
        fields = None
    expand = query.get("expand", "")
    if expand:
        try:
            return presenter.one(collection, record, expand=expand, fields=fields)
        except (ApiError, FilterError) as exc:
            logger.debug("realtime expand option ignored", extra={"expand": expand, "error": str(exc)})
    return presenter.one(collection, record, fields=fields)


def event_data(action: str, record: dict[str, Any]) -> str:
    """`{"action", "record"}` as JSON text, written once per audience."""
    return json.dumps({"action": action, "record": record}, separators=(",", ":"), ensure_ascii=False)


def event_frame(topic: str, data: str) -> bytes:
    """One subscription's event message around already serialised data (docs/api-realtime.md)."""
    return ('{"type":"event","topic":' + json.dumps(topic, ensure_ascii=False) + ',"data":' + data + "}").encode()
