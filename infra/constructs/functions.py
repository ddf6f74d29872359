"""The one Lambda factory: every resources.FUNCTIONS entry becomes a function with its own role and log group."""

from __future__ import annotations

from collections.abc import Mapping
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

# Why a function needs no async-invocation DLQ: nothing invokes it asynchronously.
_NO_ASYNC_REASONS: Mapping[str, str] = {
    "http": "Invoked synchronously by the HTTP API; a failure is an error response to the caller, not a lost event.",
    "websocket": "Invoked synchronously by the WebSocket API; a failure is answered on the connection.",
    "stream": "Invoked by a DynamoDB stream event source mapping, whose failed batches go to its on-failure queue.",
    "queue": "Invoked by an SQS event source mapping; failed messages go to the queue's redrive DLQ.",
}


class Functions(Construct):
    """Two shared layers, then one `ServerlessFunction` per declared function."""

    def __init__(self, scope: Construct, id: str, *, layout: BuildLayout, deps_layer_dir: Path,
                 catalog: ResourceCatalog, log_retention: logs.RetentionDays) -> None:
        super().__init__(scope, id)
        layers = [
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
        self.functions: dict[str, lambda_.Function] = {}
        for definition in resources.FUNCTIONS:
            self.functions[definition.name] = ServerlessFunction(
                self, construct_id(definition.name), definition=definition,
                code_dir=layout.function(definition.name), layers=layers, catalog=catalog,
                log_retention=log_retention,
            ).function

    def get(self, name: str) -> lambda_.Function:
        """The function declared under this name."""
        if name not in self.functions:
            raise KeyError(f"no function {name!r} in shared/resources.py FUNCTIONS")
        return self.functions[name]


class ServerlessFunction(Construct):
    """A function, its log group and its role, whose only grants are the definition's permissions."""

    def __init__(self, scope: Construct, id: str, *, definition: resources.FunctionDef, code_dir: Path,
                 layers: list[lambda_.LayerVersion], catalog: ResourceCatalog,
                 log_retention: logs.RetentionDays) -> None:
        super().__init__(scope, id)
        self.log_group = logs.LogGroup(self, "Logs", retention=log_retention,
                                       removal_policy=RemovalPolicy.DESTROY)
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                             description=f"Execution role of the {definition.name} function")

        environment = {
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
        )
        # The function may not start (and its event source mapping may not validate) before its grants exist.
        self.function.node.add_dependency(self.policy)

        # Active tracing adds xray:PutTraceSegments/PutTelemetryRecords on "*" to the role's default policy.
        xray_reason = "X-Ray trace and telemetry writes have no resource-level permissions, so they need '*'."
        acknowledge(self.role, "AwsSolutions-IAM5[Resource::*]", xray_reason)
        acknowledge(self.function, "Serverless-LambdaDLQ", _NO_ASYNC_REASONS[definition.kind])


def _statement(grant: Grant) -> iam.PolicyStatement:
    return iam.PolicyStatement(actions=list(grant.actions), resources=list(grant.resources))
