"""The Lambdabase stack: wires the capability constructs together and exports the API URLs."""

from __future__ import annotations

from typing import Any

from aws_cdk import Annotations, CfnOutput, Stack
from constructs import Construct

from infra.config import DeployConfig
from infra.constructs.dashboard import BEHAVIOR_PATH, Dashboard
from infra.constructs.data import DataTables
from infra.constructs.edge import api_distribution
from infra.constructs.event_sources import EventSources
from infra.constructs.functions import Functions
from infra.constructs.http_api import HttpApi
from infra.constructs.keys import Keys
from infra.constructs.log_subscriptions import LogSubscriptions
from infra.constructs.messaging import Messaging
from infra.constructs.permissions import ResourceCatalog
from infra.constructs.schedules import Schedules
from infra.constructs.secrets import Secrets
from infra.constructs.sse_bridge import SseBridge
from infra.constructs.storage import FileStorage
from infra.constructs.websocket_api import WebSocketApi
from shared import dashboard, resources


class LambdabaseStack(Stack):
    """Everything in shared/resources.py, deployed under the stage's names; no resource is declared here."""

    def __init__(self, scope: Construct, id: str, *, config: DeployConfig, **kwargs: Any) -> None:
        super().__init__(scope, id, description="Lambdabase: PocketBase-compatible backend on Lambda, "
                                                "DynamoDB and S3", **kwargs)
        naming = config.naming
        data = DataTables(self, "Data", naming=naming, removal_policy=config.data_removal_policy)
        storage = FileStorage(self, "Storage", naming=naming, removal_policy=config.data_removal_policy,
                              cors_origins=config.cors_origins)
        messaging = Messaging(self, "Messaging", naming=naming)
        secrets = Secrets(self, "Secrets", naming=naming, removal_policy=config.data_removal_policy)
        keys = Keys(self, "Keys", naming=naming, removal_policy=config.data_removal_policy)
        realtime = WebSocketApi(self, "Realtime", naming=naming, rate_limit=config.ws_rate_limit,
                                burst_limit=config.ws_burst_limit, log_retention=config.log_retention)
        http = HttpApi(self, "Http", naming=naming, rate_limit=config.http_rate_limit,
                       burst_limit=config.http_burst_limit, cors_origins=config.cors_origins,
                       log_retention=config.log_retention)

        catalog = ResourceCatalog(tables=data.tables, buckets=storage.buckets, queues=messaging.queues,
                                  buses=messaging.buses, secrets=secrets.secrets, keys=keys.keys,
                                  websocket=realtime.target)
        functions = Functions(
            self, "Functions",
            layout=config.layout,
            deps_layer_dir=config.deps_layer,
            catalog=catalog,
            naming=naming,
            # Without lb:appUrl, mailed links point at the API itself, as PocketBase's point at its own server.
            environment=lambda kind: config.environment(kind, app_url=http.endpoint),
            snap_start=config.snap_start,
            log_retention=config.log_retention,
        )
        realtime.route_to(functions.get(resources.WEBSOCKET_FUNCTION))
        http.route_to(functions.aliases)
        EventSources(self, "EventSources", functions=functions.aliases, tables=data.tables,
                     queues=messaging.queues, naming=naming)
        Schedules(self, "Schedules", queues=messaging.queues, dead_letter_queues=messaging.dead_letter_queues,
                  naming=naming)
        LogSubscriptions(self, "LogSubscriptions", functions=functions.aliases, log_groups=functions.log_groups,
                         queues=messaging.queues, naming=naming)

        # Info, not a warning: a throwaway stack may well mail from the placeholder, but an operator should know.
        if config.mail_sender_address == DeployConfig.mail_sender_address:
            Annotations.of(self).add_info(f"lb:mailSenderAddress is PocketBase's placeholder "
                                          f"{config.mail_sender_address}; SES refuses to send from an unverified "
                                          "address, so set it to a verified one (docs/deploy.md)")
        CfnOutput(self, "HttpApiUrl", value=http.url, description="PocketBase-compatible REST API base URL")
        files_bucket = storage.buckets[resources.FILES_BUCKET.key]
        dashboard_bucket = storage.buckets[resources.DASHBOARD_BUCKET.key]
        ui = Dashboard(self, "Dashboard", bucket=dashboard_bucket,
                       # presigned URLs name the bucket either way, by the SDK's addressing choice
                       files_origins=(f"https://{files_bucket.bucket_regional_domain_name}",
                                      f"https://{files_bucket.bucket_domain_name}"))
        ui_behavior = ui.behavior()  # one origin for both paths: `/_` only redirects to `/_/`
        ui_behaviors = {BEHAVIOR_PATH: ui_behavior, dashboard.PATH_PREFIX.rstrip("/"): ui_behavior}
        if config.sse_bridge:
            bridge = SseBridge(self, "SseBridge", layout=config.layout, layers=functions.layers, catalog=catalog,
                               naming=naming, environment=config.environment("http", app_url=http.endpoint),
                               log_retention=config.log_retention,
                               http_api_endpoint=http.endpoint, web_adapter_layer_arn=config.web_adapter_layer_arn,
                               extra_behaviors=ui_behaviors)
            distribution = bridge.distribution
            CfnOutput(self, "AppUrl", value=bridge.base_url,
                      description="One base URL for unmodified PocketBase clients: REST API and SSE realtime")
        else:
            distribution = api_distribution(
                ui, http.endpoint, comment=f"Lambdabase {self.stack_name}: REST API and the dashboard",
                behaviors=ui_behaviors)
        CfnOutput(self, "DashboardUrl", value=f"https://{distribution.distribution_domain_name}/_/",
                  description="The admin dashboard; /api/ on the same host")
        # read by `make deploy` to upload ui/dist and refresh index.html (infra/dashboard_upload.py)
        CfnOutput(self, "DashboardBucket", value=dashboard_bucket.bucket_name)
        CfnOutput(self, "DistributionId", value=distribution.distribution_id)
        CfnOutput(self, "WebSocketUrl", value=realtime.url, description="Realtime WebSocket URL")
