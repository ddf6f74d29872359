"""cdk-nag wiring: the rule packs, acknowledging a finding next to the code that causes it, and the report.

cdk-nag 3 runs as a CDK policy-validation plugin: errors abort `app.synth()`, and every finding (warnings
too) lands in policy-validation-report.json. Acknowledgments are `Validations.of(construct).acknowledge()`
and cover the construct and everything below it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_cdk import Acknowledgment, App, Stack, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks
from constructs import IConstruct

# CDK writes validation-report.json; older releases wrote policy-validation-report.json.
REPORT_FILES = ("validation-report.json", "policy-validation-report.json")
_NAG_PACKS = ("AwsSolutions", "Serverless")


def add_checks(app: App) -> None:
    """Run the AWS Solutions and Serverless packs over the whole app at synth.

    Acknowledgments are also written into each resource's template Metadata (`cdk_nag`), so the reasons
    travel with the template for anyone auditing it without the CDK code.
    """
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True),
                                    ServerlessChecks(app, write_suppressions_to_cloud_formation=True))


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Accept one finding (e.g. `AwsSolutions-SMG4`) on scope and its children, saying why."""
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))


def wildcard_finding(scope: IConstruct, resource: str) -> str:
    """The IAM5 finding id cdk-nag reports for a wildcard resource ARN, e.g. `Resource::<Bucket.Arn>/*`."""
    return f"Resource::{_flatten(Stack.of(scope).resolve(resource))}"


def _flatten(node: Any) -> str:
    # Mirrors cdk-nag's flattenCfnReference, which names findings after the unresolved template value.
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return delimiter.join(_flatten(item) for item in items)
        if "Fn::Sub" in node:
            return _flatten(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{_flatten(resource)}.{_flatten(attribute)}>"
        if "Fn::ImportValue" in node:
            return _flatten(node["Fn::ImportValue"])
        if "Ref" in node:
            return f"<{_flatten(node['Ref'])}>"
    return json.dumps(node, separators=(",", ":"))


def unacknowledged_findings(assembly_dir: str | Path) -> list[str]:
    """Every cdk-nag finding (error or warning) left in the assembly's validation report, one line each."""
    findings = []
    for name in REPORT_FILES:
        report_path = Path(assembly_dir) / name
        if not report_path.exists():
            continue
        for plugin in json.loads(report_path.read_text()).get("pluginReports", []):
            if not str(plugin.get("pluginName", "")).startswith(_NAG_PACKS):
                continue
            for violation in plugin.get("violations", []):
                for construct in violation.get("violatingConstructs", []):
                    findings.append(f"{violation.get('severity', '?')} {violation.get('ruleName')} at "
                                    f"{construct.get('constructPath', '?')}: {violation.get('description', '')}")
    return findings
