"""Who is asking and what they sent: the request facts rules and filters can refer to."""

from __future__ import annotations

from typing import Any, Protocol

import msgspec

from shared.collections.model import Collection
from shared.records.model import StoredRecord


class ActionGrant(Protocol):
    """What an API token allows (shared/auth/api_tokens.py), on top of its owner's rules."""

    @property
    def token_id(self) -> str: ...

    def allows(self, collection_id: str, collection_name: str, action: str) -> bool: ...

    def allows_admin(self, method: str) -> bool: ...


class AuthState(msgspec.Struct):
    record: StoredRecord
    collection: Collection
    # the superuser whose impersonation token this is (its `imp` claim), for the actor stamp
    impersonator_id: str = ""
    # the API token the request is made with: the record is its owner, and the token's scopes limit it further
    grant: ActionGrant | None = None

    @property
    def is_superuser(self) -> bool:
        return self.collection.name == "_superusers"


class RequestContext(msgspec.Struct):
    """`@request.*` for rules: method, headers, query, body, context and the authenticated record."""

    method: str = "GET"
    auth: AuthState | None = None
    headers: dict[str, str] = msgspec.field(default_factory=dict)
    query: dict[str, str] = msgspec.field(default_factory=dict)
    body: dict[str, Any] = msgspec.field(default_factory=dict)
    context: str = "default"
    ip: str = ""
    user_agent: str = ""
    # API Gateway's request id, carried into the actor stamp of the request's writes
    request_id: str = ""
    # operator actions (CLI, bootstrap) act with superuser rights without an auth record
    system: bool = False

    @property
    def is_superuser(self) -> bool:
        return self.system or (self.auth is not None and self.auth.is_superuser)


def rule_body(collection: Collection, body: dict[str, Any], current: StoredRecord | None,
              generated: StoredRecord | None, *, superuser: bool) -> dict[str, Any]:
    """`@request.body` as PocketBase's rules see it: every modifier key folded into its field's name.

    PocketBase applies the body to a copy of the record before the rules run, so `role+`, `+role`,
    `credits-` or `nick:autogenerate` appear as `role`, `credits`, `nick` with the value they produce
    (`credits+: 5` on 10 is 15); keys that name no field stay as sent, and a hidden field a non-superuser
    sends is dropped, since it is not written either. `generated` is the record a create would store,
    whose generated texts are the ones a rule sees.
    """
    from shared.collections.field_errors import FieldError
    from shared.records.body import apply_body

    values = {f.name: f.from_stored(current.data.get(f.id)) for f in collection.fields} if current else {}
    try:
        applied = apply_body(collection, body, values, allow_hidden=superuser)
    except (FieldError, ValueError, TypeError, ArithmeticError):
        applied = None  # a body the write would refuse; its keys still count as sent, by their field
    out: dict[str, Any] = {}
    for key, value in body.items():
        target = _field_named_by(collection, key)
        if target is None:
            out[key] = value
        elif target.hidden and not superuser and not (collection.is_auth and target.name == "password"):
            continue  # as PocketBase: a non-superuser's hidden field values are unset before the rules
        elif applied is None:
            out.setdefault(target.name, value)
        elif target.name in applied.autogenerate_prefixes:
            stored = generated.data.get(target.id) if generated is not None else None
            out[target.name] = stored if stored else target.autogenerate(applied.autogenerate_prefixes[target.name])
        elif target.name in applied.sent_names:
            out[target.name] = applied.values.get(target.name)
        else:
            out[key] = value  # a modifier the field has no use for: written nowhere, kept as sent
    return out


def _field_named_by(collection: Collection, key: str) -> Any:
    """The field a body key writes, with or without a modifier (`a`, `a+`, `+a`, `a-`, `a:autogenerate`)."""
    candidates = [key, key.removesuffix(":autogenerate")]
    if key.endswith(("+", "-")):
        candidates.append(key[:-1])
    if key.startswith("+"):
        candidates.append(key[1:])
    for name in candidates:
        found = collection.field_by_name(name)
        if found is not None:
            return found
    return None
