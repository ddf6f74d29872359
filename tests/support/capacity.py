"""DynamoDB capacity units (WCU/RCU) computed by AWS's rules from the requests a boto3 client actually sends.

moto reports a constant ConsumedCapacity, so a meter attached to a client (botocore event hooks) looks at each
request and at the items it touches, read before and after through a second, unmetered client, and charges:

- a write: the larger of the item's size before and after, in 1 KB units (at least 1); x2 inside a transaction;
  a failed condition still pays for the write;
- each GSI the write changes: +1 write per index entry put, updated or removed (2 when the entry's key changes:
  a delete and a put), sized by the entry (index keys + table keys + projected attributes + 100 bytes). Which
  attributes an index projects is read from the table itself (DescribeTable), so the meter follows whatever
  projection shared/resources.py declares;
- a read: the full item size in 4 KB units, half for eventually consistent reads, x2 in TransactGetItems; a
  Query or Scan pays for every item it evaluates (before its FilterExpression), summed then rounded up.

It lives in tests/support because only tests and benchmarks use it: production code never needs to price its
own requests, and the hooks add a lookup per written item.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import boto3

WRITE_UNIT = 1024
READ_UNIT = 4096
INDEX_ENTRY_OVERHEAD = 100
_WRITES = {"PutItem", "UpdateItem", "DeleteItem"}
_TRANSACT_KINDS = {"Put": "Item", "Update": "Key", "Delete": "Key", "ConditionCheck": "Key"}


def value_size(value: Mapping[str, Any]) -> int:
    """Bytes of one attribute value as DynamoDB counts them."""
    (kind, v), = value.items()
    if kind == "S":
        return len(str(v).encode())
    if kind == "N":
        return _number_size(str(v))
    if kind == "B":
        return len(v)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in v)
    if kind == "NS":
        return sum(_number_size(n) for n in v)
    if kind == "BS":
        return sum(len(b) for b in v)
    if kind == "L":
        return 3 + sum(1 + value_size(e) for e in v)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(e) for k, e in v.items())
    raise ValueError(f"unknown attribute type {kind}")


def _number_size(text: str) -> int:
    digits = format(abs(Decimal(text)).normalize(), "f").replace(".", "").strip("0") or "0"
    return min(21, math.ceil(len(digits) / 2) + 1)


def item_size(item: Mapping[str, Any] | None) -> int:
    """Bytes of an item: attribute names plus values."""
    return sum(len(name.encode()) + value_size(v) for name, v in (item or {}).items())


@dataclass(frozen=True)
class IndexShape:
    """A GSI as the table declares it: its keys and the non-key attributes it projects (None: all)."""

    name: str
    keys: tuple[str, ...]
    projected: frozenset[str] | None

    def entry(self, item: Mapping[str, Any] | None, table_keys: tuple[str, ...]) -> dict[str, Any] | None:
        """The item's entry in this index, or None when the item lacks the index's keys (a sparse index)."""
        if not item or any(k not in item for k in self.keys):
            return None
        if self.projected is None:
            return dict(item)
        wanted = set(self.keys) | set(table_keys) | self.projected
        return {k: v for k, v in item.items() if k in wanted}


@dataclass(frozen=True)
class TableShape:
    keys: tuple[str, ...]
    indexes: tuple[IndexShape, ...]


@dataclass
class Capacity:
    """Units consumed, in total and by operation (GSI writes under "gsi")."""

    wcu: float = 0.0
    rcu: float = 0.0
    requests: Counter[str] = field(default_factory=Counter)
    wcu_by: Counter[str] = field(default_factory=Counter)
    rcu_by: dict[str, float] = field(default_factory=dict)

    def __sub__(self, other: Capacity) -> Capacity:
        rcu_by = {k: v - other.rcu_by.get(k, 0.0) for k, v in self.rcu_by.items() if v != other.rcu_by.get(k, 0.0)}
        return Capacity(self.wcu - other.wcu, self.rcu - other.rcu, self.requests - other.requests,
                        self.wcu_by - other.wcu_by, rcu_by)

    def copy(self) -> Capacity:
        return Capacity(self.wcu, self.rcu, Counter(self.requests), Counter(self.wcu_by), dict(self.rcu_by))


class CapacityMeter:
    """Attach to a DynamoDB client; every request it sends afterwards is priced into `total`."""

    def __init__(self, projection: str | None = None) -> None:
        """`projection` ("KEYS_ONLY", "ALL") prices every GSI as if declared so, for what-if figures."""
        self.projection = projection
        self.total = Capacity()
        self._lock = threading.Lock()
        self._raw: Any = None
        self._shapes: dict[str, TableShape] = {}
        self._id = f"capacity-meter-{id(self)}"

    # wiring ---------------------------------------------------------------------------------------------
    @contextmanager
    def attached(self, ddb: Any) -> Iterator[CapacityMeter]:
        """Meter `ddb` inside the block."""
        # The unmetered client reaches the same endpoint, to look at items without being priced itself.
        self._raw = boto3.client("dynamodb", endpoint_url=ddb.meta.endpoint_url, region_name=ddb.meta.region_name)
        events = ddb.meta.events
        events.register("before-parameter-build.dynamodb", self._before, unique_id=self._id + "-b")
        events.register("after-call.dynamodb", self._after, unique_id=self._id + "-a")
        try:
            yield self
        finally:
            events.unregister("before-parameter-build.dynamodb", unique_id=self._id + "-b")
            events.unregister("after-call.dynamodb", unique_id=self._id + "-a")

    def snapshot(self) -> Capacity:
        with self._lock:
            return self.total.copy()

    def _shape(self, table: str) -> TableShape:
        if table not in self._shapes:
            desc = self._raw.describe_table(TableName=table)["Table"]
            indexes = []
            for gsi in desc.get("GlobalSecondaryIndexes", []):
                projection = gsi.get("Projection", {})
                kind = self.projection or projection.get("ProjectionType", "ALL")
                projected = None if kind == "ALL" else frozenset(
                    projection.get("NonKeyAttributes", []) if kind == "INCLUDE" else [])
                indexes.append(IndexShape(gsi["IndexName"], tuple(k["AttributeName"] for k in gsi["KeySchema"]),
                                          projected))
            self._shapes[table] = TableShape(tuple(k["AttributeName"] for k in desc["KeySchema"]), tuple(indexes))
        return self._shapes[table]

    def _get(self, table: str, key: Mapping[str, Any]) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self._raw.get_item(TableName=table, Key=dict(key),
                                                         ConsistentRead=True).get("Item")
        return item

    def _key_of(self, table: str, item_or_key: Mapping[str, Any]) -> dict[str, Any]:
        return {k: item_or_key[k] for k in self._shape(table).keys}

    # hooks ----------------------------------------------------------------------------------------------
    def _before(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        op = model.name
        if op in _WRITES:
            key = self._key_of(params["TableName"], params.get("Item") or params["Key"])
            context[self._id] = [(params["TableName"], key, self._get(params["TableName"], key), 1)]
        elif op == "TransactWriteItems":
            touched = []
            for entry in params["TransactItems"]:
                (kind, body), = entry.items()
                key = self._key_of(body["TableName"], body[_TRANSACT_KINDS[kind]])
                touched.append((body["TableName"], key, self._get(body["TableName"], key), 2))
            context[self._id] = touched
        elif op == "BatchWriteItem":
            touched = []
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    body = request.get("PutRequest") or request["DeleteRequest"]
                    key = self._key_of(table, body.get("Item") or body["Key"])
                    touched.append((table, key, self._get(table, key), 1))
            context[self._id] = touched
        else:
            context[self._id] = dict(params)

    def _after(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        op = model.name
        wcu: Counter[str] = Counter()
        rcu: dict[str, float] = defaultdict(float)
        failed = "Error" in parsed
        if op in _WRITES or op in ("TransactWriteItems", "BatchWriteItem"):
            unprocessed = {self._frozen(self._key_of(t, (r.get("PutRequest") or r["DeleteRequest"]).get("Item")
                                                     or (r.get("PutRequest") or r["DeleteRequest"]).get("Key")))
                           for t, rs in (parsed.get("UnprocessedItems") or {}).items() for r in rs}
            for table, key, before, factor in context.get(self._id, []):
                if self._frozen(key) in unprocessed:
                    continue
                after = before if failed else self._get(table, key)
                wcu[op] += factor * max(1, math.ceil(max(item_size(before), item_size(after)) / WRITE_UNIT))
                if not failed:
                    wcu["gsi"] += self._index_writes(table, before, after)
        elif op == "GetItem" and not failed:
            params = context[self._id]
            item = parsed.get("Item")
            size = self._stored_size(params["TableName"], params["Key"], item,
                                     "ProjectionExpression" in params) if item else 0
            rcu[op] += self._read_units(size, item is not None, consistent=bool(params.get("ConsistentRead")))
        elif op in ("BatchGetItem", "TransactGetItems") and not failed:
            rcu[op] += self._multi_get_units(op, context[self._id], parsed)
        elif op in ("Query", "Scan") and not failed:
            rcu[op] += self._query_units(context[self._id], parsed)
        with self._lock:
            self.total.requests[op] += 1
            self.total.wcu += sum(wcu.values())
            self.total.rcu += sum(rcu.values())
            self.total.wcu_by.update(wcu)
            for op_name, units in rcu.items():
                self.total.rcu_by[op_name] = self.total.rcu_by.get(op_name, 0.0) + units

    # pricing --------------------------------------------------------------------------------------------
    @staticmethod
    def _frozen(key: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((k, repr(v)) for k, v in key.items()))

    def _index_writes(self, table: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> int:
        shape = self._shape(table)
        units = 0
        for index in shape.indexes:
            old, new = index.entry(before, shape.keys), index.entry(after, shape.keys)
            if old == new:
                continue
            if old is None or new is None:
                changed = [old or new]
            elif any(old[k] != new[k] for k in index.keys):
                changed = [old, new]  # a new index key: the old entry is deleted and a new one put
            else:
                changed = [old if item_size(old) > item_size(new) else new]
            units += sum(max(1, math.ceil((item_size(e) + INDEX_ENTRY_OVERHEAD) / WRITE_UNIT)) for e in changed)
        return units

    @staticmethod
    def _read_units(size: int, found: bool, *, consistent: bool) -> float:
        units = max(1, math.ceil(size / READ_UNIT)) if found else 1
        return units if consistent else units / 2

    def _stored_size(self, table: str, key: Mapping[str, Any], item: Mapping[str, Any], projected: bool) -> int:
        # A ProjectionExpression does not reduce what a read costs: price the whole stored item.
        return item_size(self._get(table, key) if projected else item)

    def _multi_get_units(self, op: str, params: dict[str, Any], parsed: dict[str, Any]) -> float:
        total = 0.0
        if op == "TransactGetItems":
            for response in parsed.get("Responses", []):
                if "Item" in response:
                    total += 2 * self._read_units(item_size(response["Item"]), True, consistent=True)
            return total
        for table, items in parsed.get("Responses", {}).items():
            request = params["RequestItems"][table]
            consistent = bool(request.get("ConsistentRead"))
            # each item of a BatchGetItem is priced as its own GetItem, rounded up alone
            if "ProjectionExpression" in request:
                # the projection may leave the keys out: price each requested key that was found
                stored = [self._get(table, key) for key in request["Keys"]]
                sizes = [item_size(i) for i in stored if i is not None][:len(items)]
            else:
                sizes = [item_size(i) for i in items]
            total += sum(self._read_units(size, True, consistent=consistent) for size in sizes)
        return total

    def _query_units(self, params: dict[str, Any], parsed: dict[str, Any]) -> float:
        rerun = {k: v for k, v in params.items()
                 if k not in ("FilterExpression", "ProjectionExpression", "Select", "AttributesToGet")}
        if "FilterExpression" in params or "ProjectionExpression" in params or "Select" in params:
            # What was evaluated: the same page without filter or projection (expression names/values pruned).
            rerun.pop("ExpressionAttributeNames", None)
            rerun.pop("ExpressionAttributeValues", None)
            used = _used_tokens(str(params.get("KeyConditionExpression", "")))
            if params.get("ExpressionAttributeNames"):
                names = {k: v for k, v in params["ExpressionAttributeNames"].items() if k in used}
                if names:
                    rerun["ExpressionAttributeNames"] = names
            if params.get("ExpressionAttributeValues"):
                values = {k: v for k, v in params["ExpressionAttributeValues"].items() if k in used}
                if values:
                    rerun["ExpressionAttributeValues"] = values
            scanned = int(parsed.get("ScannedCount", 0))
            rerun["Limit"] = max(1, scanned)
            items = getattr(self._raw, "query" if "KeyConditionExpression" in params else "scan")(**rerun)["Items"]
            items = items[:scanned]
        else:
            items = parsed.get("Items", [])
        size = sum(item_size(i) for i in items)
        return self._read_units(size, True, consistent=bool(params.get("ConsistentRead")))


def _used_tokens(expression: str) -> set[str]:
    out, token = set(), ""
    for ch in expression + " ":
        if ch.isalnum() or ch in "_#:":
            token += ch
        else:
            if token[:1] in ("#", ":"):
                out.add(token)
            token = ""
    return out


@contextmanager
def metered(ddb: Any) -> Iterator[CapacityMeter]:
    """A fresh meter on `ddb` for the block: `with metered(client("dynamodb")) as meter: ...; meter.total`."""
    meter = CapacityMeter()
    with meter.attached(ddb):
        yield meter
