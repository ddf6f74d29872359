"""Event source mappings on moto: poll DynamoDB Streams and SQS and feed consumers Lambda-shaped batches.

Each mapping follows its EventSourceDef in shared/resources.py, the declaration CDK deploys: batch size,
batching window, and for streams retries, bisection on function error, maximum record age, partial batch
responses and the on-failure queue.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

from local import moto_patches, moto_speed
from local.cloud import ACCOUNT_ID, REGION, queue_arn, queue_url
from local.events import sqs_record, stream_record
from local.invoke import default_limits, payload_size
from shared import resources
from shared.aws import client
from shared.observability import logger

Invoke = Callable[[str, dict[str, Any]], Any]

# An idle stream is polled this often, the longest a change waits before its consumer reads it (on top of the
# mapping's batching window). At 0.1 s the counter-backed totalItems lags a create by about 200 ms plus the
# window (docs/architecture.md); each idle poll costs a few moto calls on a shared CPU.
STREAM_POLL_INTERVAL_S = 0.1
# SQS's largest ReceiveMessage, whatever a mapping's batch size: a bigger batch takes several receives.
SQS_RECEIVE_MAX = 10
# Stream records that every local consumer of the stream has read are forgotten but the newest of them: moto
# keeps every record in memory (about 12 KB each under the soak of `make bench`, where RSS grew 41 MB every 30 s
# until the cap of unread records), AWS keeps them 24 h on its side, and no local reader goes back to them (each
# poller reads on from its own position). Trimmed once this many more are read, not on every poll.
READ_RECORDS_KEPT = 2_000
READ_RECORDS_TRIM_STEP = 500


def within_payload_limit(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The longest prefix (at least one record) whose `{"Records": [...]}` event fits Lambda's 6 MB request
    payload: Lambda stops assembling a batch there, whatever its batch size."""
    budget = default_limits().request_max_bytes - payload_size({"Records": []})
    for count, record in enumerate(records):
        budget -= payload_size(record) + (1 if count else 0)
        if budget < 0:
            return records[:max(1, count)]
    return records


def _failed_ids(result: Any, valid: set[str]) -> set[str] | None:
    """The batchItemFailures a consumer reported: None when none (all succeeded), every id when the report is
    malformed (an empty or unknown itemIdentifier), which Lambda treats as the whole batch failing."""
    failures = result.get("batchItemFailures") if isinstance(result, dict) else None
    if not failures:
        return None
    ids = {str(f.get("itemIdentifier") or "") if isinstance(f, dict) else "" for f in failures}
    return ids if ids <= valid else set(valid)


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


@dataclass
class _Pending:
    """Records of one shard still to hand over, and how often this exact set already failed."""

    records: list[dict[str, Any]]
    attempts: int = 0


