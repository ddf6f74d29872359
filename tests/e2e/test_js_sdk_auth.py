"""The official PocketBase JS SDK (npm `pocketbase`) runs the auth flows against the session stack."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.node_suite import needs_node, run_node_suite
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e

@needs_node()
def test_js_sdk_auth_flows(stack: StackProcess) -> None:
    run_node_suite(stack.url, "auth.test.mjs", timeout_s=180, LB_MAIL_DIR=str(Path(stack.data_dir) / "mail"))
