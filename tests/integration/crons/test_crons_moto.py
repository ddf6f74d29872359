"""The crons path on moto: the schedule's message on the crons queue, the real scheduler handler, claims in the
system table; a job registered through the registry runs once per minute however often its tick arrives."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from local import cloud
from local.invoke import invoke
from local.pollers import QueuePoller
from local.schedules import ScheduleTimer
from shared import resources
from shared.aws import client
from shared.crons.claims import DynamoRunClaims
from shared.crons.composition import cron_registry
from shared.crons.messages import run_now
from shared.crons.queue import SqsCronQueue

SOURCE = next(s for s in resources.EVENT_SOURCES if s.function == "scheduler")


def test_a_claim_is_won_once_per_job_and_occasion(moto: cloud.MotoCloud) -> None:
    # Given the claims in the system table
    claims = DynamoRunClaims(resources.SYSTEM_TABLE.physical_name)
    # When the same job's minute is claimed twice, and another minute and another job once
    first = claims.claim("job", "2026-12-01T13:00")
    second = claims.claim("job", "2026-12-01T13:00")
    # Then only the first claim of each (job, minute) wins
    assert (first, second) == (True, False)
    assert claims.claim("job", "2026-12-01T13:01") and claims.claim("other", "2026-12-01T13:00")
    item = client("dynamodb").get_item(TableName=resources.SYSTEM_TABLE.physical_name,
                                       Key={"pk": {"S": "cron#job#2026-12-01T13:00"}, "sk": {"S": "claim"}})["Item"]
    assert int(item["ttl"]["N"]) > datetime.now(UTC).timestamp() + 24 * 3600


@pytest.fixture
def fake_job(moto: cloud.MotoCloud) -> Iterator[list[str]]:
    """A job every minute in the process's registry (feature jobs are not under test here)."""
    runs: list[str] = []
    registry = cron_registry()
    registry.add("fake", "* * * * *", lambda: runs.append("fake"))
    yield runs
    cron_registry.cache_clear()


def _drain(poller: QueuePoller) -> list[Any]:
    results = []
    while poller.poll_once():
        results.append(True)
    return results


def test_the_schedules_ticks_reach_the_scheduler_and_run_the_job_once_a_minute(fake_job: list[str]) -> None:
    # Given the crons schedule's local timer and the crons queue's mapping to the scheduler function
    timer = ScheduleTimer(resources.CRONS_SCHEDULE)
    results: list[Any] = []
    poller = QueuePoller(SOURCE, lambda name, event: results.append(invoke(name, event)) or results[-1])
    # When 13:00 fires, is delivered again, and 13:01 fires
    timer.fire(datetime(2026, 12, 1, 13, 0, tzinfo=UTC))
    timer.fire(datetime(2026, 12, 1, 13, 0, 4, tzinfo=UTC))
    timer.fire(datetime(2026, 12, 1, 13, 1, tzinfo=UTC))
    _drain(poller)
    # Then three messages were handled without a failure, and the job ran once per minute
    assert len(results) == 3 and all(r == {"batchItemFailures": []} for r in results)
    assert fake_job == ["fake", "fake"]


def test_a_run_now_request_runs_the_job_and_a_foreign_message_fails_visibly(fake_job: list[str]) -> None:
    # Given a run-now request, delivered twice, and a body that is no crons message
    queue = SqsCronQueue(resources.CRONS_QUEUE.physical_name)
    body = run_now("fake", "req-1")
    queue.send(body)
    queue.send(body)
    queue.send('{"kind": "reboot"}')
    failed: list[BatchProcessingError] = []

    def deliver(name: str, event: dict[str, Any]) -> Any:
        try:
            return invoke(name, event)
        except BatchProcessingError as exc:  # a batch of one that failed: the invocation fails
            failed.append(exc)
            raise

    # When the scheduler handles them
    _drain(QueuePoller(SOURCE, deliver))
    # Then the job ran once, and the foreign message failed its invocation (the redrive policy keeps it)
    assert fake_job == ["fake"]
    assert len(failed) == 1
