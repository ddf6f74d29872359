"""Scheduled backups, called by the crons scheduler: an `@auto_pb_backup_...` archive, then rotation.

As in PocketBase, a scheduled backup that finds another backup or restore running is skipped, and rotation
keeps the newest `backups.cronMaxKeep` auto backups (by name, which sorts by time), deleting older ones;
backups created by hand are never rotated. Rotation runs when the backup is queued, so the newest
`cronMaxKeep - 1` earlier ones stay next to the one being made.
"""

from __future__ import annotations

from shared.backups import names
from shared.backups.context import BackupContext, get_backup_context
from shared.backups.job import new_job, start_job
from shared.observability import logger


def run_scheduled_backup() -> None:
    """Queue an auto backup and rotate the old ones; the crons function's entry point."""
    from shared.app_settings import provider

    current = provider.current()
    schedule_backup(get_backup_context(), current.meta.app_name, current.backups.cron_max_keep)


def schedule_backup(ctx: BackupContext, app_name: str, max_keep: int) -> str | None:
    """Queue an auto backup; the key it will have, None when another job runs."""
    key = names.generated_name(app_name, prefix=names.AUTO_PREFIX)
    if ctx.status.running(ctx.config.backup_stalled_s, ctx.clock()) is not None or \
            not start_job(ctx, new_job(ctx, "create", key)):
        logger.warning("scheduled backup skipped: another backup or restore runs", extra={"key": key})
        return None
    rotate(ctx, max_keep - 1)
    return key


def rotate(ctx: BackupContext, keep: int) -> list[str]:
    """Delete the auto backups beyond the newest `keep`; the keys deleted."""
    autos = sorted((f for f in ctx.location.list() if f.key.startswith(names.AUTO_PREFIX)),
                   key=lambda f: (f.modified, f.key), reverse=True)
    doomed = [f.key for f in autos[max(0, keep):]]
    for key in doomed:
        ctx.location.delete(key)
    return doomed
