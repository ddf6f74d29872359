"""The data the cold-start and warm benchmarks call real routes on: a collection, its records, a user, a superuser.

Written through the domain library (as an operator would), so every function's first event finds what it asks
for and does the work of a real request: a record read, a catalog lookup, a token verified and reissued.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

POSTS = "bench_posts"
POST_ID = "benchpost000000"
PAGE = 20
USER_EMAIL = "bench-user@example.com"
SUPERUSER_EMAIL = "bench-admin@example.com"
PASSWORD = "Bench-passw0rd-long"
# Not loopback: the rate limiter counts this caller as it counts any client in the cloud.
SOURCE_IP = "203.0.113.7"
OPEN_RULES = {"listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": ""}


@dataclass(frozen=True)
class World:
    posts_id: str
    user_token: str
    superuser_token: str


def seed() -> World:
    """Create the posts collection with PAGE + 1 records, a user and a superuser; return ids and tokens."""
    from shared.accounts.signin import issue_auth_token
    from shared.accounts.superusers import upsert_superuser
    from shared.catalog.collections_admin import CollectionsAdmin
    from shared.collections.system import SUPERUSERS_COLLECTION_NAME, USERS_COLLECTION_NAME
    from shared.composition import composition
    from shared.records.context import RequestContext
    from shared.records.model import ReadMeter
    from shared.records.scope import RecordScope

    svc = composition()
    fields = [{"name": "title", "type": "text"}, {"name": "score", "type": "number"},
              {"name": "done", "type": "bool"}]
    posts = CollectionsAdmin(svc.collections, svc.records).create(
        {"name": POSTS, "type": "base", **OPEN_RULES, "fields": fields})
    scope = RecordScope(svc.collections, svc.records, RequestContext(method="POST", system=True), svc.hooks)
    for n in range(PAGE + 1):
        scope.writer.create(POSTS, {"id": f"benchpost{n:06d}", "title": f"post {n}", "score": n, "done": n % 2 == 0})
    user = scope.writer.create(USERS_COLLECTION_NAME, {"email": USER_EMAIL, "password": PASSWORD,
                                                       "passwordConfirm": PASSWORD, "verified": True})
    admin_id, _ = upsert_superuser(svc.collections, svc.records, svc.hooks, SUPERUSER_EMAIL, PASSWORD)
    tokens = svc.tokens

    def token(collection: str, record_id: str) -> str:
        stored = svc.collections.get(collection)
        record = svc.records.get(stored.collection.id, record_id, ReadMeter())
        assert record is not None
        return issue_auth_token(tokens, stored, record)

    return World(posts_id=posts.id, user_token=token(USERS_COLLECTION_NAME, user.record.id),
                 superuser_token=token(SUPERUSERS_COLLECTION_NAME, admin_id))


def http(method: str, path: str, *, token: str | None = None, query: str = "", route_key: str | None = None,
         path_params: dict[str, str] | None = None) -> dict[str, Any]:
    """An API Gateway HTTP API v2 event for one request, as the gateway would send it."""
    from local.events import http_event

    headers = [("user-agent", "bench"), *([("authorization", token)] if token else [])]
    return http_event(method=method, path=path, raw_query=query, headers=headers, body=b"",
                      route_key=route_key or f"{method} {path}", path_params=path_params or {},
                      source_ip=SOURCE_IP, host="bench.execute-api.us-east-1.amazonaws.com", scheme="https")


def http_events(world: World) -> dict[str, dict[str, Any]]:
    """A real route of every HTTP function, by function name: each answers 200 after doing its work."""
    return {
        "health": http("GET", "/api/health"),
        "collections": http("GET", f"/api/collections/{POSTS}", token=world.superuser_token),
        "records": http("GET", f"/api/collections/{POSTS}/records/{POST_ID}"),
        "auth": http("POST", "/api/collections/users/auth-refresh", token=world.user_token),
    }


def list_event() -> dict[str, Any]:
    """A guest's first page of PAGE posts."""
    return http("GET", f"/api/collections/{POSTS}/records", query=f"perPage={PAGE}")


def status_of(response: Any) -> int:
    """The HTTP status of a handler's response (API Gateway v2 shape)."""
    return int(response.get("statusCode", 0)) if isinstance(response, dict) else 0


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response.get("body") or "null")
