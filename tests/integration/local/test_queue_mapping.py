"""The local queue mapping follows its declaration as Lambda does: batch size, and no batch past Lambda's request
payload limit (what does not fit goes back to the queue for the next batch)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from local import cloud
from local.events import sqs_record
from local.invoke import forget_handlers, payload_size
from local.pollers import QueuePoller, start_pollers
from shared import resources
from shared.aws import client


class Consumer:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def __call__(self, name: str, event: dict[str, Any]) -> Any:
        self.batches.append([r["body"] for r in event["Records"]])
        return {"batchItemFailures": []}


def test_a_batch_stops_at_the_request_limit_and_the_rest_waits_for_the_next(moto: cloud.MotoCloud,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # Given three 2 KB messages, and a request limit two of them fill
    source = msgspec.structs.replace(next(s for s in resources.EVENT_SOURCES if s.function == "deliveries"),
                                 max_batching_window_s=0)
    queue = resources.queue(source.source)
    url = cloud.queue_url(queue.physical_name)
    bodies = [c * 2_000 for c in "abc"]
    for body in bodies:
        client("sqs").send_message(QueueUrl=url, MessageBody=body)
    sample = sqs_record({"MessageId": "m" * 36, "ReceiptHandle": "r" * 400, "Body": bodies[0],
                         "MD5OfBody": "0" * 32, "Attributes": {}}, cloud.queue_arn(queue.physical_name))
    monkeypatch.setenv("LB_LAMBDA_REQUEST_MAX_BYTES", str(payload_size({"Records": [sample, sample]}) + 600))
    forget_handlers()  # the limits are read once per cold start
    consumer = Consumer()
    poller = QueuePoller(source, consumer)
    try:
        # When the poller runs until the queue is empty
        while poller.poll_once():
            pass
    finally:
        monkeypatch.undo()
        forget_handlers()
    # Then no batch held more than two, every message was handed over once, and the queue is empty
    assert [len(b) for b in consumer.batches] == [2, 1]
    assert sorted(body for batch in consumer.batches for body in batch) == bodies
    attrs = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"]) == ("0", "0")


@pytest.mark.parametrize(("override", "expected"), [(None, "declared"), (0, 0)])
def test_every_mapping_keeps_its_declared_window_unless_one_is_configured(moto: cloud.MotoCloud,
                                                                          override: int | None,
                                                                          expected: Any) -> None:
    # Given the declared event sources, When the local stack's pollers start with or without LB_BATCHING_WINDOW_S
    pollers = start_pollers(Consumer(), override)
    try:
        windows = [p.source.max_batching_window_s for p in pollers]
    finally:
        for poller in pollers:
            poller.stop()
        for poller in pollers:
            poller.join(timeout=5)
    # Then each polls with its declared window, or every one with the configured window
    declared = [s.max_batching_window_s for s in resources.EVENT_SOURCES]
    assert windows == (declared if expected == "declared" else [expected] * len(declared))
