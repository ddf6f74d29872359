"""The API scenario suite: one in-process local stack for the whole folder, its handlers called on moto."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.in_process import InProcessStack
from tests.support.records_api import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Api
from tests.support.suite_timers import NO_BATCHING_WINDOW_ENV, SUBSCRIPTIONS_CACHE_ENV


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessStack]:
    """Torn down after this folder, so later suites get the process's environment back untouched."""
    data = tmp_path_factory.mktemp("lb-api") / "data"
    proc = InProcessStack(data, env={"LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL,
                                     "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD, "LB_BATCH_ENABLED": "1",
                                     **NO_BATCHING_WINDOW_ENV, **SUBSCRIPTIONS_CACHE_ENV}).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def api(stack: InProcessStack) -> Api:
    """A superuser client of the suite's stack, with a signed-up user "user" (one per test module)."""
    client = Api(stack.url).sign_in_superuser()
    client.sign_up_user("user")
    return client
