"""Lazily created, cached boto3 clients: none exists until first use, so imports stay cheap."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=15)


@cache
def client(service: str, endpoint_url: str | None = None) -> Any:
    """Return a cached boto3 client; AWS_ENDPOINT_URL points every client at moto on the local stack."""
    return boto3.session.Session().client(service, config=_CONFIG, endpoint_url=endpoint_url)  # type: ignore[call-overload]
