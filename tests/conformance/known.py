"""What Lambdabase answers differently from PocketBase today, one line each, shared by the scenario tables.

Each is used as a strict xfail reason: when a difference is fixed its scenarios pass, the xfail turns into a
failure, and the mark (and, once unused, the line here) is removed. /work/wt/conformance-diffs.md has the detail.
"""

# HTTP and routing
NOT_FOUND_TEXT = "unknown /api routes answer 'The requested resource wasn't found.', PocketBase 'File not found.'"
WRONG_METHOD = "a known path with the wrong method answers 405 Method Not Allowed, PocketBase 404"
TRAILING_SLASH = "a trailing slash answers a 307 redirect, PocketBase 404 'File not found.'"
BAD_JSON = (
    "malformed JSON answers 'Failed to load the submitted data due to invalid formatting.', PocketBase "
    "'Something went wrong while processing your request.'"
)
CONTENT_TYPE = (
    "an unsupported Content-Type answers the invalid-formatting message, PocketBase 'Unsupported "
    "Content-Type.'"
)
BAD_PARAM_DETAIL = (
    "bad page/perPage/filter/sort answer a detailed message and data, PocketBase the generic 400 with "
    "data {}"
)
HEALTH_SUPERUSER = "superuser health lacks data.canBackup/realIP/possibleProxyHeader"

# Collections
FIELD_SHAPE = "collection fields lack `help: \"\"`; onlyDomains/exceptDomains/thumbs default to null, not []"
AUTH_DEFAULTS = (
    "auth collection defaults differ (authToken 604800 not 432000, mfa 1800 not 600, verificationToken "
    "259200 not 86400) and fields lack `help`"
)
ONLY_SUPERUSERS_TEXT = (
    "non-superusers get 403 'Only superusers can perform this action.', PocketBase 'The authorized record "
    "is not allowed to perform this action.'"
)
VIEW_COLLECTIONS = "view collections are rejected (type must be a valid value)"
DUPLICATE_FIELDS_REJECTED = "duplicate field names are rejected, PocketBase accepts them (keeping the last)"
COLLECTION_LOAD_TEXT = (
    "an unloadable collection body answers 'Failed to load the collection data.', PocketBase 'Failed to "
    "load the submitted data due to invalid formatting.'"
)
REGEX_ERROR_TEXT = "an invalid field pattern has Python's regex error text, not Go's"
RULE_ERROR_TEXT = "an invalid rule's 'Raw error' text differs from PocketBase's parser/resolver text"
INDEX_MISSING_COLUMN = "an index on a missing column is accepted (200); PocketBase answers 400"
COLLECTION_FIELDS_PARAM = "?fields= is ignored on collection list/view"
SYSTEM_COLLECTIONS_HIDDEN = "system collections (_mfas, _otps, _externalAuths, _authOrigins) are not listed"
COLLECTION_SORT_UNKNOWN = "sort on an unknown collection field is ignored (200), PocketBase 400"
COLLECTION_FILTER_TEXT = (
    "a bad collection filter answers 'Invalid filter or sort parameter.' with data, PocketBase the "
    "generic 400"
)
TYPE_CHANGE_ERRORS = (
    "changing a collection's type answers only a type error, PocketBase also lists every missing auth "
    "option"
)
DELETE_REFERENCED_TEXT = "deleting a referenced collection has a different message"
DELETE_SYSTEM_TEXT = (
    "deleting a system collection answers 'Failed to delete collection due to existing dependency.' with "
    "data, PocketBase 'Failed to delete collection.' and data {}"
)
IMPORT_ERROR_SHAPE = (
    "an invalid import reports per-collection errors, PocketBase one "
    "validation_collections_import_failure"
)
IMPORT_EMPTY_TEXT = (
    "an empty import answers 'Failed to import collections.', PocketBase 'An error occurred while "
    "validating the submitted data.'"
)

# Records
DUPLICATE_ID_CODE = "a taken id answers validation_pk_invalid, PocketBase validation_not_unique 'Value must be unique.'"
HIDDEN_FILTER_DETAIL = "filter/sort on a hidden field answers a detailed 400, PocketBase the generic 400 with data {}"
DELETE_REFERENCED_500 = "deleting a record that other records reference (non-required relation) answers 500"
REQUIRED_REFERENCE_TEXT = (
    "deleting a record a required relation holds: 'The record cannot be deleted because it is part of a required "
    "reference in another record.', PocketBase 'Failed to delete record. Make sure that the record is not part of "
    "a required relation reference.'"
)
DANGLING_RELATIONS = "relations to a deleted record are kept, PocketBase removes the id from the referencing records"
NUMBER_BOUND_TEXT = (
    "number min/max errors say 'Must be less than 10.000000.' without params, PocketBase "
    "'Must be less or equal than 10.' with params.max"
)
DATE_THRESHOLD_FORMAT = "date min/max errors format params.threshold as '2020-01-01 00:00:00 +0000 UTC', not RFC 3339"

# Filter
BARE_MULTI_VALUE = (
    "a bare multi-value select/relation is compared item by item; PocketBase compares its stored JSON text "
    "(items need :each)"
)
JSON_NULL_NOT_EMPTY = "an unset json field does not match != \"\"; PocketBase matches it"
REQUEST_FILTER_GUEST = (
    "non-superusers may filter by @request.*; PocketBase answers 403 'Only superusers can filter by @request.'"
)
SINGLE_RELATION_LENGTH = "`rel:length` of an empty single relation is 1; PocketBase counts 0"
BLANK_FILTER = "a whitespace-only filter is accepted (200); PocketBase answers 400"

# Expand
EMPTY_EXPAND = "a record whose requested expand has nothing to show lacks `expand: {}`"
EXPAND_TOO_DEEP = "an expand deeper than 6 levels answers 400; PocketBase answers 200 (expanding at most 6 levels)"

# Batch
BATCH_ENABLED = "batch is enabled by default; PocketBase answers 403 'Batch requests are not allowed.'"

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
