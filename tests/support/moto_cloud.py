"""moto in-process (plus a loopback server) with every declared resource, for integration tests; restores the env."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from local import cloud
from shared.aws import client
from tests.support.process_caches import clear_process_caches

_AWS_ENV = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION")


@contextmanager
def running_cloud() -> Iterator[cloud.MotoCloud]:
    saved = {k: os.environ.get(k) for k in _AWS_ENV}
    moto = cloud.start_moto()
    try:
        moto.reset()
        cloud.provision()
        # a new cloud is a new deployment: no instance keeps settings (secret ARNs, endpoints) read before it
        clear_process_caches()
        yield moto
    finally:
        moto.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        client.cache_clear()
