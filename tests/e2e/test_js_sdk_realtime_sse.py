"""The official PocketBase JS SDK, unmodified, gets realtime over SSE from the session stack's bridge."""

from __future__ import annotations

import pytest

from tests.support.node_suite import needs_node, run_node_suite
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e


@needs_node("eventsource")
def test_js_sdk_realtime_sse(stack: StackProcess) -> None:
    run_node_suite(stack.url, "realtime_sse.test.mjs", timeout_s=180)
