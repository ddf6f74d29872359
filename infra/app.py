"""CDK app entry point: `uv run python -m infra.app [-c key=value]...` synthesizes to cdk.out, offline.

The CDK CLI runs the same module (cdk.json "app"), so `cdk deploy` and `make synth` build the same assembly.
Synth stages function and shared code itself; only the deps layer needs `make build` beforehand.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import App

from infra import nag
from infra.config import ConfigError, DeployConfig
from infra.stack import LambdabaseStack
from layers.build import REPO_ROOT, MissingHandlerError, deps_layer_is_stale, stage_code
from shared import resources

CDK_JSON = REPO_ROOT / "cdk.json"
DEFAULT_OUTDIR = REPO_ROOT / "cdk.out"


class DepsLayerMissingError(RuntimeError):
    """The third-party layer has not been built; it needs PyPI, so synth never builds it itself."""


def cdk_json_context() -> dict[str, Any]:
    """cdk.json's context (feature flags, lb:* defaults); the CLI passes it itself, a plain run does not."""
    if not CDK_JSON.exists():
        return {}
    return dict(json.loads(CDK_JSON.read_text()).get("context", {}))


def build_app(context: Mapping[str, Any] | None = None, outdir: str | Path | None = None,
              ) -> tuple[App, LambdabaseStack]:
    """Stage code, build the app with its one stack and register cdk-nag; `app.synth()` is left to the caller."""
    app = App(context={**cdk_json_context(), **(context or {})},
              outdir=str(outdir) if outdir is not None else os.environ.get("CDK_OUTDIR", str(DEFAULT_OUTDIR)))
    config = DeployConfig.from_context(app)
    if not (config.deps_layer / "python").is_dir():
        raise DepsLayerMissingError(
            f"the dependencies layer is missing ({config.deps_layer}/python): run `make build` first "
            "(it installs the locked packages for Lambda arm64 / Python 3.14 from PyPI)")
    if deps_layer_is_stale(config.deps_layer):
        raise DepsLayerMissingError(f"the dependencies layer in {config.deps_layer} was built from an older "
                                    "uv.lock: run `make build` again")
    bridge = (resources.SSE_BRIDGE_FUNCTION.name,) if config.sse_bridge else ()
    stage_code((*(fn.name for fn in resources.FUNCTIONS), *bridge), config.layout,
               allow_missing=config.allow_missing_handlers)
    stack = LambdabaseStack(app, config.stack_name, config=config)
    nag.add_checks(app)
    return app, stack


def _context_pairs(pairs: list[str]) -> dict[str, str]:
    context = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ConfigError(f"context must be key=value, not {pair!r}")
        context[key] = value
    return context


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Synthesize the Lambdabase CDK app.")
    parser.add_argument("-c", "--context", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("-o", "--output", default=None, help="assembly directory (default: cdk.out)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        app, stack = build_app(_context_pairs(args.context), args.output)
    except (DepsLayerMissingError, MissingHandlerError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        assembly = app.synth()
    except RuntimeError as exc:
        # cdk-nag and CloudFormation validation errors abort synth; CDK has already printed the report.
        print(f"synth failed: {exc}", file=sys.stderr)
        return 1
    # Warnings do not abort synth, but the project keeps zero unacknowledged findings.
    findings = nag.unacknowledged_findings(assembly.directory)
    if findings:
        print("cdk-nag findings without an acknowledgment:\n  " + "\n  ".join(findings), file=sys.stderr)
        return 1
    print(f"synthesized {stack.stack_name} to {assembly.directory} in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
