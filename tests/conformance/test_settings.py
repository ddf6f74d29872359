"""Conformance of /api/settings: view, partial update, validation, secrets and the test endpoints, side by side.

Both sides first get the same baseline (each side's own settings are restored afterwards): Lambdabase starts
with rate limits on and the suite's raised rules (a documented difference), PocketBase with them off.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conformance import deliberate
from tests.conformance.paired import GUEST, SUPERUSER, PairedClient
from tests.conformance.scenario import Case, cases, check
from tests.support.rate_limits import SUITE_RULES

BASELINE: dict[str, Any] = {
    "meta": {"appName": "Acme", "appURL": "http://localhost:8090", "senderName": "Support",
             "senderAddress": "support@example.com", "hideControls": False},
    "rateLimits": {"enabled": True, "excludedIPs": [],
                   "rules": [{**rule, "audience": ""} for rule in SUITE_RULES]},
    "batch": {"enabled": False, "maxRequests": 50, "timeout": 3, "maxBodySize": 0},
    "logs": {"maxDays": 5, "minLevel": 0, "logIP": True, "logAuthId": False},
}


@pytest.fixture(scope="module", autouse=True)
def baseline(paired: PairedClient) -> Iterator[None]:
    before = {}
    for side in paired.sides.values():
        auth = {"Authorization": side.tokens[SUPERUSER]}
        before[side.name] = side.http.get("/api/settings", headers=auth).json()
        response = side.http.patch("/api/settings", headers=auth, json=BASELINE)
        assert response.status_code == 200, f"{side.name}: {response.text}"
    yield
    for side in paired.sides.values():
        side.http.patch("/api/settings", headers={"Authorization": side.tokens[SUPERUSER]}, json=before[side.name])


S3_ON = {"enabled": True, "bucket": "b", "region": "us-east-1", "endpoint": "https://s3.example.com",
         "accessKey": "AKIA", "secret": "s3-secret"}
JSON = {"Content-Type": "application/json"}
NO_MAIL = "PocketBase here has no mail transport (no sendmail binary); Lambdabase sends through SES (moto)"

CASES = cases(
    Case("view as guest", "GET", "/api/settings", role=GUEST),
    Case("view as user", "GET", "/api/settings", role="alice"),
    Case("view", "GET", "/api/settings"),
    Case("update as guest", "PATCH", "/api/settings", role=GUEST, body={"meta": {"appName": "X"}}),
    Case("update as user", "PATCH", "/api/settings", role="alice", body={"meta": {"appName": "X"}}),
    Case("update one field", "PATCH", "/api/settings", body={"meta": {"appName": "Renamed"}}),
    Case("update nothing", "PATCH", "/api/settings", body={}),
    Case("update an unknown key", "PATCH", "/api/settings", body={"unknown": 1}),
    Case("update with null", "PATCH", "/api/settings", body={"batch": None, "logs": {"maxDays": None}}),
    Case("null section fails validation", "PATCH", "/api/settings", body={"meta": None}),
    Case("null in a list", "PATCH", "/api/settings", body={"superuserIPs": [None]}),
    Case("null rules", "PATCH", "/api/settings", body={"rateLimits": {"enabled": False, "rules": None}}),
    Case("null body", "PATCH", "/api/settings", raw=b"null", headers=JSON,
         differs="PocketBase answers a 500 to a JSON null body; Lambdabase never answers 500 to bad input: its 400 "
                 "with the same message (docs/compatibility.md)"),
    Case("restore after nulls", "PATCH", "/api/settings", body=BASELINE),
    Case("update batch", "PATCH", "/api/settings", body={"batch": {"enabled": True, "maxRequests": 10}}),
    Case("update secrets are not returned", "PATCH", "/api/settings",
         body={"s3": S3_ON, "smtp": {"password": "pw"}, "backups": {"s3": {**S3_ON, "secret": "b"}}}),
    Case("view hides secrets", "GET", "/api/settings"),
    Case("empty secret is checked", "PATCH", "/api/settings", body={"s3": {"secret": ""}}),
    Case("disable s3 with an empty secret", "PATCH", "/api/settings", body={"s3": {"enabled": False, "secret": ""}}),
    Case("enable s3 again keeps its secret", "PATCH", "/api/settings", body={"s3": {"enabled": True}}),
    Case("disable s3", "PATCH", "/api/settings",
         body={"s3": {"enabled": False}, "backups": {"s3": {"enabled": False}}}),
    Case("bad url", "PATCH", "/api/settings", body={"meta": {"appURL": "not a url"}}),
    Case("bad meta", "PATCH", "/api/settings",
         body={"meta": {"appName": "", "senderAddress": "bad", "senderName": "", "accentColor": "red"}}),
    Case("bad cron", "PATCH", "/api/settings", body={"backups": {"cron": "bad cron", "cronMaxKeep": 0}}),
    Case("bad cron minute", "PATCH", "/api/settings", body={"backups": {"cron": "61 * * * *"}}),
    Case("bad cron step", "PATCH", "/api/settings", body={"backups": {"cron": "*/0 * * * *"}}),
    Case("cron without keep", "PATCH", "/api/settings", body={"backups": {"cron": "0 0 * * *", "cronMaxKeep": 0}}),
    Case("bad rate limit rule", "PATCH", "/api/settings", body={"rateLimits": {"rules": [
        {"label": "bad label!", "maxRequests": 0, "duration": -1, "audience": "x"}]}}),
    Case("conflicting rate limit rules", "PATCH", "/api/settings", body={"rateLimits": {"rules": [
        {"label": "/api/", "maxRequests": 1, "duration": 1}, {"label": "/api/", "maxRequests": 1, "duration": 1}]}}),
    Case("rate limits on without rules", "PATCH", "/api/settings", body={"rateLimits": {"enabled": True, "rules": []}}),
    Case("bad excluded ips", "PATCH", "/api/settings", body={"rateLimits": {"excludedIPs": ["nope", ""]}}),
    Case("batch max requests 0", "PATCH", "/api/settings",
         body={"batch": {"enabled": True, "maxRequests": 0, "timeout": 0, "maxBodySize": -1}}),
    Case("negative batch numbers", "PATCH", "/api/settings", body={"batch": {"maxRequests": -1, "timeout": -3}}),
    Case("negative log days", "PATCH", "/api/settings", body={"logs": {"maxDays": -1}}),
    Case("bad smtp", "PATCH", "/api/settings",
         body={"smtp": {"enabled": True, "host": "", "port": 0, "authMethod": "X", "localName": "bad host!"}}),
    Case("s3 on without config", "PATCH", "/api/settings", body={"s3": {"enabled": True}}),
    Case("bad backups s3", "PATCH", "/api/settings", body={"backups": {"s3": {"enabled": True, "endpoint": "x"}}}),
    Case("bad superuser ip", "PATCH", "/api/settings", body={"superuserIPs": ["x"]}),
    Case("wrong type", "PATCH", "/api/settings", body={"meta": {"appName": 5}}),
    Case("wrong nested type", "PATCH", "/api/settings", body={"batch": {"maxRequests": "x"}}),
    Case("array body", "PATCH", "/api/settings", body=[1]),
    Case("broken json", "PATCH", "/api/settings", raw=b"{not json", headers=JSON, deliberate=deliberate.BAD_JSON),
    Case("unchanged after the bad bodies", "GET", "/api/settings"),
    Case("test s3 as user", "POST", "/api/settings/test/s3", role="alice", body={}),
    Case("test s3 blank", "POST", "/api/settings/test/s3", body={}),
    Case("test s3 unknown filesystem", "POST", "/api/settings/test/s3", body={"filesystem": "x"}),
    Case("test s3 unreachable endpoint", "POST", "/api/settings/test/s3", body={"filesystem": "storage"},
         deliberate=deliberate.S3_TEST_RAW_ERROR),
    Case("disable s3 for the checks", "PATCH", "/api/settings", body={"s3": {"enabled": False}}),
    Case("test s3 storage not enabled", "POST", "/api/settings/test/s3", body={"filesystem": "storage"}),
    Case("test s3 backups not enabled", "POST", "/api/settings/test/s3", body={"filesystem": "backups"}),
    Case("test s3 array body", "POST", "/api/settings/test/s3", body=[1]),
    Case("test email as guest", "POST", "/api/settings/test/email", role=GUEST, body={}),
    Case("test email blank", "POST", "/api/settings/test/email", body={}),
    Case("test email bad", "POST", "/api/settings/test/email", body={"email": "bad", "template": "x"}),
    Case("test email unknown collection", "POST", "/api/settings/test/email",
         body={"email": "a@example.com", "template": "login-alert", "collection": "nope"}),
    Case("test email base collection", "POST", "/api/settings/test/email",
         body={"email": "a@example.com", "template": "otp", "collection": "_collections"}),
    Case("test email sends", "POST", "/api/settings/test/email",
         body={"email": "a@example.com", "template": "verification"}, differs=NO_MAIL),
)


@pytest.mark.parametrize("case", CASES)
def test_settings(paired: PairedClient, case: Case) -> None:
    # Given both servers on the same settings, When the same request goes to both, Then status and body agree
    check(paired, case)
