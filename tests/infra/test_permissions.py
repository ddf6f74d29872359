"""Each function's role allows exactly what its `FunctionDef.permissions` declare, and nothing broader."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from shared import resources
from shared.settings import env_name
from tests.infra.synthesis import Synthesized

DYNAMODB_WRITES = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
DYNAMODB_READS = {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan"}
STREAM_READS = {"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream"}
# The only statements CDK itself adds: active tracing needs these on "*".
XRAY = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


@dataclass(frozen=True)
class Allowed:
    action: str
    resource: Any

    @property
    def refs(self) -> set[str]:
        """Logical ids the resource points at, with the attribute (`Table.StreamArn`) where there is one."""
        return _refs(self.resource)


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        if "Fn::GetAtt" in node:
            logical_id, attribute = node["Fn::GetAtt"]
            return {f"{logical_id}.{attribute}"}
        if "Ref" in node:
            return set() if node["Ref"].startswith("AWS::") else {node["Ref"]}
        return set().union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node)) if node else set()
    return set()


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class FunctionView:
    """One deployed function as its role's policies and its environment show it."""

    def __init__(self, synth: Synthesized, definition: resources.FunctionDef) -> None:
        self.definition = definition
        function = next(f for f in synth.resources("AWS::Lambda::Function").values()
                        if f["Properties"]["Handler"] == definition.handler)
        self.environment: dict[str, Any] = function["Properties"]["Environment"]["Variables"]
        self.log_group = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        role = function["Properties"]["Role"]["Fn::GetAtt"][0]
        self.allowed: list[Allowed] = []
        for policy in synth.resources("AWS::IAM::Policy").values():
            if {"Ref": role} not in policy["Properties"]["Roles"]:
                continue
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                assert statement["Effect"] == "Allow"
                for action in _as_list(statement["Action"]):
                    for resource in _as_list(statement["Resource"]):
                        self.allowed.append(Allowed(action, resource))

    def actions(self, prefix: str = "") -> set[str]:
        return {a.action for a in self.allowed if a.action.startswith(prefix)}

    def refs_for(self, actions: set[str]) -> set[str]:
        return set().union(*(a.refs for a in self.allowed if a.action in actions)) if self.allowed else set()

    def declared(self, kind: str) -> list[resources.Permission]:
        return [p for p in self.definition.permissions if p.kind == kind]


@pytest.fixture(scope="module")
def views(synth: Synthesized) -> dict[str, FunctionView]:
    return {fn.name: FunctionView(synth, fn) for fn in resources.ALL_FUNCTIONS}


@pytest.fixture(scope="module")
def logical_ids(synth: Synthesized) -> dict[str, str]:
    """Resource key in shared/resources.py -> logical id, for tables, queues, buses and secrets."""
    ids = {}
    for logical_id, table in synth.resources("AWS::DynamoDB::Table").items():
        key = next(t.key for t in resources.TABLES if t.physical_name == table["Properties"]["TableName"])
        ids[f"table:{key}"] = logical_id
    for logical_id, queue in synth.resources("AWS::SQS::Queue").items():
        ids[f"queue:{queue['Properties']['QueueName']}"] = logical_id
    for logical_id, bus in synth.resources("AWS::Events::EventBus").items():
        key = next(b.key for b in resources.BUSES if b.physical_name == bus["Properties"]["Name"])
        ids[f"bus:{key}"] = logical_id
    secrets = list(synth.resources("AWS::SecretsManager::Secret"))
    if len(resources.SECRETS) == 1:
        ids[f"secret:{resources.SECRETS[0].key}"] = secrets[0]
    return ids


@pytest.mark.parametrize("name", [fn.name for fn in resources.ALL_FUNCTIONS])
def test_no_wildcard_actions_and_star_resources_only_for_xray(views: dict[str, FunctionView], name: str) -> None:
    view = views[name]
    assert not [a.action for a in view.allowed if "*" in a.action]
    assert {a.action for a in view.allowed if a.resource == "*"} <= XRAY


