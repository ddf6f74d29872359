"""Sending one message to many connections, and what follows a connection's end: its presence leaves.

A connection ends by `$disconnect`, or when a send to it answers 410 (gone): either way it is closed in the
store, and every channel it had joined is told `presence leave`. Those announcements may find more gone
connections; they are closed in turn (a work list, so a cascade never recurses).
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from shared.observability import logger
from shared.realtime.connection_auth import auth_json
from shared.realtime.deps import RealtimeDeps
from shared.realtime.sender import ConnectionGoneError
from shared.realtime.subscriptions import Subscription, Target


@cache
def _pool(workers: int) -> ThreadPoolExecutor:
    # Sends to distinct connections overlap, so one publish to a few hundred members costs a few round trips.
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="realtime-send")


def _send_all(deps: RealtimeDeps, messages: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Send each message; the ids of the connections that are gone."""
    def send(item: tuple[str, dict[str, Any]]) -> str | None:
        try:
            deps.sender.send(*item)
        except ConnectionGoneError:
            return item[0]
        except Exception:
            # One subscriber's failure (throttled, a post too large) must not fail the others or the sender's ack.
            logger.warning("realtime send failed", extra={"connection": item[0]}, exc_info=True)
        return None

    if len(messages) <= 1 or deps.send_concurrency <= 1:
        gone = [send(m) for m in messages]
    else:
        gone = list(_pool(deps.send_concurrency).map(send, messages))
    return list(dict.fromkeys(g for g in gone if g))


def broadcast(deps: RealtimeDeps, messages: list[tuple[str, dict[str, Any]]]) -> None:
    """Send each message; connections that answer 410 (gone) are closed, their presence leaves announced."""
    gone = _send_all(deps, messages)
    if gone:
        close_connections(deps, gone)


def member_json(sub: Subscription) -> dict[str, Any]:
    return {"connectionId": sub.connection_id, "auth": auth_json(sub.auth), "meta": sub.presence or {}}


def joined(deps: RealtimeDeps, connection_id: str, targets: Iterable[Target]) -> list[Subscription]:
    """The connection's presence memberships among these targets (channels it joined, not merely subscribed)."""
    found: list[Subscription] = []
    for target in dict.fromkeys(t for t in targets if t.channel):
        found.extend(s for s in deps.store.subscriptions(target)
                     if s.connection_id == connection_id and s.presence is not None)
    return found


def leave_messages(deps: RealtimeDeps, left: list[Subscription]) -> list[tuple[str, dict[str, Any]]]:
    """`presence leave` for each membership that ended, to every connection still subscribed to its channel."""
    messages: list[tuple[str, dict[str, Any]]] = []
    for member in left:
        channel = member.topic.removeprefix("channel:")
        event = {"type": "presence", "channel": member.topic, "event": "leave", "member": member_json(member)}
        others = {s.connection_id for s in deps.store.subscriptions(Target(channel=channel))}
        others.discard(member.connection_id)
        messages.extend((cid, event) for cid in sorted(others))
    return messages


def close_connections(deps: RealtimeDeps, connection_ids: list[str]) -> None:
    """Forget these connections and announce the presence they leave; connections found gone meanwhile too."""
    pending, closed = list(connection_ids), set()
    while pending:
        cid = pending.pop()
        if cid in closed:
            continue
        closed.add(cid)
        conn = deps.store.connection(cid)
        channels = [Target(channel=t.removeprefix("channel:").partition("?")[0])
                    for t in (conn.topics if conn else []) if t.startswith("channel:")]
        left = joined(deps, cid, channels)
        deps.store.close(cid)
        pending.extend(g for g in _send_all(deps, leave_messages(deps, left)) if g not in closed)
