"""The UI tests' own view of the API: an HTTP client signed in as the session's superuser, and polling for
what the change stream or a background job produces (checked through the API, as the UI tests check results)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

import httpx

from tests.support.fake_realtime import until
from tests.support.stack_process import StackProcess
from tests.ui.browser import SUPERUSER_EMAIL, SUPERUSER_PASSWORD

T = TypeVar("T")
POLL_S = 0.1


def superuser_client(stack: StackProcess) -> httpx.Client:
    """An httpx client of the stack carrying a superuser token."""
    client = stack.client()
    answer = client.post("/api/collections/_superusers/auth-with-password",
                         json={"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["Authorization"] = answer.json()["token"]
    return client


def eventually(probe: Callable[[], T | None], timeout: float = 20.0, what: str = "the condition") -> T:
    """The first truthy answer of `probe` (an API call), polled every 0.1 s: no fixed sleeps, no flood of requests."""
    return cast(T, until(probe, timeout=timeout, what=what, interval=POLL_S))
