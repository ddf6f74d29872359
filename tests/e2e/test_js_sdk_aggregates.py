"""The official PocketBase JS SDK, unchanged, reads aggregates and pivots (pb.send) on the session stack."""

from __future__ import annotations

import pytest

from tests.support.node_suite import needs_node, run_node_suite
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e


@needs_node()
def test_js_sdk_aggregates(stack: StackProcess) -> None:
    run_node_suite(stack.url, "aggregates.test.mjs")
