"""Deployment context is checked before anything is synthesized: a bad value fails with the key and the fix."""

from __future__ import annotations

import pytest
from aws_cdk import App

from infra.config import ConfigError, DeployConfig
from shared import resources


def _config(**context: object) -> DeployConfig:
    return DeployConfig.from_context(App(context=context))


def test_defaults_are_pocketbases_and_the_default_stage_is_unprefixed() -> None:
    config = _config()
    assert (config.stage, config.stack_name, config.naming.prefix) == ("", "Lambdabase", "lambdabase")
    assert config.cors_origins == ("*",)
    assert config.app_url is None  # the HTTP API's own URL, filled in by the stack


def test_a_stage_prefixes_names_and_the_stack() -> None:
    config = _config(**{"lb:stage": "pr-42"})
    assert config.stack_name == "Lambdabase-pr-42"
    assert config.naming.name("records") == "lambdabase-pr-42-records"
    # An explicit stack name still wins
    assert _config(**{"stage": "dev", "lb:stackName": "Notes"}).stack_name == "Notes"


@pytest.mark.parametrize(("context", "message"), [
    ({"lb:stage": "Dev"}, "lb:stage must be"),
    ({"lb:stage": "dev_1"}, "lb:stage must be"),
    ({"lb:stage": "a-very-long-stage"}, "lb:stage must be"),
    ({"lb:stage": "dev", "stage": "prod"}, "disagree"),
    ({"lb:corsOrigins": "https://app.example.com/"}, "no trailing slash"),
    ({"lb:corsOrigins": ["*", "https://app.example.com"]}, "not both"),
    ({"lb:corsOrigins": "app.example.com"}, "is not an origin"),
    ({"lb:appUrl": "localhost:8090"}, "lb:appUrl must be an http(s) URL"),
    ({"lb:mailSenderAddress": "support"}, "lb:mailSenderAddress must be an email address"),
    ({"lb:mailSenderName": "Support\nBcc: x@evil.example"}, "one non-empty line"),
    ({"lb:httpRateLimit": "0"}, "lb:httpRateLimit must be a positive"),
    ({"lb:httpBurstLimit": "lots"}, "lb:httpBurstLimit must be an integer"),
])
def test_bad_context_fails_with_the_key(context: dict[str, object], message: str) -> None:
    # Given a malformed context value, When the config is read, Then it fails naming the key
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _config(**context)


def test_origins_may_be_a_list_or_comma_separated_and_empty_means_none() -> None:
    assert _config(**{"lb:corsOrigins": "https://a.example, http://localhost:5173"}).cors_origins == (
        "https://a.example", "http://localhost:5173")
    assert _config(**{"lb:corsOrigins": ["https://a.example"]}).cors_origins == ("https://a.example",)
    assert _config(**{"lb:corsOrigins": []}).cors_origins == ()


def test_naming_is_the_one_place_a_stage_enters_names() -> None:
    # The local stack's names are the stage-less ones
    assert resources.RECORDS_TABLE.physical_name == resources.RECORDS_TABLE.name_in(resources.Naming()) == (
        "lambdabase-records")
    dev = resources.Naming("dev")
    assert resources.EVENTS_QUEUE.dlq_name_in(dev) == "lambdabase-dev-events-dlq"
    assert resources.function("records").name_in(dev) == "lambdabase-dev-records"
    with pytest.raises(ValueError, match="stage"):
        resources.Naming("Dev")
