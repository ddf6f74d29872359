"""The one definition of every AWS resource: read by the CDK stack and by the local stack on moto.

What functions reach at run time (tables, buckets, queues, secrets, keys, the bus) is defined in
`shared/runtime_resources.py`, which functions import alone; this module re-exports it, with the functions,
grants, routes and event sources that wire it together.
"""

from __future__ import annotations

from shared.files import keys

# The kinds of definition, re-exported: callers name every resource and its kind through this module.
from shared.function_defs import (  # noqa: F401
    SCHEDULED_TIME,
    Access,
    EventSourceDef,
    FunctionDef,
    LogSubscriptionDef,
    Permission,
    RouteDef,
    RuleDef,
    ScheduleDef,
)
from shared.resource_defs import (  # noqa: F401
    APP_PREFIX,
    DEFAULT_NAMING,
    INDEX_SLOTS,
    METRICS_NAMESPACE,
    RUNTIME_ENVIRONMENT,
    STAGE_PATTERN,
    BucketDef,
    BusDef,
    ExpiryDef,
    IndexDef,
    KeyDef,
    KeyNamed,
    Naming,
    QueueDef,
    SecretDef,
    TableDef,
)

# The HTTP API's routes, declared beside the functions they reach; re-exported like the kinds above.
from shared.resource_routes import ROUTES  # noqa: F401

# The resources functions reach, re-exported the same way.
from shared.runtime_resources import (  # noqa: F401
    AUDIT_TABLE,
    AUTH_EVENT_SOURCE,
    AUTH_SECRET,
    BACKED_UP_TABLES,
    BACKUPS_BUCKET,
    BUCKETS,
    BUSES,
    CRONS_QUEUE,
    DASHBOARD_BUCKET,
    DELIVERIES_FUNCTION_TIMEOUT_S,
    DELIVERIES_QUEUE,
    EVENT_BUS,
    EVENT_PAYLOADS_BUCKET,
    EVENTS_QUEUE,
    FILES_BUCKET,
    HTTP_FUNCTION_TIMEOUT_S,
    JOBS_FUNCTION_TIMEOUT_S,
    JOBS_QUEUE,
    KEYS,
    LOG_FAILURES_QUEUE,
    LOG_WRITER_FUNCTION,
    LOG_WRITER_TIMEOUT_S,
    LOGS_TABLE,
    OAUTH2_SECRETS_KEY,
    QUEUES,
    RECORD_EVENT_SOURCE,
    RECORDS_INDEX_PROJECTION,
    RECORDS_TABLE,
    REQUEST_LOG_MARKER,
    SCHEDULER_FUNCTION_TIMEOUT_S,
    SECRETS,
    SETTINGS_KEY,
    SYSTEM_EVENT_SOURCE,
    SYSTEM_TABLE,
    TABLES,
    TOTP_SECRETS_KEY,
    UNATTACHED_UPLOADS,
    UNDELIVERED_QUEUE,
    WEBHOOK_SECRETS_KEY,
)

# PocketBase checks its cron jobs every minute; so does this schedule, through the crons queue.
CRONS_SCHEDULE = ScheduleDef("crons", target_queue=CRONS_QUEUE.key,
                             message={"kind": "tick", "scheduledTime": SCHEDULED_TIME})
SCHEDULES: tuple[ScheduleDef, ...] = (CRONS_SCHEDULE,)

RULES: tuple[RuleDef, ...] = (
    RuleDef(
        key="record-events",
        bus=EVENT_BUS.key,
        # Every family of the catalogue (docs/events.md) reaches the deliveries consumer.
        event_pattern={"source": [RECORD_EVENT_SOURCE, AUTH_EVENT_SOURCE, SYSTEM_EVENT_SOURCE]},
        target_queue=EVENTS_QUEUE.key,
    ),
)

_records_rw = Permission("table", RECORDS_TABLE.key, "readwrite")
_records_r = Permission("table", RECORDS_TABLE.key, "read")
_system_rw = Permission("table", SYSTEM_TABLE.key, "readwrite")
_system_r = Permission("table", SYSTEM_TABLE.key, "read")
_secret = Permission("secret_read", AUTH_SECRET.key)

