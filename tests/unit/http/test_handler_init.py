"""lambda_handler's init: the SDK models a function's first request reads are parsed before it, nothing more."""

from __future__ import annotations

import os
import subprocess
import sys

_INIT = """
import sys
import botocore.loaders
from shared import aws
from shared.http.app import create_app, lambda_handler
lambda_handler(create_app([]), sdk_services=tuple(sys.argv[1:]))
reads = []
load_file = botocore.loaders.JSONFileLoader.load_file
botocore.loaders.JSONFileLoader.load_file = lambda self, path: reads.append(path) or load_file(self, path)
for service in ("dynamodb", "secretsmanager"):
    before = len(reads)
    aws.client(service)
    print(service, "prepared" if len(reads) == before else "loaded")
"""


def _first_clients(*services: str, keyring_arn: str | None) -> list[str]:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_DEFAULT_REGION": "us-east-1",
           "LB_AUTH_SECRET": "x" * 40}
    env.pop("LB_AUTH_SECRET_ARN", None)
    if keyring_arn:
        env["LB_AUTH_SECRET_ARN"] = keyring_arn
    out = subprocess.run([sys.executable, "-c", _INIT, *services], capture_output=True, text=True, check=True,
                         env=env)
    return out.stdout.split("\n")[:2]


def test_a_function_with_its_keyring_in_secrets_manager_prepares_both_services() -> None:
    # Given a data function whose keyring is a Secrets Manager secret, When its handler is built,
    # Then the first DynamoDB and Secrets Manager clients read no model file: init parsed them
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:auth"
    assert _first_clients("dynamodb", keyring_arn=arn) == ["dynamodb prepared", "secretsmanager prepared"]


def test_a_function_with_an_inline_keyring_prepares_only_its_own_services() -> None:
    # Given a data function with the signing key in its environment, When its handler is built,
    # Then only DynamoDB was prepared
    assert _first_clients("dynamodb", keyring_arn=None) == ["dynamodb prepared", "secretsmanager loaded"]


def test_a_function_that_calls_no_aws_prepares_nothing() -> None:
    # Given a function whose first request calls no AWS (health), When its handler is built, Then nothing was
    # prepared, whatever the keyring
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:auth"
    assert _first_clients(keyring_arn=arn) == ["dynamodb loaded", "secretsmanager loaded"]
