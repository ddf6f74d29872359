"""The kinds of AWS resource `shared/resources.py` defines: names, tables, queues, functions, routes, grants."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

APP_PREFIX = "lambdabase"

# CloudWatch namespace of every function's Powertools metrics.
METRICS_NAMESPACE = "Lambdabase"
# Set on every function, beside its service name. pydantic looks for plugins at its first model by reading the
# entry points of every installed distribution (importlib.metadata over the whole layer), a few per cent of a
# cold start; no function uses a pydantic plugin.
RUNTIME_ENVIRONMENT = {"PYDANTIC_DISABLE_PLUGINS": "__all__"}

# A stage name goes into every physical name, S3 bucket names (63 characters) included, so it stays short.
STAGE_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$")


@dataclass(frozen=True)
class Naming:
    """How physical names are formed, `<prefix>-<name>`: the one place a stage enters every resource name.

    The local stack and a stage-less deployment use `lambdabase-records`; `Naming("dev")` gives
    `lambdabase-dev-records`, so two stages live side by side in one account.
    """

    stage: str = ""

    def __post_init__(self) -> None:
        if self.stage and not STAGE_PATTERN.match(self.stage):
            raise ValueError(f"stage {self.stage!r} must be 1-12 lowercase letters, digits or inner hyphens")

    @property
    def prefix(self) -> str:
        return f"{APP_PREFIX}-{self.stage}" if self.stage else APP_PREFIX

    def name(self, *parts: str) -> str:
        """`Naming("dev").name("events", "dlq")` -> "lambdabase-dev-events-dlq"."""
        return "-".join((self.prefix, *parts))


# The local stack's names, and a deployment's when it has no stage.
DEFAULT_NAMING = Naming()


class KeyNamed:
    """A definition whose physical name is `<prefix>-<key>`: `physical_name` locally, `name_in(naming)` on AWS."""

    key: str

    @property
    def physical_name(self) -> str:
        return self.name_in(DEFAULT_NAMING)

    def name_in(self, naming: Naming) -> str:
        return naming.name(self.key)


# Number of overloaded GSI slots on the records table that serve declared collection indexes.
INDEX_SLOTS = 5


@dataclass(frozen=True)
class IndexDef:
    """A global secondary index with string keys; `projection` is DynamoDB's ProjectionType (ALL or KEYS_ONLY)."""

    name: str
    partition_key: str
    sort_key: str
    projection: str = "ALL"


@dataclass(frozen=True)
class TableDef(KeyNamed):
    """A DynamoDB table with string pk/sk keys."""

    key: str
    partition_key: str = "pk"
    sort_key: str = "sk"
    indexes: tuple[IndexDef, ...] = ()
    stream: bool = False
    ttl_attribute: str | None = None


@dataclass(frozen=True)
class ExpiryDef:
    """A lifecycle rule: objects under `prefix` expire `days` after they were written, and multipart uploads
    under it still incomplete after `abort_multipart_days` are aborted (S3's granularity is whole days)."""

    id: str
    prefix: str
    days: int
    abort_multipart_days: int = 1


@dataclass(frozen=True)
class BucketDef(KeyNamed):
    key: str
    expiries: tuple[ExpiryDef, ...] = ()
    # Browsers write to it directly (presigned POSTs and part PUTs): CORS for the API's own origins.
    browser_uploads: bool = False


@dataclass(frozen=True)
class QueueDef(KeyNamed):
    """An SQS queue; every queue gets a dead-letter queue after max_receive_count failed receives."""

    key: str
    visibility_timeout_s: int = 60
    max_receive_count: int = 5
    dlq_retention_days: int = 14

    @property
    def dlq_physical_name(self) -> str:
        return self.dlq_name_in(DEFAULT_NAMING)

    def dlq_name_in(self, naming: Naming) -> str:
        return naming.name(self.key, "dlq")


@dataclass(frozen=True)
class BusDef(KeyNamed):
    key: str


@dataclass(frozen=True)
class RuleDef(KeyNamed):
    """An EventBridge rule on a bus that forwards matching events to a queue."""

    key: str
    bus: str
    event_pattern: dict[str, object]
    target_queue: str


# Filled in by EventBridge Scheduler with the minute a schedule fires for, `2026-12-01T13:05:00Z`.
SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"


