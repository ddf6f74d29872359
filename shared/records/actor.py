"""The actor stamp: who made a write, and from where, stored on the record item for the change stream's consumers.

The stream carries item images only, so the audit log and the event envelopes learn who changed a record from
an attribute the write itself stores (`a`, a JSON text). It is never part of the record: reads build records
from `d` alone, so the REST API never shows it. A delete has no new image; the writer first stamps the item
(`a` and the delete mark `dx`, version unchanged) and then deletes it on that version, so the stream's old
image of the REMOVE names who deleted it. A REMOVE without `dx` was made by something else (a truncation, a
restore): its consumers attribute it to the system. See docs/api-audit.md.
"""

from __future__ import annotations

import json
import time
from typing import Any

from shared.records.context import RequestContext

ACTOR_ATTR = "a"
# On the item only between a delete's stamp and the delete itself; the stamp's own MODIFY is no change.
DELETING_ATTR = "dx"


def actor_of(request: RequestContext) -> dict[str, str]:
    """The stamp of a request: the EventActor fields (shared/events/envelope.py) by their JSON names."""
    auth = request.auth
    if auth is not None:
        kind = "superuser" if auth.is_superuser else "auth"
        if auth.impersonator_id:
            kind = "impersonator"
        stamp = {"kind": kind, "collectionId": auth.collection.id, "collectionName": auth.collection.name,
                 "recordId": auth.record.id, "impersonatorId": auth.impersonator_id,
                 # the API token the owner acted through: its id only, which names it in the owner's token list
                 "apiTokenId": auth.grant.token_id if auth.grant is not None else ""}
    else:
        stamp = {"kind": "system" if request.system else "guest"}
    # `at`: the write's own time in ms; the stream's approximate time is whole seconds on AWS Lambda.
    stamp.update(ip=request.ip, userAgent=request.user_agent[:512], requestId=request.request_id,
                 at=str(int(time.time() * 1000)))
    return {k: v for k, v in stamp.items() if v}


def encode_actor(stamp: dict[str, str]) -> str:
    return json.dumps(stamp, separators=(",", ":"), sort_keys=True)


def decode_actor(image: dict[str, Any] | None) -> dict[str, str] | None:
    """The stamp of a stored image; None when it has none or a malformed one (written before stamps existed)."""
    raw = (image or {}).get(ACTOR_ATTR)
    if not isinstance(raw, str):
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else None
