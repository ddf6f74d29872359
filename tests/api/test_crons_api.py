"""The Crons API on the in-process local stack: who may call it, PocketBase's answers, and runs reaching the
scheduler function through the crons queue (POST /api/crons/{id}) and through the minute schedule's ticks."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.crons import auth_cleanup
from tests.support import fake_clock
from tests.support.in_process import InProcessStack
from tests.support.records_api import GUEST, USER_PASSWORD, Api, unique

BUILTIN = [
    {"id": "__pbMFACleanup__", "expression": "0 * * * *"},
    {"id": "__pbOTPCleanup__", "expression": "0 * * * *"},
    {"id": "__pbLogsCleanup__", "expression": "0 */6 * * *"},
]
UNAUTHORIZED = {"status": 401, "message": "The request requires valid record authorization token.", "data": {}}
FORBIDDEN = {"status": 403, "message": "The authorized record is not allowed to perform this action.", "data": {}}
MISSING = {"status": 404, "message": "Missing or invalid cron job.", "data": {}}


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/crons"), ("POST", "/api/crons/__pbOTPCleanup__"),
                                              ("POST", "/api/crons/nope")])
def test_only_superusers_may_list_or_run(api: Api, method: str, path: str) -> None:
    # Given a guest and a signed-in user / When they call the Crons API / Then PocketBase's 401 and 403
    assert (r := api.request(method, path, role=GUEST)).status_code == 401 and r.json() == UNAUTHORIZED
    assert (r := api.request(method, path, role="user")).status_code == 403 and r.json() == FORBIDDEN


def test_a_superuser_lists_pocketbases_jobs(api: Api) -> None:
    # Given no backups.cron (the default) / When a superuser lists / Then the built-in jobs, no auto backup
    assert api.ok("GET", "/api/crons") == BUILTIN


def test_running_an_unknown_job_is_pocketbases_404(api: Api) -> None:
    assert (r := api.request("POST", "/api/crons/__pbAutoBackup__")).status_code == 404 and r.json() == MISSING
    assert (r := api.request("POST", "/api/crons/nope")).status_code == 404 and r.json() == MISSING


def _auth_collection_with_an_otp(api: Api, duration_s: int) -> tuple[str, str]:
    """A new auth collection whose OTPs last `duration_s`, one user in it and one `_otps` record for them."""
    name = unique("members")
    collection = api.create_collection({"name": name, "type": "auth", "otp": {"duration": duration_s},
                                        "createRule": ""})
    user = api.create_record(name, {"email": f"{name}@example.com", "password": USER_PASSWORD,
                                    "passwordConfirm": USER_PASSWORD})
    otp = api.create_record("_otps", {"collectionRef": collection["id"], "recordRef": user["id"],
                                      "password": "123456"})
    return collection["id"], otp["id"]


def _otp_exists(api: Api, otp_id: str) -> bool:
    return api.request("GET", f"/api/collections/_otps/records/{otp_id}").status_code == 200


def _wait_gone(api: Api, otp_id: str, timeout_s: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _otp_exists(api, otp_id):
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="module")
def otps(api: Api) -> dict[str, Any]:
    """One OTP in a collection allowing 10 s, one in a collection allowing an hour (both created now)."""
    _, expired = _auth_collection_with_an_otp(api, 10)
    _, young = _auth_collection_with_an_otp(api, 3600)
    return {"expired": expired, "young": young}


def _eleven_seconds_later(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cleanup job's clock 11 s ahead: OTPs created now are past a 10 s duration, not past an hour."""
    fake_clock.ahead(monkeypatch, 11, auth_cleanup)


def test_run_now_is_answered_at_once_and_the_scheduler_runs_the_job(api: Api, otps: dict[str, Any],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an expired OTP and a young one
    _eleven_seconds_later(monkeypatch)
    # When a superuser runs the OTP cleanup now
    response = api.request("POST", "/api/crons/__pbOTPCleanup__")
    # Then 204 with no body, and the scheduler function deletes the expired OTP only
    assert response.status_code == 204 and response.content == b""
    assert _wait_gone(api, otps["expired"])
    assert _otp_exists(api, otps["young"])


def test_a_minute_tick_runs_due_jobs_once_even_when_delivered_twice(api: Api, stack: InProcessStack,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an expired OTP and the local schedule's timer
    from local.schedules import start_schedules
    from shared import resources
    from shared.aws import client

    _, expired = _auth_collection_with_an_otp(api, 10)
    _eleven_seconds_later(monkeypatch)
    timer = start_schedules()[0]
    minute = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # on the hour: both auth cleanups are due
    # When the schedule's message for 14:00 is delivered twice, as Scheduler and SQS may
    timer.fire(minute)
    timer.fire(minute.replace(second=9))
    # Then the due job ran and deleted the OTP, and its minute's claim was written once
    assert _wait_gone(api, expired)
    claims = client("dynamodb").query(
        TableName=resources.SYSTEM_TABLE.physical_name, KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "cron#__pbOTPCleanup__#2026-12-01T14:00"}})["Items"]
    assert len(claims) == 1 and "ttl" in claims[0]
    # and the second delivery was handled too (by claiming nothing new: the unit and moto tests show why)
    deadline = time.monotonic() + 10
    while stack.logs().count("cron message handled") < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert stack.logs().count("cron message handled") >= 2
