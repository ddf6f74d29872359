"""Apple's user name between its redirect and the sign-in: Apple sends the name only once, in the `user` field of
its first `form_post` redirect, and `auth-with-oauth2` (another function) needs it for the new record.

PocketBase keeps it in process memory for a minute; Lambdas share nothing, so here it is an item of the system
table: pk `oan#<sha256 of the code>`, sk `name`, `ttl` a minute on. The code itself is never stored (it is a
credential until exchanged); the name is taken (read and deleted) once.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from abc import ABC, abstractmethod
from functools import cache

from botocore.exceptions import BotoCoreError, ClientError

from shared.auth.dynamo import dynamodb, from_item, storage_error, to_item

NAME_TTL_S = 60  # PocketBase's minute
MAX_NAME_LENGTH = 150  # PocketBase's cut
MAX_CODE_LENGTH = 1000  # PocketBase's bound on its store key


def name_from_redirect(user_field: str) -> str:
    """`First Last` from Apple's `user` JSON (`{"name": {"firstName", "lastName"}, "email"}`); '' otherwise."""
    try:
        data = json.loads(user_field)
    except ValueError:
        return ""
    name = data.get("name") if isinstance(data, dict) else None
    if not isinstance(name, dict):
        return ""
    parts = [name.get("firstName"), name.get("lastName")]
    return " ".join(p for p in parts if isinstance(p, str))[:MAX_NAME_LENGTH].strip()


def _key(code: str) -> str:
    return "oan#" + hashlib.sha256(code.encode()).hexdigest()


class AppleNameStore(ABC):
    @abstractmethod
    def put(self, code: str, name: str, now: int | None = None) -> None:
        """Keep the name for the sign-in that will exchange this code."""

    @abstractmethod
    def take(self, code: str, now: int | None = None) -> str | None:
        """The name kept for this code, once; None when there is none (or it is over a minute old)."""


class InMemoryAppleNameStore(AppleNameStore):
    def __init__(self) -> None:
        self._names: dict[str, tuple[str, int]] = {}
        self._lock = threading.Lock()

    def put(self, code: str, name: str, now: int | None = None) -> None:
        with self._lock:
            self._names[_key(code)] = (name, (now or int(time.time())) + NAME_TTL_S)

    def take(self, code: str, now: int | None = None) -> str | None:
        with self._lock:
            found = self._names.pop(_key(code), None)
        return found[0] if found and found[1] > (now or int(time.time())) else None


class DynamoAppleNameStore(AppleNameStore):
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def put(self, code: str, name: str, now: int | None = None) -> None:
        item = to_item({"pk": _key(code), "sk": "name", "name": name,
                        "ttl": (now or int(time.time())) + NAME_TTL_S})
        try:
            dynamodb().put_item(TableName=self._table, Item=item)
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, "apple_names.put") from exc

    def take(self, code: str, now: int | None = None) -> str | None:
        try:
            # Deleted as it is read, so a second sign-in with the same code (refused anyway) finds nothing.
            old = dynamodb().delete_item(TableName=self._table, Key=to_item({"pk": _key(code), "sk": "name"}),
                                         ReturnValues="ALL_OLD").get("Attributes")
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(exc, "apple_names.take") from exc
        if not old:
            return None
        item = from_item(old)
        # TTL deletion lags by hours: an expired item is refused here rather than trusted to be gone.
        if int(item.get("ttl") or 0) <= (now or int(time.time())):
            return None
        return str(item.get("name") or "")


@cache
def get_apple_name_store(table_name: str) -> AppleNameStore:
    return DynamoAppleNameStore(table_name)
