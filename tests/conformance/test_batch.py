"""Conformance of POST /api/batch while batch is disabled, as it is by default in PocketBase."""

from __future__ import annotations

import pytest

from tests.conformance import known
from tests.conformance.paired import GUEST, PairedClient
from tests.conformance.scenario import Case, cases, check

ONE = {"requests": [{"method": "POST", "url": "/api/collections/users/records", "body": {"name": "x"}}]}
CASES = cases(
    Case("batch as superuser", "POST", "/api/batch", body=ONE),
    Case("batch as guest", "POST", "/api/batch", role=GUEST, body=ONE),
    Case("batch as a user", "POST", "/api/batch", role="alice", body=ONE),
    Case("batch with no requests", "POST", "/api/batch", body={"requests": []}),
    Case("batch with a bad body", "POST", "/api/batch", raw=b"{", headers={"Content-Type": "application/json"},
         differs=known.BATCH_BAD_BODY),
    Case("batch with GET", "GET", "/api/batch"),
)


@pytest.mark.parametrize("case", CASES)
def test_batch(paired: PairedClient, case: Case) -> None:
    # Given fresh servers (batch off by default), When a batch is sent, Then both refuse it alike
    check(paired, case)
