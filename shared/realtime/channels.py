"""Custom channels (beyond PocketBase): their rules from the app settings, `publish`, and sending to many at once.

A channel's rules are the first `realtime.channels` entry whose pattern matches its name; a channel that matches
none is for superusers only, and superusers pass every channel rule, as they pass collection rules. Rules are
filters over `@request.auth.*` (and `@request.context`, which is "realtime"), evaluated at each use with the
connection's auth as it stands then. A connection authenticated with an API token uses channels only if the
token is scoped `*:*` (and publishes only if it is not read-only).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from shared.app_settings import provider
from shared.app_settings.model import ChannelRuleSettings
from shared.errors import BadRequestError, ForbiddenError
from shared.realtime.broadcast import broadcast
from shared.realtime.connection_auth import auth_json, auth_state
from shared.realtime.deps import RealtimeDeps
from shared.realtime.subscriptions import Connection, Target

if TYPE_CHECKING:
    from shared.records.context import AuthState

Action = Literal["subscribe", "publish", "join"]
# `@request.context` of a channel rule, PocketBase's name for realtime requests
REALTIME_CONTEXT = "realtime"
# A publish goes out inside an event envelope under API Gateway's 128 KB per post: half of it keeps every post
# well inside, whatever the subscription string and `from`.
MAX_PUBLISH_BYTES = 64 * 1024


@lru_cache(maxsize=256)
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$")


def channel_rules(name: str) -> ChannelRuleSettings | None:
    """The settings entry governing a channel, or None (superusers only)."""
    for rule in provider.current().realtime.channels:
        if rule.pattern and _pattern(rule.pattern).match(name):
            return rule
    return None


def _rule_allows(deps: RealtimeDeps, text: str | None, owner: AuthState | None) -> bool:
    if text is None:
        return False
    if not text.strip():
        return True
    from shared.collections.model import Collection
    from shared.records.context import RequestContext
    from shared.records.model import ReadMeter
    from shared.records.record_loader import RecordLoader
    from shared.records.rules import matches, parse_rule

    loader = RecordLoader(deps.collections, deps.authenticator.records, ReadMeter())
    # Rules name no record: the resolver gets an empty collection, so a plain field name resolves to nothing.
    return matches(parse_rule(text), Collection(), None, RequestContext(auth=owner, context=REALTIME_CONTEXT),
                   loader, allow_hidden=True)


def require(deps: RealtimeDeps, conn: Connection, channel: str, action: Action) -> AuthState | None:
    """Raise PocketBase's 403 unless the connection, as it is authenticated now, may do this on the channel;
    return who it acts as now (None: a guest, also when its stored auth no longer holds).

    `join` takes the subscribe rule and an entry with `presence` on: presence is a feature of the channel, which
    even superusers cannot join where it is off.
    """
    owner = auth_state(deps, conn.auth, conn.source_ip)
    # channels are no collection a scope can name: only an API token scoped `*:*` (not read-only to publish)
    if owner is not None and owner.grant is not None and not owner.grant.allows_admin(
            "POST" if action == "publish" else "GET"):
        raise ForbiddenError("The API token does not allow this action.")
    rules = channel_rules(channel)
    if action == "join" and (rules is None or not rules.presence):
        raise ForbiddenError(f"Presence is not enabled on channel:{channel}.")
    if owner is not None and owner.is_superuser:
        return owner
    text = None if rules is None else (rules.publish_rule if action == "publish" else rules.subscribe_rule)
    if not _rule_allows(deps, text, owner):
        verb = "publish to" if action == "publish" else "subscribe to"
        raise ForbiddenError(f"You are not allowed to {verb} channel:{channel}.")
    return owner


def publish(deps: RealtimeDeps, conn: Connection, channel: str, data: Any) -> None:
    """Send `data` to every subscription of the channel, under each one's own subscription string."""
    if len(json.dumps(data, separators=(",", ":")).encode()) > MAX_PUBLISH_BYTES:
        raise BadRequestError(f"data must be at most {MAX_PUBLISH_BYTES} bytes of JSON.")
    owner = require(deps, conn, channel, "publish")
    event = {"action": "publish", "data": data, "from": auth_json(conn.auth) if owner is not None else None}
    subscribers = deps.store.subscriptions(Target(channel=channel))
    broadcast(deps, [(s.connection_id, {"type": "event", "topic": s.topic, "data": event}) for s in subscribers])
