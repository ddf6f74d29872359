"""Adding definitions to shared/resources.py is all it takes: the stack grows with no change under infra/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from infra import nag
from shared import resources as r
from tests.infra.synthesis import Synthesized, synthesize

EXTRA_TABLE = r.TableDef("ledger", indexes=(r.IndexDef("gsi1", "gsi1pk", "gsi1sk"),), stream=True,
                         ttl_attribute="expires")
EXTRA_QUEUE = r.QueueDef("mail", visibility_timeout_s=120, max_receive_count=3)
EXTRA_BUCKET = r.BucketDef("exports")
EXTRA_RULE = r.RuleDef("mail-requests", bus=r.EVENT_BUS.key, target_queue=EXTRA_QUEUE.key,
                       event_pattern={"source": ["lambdabase.mail"], "detail-type": ["send"]})
EXTRA_FUNCTIONS = (
    r.FunctionDef("mailer", "queue", (r.Permission("queue_consume", EXTRA_QUEUE.key), r.Permission("mail_send"),
                                      r.Permission("bucket", EXTRA_BUCKET.key, "read"),
                                      r.Permission("secret_read", r.AUTH_SECRET.key))),
    r.FunctionDef("auditor", "stream", (r.Permission("table_stream", EXTRA_TABLE.key),
                                        r.Permission("table", EXTRA_TABLE.key, "write"),
                                        r.Permission("queue_send", EXTRA_QUEUE.key))),
)
EXTRA_SOURCES = (r.EventSourceDef("mailer", "queue", EXTRA_QUEUE.key, batch_size=5),
                 r.EventSourceDef("auditor", "table_stream", EXTRA_TABLE.key))
EXTRA_ROUTE = r.RouteDef("GET", "/api/exports/{proxy+}", "mailer")


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesized]:
    # Given two new functions, a table, queue, bucket, rule, event sources and a route in the definitions
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(r, "TABLES", (*r.TABLES, EXTRA_TABLE))
        patch.setattr(r, "QUEUES", (*r.QUEUES, EXTRA_QUEUE))
        patch.setattr(r, "BUCKETS", (*r.BUCKETS, EXTRA_BUCKET))
        patch.setattr(r, "RULES", (*r.RULES, EXTRA_RULE))
        patch.setattr(r, "FUNCTIONS", (*r.FUNCTIONS, *EXTRA_FUNCTIONS))
        patch.setattr(r, "EVENT_SOURCES", (*r.EVENT_SOURCES, *EXTRA_SOURCES))
        patch.setattr(r, "ROUTES", (*r.ROUTES, EXTRA_ROUTE))
        # When the app is synthesized (the new functions have no code yet, which this context allows)
        yield synthesize(tmp_path_factory.mktemp("extended"), **{"lb:allowMissingHandlers": "true"})


def _env(synth: Synthesized, name: str) -> dict[str, Any]:
    function = next(f for f in synth.resources("AWS::Lambda::Function").values()
                    if f["Properties"]["Handler"] == f"functions.{name}.handler.handler")
    return function["Properties"]["Environment"]["Variables"]


def test_new_definitions_become_resources(synth: Synthesized, extended: Synthesized) -> None:
    # Then each new definition adds its resources, and nothing else changes
    grown = {
        "AWS::DynamoDB::Table": 1, "AWS::S3::Bucket": 1, "AWS::SQS::Queue": 3, "AWS::Events::Rule": 1,
        "AWS::Lambda::Function": 2, "AWS::IAM::Role": 2, "AWS::Lambda::EventSourceMapping": 2,
        "AWS::ApiGatewayV2::Route": 1, "AWS::Lambda::LayerVersion": 0, "AWS::ApiGatewayV2::Api": 0,
    }
    for resource_type, added in grown.items():
        assert len(extended.resources(resource_type)) == len(synth.resources(resource_type)) + added, resource_type


def test_new_functions_get_their_resource_names(extended: Synthesized) -> None:
    mailer, auditor = _env(extended, "mailer"), _env(extended, "auditor")
    assert {"LB_EXPORTS_BUCKET", "LB_AUTH_SECRET_ARN"} <= set(mailer)
    assert {"LB_LEDGER_TABLE", "LB_MAIL_QUEUE"} <= set(auditor)
    # A queue is named by its URL, which is what SQS clients take.
    (queue_id,) = [i for i, q in extended.resources("AWS::SQS::Queue").items()
                   if q["Properties"]["QueueName"] == EXTRA_QUEUE.physical_name]
    assert auditor["LB_MAIL_QUEUE"] == {"Ref": queue_id}


def test_new_wildcard_grants_are_acknowledged_and_nothing_else_is_flagged(extended: Synthesized) -> None:
    # The SES identity and bucket-object wildcards carry their reasons; no finding is left over.
    assert nag.unacknowledged_findings(extended.assembly_dir) == []
    rules = [rule["id"] for resource in extended.template_json["Resources"].values()
             for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])]
    assert any(":ses:" in rule for rule in rules)
    assert any(rule.endswith(".Arn>/*]") for rule in rules)
