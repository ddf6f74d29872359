"""The local stack, started once per session for the end-to-end suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.records_api import Api
from tests.support.stack_process import StackProcess
from tests.support.suite_timers import SUBSCRIPTIONS_CACHE_ENV


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcess]:
    data = tmp_path_factory.mktemp("lb") / "data"
    proc = StackProcess(data, env={"LB_SUPERUSER_EMAIL": "root@example.com",
                                   "LB_SUPERUSER_PASSWORD": "Root-pass-1234567",
                                   "LB_BATCH_ENABLED": "1", **SUBSCRIPTIONS_CACHE_ENV}).start()
    yield proc
    proc.discard()


@pytest.fixture
def stack_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(scope="module")
def api(stack: StackProcess) -> Api:
    """A superuser client of the session stack, with a signed-up user "user" (one per test module)."""
    client = Api(stack.url).sign_in_superuser()
    client.sign_up_user("user")
    return client
