"""The log writer's logic: a CloudWatch Logs delivery decoded, its request log lines stored once, the rest
skipped, and CloudWatch Logs' control message ignored."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

from shared.logs.emitter import request_log_line
from shared.logs.ingest import store_batch
from shared.logs.model import LogEntry, new_log_id
from shared.logs.repository import DAY_MS, InMemoryLogRepository, StoredLog

NOW_MS = 1_796_133_355_845


def delivery(messages: list[str], message_type: str = "DATA_MESSAGE") -> dict[str, Any]:
    payload = {"messageType": message_type, "owner": "123456789012", "logGroup": "/aws/lambda/lambdabase-records",
               "logStream": "2026/12/01/[$LATEST]abc", "subscriptionFilters": ["records-to-logwriter"],
               "logEvents": [{"id": str(n), "timestamp": NOW_MS, "message": m} for n, m in enumerate(messages)]}
    return {"awslogs": {"data": base64.b64encode(gzip.compress(json.dumps(payload).encode())).decode()}}


def stored(at_ms: int) -> StoredLog:
    entry = LogEntry(new_log_id(at_ms), at_ms, 0, "GET /api/health", {"type": "request", "status": 200})
    return StoredLog(entry, at_ms // 1000 + 86_400)


def test_request_log_lines_are_stored_and_other_lines_skipped() -> None:
    # Given a delivery of two request log lines, a Powertools line and a damaged request line
    logs = [stored(NOW_MS), stored(NOW_MS + 1)]
    event = delivery([request_log_line(logs[0]), '{"level":"INFO","message":"x"}',
                      request_log_line(logs[1]), '{"lbLog":"request","log":{"id":1}}'])
    repository = InMemoryLogRepository()

    # When it is stored twice (a retried invocation)
    first = store_batch(event, repository)
    store_batch(event, repository)

    # Then both logs are there once, and the two other lines were skipped
    assert first == {"stored": 2, "skipped": 2}
    found = list(repository.scan(NOW_MS - DAY_MS, NOW_MS + DAY_MS, newest_first=False))
    assert found == [logs[0].entry, logs[1].entry]


def test_the_control_message_stores_nothing() -> None:
    # When CloudWatch Logs checks the destination with its control message, Then nothing is stored
    repository = InMemoryLogRepository()
    assert store_batch(delivery(["CWL CONTROL MESSAGE: Checking health of destination"], "CONTROL_MESSAGE"),
                       repository) == {"stored": 0, "skipped": 0}
