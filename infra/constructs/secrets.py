"""Secrets Manager secrets from resources.SECRETS, each holding a generated value."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.nag import acknowledge
from infra.naming import construct_id, stack_unique_suffix
from shared import resources


class Secrets(Construct):
    """One secret per resources.SECRETS entry; functions with `secret_read` get its ARN, never the value."""

    def __init__(self, scope: Construct, id: str, *, naming: resources.Naming,
                 removal_policy: RemovalPolicy) -> None:
        super().__init__(scope, id)
        self.secrets: dict[str, secretsmanager.Secret] = {}
        for definition in resources.SECRETS:
            secret = secretsmanager.Secret(
                self, construct_id(definition.key),
                secret_name=f"{definition.name_in(naming)}-{stack_unique_suffix()}",
                description=definition.description or f"{resources.APP_PREFIX} {definition.key} secret",
                generate_secret_string=secretsmanager.SecretStringGenerator(
                    password_length=definition.length,
                    # Alphanumeric only: the value is used verbatim as an HMAC key and read back as plain text.
                    exclude_punctuation=True,
                ),
                removal_policy=removal_policy,
            )
            acknowledge(secret, "AwsSolutions-SMG4",
                        "Rotation is manual by design: the value may be a keyring of kids "
                        "({\"active\", \"keys\"}) so old tokens verify while new ones use the new key; "
                        "an automatic rotation Lambda would sign users out. See docs/deploy.md.")
            self.secrets[definition.key] = secret
