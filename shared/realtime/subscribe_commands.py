"""`subscribe`, `unsubscribe` and `set`: subscription strings checked, resolved to targets, then stored at once.

Every string of a message is checked before any is stored, so a message applies whole or not at all:
- PocketBase's limits: 1,000 subscriptions per connection, 2,500 characters each;
- a collection named by name or id that exists (PocketBase stores any string; here an unknown collection is a
  404 naming the string, so a typo is an answer rather than silence; the target is its id, so a rename keeps
  the subscription);
- `filter`, `fields` and `expand` options as the REST list checks them (a bad filter is PocketBase's 400, a
  guest's `@request.*` filter its 403);
- a channel's subscribe rule (shared/realtime/channels.py);
- for a connection authenticated with an API token, its scopes: `list` on the collection for a collection
  topic, `view` for a record topic (403 otherwise, as a refused subscription is).
The first bad string answers an error whose `data.topics.<index>` names it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.errors import ApiError, BadRequestError, ForbiddenError, NotFoundError
from shared.realtime import channels
from shared.realtime.broadcast import broadcast, joined, leave_messages
from shared.realtime.connection_auth import UNKNOWN_CONNECTION, auth_state
from shared.realtime.deps import RealtimeDeps
from shared.realtime.subscriptions import Connection, Target
from shared.realtime.topics import (
    MAX_SUBSCRIPTION_LENGTH,
    MAX_SUBSCRIPTIONS,
    OAUTH2_TOPIC,
    Topic,
    TopicError,
    parse_topic,
)

if TYPE_CHECKING:
    from shared.collections.model import Collection
    from shared.records.context import AuthState


def connection_of(deps: RealtimeDeps, connection_id: str) -> Connection:
    conn = deps.store.connection(connection_id)
    if conn is None:
        raise NotFoundError(UNKNOWN_CONNECTION)
    return conn


def _topic_error(index: int, raw: Any, exc: ApiError) -> ApiError:
    """The same error, its data naming the subscription string that caused it."""
    inner = next((v for v in exc.data.values() if isinstance(v, dict) and "code" in v), None)
    detail = {"code": inner["code"] if inner else "validation_invalid_topic",
              "message": inner["message"] if inner else exc.message, "topic": raw}
    return type(exc)(exc.message, {"topics": {str(index): detail}})


def topic_list(value: Any, *, absent_means_all: bool = False) -> list[str] | None:
    """A message's `topics`: a list of strings (None, for unsubscribe, means all)."""
    if value is None and absent_means_all:
        return None
    if not isinstance(value, list):
        raise BadRequestError("topics must be a list of subscription strings.")
    return value


