"""Data access for open WebSocket connections: an interface, a DynamoDB and an in-memory implementation."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from functools import cache

from pydantic import BaseModel

from shared.aws import client

# API Gateway closes a WebSocket after two hours at most, so a connection item never outlives that.
CONNECTION_TTL_S = 2 * 60 * 60


class Connection(BaseModel):
    connection_id: str
    connected_at: int
    source_ip: str = ""
    user_agent: str = ""


class ConnectionRepository(ABC):
    @abstractmethod
    def put(self, conn: Connection) -> None: ...

    @abstractmethod
    def get(self, connection_id: str) -> Connection | None: ...

    @abstractmethod
    def delete(self, connection_id: str) -> None: ...


class InMemoryConnectionRepository(ConnectionRepository):
    def __init__(self) -> None:
        self.items: dict[str, Connection] = {}

    def put(self, conn: Connection) -> None:
        self.items[conn.connection_id] = conn

    def get(self, connection_id: str) -> Connection | None:
        return self.items.get(connection_id)

    def delete(self, connection_id: str) -> None:
        self.items.pop(connection_id, None)


class DynamoConnectionRepository(ConnectionRepository):
    """Items `pk=conn#<id>, sk=conn` in the system table, expiring by TTL."""

    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @staticmethod
    def _key(connection_id: str) -> dict[str, dict[str, str]]:
        return {"pk": {"S": f"conn#{connection_id}"}, "sk": {"S": "conn"}}

    def put(self, conn: Connection) -> None:
        item = {
            **self._key(conn.connection_id),
            "connectedAt": {"N": str(conn.connected_at)},
            "sourceIp": {"S": conn.source_ip},
            "userAgent": {"S": conn.user_agent},
            "ttl": {"N": str(int(time.time()) + CONNECTION_TTL_S)},
        }
        client("dynamodb").put_item(TableName=self.table, Item=item)

    def get(self, connection_id: str) -> Connection | None:
        item = client("dynamodb").get_item(TableName=self.table, Key=self._key(connection_id)).get("Item")
        if not item:
            return None
        return Connection(connection_id=connection_id, connected_at=int(item["connectedAt"]["N"]),
                          source_ip=item["sourceIp"]["S"], user_agent=item["userAgent"]["S"])

    def delete(self, connection_id: str) -> None:
        client("dynamodb").delete_item(TableName=self.table, Key=self._key(connection_id))


@cache
def get_connection_repository(table_name: str) -> ConnectionRepository:
    return DynamoConnectionRepository(table_name)
