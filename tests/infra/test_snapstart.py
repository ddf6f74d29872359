"""SnapStart on the HTTP functions, and every caller invoking a published version through the function's live alias."""

from __future__ import annotations

from typing import Any

import pytest

from infra.constructs.functions import LIVE_ALIAS
from shared import resources
from tests.infra.synthesis import Synthesized, synthesize


def _refs(node: Any) -> set[str]:
    """Logical ids a template value points at (Ref or Fn::GetAtt), anywhere inside it."""
    if isinstance(node, dict):
        found = {node["Ref"]} if "Ref" in node else set()
        if "Fn::GetAtt" in node:
            found.add(node["Fn::GetAtt"][0])
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def _function_ids(synth: Synthesized) -> dict[str, str]:
    """Function name in resources.FUNCTIONS -> logical id of its AWS::Lambda::Function."""
    by_handler = {f["Properties"]["Handler"]: logical_id
                  for logical_id, f in synth.resources("AWS::Lambda::Function").items()}
    return {definition.name: by_handler[definition.handler] for definition in resources.FUNCTIONS}


def test_http_functions_snapshot_their_published_versions(synth: Synthesized) -> None:
    # Given the synthesized stack, Then exactly the HTTP functions are restored from a SnapStart snapshot
    functions = synth.resources("AWS::Lambda::Function")
    for name, logical_id in _function_ids(synth).items():
        snap_start = functions[logical_id]["Properties"].get("SnapStart")
        if resources.function(name).kind == "http":
            assert snap_start == {"ApplyOn": "PublishedVersions"}, name
        else:
            assert snap_start is None, name


def test_every_function_has_one_version_and_a_live_alias_on_it(synth: Synthesized) -> None:
    versions = synth.resources("AWS::Lambda::Version")
    aliases = synth.resources("AWS::Lambda::Alias")
    for name, function_id in _function_ids(synth).items():
        # One published version of this deployment's code and configuration
        (version_id,) = [i for i, v in versions.items() if v["Properties"]["FunctionName"] == {"Ref": function_id}]
        # deleted once replaced: a kept SnapStart version goes on paying for its cached snapshot
        assert versions[version_id]["DeletionPolicy"] == "Delete", name
        # And the live alias points at that version
        (alias,) = [a["Properties"] for a in aliases.values()
                    if a["Properties"]["FunctionName"] == {"Ref": function_id}]
        assert alias["Name"] == LIVE_ALIAS
        assert alias["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}, name


def test_api_integrations_and_their_permissions_target_aliases(synth: Synthesized) -> None:
    assert_invoked_through_aliases(synth)


def assert_invoked_through_aliases(synth: Synthesized) -> None:
    """Both APIs reach each function only through its alias."""
    aliases = set(synth.resources("AWS::Lambda::Alias"))
    functions = set(synth.resources("AWS::Lambda::Function"))
    integrations = synth.resources("AWS::ApiGatewayV2::Integration")
    assert integrations
    # Both APIs' Lambda integrations invoke an alias, never the function's unpublished $LATEST
    for logical_id, integration in integrations.items():
        targets = _refs(integration["Properties"]["IntegrationUri"])
        assert targets & aliases and not targets & functions, logical_id
    # And API Gateway may invoke exactly those aliases
    permissions = [p["Properties"] for p in synth.resources("AWS::Lambda::Permission").values()
                   if p["Properties"]["Principal"] == "apigateway.amazonaws.com"]
    assert permissions
    for permission in permissions:
        assert _refs(permission["FunctionName"]) <= aliases and _refs(permission["FunctionName"]), permission


def test_event_source_mappings_invoke_the_alias(synth: Synthesized) -> None:
    aliases = set(synth.resources("AWS::Lambda::Alias"))
    mappings = synth.resources("AWS::Lambda::EventSourceMapping")
    assert len(mappings) == len(resources.EVENT_SOURCES)
    for logical_id, mapping in mappings.items():
        function_name = mapping["Properties"]["FunctionName"]
        # `<function name>:live`, built from the alias ARN
        assert _refs(function_name) <= aliases and _refs(function_name), logical_id
        assert function_name["Fn::Join"][1][-1] == f":{LIVE_ALIAS}", logical_id


def test_snapstart_can_be_turned_off_and_aliases_stay(tmp_path_factory: pytest.TempPathFactory) -> None:
    # Given lb:snapStart=false (a region without SnapStart, or a stage that saves its charges)
    synth = synthesize(tmp_path_factory.mktemp("no-snapstart"), **{"lb:snapStart": "false"})
    # Then no function is snapshotted, and callers still go through each function's live alias
    assert all("SnapStart" not in f["Properties"] for f in synth.resources("AWS::Lambda::Function").values())
    assert len(synth.resources("AWS::Lambda::Alias")) == len(resources.ALL_FUNCTIONS)
    assert_invoked_through_aliases(synth)
