"""The synthesized stack holds exactly what shared/resources.py declares, configured as the design requires."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match

from infra.constructs.http_api import DEFAULT_ROUTE
from infra.constructs.websocket_api import ROUTE_KEYS
from shared import resources
from tests.infra.synthesis import Synthesized

STREAM_SOURCES = [source for source in resources.EVENT_SOURCES if source.kind == "table_stream"]


def _by_name(items: dict[str, dict[str, Any]], prop: str) -> dict[str, dict[str, Any]]:
    return {item["Properties"][prop]: item for item in items.values()}


def test_resource_counts_follow_the_definitions(synth: Synthesized) -> None:
    # Given the definitions, When the stack is synthesized, Then every declared resource exists once
    expected = {
        "AWS::DynamoDB::Table": len(resources.TABLES),
        # The declared buckets plus the one bucket receiving their access logs.
        "AWS::S3::Bucket": len(resources.BUCKETS) + 1,
        # Each queue, its DLQ, and one failure queue per stream event source.
        "AWS::SQS::Queue": 2 * len(resources.QUEUES) + len(STREAM_SOURCES),
        "AWS::Events::EventBus": len(resources.BUSES),
        "AWS::Events::Rule": len(resources.RULES),
        "AWS::SecretsManager::Secret": len(resources.SECRETS),
        "AWS::Lambda::Function": len(resources.ALL_FUNCTIONS),
        # One role per function, and one per schedule for Scheduler to send its message with.
        "AWS::IAM::Role": len(resources.ALL_FUNCTIONS) + len(resources.SCHEDULES),
        "AWS::Lambda::LayerVersion": 2,
        "AWS::Lambda::EventSourceMapping": len(resources.EVENT_SOURCES),
        "AWS::ApiGatewayV2::Api": 2,
        "AWS::ApiGatewayV2::Route": len(resources.ROUTES) + len(ROUTE_KEYS),
        "AWS::ApiGatewayV2::Stage": 2,
    }
    for resource_type, count in expected.items():
        synth.template.resource_count_is(resource_type, count)


def test_tables_have_declared_keys_indexes_streams_and_ttl(synth: Synthesized) -> None:
    tables = _by_name(synth.resources("AWS::DynamoDB::Table"), "TableName")
    for definition in resources.TABLES:
        table = tables[definition.physical_name]
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert table["DeletionPolicy"] == "Retain"
        assert props["KeySchema"] == [{"AttributeName": definition.partition_key, "KeyType": "HASH"},
                                      {"AttributeName": definition.sort_key, "KeyType": "RANGE"}]
        indexes = {gsi["IndexName"]: gsi for gsi in props.get("GlobalSecondaryIndexes", [])}
        assert sorted(indexes) == sorted(index.name for index in definition.indexes)
        for index in definition.indexes:
            assert indexes[index.name]["KeySchema"][0]["AttributeName"] == index.partition_key
            assert indexes[index.name]["Projection"] == {"ProjectionType": index.projection}
        if definition.stream:
            assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
        else:
            assert "StreamSpecification" not in props
        if definition.ttl_attribute:
            assert props["TimeToLiveSpecification"] == {"AttributeName": definition.ttl_attribute, "Enabled": True}


def test_buckets_are_private_encrypted_versioned_and_logged(synth: Synthesized) -> None:
    buckets = synth.resources("AWS::S3::Bucket")
    logged = [b for b in buckets.values() if "LoggingConfiguration" in b["Properties"]]
    assert len(logged) == len(resources.BUCKETS)
    for bucket in buckets.values():
        props = bucket["Properties"]
        assert bucket["DeletionPolicy"] == "Retain"
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True}
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
            "ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    for bucket in logged:
        assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    # Every bucket refuses plain HTTP.
    synth.template.resource_count_is("AWS::S3::BucketPolicy", len(buckets))
    synth.template.all_resources_properties("AWS::S3::BucketPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}})


def test_queues_have_dlqs_sse_and_ssl_only_policies(synth: Synthesized) -> None:
    queues = _by_name(synth.resources("AWS::SQS::Queue"), "QueueName")
    for definition in resources.QUEUES:
        props = queues[definition.physical_name]["Properties"]
        assert props["VisibilityTimeout"] == definition.visibility_timeout_s
        assert props["RedrivePolicy"]["maxReceiveCount"] == definition.max_receive_count
        dlq = queues[definition.dlq_physical_name]["Properties"]
        assert dlq["MessageRetentionPeriod"] == definition.dlq_retention_days * 86_400
    for source in STREAM_SOURCES:
        assert source.failure_queue_physical_name in queues
    for queue in queues.values():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
    synth.template.resource_count_is("AWS::SQS::QueuePolicy", len(queues))
    synth.template.all_resources_properties("AWS::SQS::QueuePolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}})


def test_queue_visibility_is_at_least_six_times_its_consumers_timeout() -> None:
    # As AWS advises for SQS event sources: no redelivery while an invocation, with its retries, still runs
    for source in resources.EVENT_SOURCES:
        if source.kind != "queue":
            continue
        queue = next(q for q in resources.QUEUES if q.key == source.source)
        assert queue.visibility_timeout_s >= 6 * resources.function(source.function).timeout_s, source.function


def test_rules_forward_to_their_queue_with_a_dead_letter_queue(synth: Synthesized) -> None:
    rules = _by_name(synth.resources("AWS::Events::Rule"), "Name")
    for definition in resources.RULES:
        props = rules[definition.physical_name]["Properties"]
        assert props["EventPattern"] == definition.event_pattern
        (target,) = props["Targets"]
        assert "DeadLetterConfig" in target
    # The target queue lets exactly this rule send to it.
    synth.template.has_resource_properties("AWS::SQS::QueuePolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Action": "sqs:SendMessage", "Principal": {"Service": "events.amazonaws.com"},
                           "Condition": {"ArnEquals": {"aws:SourceArn": Match.any_value()}}})])}})


def test_functions_run_python_314_on_arm64_with_tracing_layers_and_log_retention(synth: Synthesized) -> None:
    functions = _by_name(synth.resources("AWS::Lambda::Function"), "Handler")
    log_groups = synth.resources("AWS::Logs::LogGroup")
    for definition in resources.FUNCTIONS:
        props = functions[definition.handler]["Properties"]
        assert props["Runtime"] == "python3.14"
        assert props["Architectures"] == ["arm64"]
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert props["MemorySize"] == definition.memory_mb
        assert props["Timeout"] == definition.timeout_s
        assert len(props["Layers"]) == 2
        env = props["Environment"]["Variables"]
        assert env["POWERTOOLS_SERVICE_NAME"] == definition.name
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == resources.METRICS_NAMESPACE
        assert env["PYDANTIC_DISABLE_PLUGINS"] == "__all__"
        log_group = log_groups[props["LoggingConfig"]["LogGroup"]["Ref"]]
        assert log_group["Properties"]["RetentionInDays"] == 30
    # Access logs of both APIs are kept for the same time.
    assert all(group["Properties"]["RetentionInDays"] == 30 for group in log_groups.values())


def test_function_assets_hold_only_their_own_code(synth: Synthesized) -> None:
    functions = _by_name(synth.resources("AWS::Lambda::Function"), "Handler")
    for definition in resources.FUNCTIONS:
        asset_hash = functions[definition.handler]["Properties"]["Code"]["S3Key"].removesuffix(".zip")
        root = synth.assembly_dir / f"asset.{asset_hash}"
        assert sorted(p.name for p in (root / "functions").iterdir()) == ["__init__.py", definition.name]
        assert (root / "functions" / definition.name / "handler.py").is_file()
        assert not list(root.rglob("__pycache__"))


def test_event_sources_map_streams_and_queues_to_their_consumers(synth: Synthesized) -> None:
    mappings = list(synth.resources("AWS::Lambda::EventSourceMapping").values())
    streams = [m["Properties"] for m in mappings if "StartingPosition" in m["Properties"]]
    queues = [m["Properties"] for m in mappings if "StartingPosition" not in m["Properties"]]
    assert len(streams) == len(STREAM_SOURCES)
    for props in streams:
        assert props["StartingPosition"] == "LATEST"
        assert props["BisectBatchOnFunctionError"] is True
        assert props["MaximumRetryAttempts"] >= 1
        assert "Destination" in props["DestinationConfig"]["OnFailure"]
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    for props in queues:
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_http_api_routes_every_declared_route_with_payload_v2(synth: Synthesized) -> None:
    apis = {api["Properties"]["ProtocolType"]: logical_id
            for logical_id, api in synth.resources("AWS::ApiGatewayV2::Api").items()}
    routes = synth.resources("AWS::ApiGatewayV2::Route").values()
    http_keys = sorted(r["Properties"]["RouteKey"] for r in routes if r["Properties"]["ApiId"] == {"Ref": apis["HTTP"]})
    assert http_keys == sorted(DEFAULT_ROUTE if r.path == DEFAULT_ROUTE else f"{r.method} {r.path}"
                               for r in resources.ROUTES)
    ws_keys = sorted(r["Properties"]["RouteKey"] for r in routes
                     if r["Properties"]["ApiId"] == {"Ref": apis["WEBSOCKET"]})
    assert ws_keys == sorted(ROUTE_KEYS)
    synth.template.has_resource_properties("AWS::ApiGatewayV2::Integration", {
        "ApiId": {"Ref": apis["HTTP"]}, "IntegrationType": "AWS_PROXY", "PayloadFormatVersion": "2.0"})


def test_stages_are_throttled_and_access_logged(synth: Synthesized) -> None:
    stages = _by_name(synth.resources("AWS::ApiGatewayV2::Stage"), "StageName")
    assert sorted(stages) == sorted([DEFAULT_ROUTE, resources.WEBSOCKET_STAGE])
    for stage in stages.values():
        props = stage["Properties"]
        assert props["AutoDeploy"] is True
        assert props["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
        assert props["DefaultRouteSettings"]["ThrottlingBurstLimit"] > 0
        assert "$context.requestId" in props["AccessLogSettings"]["Format"]


def test_outputs_expose_both_api_urls(synth: Synthesized) -> None:
    assert {"HttpApiUrl", "WebSocketUrl"} <= set(synth.template_json["Outputs"])
