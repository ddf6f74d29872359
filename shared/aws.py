"""Lazily created, cached AWS clients: none exists until first use, and the SDK is imported then too.

A cold start pays for the SDK only on a path that calls AWS, and all clients come from one botocore session,
so its configuration, credentials resolver and model loaders are built once, not once per client.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

# (service, endpoint_url) -> client; replaced only by `clients_from`, for fakes in benchmarks and tests.
ClientFactory = Callable[[str, "str | None"], Any]

# Sessions are not thread-safe, clients are: creation is serialized, use is not.
_lock = threading.RLock()  # reentrant: a factory may wrap `sdk_client`
_factory: ClientFactory | None = None


@cache
def _session() -> Any:
    import boto3

    return boto3.session.Session()


def _sdk_client(service: str, endpoint_url: str | None) -> Any:
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=15)
    return _session().client(service, config=config, endpoint_url=endpoint_url)


@cache
def client(service: str, endpoint_url: str | None = None) -> Any:
    """Return a cached client; AWS_ENDPOINT_URL points every client at moto on the local stack."""
    with _lock:
        return (_factory or _sdk_client)(service, endpoint_url)


@contextmanager
def clients_from(factory: ClientFactory) -> Iterator[None]:
    """Serve every client created inside the block from `factory` (e.g. a fake DynamoDB for a benchmark)."""
    global _factory
    saved, _factory = _factory, factory
    client.cache_clear()
    try:
        yield
    finally:
        _factory = saved
        client.cache_clear()


def sdk_client(service: str, endpoint_url: str | None = None) -> Any:
    """A new client from the SDK itself, whatever `clients_from` serves (what a fake wraps)."""
    with _lock:
        return _sdk_client(service, endpoint_url)
