"""How record writes and plans become DynamoDB requests: items, update and condition expressions, filter and
key conditions, and what a cancelled transaction's reasons mean in domain terms."""

from __future__ import annotations

from typing import Any

import msgspec
from botocore.exceptions import ClientError

from shared.dynamo_values import to_attribute
from shared.records import keys
from shared.records.actor import ACTOR_ATTR, DELETING_ATTR, encode_actor
from shared.records.model import RecordConflictError, RecordTooLargeError, RecordWrite
from shared.records.planner import Comparison, KeyRange


class Op(msgspec.Struct, frozen=True):
    """One TransactWriteItems entry and what its condition protects, to explain a cancellation."""

    request: dict[str, Any]
    write: RecordWrite
    claim: str | None = None  # the claim key, for a claim put


def filter_expression(pushdown: tuple[Comparison, ...]) -> tuple[str, dict[str, str], dict[str, Any]] | None:
    if not pushdown:
        return None
    parts, names, values = [], {"#pd": "d"}, {}
    for i, cmp in enumerate(pushdown):
        names[f"#p{i}"] = cmp.field_id
        values[f":p{i}"] = to_attribute(cmp.value)
        expr = f"#pd.#p{i} {cmp.op} :p{i}"
        parts.append(f"(attribute_not_exists(#pd.#p{i}) OR {expr})" if cmp.absent_matches else expr)
    return " AND ".join(parts), names, values


def sk_condition(key_range: KeyRange | None) -> tuple[str, dict[str, Any]] | None:
    if key_range is None:
        return None
    if key_range.lower is None and key_range.upper is None:
        return ("begins_with(#sk, :lo)", {":lo": {"S": key_range.prefix}}) if key_range.prefix else None
    return "#sk BETWEEN :lo AND :hi", {":lo": {"S": key_range.lower or ""}, ":hi": {"S": key_range.upper or ""}}


def record_ops(table: str, w: RecordWrite, shards: int) -> list[Op]:
    """The write's record operation and its claims; `shards` the record's collection's write shard count."""
    rec = w.record
    key = keys.record_key(rec.collection_id, rec.id, shards)
    ops: list[Op] = []
    if w.kind == "create":
        ops.append(Op({"Put": {"TableName": table, "Item": record_item(w, shards),
                                "ConditionExpression": "attribute_not_exists(pk)"}}, w))
    elif w.kind == "update":
        ops.append(Op({"Update": update_params(table, key, w)}, w))
    else:
        params: dict[str, Any] = {"TableName": table, "Key": key}
        if w.expected_version is not None:
            params.update(ConditionExpression="v = :v", ExpressionAttributeValues={
                ":v": {"N": str(w.expected_version)}})
        else:
            params["ConditionExpression"] = "attribute_exists(pk)"
        ops.append(Op({"Delete": params}, w))
    for claim in w.claims:
        ops.append(Op({"Put": {"TableName": table,
                                "Item": {"pk": {"S": claim}, "sk": {"S": "u"}, "rid": {"S": rec.id}},
                                "ConditionExpression": "attribute_not_exists(pk) OR rid = :rid",
                                "ExpressionAttributeValues": {":rid": {"S": rec.id}}}}, w, claim))
    for release in w.releases:
        # Only the holder releases a claim: a release never deletes another record's claim.
        ops.append(Op({"Delete": {"TableName": table, "Key": {"pk": {"S": release}, "sk": {"S": "u"}},
                                   "ConditionExpression": "attribute_not_exists(pk) OR rid = :rid",
                                   "ExpressionAttributeValues": {":rid": {"S": rec.id}}}}, w))
    return ops

def record_item(w: RecordWrite, shards: int) -> dict[str, Any]:
    rec = w.record
    stamp = {ACTOR_ATTR: {"S": encode_actor(w.actor)}} if w.actor else {}
    return {**keys.record_key(rec.collection_id, rec.id, shards), "c": {"S": rec.collection_id},
            "d": to_attribute(rec.data), "v": {"N": str(rec.version)},
            **{k: {"S": v} for k, v in w.index_attrs.items()}, **stamp}


