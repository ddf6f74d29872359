"""The official PocketBase JS SDK with attachRealtime (sdk/js) gets record events from the session stack."""

from __future__ import annotations

import pytest

from tests.support.node_suite import needs_node, run_node_suite
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e


@needs_node("ws")
def test_js_sdk_realtime(stack: StackProcess) -> None:
    run_node_suite(stack.url, "realtime.test.mjs", timeout_s=240)
