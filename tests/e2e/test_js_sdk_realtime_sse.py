"""The official PocketBase JS SDK, unmodified, gets realtime over SSE from the session stack's bridge."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.support.records_api import SUPERUSER_EMAIL, SUPERUSER_PASSWORD
from tests.support.stack_process import ROOT, StackProcess

pytestmark = pytest.mark.e2e


@pytest.mark.skipif(shutil.which("node") is None or not (ROOT / "node_modules" / "eventsource").exists(),
                    reason="needs Node 20 and `npm ci` (node_modules/pocketbase, node_modules/eventsource)")
def test_js_sdk_realtime_sse(stack: StackProcess) -> None:
    env = {**os.environ, "LB_URL": stack.url, "LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL,
           "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD}
    result = subprocess.run(["node", "--test", "tests/js/realtime_sse.test.mjs"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"node --test failed:\n{result.stdout}\n{result.stderr}"
