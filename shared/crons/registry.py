"""The registered cron jobs: an id, an expression (fixed, or read from the settings when asked) and a callable.

The registry knows no feature: the composition root (`shared/crons/composition.py`) adds each feature's job.
A job whose expression is empty is not scheduled and not listed, as PocketBase removes `__pbAutoBackup__`
while `backups.cron` is empty.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from shared.crons.expression import CronExpressionError, Schedule, parse
from shared.observability import logger

# PocketBase's own jobs have ids like `__pbLogsCleanup__`; it lists every other job first, sorted by id.
SYSTEM_PREFIX = "__pb"

Expression = Callable[[], str]


class CronJob(msgspec.Struct, frozen=True):
    """A job as the registry holds it; `expression()` is read each time the job is listed or checked."""

    id: str
    expression: Expression
    run: Callable[[], None]


class ScheduledJob(msgspec.Struct, frozen=True):
    """A job with the schedule it has now: what `GET /api/crons` lists and the runner checks."""

    job: CronJob
    schedule: Schedule

    @property
    def id(self) -> str:
        return self.job.id

    def as_json(self) -> dict[str, str]:
        """PocketBase's shape: the id and the expression with macros expanded (`@daily` lists as `0 0 * * *`)."""
        return {"id": self.job.id, "expression": self.schedule.expression}


class CronRegistry:
    """Jobs in the order they were added; adding an id again replaces that job, at the end, as PocketBase does."""

    def __init__(self) -> None:
        self._jobs: list[CronJob] = []

    def add(self, job_id: str, expression: str | Expression, run: Callable[[], None]) -> None:
        """Register `run` under `job_id`; a fixed expression is checked now, a callable one whenever it is read."""
        if isinstance(expression, str):
            parse(expression)  # a job registered with a bad fixed expression is a programming error: fail early
            fixed = expression
            expression = lambda: fixed  # noqa: E731
        self._jobs = [job for job in self._jobs if job.id != job_id]
        self._jobs.append(CronJob(job_id, expression, run))

    def scheduled(self) -> list[ScheduledJob]:
        """The jobs that have a schedule now, in PocketBase's list order."""
        scheduled = [s for s in (self._schedule(job) for job in self._jobs) if s is not None]
        own = sorted((s for s in scheduled if not s.id.startswith(SYSTEM_PREFIX)), key=lambda s: s.id)
        return [*own, *(s for s in scheduled if s.id.startswith(SYSTEM_PREFIX))]

    def find(self, job_id: str) -> ScheduledJob | None:
        """The scheduled job with this id; None if it is unknown or has no schedule now (PocketBase's 404)."""
        return next((s for s in self.scheduled() if s.id == job_id), None)

    @staticmethod
    def _schedule(job: CronJob) -> ScheduledJob | None:
        raw = job.expression()
        if not raw:
            return None
        try:
            return ScheduledJob(job, parse(raw))
        except CronExpressionError as exc:
            # Only a stored setting can be bad (the settings form validates it); skipping it keeps the others.
            logger.warning("cron job has an invalid expression", extra={"job": job.id, "expression": raw,
                                                                       "error": str(exc)})
            return None
