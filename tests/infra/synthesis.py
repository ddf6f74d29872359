"""Offline synthesis of the CDK app for the infrastructure suite, and a small view over its template."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Before jsii starts node: machines on Node 20 get a banner on every jsii start otherwise.
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from aws_cdk.assertions import Template

from infra.app import build_app
from infra.stack import LambdabaseStack

CFN_LINT_CONFIG = Path(__file__).resolve().parents[2] / "infra" / "cfnlintrc.yaml"


@dataclass(frozen=True)
class Synthesized:
    """One synthesized assembly: the stack, its template as JSON and as a CDK assertions Template."""

    stack: LambdabaseStack
    assembly_dir: Path
    template_path: Path
    template_json: dict[str, Any]
    template: Template

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """Logical id -> resource, for one CloudFormation type."""
        return {logical_id: resource for logical_id, resource in self.template_json["Resources"].items()
                if resource["Type"] == resource_type}


def offline_context(tmp: Path) -> dict[str, str]:
    """Context for a synth without PyPI: a placeholder deps layer and a private build folder."""
    deps = tmp / "deps"
    (deps / "python").mkdir(parents=True)
    (deps / "python" / "README").write_text("placeholder: tests never run the layer's code\n")
    return {"lb:depsLayerDir": str(deps), "lb:buildDir": str(tmp / "build")}


def synthesize(tmp: Path, **context: str) -> Synthesized:
    """Build and synthesize the app into tmp/cdk.out with the offline context plus any overrides."""
    app, stack = build_app({**offline_context(tmp), **context}, outdir=tmp / "cdk.out")
    assembly = app.synth()
    template_path = Path(assembly.directory) / stack.template_file
    template_json = json.loads(template_path.read_text())
    return Synthesized(stack=stack, assembly_dir=Path(assembly.directory), template_path=template_path,
                       template_json=template_json, template=Template.from_json(template_json))