_data = (_records_rw, _system_rw, _secret)
_payloads_w = Permission("bucket", EVENT_PAYLOADS_BUCKET.key, "write", objects="events/*")
_payloads_r = Permission("bucket", EVENT_PAYLOADS_BUCKET.key, "read", objects="events/*")
_bus_put = Permission("bus_put", EVENT_BUS.key)
# Health tells superusers its diagnostics, so it verifies tokens: the signing key, the collections and sessions
# (system table) and the auth record (records table), all read-only; it writes nothing, not even rate counters.
_verify_tokens = (_records_r, _system_r, _secret)
_jobs_send = Permission("queue_send", JOBS_QUEUE.key)
_logs_rw = Permission("table", LOGS_TABLE.key, "readwrite")
# Reads the settings' secrets in clear (`backups.s3.secret` names where backups go); only settings encrypts.
_settings_secrets_r = Permission("kms", SETTINGS_KEY.key, "read")
_files_rw = Permission("bucket", FILES_BUCKET.key, "readwrite")
_backups_rw = Permission("bucket", BACKUPS_BUCKET.key, "readwrite")
# Serving reads any record file and writes thumbs only (`<collectionId>/<recordId>/thumbs_<filename>/...`).
_files_serve = (Permission("bucket", FILES_BUCKET.key, "read"),
                Permission("bucket", FILES_BUCKET.key, "write", objects="*/*/thumbs_*/*"))

_files_uploads_w = Permission("bucket", FILES_BUCKET.key, "write", objects=f"{keys.UPLOADS_PREFIX}*")

