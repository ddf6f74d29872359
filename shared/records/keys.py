"""The records table's key scheme: write-sharded record items, index slots, unique, counter and reverse-reference
items."""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Callable
from typing import Any

# A collection's records spread over its layout's count of partition keys (its write shards), so no collection
# is one hot partition. Each takes about 1,000 creates/s; fewer shards make a page cheaper to read
# (docs/data-model.md, "Write sharding"). The count is chosen when the collection is created and never changes:
# changing it would move every record to another key.
NEW_COLLECTION_SHARDS = 2
# The count of every collection whose stored layout predates per-collection counts (they were all 8).
LEGACY_SHARDS = 8
# The most a collection may ask for (its layout's `shards`): a page's first wave is one request per shard.
MAX_SHARDS = 16
# A collection id's write shard count, as its stored layout says (the catalog's `shard_count`).
ShardCounts = Callable[[str], int]
# Index key components are cut to this many characters: keys stay far below DynamoDB's size limits, and
# every candidate is re-checked against the full filter, so a cut only costs precision, never correctness.
MAX_KEY_PART = 256
SEP = "\x01"

RECORD_PREFIX = "r#"
UNIQUE_PREFIX = "u#"
COUNTER_PREFIX = "n#"
# The record attribute naming the gsi<slot>pk attributes whose partitions keep no counter (space-separated).
UNCOUNTED_ATTR = "nc"
# Not a record key (`r#`), so stream consumers skip reverse-reference items as they skip claims and counters.
REFERENCE_PREFIX = "ref#"


def fixed_shards(count: int) -> ShardCounts:
    """Every collection with the same count (tools and tests that hold no catalog)."""
    return lambda _collection_id: count


def shard_of(record_id: str, shards: int) -> int:
    """The write shard of a record of a collection of `shards` shards."""
    return int(hashlib.sha1(record_id.encode()).hexdigest()[:8], 16) % shards


def record_pk(collection_id: str, shard: int) -> str:
    return f"{RECORD_PREFIX}{collection_id}#{shard}"


def record_key(collection_id: str, record_id: str, shards: int) -> dict[str, dict[str, str]]:
    return {"pk": {"S": record_pk(collection_id, shard_of(record_id, shards))}, "sk": {"S": record_id}}


def shard_from_pk(pk: str) -> int:
    return int(pk.rsplit("#", 1)[1])


def encode_value(value: Any) -> str:
    """An order-preserving string for a field value: numbers by their IEEE bits, text as is, lists as JSON."""
    if isinstance(value, bool):
        return "b1" if value else "b0"
    if isinstance(value, (int, float)):
        number = float(value)
        if math.isnan(number):
            number = 0.0
        bits = struct.unpack(">Q", struct.pack(">d", number))[0]
        bits = bits ^ 0xFFFFFFFFFFFFFFFF if bits >> 63 else bits | (1 << 63)
        return f"n{bits:016x}"
    if value is None:
        return "s"
    if isinstance(value, (list, dict)):
        import json

        value = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return "s" + str(value).replace(SEP, " ")[:MAX_KEY_PART]


def index_pk(collection_id: str, slot: int, leading_value: Any) -> str:
    return f"{collection_id}#{slot}#{encode_value(leading_value)}"


def index_sk(rest_values: list[Any], record_id: str) -> str:
    return SEP.join([*(encode_value(v) for v in rest_values), record_id])


def unique_pk(collection_id: str, index_name: str, values: list[Any]) -> str:
    digest = hashlib.sha256(SEP.join(encode_value(v).lower() for v in values).encode()).hexdigest()
    return f"{UNIQUE_PREFIX}{collection_id}#{index_name}#{digest}"


def counter_pk(partition: str) -> str:
    """The counter of a collection (partition = collection id) or of one index partition (its GSI pk)."""
    return f"{COUNTER_PREFIX}{partition}"


def unordered_pk(collection_id: str) -> str:
    """The marker saying a collection's id order may not be its `created` order (shared/records/creation_order).

    Under the counter prefix, which stream consumers skip; `#unordered` cannot be an index partition, whose
    second part is a slot number."""
    return f"{COUNTER_PREFIX}{collection_id}#unordered"


UNORDERED_SK = "unordered"


def reference_pk(target_collection_id: str, target_id: str) -> str:
    """The partition of every reverse reference to one record: "who points at me" is one Query."""
    return f"{REFERENCE_PREFIX}{target_collection_id}#{target_id}"


def reference_sk_prefix(source_collection_id: str, field_id: str) -> str:
    """The sort-key prefix of the references made through one relation field (SEP never occurs in ids)."""
    return f"{source_collection_id}{SEP}{field_id}{SEP}"


def reference_sk(source_collection_id: str, field_id: str, source_id: str) -> str:
    return reference_sk_prefix(source_collection_id, field_id) + source_id


def reference_source(sk: str) -> tuple[str, str, str]:
    """(source collection id, field id, source record id) of a reverse reference's sort key."""
    source_collection_id, field_id, source_id = sk.split(SEP, 2)
    return source_collection_id, field_id, source_id
