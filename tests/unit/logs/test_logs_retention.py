"""The logs cleanup job: what falls out of the retention window is deleted, what is inside stays."""

from __future__ import annotations

from shared.logs.model import LogEntry, new_log_id
from shared.logs.repository import DAY_MS, InMemoryLogRepository, StoredLog
from shared.logs.retention import delete_old_logs

NOW_MS = 1_796_133_355_845  # 2026-12-01 13:55:55.845Z
HOUR_MS = 3_600_000


def log(at_ms: int) -> LogEntry:
    return LogEntry(id=new_log_id(at_ms), created_ms=at_ms, level=0, message="GET /api/health",
                    data={"type": "request", "status": 200})


def store(*entries: LogEntry) -> InMemoryLogRepository:
    repository = InMemoryLogRepository()
    # Written under a 30-day retention: TTL would keep them for a month.
    repository.put_many([StoredLog(e, e.created_ms // 1000 + 30 * 86_400) for e in entries])
    return repository


def remaining(repository: InMemoryLogRepository) -> list[str]:
    return [e.id for e in repository.scan(NOW_MS - 60 * DAY_MS, NOW_MS + DAY_MS, newest_first=False)]


def test_logs_older_than_max_days_are_deleted_and_recent_ones_stay() -> None:
    # Given logs 20 and 3 days old and one an hour old, written while maxDays was 30
    old, older, recent = log(NOW_MS - 3 * DAY_MS), log(NOW_MS - 20 * DAY_MS), log(NOW_MS - HOUR_MS)
    repository = store(old, older, recent)

    # When the cleanup runs with maxDays lowered to 2
    deleted = delete_old_logs(repository, max_days=2, now_ms=NOW_MS)

    # Then the two logs out of the window are gone (even 13 empty days apart), the recent one stays
    assert deleted == 2
    assert remaining(repository) == [recent.id]
    # And a second run finds nothing more to do
    assert delete_old_logs(repository, max_days=2, now_ms=NOW_MS) == 0


def test_truncated_logs_are_deleted_and_later_ones_stay() -> None:
    # Given two logs, then a truncation between them
    first, second = log(NOW_MS - 2 * HOUR_MS), log(NOW_MS - HOUR_MS)
    repository = store(first, second)
    repository.truncate(NOW_MS - 90 * 60_000)

    # When the cleanup runs
    deleted = delete_old_logs(repository, max_days=5, now_ms=NOW_MS)

    # Then only the log before the mark is deleted
    assert deleted == 1
    assert remaining(repository) == [second.id]


def test_retention_off_deletes_every_log() -> None:
    # Given logs, and maxDays 0 (PocketBase keeps no logs)
    repository = store(log(NOW_MS - DAY_MS), log(NOW_MS - 60_000))

    # When the cleanup runs
    delete_old_logs(repository, max_days=0, now_ms=NOW_MS)

    # Then none is left
    assert remaining(repository) == []