FUNCTIONS: tuple[FunctionDef, ...] = (
    # It also tells clients the WebSocket URL (`GET /api/realtime/websocket`): an env var, no grant.
    FunctionDef("health", "http", (*_verify_tokens, Permission("ws_url")),
                description="Health check; realtime WebSocket discovery"),
    # It seals OAuth2 client secrets as it stores them (encrypt only: it never reads one back).
    FunctionDef("collections", "http", (*_data, _jobs_send, Permission("kms", OAUTH2_SECRETS_KEY.key, "write")),
                description="Collections API (superusers); queues index backfills and large truncations"),
    # It stores the uploads of record writes and deletes the files they remove (shared/files/record_files.py).
    # A cleanup of files that fails after a commit is queued to the jobs function to be retried.
    # Creating a `_webhooks` record seals its new secret (encrypt only: it never reads one back).
    FunctionDef("records", "http", (*_data, _files_rw, _jobs_send, Permission("kms", WEBHOOK_SECRETS_KEY.key, "write")),
                description="Records API and batch, with file uploads"),
    # It checks an archive before queueing its restore, and reads the status item that serialises them.
    FunctionDef("backups", "http", (*_data, _jobs_send, _backups_rw, _settings_secrets_r),
                description="Backups API (superusers); creates and restores run as jobs"),
    # Verifies file tokens and evaluates view rules (records, system read-only; rate counters need system
    # writes); reads originals and writes thumbs, nothing else in the bucket.
    FunctionDef("files", "http", (*_data, *_files_serve),
                description="Serves record files and thumbs; file tokens"),
    # Issues direct upload slots: it presigns writes to the uploads/ staging prefix and drives their multipart
    # uploads, and may do nothing else in the bucket, so a presigned URL it signs can never reach a record's file.
    FunctionDef("uploads", "http", (*_data, _files_uploads_w),
                description="Direct upload slots: presigned S3 POSTs and multipart uploads under uploads/"),
    # It publishes auth events (docs/events.md); an auth body is small, so it never needs the payload store.
    # It seals TOTP secrets at enrolment and opens them to check codes (shared/accounts/totp/), decrypts an OAuth2
    # provider's client secret for the token request (decrypt only), and stores the avatar an OAuth2 sign-up
    # downloads into a file field (writes to the files bucket, as a records create does).
    FunctionDef("auth", "http", (*_data, Permission("mail_send"), _bus_put, Permission("kms", TOTP_SECRETS_KEY.key),
                                 Permission("kms", OAUTH2_SECRETS_KEY.key, "read"),
                                 Permission("bucket", FILES_BUCKET.key, "write")),
                description="Auth API of auth collections, the account emails it sends through SES, auth events"),
    # PocketBase's all-in-one OAuth2 callback: reads the waiting realtime client and drops its `@oauth2`
    # subscription (system table), and posts the code to that one connection (@connections); nothing else.
    FunctionDef("oauth2_redirect", "http", (_system_rw, Permission("ws_manage")),
                description="OAuth2 redirect: hands the provider's code to the realtime client that started the flow"),
    # The one function that encrypts the settings' secrets; backups and the jobs that run them only decrypt.
    FunctionDef("settings", "http", (*_data, Permission("mail_send"), Permission("kms", SETTINGS_KEY.key)),
                description="Settings API (superusers): runtime settings with encrypted secrets, test email and S3"),
    # Verifies tokens as HTTP does (signing key, auth records read-only) and evaluates channel rules; its writes are
    # connections and subscriptions in the system table.
    FunctionDef("realtime", "websocket", (_system_rw, _records_r, _secret, Permission("ws_manage")),
                description="WebSocket realtime"),
    FunctionDef(
        "changes",
        "stream",
        # The catalog (system table, read) names collections and fields for the envelopes and the audit log.
        (Permission("table_stream", RECORDS_TABLE.key), _records_rw, _bus_put, _system_r, _payloads_w,
         Permission("table", AUDIT_TABLE.key, "write")),
        timeout_s=60,
        description="Record change stream consumer: counters, the audit log and record events",
    ),
    # Reads the stream, the changed collections' rules and the records they name (records read-only), the
    # subscriptions and sessions (system); writes only what a 410 cleanup deletes and its retry ledger.
    FunctionDef(
        "realtime_fanout",
        "stream",
        (Permission("table_stream", RECORDS_TABLE.key), _records_r, _system_rw, Permission("ws_manage")),
        timeout_s=60,
        description="Record change stream consumer: fan-out of record changes to WebSocket subscribers",
    ),
    FunctionDef(
        "deliveries",
        "queue",
        # Reads the subscriptions and writes their failing/disabled marks (records), the secrets, log and
        # idempotency records (system); reads bodies sent by reference; queues attempts and dead letters;
        # publishes `webhook.disabled`.
        (Permission("queue_consume", EVENTS_QUEUE.key), Permission("queue_consume", DELIVERIES_QUEUE.key),
         Permission("queue_send", DELIVERIES_QUEUE.key), Permission("queue_send", UNDELIVERED_QUEUE.key),
         _records_rw, _system_rw, _payloads_r, _bus_put, Permission("kms", WEBHOOK_SECRETS_KEY.key, "read")),
        timeout_s=DELIVERIES_FUNCTION_TIMEOUT_S,
        description="Webhook deliveries: expands events into one message per subscription, then sends each",
    ),
    # The webhook actions (superusers): rotate a secret, send a test, redeliver, replay, read the log. Replaying
    # the dead letters receives and deletes them, so it consumes that queue too.
    FunctionDef("webhooks", "http", (*_data, Permission("queue_send", DELIVERIES_QUEUE.key),
                                     Permission("queue_send", UNDELIVERED_QUEUE.key),
                                     Permission("queue_consume", UNDELIVERED_QUEUE.key),
                                     Permission("kms", WEBHOOK_SECRETS_KEY.key)),
                description="Webhooks API (superusers): secret rotation, test events, redeliveries, log"),
    FunctionDef(
        "jobs",
        "queue",
        # It reads and rewrites records and claims, checkpoints in the system table, and queues its next chunk;
        # backups export and restore every table and the files bucket.
        (Permission("queue_consume", JOBS_QUEUE.key), _jobs_send, _records_rw, _system_rw, _logs_rw, _files_rw,
         _backups_rw, _settings_secrets_r),
        timeout_s=JOBS_FUNCTION_TIMEOUT_S,
        description="Background jobs: index backfills, truncations, backups and restores, one bounded step each",
    ),
    # Lists the cron jobs and queues run-now requests: it verifies tokens and reads the settings (system table,
    # read-only) and may only send to the crons queue; it runs no job itself, so it holds none of their grants.
    FunctionDef("crons", "http", (*_verify_tokens, Permission("queue_send", CRONS_QUEUE.key)),
                description="Crons API (superusers): list the cron jobs, queue a run now"),
    FunctionDef(
        "scheduler",
        "queue",
        # Claims in the system table (and the settings); the OTP and MFA cleanups delete records, the logs cleanup
        # deletes logs, the auto backup queues a backup job and deletes the oldest auto backups.
        (Permission("queue_consume", CRONS_QUEUE.key), _records_rw, _system_rw,
         _logs_rw, _jobs_send, Permission("bucket", BACKUPS_BUCKET.key, "readwrite"), _settings_secrets_r),
        timeout_s=SCHEDULER_FUNCTION_TIMEOUT_S,
        description="Runs the cron jobs due each minute, and those asked for by POST /api/crons/{id}, once each",
    ),
    # Reads the logs; its one write is the truncation mark of `DELETE /api/logs` (and the rate limiter's counters).
    FunctionDef("logs", "http", (_records_r, _system_rw, _secret, _logs_rw),
                description="Request logs API (superusers): list, view, stats, truncate"),
    # Reads the audit log and verifies superuser tokens; it writes nothing (no rate counters either): the log is
    # append-only, and only the changes function appends.
    FunctionDef("audit", "http", (*_verify_tokens, Permission("table", AUDIT_TABLE.key, "read")),
                description="Audit log API (superusers): list and view the entries of every record change"),
    # Public forms: reads the form views and writes their records as the records function does (uploads included,
    # the same hooks), counts submissions and rate limits (system table), verifies fill tokens with the signing
    # key, and reads the sealed captcha secrets of the settings (decrypt only). Its own function, not records':
    # the one unauthenticated write path holds no webhook-secret or jobs grant it never uses.
    FunctionDef("forms", "http", (*_data, _files_rw, _settings_secrets_r),
                description="Public forms: definitions, guest submissions with abuse controls, their metadata"),
    FunctionDef(
        LOG_WRITER_FUNCTION,
        "log_subscription",
        (Permission("table", LOGS_TABLE.key, "write"), Permission("queue_send", LOG_FAILURES_QUEUE.key)),
        timeout_s=LOG_WRITER_TIMEOUT_S,
        description="Stores the request log lines every HTTP function prints, delivered by log subscriptions",
    ),
)

