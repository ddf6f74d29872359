"""KMS keys from resources.KEYS: symmetric, rotated yearly, kept with the data they protect."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.naming import construct_id
from shared import resources


class Keys(Construct):
    """One customer-managed key per resources.KEYS entry; functions with `kms` on it may Encrypt and Decrypt."""

    def __init__(self, scope: Construct, id: str, *, naming: resources.Naming,
                 removal_policy: RemovalPolicy) -> None:
        super().__init__(scope, id)
        self.keys: dict[str, kms.Key] = {}
        for definition in resources.KEYS:
            self.keys[definition.key] = kms.Key(
                self, construct_id(definition.key),
                alias=f"alias/{definition.name_in(naming)}",
                description=definition.description or f"{resources.APP_PREFIX} {definition.key} key",
                enable_key_rotation=True,
                # Deleting the key would make every secret it encrypted unreadable: it follows the data's policy.
                removal_policy=removal_policy,
            )
