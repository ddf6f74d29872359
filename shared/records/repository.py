"""Data access for records on the records table: get, transactional writes, partition reads and counters."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import cache
from typing import Any

from shared.aws import client
from shared.dynamo_values import from_attribute, to_attribute
from shared.records import keys
from shared.records.model import ReadMeter, RecordConflictError, RecordWrite, StoredRecord

MAX_TRANSACTION_ITEMS = 100

def item_to_record(item: dict[str, Any]) -> StoredRecord:
    return StoredRecord(collection_id=item["c"]["S"], id=item["sk"]["S"],
                        data=from_attribute(item["d"]) if "d" in item else {}, version=int(item["v"]["N"]))


class RecordRepository:
    """Records in DynamoDB. Every read is metered; every write is one conditional transaction."""

    def __init__(self, table_name: str) -> None:
        self.table = table_name

    # reads ---------------------------------------------------------------------------------------------
    def get(self, collection_id: str, record_id: str, meter: ReadMeter) -> StoredRecord | None:
        out = client("dynamodb").get_item(TableName=self.table, Key=keys.record_key(collection_id, record_id),
                                          ConsistentRead=True)
        meter.add(1)
        item = out.get("Item")
        return item_to_record(item) if item else None

    def batch_get(self, collection_id: str, ids: list[str], meter: ReadMeter) -> dict[str, StoredRecord]:
        found: dict[str, StoredRecord] = {}
        unique = list(dict.fromkeys(ids))
        ddb = client("dynamodb")
        for start in range(0, len(unique), 100):
            request: dict[str, Any] = {self.table: {"Keys": [keys.record_key(collection_id, i)
                                                             for i in unique[start:start + 100]]}}
            while request:
                out = ddb.batch_get_item(RequestItems=request)
                items = out.get("Responses", {}).get(self.table, [])
                meter.add(len(items))
                for item in items:
                    rec = item_to_record(item)
                    found[rec.id] = rec
                request = out.get("UnprocessedKeys") or {}
        return found

    def query_pages(self, *, pk_attr: str, pk_value: str, index: str | None, forward: bool, meter: ReadMeter,
                    page_size: int, grow: bool = True, sk_condition: tuple[str, dict[str, Any]] | None = None,
                    filter_expression: tuple[str, dict[str, str], dict[str, Any]] | None = None,
                    ) -> Iterator[list[StoredRecord]]:
        """Yield pages of one partition (of the table or a GSI slot), in key order, metering items read."""
        names = {"#pk": pk_attr}
        values: dict[str, Any] = {":pk": {"S": pk_value}}
        condition = "#pk = :pk"
        if sk_condition:
            condition += " AND " + sk_condition[0]
            names["#sk"] = "sk" if index is None else f"{index}sk"
            values.update(sk_condition[1])
        kwargs: dict[str, Any] = {"TableName": self.table, "KeyConditionExpression": condition,
                                  "ScanIndexForward": forward}
        if index:
            kwargs["IndexName"] = index
        else:
            kwargs["ConsistentRead"] = True
        if filter_expression:
            kwargs["FilterExpression"] = filter_expression[0]
            names.update(filter_expression[1])
            values.update(filter_expression[2])
        kwargs["ExpressionAttributeNames"] = names
        kwargs["ExpressionAttributeValues"] = values
        ddb = client("dynamodb")
        start: dict[str, Any] | None = None
        while True:
            if start:
                kwargs["ExclusiveStartKey"] = start
            kwargs["Limit"] = page_size
            out = ddb.query(**kwargs)
            meter.add(int(out.get("ScannedCount", len(out.get("Items", [])))))
            yield [item_to_record(i) for i in out.get("Items", [])]
            start = out.get("LastEvaluatedKey")
            if not start:
                return
            if grow:
                page_size = min(page_size * 2, 1000)

    def read_counter(self, partition: str, meter: ReadMeter) -> int | None:
        out = client("dynamodb").get_item(TableName=self.table,
                                          Key={"pk": {"S": keys.counter_pk(partition)}, "sk": {"S": "count"}})
        meter.add(1)
        item = out.get("Item")
        return int(item["total"]["N"]) if item and "total" in item else None

    def init_counter(self, partition: str) -> None:
        """Start a counter at 0 unless it exists, so a new collection's total is a read, never a count."""
        ddb = client("dynamodb")
        with contextlib.suppress(ddb.exceptions.ConditionalCheckFailedException):
            ddb.put_item(TableName=self.table, ConditionExpression="attribute_not_exists(pk)", Item={
                "pk": {"S": keys.counter_pk(partition)}, "sk": {"S": "count"}, "total": {"N": "0"}})

    # writes --------------------------------------------------------------------------------------------
    def write(self, writes: list[RecordWrite]) -> None:
        """Apply all writes atomically, or none; raises RecordConflictError when a condition fails."""
        ops: list[dict[str, Any]] = []
        for w in writes:
            ops.extend(self._ops(w))
        if len(ops) > MAX_TRANSACTION_ITEMS:
            from shared.errors import BadRequestError

            raise BadRequestError(f"The change touches more than {MAX_TRANSACTION_ITEMS} items at once.")
        ddb = client("dynamodb")
        try:
            if len(ops) == 1:
                self._single(ops[0])
            else:
                ddb.transact_write_items(TransactItems=ops)
        except ddb.exceptions.ConditionalCheckFailedException as exc:
            raise RecordConflictError(["condition"]) from exc
        except ddb.exceptions.TransactionCanceledException as exc:
            reasons = [r.get("Code", "") for r in exc.response.get("CancellationReasons", [])]
            if any(r == "ConditionalCheckFailed" for r in reasons):
                raise RecordConflictError(reasons) from exc
            raise

    def write_operations(self, write: RecordWrite) -> list[dict[str, Any]]:
        """The TransactWriteItems entries of one write: its conditional record op, then claims and releases."""
        return self._ops(write)

    def _single(self, op: dict[str, Any]) -> None:
        ddb = client("dynamodb")
        (kind, params), = op.items()
        {"Put": ddb.put_item, "Update": ddb.update_item, "Delete": ddb.delete_item}[kind](**params)

    def _ops(self, w: RecordWrite) -> list[dict[str, Any]]:
        rec = w.record
        key = keys.record_key(rec.collection_id, rec.id)
        ops: list[dict[str, Any]] = []
        if w.kind == "create":
            item = {**key, "c": {"S": rec.collection_id}, "d": to_attribute(rec.data), "v": {"N": "1"},
                    **{k: {"S": v} for k, v in w.index_attrs.items()}}
            ops.append({"Put": {"TableName": self.table, "Item": item,
                                "ConditionExpression": "attribute_not_exists(pk)"}})
        elif w.kind == "update":
            ops.append({"Update": self._update_params(key, w)})
        else:
            params: dict[str, Any] = {"TableName": self.table, "Key": key}
            if w.expected_version is not None:
                params.update(ConditionExpression="v = :v", ExpressionAttributeValues={
                    ":v": {"N": str(w.expected_version)}})
            else:
                params["ConditionExpression"] = "attribute_exists(pk)"
            ops.append({"Delete": params})
        for claim in w.claims:
            ops.append({"Put": {"TableName": self.table,
                                "Item": {"pk": {"S": claim}, "sk": {"S": "u"}, "rid": {"S": rec.id}},
                                "ConditionExpression": "attribute_not_exists(pk) OR rid = :rid",
                                "ExpressionAttributeValues": {":rid": {"S": rec.id}}}})
        for release in w.releases:
            ops.append({"Delete": {"TableName": self.table, "Key": {"pk": {"S": release}, "sk": {"S": "u"}}}})
        return ops

    def _update_params(self, key: dict[str, Any], w: RecordWrite) -> dict[str, Any]:
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
        params = {"TableName": self.table, "Key": key, "UpdateExpression": expression,
                  "ConditionExpression": condition, "ExpressionAttributeValues": values}
        if names:
            params["ExpressionAttributeNames"] = names
        return params


@cache
def get_record_repository(table_name: str) -> RecordRepository:
    return RecordRepository(table_name)