# The CloudWatch Logs filter pattern that selects the request log lines (REQUEST_LOG_MARKER) and nothing else a
# function prints.
REQUEST_LOG_FILTER_PATTERN = '{ $.lbLog = "request" }'

EVENT_SOURCES: tuple[EventSourceDef, ...] = (
    EventSourceDef("changes", "table_stream", RECORDS_TABLE.key),
    # No batching window: a subscriber waits for a change. Ten changes a batch: one change may be a thousand
    # posts, so a batch stays seconds long, far inside the function's timeout.
    EventSourceDef("realtime_fanout", "table_stream", RECORDS_TABLE.key, batch_size=10, max_batching_window_s=0),
    EventSourceDef("deliveries", "queue", EVENTS_QUEUE.key, batch_size=10),
    EventSourceDef("deliveries", "queue", DELIVERIES_QUEUE.key, batch_size=10),
    # One message is one chunk of work, sized to a fraction of the timeout: never batch several.
    EventSourceDef("jobs", "queue", JOBS_QUEUE.key, batch_size=1),
    # One tick or run-now at a time: a slow job delays the next message, never shares its timeout.
    EventSourceDef("scheduler", "queue", CRONS_QUEUE.key, batch_size=1),
)

WEBSOCKET_FUNCTION = "realtime"
WEBSOCKET_STAGE = "ws"

# PocketBase's SSE protocol for unmodified clients: a function of its own behind a response-streaming function
# URL (run by the Lambda Web Adapter, infra/constructs/sse_bridge.py), not an HTTP API route, since API Gateway
# buffers whole responses. Not in FUNCTIONS: the Functions factory builds Mangum handlers behind aliases, and the
# bridge is a web server with its own switch (lb:sseBridge). It reads and writes realtime connections (system
# table), verifies tokens (signing key, auth records), reads the settings (trusted proxies) and is told the
# WebSocket URL it connects to (ws_url, no grant); nothing else.
SSE_BRIDGE_PATH = "/api/realtime"


class WebAdapterFunctionDef(FunctionDef, frozen=True):
    """A function whose handler is a script starting a web server, run by the Lambda Web Adapter's exec wrapper."""

    @property
    def handler(self) -> str:
        return f"functions/{self.name}/run.sh"


SSE_BRIDGE_FUNCTION = WebAdapterFunctionDef(
    "realtime_sse", "http", (_system_rw, _records_r, _secret, Permission("ws_url")),
    # One held stream per instance, billed memory x wall time: the least that holds the process's peak (86 MB
    # measured by tests/bench/realtime_sse.py) halves the cost of 256 MB, at the price of a slower cold start.
    memory_mb=128,
    # Lambda's maximum; the bridge ends each stream a minute before (functions/realtime_sse/settings.py).
    timeout_s=15 * 60,
    description="PocketBase's SSE realtime (GET/POST /api/realtime), bridged to the WebSocket API",
)
# Every function of a deployment with the default switches (lb:sseBridge on).
ALL_FUNCTIONS: tuple[FunctionDef, ...] = (*FUNCTIONS, SSE_BRIDGE_FUNCTION)


def function(name: str) -> FunctionDef:
    """Return the function definition with this name."""
    for fn in FUNCTIONS:
        if fn.name == name:
            return fn
    raise KeyError(name)


def table(key: str) -> TableDef:
    """Return the table definition with this key."""
    for t in TABLES:
        if t.key == key:
            return t
    raise KeyError(key)


def queue(key: str) -> QueueDef:
    """Return the queue definition with this key."""
    for q in QUEUES:
        if q.key == key:
            return q
    raise KeyError(key)


def log_subscriptions() -> tuple[LogSubscriptionDef, ...]:
    """One subscription per HTTP function, delivering its request log lines to the log writer; computed from
    FUNCTIONS when asked, so that every HTTP function declared anywhere above is subscribed."""
    return tuple(LogSubscriptionDef(fn.name, LOG_WRITER_FUNCTION, REQUEST_LOG_FILTER_PATTERN)
                 for fn in FUNCTIONS if fn.kind == "http")
