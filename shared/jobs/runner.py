"""Runs one job message, by kind; and an in-process queue that runs jobs at once, for tools and tests."""

from __future__ import annotations

from pydantic import BaseModel

from shared.jobs.context import JobContext
from shared.jobs.index_build import run_index_build
from shared.jobs.messages import (
    AggregateBuildMessage,
    AggregateCleanupMessage,
    BackupJobMessage,
    DeleteFilesMessage,
    FileCleanupMessage,
    IndexBuildMessage,
    LinkedBackfillMessage,
    TruncateMessage,
    ViewBuildMessage,
)
from shared.jobs.queue import InMemoryJobQueue


def run_job(ctx: JobContext, message: BaseModel) -> None:
    """Run one step of the job this message names."""
    if isinstance(message, IndexBuildMessage):
        run_index_build(ctx, message)
    elif isinstance(message, TruncateMessage):
        from shared.jobs.truncate import run_truncate

        run_truncate(ctx, message)
    elif isinstance(message, BackupJobMessage):
        # Backups carry their own context (buckets, status item), built once per cold start.
        from shared.backups.context import get_backup_context
        from shared.backups.job import run_backup_step

        run_backup_step(get_backup_context(), message)
    elif isinstance(message, DeleteFilesMessage):
        from shared.jobs.truncate import run_delete_files

        run_delete_files(ctx, message)
    elif isinstance(message, FileCleanupMessage):
        from shared.jobs.truncate import run_file_cleanup

        run_file_cleanup(ctx, message)
    elif isinstance(message, ViewBuildMessage):
        from shared.jobs.view_build import run_view_build

        run_view_build(ctx, message)
    elif isinstance(message, LinkedBackfillMessage):
        from shared.jobs.linked_backfill import run_linked_backfill

        run_linked_backfill(ctx, message)
    elif isinstance(message, AggregateBuildMessage | AggregateCleanupMessage):
        from shared.jobs.aggregate_build import run_aggregate_job

        run_aggregate_job(ctx, message)
    else:
        raise TypeError(f"not a job message: {type(message).__name__}")


def drain(ctx: JobContext, *, max_steps: int = 10_000) -> int:
    """Run every message of an in-memory queue, and the ones they send, ignoring delays; returns how many."""
    queue = ctx.queue
    if not isinstance(queue, InMemoryJobQueue):
        raise TypeError("drain runs an InMemoryJobQueue")
    steps = 0
    while (message := queue.take()) is not None:
        steps += 1
        if steps > max_steps:
            raise RuntimeError(f"jobs still running after {max_steps} steps")
        run_job(ctx, message)
    return steps
