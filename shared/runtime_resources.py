"""The resources a function reaches at run time (tables, buckets, queues, secrets, keys, the bus), defined once.

`shared/resources.py` re-exports them with the functions, routes, grants and event sources that wire them
together, which only the CDK stack, the local stack and the tooling read: a function's init imports this module
alone, not the definitions of every function, route and grant.
"""

from __future__ import annotations

from shared.files import keys
from shared.resource_defs import (
    INDEX_SLOTS,
    BucketDef,
    BusDef,
    ExpiryDef,
    IndexDef,
    KeyDef,
    QueueDef,
    SecretDef,
    TableDef,
)

# API Gateway's integration timeout, and so every HTTP function's.
HTTP_FUNCTION_TIMEOUT_S = 29

# Keys only: an update that keeps a record's index keys then writes no GSI at all (ALL rewrote every GSI the
# record sits in), at the price of a BatchGetItem per indexed page (docs/data-model.md, "GSI projection").
RECORDS_INDEX_PROJECTION = "KEYS_ONLY"
RECORDS_TABLE = TableDef(
    key="records",
    indexes=tuple(IndexDef(f"gsi{i}", f"gsi{i}pk", f"gsi{i}sk", RECORDS_INDEX_PROJECTION)
                  for i in range(1, INDEX_SLOTS + 1)),
    stream=True,
)
SYSTEM_TABLE = TableDef(
    key="system",
    indexes=(IndexDef("gsi1", "gsi1pk", "gsi1sk"),),
    ttl_attribute="ttl",
)
# Request logs, one partition per day and write shard, expired by TTL after logs.maxDays (docs/data-model.md).
LOGS_TABLE = TableDef(key="logs", ttl_attribute="ttl")
# The audit log, appended from the records stream by the changes function: month partitions of 4 write shards
# in time order, and each record's history on gsi1 in stream order; expired by TTL (docs/data-model.md). Keys
# only: an entry is written far more often than a history is read, and ALL would write each entry twice.
AUDIT_TABLE = TableDef(key="audit", indexes=(IndexDef("gsi1", "gsi1pk", "gsi1sk", "KEYS_ONLY"),),
                       ttl_attribute="ttl")
TABLES: tuple[TableDef, ...] = (RECORDS_TABLE, SYSTEM_TABLE, LOGS_TABLE, AUDIT_TABLE)
# What a backup archives and a restore replaces: not the audit log, which is append-only (a restore must not
# rewrite history) and whose entries outlive the data they describe.
BACKED_UP_TABLES: tuple[TableDef, ...] = (RECORDS_TABLE, SYSTEM_TABLE, LOGS_TABLE)

# A direct upload slot is attachable for hours (shared/files/direct_uploads.py); what is never attached, and
# multipart uploads never completed, are swept a day later (the local stack sweeps the same, local/lifecycle.py).
UNATTACHED_UPLOADS = ExpiryDef("unattached-uploads", keys.UPLOADS_PREFIX, days=1, abort_multipart_days=1)
FILES_BUCKET = BucketDef("files", expiries=(UNATTACHED_UPLOADS,), browser_uploads=True)
# Backup archives (PocketBase's pb_data/backups); `backups.s3` settings, when enabled, name another bucket.
BACKUPS_BUCKET = BucketDef("backups")
# Event bodies over INLINE_BODY_MAX (shared/events/envelope.py), read by the deliveries function; kept 14 days,
# longer than the webhook retry schedule (about 28 hours) with room for replays.
EVENT_PAYLOADS_BUCKET = BucketDef("payloads", expiries=(ExpiryDef("event-payloads", "events/", days=14),))
# The admin dashboard's built files (ui/dist) under `_/`, served by CloudFront at /_/ (infra/constructs/dashboard.py);
# locally the gateway serves ui/dist itself and the bucket stays empty. No function reads it.
DASHBOARD_BUCKET = BucketDef("dashboard")
BUCKETS: tuple[BucketDef, ...] = (FILES_BUCKET, BACKUPS_BUCKET, EVENT_PAYLOADS_BUCKET, DASHBOARD_BUCKET)

