"""`/api/settings` over HTTP on the in-process local stack: view, partial update, validation, secrets, tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from shared import resources
from shared.app_settings import provider
from shared.app_settings.store import SETTINGS_PK, SETTINGS_SK
from shared.aws import client
from shared.mail import outbox
from tests.support.records_api import GUEST, Api, Scenario, error, field_error, ids, run

pytestmark = pytest.mark.api

SAVE_FAILED = "An error occurred while saving the new settings."


@pytest.fixture(autouse=True, scope="module")
def restore_settings(api: Api) -> Iterator[None]:
    """The stack is shared with the folder's other modules: leave it as never configured, so that their env
    (LB_BATCH_*, LB_RATE_LIMITS) is again what a fresh deployment's settings start from."""
    yield
    forget_settings()


def forget_settings() -> None:
    """Deletes the settings item: the deployment is as if settings were never saved."""
    client("dynamodb").delete_item(TableName=resources.SYSTEM_TABLE.physical_name,
                                   Key={"pk": {"S": SETTINGS_PK}, "sk": {"S": SETTINGS_SK}})
    provider.invalidate()


def raw_item() -> dict[str, Any]:
    item = client("dynamodb").get_item(TableName=resources.SYSTEM_TABLE.physical_name,
                                       Key={"pk": {"S": SETTINGS_PK}, "sk": {"S": SETTINGS_SK}})
    return dict(item["Item"])


ACCESS = [
    Scenario("guest view", "GET", "/api/settings", 401, error(401, "The request requires valid record "
                                                                   "authorization token.", {}), role=GUEST),
    Scenario("user view", "GET", "/api/settings", 403, error(403, "The authorized record is not allowed to "
                                                                  "perform this action.", {}), role="user"),
    Scenario("guest update", "PATCH", "/api/settings", 401, body={}, role=GUEST),
    Scenario("user update", "PATCH", "/api/settings", 403, body={}, role="user"),
    Scenario("user test email", "POST", "/api/settings/test/email", 403, body={}, role="user"),
    Scenario("guest test s3", "POST", "/api/settings/test/s3", 401, body={}, role=GUEST),
    Scenario("guest secrets presence", "GET", "/api/settings/secrets", 401, role=GUEST),
    Scenario("user secrets presence", "GET", "/api/settings/secrets", 403, role="user"),
]


@pytest.mark.parametrize("scenario", ACCESS, ids=ids(ACCESS))
def test_only_superusers_reach_the_settings(api: Api, scenario: Scenario) -> None:
    # Given a guest or a plain user / When they call a settings endpoint / Then PocketBase's 401 or 403
    run(api, scenario)


BAD = [
    Scenario("bad url", "PATCH", "/api/settings", 400, error(400, SAVE_FAILED, {
        "meta": {"appURL": field_error("validation_is_url")}}), body={"meta": {"appURL": "not a url"}}),
    Scenario("bad cron", "PATCH", "/api/settings", 400, error(400, SAVE_FAILED, {
        "backups": {"cron": field_error("validation_invalid_cron")}}), body={"backups": {"cron": "61 * * * *"}}),
    Scenario("bad rule", "PATCH", "/api/settings", 400, error(400, SAVE_FAILED, {"rateLimits": {"rules": {"0": {
        "label": field_error("validation_match_invalid"), "maxRequests": field_error("validation_required")}}}}),
        body={"rateLimits": {"rules": [{"label": "bad label!", "maxRequests": 0, "duration": 1}]}}),
    Scenario("negative days", "PATCH", "/api/settings", 400, error(400, SAVE_FAILED, {
        "logs": {"maxDays": field_error("validation_min_greater_equal_than_required")}}),
        body={"logs": {"maxDays": -1}}),
    Scenario("wrong type", "PATCH", "/api/settings", 400, error(
        400, "An error occurred while loading the submitted data.", {}), body={"batch": {"maxRequests": "5"}}),
]


@pytest.mark.parametrize("scenario", BAD, ids=ids(BAD))
def test_a_bad_body_answers_400_and_changes_nothing(api: Api, scenario: Scenario) -> None:
    # Given the settings as they are, with a change in the same body as the bad value
    before = api.ok("GET", "/api/settings")
    body = {**scenario.body, "meta": {"appName": "Half Written", **scenario.body.get("meta", {})}}
    # When the bad body is sent / Then PocketBase's per-field 400, and the settings are unchanged
    run(api, Scenario(scenario.name, "PATCH", "/api/settings", 400, scenario.expect, body=body))
    assert api.ok("GET", "/api/settings") == before


