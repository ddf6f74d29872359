"""Job checkpoints: where a job is, advanced step by step with a condition, so only one chain of messages runs.

Item `pk=job#<jobId>, sk=job` in the system table: `step` (the next step to run), `doc` (the checkpoint JSON),
`ttl` (a week after the last step, so finished jobs clean themselves up).
"""

import contextlib
import json
import threading
import time
from abc import ABC, abstractmethod
from functools import cache

from pydantic import BaseModel

from shared.aws import client

KEEP_S = 7 * 24 * 3600


class Checkpoint(BaseModel):
    """A job's position: the step to run next, the last record id done, and counts for its logs."""

    job_id: str
    kind: str
    collection_id: str
    step: int = 0
    cursor: str | None = None
    seen: int = 0
    rewritten: int = 0
    done: bool = False
    updated_at: float = 0.0


class CheckpointStore(ABC):
    @abstractmethod
    def create(self, checkpoint: Checkpoint) -> None:
        """Store a new job's first checkpoint (step 0)."""

    @abstractmethod
    def get(self, job_id: str) -> Checkpoint | None: ...

    @abstractmethod
    def advance(self, checkpoint: Checkpoint) -> bool:
        """Store this checkpoint if the stored one is its previous step; False if another run got there first."""


class InMemoryCheckpointStore(CheckpointStore):
    def __init__(self) -> None:
        self.items: dict[str, str] = {}
        self._lock = threading.Lock()

    def create(self, checkpoint: Checkpoint) -> None:
        self.items.setdefault(checkpoint.job_id, checkpoint.model_dump_json())

    def get(self, job_id: str) -> Checkpoint | None:
        raw = self.items.get(job_id)
        return Checkpoint.model_validate_json(raw) if raw else None

    def advance(self, checkpoint: Checkpoint) -> bool:
        with self._lock:
            current = self.get(checkpoint.job_id)
            if current is None or current.step != checkpoint.step - 1:
                return False
            self.items[checkpoint.job_id] = checkpoint.model_dump_json()
            return True


class DynamoCheckpointStore(CheckpointStore):
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @staticmethod
    def _key(job_id: str) -> dict[str, dict[str, str]]:
        return {"pk": {"S": f"job#{job_id}"}, "sk": {"S": "job"}}

    def _item(self, checkpoint: Checkpoint) -> dict[str, dict[str, str]]:
        return {**self._key(checkpoint.job_id), "step": {"N": str(checkpoint.step)},
                "doc": {"S": checkpoint.model_dump_json()}, "ttl": {"N": str(int(time.time()) + KEEP_S)}}

    def create(self, checkpoint: Checkpoint) -> None:
        ddb = client("dynamodb")
        # created by an earlier try of the same request
        with contextlib.suppress(ddb.exceptions.ConditionalCheckFailedException):
            ddb.put_item(TableName=self.table, Item=self._item(checkpoint),
                         ConditionExpression="attribute_not_exists(pk)")

    def get(self, job_id: str) -> Checkpoint | None:
        item = client("dynamodb").get_item(TableName=self.table, Key=self._key(job_id),
                                           ConsistentRead=True).get("Item")
        return Checkpoint.model_validate(json.loads(item["doc"]["S"])) if item else None

    def advance(self, checkpoint: Checkpoint) -> bool:
        ddb = client("dynamodb")
        try:
            ddb.put_item(TableName=self.table, Item=self._item(checkpoint), ConditionExpression="step = :previous",
                         ExpressionAttributeValues={":previous": {"N": str(checkpoint.step - 1)}})
            return True
        except ddb.exceptions.ConditionalCheckFailedException:
            return False


@cache
def get_checkpoint_store(table_name: str) -> CheckpointStore:
    return DynamoCheckpointStore(table_name)
