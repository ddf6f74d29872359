"""PATCH /api/settings's validation and merge, against what PocketBase 0.40.6 answered for the same bodies."""

from __future__ import annotations

from typing import Any

import pytest

from shared.app_settings.model import AppSettings
from shared.app_settings.patch import SubmittedDataError, merge, settings_json
from shared.app_settings.validation import validate


def errors_for(body: dict[str, Any]) -> dict[str, Any]:
    return validate(merge(settings_json(AppSettings()), body))


def codes(errors: Any) -> Any:
    """The errors with only their codes (messages are checked where they carry information)."""
    if isinstance(errors, dict) and "code" in errors and "message" in errors:
        return errors["code"]
    return {k: codes(v) for k, v in errors.items()}


# (body, the codes PocketBase 0.40.6 answered): captured from the real server with the same bodies.
ORACLE = [
    ({"meta": {"appURL": "not a url"}}, {"meta": {"appURL": "validation_is_url"}}),
    ({"meta": {"appName": "", "senderAddress": "bad", "senderName": "", "accentColor": "red"}},
     {"meta": {"accentColor": "validation_length_invalid", "appName": "validation_required",
               "senderAddress": "validation_is_email", "senderName": "validation_required"}}),
    ({"backups": {"cron": "bad cron", "cronMaxKeep": 0}},
     {"backups": {"cron": "validation_invalid_cron", "cronMaxKeep": "validation_required"}}),
    ({"backups": {"cron": "0 0 * * *", "cronMaxKeep": 0}}, {"backups": {"cronMaxKeep": "validation_required"}}),
    ({"rateLimits": {"rules": [{"label": "bad label!", "maxRequests": 0, "duration": -1, "audience": "x"}]}},
     {"rateLimits": {"rules": {"0": {"audience": "validation_in_invalid",
                                     "duration": "validation_min_greater_equal_than_required",
                                     "label": "validation_match_invalid", "maxRequests": "validation_required"}}}}),
    ({"rateLimits": {"rules": [{"label": "/api/", "maxRequests": 1, "duration": 1}] * 2}},
     {"rateLimits": {"rules": {"1": {"label": "validation_conflicting_rate_limit_rule"}}}}),
    ({"rateLimits": {"enabled": True, "rules": []}}, {"rateLimits": {"rules": "validation_required"}}),
    ({"rateLimits": {"excludedIPs": ["nope", ""]}},
     {"rateLimits": {"excludedIPs": {"0": "validation_invlaid_ip_or_subnet", "1": "validation_required"}}}),
    ({"batch": {"enabled": True, "maxRequests": 0, "timeout": 0, "maxBodySize": -1}},
     {"batch": {"maxBodySize": "validation_min_greater_equal_than_required", "maxRequests": "validation_required",
                "timeout": "validation_required"}}),
    ({"batch": {"maxRequests": -1, "timeout": -3}},
     {"batch": {"maxRequests": "validation_min_greater_equal_than_required",
                "timeout": "validation_min_greater_equal_than_required"}}),
    ({"logs": {"maxDays": -1}}, {"logs": {"maxDays": "validation_min_greater_equal_than_required"}}),
    ({"smtp": {"enabled": True, "host": "", "port": 0, "authMethod": "X", "localName": "bad host!"}},
     {"smtp": {"authMethod": "validation_in_invalid", "host": "validation_required",
               "localName": "validation_is_host", "port": "validation_required"}}),
    ({"s3": {"enabled": True}}, {"s3": {k: "validation_required" for k in
                                        ("accessKey", "bucket", "endpoint", "region", "secret")}}),
    ({"s3": {"endpoint": "nope"}}, {"s3": {"endpoint": "validation_is_url"}}),
    ({"backups": {"s3": {"enabled": True, "endpoint": "x"}}},
     {"backups": {"s3": {"accessKey": "validation_required", "bucket": "validation_required",
                         "endpoint": "validation_is_url", "region": "validation_required",
                         "secret": "validation_required"}}}),
    ({"superuserIPs": ["x"]}, {"superuserIPs": {"0": "validation_invlaid_ip_or_subnet"}}),
    ({"unknown": 1}, {}),
    ({"smtp": {"enabled": True, "password": ""}}, {}),
    ({"backups": {"cron": "@daily"}, "superuserIPs": ["10.0.0.0/8", "::1"]}, {}),
]


