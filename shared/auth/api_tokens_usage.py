"""An API token's last use, IP and count, written at most once per interval per token and instance.

Each use is counted in memory; the first use of a token on an instance, and the first one `interval_s` after
the last write, writes the last use and adds the uses counted since. So `lastUsed` lags by at most the
interval per instance, and the count misses at most an interval's uses of an instance that stops (a cold
instance's count is gone with it): a usage statistic, never an access decision.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import cache

import msgspec

from shared.auth.api_tokens_repository import ApiTokenRepository, get_api_token_repository
from shared.auth.errors import AuthStorageError
from shared.observability import logger

USAGE_WRITE_INTERVAL_S = 60.0


class _Pending(msgspec.Struct):
    written_at: float
    uses: int = 0


class UsageRecorder:
    """Counts uses per token on this instance and flushes them on the interval."""

    def __init__(self, repository: ApiTokenRepository, interval_s: float = USAGE_WRITE_INTERVAL_S,
                 clock: Callable[[], float] = time.time) -> None:
        self._repository = repository
        self._interval = interval_s
        self._clock = clock
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def touch(self, token_id: str, ip: str) -> bool:
        """Count one use; True when this use was written through."""
        now = self._clock()
        with self._lock:
            pending = self._pending.get(token_id)
            if pending is not None and now - pending.written_at < self._interval:
                pending.uses += 1
                return False
            uses = (pending.uses if pending else 0) + 1
            self._pending[token_id] = _Pending(written_at=now)
        try:
            self._repository.record_usage(token_id, int(now), ip, uses)
        except AuthStorageError:
            # a failed statistic must not fail the request; the uses are counted again on the next write
            logger.warning("api token usage not recorded", extra={"token_id": token_id})
            with self._lock:
                self._pending[token_id].uses += uses
        return True


@cache
def api_token_usage(table_name: str) -> UsageRecorder:
    """The instance's recorder over the system table."""
    return UsageRecorder(get_api_token_repository(table_name))


@cache
def usage_over(repository: ApiTokenRepository) -> UsageRecorder:
    """The instance's recorder over a repository already built (realtime's, which knows no table name)."""
    return UsageRecorder(repository)