@pytest.mark.parametrize("name", [fn.name for fn in resources.ALL_FUNCTIONS])
def test_logs_go_only_to_the_functions_own_log_group(views: dict[str, FunctionView], name: str) -> None:
    view = views[name]
    assert view.actions("logs:") == {"logs:CreateLogStream", "logs:PutLogEvents"}
    assert view.refs_for(view.actions("logs:")) == {f"{view.log_group}.Arn"}


@pytest.mark.parametrize("name", [fn.name for fn in resources.ALL_FUNCTIONS])
def test_table_access_matches_declared_read_and_write(views: dict[str, FunctionView], logical_ids: dict[str, str],
                                                      name: str) -> None:
    view = views[name]
    readable = {logical_ids[f"table:{p.resource}"] for p in view.declared("table") if p.access != "write"}
    writable = {logical_ids[f"table:{p.resource}"] for p in view.declared("table") if p.access != "read"}
    streamed = {logical_ids[f"table:{p.resource}"] for p in view.declared("table_stream")}
    assert {ref.split(".")[0] for ref in view.refs_for(DYNAMODB_READS)} == readable
    assert {ref.split(".")[0] for ref in view.refs_for(DYNAMODB_WRITES)} == writable
    assert view.refs_for(STREAM_READS) == {f"{table}.StreamArn" for table in streamed}
    for permission in view.declared("table") + view.declared("table_stream"):
        table_ref = {"Ref": logical_ids[f"table:{permission.resource}"]}
        assert view.environment[env_name("table", permission.resource)] == table_ref


@pytest.mark.parametrize("name", [fn.name for fn in resources.ALL_FUNCTIONS])
def test_messaging_secrets_and_websocket_grants_match_declarations(
        views: dict[str, FunctionView], logical_ids: dict[str, str], name: str) -> None:
    view = views[name]
    buses = {f"{logical_ids[f'bus:{p.resource}']}.Arn" for p in view.declared("bus_put")}
    assert view.refs_for({"events:PutEvents"}) == buses
    consumed = {f"{logical_ids['queue:' + resources.queue(p.resource).physical_name]}.Arn"
                for p in view.declared("queue_consume")}
    assert view.refs_for({"sqs:ReceiveMessage", "sqs:DeleteMessage"}) == consumed
    failure_queues = {f"{logical_ids['queue:' + s.failure_queue_physical_name]}.Arn"
                      for s in resources.EVENT_SOURCES if s.kind == "table_stream" and s.function == name}
    sent = {f"{logical_ids['queue:' + resources.queue(p.resource).physical_name]}.Arn"
            for p in view.declared("queue_send")}
    assert view.refs_for({"sqs:SendMessage"}) == sent | failure_queues
    secrets = {logical_ids[f"secret:{p.resource}"] for p in view.declared("secret_read")}
    assert view.refs_for({"secretsmanager:GetSecretValue"}) == secrets
    for permission in view.declared("secret_read"):
        assert env_name("secret_arn", permission.resource) in view.environment
    assert bool(view.actions("execute-api:")) == bool(view.declared("ws_manage"))
    assert bool(view.actions("ses:")) == bool(view.declared("mail_send"))
    assert bool(view.actions("s3:")) == bool(view.declared("bucket"))


def test_health_only_reads_what_token_verification_needs(views: dict[str, FunctionView]) -> None:
    # Given the health function verifies superuser tokens for its diagnostics, Then it may read the signing key
    # and both tables, and write nothing
    health = views["health"]
    assert health.actions("dynamodb:") <= DYNAMODB_READS | {"dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"}
    assert not health.actions("dynamodb:") & DYNAMODB_WRITES
    assert health.actions("secretsmanager:") == {"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"}
    assert not health.actions("s3:") and not health.actions("sqs:") and not health.actions("ses:")


def test_changes_reads_the_records_stream_and_puts_events(views: dict[str, FunctionView],
                                                          logical_ids: dict[str, str]) -> None:
    changes = views["changes"]
    records = logical_ids[f"table:{resources.RECORDS_TABLE.key}"]
    assert changes.refs_for({"dynamodb:GetRecords"}) == {f"{records}.StreamArn"}
    assert changes.refs_for({"events:PutEvents"}) == {f"{logical_ids[f'bus:{resources.EVENT_BUS.key}']}.Arn"}
    assert changes.environment[env_name("bus", resources.EVENT_BUS.key)] == {
        "Ref": logical_ids[f"bus:{resources.EVENT_BUS.key}"]}


