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

from infra.constructs.edge import API_BEHAVIOUR, api_distribution
from infra.constructs.functions import ServerlessFunction
from infra.constructs.permissions import ResourceCatalog
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
                 web_adapter_layer_arn: str | None = None,
                 extra_behaviors: Mapping[str, cloudfront.BehaviorOptions] | None = None) -> None:
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
        self.distribution = api_distribution(
            self, http_api_endpoint,
            comment=f"Lambdabase {Stack.of(self).stack_name}: REST API, PocketBase's SSE realtime and the dashboard",
            behaviors={resources.SSE_BRIDGE_PATH: cloudfront.BehaviorOptions(
                origin=origins.FunctionUrlOrigin(self.url, read_timeout=ORIGIN_READ_TIMEOUT,
                                                 custom_headers={EDGE_HEADER: edge_secret}),
                **API_BEHAVIOUR), **(extra_behaviors or {})})

    @property
    def base_url(self) -> str:
        """The one base URL unmodified PocketBase clients use: REST and SSE alike."""
        return f"https://{self.distribution.distribution_domain_name}"
