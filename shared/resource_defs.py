"""The kinds of AWS resource a function reaches (names, tables, buckets, queues, secrets, keys, the bus); the kinds
that wire functions to them (functions, routes, grants, event sources) are in `shared/function_defs.py`."""

from __future__ import annotations

import re

import msgspec

APP_PREFIX = "lambdabase"

# CloudWatch namespace of every function's Powertools metrics.
METRICS_NAMESPACE = "Lambdabase"
# Set on every function, beside its service name. pydantic looks for plugins at its first model by reading the
# entry points of every installed distribution (importlib.metadata over the whole layer): about 0.5% of a cold
# start's instructions, and file system calls on top; no function uses a pydantic plugin.
RUNTIME_ENVIRONMENT = {"PYDANTIC_DISABLE_PLUGINS": "__all__"}

# A stage name goes into every physical name, S3 bucket names (63 characters) included, so it stays short.
STAGE_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$")


class Naming(msgspec.Struct, frozen=True):
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


class IndexDef(msgspec.Struct, frozen=True):
    """A global secondary index with string keys; `projection` is DynamoDB's ProjectionType (ALL or KEYS_ONLY)."""

    name: str
    partition_key: str
    sort_key: str
    projection: str = "ALL"


class TableDef(msgspec.Struct, KeyNamed, frozen=True):
    """A DynamoDB table with string pk/sk keys."""

    key: str
    partition_key: str = "pk"
    sort_key: str = "sk"
    indexes: tuple[IndexDef, ...] = ()
    stream: bool = False
    ttl_attribute: str | None = None


class ExpiryDef(msgspec.Struct, frozen=True):
    """A lifecycle rule: objects under `prefix` expire `days` after they were written, and multipart uploads
    under it still incomplete after `abort_multipart_days` are aborted (S3's granularity is whole days)."""

    id: str
    prefix: str
    days: int
    abort_multipart_days: int = 1


class BucketDef(msgspec.Struct, KeyNamed, frozen=True):
    key: str
    expiries: tuple[ExpiryDef, ...] = ()
    # Browsers write to it directly (presigned POSTs and part PUTs): CORS for the API's own origins.
    browser_uploads: bool = False


class QueueDef(msgspec.Struct, KeyNamed, frozen=True):
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


class BusDef(msgspec.Struct, KeyNamed, frozen=True):
    key: str


class SecretDef(msgspec.Struct, KeyNamed, frozen=True):
    """A Secrets Manager secret holding a generated random value; functions get its ARN, never the value."""

    key: str
    description: str = ""
    length: int = 64


class KeyDef(msgspec.Struct, KeyNamed, frozen=True):
    """A symmetric KMS key (rotated yearly by KMS); functions granted `kms` on it get its ARN as LB_<KEY>_KEY."""

    key: str
    description: str = ""
