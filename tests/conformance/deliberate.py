"""Lambdabase's documented answers where it deliberately says more than PocketBase (docs/compatibility.md).

Each is a `Case(deliberate=...)`: status and the {status, message, data} shape are compared with PocketBase's,
and Lambdabase's message must start with the text here (a detail sentence may follow).
"""

# PocketBase: "Something went wrong while processing your request." (records), "Failed to load the collection
# type data due to invalid formatting." (collections); ours says where the JSON broke.
BAD_JSON = "Failed to load the submitted data due to invalid formatting."
# PocketBase: the generic 400 with data {}; ours names the parameter in data, with what is wrong.
INVALID_FILTER = "Invalid filter parameters."
INVALID_PAGE = "Invalid page parameter."
INVALID_PER_PAGE = "Invalid perPage parameter."
# Same message, field and code as PocketBase; only the parser's or regex engine's own words in data differ.
COLLECTION_CREATE_FAILED = "Failed to create collection."
COLLECTION_UPDATE_FAILED = "Failed to update collection."
# PocketBase's `__pbDBOptimize__` runs SQLite's VACUUM and ANALYZE every midnight; DynamoDB has nothing to
# optimize, so Lambdabase does not have that job: it is missing from GET /api/crons, and running it is a 404.
DB_OPTIMIZE_JOB = "__pbDBOptimize__"
# PocketBase adds `__pbRateLimitersCleanup__` (`2 * * * *`) while rate limits are enabled, to drop its in-memory
# limiters' old windows; Lambdabase's windows are DynamoDB items that expire by TTL and are ignored once past,
# so there is nothing for a job to clean: it is never listed.
RATE_LIMITERS_CLEANUP_JOB = "__pbRateLimitersCleanup__"
# The jobs PocketBase may list that Lambdabase never has.
JOBS_NOT_HERE = frozenset({DB_OPTIMIZE_JOB, RATE_LIMITERS_CLEANUP_JOB})
# Request logs (docs/compatibility.md): a query reading more than 20,000 logs answers this 400 (or totals -1).
LOGS_READ_BUDGET = "The logs query would read more than"
# PocketBase quotes the missing file's path on its disk in a raw error; ours names the key in the bucket.
BACKUP_DELETE_MISSING = "Invalid or already deleted backup file."
# Same message, field and code as PocketBase; its text quotes the upload's stored name, which is random.
BACKUP_UPLOAD_INVALID = "An error occurred while validating the submitted data."
# The S3 check's raw error is the S3 client's own words (PocketBase's Go SDK, our botocore); the sentence before
# it, the status and the empty data are PocketBase's.
S3_TEST_RAW_ERROR = "Failed to test the S3 filesystem. Raw error: \nfailed to upload a test file: "
# API Gateway (and the local gateway) append the address they saw to X-Forwarded-For: trusted rightmost, that is
# the realIP, where PocketBase reached directly takes the address the client wrote (docs/compatibility.md).
GATEWAY_HOP_IP = "127.0.0.1"
# PocketBase's POST /api/realtime takes any subscription string (204) and never sends on an unknown one; the SSE
# bridge checks its strings as the WebSocket `set` command does, so an unknown collection is this 404.
SSE_UNKNOWN_COLLECTION = "Missing collection context."
# Lambdabase's webhook subscriptions are a system collection PocketBase does not have (docs/compatibility.md): the
# collection lists compared with PocketBase's leave it out (the settings' `webhooks` is in DOCUMENTED_EXTRAS).
WEBHOOKS_COLLECTION = "_webhooks"
# Lambdabase's roles (docs/rules.md) are a system collection PocketBase does not have either: left out alike.
ROLES_COLLECTION = "_roles"
# Lambdabase's saved views (docs/api-views.md) are a system collection PocketBase does not have either.
VIEWS_COLLECTION = "_views"
