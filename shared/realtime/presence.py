"""Presence (beyond PocketBase): `join`, `leave` and `presence`, who is in a channel and their small metadata.

A member is a channel subscription that carries presence meta, stored under the channel's partition like any
other subscription (shared/realtime/subscriptions.py), so listing members reads that one partition. Joins and
leaves are announced to every other connection subscribed to the channel, members or mere listeners.
"""

from __future__ import annotations

import json
from typing import Any

from shared.errors import BadRequestError
from shared.realtime import channels
from shared.realtime.broadcast import broadcast, joined, leave_messages, member_json
from shared.realtime.deps import RealtimeDeps
from shared.realtime.subscriptions import Connection, Subscription, Target
from shared.realtime.topics import MAX_SUBSCRIPTIONS, TopicError, parse_topic

# Kept on every member item and sent to every member with each join: a name, a colour, a cursor, not a document.
MAX_META_BYTES = 1024
# A member list goes out in one post, which API Gateway caps at 128 KB: past this much JSON, the answer lists the
# first members that fit and says how many there are in all.
MAX_MEMBERS_BYTES = 96 * 1024


def member_list(subs: list[Subscription]) -> dict[str, Any]:
    """`{"members": [...], "total": n}`: the members (subscriptions with presence), as many as fit in one post."""
    listed, size = [], 2
    found = [member_json(s) for s in subs if s.presence is not None]
    for member in found:
        size += len(json.dumps(member, separators=(",", ":")).encode()) + 1
        if size > MAX_MEMBERS_BYTES:
            break
        listed.append(member)
    return {"members": listed, "total": len(found)}


def channel_name(value: Any) -> str:
    """The name in a `channel:<name>` field; options have no meaning for presence, so none may follow."""
    if not isinstance(value, str):
        raise BadRequestError("channel must be a channel:<name> string.")
    try:
        topic = parse_topic(value)
    except TopicError as exc:
        raise BadRequestError(str(exc)) from exc
    if topic.kind != "channel" or topic.raw != f"channel:{topic.channel}":
        raise BadRequestError("channel must be a channel:<name> string, without options.")
    return topic.channel


def _meta(value: Any) -> dict[str, Any]:
    meta = {} if value is None else value
    if not isinstance(meta, dict):
        raise BadRequestError("meta must be a JSON object.")
    if len(json.dumps(meta, separators=(",", ":")).encode()) > MAX_META_BYTES:
        raise BadRequestError(f"meta must be at most {MAX_META_BYTES} bytes of JSON.")
    return meta


def members(deps: RealtimeDeps, conn: Connection, channel: str) -> dict[str, Any]:
    """Who is in the channel now (`member_list`); seeing it takes the channel's subscribe rule."""
    channels.require(deps, conn, channel, "subscribe")
    return member_list(deps.store.subscriptions(Target(channel=channel)))


def join(deps: RealtimeDeps, conn: Connection, channel: str, meta: Any) -> dict[str, Any]:
    """Become a member (subscribing to the channel), announce it, and return the members, this one included."""
    details = _meta(meta)
    channels.require(deps, conn, channel, "join")
    topic = f"channel:{channel}"
    if topic not in conn.topics and len(conn.topics) >= MAX_SUBSCRIPTIONS:
        raise BadRequestError(f"A connection has at most {MAX_SUBSCRIPTIONS} subscriptions.")
    target = Target(channel=channel)
    deps.store.subscribe(conn.connection_id, [(topic, target)], presence=details)
    subs = deps.store.subscriptions(target)
    me = next((s for s in subs if s.connection_id == conn.connection_id and s.topic == topic), None)
    if me is None:
        return member_list([])  # the connection closed meanwhile: nothing was stored, nothing to announce
    event = {"type": "presence", "channel": topic, "event": "join", "member": member_json(me)}
    others = sorted({s.connection_id for s in subs} - {conn.connection_id})
    broadcast(deps, [(cid, event) for cid in others])
    return member_list(subs)


def leave(deps: RealtimeDeps, conn: Connection, channel: str) -> None:
    """Stop being a member (and a subscriber under `channel:<name>`); announced to who remains. Idempotent."""
    target = Target(channel=channel)
    left = joined(deps, conn.connection_id, [target])
    deps.store.unsubscribe(conn.connection_id, [f"channel:{channel}"])
    if left:
        broadcast(deps, leave_messages(deps, left))
