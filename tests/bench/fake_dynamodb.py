"""A fake DynamoDB client for warm benchmarks: it records the real answers (moto's), then replays them.

While recording, every operation goes to the real client and its answer is kept under the request's
parameters. While replaying, the same request gets the same answer without the SDK; a request never seen
(a rate-limit counter of a new window) gets the last answer to that operation on that table, so a route makes
the calls it makes for real and reads real shapes, and the CPU measured is the function's own.
"""

from __future__ import annotations

import json
from typing import Any


class ReplayingClient:
    """Wraps a real client; `replay()` switches it from recording to answering from what it recorded."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self._operations = set(real.meta.method_to_api_mapping)
        self._answers: dict[str, Any] = {}
        self._last: dict[tuple[str, str], Any] = {}
        self.replaying = False
        self.calls = 0
        self.unseen = 0

    def replay(self) -> None:
        self.replaying = True

    def __getattr__(self, name: str) -> Any:
        if name not in self._operations:
            return getattr(self._real, name)  # meta, exceptions, ...

        def operation(**params: Any) -> Any:
            key = f"{name} {json.dumps(params, sort_keys=True, default=str)}"
            latest = (name, str(params.get("TableName", "")))
            if not self.replaying:
                answer = getattr(self._real, name)(**params)
                self._answers[key] = self._last[latest] = answer
                return answer
            self.calls += 1
            answer = self._answers.get(key)
            if answer is None:
                self.unseen += 1
                answer = self._last[latest]
            # Shared, not copied: a copy would bill the fake's work to the function. The benchmark checks that
            # every replayed response is the recorded one, so a caller changing an answer would show.
            return answer

        return operation
