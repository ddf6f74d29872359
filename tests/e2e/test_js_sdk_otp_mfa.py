"""The official PocketBase JS SDK (npm `pocketbase`) runs email OTP and the MFA (mfaId) flow against the stack."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.node_suite import needs_node, run_node_suite
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e


@needs_node()
def test_js_sdk_otp_and_mfa(stack: StackProcess) -> None:
    # Given the stack, When the SDK runs requestOTP/authWithOTP and password -> 401 mfaId -> authWithOTP,
    # Then every node test passes
    run_node_suite(stack.url, "otp_mfa.test.mjs", timeout_s=180, LB_MAIL_DIR=str(Path(stack.data_dir) / "mail"))
