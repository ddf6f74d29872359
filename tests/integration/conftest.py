"""Fixtures shared by the integration suites."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local import cloud
from tests.support.moto_cloud import running_cloud


@pytest.fixture
def moto() -> Iterator[cloud.MotoCloud]:
    """A fresh moto (in-process, plus a loopback server for other processes) with every declared resource."""
    with running_cloud() as m:
        yield m
