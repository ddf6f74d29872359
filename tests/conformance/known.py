"""What Lambdabase answers differently from PocketBase today, one line each, shared by the scenario tables.

Each is used as a strict xfail reason: when a difference is fixed its scenarios pass, the xfail turns into a
failure, and the mark (and, once unused, the line here) is removed. LB_CONFORMANCE_LOG=<file> logs both answers.
"""

# HTTP and routing
NOT_FOUND_TEXT = "unknown /api routes answer 'The requested resource wasn't found.', PocketBase 'File not found.'"
TRAILING_SLASH = "a trailing slash answers a 307 redirect, PocketBase 404 'File not found.'"
BAD_JSON = (
    "malformed JSON answers 'Failed to load the submitted data due to invalid formatting.', PocketBase "
    "'Something went wrong while processing your request.'"
)
BAD_PARAM_DETAIL = (
    "bad page/perPage/filter/sort answer a detailed message and data, PocketBase the generic 400 with "
    "data {}"
)
HEALTH_SUPERUSER = "superuser health lacks data.canBackup/realIP/possibleProxyHeader"

# Collections
AUTH_DEFAULTS = (
    "auth collection defaults differ (authToken 604800 not 432000, mfa 1800 not 600, verificationToken "
    "259200 not 86400) and fields lack `help`"
)
VIEW_COLLECTIONS = "view collections are rejected (type must be a valid value)"
REGEX_ERROR_TEXT = "an invalid field pattern has Python's regex error text, not Go's"
RULE_ERROR_TEXT = "an invalid rule's 'Raw error' text differs from PocketBase's parser/resolver text"
SYSTEM_COLLECTIONS_HIDDEN = "system collections (_mfas, _otps, _externalAuths, _authOrigins) are not listed"

# Records
HIDDEN_FILTER_DETAIL = "filter/sort on a hidden field answers a detailed 400, PocketBase the generic 400 with data {}"

# Filter
BARE_MULTI_VALUE = (
    "a bare multi-value select/relation is compared item by item; PocketBase compares its stored JSON text "
    "(items need :each)"
)
JSON_NULL_NOT_EMPTY = "an unset json field does not match != \"\"; PocketBase matches it"
BLANK_FILTER = "a whitespace-only filter is accepted (200); PocketBase answers 400"

# Expand

# Batch
BATCH_BAD_BODY = (
    "a disabled batch with a malformed JSON body answers the body's 400 (every function parses bodies first), "
    "PocketBase 403"
)

# Auth
SIGNIN_VALIDATION = (
    "a sign-in body missing identity/password (or a bad identityField) answers 400 'Failed to authenticate.', "
    "PocketBase the per-field validation errors"
)
AUTH_COLLECTION_CONTEXT = "a missing auth collection: 'Missing or invalid auth collection context.' (PB: no 'auth')"
SIGNIN_FIELDS_NESTED = "?fields=record.email on an auth response drops record.email"
REFRESH_OTHER_COLLECTION = (
    "auth-refresh with another collection's token says 'The authorized record is not allowed...', PocketBase "
    "'The request requires auth record from <collection> collection.'"
)
BAD_TOKEN_CLAIMS = "a malformed confirm token: validation_invalid_token, PocketBase validation_invalid_token_claims"
OTP_DISABLED = "request-otp with OTP disabled answers 404, PocketBase 403 'The collection is not configured...'"
AUTH_RULE_MESSAGE = (
    "a failed authRule answers 400 'The request doesn't satisfy the collection requirements to authenticate.', "
    "not the documented 'Failed to authenticate.', so it still reveals that the password was right"
)