def test_realtime_manages_connections_of_its_own_stage_only(views: dict[str, FunctionView],
                                                            synth: Synthesized) -> None:
    realtime = views[resources.WEBSOCKET_FUNCTION]
    (ws_api,) = [i for i, api in synth.resources("AWS::ApiGatewayV2::Api").items()
                 if api["Properties"]["ProtocolType"] == "WEBSOCKET"]
    (connections,) = [a.resource for a in realtime.allowed if a.action == "execute-api:ManageConnections"]
    assert _refs(connections) == {ws_api}
    assert f"/{resources.WEBSOCKET_STAGE}/*/@connections/*" in str(connections)
    assert "LB_WS_MANAGEMENT_ENDPOINT" in realtime.environment


def test_health_tells_the_websocket_url_without_any_grant_on_it(views: dict[str, FunctionView]) -> None:
    health = views["health"]
    assert "LB_WS_URL" in health.environment and "wss://" in str(health.environment["LB_WS_URL"])
    assert not health.actions("execute-api:") and not health.actions() & DYNAMODB_WRITES


def test_deliveries_writes_its_log_and_idempotency_records_and_sends_to_its_queues(
        views: dict[str, FunctionView]) -> None:
    # Given webhook deliveries log each attempt and guard it with Powertools Idempotency (system table)
    deliveries = views["deliveries"]
    assert deliveries.actions() & DYNAMODB_WRITES and deliveries.actions() & DYNAMODB_READS
    # Then it is handed the deliveries and dead-letter queues and the bus, and reads event bodies, writing none
    assert {"LB_DELIVERIES_QUEUE", "LB_UNDELIVERED_QUEUE", "LB_EVENTS_BUS"} <= set(deliveries.environment)
    assert "s3:GetObject" in deliveries.actions()
    assert not deliveries.actions() & {"s3:PutObject", "s3:DeleteObject"}


def test_files_reads_record_files_and_writes_only_thumbs(views: dict[str, FunctionView]) -> None:
    # Given the files function serves originals and stores thumbs, Then its only S3 writes are under thumbs_ prefixes
    import json

    files = views["files"]
    writes = [json.dumps(a.resource) for a in files.allowed if a.action in ("s3:PutObject", "s3:DeleteObject")]
    reads = [json.dumps(a.resource) for a in files.allowed if a.action == "s3:GetObject"]
    assert writes and all(w.endswith('"/*/*/thumbs_*/*"]]}') for w in writes)
    assert reads and all(r.endswith('"/*"]]}') for r in reads)


def test_uploads_presigns_and_drives_only_the_staging_prefix(views: dict[str, FunctionView]) -> None:
    # Given the uploads function signs direct uploads' URLs with its own role, Then that role may write under
    # uploads/ only and read no object at all: no URL it signs can reach a record's file or thumb
    import json

    uploads = views["uploads"]
    s3 = [a for a in uploads.allowed if a.action.startswith("s3:")]
    assert {a.action for a in s3} == {"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:ListMultipartUploadParts",
                                      "s3:PutObject"}
    assert all(json.dumps(a.resource).endswith('"/uploads/*"]]}') for a in s3)


def test_only_the_functions_that_need_the_files_bucket_hold_a_grant_on_it(views: dict[str, FunctionView]) -> None:
    holders = {fn.name for fn in resources.FUNCTIONS
               if any(p.kind == "bucket" and p.resource == resources.FILES_BUCKET.key for p in fn.permissions)}
    # records stores and removes files, files serves them, uploads stages them, jobs backs them up and deletes
    # truncated collections' files, auth stores the avatar an OAuth2 sign-up downloads, forms stores the files of
    # guest submissions as records does
    assert holders == {"records", "files", "uploads", "jobs", "auth", "forms"}
