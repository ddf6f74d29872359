"""What the crons queue carries: a minute's tick from the schedule, or a superuser's request to run one job now.

The schedule's message is declared once (`shared.resources.CRONS_SCHEDULE`): EventBridge Scheduler fills in
`<aws.scheduler.scheduled-time>`, and the local stack's timer the same value, `2026-12-01T13:05:00Z`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class _Message(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)


class Tick(_Message):
    """A scheduled minute: run every job due in it, each exactly once."""

    kind: Literal["tick"]
    scheduled_time: datetime = Field(alias="scheduledTime")

    @property
    def minute(self) -> datetime:
        """The scheduled minute in UTC, PocketBase's cron zone; Scheduler may deliver seconds late."""
        moment = self.scheduled_time.astimezone(UTC) if self.scheduled_time.tzinfo else \
            self.scheduled_time.replace(tzinfo=UTC)
        return moment.replace(second=0, microsecond=0)


class RunNow(_Message):
    """`POST /api/crons/{id}`: run this job once, whatever its schedule; `run_id` makes a redelivery a no-op."""

    kind: Literal["run"]
    job: str
    run_id: str = Field(alias="runId")


CronMessage = Annotated[Tick | RunNow, Field(discriminator="kind")]
_adapter: TypeAdapter[Tick | RunNow] = TypeAdapter(CronMessage)


def parse_message(body: str) -> Tick | RunNow:
    """The message in a queue body; pydantic's ValidationError if it is none of them."""
    return _adapter.validate_json(body)


def run_now(job_id: str, run_id: str) -> str:
    """The queue body asking for one run of `job_id`."""
    return RunNow(kind="run", job=job_id, runId=run_id).model_dump_json(by_alias=True)
