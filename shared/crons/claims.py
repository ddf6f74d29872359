"""Exactly one run of a job per scheduled minute, however often the schedule's message is delivered.

EventBridge Scheduler and SQS both deliver at least once, so the runner first claims `cron#<id>#<minute>` in
the system table with a conditional put; only the delivery that wins the claim runs the job. A run asked for
by `POST /api/crons/{id}` claims `cron#<id>#run-<runId>` the same way. The claim expires through TTL after
CLAIM_TTL_S: a redelivery comes within the hour (three receives, 30 minutes of visibility apart), never days
later. A run that dies halfway (the function's timeout) keeps its claim and is not run again in that minute,
as PocketBase does not rerun a job that crashed.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from datetime import datetime
from functools import cache

from botocore.exceptions import BotoCoreError, ClientError

from shared import aws
from shared.dynamo_values import to_item
from shared.observability import logger

CLAIM_TTL_S = 2 * 24 * 3600


class ClaimStorageError(Exception):
    """The claim could not be written: the job is not run now, and the message is retried."""


def minute_key(moment: datetime) -> str:
    """`2026-12-01T13:05`: the scheduled minute a claim is for."""
    return moment.strftime("%Y-%m-%dT%H:%M")


class RunClaims(ABC):
    @abstractmethod
    def claim(self, job_id: str, occasion: str) -> bool:
        """True for the first claim of this job's occasion (a `minute_key`, or `run-<id>`), False for later ones."""


class InMemoryRunClaims(RunClaims):
    def __init__(self) -> None:
        self._claimed: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def claim(self, job_id: str, occasion: str) -> bool:
        key = (job_id, occasion)
        with self._lock:
            if key in self._claimed:
                return False
            self._claimed.add(key)
            return True


class DynamoRunClaims(RunClaims):
    """Claims in the system table: pk `cron#<id>#<occasion>`, sk `claim`, `ttl` two days on."""

    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def claim(self, job_id: str, occasion: str) -> bool:
        try:
            aws.client("dynamodb").put_item(
                TableName=self._table,
                Item=to_item({"pk": f"cron#{job_id}#{occasion}", "sk": "claim",
                              "ttl": int(time.time()) + CLAIM_TTL_S}),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            logger.warning("cron claim failed", extra={"job": job_id, "error": str(exc)})
            raise ClaimStorageError(job_id) from exc
        except BotoCoreError as exc:
            logger.warning("cron claim failed", extra={"job": job_id, "error": str(exc)})
            raise ClaimStorageError(job_id) from exc
        return True


@cache
def get_run_claims(table_name: str) -> RunClaims:
    """The DynamoDB claims over the system table, one per table name."""
    return DynamoRunClaims(table_name)
