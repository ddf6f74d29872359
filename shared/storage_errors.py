"""DynamoDB refusals that outlast boto3's own retries, answered as PocketBase's 503 (retry later), never a 500."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from shared.errors import ServiceUnavailableError

UNAVAILABLE_CODES = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException",
                               "RequestLimitExceeded", "InternalServerError", "ServiceUnavailable"})


@contextlib.contextmanager
def unavailable_as_503() -> Iterator[None]:
    """Turn a throttling or service-side refusal inside the block into a 503 with `Retry-After`; other errors
    pass through unchanged."""
    from botocore.exceptions import ClientError

    try:
        yield
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in UNAVAILABLE_CODES:
            raise ServiceUnavailableError(headers={"Retry-After": "1"}) from exc
        raise
