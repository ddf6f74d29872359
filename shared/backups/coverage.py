"""What a backup holds, and so what a restore replaces: every item of every table, but the per-instance state.

Left out of the system table, and left alone by a restore: job checkpoints and backup status (`job#`,
`backup#`: the restore's own), live WebSocket connections (`conn#`), and auth state that is about live clients
rather than data (`rt#` sessions, `th#` sign-in throttles, `rl#` rate-limit windows, `mr#` mail guards). As in
PocketBase, a token stays valid across a restore exactly when its record and tokenKey are in the archive.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared import runtime_resources
from shared.backups.table_store import item_string
from shared.changes.counters import COUNTER_SK
from shared.records import keys

INSTANCE_PREFIXES: dict[str, tuple[str, ...]] = {
    runtime_resources.SYSTEM_TABLE.key: ("job#", "backup#", "conn#", "ws#", "rt#", "th#", "rl#", "mr#"),
}


def is_covered(table_key: str, item: Mapping[str, Any]) -> bool:
    """Whether a stored item (DynamoDB JSON) belongs in a backup of this table."""
    return not item_string(item, "pk").startswith(INSTANCE_PREFIXES.get(table_key, ()))


def is_counter(item: Mapping[str, Any]) -> bool:
    """A `totalItems` counter: a restore computes these from the archive's records rather than copy them."""
    return item_string(item, "pk").startswith(keys.COUNTER_PREFIX) and item_string(item, "sk") == COUNTER_SK
