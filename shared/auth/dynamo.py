"""Small DynamoDB helpers shared by the auth repositories: the client, item conversion and mapping failures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from shared import aws
from shared.auth.errors import AuthStorageError
from shared.dynamo_values import from_item, to_item
from shared.observability import logger


def dynamodb() -> Any:
    """The shared low-level client, created on first use."""
    return aws.client("dynamodb")


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_condition_failure(exc: ClientError) -> bool:
    """True for a failed ConditionExpression, alone or inside a cancelled transaction."""
    code = error_code(exc)
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = exc.response.get("CancellationReasons") or []
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons) or "ConditionalCheckFailed" in str(exc)
    return False


def storage_error(exc: ClientError | BotoCoreError, operation: str) -> AuthStorageError:
    """Log a storage failure and turn it into the domain error."""
    logger.warning("auth storage failure", extra={"operation": operation, "error": str(exc)})
    return AuthStorageError()


def conditional(operation: str, request: Callable[[], object]) -> bool:
    """Send one conditional request: True when DynamoDB applied it, False when its condition failed; any other
    failure is logged and raised as the domain error."""
    try:
        request()
    except ClientError as exc:
        if is_condition_failure(exc):
            return False
        raise storage_error(exc, operation) from exc
    except BotoCoreError as exc:
        raise storage_error(exc, operation) from exc
    return True


__all__ = ["conditional", "dynamodb", "error_code", "from_item", "is_condition_failure", "storage_error", "to_item"]
