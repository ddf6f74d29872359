"""The DynamoDB subscription store: the system table's realtime items (their layout: shared/realtime/subscriptions.py).

API Gateway may run two messages of one connection at once, so the connection item is rewritten only if its
`rev` is still the one read (a conditional update), and a save that lost is read and redone.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from functools import cache
from typing import Any

from shared.aws import client
from shared.dynamo_batch import backoff, batch_write
from shared.dynamo_values import from_attribute, to_attribute
from shared.realtime.subscriptions import (
    CONNECTION_TTL_S,
    SAVE_ATTEMPTS,
    Connection,
    ConnectionBusyError,
    RealtimeAuth,
    Subscription,
    SubscriptionStore,
    Target,
    topic_digest,
)


def _auth_attribute(auth: RealtimeAuth | None) -> dict[str, Any]:
    # unset fields (no session, no API token) are left out: the auth is copied onto every subscription item
    return to_attribute(auth.model_dump(exclude_none=True) if auth else None)


def _auth_of(item: dict[str, Any]) -> RealtimeAuth | None:
    value = from_attribute(item["auth"]) if "auth" in item else None
    return RealtimeAuth.model_validate(value) if value else None


class DynamoSubscriptionStore(SubscriptionStore):
    """The system table's realtime items (layout in the module docstring)."""

    def __init__(self, table_name: str, clock: Any = time.time) -> None:
        self.table = table_name
        self.clock = clock
        # items read by subscriptions() in this instance's life: the matching cost `make bench` reports
        self.items_read = 0

    @staticmethod
    def _conn_key(connection_id: str) -> dict[str, Any]:
        return {"pk": {"S": f"conn#{connection_id}"}, "sk": {"S": "conn"}}

    def _ttl(self) -> dict[str, str]:
        return {"N": str(int(self.clock()) + CONNECTION_TTL_S)}

    def open(self, conn: Connection) -> None:
        client("dynamodb").put_item(TableName=self.table, Item={
            **self._conn_key(conn.connection_id),
            "connectedAt": {"N": str(conn.connected_at)},
            "sourceIp": {"S": conn.source_ip},
            "userAgent": {"S": conn.user_agent},
            "auth": _auth_attribute(conn.auth),
            "topics": to_attribute([]),
            "targets": to_attribute({}),
            "ttl": self._ttl(),
        })

    def _conn_item(self, connection_id: str) -> dict[str, Any] | None:
        return client("dynamodb").get_item(TableName=self.table, Key=self._conn_key(connection_id),
                                           ConsistentRead=True).get("Item")

    def connection(self, connection_id: str) -> Connection | None:
        item = self._conn_item(connection_id)
        if not item:
            return None
        return Connection(connection_id=connection_id, connected_at=int(item["connectedAt"]["N"]),
                          source_ip=item["sourceIp"]["S"], user_agent=item["userAgent"]["S"],
                          auth=_auth_of(item), topics=from_attribute(item.get("topics", {"L": []})))

    @staticmethod
    def _targets_of(item: dict[str, Any]) -> dict[str, Target]:
        """topic -> target, as the connection item keeps them (`targets`: topic -> [collection, record, channel])."""
        raw = from_attribute(item.get("targets", {"M": {}})) or {}
        return {topic: Target(*parts) for topic, parts in raw.items()}

    def _sub_item(self, connection_id: str, topic: str, target: Target, auth: RealtimeAuth | None,
                  presence: dict[str, Any] | None) -> dict[str, Any]:
        item = {"pk": {"S": target.partition}, "sk": {"S": f"{connection_id}#{topic_digest(topic)}"},
                "cid": {"S": connection_id}, "topic": {"S": topic}, "auth": _auth_attribute(auth),
                "ttl": self._ttl()}
        if presence is not None:
            item["presence"] = to_attribute(presence)
        return item

    def _save_connection(self, connection_id: str, read: dict[str, Any], topics: list[str],
                         targets: dict[str, Target], auth: RealtimeAuth | None) -> str:
        """Rewrite the connection's topics, targets and auth if it is still as `read`: "saved", "gone" (closed)
        or "changed" (another message of the connection saved first: read again and redo)."""
        ddb = client("dynamodb")
        rev = int(read.get("rev", {"N": "0"})["N"])
        try:
            ddb.update_item(
                TableName=self.table, Key=self._conn_key(connection_id),
                UpdateExpression="SET topics = :t, targets = :g, #auth = :a, rev = :next",
                ExpressionAttributeNames={"#auth": "auth"},
                # API Gateway invokes the messages of one connection concurrently: without the revision, two
                # subscribes that read the same list would each save their own, and one would be lost.
                ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(rev) OR rev = :rev)",
                ExpressionAttributeValues={
                    ":t": to_attribute(topics), ":a": _auth_attribute(auth),
                    ":g": to_attribute({t: [g.collection_id, g.record_id, g.channel] for t, g in targets.items()}),
                    ":rev": {"N": str(rev)}, ":next": {"N": str(rev + 1)},
                })
        except ddb.exceptions.ConditionalCheckFailedException:
            return "changed" if self._conn_item(connection_id) else "gone"
        return "saved"

    def set_auth(self, connection_id: str, auth: RealtimeAuth | None) -> None:
        saved = self._save_auth(connection_id, auth)
        if saved is None:
            return
        targets, presence = saved
        batch_write(self.table, [{"PutRequest": {"Item": self._sub_item(
            connection_id, t, g, auth, presence.get(t))}} for t, g in targets.items()])

    def set_source(self, connection_id: str, source_ip: str, user_agent: str) -> None:
        ddb = client("dynamodb")
        try:
            ddb.update_item(TableName=self.table, Key=self._conn_key(connection_id),
                            UpdateExpression="SET sourceIp = :i, userAgent = :u",
                            ConditionExpression="attribute_exists(pk)",
                            ExpressionAttributeValues={":i": {"S": source_ip}, ":u": {"S": user_agent}})
        except ddb.exceptions.ConditionalCheckFailedException:
            return

    def _presence_of(self, connection_id: str, targets: dict[str, Target]) -> dict[str, dict[str, Any]]:
        """The presence meta of the connection's channel subscriptions (kept across a re-authentication)."""
        found: dict[str, dict[str, Any]] = {}
        ddb = client("dynamodb")
        for topic, target in targets.items():
            if not target.channel:
                continue
            item = ddb.get_item(TableName=self.table, Key={"pk": {"S": target.partition}, "sk": {
                "S": f"{connection_id}#{topic_digest(topic)}"}}).get("Item") or {}
            if "presence" in item:
                found[topic] = from_attribute(item["presence"])
        return found

    def subscribe(self, connection_id: str, subscriptions: list[tuple[str, Target]],
                  presence: dict[str, Any] | None = None) -> None:
        for attempt in range(SAVE_ATTEMPTS):
            if attempt:
                backoff(attempt - 1)  # lost to another message of this connection: jittered, so racers spread out
            item = self._conn_item(connection_id)
            if not item:
                return
            auth = _auth_of(item)
            targets = self._targets_of(item)
            topics = from_attribute(item.get("topics", {"L": []}))
            # The subscription items first, then the connection that lists them: a failure in between leaves
            # items that the connection does not list, which expire by TTL and whose events go to a connection
            # that either has them (a retried subscribe) or answers 410 (gone); never a listed subscription
            # without its item. A redo writes them again, with the auth it read.
            batch_write(self.table, [{"PutRequest": {"Item": self._sub_item(connection_id, t, g, auth, presence)}}
                                     for t, g in subscriptions])
            for topic, target in subscriptions:
                targets[topic] = target
                if topic not in topics:
                    topics.append(topic)
            outcome = self._save_connection(connection_id, item, topics, targets, auth)
            if outcome == "saved":
                return
            if outcome == "gone":
                self._delete_items(connection_id, subscriptions)
                return
        raise ConnectionBusyError(connection_id)

    def _delete_items(self, connection_id: str, subscriptions: Iterable[tuple[str, Target]]) -> None:
        batch_write(self.table, [{"DeleteRequest": {"Key": {"pk": {"S": g.partition}, "sk": {
            "S": f"{connection_id}#{topic_digest(t)}"}}}} for t, g in subscriptions])

    def unsubscribe(self, connection_id: str, topics: list[str] | None = None) -> list[tuple[str, Target]]:
        for attempt in range(SAVE_ATTEMPTS):
            if attempt:
                backoff(attempt - 1)  # lost to another message of this connection: jittered, so racers spread out
            item = self._conn_item(connection_id)
            if not item:
                return []
            targets = self._targets_of(item)
            current = from_attribute(item.get("topics", {"L": []}))
            chosen = [t for t in (current if topics is None else topics) if t in targets]
            removed = [(t, targets.pop(t)) for t in chosen]
            # The connection stops listing them first, so a failure in between leaves only unlisted items (TTL).
            outcome = self._save_connection(connection_id, item, [t for t in current if t not in chosen], targets,
                                            _auth_of(item))
            if outcome == "changed":
                continue
            self._delete_items(connection_id, removed)
            return removed
        raise ConnectionBusyError(connection_id)

    def _save_auth(self, connection_id: str, auth: RealtimeAuth | None
                   ) -> tuple[dict[str, Target], dict[str, dict[str, Any]]] | None:
        """Save the connection's new auth (redone if another message saved first); its targets and their presence
        meta, for rewriting the subscription items, or None when the connection is gone."""
        for attempt in range(SAVE_ATTEMPTS):
            if attempt:
                backoff(attempt - 1)  # lost to another message of this connection: jittered, so racers spread out
            item = self._conn_item(connection_id)
            if not item:
                return None
            targets = self._targets_of(item)
            topics = from_attribute(item.get("topics", {"L": []}))
            presence = self._presence_of(connection_id, targets)
            outcome = self._save_connection(connection_id, item, topics, targets, auth)
            if outcome == "gone":
                return None
            if outcome == "saved":
                return targets, presence
        raise ConnectionBusyError(connection_id)

    def subscriptions(self, target: Target) -> list[Subscription]:
        ddb = client("dynamodb")
        found: list[Subscription] = []
        kwargs: dict[str, Any] = {"TableName": self.table, "KeyConditionExpression": "pk = :p",
                                  "ExpressionAttributeValues": {":p": {"S": target.partition}}}
        while True:
            page = ddb.query(**kwargs)
            self.items_read += len(page.get("Items", []))
            for item in page.get("Items", []):
                found.append(Subscription(
                    connection_id=item["cid"]["S"], topic=item["topic"]["S"], auth=_auth_of(item),
                    presence=from_attribute(item["presence"]) if "presence" in item else None))
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def close(self, connection_id: str) -> list[tuple[str, Target]]:
        item = self._conn_item(connection_id)
        if not item:
            return []
        removed = list(self._targets_of(item).items())
        self._delete_items(connection_id, removed)
        client("dynamodb").delete_item(TableName=self.table, Key=self._conn_key(connection_id))
        return removed


@cache
def get_subscription_store(table_name: str) -> SubscriptionStore:
    return DynamoSubscriptionStore(table_name)
