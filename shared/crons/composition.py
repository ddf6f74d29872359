"""Composition root of the cron jobs: the one module of shared/crons that knows the features whose jobs it adds.

PocketBase's ids and expressions where the job exists here (`GET /api/crons` lists them in this order):
`__pbMFACleanup__` and `__pbOTPCleanup__` hourly, `__pbLogsCleanup__` every six hours, and `__pbAutoBackup__`
on `backups.cron` while it is set. `__pbDBOptimize__` (SQLite's VACUUM) has no DynamoDB counterpart and is
not registered (docs/compatibility.md). Features are imported only when their job runs.
"""

from __future__ import annotations

from functools import lru_cache

from shared.crons.registry import CronRegistry


def _backups_cron() -> str:
    from shared.app_settings import provider

    return provider.current().backups.cron


def _auto_backup() -> None:
    # Built by the backups part: creates `@auto_pb_backup_<name>.zip` and rotates by backups.cronMaxKeep.
    from shared.backups.scheduled import run_scheduled_backup

    run_scheduled_backup()


def _logs_cleanup() -> None:
    # Built by the logs part: deletes logs older than logs.maxDays that TTL has not removed yet (TTL lags up
    # to 48 h, and items written under an older, longer maxDays carry that older expiry).
    from shared.logs.retention import delete_old_logs

    delete_old_logs()


def _auth_cleanup(collection_name: str) -> None:
    from shared.composition import composition
    from shared.crons.auth_cleanup import delete_expired

    svc = composition()
    delete_expired(collection_name, svc.collections, svc.records, svc.hooks)


def register_jobs(registry: CronRegistry) -> None:
    """Every feature's cron job, each registered here and only here."""
    registry.add("__pbMFACleanup__", "0 * * * *", lambda: _auth_cleanup("_mfas"))
    registry.add("__pbOTPCleanup__", "0 * * * *", lambda: _auth_cleanup("_otps"))
    registry.add("__pbLogsCleanup__", "0 */6 * * *", _logs_cleanup)
    registry.add("__pbAutoBackup__", _backups_cron, _auto_backup)


@lru_cache(maxsize=1)
def cron_registry() -> CronRegistry:
    """The registry of this instance, built on first use."""
    registry = CronRegistry()
    register_jobs(registry)
    return registry
