"""PocketBase's `__pbLogsCleanup__` job here: delete the logs that are out of the retention window now.

TTL removes a log `logs.maxDays` after it was written, but within a day or two of that moment, and a log keeps
the expiry of the `maxDays` in force when it was written; lowering `maxDays` or truncating leaves logs that no
query shows (shared/logs/window.py) but that still take storage. This job deletes them: the logs created before
the truncation mark, and those of the days before the window, walking back day by day until
`EMPTY_DAYS_TO_STOP` days in a row hold none. Each run deletes at most `MAX_DELETES_PER_RUN` logs, so a run
stays well inside the scheduler's timeout; the next run goes on where it stopped.
"""

from __future__ import annotations

import itertools

from shared.logs.repository import DAY_MS, LogRepository, utc_now_ms
from shared.logs.window import retention_window

# Four empty queries a day walked: a month of them costs about 60 read units every six hours.
EMPTY_DAYS_TO_STOP = 31
MAX_DELETES_PER_RUN = 20_000
_DELETE_CHUNK = 500


def delete_old_logs(repository: LogRepository | None = None, *, max_days: int | None = None,
                    now_ms: int | None = None) -> int:
    """Delete the logs outside the retention window; returns how many were deleted."""
    if repository is None:
        from shared.logs.dynamo_repository import log_repository

        repository = log_repository()
    if max_days is None:
        from shared.app_settings import provider

        max_days = provider.current().logs.max_days
    now_ms = utc_now_ms() if now_ms is None else now_ms
    window = retention_window(now_ms, max_days, repository.truncated_before())
    # Retention off (maxDays 0): every log is out of the window.
    cutoff = window.start_ms if not window.empty else now_ms + DAY_MS
    budget, deleted, empty_days = MAX_DELETES_PER_RUN, 0, 0
    day_end = cutoff - 1
    while budget > 0 and empty_days < EMPTY_DAYS_TO_STOP:
        day_start = day_end - day_end % DAY_MS
        found = _delete_range(repository, day_start, day_end, budget)
        deleted, budget = deleted + found, budget - found
        empty_days = empty_days + 1 if found == 0 else 0
        day_end = day_start - 1
    return deleted


def _delete_range(repository: LogRepository, start_ms: int, end_ms: int, budget: int) -> int:
    ids = [entry.id for entry in itertools.islice(repository.scan(start_ms, end_ms, newest_first=False), budget)]
    for start in range(0, len(ids), _DELETE_CHUNK):
        repository.delete_many(ids[start:start + _DELETE_CHUNK])
    return len(ids)
