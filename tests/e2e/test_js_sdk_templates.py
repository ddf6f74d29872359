"""The official PocketBase JS SDK, unchanged, applies the CRM template on the session stack and reads its kanban,
a calendar window and a pivot, and submits its public form as a guest (tests/js/templates.test.mjs)."""

from __future__ import annotations

import pytest

from tests.support.node_suite import needs_node, run_node_suite
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e


@needs_node()
def test_js_sdk_templates(stack: StackProcess) -> None:
    run_node_suite(stack.url, "templates.test.mjs")
