"""PocketBase's SSE protocol on AWS: the bridge function behind a RESPONSE_STREAM function URL (Lambda Web
Adapter), and one CloudFront base URL for unmodified clients: `/api/realtime` to the bridge, the rest to the HTTP
API. API Gateway buffers whole responses, so an event stream cannot go through it (docs/deploy.md)."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Aws, Duration, Fn, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.functions import ServerlessFunction
from infra.constructs.permissions import ResourceCatalog
from infra.nag import acknowledge
from layers.build import BuildLayout
from shared import resources

# awslabs/aws-lambda-web-adapter's published arm64 layer (its docs, "Zip Packages"), in the stack's region.
WEB_ADAPTER_LAYER = "arn:aws:lambda:${AWS::Region}:753240598075:layer:LambdaAdapterLayerArm64:26"
# The port of the web server the adapter proxies to (functions/realtime_sse/run.sh, the function's handler).
ADAPTER_PORT = "8080"
# CloudFront's longest origin read timeout without a quota increase; the bridge writes a comment every 20 s.
ORIGIN_READ_TIMEOUT = Duration.seconds(60)
# The header CloudFront adds to the bridge's requests (functions/realtime_sse/app.py EDGE_HEADER).
EDGE_HEADER = "X-Lambdabase-Edge"


class SseBridge(Construct):
    """The bridge function (its own least-privilege role), its streaming URL and the distribution in front."""

    def __init__(self, scope: Construct, id: str, *, layout: BuildLayout, layers: list[lambda_.ILayerVersion],
                 catalog: ResourceCatalog, naming: resources.Naming, environment: Mapping[str, str],
                 log_retention: logs.RetentionDays, http_api_endpoint: str,
                 web_adapter_layer_arn: str | None = None) -> None:
        super().__init__(scope, id)
        definition = resources.SSE_BRIDGE_FUNCTION
        # Proves a request came through the distribution (functions/realtime_sse/app.py): the GUID of the stack's
        # id, known to CloudFront and the function, never to clients.
        edge_secret = Fn.select(2, Fn.split("/", Aws.STACK_ID))
        adapter = lambda_.LayerVersion.from_layer_version_arn(
            self, "WebAdapter", web_adapter_layer_arn or Fn.sub(WEB_ADAPTER_LAYER))
        built = ServerlessFunction(
            self, "Bridge", definition=definition, code_dir=layout.function(definition.name),
            layers=[*layers, adapter], catalog=catalog, naming=naming,
            environment={
                **environment,
                # The adapter starts run.sh's server, then proxies each invocation to it and streams the answer.
                "AWS_LAMBDA_EXEC_WRAPPER": "/opt/bootstrap",
                "AWS_LWA_INVOKE_MODE": "response_stream",
                "AWS_LWA_PORT": ADAPTER_PORT,
                # Ready once uvicorn listens: no HTTP probe, whose 404 would depend on the adapter's threshold.
                "AWS_LWA_READINESS_CHECK_PROTOCOL": "tcp",
                "PORT": ADAPTER_PORT,
                "LB_SSE_BEHIND_WEB_ADAPTER": "true",
                "LB_SSE_EDGE_SECRET": edge_secret,
            },
            # SnapStart restores a snapshot of the runtime, not of the adapter's web server process.
            snap_start=False, log_retention=log_retention,
        )
        self.function = built.function
        self.url = built.alias.add_function_url(
            # Anyone may open an event stream, as on PocketBase; POST checks the client id, its IP and the token.
            auth_type=lambda_.FunctionUrlAuthType.NONE,
            invoke_mode=lambda_.InvokeMode.RESPONSE_STREAM,
        )
        self.distribution = _distribution(self, self.url, http_api_endpoint, edge_secret)

    @property
    def base_url(self) -> str:
        """The one base URL unmodified PocketBase clients use: REST and SSE alike."""
        return f"https://{self.distribution.distribution_domain_name}"


def _distribution(scope: Construct, url: lambda_.FunctionUrl, http_api_endpoint: str,
                  edge_secret: str) -> cloudfront.Distribution:
    # No caching anywhere (every answer depends on the caller); every method, header, cookie and query string goes
    # to the origin except Host (each origin answers only its own name). With caching disabled, the AllViewer
    # policies forward Authorization too.
    behaviour = {
        "allowed_methods": cloudfront.AllowedMethods.ALLOW_ALL,
        "cache_policy": cloudfront.CachePolicy.CACHING_DISABLED,
        "origin_request_policy": cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        "viewer_protocol_policy": cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        "compress": False,
    }
    api_domain = Fn.select(2, Fn.split("/", http_api_endpoint))
    distribution = cloudfront.Distribution(
        scope, "Distribution",
        comment=f"Lambdabase {Stack.of(scope).stack_name}: REST API and PocketBase's SSE realtime on one URL",
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.HttpOrigin(api_domain, protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                                      origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2]),
            **behaviour),  # type: ignore[arg-type]
        additional_behaviors={resources.SSE_BRIDGE_PATH: cloudfront.BehaviorOptions(
            origin=origins.FunctionUrlOrigin(url, read_timeout=ORIGIN_READ_TIMEOUT,
                                             custom_headers={EDGE_HEADER: edge_secret}),
            **behaviour)},  # type: ignore[arg-type]
        price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        http_version=cloudfront.HttpVersion.HTTP2_AND_3,
    )
    acknowledge(distribution, "AwsSolutions-CFR1",
                "A backend for apps used anywhere, as PocketBase has no geo restriction; an operator who needs one "
                "adds it to the distribution.")
    acknowledge(distribution, "AwsSolutions-CFR2",
                "It fronts the HTTP API (stage throttling, per-IP rate limits in the functions) and the bridge, "
                "whose streams each hold one Lambda instance under the account's concurrency limit; a web ACL "
                "can be attached by operators who want one (docs/deploy.md).")
    acknowledge(distribution, "AwsSolutions-CFR3",
                "Every request reaches an origin that logs it: the HTTP API's JSON access logs and PocketBase's "
                "request log, and the bridge function's own log group; CloudFront standard logs would need an "
                "ACL-enabled bucket, which this stack keeps none of.")
    acknowledge(distribution, "AwsSolutions-CFR4",
                "The distribution serves CloudFront's default *.cloudfront.net certificate, for which CloudFront "
                "fixes the minimum viewer protocol; a custom domain with its own certificate sets TLSv1.2_2021 "
                "(docs/deploy.md).")
    return distribution
