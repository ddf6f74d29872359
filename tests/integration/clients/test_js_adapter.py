"""The JS adapter's own suite (sdk/js/test, node's test runner against a fake server) run by `make test`."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.support.stack_process import ROOT


@pytest.mark.skipif(shutil.which("node") is None or not (ROOT / "node_modules" / "ws").exists(),
                    reason="needs Node 20 and `npm ci` (node_modules/ws, node_modules/pocketbase)")
def test_sdk_js_suite_passes() -> None:
    # Given the adapter's tests, When node runs them, Then every one passes
    result = subprocess.run(["node", "--test", "sdk/js/test/"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, f"node --test sdk/js/test/ failed:\n{result.stdout}\n{result.stderr}"
