"""The events and audit resources as synthesized: the payload bucket's expiry and the least-privilege grants
around it and the audit table."""

from __future__ import annotations

from typing import Any

from shared import resources
from tests.infra.synthesis import Synthesized


def _bucket(synth: Synthesized, key: str) -> dict[str, Any]:
    """The bucket whose name starts `lambdabase-<key>-` (then the stack's suffix, joined at deploy time)."""
    return next(b["Properties"] for b in synth.resources("AWS::S3::Bucket").values()
                if f"lambdabase-{key}-" in str(b["Properties"].get("BucketName", "")))


def _statements(synth: Synthesized, function: str) -> list[dict[str, Any]]:
    handler = resources.function(function).handler
    role = next(f["Properties"]["Role"]["Fn::GetAtt"][0] for f in synth.resources("AWS::Lambda::Function").values()
                if f["Properties"]["Handler"] == handler)
    return [s for p in synth.resources("AWS::IAM::Policy").values() if {"Ref": role} in p["Properties"]["Roles"]
            for s in p["Properties"]["PolicyDocument"]["Statement"]]


def _actions_on(statements: list[dict[str, Any]], text: str) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        if text in str(statement["Resource"]):
            actions = statement["Action"]
            found.update(actions if isinstance(actions, list) else [actions])
    return found


def test_event_payloads_expire_after_14_days(synth: Synthesized) -> None:
    rules = _bucket(synth, "payloads")["LifecycleConfiguration"]["Rules"]
    expiry = next(r for r in rules if r.get("Id") == "event-payloads")
    assert (expiry["Prefix"], expiry["ExpirationInDays"], expiry["Status"]) == ("events/", 14, "Enabled")


def test_only_the_changes_function_writes_payloads_and_only_deliveries_reads_them(synth: Synthesized) -> None:
    for fn in resources.FUNCTIONS:
        actions = _actions_on(_statements(synth, fn.name), "events/*")
        expected = {"changes": {"s3:PutObject"}, "deliveries": {"s3:GetObject"}}.get(fn.name)
        if expected is None:
            assert not actions, fn.name
        else:
            assert expected <= actions and not ({"s3:PutObject", "s3:GetObject"} - expected) & actions, fn.name


def test_the_audit_api_reads_the_audit_table_and_writes_nothing(synth: Synthesized) -> None:
    statements = _statements(synth, "audit")
    writes = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
    assert not writes & {a for s in statements for a in (s["Action"] if isinstance(s["Action"], list)
                                                         else [s["Action"]])}
    changes = _statements(synth, "changes")
    assert "dynamodb:BatchWriteItem" in {a for s in changes for a in (s["Action"] if isinstance(s["Action"], list)
                                                                       else [s["Action"]])}