def _seq(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


class StreamReaders:
    """The pollers of one stream, each mapping's own position: what all of them read can go (READ_RECORDS_KEPT)."""

    def __init__(self, table: str, pollers: list[StreamPoller]) -> None:
        self.table = table
        self.pollers = pollers
        self._trimmed: dict[str, int] = {}

    def read(self, shard_id: str) -> None:
        """A poller handed a shard's records over: trim what every poller of the stream is past."""
        positions = [poller.positions.get(shard_id) for poller in self.pollers]
        if any(position is None for position in positions):
            return  # a poller that read nothing of the shard yet may still need all of it
        read_through = min(int(position) for position in positions if position is not None)
        if read_through - self._trimmed.get(shard_id, 0) < READ_RECORDS_KEPT + READ_RECORDS_TRIM_STEP:
            return
        moto_patches.trim_read_records(self.table, shard_id, read_through, READ_RECORDS_KEPT)
        self._trimmed[shard_id] = read_through - READ_RECORDS_KEPT


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
        self.function_arn = (f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:"
                             f"{resources.APP_PREFIX}-{source.function}")
        # shard id -> last sequence number handled; None means "from the shard's first record"
        self.positions: dict[str, str | None] = {}
        self._quiet_since: tuple[int, int] | None = None  # the table's write stamp at the last empty poll
        self.table = table.physical_name
        # every poller of this stream, set by start_pollers; a poller on its own (a test's) trims nothing
        self.readers: StreamReaders | None = None
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
                while records := self._read(sid, self.positions[sid], self.source.batch_size):
                    self.positions[sid] = _seq(records[-1])

    def _read(self, shard_id: str, after: str | None, limit: int) -> list[dict[str, Any]]:
        return self._read_from(self._iterator(shard_id, after), limit)[0]

    def _iterator(self, shard_id: str, after: str | None) -> str:
        kwargs: dict[str, Any] = ({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
                                  if after else {"ShardIteratorType": "TRIM_HORIZON"})
        out = client("dynamodbstreams").get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id, **kwargs)
        return str(out["ShardIterator"])

    def _read_from(self, iterator: str, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        out = client("dynamodbstreams").get_records(ShardIterator=iterator, Limit=limit)
        return list(out.get("Records", [])), out.get("NextShardIterator")

    def _gather(self, shard_id: str) -> list[dict[str, Any]]:
        """A batch as Lambda assembles one: invoked when full or when the batching window since its first
        record has passed, whichever comes first.

        Within the window the iterator get_records hands back is followed (one moto call per read, not two); if
        a rollback swaps the shard meanwhile, later records just wait for the next poll's fresh iterator.
        """
        size = self.source.batch_size
        records, iterator = self._read_from(self._iterator(shard_id, self.positions[shard_id]), size)
        deadline = time.monotonic() + self.source.max_batching_window_s
        while records and iterator and len(records) < size and not self._stop_event.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._stop_event.wait(min(self.interval_s, remaining))
            more, iterator = self._read_from(iterator, size - len(records))
            records += more
        return records

    def poll_once(self) -> bool:
        # Only a write to this table adds stream records or shards: a poll after a quiet one with no such write
        # in between would read nothing (three moto calls a shard, ten times a second, a large part of an idle
        # stack's CPU; writes to the other tables, sessions or rate limits, are most of a busy stack's writes).
        writes = moto_speed.table_stamp(self.table)
        if writes == self._quiet_since:
            return False
        busy = False
        for sid in list(self.positions):
            records = self._gather(sid)
            if records:
                busy = True
                batch = within_payload_limit([stream_record(r, self.stream_arn) for r in records])
                self._deliver(sid, batch)
                # What did not fit is read again from here by the next poll.
                self.positions[sid] = _seq(batch[-1])
                if self.readers is not None:
                    self.readers.read(sid)
        if not busy:
            self._discover_shards()
            self._quiet_since = writes
        return busy

    def _expired(self, records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(fresh, too old): records past the mapping's maximum age are not handed over any more."""
        max_age = self.source.max_record_age_s
        if max_age is None:
            return records, []
        oldest = time.time() - max_age
        old = [r for r in records if float(r["dynamodb"].get("ApproximateCreationDateTime") or 0) < oldest]
        return [r for r in records if r not in old], old

    def _deliver(self, shard_id: str, batch: list[dict[str, Any]]) -> None:
        """Hand a shard's batch over in order, retrying failures as the mapping declares; never raises."""
        queue = [_Pending(batch)]
        while queue and not self._stop_event.is_set():
            pending = queue.pop(0)
            fresh, old = self._expired(pending.records)
            if old:
                self._send_to_failure_queue(shard_id, old, "RecordAgeExceeded", pending.attempts, error=None)
            if not fresh:
                continue
            function_error, resume = self._invoke(fresh)
            if resume is None:
                continue
            rest = fresh[resume:]
            if function_error and self.source.bisect_batch_on_function_error and len(rest) > 1:
                # Bisection: each half is handed over on its own, in order; splitting is not a retry.
                middle = len(rest) // 2
                queue[:0] = [_Pending(rest[:middle], pending.attempts), _Pending(rest[middle:], pending.attempts)]
                continue
            if pending.attempts >= self.source.retry_attempts:
                self._send_to_failure_queue(shard_id, rest, "RetryAttemptsExhausted", pending.attempts + 1,
                                            error="Unhandled" if function_error else None)
                continue
            self._stop_event.wait(min(2.0, 0.1 * 2 ** pending.attempts))
            queue.insert(0, _Pending(rest, pending.attempts + 1))

    def _invoke(self, records: list[dict[str, Any]]) -> tuple[bool, int | None]:
        """(function error, index to resume from): None when the whole batch succeeded."""
        try:
            result = self.invoke(self.source.function, {"Records": records})
        except Exception:
            logger.exception("stream consumer failed", extra={"function": self.source.function})
            return True, 0
        if not self.source.report_batch_item_failures:
            return False, None
        failed = _failed_ids(result, {_seq(r) for r in records})
        if failed is None:
            return False, None
        # Lambda checkpoints before the lowest failed sequence number and re-delivers from there.
        return False, min(i for i, r in enumerate(records) if _seq(r) in failed)

    def _send_to_failure_queue(self, shard_id: str, records: list[dict[str, Any]], condition: str,
                               invokes: int, error: str | None) -> None:
        """The on-failure destination's message: where the records are, not the records (as Lambda sends)."""
        def arrival(record: dict[str, Any]) -> str:
            created = float(record["dynamodb"].get("ApproximateCreationDateTime") or 0)
            return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

        logger.error("stream records sent to the failure queue", extra={
            "function": self.source.function, "shard": shard_id, "condition": condition,
            "sequence_numbers": [_seq(r) for r in records]})
        response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
        if error:
            response["functionError"] = error
        message = {
            "requestContext": {"requestId": f"{shard_id}-{_seq(records[0])}", "functionArn": self.function_arn,
                               "condition": condition, "approximateInvokeCount": invokes},
            "responseContext": response,
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "DDBStreamBatchInfo": {"shardId": shard_id, "startSequenceNumber": _seq(records[0]),
                                   "endSequenceNumber": _seq(records[-1]),
                                   "approximateArrivalOfFirstRecord": arrival(records[0]),
                                   "approximateArrivalOfLastRecord": arrival(records[-1]),
                                   "batchSize": len(records), "streamArn": self.stream_arn},
        }
        client("sqs").send_message(QueueUrl=queue_url(self.source.failure_queue_physical_name),
                                   MessageBody=json.dumps(message))


class QueuePoller(_Poller):
    """Polls a queue, deletes what the consumer handled, leaves failures for redrive to the DLQ."""

    def __init__(self, source: resources.EventSourceDef, invoke: Invoke, interval_s: float = 0.2) -> None:
        super().__init__(source, invoke, interval_s)
        self.queue = resources.queue(source.source)
        self.url = queue_url(self.queue.physical_name)
        self.arn = queue_arn(self.queue.physical_name)

    def _receive(self, limit: int) -> list[dict[str, Any]]:
        out = client("sqs").receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=min(SQS_RECEIVE_MAX, limit), WaitTimeSeconds=0,
            AttributeNames=["All"], MessageAttributeNames=["All"])
        return list(out.get("Messages", []))

    def _gather(self) -> list[dict[str, Any]]:
        """Up to the batch size, waiting at most the batching window for more once the first message is in."""
        size = self.source.batch_size
        messages = self._receive(size)
        deadline = time.monotonic() + self.source.max_batching_window_s
        while messages and len(messages) < size and not self._stop_event.is_set():
            more = self._receive(size - len(messages))
            messages += more
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if not more:
                self._stop_event.wait(min(self.interval_s, remaining))
        return messages

    def _release(self, messages: list[dict[str, Any]]) -> None:
        """Make received messages that did not fit the batch visible again, for the next batch."""
        for start in range(0, len(messages), SQS_RECEIVE_MAX):
            client("sqs").change_message_visibility_batch(QueueUrl=self.url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for i, m in enumerate(messages[start:start + SQS_RECEIVE_MAX])])

    def poll_once(self) -> bool:
        # An empty queue answers nothing: not asked (Lambda's poller long-polls it, costing the function nothing;
        # here each receive is a moto call, five a second a queue, most of an idle stack's CPU).
        if not moto_speed.queue_holds_messages(self.queue.physical_name):
            return False
        messages = self._gather()
        if not messages:
            return False
        records = within_payload_limit([sqs_record(m, self.arn) for m in messages])
        self._release(messages[len(records):])
        try:
            result = self.invoke(self.source.function, {"Records": records})
            failed = (_failed_ids(result, {r["messageId"] for r in records}) or set()
                      if self.source.report_batch_item_failures else set())
        except Exception:
            logger.exception("queue consumer failed", extra={"function": self.source.function})
            failed = {r["messageId"] for r in records}
        done = [r for r in records if r["messageId"] not in failed]
        for start in range(0, len(done), SQS_RECEIVE_MAX):
            client("sqs").delete_message_batch(QueueUrl=self.url, Entries=[
                {"Id": str(i), "ReceiptHandle": r["receiptHandle"]}
                for i, r in enumerate(done[start:start + SQS_RECEIVE_MAX])])
        return True


def start_pollers(invoke: Invoke, batching_window_s: int | None = None) -> list[_Poller]:
    """One poller per declared event source, each with its declared batching window or `batching_window_s`."""
    pollers: list[_Poller] = []
    for declared in resources.EVENT_SOURCES:
        source = (declared if batching_window_s is None
                  else msgspec.structs.replace(declared, max_batching_window_s=batching_window_s))
        pollers.append(StreamPoller(source, invoke) if source.kind == "table_stream" else QueuePoller(source, invoke))
    streams = [poller for poller in pollers if isinstance(poller, StreamPoller)]
    for table in {stream.table for stream in streams}:
        readers = StreamReaders(table, [stream for stream in streams if stream.table == table])
        for stream in readers.pollers:
            stream.readers = readers
    for poller in pollers:
        poller.start()
    return pollers
