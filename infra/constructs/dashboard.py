"""The admin dashboard on AWS: its bucket (files under `_/`, uploaded by `make deploy`: infra/dashboard_upload.py)
served by CloudFront at /_/ on the same host as /api/, with the strict CSP as a response headers policy."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from shared import dashboard

BEHAVIOR_PATH = dashboard.PATH_PREFIX + "*"
# A viewer-request function: `/_` redirects to `/_/`; `/_/` and any route-like path (no file extension) is the
# single-page app's index.html. A missing hashed asset stays an error, never index.html served as a script.
_ROUTER_JS = """
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === "/_") {
    return { statusCode: 301, statusDescription: "Moved Permanently", headers: { location: { value: "/_/" } } };
  }
  var last = uri.substring(uri.lastIndexOf("/") + 1);
  if (last === "" || last.indexOf(".") === -1) {
    request.uri = "/_/index.html";
  }
  return request;
}
"""


class Dashboard(Construct):
    """The headers policy, the router function and the /_/* behaviour a distribution adds for the dashboard.

    The files are no CDK asset: CDK's BucketDeployment would add a deploy-time Lambda function (with its own role,
    layer and findings) just to copy a folder, so `make deploy` uploads them after the stack is up instead.
    """

    def __init__(self, scope: Construct, id: str, *, bucket: s3.IBucket, files_origins: tuple[str, ...]) -> None:
        super().__init__(scope, id)
        self.bucket = bucket
        self.headers = cloudfront.ResponseHeadersPolicy(
            self, "Headers",
            comment="Lambdabase dashboard: strict CSP, no framing, no sniffing",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=dashboard.content_security_policy(files_origins), override=True),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.SAME_ORIGIN, override=True),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=True),
            ),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(custom_headers=[
                cloudfront.ResponseCustomHeader(header="Cross-Origin-Opener-Policy", value="same-origin",
                                                override=True)]),
        )
        self.router = cloudfront.Function(
            self, "Router", code=cloudfront.FunctionCode.from_inline(_ROUTER_JS),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="Lambdabase dashboard: /_/ routes to index.html")

    def behavior(self) -> cloudfront.BehaviorOptions:
        """The /_/* behaviour: the bucket through origin access control, cached, with the headers policy. The
        objects' own Cache-Control (a year for hashed assets, no-cache for index.html) sets how long."""
        return cloudfront.BehaviorOptions(
            origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
            allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
            cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            response_headers_policy=self.headers,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            compress=True,
            function_associations=[cloudfront.FunctionAssociation(
                function=self.router, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)],
        )
