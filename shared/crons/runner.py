"""Runs what a crons queue message asks for: the jobs due in a tick's minute, or one job now; each once.

A job that fails is logged and counted, and the others still run: it is not retried, as PocketBase runs a
failed job again only at its next due minute. A claim that cannot be written raises instead, so the message
comes back and the jobs not yet claimed get another chance.
"""

from __future__ import annotations

import msgspec

from shared.crons.claims import RunClaims, minute_key
from shared.crons.messages import RunNow, Tick
from shared.crons.registry import CronRegistry, ScheduledJob
from shared.observability import MetricUnit, logger, metrics


class Outcome(msgspec.Struct, frozen=True):
    """What one message did: the ids run (failed or not), those skipped as already run, those that failed."""

    ran: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()


def _run(job: ScheduledJob) -> bool:
    try:
        job.job.run()
    except Exception:
        logger.exception("cron job failed", extra={"job": job.id})
        metrics.add_metric(name="CronJobFailures", unit=MetricUnit.Count, value=1)
        return False
    metrics.add_metric(name="CronJobRuns", unit=MetricUnit.Count, value=1)
    return True


def run_message(message: Tick | RunNow, registry: CronRegistry, claims: RunClaims) -> Outcome:
    """Run the jobs `message` asks for, each only if this delivery is the first to claim it."""
    if isinstance(message, Tick):
        occasion = minute_key(message.minute)
        jobs = [job for job in registry.scheduled() if job.schedule.is_due(message.minute)]
    else:
        occasion = f"run-{message.run_id}"
        found = registry.find(message.job)
        if found is None:
            # Its schedule was removed (backups.cron emptied) between the request and now: nothing to run.
            logger.info("cron job to run is no longer scheduled", extra={"job": message.job})
        jobs = [found] if found is not None else []
    ran: list[str] = []
    skipped: list[str] = []
    failed: list[str] = []
    for job in jobs:
        if not claims.claim(job.id, occasion):
            skipped.append(job.id)
            continue
        ran.append(job.id)
        if not _run(job):
            failed.append(job.id)
    logger.info("cron message handled", extra={"occasion": occasion, "ran": ran, "skipped": skipped,
                                               "failed": failed})
    return Outcome(tuple(ran), tuple(skipped), tuple(failed))