@pytest.mark.parametrize(("body", "expected"), ORACLE, ids=[str(i) for i in range(len(ORACLE))])
def test_bad_settings_get_pocketbases_field_errors(body: dict[str, Any], expected: dict[str, Any]) -> None:
    # Given PocketBase's defaults / When the body is merged and validated / Then PocketBase's error codes
    assert codes(errors_for(body)) == expected


def test_messages_and_params_are_pocketbases() -> None:
    # Given bodies whose messages PocketBase fills in / When validated / Then the same words and params
    found = errors_for({"backups": {"cron": "bad cron"}, "logs": {"maxDays": -1},
                        "rateLimits": {"rules": [{"label": "/a/", "maxRequests": 1, "duration": 1}] * 2}})
    assert found["backups"]["cron"]["message"] == (
        "Invalid cron expression - must be a valid macro or to have exactly 5 space separated segments.")
    assert found["logs"]["maxDays"] == {"code": "validation_min_greater_equal_than_required",
                                        "message": "Must be no less than 0.", "params": {"threshold": 0}}
    assert found["rateLimits"]["rules"]["1"]["label"]["params"] == {"label": "/a/"}


@pytest.mark.parametrize("cron", ["61 * * * *", "* * * *", "*/0 * * * *", "5-1 * * * *", "1/2 * * * *", "x * * * *"])
def test_bad_cron_segments_are_refused(cron: str) -> None:
    assert errors_for({"backups": {"cron": cron}})["backups"]["cron"]["code"] == "validation_invalid_cron"


@pytest.mark.parametrize("cron", ["@hourly", "0 0 * * *", "*/15 1-5 1,15 * 0-6", "30 2 1-31/2 12 *"])
def test_good_crons_pass(cron: str) -> None:
    assert errors_for({"backups": {"cron": cron}}) == {}


@pytest.mark.parametrize("body", [{"meta": {"appName": 5}}, {"batch": {"maxRequests": "x"}},
                                  {"batch": {"maxRequests": 1.5}}, {"meta": "x"}, {"rateLimits": {"rules": {}}},
                                  {"batch": {"enabled": 1}}, {"superuserIPs": [1]}])
def test_a_value_of_the_wrong_json_type_refuses_the_whole_body(body: dict[str, Any]) -> None:
    # Given a body PocketBase could not unmarshal / When merged / Then "loading the submitted data" (400)
    with pytest.raises(SubmittedDataError):
        merge(settings_json(AppSettings()), body)


def test_objects_merge_arrays_replace_and_null_resets_to_zero() -> None:
    # Given PocketBase's defaults
    current = settings_json(AppSettings())
    # When a body touches one field of a section, replaces an array, and sends null for other values
    merged = merge(current, {"meta": {"appName": "New"}, "rateLimits": {"rules": [{"label": "/api/"}, None]},
                             "batch": None, "logs": {"maxDays": None}, "superuserIPs": None})
    # Then the section keeps its other fields, the array is the body's (zero-filled), and null is the zero value,
    # as PocketBase 0.40.6 answered
    assert merged["meta"] == {**current["meta"], "appName": "New"}
    assert merged["rateLimits"]["rules"] == [{"label": "/api/", "audience": "", "duration": 0, "maxRequests": 0},
                                             {"label": "", "audience": "", "duration": 0, "maxRequests": 0}]
    assert merged["batch"] == {"enabled": False, "maxRequests": 0, "timeout": 0, "maxBodySize": 0}
    assert merged["logs"] == {**current["logs"], "maxDays": 0} and merged["superuserIPs"] == []
