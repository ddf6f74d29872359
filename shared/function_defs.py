"""The kinds of definition that wire functions to resources: functions, grants, routes, event sources, log
subscriptions, rules and schedules. Read by the CDK stack, the local stack and the tooling (through
`shared/resources.py`); no function imports them at run time."""

from __future__ import annotations

from typing import Literal

import msgspec

from shared.resource_defs import DEFAULT_NAMING, KeyNamed, Naming
from shared.runtime_resources import HTTP_FUNCTION_TIMEOUT_S


class RuleDef(msgspec.Struct, KeyNamed, frozen=True):
    """An EventBridge rule on a bus that forwards matching events to a queue."""

    key: str
    bus: str
    event_pattern: dict[str, object]
    target_queue: str


# Filled in by EventBridge Scheduler with the minute a schedule fires for, `2026-12-01T13:05:00Z`.
SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"


class ScheduleDef(msgspec.Struct, KeyNamed, frozen=True):
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


Access = Literal["read", "write", "readwrite"]


class Permission(msgspec.Struct, frozen=True):
    """What a function may do to one resource; the CDK stack turns these into least-privilege grants."""

    kind: Literal["table", "table_stream", "bucket", "queue_send", "queue_consume", "bus_put", "ws_manage",
                  "ws_url", "mail_send", "secret_read", "kms"]
    resource: str = ""
    access: Access = "readwrite"
    # Buckets only: the object keys the grant covers, an IAM pattern (a prefix kind of shared/files/keys.py).
    objects: str = "*"


class RouteDef(msgspec.Struct, frozen=True):
    """An API Gateway HTTP API route. `{proxy+}` is greedy, as on API Gateway."""

    method: str
    path: str
    function: str


class EventSourceDef(msgspec.Struct, frozen=True):
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


class LogSubscriptionDef(msgspec.Struct, frozen=True):
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


class FunctionDef(msgspec.Struct, frozen=True):
    """A Lambda function: its handler module under functions/, its trigger kind and its grants."""

    name: str
    kind: Literal["http", "websocket", "stream", "queue", "log_subscription"]
    permissions: tuple[Permission, ...] = ()
    memory_mb: int = 512
    timeout_s: int = HTTP_FUNCTION_TIMEOUT_S
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
