"""The one Lambda factory: every resources.FUNCTIONS entry becomes a function with its own role and log group.

Every function is invoked through its `live` alias, which points at the version published by this deployment:
SnapStart only applies to published versions, and one alias per function moves all its callers at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.permissions import Grant, ResourceCatalog, resolve
from infra.nag import acknowledge, wildcard_finding
from infra.naming import construct_id
from layers.build import BuildLayout
from shared import resources

RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
LIVE_ALIAS = "live"
# Kinds restored from a snapshot instead of initialized: the ones a user waits on. Consumers (stream, queue)
# absorb a cold start in their batching window, and each snapshot costs caching and restores (docs/deploy.md).
SNAPSTART_KINDS = frozenset({"http"})

# Why a function needs no async-invocation DLQ: nothing invokes it asynchronously.
_NO_ASYNC_REASONS: Mapping[str, str] = {
    "http": "Invoked synchronously by the HTTP API; a failure is an error response to the caller, not a lost event.",
    "websocket": "Invoked synchronously by the WebSocket API; a failure is answered on the connection.",
    "stream": "Invoked by a DynamoDB stream event source mapping, whose failed batches go to its on-failure queue.",
    "queue": "Invoked by an SQS event source mapping; failed messages go to the queue's redrive DLQ.",
    "log_subscription": "Invoked asynchronously by CloudWatch Logs subscription filters; a batch that still fails "
                        "after its retries goes to the live alias's on-failure destination, the log-failures "
                        "queue (infra/constructs/log_subscriptions.py).",
}


# The deployment's settings for a function of one kind (infra.config.DeployConfig.environment).
EnvironmentOf = Callable[[str], Mapping[str, str]]


class Functions(Construct):
    """Two shared layers, then one `ServerlessFunction` per declared function."""

    def __init__(self, scope: Construct, id: str, *, layout: BuildLayout, deps_layer_dir: Path,
                 catalog: ResourceCatalog, naming: resources.Naming, environment: EnvironmentOf,
                 snap_start: bool, log_retention: logs.RetentionDays) -> None:
        super().__init__(scope, id)
        layers: list[lambda_.ILayerVersion] = [
            lambda_.LayerVersion(
                self, "DepsLayer", code=lambda_.Code.from_asset(str(deps_layer_dir)),
                compatible_runtimes=[RUNTIME], compatible_architectures=[ARCHITECTURE],
                description="Lambdabase third-party packages, locked by uv.lock",
            ),
            lambda_.LayerVersion(
                self, "SharedLayer", code=lambda_.Code.from_asset(str(layout.shared_layer)),
                compatible_runtimes=[RUNTIME], compatible_architectures=[ARCHITECTURE],
                description="Lambdabase shared domain library (the shared/ package)",
            ),
        ]
        # The two layers, for functions built outside this factory (infra/constructs/sse_bridge.py).
        self.layers: list[lambda_.ILayerVersion] = list(layers)
        self.functions: dict[str, lambda_.Function] = {}
        # What API Gateway and event source mappings invoke: each function's live alias.
        self.aliases: dict[str, lambda_.Alias] = {}
        self.log_groups: dict[str, logs.LogGroup] = {}
        for definition in resources.FUNCTIONS:
            built = ServerlessFunction(
                self, construct_id(definition.name), definition=definition,
                code_dir=layout.function(definition.name), layers=layers, catalog=catalog,
                naming=naming, environment=environment(definition.kind),
                snap_start=snap_start and definition.kind in SNAPSTART_KINDS, log_retention=log_retention,
            )
            self.functions[definition.name] = built.function
            self.aliases[definition.name] = built.alias
            self.log_groups[definition.name] = built.log_group

    def get(self, name: str) -> lambda_.Alias:
        """The live alias of the function declared under this name."""
        if name not in self.aliases:
            raise KeyError(f"no function {name!r} in shared/resources.py FUNCTIONS")
        return self.aliases[name]


class ServerlessFunction(Construct):
    """A function, its log group and its role, whose only grants are the definition's permissions."""

    def __init__(self, scope: Construct, id: str, *, definition: resources.FunctionDef, code_dir: Path,
                 layers: list[lambda_.ILayerVersion], catalog: ResourceCatalog, naming: resources.Naming,
                 environment: Mapping[str, str], snap_start: bool, log_retention: logs.RetentionDays) -> None:
        super().__init__(scope, id)
        function_name = definition.name_in(naming)
        # Lambda's own log group name, created here so that it has a retention and goes with the stack.
        self.log_group = logs.LogGroup(self, "Logs", log_group_name=f"/aws/lambda/{function_name}",
                                       retention=log_retention, removal_policy=RemovalPolicy.DESTROY)
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                             description=f"Execution role of the {definition.name} function")

        environment = {
            **environment,
            **resources.RUNTIME_ENVIRONMENT,
            "POWERTOOLS_SERVICE_NAME": definition.name,
            "POWERTOOLS_METRICS_NAMESPACE": resources.METRICS_NAMESPACE,
        }
        # Own log-writing statement instead of AWSLambdaBasicExecutionRole: only this function's log group.
        grants = [Grant(("logs:CreateLogStream", "logs:PutLogEvents"), (self.log_group.log_group_arn,))]
        for permission in definition.permissions:
            resolved = resolve(permission, catalog, self)
            grants += resolved.grants
            environment.update(resolved.environment)
        self.policy = iam.Policy(self, "Grants", roles=[self.role],
                                 statements=[_statement(grant) for grant in grants])
        for grant in grants:
            if grant.wildcard_reason is not None:
                for resource in grant.resources:
                    acknowledge(self.policy, f"AwsSolutions-IAM5[{wildcard_finding(self, resource)}]",
                                grant.wildcard_reason)

        self.function = lambda_.Function(
            self, "Function",
            function_name=function_name,
            description=definition.description or definition.name,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=definition.handler,
            code=lambda_.Code.from_asset(str(code_dir)),
            layers=layers,
            memory_size=definition.memory_mb,
            timeout=Duration.seconds(definition.timeout_s),
            tracing=lambda_.Tracing.ACTIVE,
            role=self.role,
            log_group=self.log_group,
            environment=environment,
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if snap_start else None,
            # A replaced version is deleted once the alias has moved on: with SnapStart every kept version
            # would go on paying for its cached snapshot, and nothing ever invokes an old one.
            current_version_options=lambda_.VersionOptions(removal_policy=RemovalPolicy.DESTROY),
        )
        # The function may not start (and its event source mapping may not validate) before its grants exist.
        self.function.node.add_dependency(self.policy)
        self.alias = lambda_.Alias(self, "Live", alias_name=LIVE_ALIAS, version=self.function.current_version,
                                   description=f"The version of {definition.name} this deployment serves")
        if snap_start:
            # CDK warns when the function is built, before the version above exists.
            acknowledge(self.function, "Annotation::@aws-cdk/aws-lambda:snapStartRequirePublish",
                        "The function's current version is published by this stack and its live alias points at "
                        "it; API Gateway and event sources only invoke that alias, never $LATEST.")

        # Active tracing adds xray:PutTraceSegments/PutTelemetryRecords on "*" to the role's default policy.
        xray_reason = "X-Ray trace and telemetry writes have no resource-level permissions, so they need '*'."
        acknowledge(self.role, "AwsSolutions-IAM5[Resource::*]", xray_reason)
        acknowledge(self.function, "Serverless-LambdaDLQ", _NO_ASYNC_REASONS[definition.kind])


def _statement(grant: Grant) -> iam.PolicyStatement:
    return iam.PolicyStatement(actions=list(grant.actions), resources=list(grant.resources))
