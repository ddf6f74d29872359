"""TTL expiry on moto, which never deletes expired items: a sweeper deletes them as DynamoDB would."""

from __future__ import annotations

import time

from shared import resources
from shared.aws import client


def sweep_expired(now: float | None = None) -> int:
    """Delete every item whose TTL attribute is in the past; returns how many were deleted."""
    ddb = client("dynamodb")
    cutoff = int(now if now is not None else time.time())
    deleted = 0
    for table in resources.TABLES:
        if not table.ttl_attribute:
            continue
        paginator = ddb.get_paginator("scan")
        pages = paginator.paginate(
            TableName=table.physical_name,
            FilterExpression="#t < :now",
            ExpressionAttributeNames={"#t": table.ttl_attribute},
            ExpressionAttributeValues={":now": {"N": str(cutoff)}},
        )
        for page in pages:
            for item in page.get("Items", []):
                key = {table.partition_key: item[table.partition_key], table.sort_key: item[table.sort_key]}
                # Conditional, so an item whose TTL was just extended survives, as on DynamoDB.
                try:
                    ddb.delete_item(TableName=table.physical_name, Key=key,
                                    ConditionExpression="#t < :now",
                                    ExpressionAttributeNames={"#t": table.ttl_attribute},
                                    ExpressionAttributeValues={":now": {"N": str(cutoff)}})
                    deleted += 1
                except ddb.exceptions.ConditionalCheckFailedException:
                    pass
    return deleted
