"""The official PocketBase JS SDK, unchanged, drives view collections on the session stack (totals per customer)."""

from __future__ import annotations

import pytest

from tests.support.node_suite import needs_node, run_node_suite
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e


@needs_node()
def test_js_sdk_views(stack: StackProcess) -> None:
    run_node_suite(stack.url, "views.test.mjs")
