"""Turns each declared `Permission` into least-privilege IAM statements and the env vars that name the resource."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from aws_cdk import Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from shared import resources
from shared.settings import env_name

TABLE_READ_ACTIONS = ("dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
                      "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan")
# ConditionCheckItem also backs the condition checks inside TransactWriteItems.
TABLE_WRITE_ACTIONS = ("dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem",
                       "dynamodb:PutItem", "dynamodb:UpdateItem")
INDEX_READ_ACTIONS = ("dynamodb:Query", "dynamodb:Scan")
STREAM_READ_ACTIONS = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")
BUCKET_READ_ACTIONS = ("s3:GetObject",)
BUCKET_LIST_ACTIONS = ("s3:ListBucket",)
BUCKET_WRITE_ACTIONS = ("s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject")
QUEUE_SEND_ACTIONS = ("sqs:GetQueueAttributes", "sqs:SendMessage")
QUEUE_CONSUME_ACTIONS = ("sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                         "sqs:ReceiveMessage")
BUS_PUT_ACTIONS = ("events:PutEvents",)
SECRET_READ_ACTIONS = ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue")
WS_MANAGE_ACTIONS = ("execute-api:ManageConnections",)
MAIL_SEND_ACTIONS = ("ses:SendEmail", "ses:SendRawEmail")
# Direct Encrypt/Decrypt of small secrets (shared/app_settings/secrets.py): no data keys, so no GenerateDataKey.
KMS_ACTIONS = {"read": ("kms:Decrypt",), "write": ("kms:Encrypt",), "readwrite": ("kms:Decrypt", "kms:Encrypt")}

# The realtime settings read this; on the local stack it points at the local gateway instead.
WS_MANAGEMENT_ENDPOINT_ENV = env_name("management_endpoint", "ws")
# The WebSocket stage's URL that `GET /api/realtime/websocket` tells clients (functions/health/realtime_url.py).
WS_URL_ENV = "LB_WS_URL"

T = TypeVar("T")


@dataclass(frozen=True)
class Grant:
    """Allowed actions on resources; a wildcard resource carries the reason cdk-nag is shown for it."""

    actions: tuple[str, ...]
    resources: tuple[str, ...]
    wildcard_reason: str | None = None


@dataclass(frozen=True)
class WebSocketTarget:
    """What `ws_manage` needs from the WebSocket API: its id, stage and @connections endpoint."""

    api_id: str
    stage_name: str
    management_endpoint: str
    url: str = ""


@dataclass
class ResourceCatalog:
    """The deployed resources by their keys in shared/resources.py; permissions are resolved against it."""

    tables: Mapping[str, dynamodb.Table] = field(default_factory=dict)
    buckets: Mapping[str, s3.Bucket] = field(default_factory=dict)
    queues: Mapping[str, sqs.Queue] = field(default_factory=dict)
    buses: Mapping[str, events.EventBus] = field(default_factory=dict)
    secrets: Mapping[str, secretsmanager.Secret] = field(default_factory=dict)
    keys: Mapping[str, kms.Key] = field(default_factory=dict)
    websocket: WebSocketTarget | None = None


@dataclass(frozen=True)
class ResolvedPermission:
    grants: tuple[Grant, ...]
    environment: Mapping[str, str]


def resolve(permission: resources.Permission, catalog: ResourceCatalog, scope: Construct) -> ResolvedPermission:
    """IAM grants and env vars for one declared permission; unknown resources fail synth with a clear error."""
    try:
        resolver = _RESOLVERS[permission.kind]
    except KeyError:
        raise ValueError(f"no IAM mapping for permission kind {permission.kind!r}") from None
    return resolver(permission, catalog, scope)


def _lookup(kind: str, key: str, available: Mapping[str, T]) -> T:
    if key not in available:
        raise KeyError(f"permission on undeclared {kind} {key!r}; declared: {sorted(available)}")
    return available[key]


def _reads(access: resources.Access) -> bool:
    return access in ("read", "readwrite")


def _writes(access: resources.Access) -> bool:
    return access in ("write", "readwrite")


def _table(permission: resources.Permission, catalog: ResourceCatalog, scope: Construct) -> ResolvedPermission:
    table = _lookup("table", permission.resource, catalog.tables)
    definition = resources.table(permission.resource)
    grants = []
    if _reads(permission.access):
        grants.append(Grant(TABLE_READ_ACTIONS, (table.table_arn,)))
        # One ARN per declared index rather than index/*: a new index is granted only once it is declared.
        if definition.indexes:
            grants.append(Grant(INDEX_READ_ACTIONS,
                                tuple(f"{table.table_arn}/index/{index.name}" for index in definition.indexes)))
    if _writes(permission.access):
        grants.append(Grant(TABLE_WRITE_ACTIONS, (table.table_arn,)))
    return ResolvedPermission(tuple(grants), {env_name("table", permission.resource): table.table_name})


def _table_stream(permission: resources.Permission, catalog: ResourceCatalog,
                  scope: Construct) -> ResolvedPermission:
    table = _lookup("table", permission.resource, catalog.tables)
    if table.table_stream_arn is None:
        raise ValueError(f"table_stream permission on table {permission.resource!r}, which has stream=False")
    grants = (
        Grant(STREAM_READ_ACTIONS, (table.table_stream_arn,)),
        Grant(("dynamodb:ListStreams",), (f"{table.table_arn}/stream/*",),
              wildcard_reason="Lambda's stream poller lists this table's streams, whose ARNs end in a creation "
                              "timestamp only known after deploy; the grant covers this one table's streams."),
    )
    return ResolvedPermission(grants, {env_name("table", permission.resource): table.table_name})


def _bucket(permission: resources.Permission, catalog: ResourceCatalog, scope: Construct) -> ResolvedPermission:
    bucket = _lookup("bucket", permission.resource, catalog.buckets)
    objects = bucket.arn_for_objects(permission.objects)
    reason = "Object keys are record-derived and created at runtime; the grant covers only this bucket's objects."
    grants = []
    if _reads(permission.access):
        grants += [Grant(BUCKET_READ_ACTIONS, (objects,), reason), Grant(BUCKET_LIST_ACTIONS, (bucket.bucket_arn,))]
    if _writes(permission.access):
        grants.append(Grant(BUCKET_WRITE_ACTIONS, (objects,), reason))
    return ResolvedPermission(tuple(grants), {env_name("bucket", permission.resource): bucket.bucket_name})


def _queue_send(permission: resources.Permission, catalog: ResourceCatalog,
                scope: Construct) -> ResolvedPermission:
    queue = _lookup("queue", permission.resource, catalog.queues)
    return ResolvedPermission((Grant(QUEUE_SEND_ACTIONS, (queue.queue_arn,)),),
                              {env_name("queue", permission.resource): queue.queue_url})


def _queue_consume(permission: resources.Permission, catalog: ResourceCatalog,
                   scope: Construct) -> ResolvedPermission:
    queue = _lookup("queue", permission.resource, catalog.queues)
    # The event source mapping does the receiving; the function itself never needs the queue's URL.
    return ResolvedPermission((Grant(QUEUE_CONSUME_ACTIONS, (queue.queue_arn,)),), {})


def _bus_put(permission: resources.Permission, catalog: ResourceCatalog, scope: Construct) -> ResolvedPermission:
    bus = _lookup("bus", permission.resource, catalog.buses)
    return ResolvedPermission((Grant(BUS_PUT_ACTIONS, (bus.event_bus_arn,)),),
                              {env_name("bus", permission.resource): bus.event_bus_name})


def _secret_read(permission: resources.Permission, catalog: ResourceCatalog,
                 scope: Construct) -> ResolvedPermission:
    secret = _lookup("secret", permission.resource, catalog.secrets)
    return ResolvedPermission((Grant(SECRET_READ_ACTIONS, (secret.secret_arn,)),),
                              {env_name("secret_arn", permission.resource): secret.secret_arn})


def _ws_manage(permission: resources.Permission, catalog: ResourceCatalog, scope: Construct) -> ResolvedPermission:
    if catalog.websocket is None:
        raise ValueError("ws_manage permission but the stack has no WebSocket API")
    ws = catalog.websocket
    connections = Stack.of(scope).format_arn(service="execute-api", resource=ws.api_id,
                                             resource_name=f"{ws.stage_name}/*/@connections/*")
    grant = Grant(WS_MANAGE_ACTIONS, (connections,),
                  wildcard_reason="Connection ids exist only at runtime; the grant covers the @connections "
                                  "(post, get, delete) of this one WebSocket API stage.")
    return ResolvedPermission((grant,), {WS_MANAGEMENT_ENDPOINT_ENV: ws.management_endpoint})


def _ws_url(permission: resources.Permission, catalog: ResourceCatalog, scope: Construct) -> ResolvedPermission:
    """No grant: only the wss:// URL clients connect to, for the discovery route."""
    if catalog.websocket is None:
        raise ValueError("ws_url permission but the stack has no WebSocket API")
    return ResolvedPermission((), {WS_URL_ENV: catalog.websocket.url})


