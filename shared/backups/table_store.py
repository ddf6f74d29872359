"""The tables as a backup sees them: raw items in DynamoDB's JSON, scanned, written and deleted in bulk.

The only module of the package that speaks DynamoDB to the data tables (the status item has status.py): a
backup copies items whole, every attribute and type as stored, so it works below the repositories.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from shared import aws
from shared.dynamo_batch import UnprocessedItemsError, batch_write

Item = dict[str, Any]


class StorageRetryError(Exception):
    """DynamoDB kept refusing part of a batch; the step fails and its message is retried."""


class TableStore:
    """One table's items, by its physical name."""

    def __init__(self, table: str) -> None:
        self.table = table

    def scan_page(self, start: Item | None, limit: int) -> tuple[list[Item], Item | None]:
        """One page of a consistent-read Scan from `start`; the items and where the next page starts."""
        params: dict[str, Any] = {"TableName": self.table, "Limit": limit, "ConsistentRead": True}
        if start:
            params["ExclusiveStartKey"] = start
        page = aws.client("dynamodb").scan(**params)
        return page.get("Items", []), page.get("LastEvaluatedKey")

    def _batch(self, requests: list[dict[str, Any]]) -> None:
        try:
            batch_write(self.table, requests)
        except UnprocessedItemsError as exc:
            raise StorageRetryError(str(exc)) from exc

    def put_items(self, items: list[Item]) -> None:
        self._batch([{"PutRequest": {"Item": item}} for item in items])

    def delete_items(self, items: list[Item]) -> None:
        self._batch([{"DeleteRequest": {"Key": {"pk": i["pk"], "sk": i["sk"]}}} for i in items])

    def set_string_attributes(self, item: Item, values: dict[str, str | bool]) -> None:
        """Set attributes on an existing item (the restore's marks before a delete); a vanished item is skipped."""
        ddb = aws.client("dynamodb")
        names = {f"#a{i}": name for i, name in enumerate(values)}
        typed = {f":v{i}": ({"BOOL": v} if isinstance(v, bool) else {"S": v}) for i, v in enumerate(values.values())}
        with contextlib.suppress(ddb.exceptions.ConditionalCheckFailedException):
            ddb.update_item(TableName=self.table, Key={"pk": item["pk"], "sk": item["sk"]},
                            UpdateExpression="SET " + ", ".join(f"#a{i} = :v{i}" for i in range(len(values))),
                            ConditionExpression="attribute_exists(pk)", ExpressionAttributeNames=names,
                            ExpressionAttributeValues=typed)

    def add_once(self, pk: str, sk: str, attribute: str, amount: int, tag: str, tags_attribute: str,
                 mark: tuple[str, str]) -> bool:
        """Add `amount` to a number attribute unless `tag` is already in the item's tag set; False if it was."""
        ddb = aws.client("dynamodb")
        try:
            ddb.update_item(TableName=self.table, Key={"pk": {"S": pk}, "sk": {"S": sk}},
                            UpdateExpression="ADD #n :n, #t :tag SET #m = :m",
                            ConditionExpression="attribute_not_exists(#t) OR NOT contains(#t, :one)",
                            ExpressionAttributeNames={"#n": attribute, "#t": tags_attribute, "#m": mark[0]},
                            ExpressionAttributeValues={":n": {"N": str(amount)}, ":tag": {"SS": [tag]},
                                                       ":one": {"S": tag}, ":m": {"S": mark[1]}})
        except ddb.exceptions.ConditionalCheckFailedException:
            return False
        return True


def item_string(item: Mapping[str, Any], attribute: str) -> str:
    """A string attribute of a raw item, "" when absent."""
    return str(item.get(attribute, {}).get("S", ""))


def string_value(value: str) -> dict[str, str]:
    return {"S": value}