def test_a_partial_update_merges_and_reaches_the_batch_endpoint(api: Api) -> None:
    # Given batch enabled with at most 50 requests
    api.ok("PATCH", "/api/settings", json={"batch": {"enabled": True, "maxRequests": 50}})
    # When only maxRequests changes
    updated = api.ok("PATCH", "/api/settings", json={"batch": {"maxRequests": 1}})
    # Then the rest of the section is kept, and the records function enforces the new limit at once
    assert updated["batch"] == {"enabled": True, "maxRequests": 1, "timeout": 3, "maxBodySize": 0}
    assert updated["meta"] == api.ok("GET", "/api/settings")["meta"]
    two = [{"method": "POST", "url": "/api/collections/users/records", "body": {}}] * 2
    refused = api.request("POST", "/api/batch", json={"requests": two})
    assert refused.status_code == 400 and "requests" in refused.json()["data"], refused.text
    api.ok("PATCH", "/api/settings", json={"batch": {"maxRequests": 50}})


def test_secrets_are_encrypted_at_rest_never_returned_and_kept_when_sent_empty(api: Api) -> None:
    # Given an S3 configuration with a secret, saved through the API
    secret = "s3-secret-value-7f3a9c"
    body = {"s3": {"enabled": True, "bucket": "b", "region": "us-east-1", "endpoint": "https://s3.example.com",
                   "accessKey": "AKIA", "secret": secret}, "smtp": {"password": "smtp-pass-1234"}}
    saved = api.ok("PATCH", "/api/settings", json=body)
    # Then neither the answer nor GET carries a secret, and the raw item holds only ciphertexts
    for view in (saved, api.ok("GET", "/api/settings")):
        assert "secret" not in view["s3"] and "password" not in view["smtp"], view
    raw = json.dumps(raw_item())
    assert secret not in raw and "smtp-pass-1234" not in raw
    stored = json.loads(raw_item()["value"]["S"])
    assert stored["s3"]["secret"].startswith("kms:") and stored["smtp"]["password"].startswith("kms:")
    # When the secret is sent empty while S3 stays enabled / Then it is checked as empty, as PocketBase does
    run(api, Scenario("empty secret", "PATCH", "/api/settings", 400, error(400, SAVE_FAILED, {
        "s3": {"secret": field_error("validation_required")}}), body={"s3": {"secret": ""}}))
    # And when S3 is disabled with an empty secret, the stored one is kept
    api.ok("PATCH", "/api/settings", json={"s3": {"enabled": False, "secret": ""}})
    api.ok("PATCH", "/api/settings", json={"s3": {"enabled": True}})
    assert json.loads(raw_item()["value"]["S"])["s3"]["secret"].startswith("kms:")
    api.ok("PATCH", "/api/settings", json={"s3": {"enabled": False}})


def test_secrets_presence_says_which_are_set_and_never_a_value(api: Api) -> None:
    # Given settings never saved / Then no secret is set
    forget_settings()
    nothing = {"smtp.password": False, "s3.secret": False, "backups.s3.secret": False,
               "forms.turnstile.secret": False, "forms.hcaptcha.secret": False}
    assert api.ok("GET", "/api/settings/secrets") == nothing
    # When an SMTP password is saved / Then only it is set, and the answer holds no value
    api.ok("PATCH", "/api/settings", json={"smtp": {"password": "smtp-pass-presence-91"}})
    presence = api.ok("GET", "/api/settings/secrets")
    assert presence == {**nothing, "smtp.password": True}
    assert "smtp-pass-presence-91" not in json.dumps(presence)
    # And a later save with the password empty keeps it set
    api.ok("PATCH", "/api/settings", json={"smtp": {"password": "", "username": "mailer"}})
    assert api.ok("GET", "/api/settings/secrets")["smtp.password"] is True
    forget_settings()


