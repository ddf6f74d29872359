"""The data the cold-start and warm benchmarks call real routes on, and the first event of every HTTP function.

Written through the domain library (as an operator would): a collection and its records, a user, a superuser, a
record with a file in S3, a published form, and a realtime client waiting on `@oauth2`. So every function's
first event finds what it asks for and does the work of a real request (a record read, a catalog lookup, a token
verified and reissued, a file streamed from S3, a delivery log page...), and answers 200.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

POSTS = "bench_posts"
POST_ID = "benchpost000000"
FILES = "bench_files"
FILE_RECORD_ID = "benchfile000000"
FILE_BYTES = b"a file the files function streams from S3 on its first request\n" * 16
FORM_SLUG = "bench-contact"
# The realtime client an OAuth2 redirect's state names (the SSE client id PocketBase's SDK sends as the state).
OAUTH2_CLIENT = "benchoauth2client"
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
    file_name: str = ""  # the stored name of FILE_RECORD_ID's file


def seed() -> World:
    """Create the posts collection with PAGE + 1 records, a user, a superuser, a record with a file, a form and a
    realtime client waiting on `@oauth2`; return ids and tokens."""
    from shared.accounts.signin import issue_auth_token
    from shared.accounts.superusers import upsert_superuser
    from shared.catalog.collections_admin import CollectionsAdmin
    from shared.collections.system import SUPERUSERS_COLLECTION_NAME, USERS_COLLECTION_NAME, VIEWS_COLLECTION_NAME
    from shared.composition import composition
    from shared.files.uploaded import UploadedFile
    from shared.realtime.subscriptions import Connection
    from shared.records.context import RequestContext
    from shared.records.model import ReadMeter
    from shared.records.scope import RecordScope

    svc = composition()
    fields = [{"name": "title", "type": "text"}, {"name": "score", "type": "number"},
              {"name": "done", "type": "bool"}]
    admin = CollectionsAdmin(svc.collections, svc.records)
    posts = admin.create({"name": POSTS, "type": "base", **OPEN_RULES, "fields": fields})
    scope = RecordScope(svc.collections, svc.records, RequestContext(method="POST", system=True), svc.hooks)
    for n in range(PAGE + 1):
        scope.writer.create(POSTS, {"id": f"benchpost{n:06d}", "title": f"post {n}", "score": n, "done": n % 2 == 0})
    # Through the writer and its file hooks, as a multipart create: the original lands in the files bucket.
    admin.create({"name": FILES, "type": "base", **OPEN_RULES, "fields": [
        {"name": "title", "type": "text"}, {"name": "file", "type": "file", "maxSelect": 1, "maxSize": 1 << 20}]})
    upload = UploadedFile.from_upload("notes.txt", FILE_BYTES)
    scope.writer.create(FILES, {"id": FILE_RECORD_ID, "title": "notes", "file": upload})
    scope.writer.create(VIEWS_COLLECTION_NAME, {
        "collection": posts.id, "name": "Contact", "type": "form", "slug": FORM_SLUG,
        "options": {"form": {"fields": [{"name": "title", "label": "Title", "required": True}],
                             "successMessage": "Thanks!"}}})
    store = _subscriptions()
    store.open(Connection(connection_id=OAUTH2_CLIENT, connected_at=0))
    store.set_source(OAUTH2_CLIENT, SOURCE_IP, "bench")
    rearm("oauth2_redirect")
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
                 superuser_token=token(SUPERUSERS_COLLECTION_NAME, admin_id), file_name=str(upload))


def _subscriptions() -> Any:
    from shared.composition import composition
    from shared.realtime.dynamo_subscriptions import get_subscription_store

    return get_subscription_store(composition().config.system_table)


def rearm(function: str) -> None:
    """Put back what a function's first event uses up, so that every sample does the same work: a redirect
    drops the `@oauth2` subscription it delivers to (a replay must reach no one)."""
    if function == "oauth2_redirect":
        from shared.realtime.subscriptions import Target
        from shared.realtime.topics import OAUTH2_TOPIC

        _subscriptions().subscribe(OAUTH2_CLIENT, [(OAUTH2_TOPIC, Target(channel=OAUTH2_TOPIC))])


def http(method: str, path: str, *, token: str | None = None, query: str = "", body: Any = None,
         function: str | None = None) -> dict[str, Any]:
    """An API Gateway HTTP API v2 event for one request, as the gateway would send it: the route it selects
    (routeKey, pathParameters) from the declared routes, the headers a client and the gateway add, a JSON body.
    With `function`, the route must reach that function (a bench event that lands elsewhere measures nothing)."""
    from local.events import http_event
    from local.routing import match

    host = "bench.execute-api.us-east-1.amazonaws.com"
    content = b"" if body is None else json.dumps(body).encode()
    headers = [("host", host), ("user-agent", "bench"), *([("authorization", token)] if token else []),
               *([("content-type", "application/json"), ("content-length", str(len(content)))] if content else [])]
    route = match(method, path)
    assert route is not None  # the $default route takes any request
    if function is not None and route.route.function != function:
        raise ValueError(f"{method} {path} reaches {route.route.function}, not {function}")
    return http_event(method=method, path=path, raw_query=query, headers=headers, body=content,
                      route_key=route.route_key, path_params=route.path_params,
                      source_ip=SOURCE_IP, host=host, scheme="https")


def record_event() -> dict[str, Any]:
    """A guest's read of one post: the records function's first event."""
    return http("GET", f"/api/collections/{POSTS}/records/{POST_ID}", function="records")


def http_events(world: World) -> dict[str, dict[str, Any]]:
    """A real route of every HTTP function, by function name: each answers 200 after doing its work."""
    superuser = world.superuser_token

    def as_superuser(function: str, path: str) -> dict[str, Any]:
        return http("GET", path, token=superuser, function=function)

    return {
        "health": http("GET", "/api/health", function="health"),
        "collections": as_superuser("collections", f"/api/collections/{POSTS}"),
        "records": record_event(),
        "auth": http("POST", "/api/collections/users/auth-refresh", token=world.user_token, function="auth"),
        # a catalog read, the create rule judged for a guest, a presigned POST and a sealed slot
        "uploads": http("POST", "/api/files/uploads", function="uploads",
                        body={"collection": FILES, "field": "file", "filename": "photo.jpg", "size": 1000}),
        # the view rule, then the original streamed from the files bucket
        "files": http("GET", f"/api/files/{FILES}/{FILE_RECORD_ID}/{world.file_name}", function="files"),
        # the settings item, its secrets masked
        "settings": as_superuser("settings", "/api/settings"),
        # the backups bucket listed (none yet)
        "backups": as_superuser("backups", "/api/backups"),
        # a page of the request logs table
        "logs": as_superuser("logs", "/api/logs"),
        # a page of the audit table
        "audit": as_superuser("audit", "/api/audit"),
        # the cron jobs, with the schedules the settings give them
        "crons": as_superuser("crons", "/api/crons"),
        # the webhooks function's list: a page of the delivery log
        "webhooks": as_superuser("webhooks", "/api/webhooks/deliveries"),
        # the published form found by its slug (an indexed read), its fields and a fill token
        "forms": http("GET", f"/api/forms/{FORM_SLUG}", function="forms"),
        # the waiting client found, its @oauth2 subscription dropped and the code posted to its connection,
        # then PocketBase's success page (200: PocketBase without its dashboard answers it so)
        "oauth2_redirect": http("GET", "/api/oauth2-redirect", query=f"state={OAUTH2_CLIENT}&code=bench-code",
                                function="oauth2_redirect"),
    }


def list_event() -> dict[str, Any]:
    """A guest's first page of PAGE posts."""
    return http("GET", f"/api/collections/{POSTS}/records", query=f"perPage={PAGE}")


def status_of(response: Any) -> int:
    """The HTTP status of a handler's response (API Gateway v2 shape)."""
    return int(response.get("statusCode", 0)) if isinstance(response, dict) else 0


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response.get("body") or "null")
