"""moto's table Query, made to read what DynamoDB reads: the one partition, and of it only the key range its
sort-key condition selects (found by bisection in an order kept between writes), with the results' snapshot
taken in the answer's shape (module doc of local/moto_speed.py, which installs it)."""

from __future__ import annotations

import bisect
import copy
import threading
from typing import Any

from local.moto_speed import NotPlainError, PlainAttributes, plain_value, table_stamp


class _Snapshot:
    """What a Query's answer reads of an item copy (`attrs`), taken in the answer's shape."""

    __slots__ = ("attrs",)

    def __init__(self, attrs: PlainAttributes) -> None:
        self.attrs = attrs


class _TableCopy:
    """The `copy` module as moto's table module sees it: copy.deepcopy, except for the one deepcopy of a plain
    Query (its results), which takes snapshots. Per thread: the flag is set under the read lock by the Query
    running on this thread, and moto's other copies (scans, backups) go to copy.deepcopy as before."""

    plain_query = threading.local()
    copy = staticmethod(copy.copy)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        if type(value) is list and getattr(_TableCopy.plain_query, "active", False):
            _TableCopy.plain_query.active = False  # one results list a Query
            try:
                return [_Snapshot(PlainAttributes({k: plain_value(v) for k, v in item.attrs.items()}))
                        for item in value]
            except NotPlainError:
                pass
        return copy.deepcopy(value, memo)


# A partition's items in sort-key order, and their sort keys' values, as of its table's writes: a Query
# takes the part of its partition its key condition selects by bisection, where moto sorted the whole partition
# and tested every item, so a page's cost grew with the collection. Held by the partition's id, with the
# partition itself so that the id cannot be reused by another; a few thousand partitions at most.
_ordered: dict[int, tuple[Any, tuple[int, int], list[Any], list[Any]]] = {}
_ORDERED_KEPT = 4096
_BOUNDS = {"=": "eq", "EQ": "eq", "<": "lt", "LT": "lt", "<=": "le", "LE": "le", ">": "gt", "GT": "gt",
           ">=": "ge", "GE": "ge", "BETWEEN": "between"}


# Table.query's named parameters; any other keyword is a legacy condition this does not narrow.
_QUERY_KEYWORDS = frozenset({"range_comparison", "range_objs", "limit", "exclusive_start_key", "scan_index_forward",
                             "projection_expressions", "index_name", "consistent_read", "filter_expression",
                             "hash_key_conditions", "range_key_conditions"})


def _in_key_order(table: str, partition: dict[Any, Any]) -> tuple[list[Any], list[Any]]:
    stamp = table_stamp(table)
    entry = _ordered.get(id(partition))
    if entry is not None and entry[0] is partition and entry[1] == stamp:
        return entry[2], entry[3]
    items = sorted(partition.values(), key=lambda item: item.range_key)  # moto's own order of a Query
    values = [item.range_key.cast_value for item in items]
    if len(_ordered) >= _ORDERED_KEPT:
        _ordered.clear()
    _ordered[id(partition)] = (partition, stamp, items, values)
    return items, values


def _key_range(table: Any, partition: dict[Any, Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    """The items of the partition a Query's sort-key condition can select, in key order, with one more on each
    side: moto ends a page with a LastEvaluatedKey only when some item follows its last, and still does."""
    items, values = _in_key_order(table.name, partition)
    range_key_attr = table.range_key_attr
    if set(kwargs) - _QUERY_KEYWORDS:  # the legacy KeyConditions' other comparisons: moto's own way
        return list(items)
    comparison = args[0] if args else kwargs.get("range_comparison")
    objects = args[1] if len(args) > 1 else kwargs.get("range_objs") or []
    conditions = kwargs.get("range_key_conditions") or []
    bound = _BOUNDS.get(str(comparison).upper()) if comparison else None
    if not values or any(name != range_key_attr for name, _, _ in conditions) or (comparison and (
            bound is None or not objects or any(type(o.cast_value) is not type(values[0]) for o in objects))):
        return list(items)  # a condition this does not narrow (begins_with): moto tests every item
    start, end = 0, len(values)
    if bound is not None:
        low, high = objects[0].cast_value, objects[-1].cast_value
        start, end = {"eq": (bisect.bisect_left(values, low), bisect.bisect_right(values, low)),
                      "lt": (0, bisect.bisect_left(values, low)), "le": (0, bisect.bisect_right(values, low)),
                      "gt": (bisect.bisect_right(values, low), len(values)),
                      "ge": (bisect.bisect_left(values, low), len(values)),
                      "between": (bisect.bisect_left(values, low), bisect.bisect_right(values, high))}[bound]
        end = max(start, end)
    start, end = _page_of(values, start, end, args, kwargs, range_key_attr)
    return items[max(0, start - 1):min(len(items), end + 1)]


def _page_of(values: list[Any], start: int, end: int, args: tuple[Any, ...], kwargs: dict[str, Any],
             range_key_attr: str) -> tuple[int, int]:
    """Of the items from `start` to `end`, those a page can reach: from the ExclusiveStartKey (moto skips it
    and what comes before it) on, at most `limit` past it and one more (moto's LastEvaluatedKey needs it)."""
    limit = args[2] if len(args) > 2 else kwargs.get("limit")
    start_key = args[3] if len(args) > 3 else kwargs.get("exclusive_start_key")
    forward = args[4] if len(args) > 4 else kwargs.get("scan_index_forward", True)
    if start_key and range_key_attr in start_key:
        from moto.dynamodb.models.dynamo_type import DynamoType

        at = DynamoType(start_key[range_key_attr]).cast_value
        if type(at) is not type(values[0]):
            return start, end
        if forward is False:
            end = max(start, min(end, bisect.bisect_right(values, at)))
        else:
            start = min(end, max(start, bisect.bisect_left(values, at)))
    if isinstance(limit, int) and limit > 0:
        if forward is False:
            start = max(start, end - limit - 2)
        else:
            end = min(end, start + limit + 2)
    return start, end


def partition_queries() -> None:
    import moto.dynamodb.models.table as moto_table
    from moto.dynamodb.comparisons import OpDefault
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    original = Table.query

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        # moto answers a table Query by testing every item of the table against the partition key, so a page
        # cost grew with the table; on DynamoDB (and here) it reads the one partition. The backend runs it under
        # moto_patches' lock, so no other thread sees the partition-only all_items.
        index_name = kwargs["index_name"] if "index_name" in kwargs else (args[6] if len(args) > 6 else None)
        if index_name or not self.range_key_attr or not isinstance(hash_key, DynamoType):
            return original(self, hash_key, *args, **kwargs)
        projection = args[5] if len(args) > 5 else kwargs.get("projection_expressions")
        condition = kwargs["filter_expression"] if "filter_expression" in kwargs else \
            (args[8] if len(args) > 8 else None)
        # Without a filter or a projection, moto's copies of the results are only read for their attributes'
        # answer (DynamoHandler.query's `item.attrs`): one walk makes that answer under the same lock, where
        # moto copied the items and then walked the copies twice (into plain types, then dropping nulls).
        plain = not projection and (condition is None or type(condition) is OpDefault)
        partition = self.items.get(hash_key, {})
        candidates = _key_range(self, partition, args, kwargs)
        self.all_items = lambda: candidates
        _TableCopy.plain_query.active = plain
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items
            _TableCopy.plain_query.active = False

    Table.query = query  # type: ignore[method-assign]
    moto_table.copy = _TableCopy  # type: ignore[assignment]
