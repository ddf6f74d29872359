"""Fixtures shared by the integration suites."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local import cloud
from tests.support.moto_cloud import running_cloud


@pytest.fixture
def moto() -> Iterator[cloud.MotoCloud]:
    """A fresh moto server on loopback with every declared resource."""
    with running_cloud() as m:
        yield m