# As AWS advises for SQS event sources, every queue's visibility timeout is at least six times its consumer's
# timeout, so a message is not redelivered while a slow invocation (and its retries) still handles it.
# Room for a batch of webhook attempts: 10 messages, at most `webhooks.concurrencyPerEndpoint` (4) at once to one
# endpoint, each at most the 10 s timeout: three waves, 30 s.
DELIVERIES_FUNCTION_TIMEOUT_S = 60
EVENTS_QUEUE = QueueDef("events", visibility_timeout_s=6 * DELIVERIES_FUNCTION_TIMEOUT_S)
# Webhooks: the events queue's messages expand into one message per (event, subscription) here, so each
# delivery retries alone; its retries come back here, delayed (docs/api-webhooks.md).
DELIVERIES_QUEUE = QueueDef("deliveries", visibility_timeout_s=6 * DELIVERIES_FUNCTION_TIMEOUT_S)
# Deliveries that used every attempt or cannot succeed (4xx, refused target): kept for inspection and replay
# (`POST /api/webhooks/undelivered/replay`); nothing consumes them by itself.
UNDELIVERED_QUEUE = QueueDef("undelivered", visibility_timeout_s=60)
# Background jobs (index backfills, large truncations): one bounded chunk per message, well under the jobs
# function's timeout.
JOBS_FUNCTION_TIMEOUT_S = 60
JOBS_QUEUE = QueueDef("jobs", visibility_timeout_s=6 * JOBS_FUNCTION_TIMEOUT_S, max_receive_count=5)
# Crons: the schedule's minute ticks and superusers' run-now requests, one message a run of the scheduler.
SCHEDULER_FUNCTION_TIMEOUT_S = 300
CRONS_QUEUE = QueueDef("crons", visibility_timeout_s=6 * SCHEDULER_FUNCTION_TIMEOUT_S, max_receive_count=3)

# Request log batches the log writer still failed to store after its retries (CloudWatch Logs invokes it
# asynchronously): kept for inspection and replay rather than dropped.
LOG_WRITER_FUNCTION = "logwriter"
LOG_WRITER_TIMEOUT_S = 30
LOG_FAILURES_QUEUE = QueueDef("log-failures", visibility_timeout_s=6 * LOG_WRITER_TIMEOUT_S)
QUEUES: tuple[QueueDef, ...] = (EVENTS_QUEUE, JOBS_QUEUE, CRONS_QUEUE, LOG_FAILURES_QUEUE, DELIVERIES_QUEUE,
                                UNDELIVERED_QUEUE)

AUTH_SECRET = SecretDef("auth", description="Signing key of Lambdabase auth tokens")
SECRETS: tuple[SecretDef, ...] = (AUTH_SECRET,)

# Encrypts the secrets inside the app settings (SMTP password, S3 secrets) at rest: shared/app_settings/secrets.py.
SETTINGS_KEY = KeyDef("settings", description="Encrypts the secret values of Lambdabase's app settings")
# Webhook signing secrets must be read back to sign, so they cannot be hashed: they are sealed with this key.
WEBHOOK_SECRETS_KEY = KeyDef("webhooks", description="Encrypts the signing secrets of webhook subscriptions")
# TOTP secrets must be read back to check codes, so they cannot be hashed: sealed with a key of their own, which
# only the auth function holds (neither the settings' nor the webhooks' key: each function gets only its secrets).
TOTP_SECRETS_KEY = KeyDef("totp", description="Encrypts the TOTP secrets of auth records")
# OAuth2 providers' client secrets must be sent to the provider, so they are sealed too (collections/oauth2_secrets.py).
OAUTH2_SECRETS_KEY = KeyDef("oauth2", description="Encrypts the client secrets of OAuth2 providers")
KEYS: tuple[KeyDef, ...] = (SETTINGS_KEY, WEBHOOK_SECRETS_KEY, TOTP_SECRETS_KEY, OAUTH2_SECRETS_KEY)

EVENT_BUS = BusDef("events")
BUSES: tuple[BusDef, ...] = (EVENT_BUS,)

RECORD_EVENT_SOURCE = "lambdabase.records"
AUTH_EVENT_SOURCE = "lambdabase.auth"
SYSTEM_EVENT_SOURCE = "lambdabase.system"

# The key and value that mark a request log line on a function's log stream (shared/logs/emitter.py).
REQUEST_LOG_MARKER = ("lbLog", "request")
