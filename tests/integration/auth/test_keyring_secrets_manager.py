"""The JWT keyring read from Secrets Manager (on moto), once per process."""

from __future__ import annotations

import json

import boto3
import pytest
from pydantic import SecretStr

from shared.auth.errors import AuthConfigurationError
from shared.auth.keyring import load_keyring
from shared.auth.settings import AuthSecret
from shared.auth.tokens import get_token_service

KEYS = {"active": "k2", "keys": {"k1": "s" * 40, "k2": "t" * 40}}


def test_keyring_is_loaded_from_the_secret_arn(moto_aws: None) -> None:
    arn = boto3.client("secretsmanager").create_secret(Name="lambdabase/auth", SecretString=json.dumps(KEYS))["ARN"]
    settings = AuthSecret(auth_secret_arn=arn)

    keyring = load_keyring(settings)
    service = get_token_service(settings)

    assert keyring.active == "k2" and set(keyring.keys) == {"k1", "k2"}
    token = service.issue_token("file", "rec1", "pbc_users", "tk", 60)
    assert service.verify_token(token, "file", "tk").kid == "k2"


def test_the_arn_wins_over_an_inline_secret_and_a_missing_secret_is_a_configuration_error(
        moto_aws: None) -> None:
    settings = AuthSecret(auth_secret_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:gone",
                          auth_secret=SecretStr("i" * 40))

    with pytest.raises(AuthConfigurationError) as err:
        load_keyring(settings)
    assert "gone" in str(err.value)
