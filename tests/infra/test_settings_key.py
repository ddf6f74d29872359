"""The KMS keys (settings' secrets, webhook secrets, OAuth2 client secrets): rotated, and only the functions
declaring `kms` on a key may use that key, with the access they declare."""

from __future__ import annotations

from typing import Any

import pytest

from shared import resources
from shared.settings import env_name
from tests.infra.synthesis import Synthesized

KMS_ACTIONS = {"read": {"kms:Decrypt"}, "write": {"kms:Encrypt"}, "readwrite": {"kms:Decrypt", "kms:Encrypt"}}


def _statements(synth: Synthesized, role: str) -> list[dict[str, Any]]:
    found = []
    for policy in synth.resources("AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            found += policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def _key_ids(synth: Synthesized) -> dict[str, str]:
    """Declared key -> the logical id of its AWS::KMS::Key, through the aliases that name them."""
    ids = {}
    for alias in synth.resources("AWS::KMS::Alias").values():
        name = alias["Properties"]["AliasName"].removeprefix("alias/")
        (definition,) = [k for k in resources.KEYS if k.physical_name == name]
        ids[definition.key] = alias["Properties"]["TargetKeyId"]["Fn::GetAtt"][0]
    return ids


def test_every_declared_key_is_rotated_and_kept_with_the_data(synth: Synthesized) -> None:
    # Given the synthesized stack / Then exactly the declared keys exist, each named by its alias, rotated, retained
    keys = synth.resources("AWS::KMS::Key")
    assert len(keys) == len(resources.KEYS) == len(_key_ids(synth)) == 4  # settings, webhooks, totp, oauth2
    for key in keys.values():
        assert key["Properties"]["EnableKeyRotation"] is True
        assert key["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize("fn", resources.FUNCTIONS, ids=[f.name for f in resources.FUNCTIONS])
def test_only_functions_declaring_kms_may_use_a_key(synth: Synthesized, fn: resources.FunctionDef) -> None:
    # Given a function's role and environment
    function = next(f for f in synth.resources("AWS::Lambda::Function").values()
                    if f["Properties"]["Handler"] == fn.handler)
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    environment = function["Properties"]["Environment"]["Variables"]
    key_ids = _key_ids(synth)
    for definition in resources.KEYS:
        actions: set[str] = set()
        for statement in _statements(synth, role):
            listed = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if statement["Resource"] == {"Fn::GetAtt": [key_ids[definition.key], "Arn"]}:
                actions |= {a for a in listed if a.startswith("kms:")}
            else:
                # Then no KMS action ever names "*" or a key it was not declared on
                assert not any(a.startswith("kms:") for a in listed) or statement["Resource"] in [
                    {"Fn::GetAtt": [i, "Arn"]} for i in key_ids.values()]
        declared = {p.access for p in fn.permissions if p.kind == "kms" and p.resource == definition.key}
        # Then Decrypt for a reader, Encrypt for a writer, both for readwrite (no data keys, no admin actions),
        # only where `kms` is declared on that key, with its ARN in the environment
        assert actions == set().union(*(KMS_ACTIONS[access] for access in declared)), definition.key
        assert (env_name("key", definition.key) in environment) == bool(declared)
