"""The settings key: one rotated KMS key, and only the functions declaring `kms` on it may use it."""

from __future__ import annotations

from typing import Any

import pytest

from shared import resources
from shared.settings import env_name
from tests.infra.synthesis import Synthesized


def _statements(synth: Synthesized, role: str) -> list[dict[str, Any]]:
    found = []
    for policy in synth.resources("AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            found += policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def test_one_rotated_key_kept_with_the_data(synth: Synthesized) -> None:
    # Given the synthesized stack / Then exactly the declared keys exist, rotated, retained like the tables
    keys = synth.resources("AWS::KMS::Key")
    assert len(keys) == len(resources.KEYS) == 1
    (key,) = keys.values()
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"
    aliases = [a["Properties"]["AliasName"] for a in synth.resources("AWS::KMS::Alias").values()]
    assert aliases == [f"alias/{resources.SETTINGS_KEY.physical_name}"]


@pytest.mark.parametrize("fn", resources.FUNCTIONS, ids=[f.name for f in resources.FUNCTIONS])
def test_only_functions_declaring_kms_may_use_the_key(synth: Synthesized, fn: resources.FunctionDef) -> None:
    # Given a function's role and environment
    function = next(f for f in synth.resources("AWS::Lambda::Function").values()
                    if f["Properties"]["Handler"] == fn.handler)
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    kms_actions = set()
    (key_id,) = synth.resources("AWS::KMS::Key")
    for statement in _statements(synth, role):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            if action.startswith("kms:"):
                kms_actions.add(action)
                # Then its KMS grant names the one key, never "*"
                assert statement["Resource"] == {"Fn::GetAtt": [key_id, "Arn"]}
    declared = {p.access for p in fn.permissions if p.kind == "kms"}
    environment = function["Properties"]["Environment"]["Variables"]
    # Then Decrypt for a reader, Encrypt too for a writer (no data keys, no admin actions), only where `kms` is
    # declared, with the ARN
    expected = {"read": {"kms:Decrypt"}, "readwrite": {"kms:Decrypt", "kms:Encrypt"}}
    assert kms_actions == set().union(*(expected[access] for access in declared))
    assert (env_name("key", resources.SETTINGS_KEY.key) in environment) == bool(declared)

