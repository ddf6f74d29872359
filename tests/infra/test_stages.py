"""Two stages share one account: every physical name carries its stage, and each stage's settings reach it."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from aws_cdk.assertions import Annotations, Match
from cfnlint.api import lint_file
from cfnlint.config import ManualArgs

from infra import nag
from shared import resources
from shared.http.security import SecuritySettings
from shared.mail.settings import MailSettings
from tests.infra.synthesis import CFN_LINT_CONFIG, Synthesized, synthesize

# Resource types whose physical name a second stage could clash on, and the property holding it.
NAMED = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Events::EventBus": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::ApiGatewayV2::Api": "Name",
}
DEV_ORIGINS = ["https://app.example.com", "https://admin.example.com:8443"]
DEV_SETTINGS = {
    # The short form of the stage key, as in the issue's `-c stage=dev`.
    "stage": "dev",
    "lb:appName": "Notes",
    "lb:appUrl": "https://notes.example.com",
    "lb:mailSenderAddress": "hello@notes.example.com",
    "lb:mailSenderName": "Notes team",
    "lb:corsOrigins": ",".join(DEV_ORIGINS),
    "lb:httpRateLimit": "50",
    "lb:httpBurstLimit": "100",
}
# Prod turns CORS off altogether: no browser origin is allowed, at the gateway or in the functions.
PROD_SETTINGS = {"lb:stage": "prod", "lb:corsOrigins": ""}


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Synthesized]:
    # Given the same app synthesized as stage dev and as stage prod
    return {"dev": synthesize(tmp_path_factory.mktemp("dev"), **DEV_SETTINGS),
            "prod": synthesize(tmp_path_factory.mktemp("prod"), **PROD_SETTINGS)}


def _render(node: Any) -> str:
    """A name as text; parts only known at deploy time (the stack's id) become `<token>`."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict) and "Fn::Join" in node:
        delimiter, parts = node["Fn::Join"]
        return str(delimiter).join(_render(part) for part in parts)
    return "<token>"


def physical_names(synth: Synthesized) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for resource_type, prop in NAMED.items():
        for logical_id, resource in synth.resources(resource_type).items():
            assert prop in resource["Properties"], f"{logical_id} has no {prop}: CloudFormation would make one up"
            names.setdefault(resource_type, []).append(_render(resource["Properties"][prop]))
    return names


def _function(synth: Synthesized, name: str) -> dict[str, Any]:
    return next(f["Properties"] for f in synth.resources("AWS::Lambda::Function").values()
                if f["Properties"]["Handler"] == resources.function(name).handler)


def _settings_from(environment: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in environment.items():
        if isinstance(value, str):
            monkeypatch.setenv(key, value)


def test_two_stages_have_disjoint_physical_names(stages: dict[str, Synthesized]) -> None:
    # When their physical names are compared, Then no name of one stage is a name of the other
    dev, prod = physical_names(stages["dev"]), physical_names(stages["prod"])
    assert set(dev) == set(NAMED)
    for resource_type in NAMED:
        assert not set(dev[resource_type]) & set(prod[resource_type]), resource_type
    # And every name starts with its stage's prefix, so an operator can tell them apart
    for stage, names in (("dev", dev), ("prod", prod)):
        prefix = f"lambdabase-{stage}-"
        for name in (n for group in names.values() for n in group):
            assert name.removeprefix("/aws/lambda/").removeprefix("/aws/apigateway/").startswith(prefix), name
    # And each stage is its own stack
    assert (stages["dev"].stack.stack_name, stages["prod"].stack.stack_name) == ("Lambdabase-dev", "Lambdabase-prod")


def test_without_a_stage_the_names_are_the_local_stacks(synth: Synthesized) -> None:
    # Given no stage, Then the deployed names are the ones the local stack creates on moto
    names = {resource_type: set(group) for resource_type, group in physical_names(synth).items()}
    assert {t.physical_name for t in resources.TABLES} == names["AWS::DynamoDB::Table"]
    queues = {q.physical_name for q in resources.QUEUES} | {q.dlq_physical_name for q in resources.QUEUES}
    queues |= {s.failure_queue_physical_name for s in resources.EVENT_SOURCES if s.kind == "table_stream"}
    assert queues == names["AWS::SQS::Queue"]
    assert {b.physical_name for b in resources.BUSES} == names["AWS::Events::EventBus"]
    assert {r.physical_name for r in resources.RULES} == names["AWS::Events::Rule"]
    assert {f.physical_name for f in resources.ALL_FUNCTIONS} == names["AWS::Lambda::Function"]
    # Bucket and secret names end with the stack's own suffix: global, or reserved for a while after deletion
    assert {s.physical_name + "-<token>" for s in resources.SECRETS} == names["AWS::SecretsManager::Secret"]
    assert {b.physical_name + "-<token>" for b in resources.BUCKETS} <= names["AWS::S3::Bucket"]
    assert synth.stack.stack_name == "Lambdabase"


def test_app_url_and_sender_reach_the_mailing_function(stages: dict[str, Synthesized],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # Given dev's app URL and sender, When the auth function reads its mail settings from its environment
    _settings_from(_function(stages["dev"], "auth")["Environment"]["Variables"], monkeypatch)
    settings = MailSettings()
    # Then its links and From header are the deployment's, not PocketBase's localhost defaults
    assert (settings.app_name, settings.app_url) == ("Notes", "https://notes.example.com")
    assert settings.sender == '"Notes team" <hello@notes.example.com>'


def test_without_an_app_url_links_point_at_the_http_api(synth: Synthesized) -> None:
    # Given no lb:appUrl, Then mailed links use the deployed API's own URL, never http://localhost:8090
    app_url = _function(synth, "auth")["Environment"]["Variables"]["LB_APP_URL"]
    (http_api,) = [i for i, api in synth.resources("AWS::ApiGatewayV2::Api").items()
                   if api["Properties"]["ProtocolType"] == "HTTP"]
    # ApiEndpoint is https://<api id>.execute-api.<region>.amazonaws.com, the URL the SDK is given too.
    assert app_url == {"Fn::GetAtt": [http_api, "ApiEndpoint"]}


def test_the_placeholder_sender_is_pointed_out(synth: Synthesized, stages: dict[str, Synthesized]) -> None:
    # Given PocketBase's placeholder sender, Then synth says SES will refuse it; given a real one, it says nothing
    about_sender = Match.string_like_regexp("lb:mailSenderAddress")
    Annotations.from_stack(synth.stack).has_info("*", about_sender)
    Annotations.from_stack(stages["dev"].stack).has_no_info("*", about_sender)


def test_one_cors_setting_feeds_the_gateway_and_the_functions(stages: dict[str, Synthesized],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    dev = stages["dev"]
    # Then the HTTP API answers preflights for exactly dev's origins
    (api,) = [a["Properties"] for a in dev.resources("AWS::ApiGatewayV2::Api").values()
              if a["Properties"]["ProtocolType"] == "HTTP"]
    assert api["CorsConfiguration"]["AllowOrigins"] == DEV_ORIGINS
    # And every HTTP function's own CORS allows the same origins
    for definition in (f for f in resources.FUNCTIONS if f.kind == "http"):
        environment = _function(dev, definition.name)["Environment"]["Variables"]
        assert SecuritySettings(cors_origins=environment["LB_CORS_ORIGINS"]).cors_origin_list == DEV_ORIGINS


def test_cors_off_is_off_in_both_places(stages: dict[str, Synthesized]) -> None:
    prod = stages["prod"]
    (api,) = [a["Properties"] for a in prod.resources("AWS::ApiGatewayV2::Api").values()
              if a["Properties"]["ProtocolType"] == "HTTP"]
    assert "CorsConfiguration" not in api
    environment = _function(prod, "records")["Environment"]["Variables"]
    assert json.loads(environment["LB_CORS_ORIGINS"]) == []
    assert SecuritySettings(cors_origins=environment["LB_CORS_ORIGINS"]).cors_origin_list == []


def test_http_stage_throttling_comes_from_context(synth: Synthesized, stages: dict[str, Synthesized]) -> None:
    def throttle(s: Synthesized) -> tuple[int, int]:
        (stage,) = [st["Properties"] for st in s.resources("AWS::ApiGatewayV2::Stage").values()
                    if st["Properties"]["StageName"] == "$default"]
        return stage["DefaultRouteSettings"]["ThrottlingRateLimit"], stage["DefaultRouteSettings"][
            "ThrottlingBurstLimit"]

    # The cdk.json defaults, and dev's own limits
    assert throttle(synth) == (1000, 2000)
    assert throttle(stages["dev"]) == (50, 100)


def test_a_stage_synthesizes_clean(stages: dict[str, Synthesized]) -> None:
    # A stage's names and settings leave cdk-nag and cfn-lint with nothing to say, as the default stack does
    dev = stages["dev"]
    assert nag.unacknowledged_findings(dev.assembly_dir) == []
    ignore_checks = yaml.safe_load(CFN_LINT_CONFIG.read_text()).get("ignore_checks", [])
    assert [m.rule.id for m in lint_file(dev.template_path, config=ManualArgs(ignore_checks=ignore_checks))] == []


def test_the_files_bucket_cors_follows_the_stage_origins(stages: dict[str, Synthesized]) -> None:
    # Then browsers may upload straight to the dev bucket from dev's origins alone, and to prod's from none
    def cors(synth: Synthesized) -> list[Any]:
        return [b["Properties"]["CorsConfiguration"]["CorsRules"] for b in synth.resources("AWS::S3::Bucket").values()
                if "CorsConfiguration" in b["Properties"]]

    (dev_rules,) = cors(stages["dev"])
    assert [rule["AllowedOrigins"] for rule in dev_rules] == [DEV_ORIGINS]
    assert cors(stages["prod"]) == []
