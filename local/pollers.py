"""Event source mappings on moto: poll DynamoDB Streams and SQS and feed consumers Lambda-shaped batches."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from local.cloud import REGION, queue_arn, queue_url
from shared import resources
from shared.aws import client
from shared.observability import logger

Invoke = Callable[[str, dict[str, Any]], Any]

# An idle stream is polled this often, the longest a change waits before its consumer reads it. At 0.1 s the
# counter-backed totalItems lags a create by about 200 ms (docs/architecture.md; 0.2 s gave about 270 ms);
# 0.05 s gained nothing measurable, and each idle poll costs a few moto calls on a shared CPU.
# The mapping's batching window is not applied locally: records are handed over as soon as they are read.
STREAM_POLL_INTERVAL_S = 0.1


def _failed_ids(result: Any) -> set[str] | None:
    """The batchItemFailures a consumer reported; None when it reported none (all succeeded)."""
    if isinstance(result, dict) and result.get("batchItemFailures"):
        return {str(f["itemIdentifier"]) for f in result["batchItemFailures"]}
    return None


class _Poller(threading.Thread):
    def __init__(self, source: resources.EventSourceDef, invoke: Invoke, interval_s: float) -> None:
        super().__init__(daemon=True, name=f"poller-{source.function}")
        self.source = source
        self.invoke = invoke
        self.interval_s = interval_s
        self._stop_event = threading.Event()
        self.idle = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                busy = self.poll_once()
            except Exception:
                logger.exception("poller failed", extra={"function": self.source.function})
                busy = False
            if busy:
                self.idle.clear()
            else:
                self.idle.set()
                self._stop_event.wait(self.interval_s)

    def poll_once(self) -> bool:
        raise NotImplementedError


class StreamPoller(_Poller):
    """Reads every shard of a table's stream from LATEST, like a mapping with that starting position.

    The position is kept as the last delivered sequence number and a fresh iterator is asked for on every
    poll: moto replaces a table's stream shard object when it rolls back a failed transaction, so a long-lived
    iterator would go on reading an orphaned shard and miss every later change.
    """

    def __init__(self, source: resources.EventSourceDef, invoke: Invoke,
                 interval_s: float = STREAM_POLL_INTERVAL_S) -> None:
        super().__init__(source, invoke, interval_s)
        table = resources.table(source.source)
        desc = client("dynamodb").describe_table(TableName=table.physical_name)["Table"]
        self.stream_arn: str = desc["LatestStreamArn"]
        # shard id -> last sequence number handled; None means "from the shard's first record"
        self.positions: dict[str, str | None] = {}
        self._discover_shards(initial=True)

    def _discover_shards(self, *, initial: bool = False) -> None:
        streams = client("dynamodbstreams")
        shards = streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            sid = shard["ShardId"]
            if sid in self.positions:
                continue
            self.positions[sid] = None
            if initial:
                # LATEST: skip what the shard already holds (e.g. the items a snapshot restore just wrote).
                while records := self._read(sid):
                    self.positions[sid] = records[-1]["dynamodb"]["SequenceNumber"]

    def _read(self, shard_id: str) -> list[dict[str, Any]]:
        streams = client("dynamodbstreams")
        position = self.positions[shard_id]
        kwargs: dict[str, Any] = ({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": position}
                                  if position else {"ShardIteratorType": "TRIM_HORIZON"})
        iterator = streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id, **kwargs)
        out = streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=self.source.batch_size)
        return list(out.get("Records", []))

    def poll_once(self) -> bool:
        busy = False
        for sid in list(self.positions):
            records = self._read(sid)
            if records:
                busy = True
                self._deliver(sid, records)
                self.positions[sid] = records[-1]["dynamodb"]["SequenceNumber"]
        if not busy:
            self._discover_shards()
        return busy

    def _deliver(self, shard_id: str, records: list[dict[str, Any]]) -> None:
        batch = []
        for record in records:
            record = dict(record)
            record["eventSourceARN"] = self.stream_arn
            record.setdefault("awsRegion", REGION)
            dyn = dict(record["dynamodb"])
            if "ApproximateCreationDateTime" in dyn and not isinstance(dyn["ApproximateCreationDateTime"],
                                                                      (int, float)):
                dyn["ApproximateCreationDateTime"] = dyn["ApproximateCreationDateTime"].timestamp()
            record["dynamodb"] = dyn
            batch.append(record)
        for attempt in range(self.source.retry_attempts + 1):
            try:
                result = self.invoke(self.source.function, {"Records": batch})
            except Exception:
                logger.exception("stream consumer raised", extra={"function": self.source.function})
                failed_seq = batch[0]["dynamodb"]["SequenceNumber"]
            else:
                failed = _failed_ids(result)
                if not failed:
                    return
                # Lambda resumes from the lowest failed sequence number, re-delivering the rest.
                failed_seq = min(failed, key=int)
            batch = [r for r in batch if int(r["dynamodb"]["SequenceNumber"]) >= int(failed_seq)]
            time.sleep(min(2.0, 0.1 * 2 ** attempt))
        # Like an on-failure destination: the batch's position goes to the failure queue, nothing is lost silently.
        positions = [r["dynamodb"]["SequenceNumber"] for r in batch]
        logger.error("stream batch sent to the failure queue after retries",
                     extra={"function": self.source.function, "shard": shard_id, "sequence_numbers": positions})
        client("sqs").send_message(
            QueueUrl=queue_url(self.source.failure_queue_physical_name),
            MessageBody=json.dumps({"requestContext": {"condition": "RetryAttemptsExhausted",
                                                       "functionArn": self.source.function},
                                    "DDBStreamBatchInfo": {"shardId": shard_id, "streamArn": self.stream_arn,
                                                           "startSequenceNumber": positions[0],
                                                           "endSequenceNumber": positions[-1],
                                                           "batchSize": len(positions)}}))


class QueuePoller(_Poller):
    """Long-polls a queue, deletes what the consumer handled, leaves failures for redrive to the DLQ."""

    def __init__(self, source: resources.EventSourceDef, invoke: Invoke, interval_s: float = 0.2) -> None:
        super().__init__(source, invoke, interval_s)
        self.queue = resources.queue(source.source)
        self.url = queue_url(self.queue.physical_name)
        self.arn = queue_arn(self.queue.physical_name)

    def poll_once(self) -> bool:
        sqs = client("sqs")
        out = sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=min(10, self.source.batch_size),
                                  WaitTimeSeconds=0, AttributeNames=["All"], MessageAttributeNames=["All"])
        messages = out.get("Messages", [])
        if not messages:
            return False
        records = [{
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m.get("Attributes", {}),
            "messageAttributes": m.get("MessageAttributes", {}),
            "md5OfBody": m.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.arn,
            "awsRegion": REGION,
        } for m in messages]
        try:
            result = self.invoke(self.source.function, {"Records": records})
            failed = _failed_ids(result) or set()
        except Exception:
            logger.exception("queue consumer raised", extra={"function": self.source.function})
            failed = {r["messageId"] for r in records}
        done = [r for r in records if r["messageId"] not in failed]
        if done:
            sqs.delete_message_batch(QueueUrl=self.url, Entries=[
                {"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(done)])
        return True


def start_pollers(invoke: Invoke) -> list[_Poller]:
    """One poller per declared event source."""
    pollers: list[_Poller] = []
    for source in resources.EVENT_SOURCES:
        poller: _Poller = (StreamPoller(source, invoke) if source.kind == "table_stream"
                           else QueuePoller(source, invoke))
        poller.start()
        pollers.append(poller)
    return pollers
