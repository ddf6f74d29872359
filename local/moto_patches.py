"""moto made to behave like DynamoDB where the local stack depends on it: atomic, fast, bounded, monotonic.

Each patch names the moto behaviour it replaces and why; all are installed once per process by `install()`.

- Atomic conditional writes: moto checks a ConditionExpression and then applies the write without a lock, so two
  concurrent writes conditioned on the same version could both succeed. Every DynamoDB write runs under one
  process-wide lock, which makes check-and-write one step (and lets a write observer, the journal, see each
  committed write in commit order). Reads take the same lock: moto iterates a table's dicts, which a concurrent
  write could resize under it.
- Transactions: moto deep-copies the whole table for every item of a TransactWriteItems to roll back on failure
  (a batch of 100 creates took more than 15 s). Only the touched items and the stream's length are saved here.
- Memory: moto keeps shard iterators in an unbounded dict: only the newest are kept, as AWS expires them. A
  stream keeps its newest records only (AWS trims after 24 h; local consumers lag by seconds), and the records
  every local consumer has read go sooner (`trim_read_records`, called by local/pollers.py). moto's other
  unbounded memory (every model instance, SQS's deleted receipt handles) and EventBridge's request size limit:
  local/moto_bounds.py.
- Speed: moto's slow paths on every item operation, in local/moto_speed.py.
- Sequence numbers: moto starts every stream at one constant, so after a restart new changes got numbers the
  counters had already applied and were skipped. A stream starts above both the clock (in microseconds, more
  than one a write) and the highest number a snapshot saved, so numbers only grow, as on AWS.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import Any

from local import moto_bounds, moto_speed

WRITE_LOCK = threading.RLock()
# moto's own constant start; a data folder from before this patch holds counters near it, so start above it.
MOTO_FIRST_SEQUENCE = 1100000000017454423009
# AWS keeps a stream's records for 24 hours; moto keeps them forever, and memory with them. The pollers read
# within a poll interval, but a burst (a bulk import, a 5,000-record truncate, an index build) writes far faster
# than a consumer reads, and a record trimmed before it is read is a change lost to every consumer (counters
# first). So the horizon is a burst's size with room to spare, not a poll interval's.
STREAM_RECORDS_KEPT = 100_000
SHARD_ITERATORS_KEPT = 1_000

WriteObserver = Callable[[Any, list[tuple[str, dict[str, Any]]]], None]
_observers: list[WriteObserver] = []
_depth = threading.local()
_sequence_floor = 0
_installed = False


def add_write_observer(observer: WriteObserver) -> None:
    """Call `observer(backend, [(table_name, key), ...])` after every committed outermost write, under the lock."""
    _observers.append(observer)


def remove_write_observer(observer: WriteObserver) -> None:
    if observer in _observers:
        _observers.remove(observer)


def raise_sequence_floor(highest: int) -> None:
    """Streams created from now on start above `highest` (the largest sequence number a snapshot saved)."""
    global _sequence_floor
    _sequence_floor = max(_sequence_floor, highest)


def next_stream_start() -> int:
    return max(MOTO_FIRST_SEQUENCE + time.time_ns() // 1000, _sequence_floor + 1)


def _tables() -> dict[str, Any]:
    from moto.dynamodb.models import dynamodb_backends

    from local.cloud import ACCOUNT_ID, REGION

    return dict(dynamodb_backends[ACCOUNT_ID][REGION].tables)


def next_sequence_numbers() -> dict[str, int]:
    """Per table with a stream, the sequence number its next change will get."""
    return {name: t.stream_shard.starting_sequence_number + len(t.stream_shard.items)
            for name, t in _tables().items() if t.stream_shard is not None}


def skip_stream_backlog() -> int:
    """Drop every stream record written so far (a restore's), as if the pollers had read them; returns how many."""
    dropped = 0
    with WRITE_LOCK:
        for table in _tables().values():
            if table.stream_shard is not None:
                dropped += len(table.stream_shard.items)
                trim_stream(table.stream_shard, len(table.stream_shard.items))
    return dropped


def trim_read_records(table_name: str, shard_id: str, read_through: int, keep: int) -> int:
    """Forget the records of a table's stream shard up to sequence number `read_through`, all but the newest
    `keep` of those; returns how many went. Never inside a transaction, which holds the write lock throughout."""
    with WRITE_LOCK:
        table = _tables().get(table_name)
        shard = table.stream_shard if table is not None else None
        if shard is None or shard.id != shard_id:
            return 0
        count = read_through - shard.starting_sequence_number + 1 - keep
        if count <= 0:
            return 0
        trim_stream(shard, count)
        return count


def _key_of(table: Any, attrs: dict[str, Any]) -> dict[str, Any]:
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _touched(backend: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[tuple[str, Any]]:
    """The (table, key) pairs a write operation names, from its own arguments."""
    if name == "transact_write_items":
        items = args[0] if args else kwargs["transact_items"]
        out = []
        for entry in items:
            op_type, op = next(iter(entry.items()))
            if op_type == "ConditionCheck":
                continue
            table = backend.get_table(op["TableName"])
            out.append((table.name, _key_of(table, op["Item"] if op_type == "Put" else op["Key"])))
        return out
    table_name = args[0] if args else kwargs["table_name"]
    table = backend.get_table(table_name)
    if name == "put_item":
        attrs = args[1] if len(args) > 1 else kwargs["item_attrs"]
    else:
        attrs = args[1] if len(args) > 1 else kwargs["key"]
    return [(table.name, _key_of(table, attrs))]


def _table_name(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    """The table a backend's put_item, update_item or delete_item writes (its first parameter)."""
    name = args[0] if args else kwargs.get("table_name")
    return name if isinstance(name, str) else None


def _serialize_writes() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name)

        def locked(self: Any, *args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
            with WRITE_LOCK:
                depth = getattr(_depth, "n", 0)
                _depth.n = depth + 1
                try:
                    result = _original(self, *args, **kwargs)
                finally:
                    _depth.n = depth
                    # items may have changed in place: cached item sizes and key orders are stale
                    moto_speed.note_write(None if _name == "transact_write_items" else _table_name(args, kwargs))
                # Only the outermost write is observed: a transaction's inner puts commit with it or not at all.
                if depth == 0 and _observers:
                    touched = _touched(self, _name, args, kwargs)
                    for observer in list(_observers):
                        observer(self, touched)
                return result

        setattr(DynamoDBBackend, name, locked)


def _serialize_reads() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    for name in ("get_item", "query", "scan"):
        original = getattr(DynamoDBBackend, name)

        def locked(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            # moto iterates a table's dicts while a write in another thread resizes them ("dictionary changed
            # size during iteration", a 500); DynamoDB reads never fail that way.
            with WRITE_LOCK:
                return _original(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, locked)


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    """moto's TransactWriteItems, rolling back the touched items instead of restoring whole-table copies."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    saved_items: list[tuple[Any, Any, Any, Any]] = []  # (table, hash, range, item before or None)
    stream_lengths: dict[str, tuple[Any, int]] = {}
    seen: set[tuple[str, str]] = set()

    def save(table: Any, key: dict[str, Any]) -> None:
        hash_value, range_value = self.get_keys_value(table, key)
        saved_items.append((table, hash_value, range_value, copy.deepcopy(table.get_item(hash_value, range_value))))
        if table.stream_shard is not None and table.name not in stream_lengths:
            stream_lengths[table.name] = (table.stream_shard, len(table.stream_shard.items))

    def rollback() -> None:
        for table, hash_value, range_value, before in reversed(saved_items):
            if range_value is None:
                if before is None:
                    table.items.pop(hash_value, None)
                else:
                    table.items[hash_value] = before
            elif before is None:
                table.items.get(hash_value, {}).pop(range_value, None)
            else:
                table.items[hash_value][range_value] = before
        for shard, length in stream_lengths.values():
            del shard.items[length:]

    errors: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
    for entry in transact_items:
        original_item: dict[str, Any] | None = None
        if len(entry) > 1:
            rollback()
            raise TransactWriteSingleOpException
        try:
            op_type, op = next(iter(entry.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            table = self.get_table(table_name)
            key = _key_of(table, op["Item"]) if op_type == "Put" else op["Key"]
            marker = (str(table_name), str(dict(sorted(key.items()))))
            if marker in seen:
                raise MultipleTransactionsException()
            seen.add(marker)
            save(table, key)
            condition = op.get("ConditionExpression")
            names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            current = self.get_item(table_name, key)
            if condition is not None and not get_filter_expression(condition, names, values).expr(current):
                if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                    original_item = current.to_json()["Attributes"]
                raise ConditionalCheckFailed(item=original_item)
            if op_type == "Put":
                self.put_item(table_name, op["Item"], condition_expression=condition,
                              expression_attribute_names=names, expression_attribute_values=values)
            elif op_type == "Delete":
                self.delete_item(table_name, key, condition_expression=condition,
                                 expression_attribute_names=names, expression_attribute_values=values)
            elif op_type == "Update":
                self.update_item(table_name, key, update_expression=op["UpdateExpression"],
                                 condition_expression=condition, expression_attribute_names=names,
                                 expression_attribute_values=values)
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            rollback()
            raise
        except ConditionalCheckFailed as exc:
            errors.append(("ConditionalCheckFailed", str(exc.message), original_item))
        except Exception as exc:  # moto reports any other failure as that item's cancellation reason
            errors.append((type(exc).__name__, str(exc), original_item))
    if any(code is not None for code, _, _ in errors):
        rollback()
        raise TransactionCanceledException(errors)


def _bound_streams() -> None:
    from moto.dynamodb.models.table import StreamShard
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    original_init = StreamShard.__init__
    original_add = StreamShard.add

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.starting_sequence_number = next_stream_start()

    def add(self: Any, old: Any, new: Any) -> None:
        original_add(self, old, new)
        excess = len(self.items) - STREAM_RECORDS_KEPT
        # never inside a transaction (depth 2), whose rollback truncates the stream back to a saved length
        if excess > 0 and getattr(_depth, "n", 0) <= 1:
            trim_stream(self, excess + STREAM_RECORDS_KEPT // 10)

    def get(self: Any, start: int, quantity: int) -> list[dict[str, Any]]:
        # Past the trim horizon AWS answers TrimmedDataAccessException; the oldest kept record is the closest.
        offset = start - self.starting_sequence_number
        if offset < 0:
            from shared.observability import logger

            logger.warning("stream read behind the trim horizon: records skipped",
                           extra={"table": self.table.name, "skipped": -offset})
            offset = 0
        return [record.to_json() for record in self.items[offset:offset + quantity]]

    streams_init = DynamoDBStreamsBackend.__init__

    def backend_init(self: Any, *args: Any, **kwargs: Any) -> None:
        streams_init(self, *args, **kwargs)
        self.shard_iterators = moto_bounds.NewestOnly(SHARD_ITERATORS_KEPT)

    original_get_records = DynamoDBStreamsBackend.get_records

    def get_records(self: Any, iterator_arn: str, limit: int) -> dict[str, Any]:
        # A transaction rolls its stream records back under the write lock: never read them in between.
        with WRITE_LOCK:
            return dict(original_get_records(self, iterator_arn, limit))

    StreamShard.__init__ = init  # type: ignore[method-assign]
    StreamShard.add = add  # type: ignore[method-assign]
    StreamShard.get = get  # type: ignore[method-assign]
    DynamoDBStreamsBackend.__init__ = backend_init  # type: ignore[method-assign]
    DynamoDBStreamsBackend.get_records = get_records  # type: ignore[method-assign]


def trim_stream(shard: Any, count: int) -> None:
    """Forget a stream shard's oldest `count` records, keeping every sequence number where it was."""
    count = min(count, len(shard.items))
    del shard.items[:count]
    shard.starting_sequence_number += count


def install() -> None:
    """Apply every patch once per process (moto's backends are per process, shared by every server in it)."""
    global _installed
    with WRITE_LOCK:
        if _installed:
            return
        from moto.dynamodb.models import DynamoDBBackend

        moto_bounds.track_few_instances()
        DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
        _serialize_writes()
        _serialize_reads()
        _bound_streams()
        moto_bounds.bound_queues()
        moto_bounds.cap_put_events()
        moto_speed.install()
        _installed = True