def delete_stamp_params(table: str, w: RecordWrite, shards: int) -> dict[str, Any]:
    """The UpdateItem that names a delete's actor on the item just before the delete (shared/records/actor.py):
    conditioned as the delete is, and leaving the version, which the delete is conditioned on, as it is."""
    rec = w.record
    values: dict[str, Any] = {":a": {"S": encode_actor(w.actor or {})}, ":x": {"N": "1"}}
    condition = "attribute_exists(pk)"
    if w.expected_version is not None:
        condition += " AND v = :v"
        values[":v"] = {"N": str(w.expected_version)}
    return {"TableName": table, "Key": keys.record_key(rec.collection_id, rec.id, shards),
            "UpdateExpression": "SET #a = :a, #x = :x", "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#a": ACTOR_ATTR, "#x": DELETING_ATTR}, "ExpressionAttributeValues": values}

def update_params(table: str, key: dict[str, Any], w: RecordWrite) -> dict[str, Any]:
    # DynamoDB rejects names and values the expression does not use, so add #d and :zero only when needed.
    names: dict[str, str] = {"#d": "d"} if w.changed or w.increments else {}
    values: dict[str, Any] = {":one": {"N": "1"}}
    if w.increments:
        values[":zero"] = {"N": "0"}
    sets = ["v = v + :one"]
    for i, (fid, value) in enumerate(w.changed.items()):
        names[f"#f{i}"] = fid
        values[f":f{i}"] = to_attribute(value)
        sets.append(f"#d.#f{i} = :f{i}")
    for i, (fid, inc) in enumerate(w.increments.items()):
        names[f"#n{i}"] = fid
        values[f":n{i}"] = to_attribute(inc)
        # SET with arithmetic is atomic on the server; ADD would only reach top-level attributes.
        sets.append(f"#d.#n{i} = if_not_exists(#d.#n{i}, :zero) + :n{i}")
    for i, (attr, value) in enumerate(w.index_attrs.items()):
        names[f"#g{i}"] = attr
        values[f":g{i}"] = {"S": value}
        sets.append(f"#g{i} = :g{i}")
    removes = []
    if w.actor:
        names["#a"], names["#x"] = ACTOR_ATTR, DELETING_ATTR
        values[":a"] = {"S": encode_actor(w.actor)}
        sets.append("#a = :a")
        removes.append("#x")  # a delete stamped but never done (it lost a race) is not pending any more
    for i, attr in enumerate(w.remove_index_attrs):
        names[f"#r{i}"] = attr
        removes.append(f"#r{i}")
    expression = "SET " + ", ".join(sets)
    if removes:
        expression += " REMOVE " + ", ".join(removes)
    condition = "attribute_exists(pk)"
    if w.expected_version is not None:
        condition += " AND v = :v"
        values[":v"] = {"N": str(w.expected_version)}
    params = {"TableName": table, "Key": key, "UpdateExpression": expression,
              "ConditionExpression": condition, "ExpressionAttributeValues": values}
    if names:
        params["ExpressionAttributeNames"] = names
    return params


def conflict(ops: list[Op], reasons: list[str]) -> RecordConflictError:
    stale: list[tuple[str, str]] = []
    ids_taken: list[tuple[str, str]] = []
    claims: list[str] = []
    for op, reason in zip(ops, reasons, strict=False):
        if reason != "ConditionalCheckFailed":
            continue
        if op.claim is not None:
            claims.append(op.claim)
        elif op.write.kind == "create":
            ids_taken.append(op.write.key)
        else:
            stale.append(op.write.key)
    return RecordConflictError(stale=stale, ids_taken=ids_taken, claims_taken=claims)


def raise_item_size(exc: ClientError, write: RecordWrite) -> None:
    error = exc.response.get("Error", {})
    if error.get("Code") == "ValidationException" and "size" in str(error.get("Message", "")).lower():
        raise RecordTooLargeError(len(str(write.record.data).encode())) from exc
