"""Page cursors, an additive extension to PocketBase's lists: `?cursor=` in, `nextCursor` out, for keyset paging.

A cursor is opaque (base64url of a small JSON) and says where the previous page ended: the collection, a
fingerprint of the list's filter and sort, the order and the last id returned. It grants nothing, so it
needs no signature: it only positions the read (`sk > id` on every shard), while the collection comes from
the request's path and every candidate is still checked against the listRule and the filter, so a cursor
edited by hand can neither skip the rules nor reach another collection; one made for another collection,
filter or sort is refused (400), as is anything malformed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from shared.errors import BadRequestError

_VERSION = 1


def fingerprint(filter_text: str, sort_text: str) -> str:
    """What a cursor is bound to besides its collection: the list's filter and sort, as sent."""
    return hashlib.sha256(f"{filter_text}\x00{sort_text}".encode()).hexdigest()[:16]


def encode_cursor(collection_id: str, bound_to: str, forward: bool, last_id: str) -> str:
    """The cursor of the page after the one that ended at `last_id`."""
    doc = {"v": _VERSION, "c": collection_id, "f": bound_to, "o": "asc" if forward else "desc", "a": last_id}
    raw = json.dumps(doc, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class CursorError(BadRequestError):
    """A `cursor` parameter that is malformed or made for another list."""

    def __init__(self, reason: str) -> None:
        super().__init__("Invalid cursor parameter.", {"cursor": {"code": "validation_invalid_cursor",
                                                                  "message": reason}})


def decode_cursor(text: str, collection_id: str, bound_to: str, forward: bool) -> str:
    """The id past which the page starts; CursorError unless the cursor was made for this very list."""
    try:
        doc = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise CursorError("The cursor is malformed; use the nextCursor of a previous page.") from exc
    if not isinstance(doc, dict) or doc.get("v") != _VERSION or not isinstance(doc.get("a"), str) or not doc["a"]:
        raise CursorError("The cursor is malformed; use the nextCursor of a previous page.")
    # another collection's cursor is refused even though it could only position this one's read
    if doc.get("c") != collection_id or doc.get("f") != bound_to or doc.get("o") != ("asc" if forward else "desc"):
        raise CursorError("The cursor belongs to another list (collection, filter or sort).")
    return str(doc["a"])
