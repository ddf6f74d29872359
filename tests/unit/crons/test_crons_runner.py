"""The registry and the minute runner: PocketBase's list order, due jobs run once per minute, failures contained."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.app_settings import provider
from shared.app_settings.model import AppSettings
from shared.crons.claims import InMemoryRunClaims, RunClaims
from shared.crons.composition import register_jobs
from shared.crons.messages import RunNow, Tick, parse_message, run_now
from shared.crons.registry import CronRegistry
from shared.crons.runner import run_message


def tick(at: str) -> Tick:
    return Tick(kind="tick", scheduledTime=datetime.fromisoformat(at))


class Recorder:
    def __init__(self) -> None:
        self.runs: list[str] = []

    def job(self, name: str):  # type: ignore[no-untyped-def]
        return lambda: self.runs.append(name)


@pytest.fixture
def settings_with_backups_cron():  # type: ignore[no-untyped-def]
    def use(cron: str) -> None:
        provider.use_source(provider.MemorySettingsSource(AppSettings.model_validate({"backups": {"cron": cron}})))
    yield use
    provider.use_source(None)


def test_the_builtin_jobs_list_in_pocketbases_order_and_auto_backup_only_while_set(
        settings_with_backups_cron) -> None:  # type: ignore[no-untyped-def]
    # Given the composition root's jobs and no backups.cron
    registry = CronRegistry()
    register_jobs(registry)
    settings_with_backups_cron("")
    # When listed / Then PocketBase's jobs (without the SQLite VACUUM) and no auto backup
    assert [j.as_json() for j in registry.scheduled()] == [
        {"id": "__pbMFACleanup__", "expression": "0 * * * *"},
        {"id": "__pbOTPCleanup__", "expression": "0 * * * *"},
        {"id": "__pbLogsCleanup__", "expression": "0 */6 * * *"},
    ]
    # When backups.cron is set to a macro / Then the auto backup is listed last, its macro expanded
    settings_with_backups_cron("@daily")
    provider.invalidate()
    assert registry.scheduled()[-1].as_json() == {"id": "__pbAutoBackup__", "expression": "0 0 * * *"}
    assert registry.find("__pbAutoBackup__") is not None


def test_own_jobs_come_first_by_id_and_adding_an_id_again_replaces_it() -> None:
    # Given system jobs and own jobs added out of order
    recorder, registry = Recorder(), CronRegistry()
    registry.add("__pbB__", "* * * * *", recorder.job("b"))
    registry.add("zeta", "* * * * *", recorder.job("zeta"))
    registry.add("__pbA__", "* * * * *", recorder.job("a"))
    registry.add("alpha", "* * * * *", recorder.job("alpha"))
    registry.add("__pbB__", "5 * * * *", recorder.job("b2"))
    # When listed / Then own jobs sorted by id, then system jobs in the order they were (re)added
    assert [(j.id, j.schedule.expression) for j in registry.scheduled()] == [
        ("alpha", "* * * * *"), ("zeta", "* * * * *"), ("__pbA__", "* * * * *"), ("__pbB__", "5 * * * *")]


def test_a_bad_fixed_expression_fails_at_registration_and_a_bad_stored_one_is_skipped() -> None:
    registry = CronRegistry()
    with pytest.raises(ValueError):
        registry.add("x", "61 * * * *", lambda: None)
    registry.add("stored", lambda: "not a cron", lambda: None)
    assert registry.scheduled() == [] and registry.find("stored") is None


def test_a_tick_runs_each_due_job_once_however_often_it_is_delivered() -> None:
    # Given an hourly job, a job every minute and a claims store
    recorder, registry, claims = Recorder(), CronRegistry(), InMemoryRunClaims()
    registry.add("hourly", "0 * * * *", recorder.job("hourly"))
    registry.add("minutely", "* * * * *", recorder.job("minutely"))
    # When the 13:00 tick is delivered twice (seconds late the second time) and the 13:01 tick once
    first = run_message(tick("2026-12-01T13:00:00+00:00"), registry, claims)
    again = run_message(tick("2026-12-01T13:00:07+00:00"), registry, claims)
    run_message(tick("2026-12-01T13:01:00+00:00"), registry, claims)
    # Then each job ran once per due minute, and the redelivery ran nothing
    assert first.ran == ("hourly", "minutely") and again.ran == () and again.skipped == ("hourly", "minutely")
    assert recorder.runs == ["hourly", "minutely", "minutely"]


def test_a_tick_is_read_in_utc() -> None:
    # Given a daily job at midnight UTC / When a tick names 01:00 at UTC+1 / Then it is due
    recorder, registry = Recorder(), CronRegistry()
    registry.add("daily", "@daily", recorder.job("daily"))
    run_message(tick("2026-12-02T01:00:00+01:00"), registry, InMemoryRunClaims())
    assert recorder.runs == ["daily"]


def test_a_failing_job_is_reported_and_the_others_still_run() -> None:
    recorder, registry = Recorder(), CronRegistry()

    def broken() -> None:
        raise RuntimeError("boom")

    registry.add("a-broken", "* * * * *", broken)
    registry.add("b-fine", "* * * * *", recorder.job("fine"))
    outcome = run_message(tick("2026-12-01T13:00:00+00:00"), registry, InMemoryRunClaims())
    assert outcome.failed == ("a-broken",) and outcome.ran == ("a-broken", "b-fine") and recorder.runs == ["fine"]


def test_run_now_runs_the_job_once_per_request_whatever_its_schedule() -> None:
    # Given a yearly job / When run now twice, one request delivered twice
    recorder, registry, claims = Recorder(), CronRegistry(), InMemoryRunClaims()
    registry.add("yearly", "@yearly", recorder.job("yearly"))
    first = parse_message(run_now("yearly", "r1"))
    assert isinstance(first, RunNow)
    for message in (first, first, parse_message(run_now("yearly", "r2"))):
        run_message(message, registry, claims)
    # Then it ran once per request
    assert recorder.runs == ["yearly", "yearly"]


def test_a_claim_that_cannot_be_stored_raises_so_the_message_comes_back() -> None:
    class Unavailable(RunClaims):
        def claim(self, job_id: str, occasion: str) -> bool:
            raise ConnectionError("down")

    registry = CronRegistry()
    registry.add("job", "* * * * *", lambda: None)
    with pytest.raises(ConnectionError):
        run_message(tick("2026-12-01T13:00:00+00:00"), registry, Unavailable())


def test_the_schedules_message_parses_as_a_tick_of_its_minute() -> None:
    # Given the body the schedule sends at 13:05, its context attribute filled in as Scheduler fills it
    from local.schedules import scheduled_message
    from shared import resources

    body = scheduled_message(resources.CRONS_SCHEDULE, datetime(2026, 12, 1, 13, 5, 0, 120_000, tzinfo=UTC))
    assert '"2026-12-01T13:05:00Z"' in body
    # When parsed / Then a tick of that minute
    message = parse_message(body)
    assert isinstance(message, Tick) and message.minute == datetime(2026, 12, 1, 13, 5, tzinfo=UTC)
