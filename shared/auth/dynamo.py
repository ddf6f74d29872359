"""Small DynamoDB helpers shared by the auth repositories: (de)serialising items and mapping failures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from shared import aws
from shared.auth.errors import AuthStorageError
from shared.observability import logger

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def dynamodb() -> Any:
    """The shared low-level client, created on first use."""
    return aws.client("dynamodb")


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """Serialise plain values (tuples become lists) into DynamoDB attribute values."""
    return {k: _serializer.serialize(list(v) if isinstance(v, tuple) else v) for k, v in values.items()}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """Deserialise an item; integral numbers become int."""
    return {k: _plain(_deserializer.deserialize(v)) for k, v in item.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


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
