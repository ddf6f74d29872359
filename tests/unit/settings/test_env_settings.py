"""Settings read from the environment (shared/tools/env_settings.py): names, aliases, JSON values, precedence."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import BaseModel, Field, ValidationError

from shared.tools.env_settings import EnvSettings, EnvSettingsError


class Rule(BaseModel):
    label: str
    limit: int


class Example(EnvSettings):
    max_items: int = Field(default=100, ge=1)
    enabled: bool = False
    origins: tuple[str, ...] = ()
    rules: list[Rule] | None = None
    path: str | None = None
    service: str = Field("svc", validation_alias="POWERTOOLS_SERVICE_NAME")


class Unprefixed(EnvSettings):
    env_prefix: ClassVar[str] = ""

    region: str = "us-east-1"


def test_defaults_apply_when_the_environment_holds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given none of the variables
    for name in ("LB_MAX_ITEMS", "LB_ENABLED", "LB_ORIGINS", "LB_RULES", "LB_PATH", "POWERTOOLS_SERVICE_NAME"):
        monkeypatch.delenv(name, raising=False)
    # Then the defaults are the values
    assert Example().model_dump() == {"max_items": 100, "enabled": False, "origins": (), "rules": None,
                                      "path": None, "service": "svc"}


def test_each_field_reads_its_prefixed_name_in_any_case_and_plain_types_are_validated_leniently(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the variables, one in lower case
    monkeypatch.setenv("LB_MAX_ITEMS", "30")
    monkeypatch.setenv("lb_enabled", "yes")
    monkeypatch.setenv("LB_PATH", "/tmp/outbox")
    # When the settings are built
    settings = Example()
    # Then each is read and validated as its type
    assert (settings.max_items, settings.enabled, settings.path) == (30, True, "/tmp/outbox")


def test_a_collection_or_model_field_is_read_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LB_ORIGINS", '["https://a.example", "https://b.example"]')
    monkeypatch.setenv("LB_RULES", '[{"label": "*:auth", "limit": 5}]')
    settings = Example()
    assert settings.origins == ("https://a.example", "https://b.example")
    assert settings.rules == [Rule(label="*:auth", limit=5)]


def test_json_that_does_not_parse_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LB_ORIGINS", "https://a.example")
    with pytest.raises(EnvSettingsError, match=r"LB_ORIGINS must be JSON for Example\.origins"):
        Example()


def test_an_alias_is_the_variable_s_whole_name_and_a_class_may_drop_the_prefix(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "records")
    monkeypatch.setenv("LB_SERVICE", "ignored")
    monkeypatch.setenv("REGION", "eu-west-1")
    assert Example().service == "records"
    assert Unprefixed().region == "eu-west-1"


def test_given_values_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LB_MAX_ITEMS", "30")
    assert Example(max_items=7).max_items == 7


def test_a_value_out_of_bounds_fails_validation_and_the_settings_are_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LB_MAX_ITEMS", "0")
    with pytest.raises(ValidationError, match="max_items"):
        Example()
    monkeypatch.delenv("LB_MAX_ITEMS")
    with pytest.raises(ValidationError, match="frozen"):
        Example().max_items = 5  # type: ignore[misc]
