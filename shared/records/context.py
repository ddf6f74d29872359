"""Who is asking and what they sent: the request facts rules and filters can refer to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.collections.model import Collection
from shared.records.model import StoredRecord


@dataclass
class AuthState:
    record: StoredRecord
    collection: Collection

    @property
    def is_superuser(self) -> bool:
        return self.collection.name == "_superusers"


@dataclass
class RequestContext:
    """`@request.*` for rules: method, headers, query, body, context and the authenticated record."""

    method: str = "GET"
    auth: AuthState | None = None
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    context: str = "default"
    ip: str = ""
    user_agent: str = ""
    # operator actions (CLI, bootstrap) act with superuser rights without an auth record
    system: bool = False

    @property
    def is_superuser(self) -> bool:
        return self.system or (self.auth is not None and self.auth.is_superuser)
