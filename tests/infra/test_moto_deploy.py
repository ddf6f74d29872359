"""The synthesized template deploys on moto's CloudFormation and creates the declared data and messaging resources.

moto cannot take the template as is, so the test deploys an adapted copy:
- resource types moto's CloudFormation does not implement are dropped (API Gateway v2, S3 bucket and SQS queue
  policies, Secrets Manager secrets, CDK metadata), and references to them become placeholder ARNs;
- moto resolves `Ref` of an EventBus to its model object instead of the bus name, so those refs are inlined;
- moto's CloudFormation has no Lambda aliases, so each alias is dropped and whatever invokes it (event source
  mappings, invoke permissions) points at its function instead;
- Lambda code and layers point at CDK's asset bucket, which `cdk deploy` fills; the test creates that bucket
  with a placeholder zip per asset, enough for moto to create the functions and event source mappings.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from shared import resources
from tests.infra.synthesis import Synthesized

MOTO_UNSUPPORTED = ("AWS::ApiGatewayV2::", "AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy",
                    "AWS::SecretsManager::Secret", "AWS::CDK::Metadata")
ACCOUNT, REGION = "123456789012", "us-east-1"
ASSET_BUCKET = f"cdk-hnb659fds-assets-{ACCOUNT}-{REGION}"


def moto_template(template: dict[str, Any]) -> dict[str, Any]:
    """The deployable copy described in the module docstring (Resources only: outputs name API Gateway)."""
    source = copy.deepcopy(template["Resources"])
    dropped = {logical_id for logical_id, r in source.items() if r["Type"].startswith(MOTO_UNSUPPORTED)}
    bus_names = {logical_id: r["Properties"]["Name"] for logical_id, r in source.items()
                 if r["Type"] == "AWS::Events::EventBus"}
    alias_functions = {logical_id: r["Properties"]["FunctionName"] for logical_id, r in source.items()
                       if r["Type"] == "AWS::Lambda::Alias"}
    dropped -= set(alias_functions)

    def adapt(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("Ref") or (node.get("Fn::GetAtt") or [None])[0]
            if ref in dropped:
                return f"arn:aws:dropped:{REGION}:{ACCOUNT}:{ref}"  # IAM policies only accept ARNs
            if node.get("Ref") in bus_names:
                return bus_names[node["Ref"]]
            # A qualified name (`Fn::Join` of the alias ARN's function part and ":live") or the alias ARN itself.
            alias = _alias_in(node, alias_functions) if "Ref" in node or "Fn::Join" in node else None
            if alias is not None:
                return adapt(alias_functions[alias])
            return {key: adapt(value) for key, value in node.items()}
        if isinstance(node, list):
            return [adapt(value) for value in node]
        return node

    kept = {}
    for logical_id, resource in source.items():
        if logical_id in dropped or logical_id in alias_functions:
            continue
        resource = adapt(resource)
        resource.pop("Condition", None)
        if "DependsOn" in resource:
            resource["DependsOn"] = [d for d in resource["DependsOn"] if d not in dropped | set(alias_functions)]
        kept[logical_id] = resource
    return {"Resources": kept}


def _alias_in(node: Any, aliases: dict[str, Any]) -> str | None:
    if isinstance(node, dict):
        if node.get("Ref") in aliases:
            return str(node["Ref"])
        node = list(node.values())
    if isinstance(node, list):
        return next((found for item in node if (found := _alias_in(item, aliases)) is not None), None)
    return None


def asset_keys(template: dict[str, Any]) -> set[str]:
    keys = set()
    for resource in template["Resources"].values():
        code = resource["Properties"].get("Code") or resource["Properties"].get("Content") or {}
        if resource["Type"].startswith("AWS::Lambda::") and "S3Key" in code:
            keys.add(code["S3Key"])
    return keys


@pytest.fixture(scope="module")
def deployed(synth: Synthesized, monkeypatch_module: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}.items():
        monkeypatch_module.setenv(key, value)
    monkeypatch_module.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch_module.delenv("AWS_PROFILE", raising=False)
    template = moto_template(synth.template_json)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=ASSET_BUCKET)
        placeholder = io.BytesIO()
        with zipfile.ZipFile(placeholder, "w") as archive:
            archive.writestr("README", "placeholder for a CDK asset")
        for key in asset_keys(template):
            s3.put_object(Bucket=ASSET_BUCKET, Key=key, Body=placeholder.getvalue())
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        cloudformation.create_stack(StackName="Lambdabase", TemplateBody=json.dumps(template),
                                    Capabilities=["CAPABILITY_IAM"])
        yield dict(cloudformation.describe_stacks(StackName="Lambdabase")["Stacks"][0])


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_stack_creates_completely(deployed: dict[str, Any]) -> None:
    assert deployed["StackStatus"] == "CREATE_COMPLETE"


def test_tables_exist_with_streams_and_indexes(deployed: dict[str, Any]) -> None:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for definition in resources.TABLES:
        table = dynamodb.describe_table(TableName=definition.physical_name)["Table"]
        assert sorted(i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])) == sorted(
            index.name for index in definition.indexes)
        assert table.get("StreamSpecification", {}).get("StreamEnabled", False) == definition.stream
        if definition.stream:
            assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
            assert table["LatestStreamArn"]


def test_buckets_exist_and_are_encrypted(deployed: dict[str, Any]) -> None:
    # moto's CloudFormation applies BucketEncryption but not versioning; test_resources checks the template.
    s3 = boto3.client("s3", region_name=REGION)
    names = [b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"] != ASSET_BUCKET]
    assert len(names) == len(resources.BUCKETS) + 1
    for name in names:
        rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
        assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_queues_exist_and_redrive_to_their_dlq(deployed: dict[str, Any]) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    for definition in resources.QUEUES:
        url = sqs.get_queue_url(QueueName=definition.physical_name)["QueueUrl"]
        dlq_url = sqs.get_queue_url(QueueName=definition.dlq_physical_name)["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        redrive = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])[
            "Attributes"]["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"] == dlq_arn
        assert int(redrive["maxReceiveCount"]) == definition.max_receive_count
    for source in resources.EVENT_SOURCES:
        if source.kind == "table_stream":
            sqs.get_queue_url(QueueName=source.failure_queue_physical_name)


def test_bus_and_rules_exist(deployed: dict[str, Any]) -> None:
    events = boto3.client("events", region_name=REGION)
    for bus in resources.BUSES:
        events.describe_event_bus(Name=bus.physical_name)
    for rule in resources.RULES:
        described = events.describe_rule(Name=rule.physical_name, EventBusName=resources.EVENT_BUS.physical_name)
        assert json.loads(described["EventPattern"]) == rule.event_pattern


def test_functions_and_event_source_mappings_exist(deployed: dict[str, Any]) -> None:
    lambda_ = boto3.client("lambda", region_name=REGION)
    functions = lambda_.list_functions()["Functions"]
    assert sorted(f["Handler"] for f in functions) == sorted(fn.handler for fn in resources.ALL_FUNCTIONS)
    assert len(lambda_.list_event_source_mappings()["EventSourceMappings"]) == len(resources.EVENT_SOURCES)
