"""The HTTP API (API Gateway v2, payload v2): one route per resources.ROUTES entry, `$default` included."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.access_logs import HTTP_FIELDS, JsonAccessLogs
from infra.nag import acknowledge
from infra.naming import construct_id
from shared import resources

DEFAULT_ROUTE = "$default"


class HttpApi(Construct):
    """Routes to the functions' Lambda integrations, a throttled `$default` stage with JSON access logs.

    The API and its stage exist before the functions, which are told its URL; `route_to` then adds the routes.
    """

    def __init__(self, scope: Construct, id: str, *, naming: resources.Naming, rate_limit: int, burst_limit: int,
                 cors_origins: Sequence[str], log_retention: logs.RetentionDays) -> None:
        super().__init__(scope, id)
        self.api = apigwv2.HttpApi(
            self, "Api",
            api_name=naming.name("http"),
            description="Lambdabase REST API (PocketBase-compatible)",
            create_default_stage=False,
            # API Gateway answers preflights itself; PocketBase's default is to allow every origin.
            cors_preflight=apigwv2.CorsPreflightOptions(
                allow_origins=list(cors_origins),
                allow_methods=[apigwv2.CorsHttpMethod.ANY],
                allow_headers=["*"],
                expose_headers=["*"],
                max_age=Duration.days(1),
            ) if cors_origins else None,
        )
        self.stage = apigwv2.HttpStage(
            self, "DefaultStage",
            http_api=self.api,
            stage_name=DEFAULT_ROUTE,
            auto_deploy=True,
            # Stage-wide token bucket across all clients: a coarse ceiling on spend and load. API Gateway
            # answers past it with 429 itself; per-IP and per-user limits are the functions' (shared/ratelimit).
            throttle=apigwv2.ThrottleSettings(rate_limit=rate_limit, burst_limit=burst_limit),
            access_log_settings=JsonAccessLogs(self, "AccessLogs", fields=HTTP_FIELDS,
                                               log_group_name=f"/aws/apigateway/{naming.name('http')}",
                                               retention=log_retention),
        )
        self.routes: list[apigwv2.HttpRoute] = []
        acknowledge(self, "AwsSolutions-APIG4",
                    "Authorization is PocketBase's: functions verify Lambdabase JWTs and evaluate per-collection "
                    "API rules, many of which allow anonymous access; a gateway authorizer cannot express that.")

    @property
    def url(self) -> str:
        return self.stage.url

    @property
    def endpoint(self) -> str:
        """The API's base URL without a trailing slash, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com`."""
        return self.api.api_endpoint

    def route_to(self, functions: Mapping[str, lambda_.IFunction]) -> None:
        """One route per resources.ROUTES entry, each to the Lambda integration of its function (or alias)."""
        lambda_integrations: dict[str, integrations.HttpLambdaIntegration] = {}
        for route in resources.ROUTES:
            if route.function not in lambda_integrations:
                lambda_integrations[route.function] = integrations.HttpLambdaIntegration(
                    construct_id(route.function, "integration"), functions[route.function],
                    payload_format_version=apigwv2.PayloadFormatVersion.VERSION_2_0,
                )
            self.routes.append(apigwv2.HttpRoute(
                self, f"Route {route.method} {route.path}",
                http_api=self.api,
                route_key=route_key(route),
                integration=lambda_integrations[route.function],
            ))


def route_key(route: resources.RouteDef) -> apigwv2.HttpRouteKey:
    """`ANY $default` is API Gateway's catch-all; any other route is METHOD /path."""
    if route.path == DEFAULT_ROUTE:
        return apigwv2.HttpRouteKey.DEFAULT
    return apigwv2.HttpRouteKey.with_(route.path, apigwv2.HttpMethod[route.method.upper()])