def test_s3_check_answers_pocketbase_errors(api: Api) -> None:
    # Given no backups S3 configured
    api.ok("PATCH", "/api/settings", json={"backups": {"s3": {"enabled": False}}})
    # When the check is asked for it, for nothing, or for an unknown filesystem / Then PocketBase's 400s
    run(api, Scenario("not enabled", "POST", "/api/settings/test/s3", 400, error(
        400, "Failed to test the S3 filesystem. Raw error: \nS3 storage filesystem is not enabled.", {}),
        body={"filesystem": "backups"}))
    run(api, Scenario("blank", "POST", "/api/settings/test/s3", 400, error(400, "Failed to test the S3 filesystem.", {
        "filesystem": field_error("validation_required")}), body={}))
    run(api, Scenario("unknown", "POST", "/api/settings/test/s3", 400, error(400, "Failed to test the S3 filesystem.", {
        "filesystem": field_error("validation_in_invalid")}), body={"filesystem": "x"}))


def test_s3_check_writes_and_deletes_a_test_object_in_the_configured_bucket(api: Api) -> None:
    # Given storage S3 pointing at a bucket of the (moto) account
    bucket = resources.FILES_BUCKET.physical_name
    api.ok("PATCH", "/api/settings", json={"s3": {"enabled": True, "bucket": bucket, "region": "us-east-1",
                                                  "endpoint": "https://s3.us-east-1.amazonaws.com",
                                                  "accessKey": "local", "secret": "local"}})
    # When the check runs / Then 204, and no test object is left behind
    api.ok("POST", "/api/settings/test/s3", status=204, json={"filesystem": "storage"})
    left = client("s3").list_objects_v2(Bucket=bucket, Prefix="pb_settings_test_").get("KeyCount", 0)
    assert left == 0
    api.ok("PATCH", "/api/settings", json={"s3": {"enabled": False}})


EMAIL = [
    Scenario("blank", "POST", "/api/settings/test/email", 400, error(400, "Failed to send the test email.", {
        "email": field_error("validation_required"), "template": field_error("validation_required")}), body={}),
    Scenario("bad", "POST", "/api/settings/test/email", 400, error(400, "Failed to send the test email.", {
        "email": field_error("validation_is_email"), "template": field_error("validation_in_invalid")}),
        body={"email": "bad", "template": "x"}),
    Scenario("no such collection", "POST", "/api/settings/test/email", 400, error(400, "Failed to send the test "
             "email.", {"collection": field_error("validation_invalid_auth_collection")}),
             body={"email": "a@example.com", "template": "otp", "collection": "nope"}),
]


@pytest.mark.parametrize("scenario", EMAIL, ids=ids(EMAIL))
def test_email_check_validates_like_pocketbase(api: Api, scenario: Scenario) -> None:
    run(api, scenario)


@pytest.mark.parametrize("template", ["verification", "password-reset", "email-change", "otp", "login-alert"])
def test_email_check_sends_the_template_with_the_runtime_app_name(api: Api, template: str,
                                                                   stack: Any) -> None:
    # Given an app name changed at runtime
    api.ok("PATCH", "/api/settings", json={"meta": {"appName": "Runtime Name"}})
    # When a test email of this template is sent to the users collection
    api.ok("POST", "/api/settings/test/email", status=204,
           json={"email": "check@example.com", "template": template, "collection": "users"})
    # Then SES (moto) accepted it, from the settings' sender, with the new app name in it
    sent = [m.message for m in outbox.read(stack.data_dir / "mail") if "check@example.com" in m.message.to]
    assert sent and sent[-1].kind == f"test:{template}", sent[-1:]
    assert "Runtime Name" in sent[-1].html + sent[-1].subject, sent[-1]


def test_rate_limits_change_at_runtime(api: Api) -> None:
    # Given the suite's rules plus a tight one for guests listing users, saved through PATCH
    rules = api.ok("GET", "/api/settings")["rateLimits"]["rules"]
    tight = {"label": "users:list", "audience": "@guest", "maxRequests": 2, "duration": 60}
    api.ok("PATCH", "/api/settings", json={"rateLimits": {"enabled": True, "rules": [tight, *rules]}})
    try:
        # When a guest lists users three times / Then the third is PocketBase's 429, with no deploy in between
        statuses = [api.request("GET", "/api/collections/users/records", role=GUEST).status_code for _ in range(3)]
        assert statuses[2] == 429 and 429 not in statuses[:2], statuses
    finally:
        api.ok("PATCH", "/api/settings", json={"rateLimits": {"rules": rules}})
    # And once the rule is gone, the guest is served again
    assert api.request("GET", "/api/collections/users/records", role=GUEST).status_code != 429