@dataclass(frozen=True)
class ScheduleDef(KeyNamed):
    """An EventBridge Scheduler schedule firing at second 0 of every `every_minutes`-th minute (UTC), sending
    `message` as JSON to a queue; SCHEDULED_TIME in a value becomes the time it fired for."""

    key: str
    target_queue: str
    message: dict[str, str]
    every_minutes: int = 1

    @property
    def target_queue_physical_name(self) -> str:
        return DEFAULT_NAMING.name(self.target_queue)

    @property
    def expression(self) -> str:
        """The schedule in EventBridge Scheduler's syntax: a cron, so it fires on the minute as PocketBase's."""
        minutes = "*" if self.every_minutes == 1 else f"0/{self.every_minutes}"
        return f"cron({minutes} * * * ? *)"


@dataclass(frozen=True)
class SecretDef(KeyNamed):
    """A Secrets Manager secret holding a generated random value; functions get its ARN, never the value."""

    key: str
    description: str = ""
    length: int = 64


@dataclass(frozen=True)
class KeyDef(KeyNamed):
    """A symmetric KMS key (rotated yearly by KMS); functions granted `kms` on it get its ARN as LB_<KEY>_KEY."""

    key: str
    description: str = ""


Access = Literal["read", "write", "readwrite"]


@dataclass(frozen=True)
class Permission:
    """What a function may do to one resource; the CDK stack turns these into least-privilege grants."""

    kind: Literal["table", "table_stream", "bucket", "queue_send", "queue_consume", "bus_put", "ws_manage",
                  "ws_url", "mail_send", "secret_read", "kms"]
    resource: str = ""
    access: Access = "readwrite"
    # Buckets only: the object keys the grant covers, an IAM pattern (a prefix kind of shared/files/keys.py).
    objects: str = "*"


@dataclass(frozen=True)
class RouteDef:
    """An API Gateway HTTP API route. `{proxy+}` is greedy, as on API Gateway."""

    method: str
    path: str
    function: str


@dataclass(frozen=True)
class EventSourceDef:
    """A Lambda event source mapping: a table stream or a queue feeding a consumer function."""

    function: str
    kind: Literal["table_stream", "queue"]
    source: str
    batch_size: int = 100
    max_batching_window_s: int = 1
    # Powertools batch processing reports partial failures, so only failed records are retried.
    report_batch_item_failures: bool = True
    # Table streams only: a failing batch is split and retried this often, then its position goes to a
    # failure queue, so one poison record never blocks its shard.
    retry_attempts: int = 3
    # Table streams only: a batch whose invocation fails is split in two before each half is retried, until
    # the poison record is alone (a split is not a retry); records older than this go to the failure queue
    # unprocessed (None: Lambda's default, no limit).
    bisect_batch_on_function_error: bool = True
    max_record_age_s: int | None = None
    failure_retention_days: int = 14

    @property
    def failure_queue_physical_name(self) -> str:
        return self.failure_queue_name_in(DEFAULT_NAMING)

    def failure_queue_name_in(self, naming: Naming) -> str:
        """Queue receiving the position of stream batches that still fail after every retry."""
        return naming.name(self.function, self.source, "stream-failures")


@dataclass(frozen=True)
class LogSubscriptionDef:
    """A CloudWatch Logs subscription filter: lines of one function's log group that match `filter_pattern`
    are delivered in batches (`{"awslogs": {"data": base64(gzip(json))}}`) to `destination`, invoked
    asynchronously; what still fails after `retry_attempts` goes to the destination's failure queue."""

    source_function: str
    destination: str
    filter_pattern: str
    retry_attempts: int = 2

    @property
    def filter_name(self) -> str:
        return f"{self.source_function}-to-{self.destination}"


@dataclass(frozen=True)
class FunctionDef:
    """A Lambda function: its handler module under functions/, its trigger kind and its grants."""

    name: str
    kind: Literal["http", "websocket", "stream", "queue", "log_subscription"]
    permissions: tuple[Permission, ...] = ()
    memory_mb: int = 512
    timeout_s: int = 29
    description: str = ""

    @property
    def module(self) -> str:
        return f"functions.{self.name}.handler"

    @property
    def handler(self) -> str:
        return f"{self.module}.handler"

    @property
    def physical_name(self) -> str:
        return self.name_in(DEFAULT_NAMING)

    def name_in(self, naming: Naming) -> str:
        return naming.name(self.name)
