"""Conformance of the Crons API: GET /api/crons and POST /api/crons/{id}, for every role, next to PocketBase."""

from __future__ import annotations

import pytest

from tests.conformance import deliberate
from tests.conformance.paired import GUEST, PairedClient
from tests.conformance.scenario import Case, cases, check

CASES = cases(
    Case("list as guest", "GET", "/api/crons", role=GUEST),
    Case("list as user", "GET", "/api/crons", role="alice"),
    Case("list with a forged token", "GET", "/api/crons", role=GUEST, headers={"Authorization": "abc.def.ghi"}),
    Case("list with a bad fields modifier", "GET", "/api/crons", params={"fields": "id:nope(3)"}),
    Case("list with an unclosed fields modifier", "GET", "/api/crons", params={"fields": "id:excerpt("}),
    Case("list HEAD as guest", "HEAD", "/api/crons", role=GUEST),
    Case("list HEAD", "HEAD", "/api/crons"),
    Case("run as guest", "POST", "/api/crons/__pbOTPCleanup__", role=GUEST),
    Case("run as user", "POST", "/api/crons/__pbOTPCleanup__", role="alice"),
    Case("run an unknown job as user", "POST", "/api/crons/nope", role="alice"),
    Case("run an unknown job", "POST", "/api/crons/nope"),
    Case("run the auto backup while backups.cron is empty", "POST", "/api/crons/__pbAutoBackup__"),
    Case("run the OTP cleanup", "POST", "/api/crons/__pbOTPCleanup__"),
    Case("run the MFA cleanup", "POST", "/api/crons/__pbMFACleanup__"),
    Case("run the logs cleanup", "POST", "/api/crons/__pbLogsCleanup__"),
    Case("run with a body", "POST", "/api/crons/__pbMFACleanup__", body={"x": 1}),
    Case("run with a trailing slash", "POST", "/api/crons/__pbOTPCleanup__/"),
    Case("run without an id", "POST", "/api/crons"),
    Case("get one job", "GET", "/api/crons/__pbOTPCleanup__"),
    Case("delete the list", "DELETE", "/api/crons"),
    Case("patch a job", "PATCH", "/api/crons/__pbOTPCleanup__", body={}),
)


@pytest.mark.parametrize("case", CASES)
def test_crons(paired: PairedClient, case: Case) -> None:
    # Given both servers up, When the same Crons API request goes to both, Then status and body agree
    check(paired, case)


def test_the_list_is_pocketbases_without_the_sqlite_optimize_job(paired: PairedClient) -> None:
    # Given both servers with default settings / When a superuser lists the cron jobs
    pb, lb = paired.ok("GET", "/api/crons")
    # Then PocketBase has its SQLite job (and, while rate limits are on, its limiters' cleanup), and without
    # them both lists are the same, in the same order
    assert {"id": deliberate.DB_OPTIMIZE_JOB, "expression": "0 0 * * *"} in pb
    assert lb == [job for job in pb if job["id"] not in deliberate.JOBS_NOT_HERE]


@pytest.mark.parametrize("fields", ["id", "id:excerpt(3)", "expression,nope", "*", ""])
def test_the_list_is_projected_by_fields_as_pocketbases(paired: PairedClient, fields: str) -> None:
    # Given PocketBase lists its SQLite job first / When both lists are asked for with `fields`
    pb_full, _ = paired.ok("GET", "/api/crons")
    assert pb_full[0]["id"] == deliberate.DB_OPTIMIZE_JOB
    pb, lb = paired.ok("GET", "/api/crons", params={"fields": fields})
    # Then ours is PocketBase's projection without the jobs it has and we do not
    assert lb == [job for job, full in zip(pb, pb_full, strict=True) if full["id"] not in deliberate.JOBS_NOT_HERE]


def test_running_the_sqlite_optimize_job_is_a_404_here(paired: PairedClient) -> None:
    pair = paired.send("POST", f"/api/crons/{deliberate.DB_OPTIMIZE_JOB}")
    assert pair.pb.status_code == 204
    assert pair.lb.status_code == 404 and pair.lb.json() == {"status": 404, "message": "Missing or invalid cron job.",
                                                             "data": {}}


def test_a_backups_cron_lists_and_runs_the_auto_backup(paired: PairedClient) -> None:
    # Given backups.cron set to a macro on both sides
    paired.ok("PATCH", "/api/settings", json={"backups": {"cron": "@daily"}})
    try:
        # When listed / Then both list the auto backup last, its macro expanded
        pb, lb = paired.ok("GET", "/api/crons")
        assert pb[-1] == lb[-1] == {"id": "__pbAutoBackup__", "expression": "0 0 * * *"}
    finally:
        paired.ok("PATCH", "/api/settings", json={"backups": {"cron": ""}})
