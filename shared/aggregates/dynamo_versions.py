"""Collection data versions on DynamoDB: an atomic ADD per bump, a strongly consistent GetItem per read."""

from __future__ import annotations

from shared import aws
from shared.aggregates.versions import VERSION_PREFIX, VERSION_SK, VersionStore
from shared.records.model import ReadMeter


class DynamoVersionStore(VersionStore):
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @staticmethod
    def _key(collection_id: str) -> dict[str, dict[str, str]]:
        return {"pk": {"S": f"{VERSION_PREFIX}{collection_id}"}, "sk": {"S": VERSION_SK}}

    def bump(self, collection_id: str) -> None:
        aws.client("dynamodb").update_item(TableName=self.table, Key=self._key(collection_id),
                                           UpdateExpression="ADD #v :one", ExpressionAttributeNames={"#v": "v"},
                                           ExpressionAttributeValues={":one": {"N": "1"}})

    def read(self, collection_id: str, meter: ReadMeter) -> int:
        # consistent: a bump the stream made before this request must be seen by it
        item = aws.client("dynamodb").get_item(TableName=self.table, Key=self._key(collection_id),
                                               ConsistentRead=True).get("Item")
        meter.add(1)
        return int(item["v"]["N"]) if item and "v" in item else 0
