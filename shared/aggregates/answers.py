"""An aggregate request answered as JSON bytes with its ETag: from the instance's cache when the collection's
data version and definition, the caller and the query are those of a cached answer, else computed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Literal

from shared.aggregates.cache import ANSWERS, cache_key, cacheable
from shared.aggregates.engine import Aggregator
from shared.aggregates.groups import GroupStore
from shared.aggregates.versions import VersionStore
from shared.records.scope import RecordScope

CacheOutcome = Literal["hit", "miss", "off"]


def etag_of(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def answer(scope: RecordScope, id_or_name: str, params: Mapping[str, str], versions: VersionStore,
           groups: GroupStore | None = None) -> tuple[bytes, str, CacheOutcome]:
    stored = scope.collections.get(id_or_name)
    collection = stored.collection
    # the caller's right to list is checked before any cached answer is served (403s as a list answers)
    scope.rules.require_action(collection, "list")
    scope.rules.rule(collection.list_rule)
    key = None
    if cacheable(collection, params.get("filter", ""), scope.rules.is_superuser):
        key = cache_key(collection, versions.read(collection.id, scope.meter), scope.request, params)
        cached = ANSWERS.get(key)
        if cached is not None:
            return cached, etag_of(cached), "hit"
    body = json.dumps(Aggregator(scope, groups).answer(collection.id, params), separators=(",", ":"),
                      sort_keys=True).encode()
    if key is not None:
        ANSWERS.put(key, body)
    return body, etag_of(body), "miss" if key is not None else "off"
