"""The records repository on moto as the functions build it: each collection's shard count read from the catalog."""

from __future__ import annotations

from typing import Any

from shared import resources
from shared.catalog.repository import DynamoCollectionRepository
from shared.records.dynamo_repository import DynamoRecordRepository


def dynamo_records(table: str = resources.RECORDS_TABLE.physical_name,
                   system_table: str = resources.SYSTEM_TABLE.physical_name, **options: Any) -> DynamoRecordRepository:
    """A fresh repository (no cached unordered markers) whose collections' shard counts come from their layouts."""
    return DynamoRecordRepository(table, shards=DynamoCollectionRepository(system_table).shard_count, **options)
