"""moto's slow paths on every DynamoDB item operation, replaced with the same behaviour done faster.

- Results of item operations are written with json.dumps instead of moto's shape-by-shape serializer (about 70%
  of an in-process Query's time), after moto's conversion to plain types done with exact type checks first.
- String and number values compare without moto's general type dispatch (every comparison of a Query's sort).
- A table Query reads its partition; moto tested every item of the table against the partition key. And of the
  partition only the part its sort-key condition selects, found by bisection in an order kept between writes:
  moto sorted the whole partition on every Query.
- An item's size (for the 1 MB page limit, computed twice per item a Query reads) and its copy (the snapshot a
  read answers from) walk the attribute values directly: moto built a DynamoType per map value per call and
  went through copy.deepcopy's dispatch for each value.
- An item built for a write converts its attribute values in one pass and checks its 400 KB limit once: moto
  re-measured every attribute already set on each attribute added (quadratic in the attribute count), and
  found each value's type through two lists built per value.
- A table Query with no filter and no projection takes its items' snapshot (still under the read lock) in the
  result's own shape: moto copied every item, then walked the copies twice more to turn them into that shape.
- A request's id is drawn in one call, not one call per character, and action names are converted once.
- DynamoDB calls go straight to moto's handler instead of through its search of every service's URL patterns,
  and a handler class's methods are listed once, not with inspect.getmembers on every request.
- EventBridge's and KMS's slow paths: `local/moto_services_speed.py`.

Installed by `local.moto_patches.install()`, which callers use.
"""

from __future__ import annotations

import base64
import json
from typing import Any

