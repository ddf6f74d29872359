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
# The S3 check's raw error is the S3 client's own words (PocketBase's Go SDK, our botocore); the sentence before
# it, the status and the empty data are PocketBase's.
S3_TEST_RAW_ERROR = "Failed to test the S3 filesystem. Raw error: \nfailed to upload a test file: "
