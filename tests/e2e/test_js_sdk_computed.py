"""The official PocketBase JS SDK, unchanged, drives computed fields (invoices and line items) on the session stack."""

from __future__ import annotations

import pytest

from tests.support.node_suite import needs_node, run_node_suite
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e


@needs_node("eventsource")
def test_js_sdk_computed(stack: StackProcess) -> None:
    run_node_suite(stack.url, "computed.test.mjs", timeout_s=180)
