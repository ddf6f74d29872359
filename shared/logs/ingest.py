"""The log writer's logic: CloudWatch Logs subscription batches in, one BatchWriteItem per 25 logs out.

A batch is `{"awslogs": {"data": base64(gzip(json))}}`; Powertools' `CloudWatchLogsModel` decodes it into log
events, whose messages are the request log lines the HTTP functions printed. A line that is not one (the
filter pattern lets only them through, but a damaged one is possible) is skipped, never retried: retrying
would not mend it. A storage failure raises, so that the asynchronous invocation is retried, and the batch
goes to the failure queue after its retries; storing a redelivered log again writes the same item.
"""

from __future__ import annotations

from typing import Any

from shared.logs.emitter import parse_request_log_line
from shared.logs.repository import LogRepository, StoredLog


def decode_batch(event: dict[str, Any]) -> tuple[list[StoredLog], int]:
    """(the logs of one delivery, how many of its lines were no request log)."""
    from aws_lambda_powertools.utilities.parser.models import CloudWatchLogsModel

    decoded = CloudWatchLogsModel.model_validate(event).awslogs.decoded_data
    if decoded.messageType != "DATA_MESSAGE":
        return [], 0  # the CONTROL_MESSAGE CloudWatch Logs sends to check that the destination is reachable
    logs: list[StoredLog] = []
    skipped = 0
    for log_event in decoded.logEvents:
        stored = parse_request_log_line(str(log_event.message))
        if stored is None:
            skipped += 1
        else:
            logs.append(stored)
    return logs, skipped


def store_batch(event: dict[str, Any], repository: LogRepository) -> dict[str, int]:
    """Store one delivery's logs; returns what was stored and skipped."""
    logs, skipped = decode_batch(event)
    if logs:
        repository.put_many(logs)
    return {"stored": len(logs), "skipped": skipped}
