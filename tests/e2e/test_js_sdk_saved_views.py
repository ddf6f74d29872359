"""The official PocketBase JS SDK, unchanged, drives saved views on the session stack: a kanban view created
through `pb.collection('_views')`, read with `pb.send`, a card moved by a record update."""

from __future__ import annotations

import pytest

from tests.support.node_suite import needs_node, run_node_suite
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e


@needs_node()
def test_js_sdk_saved_views(stack: StackProcess) -> None:
    run_node_suite(stack.url, "saved_views.test.mjs")
