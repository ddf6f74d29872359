"""Accumulator items on DynamoDB: `pk = acc#<collection>#<record>`, `sk = <field id>`, sums as numbers, marks `s<k>`.

One parent's accumulators share its partition key, so a schema change that drops the parent reads them in one
Query; numbers are DynamoDB decimals, so sums of decimal amounts stay exact however many writes add to them.
"""

from __future__ import annotations

from typing import Any

from shared import aws
from shared.changes.accumulators import (
    AccumulatorConflictError,
    AccumulatorKey,
    AccumulatorState,
    AccumulatorStorageError,
    AccumulatorStore,
    AccumulatorUpdate,
)
from shared.changes.exactly_once import padded_mark

ACCUMULATOR_PREFIX = "acc#"


def number_attribute(value: float) -> dict[str, str]:
    """A sum as a DynamoDB number (decimal, so sums of decimal amounts stay exact)."""
    return {"N": repr(float(value)) if isinstance(value, float) and not value.is_integer() else str(int(value))}


class DynamoAccumulatorStore(AccumulatorStore):
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @staticmethod
    def _key(partition: str) -> dict[str, dict[str, str]]:
        key = AccumulatorKey.of(partition)
        return {"pk": {"S": f"{ACCUMULATOR_PREFIX}{key.collection_id}#{key.record_id}"}, "sk": {"S": key.field_id}}

    def _fixed(self, partition: str) -> dict[str, dict[str, str]]:
        """Attributes every write of the item sets as they are (none here; a maintained group's key text)."""
        return {}

    def _update(self, partition: str, update: AccumulatorUpdate, conditions: list[str], names: dict[str, str],
                values: dict[str, Any]) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        sets = []
        for i, (name, amount) in enumerate(sorted(update.sums.items())):
            names[f"#v{i}"] = name
            values[f":v{i}"] = number_attribute(amount)
            sets.append(f"#v{i} = if_not_exists(#v{i}, :zero) + :v{i}")
        values[":zero"] = {"N": "0"}
        for k in sorted(update.seq):
            names[f"#s{k}"] = f"s{k}"
            values[f":h{k}"] = {"S": padded_mark(update.seq[k])}
            sets.append(f"#s{k} = :h{k}")
        for i, (name, value) in enumerate(sorted(self._fixed(partition).items())):
            names[f"#f{i}"], values[f":f{i}"] = name, value
            sets.append(f"#f{i} = :f{i}")
        ddb = aws.client("dynamodb")
        try:
            ddb.update_item(TableName=self.table, Key=self._key(partition), UpdateExpression="SET " + ", ".join(sets),
                            ConditionExpression=" AND ".join(conditions), ExpressionAttributeNames=names,
                            ExpressionAttributeValues=values)
        except ddb.exceptions.ConditionalCheckFailedException:
            return False
        except (ClientError, BotoCoreError) as exc:
            raise AccumulatorStorageError(str(exc)) from exc
        return True

    def apply_new(self, partition: str, update: AccumulatorUpdate) -> bool:
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        conditions = []
        for k in sorted(update.seq):
            names[f"#s{k}"] = f"s{k}"
            values[f":l{k}"] = {"S": padded_mark(update.since.get(k, update.seq[k]))}
            conditions.append(f"(attribute_not_exists(#s{k}) OR #s{k} < :l{k})")
        return self._update(partition, update, conditions, names, values)

    def read(self, partition: str) -> AccumulatorState:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            out = aws.client("dynamodb").get_item(TableName=self.table, Key=self._key(partition), ConsistentRead=True)
        except (ClientError, BotoCoreError) as exc:
            raise AccumulatorStorageError(str(exc)) from exc
        item = out.get("Item") or {}
        marks = {int(name[1:]): int(value["S"]) for name, value in item.items()
                 if name[:1] == "s" and name[1:].isdigit() and "S" in value}
        sums = {name: float(value["N"]) for name, value in item.items() if "N" in value}
        return AccumulatorState(sums=sums, seq=marks or None)

    def apply(self, partition: str, read: AccumulatorState, update: AccumulatorUpdate) -> None:
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        conditions = []
        marks = read.seq or {}
        for k in sorted(update.seq):
            names[f"#s{k}"] = f"s{k}"
            if k in marks:
                values[f":r{k}"] = {"S": padded_mark(marks[k])}
                conditions.append(f"#s{k} = :r{k}")
            else:
                conditions.append(f"attribute_not_exists(#s{k})")
        if not self._update(partition, update, conditions, names, values):
            raise AccumulatorConflictError(partition)

    def replace(self, partition: str, read: AccumulatorState, sums: dict[str, float]) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        item: dict[str, Any] = {**self._key(partition), **self._fixed(partition),
                                **{name: number_attribute(v) for name, v in sums.items()}}
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        conditions = []
        for k, mark in sorted((read.seq or {}).items()):
            item[f"s{k}"] = {"S": padded_mark(mark)}
            names[f"#s{k}"] = f"s{k}"
            values[f":r{k}"] = {"S": padded_mark(mark)}
            conditions.append(f"#s{k} = :r{k}")
        if not conditions:
            # no marks read: only if no stream record has been applied since
            conditions.append("attribute_not_exists(#pk)")
            names["#pk"] = "pk"
        extra: dict[str, Any] = {"ExpressionAttributeValues": values} if values else {}
        ddb = aws.client("dynamodb")
        try:
            ddb.put_item(TableName=self.table, Item=item, ConditionExpression=" AND ".join(conditions),
                         ExpressionAttributeNames=names, **extra)
        except ddb.exceptions.ConditionalCheckFailedException:
            return False
        except (ClientError, BotoCoreError) as exc:
            raise AccumulatorStorageError(str(exc)) from exc
        return True
