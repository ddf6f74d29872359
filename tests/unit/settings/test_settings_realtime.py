"""The `realtime` settings section (beyond PocketBase): channel rules merged and validated as PATCH does."""

from __future__ import annotations

from typing import Any

import pytest

from shared.app_settings.model import AppSettings
from shared.app_settings.patch import SubmittedDataError, merge, settings_json
from shared.app_settings.validation import validate


def merged(body: dict[str, Any]) -> dict[str, Any]:
    return merge(settings_json(AppSettings()), body)


def test_a_fresh_app_has_no_channels() -> None:
    assert settings_json(AppSettings())["realtime"] == {"channels": []}


def test_channel_rules_keep_null_apart_from_empty() -> None:
    # Given a channel with an "anyone" subscribe rule and no publish rule
    body = {"realtime": {"channels": [{"pattern": "room-*", "subscribeRule": "", "presence": True}]}}
    # When merged, Then the unset rule is null (superusers only), the empty one stays "" (anyone)
    value = merged(body)
    assert value["realtime"]["channels"] == [
        {"pattern": "room-*", "subscribeRule": "", "publishRule": None, "presence": True}]
    assert validate(value) == {}
    settings = AppSettings.model_validate(value)
    assert settings.realtime.channels[0].publish_rule is None and settings.realtime.channels[0].subscribe_rule == ""


def test_bad_channels_get_field_errors() -> None:
    value = merged({"realtime": {"channels": [
        {"pattern": "ok-*", "publishRule": "(("}, {"pattern": ""}, {"pattern": "bad name"}]}})
    errors = validate(value)["realtime"]["channels"]
    assert errors["0"]["publishRule"]["code"] == "validation_invalid_rule"
    assert errors["0"]["publishRule"]["message"].startswith("Invalid rule. Raw error: ")
    assert errors["1"] == {"pattern": {"code": "validation_required", "message": "Cannot be blank."}}
    assert errors["2"] == {"pattern": {"code": "validation_match_invalid", "message": "Must be in a valid format."}}


def test_a_rule_of_the_wrong_type_refuses_the_body() -> None:
    with pytest.raises(SubmittedDataError):
        merged({"realtime": {"channels": [{"pattern": "a", "publishRule": 5}]}})
