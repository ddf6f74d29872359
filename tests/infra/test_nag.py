"""cdk-nag (AWS Solutions and Serverless packs) leaves no finding unacknowledged, and each one says why."""

from __future__ import annotations

import json

from aws_cdk.assertions import Annotations, Match

from infra import nag
from tests.infra.synthesis import Synthesized

MIN_REASON_LENGTH = 40


def test_no_unacknowledged_findings_errors_or_warnings(synth: Synthesized) -> None:
    # Given the synthesized assembly, Then the validation report lists no cdk-nag finding at all
    assert nag.unacknowledged_findings(synth.assembly_dir) == []


def test_validation_report_has_no_failed_plugin(synth: Synthesized) -> None:
    # The built-in CloudFormation validation reports into the same file; nothing may fail there either.
    report = json.loads((synth.assembly_dir / "validation-report.json").read_text())
    assert [p["pluginName"] for p in report["pluginReports"] if p.get("violations")] == []


def test_every_acknowledgment_has_a_specific_reason(synth: Synthesized) -> None:
    # Acknowledgments are copied into the template Metadata, which also proves the packs ran.
    acknowledged = [(logical_id, rule) for logical_id, resource in synth.template_json["Resources"].items()
                    for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])]
    assert acknowledged, "no acknowledgment in the template: are the cdk-nag packs registered?"
    for logical_id, rule in acknowledged:
        assert len(rule["reason"]) >= MIN_REASON_LENGTH, f"{logical_id} {rule['id']}: reason too vague"
    # A reason explains one finding; the same text pasted over unrelated rules explains none.
    rules_by_reason: dict[str, set[str]] = {}
    for _, rule in acknowledged:
        rules_by_reason.setdefault(rule["reason"], set()).add(rule["id"].split("[")[0])
    assert all(len(rules) == 1 for rules in rules_by_reason.values()), rules_by_reason


def test_no_cdk_errors_or_warnings_on_the_stack(synth: Synthesized) -> None:
    # CDK's own annotations (deprecations, misconfigurations) must stay at zero as well.
    annotations = Annotations.from_stack(synth.stack)
    anything = Match.string_like_regexp(".*")
    assert annotations.find_error("*", anything) == []
    assert annotations.find_warning("*", anything) == []
