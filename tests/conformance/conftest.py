"""Session fixtures: the real PocketBase and the Lambdabase local stack side by side, and a paired client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conformance.paired import PairedClient
from tests.conformance.servers import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, PocketBaseProcess
from tests.support.stack_process import StackProcess


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PocketBaseProcess, StackProcess]]:
    # PocketBase starts in the background while the local stack boots, the slower of the two
    pocketbase = PocketBaseProcess(tmp_path_factory.mktemp("pocketbase")).launch()
    stack = StackProcess(tmp_path_factory.mktemp("lambdabase") / "data",
                         env={"LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL, "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD})
    try:
        stack.start()
        pocketbase.wait_healthy()
        yield pocketbase, stack
    finally:
        pocketbase.stop()
        stack.discard()


@pytest.fixture(scope="session")
def paired(servers: tuple[PocketBaseProcess, StackProcess]) -> Iterator[PairedClient]:
    """Signed in as the superuser on both sides; `alice` and `bob` are users (the `users` collection) on both."""
    pocketbase, stack = servers
    client = PairedClient(pocketbase.url, stack.url)
    client.sign_in_superuser()
    client.sign_up("alice", name="Alice")
    client.sign_up("bob", name="Bob")
    yield client
    client.close()
