"""The one CloudFront distribution in front of the HTTP API: PocketBase's single base URL, to which the SSE bridge
adds /api/realtime and the dashboard /_/* (infra/constructs/sse_bridge.py, dashboard.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import Fn
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from constructs import Construct

from infra.nag import acknowledge

# No caching anywhere on the API (every answer depends on the caller); every method, header, cookie and query
# string goes to the origin except Host (each origin answers only its own name). With caching disabled, the
# AllViewer policies forward Authorization too.
API_BEHAVIOUR: dict[str, Any] = {
    "allowed_methods": cloudfront.AllowedMethods.ALLOW_ALL,
    "cache_policy": cloudfront.CachePolicy.CACHING_DISABLED,
    "origin_request_policy": cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    "viewer_protocol_policy": cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
    "compress": False,
}


def api_distribution(scope: Construct, http_api_endpoint: str, *, comment: str,
                     behaviors: Mapping[str, cloudfront.BehaviorOptions]) -> cloudfront.Distribution:
    """A distribution whose default behaviour is the HTTP API, plus the given path behaviours."""
    api_domain = Fn.select(2, Fn.split("/", http_api_endpoint))
    distribution = cloudfront.Distribution(
        scope, "Distribution",
        comment=comment,
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.HttpOrigin(api_domain, protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                                      origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2]),
            **API_BEHAVIOUR),
        additional_behaviors=dict(behaviors),
        price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        http_version=cloudfront.HttpVersion.HTTP2_AND_3,
    )
    acknowledge(distribution, "AwsSolutions-CFR1",
                "A backend for apps used anywhere, as PocketBase has no geo restriction; an operator who needs one "
                "adds it to the distribution.")
    acknowledge(distribution, "AwsSolutions-CFR2",
                "It fronts the HTTP API (stage throttling, per-IP rate limits in the functions), the bridge, "
                "whose streams each hold one Lambda instance under the account's concurrency limit, and the "
                "dashboard's static files; a web ACL can be attached by operators who want one (docs/deploy.md).")
    acknowledge(distribution, "AwsSolutions-CFR3",
                "Every API request reaches an origin that logs it: the HTTP API's JSON access logs and PocketBase's "
                "request log, and the bridge function's own log group; the dashboard's bucket has S3 server "
                "access logs. CloudFront standard logs would need an ACL-enabled bucket, which this stack keeps "
                "none of.")
    acknowledge(distribution, "AwsSolutions-CFR4",
                "The distribution serves CloudFront's default *.cloudfront.net certificate, for which CloudFront "
                "fixes the minimum viewer protocol; a custom domain with its own certificate sets TLSv1.2_2021 "
                "(docs/deploy.md).")
    return distribution