def _mail_send(permission: resources.Permission, catalog: ResourceCatalog, scope: Construct) -> ResolvedPermission:
    identities = Stack.of(scope).format_arn(service="ses", resource="identity", resource_name="*")
    grant = Grant(MAIL_SEND_ACTIONS, (identities,),
                  wildcard_reason="Sender domains and addresses are verified in SES by the operator after deploy; "
                                  "the grant is limited to SES identities of this account and region.")
    return ResolvedPermission((grant,), {})


def _kms(permission: resources.Permission, catalog: ResourceCatalog, scope: Construct) -> ResolvedPermission:
    key = _lookup("key", permission.resource, catalog.keys)
    return ResolvedPermission((Grant(KMS_ACTIONS[permission.access], (key.key_arn,)),),
                              {env_name("key", permission.resource): key.key_arn})


_Resolver = Callable[[resources.Permission, ResourceCatalog, Construct], ResolvedPermission]
_RESOLVERS: dict[str, _Resolver] = {
    "table": _table,
    "table_stream": _table_stream,
    "bucket": _bucket,
    "queue_send": _queue_send,
    "queue_consume": _queue_consume,
    "bus_put": _bus_put,
    "secret_read": _secret_read,
    "ws_manage": _ws_manage,
    "ws_url": _ws_url,
    "mail_send": _mail_send,
    "kms": _kms,
}