# Item operations, whose results are plain attribute-value maps: moto serializes them shape by shape through
# botocore's model (about 70% of a Query's time in-process), where json.dumps gives the same document.
PLAIN_JSON_ACTIONS = frozenset({"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                                "BatchWriteItem", "TransactGetItems", "TransactWriteItems"})


# The attribute of a moto handler that receives an item operation's result as plain values instead of JSON.
PARSED_RESULT = "lb_parsed_result"


class PlainAttributes(dict):
    """An item's attributes already in a result's shape (`{"S": "x"}`, `{"M": {...}}`): no null to drop, nothing
    left to convert (a Query's snapshot, below)."""


def _without_nulls(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is PlainAttributes:
        return value
    if kind is dict or isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if kind is list or isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def binary_as_base64(value: Any) -> str:
    """json.dumps' `default` for moto's results: bytes as the JSON protocol's base64 blobs, botocore's shape."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(type(value).__name__)


def plain_json_results() -> None:
    import moto.dynamodb.responses as dynamo_responses
    from moto.dynamodb.models.dynamo_type import DynamoType, Item
    from moto.dynamodb.responses import DynamoHandler

    general = dynamo_responses.dynamo_to_dict

    def dynamo_to_dict(obj: Any) -> Any:
        # moto's conversion of a result to plain types, with the common exact types first: moto asked
        # isinstance and hasattr(obj, "to_json") of every string of every item it returns
        kind = type(obj)
        if kind is str or obj is None or kind is bool or kind is int or kind is float or kind is PlainAttributes:
            return obj
        if kind is dict:
            return {k: dynamo_to_dict(v) for k, v in obj.items()}
        if kind is list:
            return [dynamo_to_dict(v) for v in obj]
        if kind is DynamoType and obj.type not in ("B", "BS"):
            return {obj.type: dynamo_to_dict(obj.value)}
        if kind is Item:
            return dynamo_to_dict(obj.to_json())
        if isinstance(obj, dict) and not hasattr(obj, "to_json"):  # an item's attributes (LimitedSizeDict)
            return {k: dynamo_to_dict(v) for k, v in obj.items()}
        return general(obj)  # binary values, datetimes, subclasses: moto's own rules

    dynamo_responses.dynamo_to_dict = dynamo_to_dict

    original = DynamoHandler.serialized

    def serialized(self: Any, action_result: Any) -> Any:
        result = action_result.result
        if type(result) is not dict or self._get_action() not in PLAIN_JSON_ACTIONS:
            return original(self, action_result)
        cleaned = _without_nulls(result)
        headers = {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}
        if hasattr(self, PARSED_RESULT):
            # an in-process caller (local/moto_direct.py) takes the result as botocore would parse it, binary
            # values as bytes: no JSON written to be read back
            setattr(self, PARSED_RESULT, cleaned)
            return 200, headers, "{}"
        try:
            body = json.dumps(cleaned, default=binary_as_base64)
        except TypeError:  # a value json cannot write: moto's serializer knows its shape
            return original(self, action_result)
        return 200, headers, body

    DynamoHandler.serialized = serialized  # type: ignore[method-assign]


def fast_scalar_values() -> None:
    from decimal import Decimal

    from moto.dynamodb.models.dynamo_type import DynamoType

    general = DynamoType.cast_value.fget  # type: ignore[attr-defined]

    def cast_value(self: Any) -> Any:
        # Keys are strings: moto's general cast tests six types first, on every comparison of a Query's sort.
        kind = self.type
        if kind == "S" or kind == "B":
            return self.value
        if kind == "N":
            return Decimal(self.value)
        return general(self)

    DynamoType.cast_value = property(cast_value)  # type: ignore[method-assign,assignment]


class NotPlainError(Exception):
    """A value moto's own conversion must write (binary values: base64 or bytes, by the caller)."""


def plain_value(value: Any) -> dict[str, Any]:
    """An attribute value in a result's shape, as moto's dynamo_to_dict makes of it."""
    kind, inner = value.type, value.value
    if kind == "M":
        return {"M": {k: plain_value(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [plain_value(v) for v in inner]}
    if kind == "B" or kind == "BS":
        raise NotPlainError
    if kind in _SETS:
        return {kind: list(inner)}
    return {kind: inner}


_SETS = frozenset({"SS", "NS", "BS"})


def _text_size(value: Any) -> int:
    return len(value if isinstance(value, bytes) else value.encode("utf-8"))


def _value_size(value: Any) -> int:
    """moto's DynamoType.size(), the same number without building a DynamoType per map value."""
    kind, inner = value.type, value.value
    if kind == "N":
        return len(str(inner))
    if kind in _SETS:
        return sum(len(str(v)) for v in inner) if kind == "NS" else sum(_text_size(v) for v in inner)
    if kind == "L":
        return sum(_value_size(v) for v in inner)
    if kind == "M":
        return sum(_text_size(k) + _value_size(v) for k, v in inner.items())
    if isinstance(inner, bool):
        return 1
    return _text_size(inner)


def _copied(value: Any) -> Any:
    """moto's DynamoType.__deepcopy__ (a set's list copied, a list's and a map's values copied), without
    copy.deepcopy's memo and dispatch on every value: attribute values hold no cycles and no shared parts."""
    result = object.__new__(type(value))
    kind, inner = value.type, value.value
    result.type = kind
    if kind == "L":
        result.value = [_copied(v) for v in inner]
    elif kind == "M":
        result.value = {k: _copied(v) for k, v in inner.items()}
    elif kind in _SETS:
        result.value = list(inner)
    else:
        result.value = inner
    return result


# Bumped after every DynamoDB write (local/moto_patches.py serializes them all under one lock, reads too): an
# item's size cached at an older count may describe attributes an update has since changed in place.
_writes = [0]
# The same count by table, for writes that name one table; a write that may touch several (a transaction)
# counts against every table (`_every_table`).
_table_writes: dict[str, int] = {}
_every_table = [0]


def note_write(table: str | None = None) -> None:
    _writes[0] += 1
    if table is None:
        _every_table[0] += 1
    else:
        _table_writes[table] = _table_writes.get(table, 0) + 1


def table_stamp(table: str) -> tuple[int, int]:
    """Changes whenever `table` may have been written."""
    return _every_table[0], _table_writes.get(table, 0)


def queue_holds_messages(queue: str) -> bool:
    """Whether this process's moto holds any message of `queue`, visible or not (True when it cannot tell)."""
    from moto.sqs.models import sqs_backends

    from local.cloud import ACCOUNT_ID, REGION

    found = sqs_backends[ACCOUNT_ID][REGION].queues.get(queue)
    return found is None or bool(getattr(found, "_messages", True))


def writes() -> int:
    """How many DynamoDB writes this process's moto has run: a stream can only have grown if this has."""
    return _writes[0]


def direct_item_walks() -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    def item_size(self: Any) -> int:
        # A Query computes the size of every item of the partition it passes (its 1 MB check comes before the
        # key condition), twice for those it returns; between two writes an item's size cannot change.
        cached = self.__dict__.get("_lb_size")
        if cached is not None and cached[0] == _writes[0]:
            return int(cached[1])
        size = sum(_text_size(k) + _value_size(v) for k, v in self.attrs.items())
        self.__dict__["_lb_size"] = (_writes[0], size)
        return size

    def item_copy(self: Any, memo: dict[int, Any]) -> Any:
        result = object.__new__(type(self))
        memo[id(self)] = result
        # One snapshot of the attributes: another request's thread may be writing this very item meanwhile.
        pairs = list(self.attrs.items())
        copies = {id(v): _copied(v) for _, v in pairs}
        # the keys are the same objects as their attributes in moto's items: the copy keeps them shared
        result.hash_key = copies.get(id(self.hash_key)) or (_copied(self.hash_key) if self.hash_key else None)
        result.range_key = copies.get(id(self.range_key)) or (_copied(self.range_key) if self.range_key else None)
        attrs = LimitedSizeDict.__new__(LimitedSizeDict)
        dict.__init__(attrs)  # the source passed the size check on write (moto skips it on copy too)
        for key, value in pairs:
            dict.__setitem__(attrs, key, copies[id(value)])
        result.attrs = attrs
        return result

    DynamoType.size = _value_size  # type: ignore[method-assign,assignment]
    DynamoType.__deepcopy__ = lambda self, memo: _copied(self)  # type: ignore[method-assign]
    Item.size = item_size  # type: ignore[method-assign]
    Item.__deepcopy__ = item_copy  # type: ignore[method-assign]


# moto's limit on an item's size: DynamoDB's 400 KB plus what moto measured the real service to accept.
_ITEM_SIZE_LIMIT = 405000


def single_pass_items() -> None:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    def value_init(self: Any, type_as_dict: Any) -> None:
        if type(type_as_dict) is DynamoType:
            self.type, self.value = type_as_dict.type, type_as_dict.value
        else:
            for self.type, self.value in type_as_dict.items():
                break
            else:
                raise IndexError("list index out of range")  # what moto's list(...)[0] raised
        if self.type == "L":
            self.value = [DynamoType(v) for v in self.value]
        elif self.type == "M":
            self.value = {k: DynamoType(v) for k, v in self.value.items()}

    def item_init(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key, self.range_key = hash_key, range_key
        values = {key: DynamoType(value) for key, value in attrs.items()}
        # moto checked the running total as each attribute was added; the total only grows, so checking the
        # whole once raises for exactly the same items
        if sum(_text_size(k) + _value_size(v) for k, v in values.items()) > _ITEM_SIZE_LIMIT:
            raise ItemSizeTooLarge
        self.attrs = LimitedSizeDict.__new__(LimitedSizeDict)
        dict.update(self.attrs, values)

    DynamoType.__init__ = value_init  # type: ignore[method-assign]
    Item.__init__ = item_init  # type: ignore[method-assign]


def cheap_request_bookkeeping() -> None:
    import functools

    import moto.core.responses as moto_responses
    from moto.moto_api._internal import mock_random

    def request_id(headerdict: dict[str, Any] | None = None) -> str:
        # moto's 52 letters and digits from its own (seedable) random: 39 random bytes in base64, whose two
        # symbols are letters here, instead of 52 draws of one character
        value = base64.b64encode(mock_random.getrandbits(312).to_bytes(39, "big"), altchars=b"xZ").decode()
        if isinstance(headerdict, dict):
            headerdict["x-amzn-requestid"] = value
        return value

    moto_responses.gen_amzn_requestid_long = request_id
    moto_responses.camelcase_to_underscores = functools.lru_cache(maxsize=1024)(
        moto_responses.camelcase_to_underscores)


def direct_dynamodb_routes() -> None:
    """DynamoDB calls go straight to moto's handlers, without moto's search of every service's URL patterns.

    (Requests stay signed: an unsigned one to the loopback server, which names its service by the signature's
    scope, would reach the wrong service; botocore's signer cannot tell the two endpoints apart.)
    """
    from moto.core import botocore_stubber
    from moto.core.exceptions import HTTPException
    from moto.core.request import normalize_request
    from moto.dynamodb.responses import DynamoHandler
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    from local.cloud import REGION

    routes = {f"https://dynamodb.{REGION}.amazonaws.com/": DynamoHandler.dispatch,
              f"https://streams.dynamodb.{REGION}.amazonaws.com/": DynamoDBStreamsHandler.dispatch}
    original = botocore_stubber.BotocoreStubber.process_request

    def process_request(self: Any, request: Any) -> Any:
        # moto matches every URL against every service's patterns and recompiles the service's routes per call
        handler = routes.get(request.url.split("?", 1)[0])
        if handler is None:
            return original(self, request)
        normalized = normalize_request(request)
        try:
            return handler(normalized, normalized.raw_url, normalized.headers)
        except HTTPException as exc:
            return exc.code, exc.get_headers(), exc.get_body()

    botocore_stubber.BotocoreStubber.process_request = process_request  # type: ignore[method-assign]

    import moto.core.responses as moto_responses
    from moto.core.utils import method_names_from_class

    known: dict[type, list[str]] = {}

    def cached_method_names(clazz: Any) -> list[str]:
        # moto lists a handler class's methods with inspect.getmembers on every request
        if clazz not in known:
            known[clazz] = method_names_from_class(clazz)
        return known[clazz]

    moto_responses.method_names_from_class = cached_method_names


def install() -> None:
    """Apply every speed patch; called once per process, under moto_patches' guard."""
    from local import moto_queries

    plain_json_results()
    fast_scalar_values()
    moto_queries.partition_queries()
    direct_item_walks()
    single_pass_items()
    cheap_request_bookkeeping()
    direct_dynamodb_routes()
    from local import moto_direct, moto_services_speed, moto_streams

    moto_services_speed.install()
    moto_streams.install()
    moto_direct.install()
