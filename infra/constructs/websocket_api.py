"""The WebSocket API for realtime: `$connect`, `$disconnect` and `$default` all go to one function."""

from __future__ import annotations

from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.access_logs import WEBSOCKET_FIELDS, JsonAccessLogs
from infra.constructs.permissions import WebSocketTarget
from infra.nag import acknowledge
from shared import resources

ROUTE_KEYS = ("$connect", "$disconnect", "$default")


class WebSocketApi(Construct):
    """The API and its stage exist first, so functions can be granted @connections before routes point at one."""

    def __init__(self, scope: Construct, id: str, *, naming: resources.Naming, rate_limit: int, burst_limit: int,
                 log_retention: logs.RetentionDays) -> None:
        super().__init__(scope, id)
        self.api = apigwv2.WebSocketApi(self, "Api", api_name=naming.name("realtime"),
                                        description="Lambdabase realtime (WebSocket)")
        self.stage = apigwv2.WebSocketStage(
            self, "Stage",
            web_socket_api=self.api,
            stage_name=resources.WEBSOCKET_STAGE,
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(rate_limit=rate_limit, burst_limit=burst_limit),
            access_log_settings=JsonAccessLogs(self, "AccessLogs", fields=WEBSOCKET_FIELDS,
                                               log_group_name=f"/aws/apigateway/{naming.name('realtime')}",
                                               retention=log_retention),
        )
        acknowledge(self, "AwsSolutions-APIG4",
                    "The realtime function authenticates each connection with a Lambdabase JWT and checks "
                    "collection rules per subscription, which a gateway authorizer cannot express.")

    @property
    def target(self) -> WebSocketTarget:
        """What a `ws_manage` permission grants on and tells the function."""
        return WebSocketTarget(api_id=self.api.api_id, stage_name=self.stage.stage_name,
                               management_endpoint=self.stage.callback_url, url=self.stage.url)

    @property
    def url(self) -> str:
        return self.stage.url

    def route_to(self, function: lambda_.IFunction) -> None:
        """Send every connection event and message to this function."""
        integration = integrations.WebSocketLambdaIntegration("Integration", function)
        for key in ROUTE_KEYS:
            self.api.add_route(key, integration=integration)
