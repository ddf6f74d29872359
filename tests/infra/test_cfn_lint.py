"""cfn-lint finds no error (and no warning beyond the configured ignores) in the synthesized template."""

from __future__ import annotations

import yaml
from cfnlint.api import lint_file
from cfnlint.config import ManualArgs

from tests.infra.synthesis import CFN_LINT_CONFIG, Synthesized


def test_template_passes_cfn_lint(synth: Synthesized) -> None:
    ignore_checks = yaml.safe_load(CFN_LINT_CONFIG.read_text()).get("ignore_checks", [])
    matches = lint_file(synth.template_path, config=ManualArgs(ignore_checks=ignore_checks))
    assert [f"{m.rule.id} {m.message} ({m.path})" for m in matches] == []
