"""The infrastructure suite synthesizes the CDK app once per session, offline, into a temp dir."""

from __future__ import annotations

import pytest

from tests.infra.synthesis import Synthesized, synthesize


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(tmp_path_factory.mktemp("infra"))
