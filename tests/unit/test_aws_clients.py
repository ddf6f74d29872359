"""shared.aws: the SDK loads on first use, clients are cached, and a factory can serve fakes for a block."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from shared import aws


def test_importing_the_module_loads_no_sdk() -> None:
    # Given a fresh interpreter, When shared.aws is imported, Then neither boto3 nor botocore's session is
    code = "import sys, shared.aws; print(sorted(m for m in ('boto3', 'botocore.session') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ)
    assert out.stdout.strip() == "[]"


def test_a_factory_serves_every_client_created_in_its_block() -> None:
    # Given a factory of fake clients
    made: list[tuple[str, str | None]] = []

    def fake(service: str, endpoint_url: str | None) -> Any:
        made.append((service, endpoint_url))
        return object()

    # When clients are asked for inside the block, Then they come from it, once per service, cached
    with aws.clients_from(fake):
        first = aws.client("dynamodb")
        assert aws.client("dynamodb") is first
        aws.client("sqs")
        assert made == [("dynamodb", None), ("sqs", None)]
    # And after the block the SDK serves again: the fake is not cached any more
    assert aws.client.cache_info().currsize == 0
