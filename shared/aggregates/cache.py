"""A per-instance cache of aggregate answers, keyed by the query, the caller, the collection's definition and
its data version (shared/aggregates/versions.py): a hit costs one read, the version's, not the records'.

Only answers that depend on nothing else are cached: rules and filters naming the collection's own fields and
the caller's own `@request.auth.*` fields. A relation walk, an `@collection` join, another `@request.*` value
or a date macro (`@now`) could change the answer without this collection's version moving.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping

from shared.collections.model import Collection
from shared.records.context import RequestContext

# answers held per instance (each a few KB at most: groups are paged)
MAX_ENTRIES = 256

_AUTH_FIELD = re.compile(r"@request\.auth\.[A-Za-z0-9_]+(?![.\w])")
_WALK = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_]")


def cacheable(collection: Collection, filter_text: str, superuser: bool) -> bool:
    texts = [filter_text] if superuser else [filter_text, collection.list_rule or ""]
    for text in texts:
        rest = _AUTH_FIELD.sub("", re.sub(r"'[^']*'|\"[^\"]*\"", "", text))
        if "@" in rest or _WALK.search(rest):
            return False
    return True


def cache_key(collection: Collection, version: int, request: RequestContext, params: Mapping[str, str]) -> str:
    auth = request.auth
    caller = ("superuser" if request.is_superuser else
              [auth.collection.id, auth.record.id, auth.record.version] if auth else "guest")
    definition = hashlib.sha256(collection.model_dump_json().encode()).hexdigest()
    return json.dumps([collection.id, definition, version, caller, sorted(params.items())])


class AnswerCache:
    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self.size = size
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def put(self, key: str, body: bytes) -> None:
        with self._lock:
            self._entries[key] = body
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


ANSWERS = AnswerCache()
