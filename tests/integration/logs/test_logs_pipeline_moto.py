"""The request log pipeline on moto: lines captured from an HTTP function's invocations are delivered by the
emulated subscription to the log writer handler, stored in the logs table, and read back by id, by time range
and after TTL expiry."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from local import cloud
from local.invoke import invoke
from local.log_subscriptions import LogSubscriptions, awslogs_event, pattern_matcher
from local.ttl import sweep_expired
from shared import resources
from shared.aws import client
from shared.logs.dynamo_repository import log_repository
from shared.logs.emitter import LOGGER_NAME, request_log_line
from shared.logs.model import LogEntry, new_log_id
from shared.logs.repository import DAY_MS, StoredLog, utc_now_ms
from shared.observability import function_service


def stored(at_ms: int, url: str = "/api/health", expires_at: int | None = None) -> StoredLog:
    entry = LogEntry(id=new_log_id(at_ms), created_ms=at_ms, level=0, message=f"GET {url}",
                     data={"type": "request", "url": url, "status": 200, "execTime": 0.5})
    return StoredLog(entry, expires_at if expires_at is not None else at_ms // 1000 + 86_400)


def test_the_log_writer_stores_a_delivered_batch_once_even_when_redelivered(moto: cloud.MotoCloud) -> None:
    # Given a CloudWatch Logs delivery of two request log lines and one other line
    logs = [stored(utc_now_ms() - 5), stored(utc_now_ms())]
    lines = [(1, request_log_line(s)) for s in logs] + [(2, '{"level":"INFO","message":"other"}')]
    event = awslogs_event("records", "records-to-logwriter", lines)

    # When the log writer handles it twice (an asynchronous invocation retried)
    first = invoke(resources.LOG_WRITER_FUNCTION, event)
    invoke(resources.LOG_WRITER_FUNCTION, event)

    # Then both logs are stored once each and the other line was skipped
    assert first == {"stored": 2, "skipped": 1}
    repository = log_repository()
    assert repository.get(logs[0].entry.id) == logs[0].entry
    found = list(repository.scan(utc_now_ms() - DAY_MS, utc_now_ms() + 1000, newest_first=True))
    assert [e.id for e in found] == [logs[1].entry.id, logs[0].entry.id]
    items = client("dynamodb").scan(TableName=resources.LOGS_TABLE.physical_name)["Items"]
    assert len(items) == 2 and {i["ttl"]["N"] for i in items} == {str(s.expires_at) for s in logs}


def test_lines_printed_by_an_http_function_reach_the_logs_table(moto: cloud.MotoCloud) -> None:
    # Given the emulated subscriptions capturing the request log lines
    subscriptions = LogSubscriptions(invoke, window_s=0.05)
    subscriptions.install()
    try:
        # When two HTTP functions and a non-HTTP function each print a request log line
        printed = {name: stored(utc_now_ms(), f"/from/{name}") for name in ("health", "records", "changes")}
        for name, log in printed.items():
            with function_service(name):
                logging.getLogger(LOGGER_NAME).info(request_log_line(log))
        delivered = subscriptions.deliver_due(force=True)
    finally:
        logging.getLogger(LOGGER_NAME).handlers = []

    # Then each subscribed log group made one delivery, and only the HTTP functions' lines were stored
    assert delivered == 2
    repository = log_repository()
    assert repository.get(printed["health"].entry.id) == printed["health"].entry
    assert repository.get(printed["records"].entry.id) == printed["records"].entry
    assert repository.get(printed["changes"].entry.id) is None


def test_a_delivery_that_keeps_failing_lands_on_the_failure_queue(moto: cloud.MotoCloud) -> None:
    # Given a destination that always fails
    def failing(name: str, event: dict[str, Any]) -> Any:
        raise RuntimeError("table unavailable")

    subscriptions = LogSubscriptions(failing, window_s=0.01)
    subscriptions.accept("records", 1, request_log_line(stored(utc_now_ms())))

    # When its batch is delivered
    subscriptions.deliver_due(force=True)

    # Then Lambda's on-failure record, with the original event, is on the log-failures queue
    url = cloud.queue_url(resources.LOG_FAILURES_QUEUE.physical_name)
    messages = client("sqs").receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
    assert len(messages) == 1
    assert '"condition": "RetriesExhausted"' in messages[0]["Body"]
    assert '"awslogs"' in messages[0]["Body"]


def test_expired_logs_are_removed_by_ttl_and_a_truncation_is_one_mark(moto: cloud.MotoCloud) -> None:
    # Given a log already past its TTL and a fresh one
    now = utc_now_ms()
    expired = stored(now - 2 * DAY_MS, expires_at=int(time.time()) - 10)
    fresh = stored(now)
    repository = log_repository()
    repository.put_many([expired, fresh])

    # When the TTL sweeper runs and then the logs are truncated
    sweep_expired()
    repository.truncate(now + 1)
    repository.truncate(now - 1000)  # an earlier, slower truncation never moves the mark back

    # Then the expired log is gone, the fresh one is kept for its own TTL, and the mark is the latest
    assert repository.get(expired.entry.id) is None
    assert repository.get(fresh.entry.id) == fresh.entry
    assert repository.truncated_before() == now + 1


def test_only_the_declared_filter_pattern_form_is_emulated() -> None:
    # Given the declared pattern, Then it selects request lines only; an unknown form is refused
    matches = pattern_matcher(resources.REQUEST_LOG_FILTER_PATTERN)
    assert matches('{"lbLog":"request","log":{}}')
    assert not matches('{"lbLog":"other"}') and not matches("plain text")
    with pytest.raises(NotImplementedError):
        pattern_matcher("[ip, user, ...]")
