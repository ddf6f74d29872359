"""Module fixtures of the OAuth2 API tests: loopback fake providers and an auth collection named by each module's
COLLECTION."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.fake_oauth2 import FakeProviders
from tests.support.in_process import InProcessStack
from tests.support.oauth2_world import create_members, superuser_headers


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProviders]:
    providers = FakeProviders().start()
    yield providers
    providers.stop()


@pytest.fixture(scope="module")
def api(stack: InProcessStack) -> httpx.Client:
    # The fakes listen on loopback, which the local stack's LB_OAUTH2_ALLOW_LOOPBACK lets provider calls reach.
    assert os.environ.get("LB_OAUTH2_ALLOW_LOOPBACK") == "true"
    return stack.client()


@pytest.fixture(scope="module")
def root(api: httpx.Client) -> dict[str, str]:
    return superuser_headers(api)


@pytest.fixture(scope="module")
def members(request: pytest.FixtureRequest, api: httpx.Client, root: dict[str, str], fake: FakeProviders
            ) -> dict[str, Any]:
    return create_members(api, root, fake, request.module.COLLECTION)
