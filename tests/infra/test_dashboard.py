"""The dashboard on AWS: its files in their bucket, served at /_/ by the API's CloudFront distribution with the CSP."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.constructs.dashboard import BEHAVIOR_PATH
from infra.dashboard_upload import upload, upload_plan
from shared import dashboard
from tests.infra.synthesis import Synthesized, synthesize

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


def _config(synth: Synthesized) -> dict[str, Any]:
    (distribution,) = synth.resources("AWS::CloudFront::Distribution").values()
    return dict(distribution["Properties"]["DistributionConfig"])


def _ui_behaviour(config: dict[str, Any]) -> dict[str, Any]:
    return next(b for b in config["CacheBehaviors"] if b["PathPattern"] == BEHAVIOR_PATH)


def test_one_host_serves_the_dashboard_from_its_bucket_and_the_api_from_the_http_api(synth: Synthesized) -> None:
    config = _config(synth)
    origins = {o["Id"]: o for o in config["Origins"]}
    ui = _ui_behaviour(config)
    # Then /_/* reads the dashboard bucket through origin access control, cached, GET/HEAD only
    bucket_origin = origins[ui["TargetOriginId"]]
    assert "S3OriginConfig" in bucket_origin and bucket_origin.get("OriginAccessControlId")
    (bucket_id,) = [k for k, b in synth.resources("AWS::S3::Bucket").items()
                    if b["Properties"]["BucketName"]["Fn::Join"][1][0].endswith("-dashboard-")]
    assert bucket_origin["DomainName"]["Fn::GetAtt"][0] == bucket_id
    assert ui["CachePolicyId"] == CACHING_OPTIMIZED
    assert sorted(ui["AllowedMethods"]) == ["GET", "HEAD"]
    # and `/_` (the redirect to `/_/`) takes the same origin
    bare = next(b for b in config["CacheBehaviors"] if b["PathPattern"] == "/_")
    assert bare["TargetOriginId"] == ui["TargetOriginId"]
    # and everything else, /api/ included, goes to the HTTP API on the same distribution
    api_origin = origins[config["DefaultCacheBehavior"]["TargetOriginId"]]
    assert api_origin["DomainName"]["Fn::Select"][1]["Fn::Split"][1]["Fn::GetAtt"][1] == "ApiEndpoint"
    # and a viewer-request function routes the single-page app's paths to index.html
    (association,) = ui["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    assert "DashboardUrl" in synth.template_json["Outputs"]


def test_the_headers_policy_sends_the_strict_csp(synth: Synthesized) -> None:
    ui = _ui_behaviour(_config(synth))
    policies = synth.resources("AWS::CloudFront::ResponseHeadersPolicy")
    policy_id = ui["ResponseHeadersPolicyId"]["Ref"]
    security = policies[policy_id]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    # the CSP is the one the local gateway sends, with the files bucket's origin for images
    text = "".join(p if isinstance(p, str) else "<files>" for p in csp["Fn::Join"][1])
    directives = dict(part.split(" ", 1) for part in text.split("; "))
    assert directives["img-src"] == "'self' data: blob: https://<files> https://<files>"
    assert directives["connect-src"] == "'self' https://<files> https://<files>"
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in str(csp)
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ContentTypeOptions"]["Override"] is True


@pytest.mark.parametrize("switch", ["false"])
def test_without_the_sse_bridge_the_dashboard_keeps_its_distribution(
        tmp_path_factory: pytest.TempPathFactory, switch: str) -> None:
    synth = synthesize(tmp_path_factory.mktemp("ui-no-sse"), **{"lb:sseBridge": switch})
    config = _config(synth)
    assert [b["PathPattern"] for b in config["CacheBehaviors"]] == [BEHAVIOR_PATH, "/_"]
    assert "DashboardUrl" in synth.template_json["Outputs"]


class _Invalidations:
    """CloudFront's create_invalidation, recorded (moto's CloudFront needs a whole distribution first)."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def create_invalidation(self, DistributionId: str, InvalidationBatch: dict[str, Any]) -> None:
        self.paths += InvalidationBatch["Paths"]["Items"]


def test_deploy_uploads_the_built_files_with_their_cache_lifetimes(tmp_path: Any) -> None:
    # Given a built dashboard
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html>")
    (dist / "assets" / "index-abc123.js").write_text("console.log(1)")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="lb-dashboard")
        edge = _Invalidations()
        # When make deploy's last step runs
        assert upload(dist, "lb-dashboard", "E123", s3=s3, cloudfront=edge) == 2
        # Then the assets are cached for a year, index.html revalidated, both under the /_/ prefix
        asset = s3.head_object(Bucket="lb-dashboard", Key="_/assets/index-abc123.js")
        entry = s3.head_object(Bucket="lb-dashboard", Key="_/index.html")
    assert asset["CacheControl"] == dashboard.IMMUTABLE_CACHE
    assert asset["ContentType"] in ("text/javascript", "application/javascript")
    assert entry["CacheControl"] == dashboard.ENTRY_CACHE
    assert entry["ContentType"] == "text/html"
    # and index.html goes last, so it never names an asset not uploaded yet, then leaves CloudFront's cache
    assert upload_plan(dist)[-1][1] == "_/index.html"
    assert edge.paths == ["/_/", "/_/index.html"]
