"""The SSE bridge on AWS: a RESPONSE_STREAM function URL under the Web Adapter, CloudFront in front, one switch."""

from __future__ import annotations

from typing import Any

import pytest

from infra.config import ConfigError
from infra.constructs.sse_bridge import ORIGIN_READ_TIMEOUT
from shared import resources
from tests.infra.synthesis import Synthesized, synthesize

# CloudFront's managed policies, by their documented ids.
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]


def _bridge(synth: Synthesized) -> tuple[str, dict[str, Any]]:
    return next((logical_id, f) for logical_id, f in synth.resources("AWS::Lambda::Function").items()
                if f["Properties"]["Handler"] == resources.SSE_BRIDGE_FUNCTION.handler)


def test_the_bridge_runs_its_web_server_under_the_web_adapter_in_streaming_mode(synth: Synthesized) -> None:
    # Given the default deployment, Then the bridge function starts run.sh through the adapter's exec wrapper
    _, function = _bridge(synth)
    props = function["Properties"]
    env = props["Environment"]["Variables"]
    assert props["Handler"] == "functions/realtime_sse/run.sh"
    assert env["AWS_LAMBDA_EXEC_WRAPPER"] == "/opt/bootstrap"
    assert env["AWS_LWA_INVOKE_MODE"] == "response_stream"
    assert env["LB_SSE_BEHIND_WEB_ADAPTER"] == "true"
    assert "LB_WS_URL" in env
    assert props["Timeout"] == 900
    assert {"Fn::Sub": "arn:aws:lambda:${AWS::Region}:753240598075:layer:LambdaAdapterLayerArm64:26"} \
        in props["Layers"]
    assert "SnapStart" not in props
    # and its URL streams, open to anyone as PocketBase's endpoint is, on the function's live alias
    (url,) = synth.resources("AWS::Lambda::Url").values()
    assert url["Properties"]["InvokeMode"] == "RESPONSE_STREAM"
    assert url["Properties"]["AuthType"] == "NONE"
    assert "Qualifier" in url["Properties"]


def test_one_cloudfront_url_sends_api_realtime_to_the_bridge_and_the_rest_to_the_http_api(
        synth: Synthesized) -> None:
    (distribution,) = synth.resources("AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    (realtime,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == resources.SSE_BRIDGE_PATH]
    default = config["DefaultCacheBehavior"]
    # Then /api/realtime goes to the function URL with a read timeout above the bridge's keepalive period
    assert realtime["PathPattern"] == resources.SSE_BRIDGE_PATH
    realtime_origin = origins[realtime["TargetOriginId"]]
    assert realtime_origin["DomainName"]["Fn::Select"][1]["Fn::Split"][1]["Fn::GetAtt"][1] == "FunctionUrl"
    assert realtime_origin["CustomOriginConfig"]["OriginReadTimeout"] == ORIGIN_READ_TIMEOUT.to_seconds()
    # and proves it came through the distribution with the secret the function is told (the viewer's address)
    (edge_header,) = realtime_origin["OriginCustomHeaders"]
    _, function = _bridge(synth)
    assert edge_header["HeaderName"] == "X-Lambdabase-Edge"
    assert edge_header["HeaderValue"] == function["Properties"]["Environment"]["Variables"]["LB_SSE_EDGE_SECRET"]
    # and everything else to the HTTP API
    api_origin = origins[default["TargetOriginId"]]
    assert api_origin["DomainName"]["Fn::Select"][1]["Fn::Split"][1]["Fn::GetAtt"][1] == "ApiEndpoint"
    assert api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    for behaviour in (default, realtime):
        # never cached, every method, every viewer header but Host (Authorization included, caching being off)
        assert behaviour["CachePolicyId"] == CACHING_DISABLED
        assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
        assert sorted(behaviour["AllowedMethods"]) == sorted(ALL_METHODS)
        assert behaviour["ViewerProtocolPolicy"] == "https-only"
    assert "AppUrl" in synth.template_json["Outputs"]


def test_the_switch_turns_the_bridge_off_entirely(tmp_path_factory: pytest.TempPathFactory) -> None:
    # Given lb:sseBridge=false
    synth = synthesize(tmp_path_factory.mktemp("no-sse"), **{"lb:sseBridge": "false"})
    # Then there is no bridge function, no function URL, no /api/realtime behaviour and no app URL output (the
    # distribution stays, for the dashboard: tests/infra/test_dashboard.py)
    handlers = {f["Properties"]["Handler"] for f in synth.resources("AWS::Lambda::Function").values()}
    assert resources.SSE_BRIDGE_FUNCTION.handler not in handlers
    assert len(handlers) == len(resources.FUNCTIONS)
    assert not synth.resources("AWS::Lambda::Url")
    (distribution,) = synth.resources("AWS::CloudFront::Distribution").values()
    paths = [b["PathPattern"] for b in distribution["Properties"]["DistributionConfig"]["CacheBehaviors"]]
    assert resources.SSE_BRIDGE_PATH not in paths
    assert "AppUrl" not in synth.template_json["Outputs"]


def test_a_malformed_web_adapter_layer_arn_fails_synth(tmp_path_factory: pytest.TempPathFactory) -> None:
    with pytest.raises(ConfigError, match="lb:webAdapterLayerArn"):
        synthesize(tmp_path_factory.mktemp("bad-layer"), **{"lb:webAdapterLayerArn": "not-an-arn"})
