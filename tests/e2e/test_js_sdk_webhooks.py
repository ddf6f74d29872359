"""The official PocketBase JS SDK, unchanged, manages webhook subscriptions and calls the actions on the stack."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.support.records_api import SUPERUSER_EMAIL, SUPERUSER_PASSWORD
from tests.support.stack_process import ROOT, StackProcess

pytestmark = pytest.mark.e2e


@pytest.mark.skipif(shutil.which("node") is None or not (ROOT / "node_modules" / "pocketbase").exists(),
                    reason="needs Node 20 and `npm ci` (node_modules/pocketbase)")
def test_js_sdk_webhooks(stack: StackProcess) -> None:
    env = {**os.environ, "LB_URL": stack.url, "LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL,
           "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD}
    result = subprocess.run(["node", "--test", "tests/js/webhooks.test.mjs"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"node --test failed:\n{result.stdout}\n{result.stderr}"