class _Checker:
    """Checks one message's strings for one connection, reading its auth at most once."""

    def __init__(self, deps: RealtimeDeps, conn: Connection) -> None:
        self.deps = deps
        self.conn = conn
        self._owner: tuple[AuthState | None] | None = None

    def owner(self) -> AuthState | None:
        if self._owner is None:
            self._owner = (auth_state(self.deps, self.conn.auth, self.conn.source_ip),)
        return self._owner[0]

    def is_superuser(self) -> bool:
        owner = self.owner()
        return owner is not None and owner.is_superuser

    def target(self, raw: Any) -> Target:
        if not isinstance(raw, str):
            raise BadRequestError("A subscription must be a string.")
        if len(raw) > MAX_SUBSCRIPTION_LENGTH:
            raise BadRequestError(f"A subscription must have at most {MAX_SUBSCRIPTION_LENGTH} characters.",
                                  {"topic": {"code": "validation_length_too_long",
                                             "message": f"At most {MAX_SUBSCRIPTION_LENGTH} characters."}})
        try:
            topic = parse_topic(raw)
        except TopicError as exc:
            raise BadRequestError(str(exc)) from exc
        if topic.kind == "channel":
            channels.require(self.deps, self.conn, topic.channel, "subscribe")
            return Target(channel=topic.channel)
        if raw == OAUTH2_TOPIC:
            # PocketBase's OAuth2 callback topic: only /api/oauth2-redirect sends on it, to this connection alone
            # (no channel name can be "@oauth2", so no publish reaches it).
            return Target(channel=OAUTH2_TOPIC)
        return self._collection_target(topic)

    def _collection_target(self, topic: Topic) -> Target:
        from shared.records.rules import parse_user_filter, unknown_identifier
        from shared.tools.list_query import ListQueryError, parse_fields_param

        if "#" in topic.record_id:
            # `#` separates the parts of the store's keys: an id with one could name another item's partition
            raise BadRequestError("A record id cannot contain #.")
        stored = self.deps.collections.find(topic.collection)
        if stored is None:
            raise NotFoundError("Missing collection context.")
        if self.conn.auth is not None and self.conn.auth.token_id:
            self._require_scope(stored.collection, "view" if topic.record_id else "list")
        query = topic.options.query
        text = query.get("filter", "")
        if text:
            parse_user_filter(text, superuser=self.is_superuser())
            problem = unknown_identifier(text, stored.collection, self._find)
            if problem:
                raise BadRequestError("Invalid filter parameters.", {"filter": {
                    "code": "validation_invalid_filter", "message": problem}})
        try:
            parse_fields_param(query)
        except ListQueryError as exc:
            raise BadRequestError(f"Invalid {exc.param} parameter.",
                                  {exc.param: {"code": exc.code, "message": exc.message}}) from exc
        return Target(collection_id=stored.collection.id, record_id=topic.record_id)

    def _require_scope(self, collection: Collection, action: str) -> None:
        from shared.records.request_rules import OUT_OF_SCOPE

        owner = self.owner()
        grant = owner.grant if owner is not None else None
        # an API token subscribes only where its scopes reach (a superuser's too); each event is checked again
        if grant is not None and not grant.allows(collection.id, collection.name, action):
            raise ForbiddenError(OUT_OF_SCOPE)

    def _find(self, id_or_name: str) -> Any:
        stored = self.deps.collections.find(id_or_name)
        return stored.collection if stored else None

    def targets(self, topics: list[Any]) -> list[tuple[str, Target]]:
        resolved: dict[str, Target] = {}
        for index, raw in enumerate(topics):
            try:
                resolved[raw] = self.target(raw)
            except ApiError as exc:
                raise _topic_error(index, raw, exc) from exc
        return list(resolved.items())


def _check_count(count: int) -> None:
    if count > MAX_SUBSCRIPTIONS:
        raise BadRequestError(f"A connection has at most {MAX_SUBSCRIPTIONS} subscriptions.", {"topics": {
            "code": "validation_too_many_subscriptions", "message": f"At most {MAX_SUBSCRIPTIONS} subscriptions."}})


def _remove(deps: RealtimeDeps, conn: Connection, topics: list[str] | None) -> None:
    """Unsubscribe, announcing `presence leave` for joined channels among what is removed."""
    chosen = conn.topics if topics is None else [t for t in topics if t in conn.topics]
    channel_targets = [Target(channel=t.removeprefix("channel:")) for t in chosen if t.startswith("channel:")
                       and "?" not in t]
    left = [m for m in joined(deps, conn.connection_id, channel_targets) if m.topic in chosen]
    if chosen:
        deps.store.unsubscribe(conn.connection_id, chosen)
    if left:
        broadcast(deps, leave_messages(deps, left))


def apply_subscribe(deps: RealtimeDeps, connection_id: str, topics: list[Any]) -> None:
    """Add these subscriptions (all or none); re-subscribing a string keeps it once."""
    conn = connection_of(deps, connection_id)
    pairs = _Checker(deps, conn).targets(topics)
    _check_count(len(set(conn.topics) | {t for t, _ in pairs}))
    fresh = [(t, g) for t, g in pairs if t not in conn.topics]
    if fresh:
        deps.store.subscribe(connection_id, fresh)


def apply_unsubscribe(deps: RealtimeDeps, connection_id: str, topics: list[Any] | None) -> None:
    """Remove these subscriptions (every one when None); strings the connection does not have are ignored."""
    conn = connection_of(deps, connection_id)
    _remove(deps, conn, None if topics is None else [t for t in topics if isinstance(t, str)])


def apply_set(deps: RealtimeDeps, connection_id: str, topics: list[Any]) -> None:
    """Make these the connection's whole set of subscriptions (PocketBase's `POST /api/realtime`), all or none.

    Strings it already has stay untouched (a joined channel keeps its presence); the others are removed or added.
    """
    conn = connection_of(deps, connection_id)
    _check_count(len(set(t for t in topics if isinstance(t, str))))
    pairs = _Checker(deps, conn).targets(topics)
    wanted = {t for t, _ in pairs}
    _remove(deps, conn, [t for t in conn.topics if t not in wanted])
    fresh = [(t, g) for t, g in pairs if t not in conn.topics]
    if fresh:
        deps.store.subscribe(connection_id, fresh)
