"""The crons schedule as synthesized: every minute on the minute in UTC, its message to the crons queue only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from shared import resources
from tests.infra.synthesis import Synthesized, synthesize


def _queue_ids(synth: Synthesized) -> dict[str, str]:
    return {queue["Properties"]["QueueName"]: logical_id
            for logical_id, queue in synth.resources("AWS::SQS::Queue").items()}


def _schedule(synth: Synthesized) -> dict[str, Any]:
    schedules = list(synth.resources("AWS::Scheduler::Schedule").values())
    assert len(schedules) == len(resources.SCHEDULES) == 1
    return schedules[0]["Properties"]


def test_the_schedule_fires_every_minute_in_utc_with_the_declared_message(synth: Synthesized) -> None:
    # Given the crons ScheduleDef / When synthesized / Then one schedule, on the minute, UTC, always on
    props = _schedule(synth)
    assert props["Name"] == resources.CRONS_SCHEDULE.physical_name
    assert props["ScheduleExpression"] == "cron(* * * * ? *)"
    assert props["ScheduleExpressionTimezone"] == "Etc/UTC"
    assert props["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert props.get("State", "ENABLED") == "ENABLED"
    # and its input is the declared message, the scheduled time left for Scheduler to fill in
    assert json.loads(props["Target"]["Input"]) == {"kind": "tick",
                                                    "scheduledTime": "<aws.scheduler.scheduled-time>"}


def test_the_schedule_targets_the_crons_queue_with_its_dlq_and_a_send_only_role(synth: Synthesized) -> None:
    target = _schedule(synth)["Target"]
    queues = _queue_ids(synth)
    assert target["Arn"] == {"Fn::GetAtt": [queues[resources.CRONS_QUEUE.physical_name], "Arn"]}
    assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": [queues[resources.CRONS_QUEUE.dlq_physical_name],
                                                                "Arn"]}
    role = target["RoleArn"]["Fn::GetAtt"][0]
    statements = [s for policy in synth.resources("AWS::IAM::Policy").values()
                  if {"Ref": role} in policy["Properties"]["Roles"]
                  for s in policy["Properties"]["PolicyDocument"]["Statement"]]
    assert statements and all(s["Effect"] == "Allow" for s in statements)
    actions = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert actions == {"sqs:SendMessage"}
    # to the queue, and to its DLQ for a message it could not deliver
    granted = [r["Fn::GetAtt"][0] for s in statements
               for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])]
    assert sorted(granted) == sorted([queues[resources.CRONS_QUEUE.physical_name],
                                      queues[resources.CRONS_QUEUE.dlq_physical_name]])


def test_the_crons_api_only_reads_tables_and_sends_to_the_crons_queue() -> None:
    # The HTTP function runs no job: it verifies tokens, reads the settings and queues run-now requests.
    crons = resources.function("crons")
    assert {(p.kind, p.resource, p.access) for p in crons.permissions} == {
        ("table", "records", "read"), ("table", "system", "read"), ("secret_read", "auth", "readwrite"),
        ("queue_send", "crons", "readwrite")}
    scheduler = resources.function("scheduler")
    assert ("queue_consume", "crons") in {(p.kind, p.resource) for p in scheduler.permissions}
    assert any(s.function == "scheduler" and s.source == "crons" and s.batch_size == 1
               for s in resources.EVENT_SOURCES)


EXTRA_SCHEDULE = resources.ScheduleDef("reports", target_queue=resources.JOBS_QUEUE.key,
                                       message={"kind": "report", "at": resources.SCHEDULED_TIME}, every_minutes=15)


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesized]:
    # Given one more schedule in the definitions, to another queue, every 15 minutes
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(resources, "SCHEDULES", (*resources.SCHEDULES, EXTRA_SCHEDULE))
        yield synthesize(tmp_path_factory.mktemp("schedules"))


def test_a_new_schedule_needs_no_change_under_infra(extended: Synthesized) -> None:
    # When synthesized / Then it is a schedule of its own, with its expression, message and queue
    by_name = {s["Properties"]["Name"]: s["Properties"]
               for s in extended.resources("AWS::Scheduler::Schedule").values()}
    props = by_name[EXTRA_SCHEDULE.physical_name]
    assert props["ScheduleExpression"] == "cron(0/15 * * * ? *)"
    assert json.loads(props["Target"]["Input"]) == {"kind": "report", "at": "<aws.scheduler.scheduled-time>"}
    queues = _queue_ids(extended)
    assert props["Target"]["Arn"] == {"Fn::GetAtt": [queues[resources.JOBS_QUEUE.physical_name], "Arn"]}
    assert len(by_name) == 2
