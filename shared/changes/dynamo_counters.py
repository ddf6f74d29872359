"""Counter items on DynamoDB: one conditional UpdateItem per partition and batch, a read only on redelivery."""

from __future__ import annotations

from typing import Any

from shared import aws
from shared.changes.counters import (
    COUNTER_SK,
    CounterConflictError,
    CounterState,
    CounterStorageError,
    CounterStore,
    CounterUpdate,
)
from shared.changes.exactly_once import padded_mark
from shared.records import keys


def _mark(sequence: int) -> dict[str, str]:
    return {"S": padded_mark(sequence)}


class DynamoCounterStore(CounterStore):
    """Counter items in the records table: `pk = n#<partition>`, `sk = count`, `total` (N), `s<k>` (S) per shard.

    Sequence numbers are stored as zero-padded decimal strings: DynamoDB streams document them as up to 40
    digits, more than a DynamoDB number holds, and padded strings compare in numeric order. Counters written
    before this format keep their marks in a map `seq` (unpadded); the first read-and-write converts them.
    """

    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @staticmethod
    def _key(partition: str) -> dict[str, dict[str, str]]:
        return {"pk": {"S": keys.counter_pk(partition)}, "sk": {"S": COUNTER_SK}}

    def _update(self, partition: str, sets: list[str], removes: list[str], conditions: list[str],
                names: dict[str, str], values: dict[str, Any]) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        ddb = aws.client("dynamodb")
        try:
            ddb.update_item(TableName=self.table, Key=self._key(partition), UpdateExpression=expression,
                            ConditionExpression=" AND ".join(conditions), ExpressionAttributeNames=names,
                            ExpressionAttributeValues=values)
        except ddb.exceptions.ConditionalCheckFailedException:
            return False
        except (ClientError, BotoCoreError) as exc:
            raise CounterStorageError(str(exc)) from exc
        return True

    @staticmethod
    def _total(update: CounterUpdate) -> tuple[list[str], dict[str, str], dict[str, Any]]:
        return (["#total = if_not_exists(#total, :zero) + :delta"], {"#total": "total", "#seq": "seq"},
                {":zero": {"N": "0"}, ":delta": {"N": str(update.delta)}})

    def apply_new(self, partition: str, update: CounterUpdate) -> bool:
        sets, names, values = self._total(update)
        conditions = ["attribute_not_exists(#seq)"]
        for k in sorted(update.seq):
            names[f"#s{k}"] = f"s{k}"
            values[f":h{k}"] = _mark(update.seq[k])
            values[f":l{k}"] = _mark(update.lowest(k))
            sets.append(f"#s{k} = :h{k}")
            conditions.append(f"(attribute_not_exists(#s{k}) OR #s{k} < :l{k})")
        return self._update(partition, sets, [], conditions, names, values)

    def read(self, partition: str) -> CounterState:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            out = aws.client("dynamodb").get_item(TableName=self.table, Key=self._key(partition),
                                                  ConsistentRead=True)
        except (ClientError, BotoCoreError) as exc:
            raise CounterStorageError(str(exc)) from exc
        item = out.get("Item") or {}
        legacy = item.get("seq", {}).get("M")
        marks = {int(name[1:]): int(value["S"]) for name, value in item.items()
                 if name[:1] == "s" and name[1:].isdigit() and "S" in value}
        if legacy is not None:
            marks = {**{int(k): int(v.get("S") or v["N"]) for k, v in legacy.items()}, **marks}
        return CounterState(total=int(item["total"]["N"]) if "total" in item else 0,
                            seq=marks if (marks or legacy is not None) else None, legacy=legacy is not None)

    def apply(self, partition: str, read: CounterState, update: CounterUpdate) -> None:
        sets, names, values = self._total(update)
        removes: list[str] = []
        read_marks = read.seq or {}
        if read.legacy:
            # Convert: every mark moves out of the map, conditioned on the map still holding what was read.
            conditions = ["attribute_exists(#seq)"]
            for k in sorted(set(read_marks) | set(update.seq)):
                names[f"#k{k}"], names[f"#s{k}"] = str(k), f"s{k}"
                values[f":h{k}"] = _mark(update.seq.get(k, read_marks.get(k, 0)))
                sets.append(f"#s{k} = :h{k}")
                if k in read_marks:
                    values[f":r{k}"] = {"S": str(read_marks[k])}
                    conditions.append(f"#seq.#k{k} = :r{k}")
                else:
                    conditions.append(f"attribute_not_exists(#seq.#k{k})")
            removes.append("#seq")
        else:
            conditions = ["attribute_not_exists(#seq)"]
            for k in sorted(update.seq):
                names[f"#s{k}"] = f"s{k}"
                values[f":h{k}"] = _mark(update.seq[k])
                sets.append(f"#s{k} = :h{k}")
                if k in read_marks:
                    values[f":r{k}"] = _mark(read_marks[k])
                    conditions.append(f"#s{k} = :r{k}")
                else:
                    conditions.append(f"attribute_not_exists(#s{k})")
        if not self._update(partition, sets, removes, conditions, names, values):
            raise CounterConflictError(partition)
