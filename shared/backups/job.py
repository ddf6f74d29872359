"""How a backup create or restore runs: a list of tasks, worked through in bounded steps, one message each.

A job is a fixed list of tasks (create.py and restore.py say which). The status item holds the task being run
and a cursor within it. A step runs only when the status is at its step; it works until its time budget is
spent, then advances the status conditionally and queues the next step. Each task is idempotent from its
cursor, so a step that dies midway is simply run again by its redelivered message, and a job whose messages
were lost is taken over by the next create or restore once it has stalled (status.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import msgspec

from shared.backups.archive import InvalidArchiveError
from shared.backups.context import BackupContext
from shared.backups.status import Action, ActiveJob
from shared.jobs.messages import BackupJobMessage
from shared.observability import logger

# A task runs from `job.cursor` (None at its start), updates the cursor as it goes, and says whether it is done.
TaskRun = Callable[[BackupContext, ActiveJob, float], bool]


class Task(msgspec.Struct, frozen=True):
    name: str
    run: TaskRun
    # Wait this long before the task starts (the restore's counters wait for the stream to settle).
    delay_s: int = 0


class JobPlan(msgspec.Struct, frozen=True):
    tasks: Callable[[BackupContext, ActiveJob], list[Task]]
    # Called once, after the last task; also when the job fails, with job.error set.
    cleanup: Callable[[BackupContext, ActiveJob], None]


def new_job(ctx: BackupContext, action: Action, key: str) -> ActiveJob:
    now = ctx.clock()
    return ActiveJob(job_id=uuid.uuid4().hex, action=action, key=key, started=now, updated=now)


def start_job(ctx: BackupContext, job: ActiveJob) -> bool:
    """Claim the status for `job` and queue its first step; False when another job runs."""
    if not ctx.status.claim(job, ctx.config.backup_stalled_s):
        return False
    ctx.queue.send(BackupJobMessage(job_id=job.job_id))
    return True


def _plan(action: Action) -> JobPlan:
    if action == "create":
        from shared.backups.create import CREATE_PLAN

        return CREATE_PLAN
    from shared.backups.restore import RESTORE_PLAN

    return RESTORE_PLAN


def run_backup_step(ctx: BackupContext, message: BackupJobMessage) -> None:
    """Run one step of a backup job: its tasks from the status's position until the step's budget is spent."""
    job = ctx.status.get()
    if job is None or job.job_id != message.job_id or job.step != message.step:
        return  # finished, superseded, or a duplicate of a step another delivery ran
    plan = _plan(job.action)
    work = job.model_copy(deep=True)
    deadline = ctx.monotonic() + ctx.config.backup_step_budget_s
    delay_s = 0
    try:
        tasks = plan.tasks(ctx, work)
        work.tasks = len(tasks)
        while work.task < len(tasks) and ctx.monotonic() < deadline:
            if not tasks[work.task].run(ctx, work, deadline):
                continue
            work.task, work.cursor = work.task + 1, None
            if work.task < len(tasks) and tasks[work.task].delay_s:
                delay_s = tasks[work.task].delay_s
                break
    except InvalidArchiveError as exc:
        # Found before any data was touched: restore verifies every member before its first write.
        work.error = f"invalid archive: {exc}"
        logger.warning("backup job failed", extra={"job": work.job_id, "action": work.action, "error": work.error})
        plan.cleanup(ctx, work)
        ctx.status.finish(work)
        return
    work.step, work.updated = work.step + 1, ctx.clock()
    done = work.task >= len(tasks)
    if not ctx.status.advance(work):
        return
    logger.info("backup step", extra={"job": work.job_id, "action": work.action, "step": message.step,
                                      "task": work.task, "tasks": work.tasks, "done": done})
    if done:
        plan.cleanup(ctx, work)
        ctx.status.finish(work)
    else:
        ctx.queue.send(BackupJobMessage(job_id=work.job_id, step=work.step), delay_s=delay_s)
