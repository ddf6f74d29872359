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


_PREPARED = """
import botocore.credentials, botocore.loaders
from shared import aws
resolved, reads = [], []
load_credentials = botocore.credentials.CredentialResolver.load_credentials
botocore.credentials.CredentialResolver.load_credentials = lambda self: resolved.append(1) or load_credentials(self)
aws.prepare("dynamodb")
print(len(resolved), aws.client.cache_info().currsize)
load_file = botocore.loaders.JSONFileLoader.load_file
botocore.loaders.JSONFileLoader.load_file = lambda self, path: reads.append(path) or load_file(self, path)
aws.client("dynamodb")
print(len(reads))
aws.client("sqs")
print(len(reads) > 0)
"""


def test_prepare_parses_a_service_s_models_ahead_of_its_first_client_without_building_one() -> None:
    # Given a fresh interpreter with credentials in its environment
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_DEFAULT_REGION": "us-east-1"}
    # When dynamodb is prepared, then its first client built, then another service's
    out = subprocess.run([sys.executable, "-c", _PREPARED], capture_output=True, text=True, check=True, env=env)
    # Then preparing resolved no credentials and built no client; the prepared client read no model file, and
    # the unprepared one did
    assert out.stdout.split() == ["0", "0", "0", "True"]
