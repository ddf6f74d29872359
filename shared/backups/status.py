"""The one backup or restore running: a status item that is the lock, the checkpoint and the visible progress.

Item `pk=backup#active, sk=state` in the system table: `job` (its id), `step` (the next step to run), `updated`
(epoch seconds of the last step) and `doc` (the whole ActiveJob as JSON). Claiming it is a conditional put, so
of two concurrent creates or restores exactly one starts; each step advances it conditionally on its step, so a
redelivered message does nothing twice. A job whose status has not moved for `stalled_s` is taken to be dead
(its messages lost), and a new create or restore may take its place. The outcome of the last job is kept at
`pk=backup#last, sk=state`.
"""

import contextlib
import json
import time
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel

from shared import aws

ACTIVE_PK = "backup#active"
LAST_PK = "backup#last"
STATE_SK = "state"

Action = Literal["create", "restore"]


class ActiveJob(BaseModel):
    """A running create or restore: what it does, where it is, and its progress for superusers."""

    job_id: str
    action: Action
    key: str
    step: int = 0
    task: int = 0  # index of the task being run (see create.py / restore.py)
    tasks: int = 0  # how many tasks the job has, once known
    cursor: dict[str, Any] | None = None  # within the task: a scan position or an offset
    counts: dict[str, int] = {}
    started: float = 0.0
    updated: float = 0.0
    error: str = ""

    def progress(self) -> dict[str, Any]:
        """What health shows superusers while the job runs."""
        return {"action": self.action, "key": self.key, "step": self.step, "task": self.task,
                "tasks": self.tasks, "counts": self.counts}

    def outcome(self) -> dict[str, Any]:
        """What health shows superusers of the last finished job: what it did, when, and its error ("": none)."""
        from shared.collections.datetime import format_datetime

        return {"action": self.action, "key": self.key, "error": self.error,
                "finished": format_datetime(datetime.fromtimestamp(self.updated, UTC))}


class StatusStore:
    """The status items in the system table."""

    def __init__(self, table: str) -> None:
        self.table = table

    @staticmethod
    def _key(pk: str) -> dict[str, dict[str, str]]:
        return {"pk": {"S": pk}, "sk": {"S": STATE_SK}}

    def _item(self, pk: str, job: ActiveJob) -> dict[str, Any]:
        return {**self._key(pk), "job": {"S": job.job_id}, "step": {"N": str(job.step)},
                "updated": {"N": str(int(job.updated))}, "doc": {"S": job.model_dump_json()}}

    def get(self) -> ActiveJob | None:
        item = aws.client("dynamodb").get_item(TableName=self.table, Key=self._key(ACTIVE_PK),
                                               ConsistentRead=True).get("Item")
        return ActiveJob.model_validate(json.loads(item["doc"]["S"])) if item else None

    def running(self, stalled_s: float, now: float | None = None) -> ActiveJob | None:
        """The job running now, None when there is none or it has stalled."""
        job = self.get()
        moment = time.time() if now is None else now
        return job if job is not None and moment - job.updated < stalled_s else None

    def last(self) -> ActiveJob | None:
        item = aws.client("dynamodb").get_item(TableName=self.table, Key=self._key(LAST_PK),
                                               ConsistentRead=True).get("Item")
        return ActiveJob.model_validate(json.loads(item["doc"]["S"])) if item else None

    def claim(self, job: ActiveJob, stalled_s: float) -> bool:
        """Start `job` unless another one runs (one that has not stalled); False when another runs."""
        ddb = aws.client("dynamodb")
        try:
            ddb.put_item(TableName=self.table, Item=self._item(ACTIVE_PK, job),
                         ConditionExpression="attribute_not_exists(pk) OR #u < :stale",
                         ExpressionAttributeNames={"#u": "updated"},
                         ExpressionAttributeValues={":stale": {"N": str(int(job.updated - stalled_s))}})
            return True
        except ddb.exceptions.ConditionalCheckFailedException:
            return False

    def advance(self, job: ActiveJob) -> bool:
        """Store the job at its next step if the stored one is this job at the step before."""
        ddb = aws.client("dynamodb")
        try:
            ddb.put_item(TableName=self.table, Item=self._item(ACTIVE_PK, job),
                         ConditionExpression="#j = :job AND #s = :previous",
                         ExpressionAttributeNames={"#j": "job", "#s": "step"},
                         ExpressionAttributeValues={":job": {"S": job.job_id},
                                                    ":previous": {"N": str(job.step - 1)}})
            return True
        except ddb.exceptions.ConditionalCheckFailedException:
            return False

    def finish(self, job: ActiveJob) -> None:
        """Record the outcome and free the lock, if it is still this job's."""
        ddb = aws.client("dynamodb")
        ddb.put_item(TableName=self.table, Item=self._item(LAST_PK, job))
        # a ConditionalCheckFailed: a newer job took over this stalled one
        with contextlib.suppress(ddb.exceptions.ConditionalCheckFailedException):
            ddb.delete_item(TableName=self.table, Key=self._key(ACTIVE_PK), ConditionExpression="#j = :job",
                            ExpressionAttributeNames={"#j": "job"},
                            ExpressionAttributeValues={":job": {"S": job.job_id}})
