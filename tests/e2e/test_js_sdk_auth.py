"""The official PocketBase JS SDK (npm `pocketbase`) runs the auth flows against the session stack."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.stack_process import ROOT, StackProcess

pytestmark = pytest.mark.e2e

SDK = ROOT / "node_modules" / "pocketbase"


@pytest.mark.skipif(shutil.which("node") is None or not SDK.is_dir(), reason="needs node and `npm ci`")
def test_js_sdk_auth_flows(stack: StackProcess) -> None:
    env = {**os.environ, "LB_URL": stack.url, "LB_MAIL_DIR": str(Path(stack.data_dir) / "mail"),
           "LB_SUPERUSER_EMAIL": "root@example.com", "LB_SUPERUSER_PASSWORD": "Root-pass-1234567"}
    result = subprocess.run(["node", "--test", "tests/js/auth.test.mjs"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
