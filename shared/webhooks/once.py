"""At most one send per (delivery, run, attempt): Powertools Idempotency on DynamoDB, or in memory for tests.

An SQS redelivery of a message whose attempt was made gets the stored outcome back and sends nothing. The
records share one partition of the system table (`pk=webhook-idempotency`), which DynamoDB serves at up to
about 1,000 writes a second: some 500 attempts a second per app (each costs two writes), documented in
docs/api-webhooks.md.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from shared.aws import client

IDEMPOTENCY_PK = "webhook-idempotency"
# Long enough for any SQS redelivery of an attempt's message (visibility timeout, retries), and then gone.
IDEMPOTENCY_TTL_S = 24 * 3600

Outcome = dict[str, Any]


class OnceGuard(ABC):
    @abstractmethod
    def run(self, key: dict[str, Any], send: Callable[[], Outcome]) -> Outcome:
        """`send()`'s outcome, computed once per key; later calls with the key return it unchanged."""

    def register_context(self, context: Any) -> None:  # noqa: B027 - only Lambda's guard needs the context
        """Lambda's context, so an attempt cut short by a timeout does not block its retry for long."""


class InMemoryOnce(OnceGuard):
    def __init__(self) -> None:
        self.outcomes: dict[str, Outcome] = {}
        self.sends = 0

    def run(self, key: dict[str, Any], send: Callable[[], Outcome]) -> Outcome:
        name = repr(sorted(key.items()))
        if name not in self.outcomes:
            self.sends += 1
            self.outcomes[name] = send()
        return self.outcomes[name]


class PowertoolsOnce(OnceGuard):
    def __init__(self, table_name: str) -> None:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
            idempotent_function,
        )

        layer = DynamoDBPersistenceLayer(table_name=table_name, key_attr="pk", sort_key_attr="sk",
                                         static_pk_value=IDEMPOTENCY_PK, expiry_attr="ttl",
                                         boto3_client=client("dynamodb"))
        self.config = IdempotencyConfig(expires_after_seconds=IDEMPOTENCY_TTL_S)

        @idempotent_function(data_keyword_argument="key", persistence_store=layer, config=self.config)
        def attempt_once(send: Callable[[], Outcome], *, key: dict[str, Any]) -> Outcome:
            return send()

        self._run = attempt_once

    def run(self, key: dict[str, Any], send: Callable[[], Outcome]) -> Outcome:
        result: Outcome = self._run(send, key=key)
        return result

    def register_context(self, context: Any) -> None:
        if context is not None and hasattr(context, "get_remaining_time_in_millis"):
            self.config.register_lambda_context(context)
